/* compress.c - gzip through zlib: Accept-Encoding, whole and streamed responses, capped inflation
 * of request bodies. */
#include "compress.h"

#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#define LEVEL 6
#define GZIP_WINDOW (15 + 16)   /* gzip wrapper */
#define AUTO_WINDOW (15 + 32)   /* gzip or zlib, detected */

/* Case-insensitive comparison of n bytes against a lower-case word. */
static int word_is(const char *s, size_t n, const char *word)
{
    if (strlen(word) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)s[i]) != word[i])
            return 0;
    return 1;
}

/* q=0 (0, 0.0, 0.00, 0.000) refuses an encoding. */
static int q_zero(const char *params, size_t n)
{
    const char *q = NULL;
    for (size_t i = 0; i + 1 < n; i++)
        if ((params[i] == 'q' || params[i] == 'Q') && params[i + 1] == '=' && (i == 0 || params[i - 1] == ';' ||
                                                                                params[i - 1] == ' '))
            q = params + i + 2;
    if (!q)
        return 0;
    size_t left = n - (size_t)(q - params);
    if (!left || *q != '0')
        return 0;
    for (size_t i = 1; i < left; i++)
        if (q[i] != '.' && q[i] != '0' && q[i] != ' ')
            return 0;
    return 1;
}

/* Accept-Encoding; see compress.h. */
int iqn_gzip_accepted(struct MHD_Connection *conn)
{
    const char *ae = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    if (!ae)
        return 0;
    for (const char *p = ae; *p;) {
        size_t n = strcspn(p, ",");
        const char *tok = p;
        while (n && (*tok == ' ' || *tok == '\t')) {
            tok++;
            n--;
        }
        size_t name = strcspn(tok, ";,");
        if (name > n)
            name = n;
        size_t nlen = name;
        while (nlen && (tok[nlen - 1] == ' ' || tok[nlen - 1] == '\t'))
            nlen--;
        if ((word_is(tok, nlen, "gzip") || word_is(tok, nlen, "x-gzip") || word_is(tok, nlen, "*")) &&
            !q_zero(tok + name, n - name))
            return 1;
        p = tok + n;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* Types worth compressing; see compress.h. */
int iqn_gzip_compressible(const char *t)
{
    static const char *const types[] = {"text/",           "application/json",       "application/x-ndjson",
                                        "application/xml", "application/javascript", "application/atom+xml",
                                        "image/svg+xml",   "application/opensearchdescription+xml",
                                        "application/manifest+json"};
    if (!t)
        return 0;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strncmp(t, types[i], strlen(types[i])) == 0)
            return 1;
    return 0;
}

/* One-shot compression; see compress.h. */
int iqn_gzip(const char *in, size_t len, char **out, size_t *outlen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    *out = NULL;
    if (deflateInit2(&z, LEVEL, Z_DEFLATED, GZIP_WINDOW, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    size_t cap = deflateBound(&z, (uLong)len) + 32;
    char *buf = malloc(cap);
    if (!buf || len > UINT_MAX || cap > UINT_MAX) {
        free(buf);
        deflateEnd(&z);
        return -1;
    }
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)buf;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(buf);
        return -1;
    }
    *out = buf;
    *outlen = cap - z.avail_out;
    return 0;
}

/* Capped inflation; see compress.h. */
int iqn_gunzip(const char *in, size_t len, size_t cap, char **out, size_t *outlen, struct iqn_error *err)
{
    z_stream z;
    size_t alloc = len * 4 + 4096, used = 0;
    int rc = IQN_OK, zrc = Z_OK;
    char *buf = NULL;
    memset(&z, 0, sizeof z);
    *out = NULL;
    *outlen = 0;
    if (len > UINT_MAX)
        return iqn_error_set(err, IQN_ENOMEM, "compressed body too large");
    if (alloc > cap + 1)
        alloc = cap + 1;
    buf = malloc(alloc);
    if (!buf || inflateInit2(&z, AUTO_WINDOW) != Z_OK) {
        free(buf);
        return iqn_error_set(err, IQN_ENOMEM, "out of memory");
    }
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    for (;;) {
        if (used == alloc - 1) { /* keep one byte for the NUL */
            if (alloc > cap) {
                rc = iqn_error_set(err, IQN_ENOMEM, "body larger than %zu bytes once decompressed", cap);
                goto out;
            }
            size_t nalloc = alloc * 2 > cap + 1 ? cap + 1 : alloc * 2;
            char *nb = realloc(buf, nalloc);
            if (!nb) {
                rc = iqn_error_set(err, IQN_ENOMEM, "out of memory");
                goto out;
            }
            buf = nb;
            alloc = nalloc;
        }
        size_t room = alloc - 1 - used;
        z.next_out = (Bytef *)buf + used;
        z.avail_out = (uInt)(room > UINT_MAX ? UINT_MAX : room);
        uInt before = z.avail_out;
        zrc = inflate(&z, Z_NO_FLUSH);
        used += before - z.avail_out;
        if (zrc == Z_STREAM_END) {
            if (z.avail_in == 0)
                break;
            if (inflateReset(&z) != Z_OK) { /* another gzip member follows */
                rc = iqn_error_set(err, IQN_EINVAL, "body is not valid gzip");
                goto out;
            }
            continue;
        }
        if (zrc == Z_BUF_ERROR && z.avail_in == 0) {
            rc = iqn_error_set(err, IQN_EINVAL, "gzip body is truncated");
            goto out;
        }
        if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
            rc = iqn_error_set(err, IQN_EINVAL, "body is not valid gzip: %s", z.msg ? z.msg : "corrupt data");
            goto out;
        }
        if (z.avail_in == 0 && zrc == Z_OK && z.avail_out != 0) {
            rc = iqn_error_set(err, IQN_EINVAL, "gzip body is truncated");
            goto out;
        }
    }
    buf[used] = '\0';
    *out = buf;
    *outlen = used;
    buf = NULL;
out:
    inflateEnd(&z);
    free(buf);
    return rc;
}

/* Streaming compression; see compress.h. */
int iqn_gzip_stream_init(struct iqn_gzip_stream *gs)
{
    memset(gs, 0, sizeof *gs);
    if (deflateInit2(&gs->z, LEVEL, Z_DEFLATED, GZIP_WINDOW, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    gs->ready = 1;
    return 0;
}

/* Compress a piece; see compress.h. */
int iqn_gzip_stream_write(struct iqn_gzip_stream *gs, const char *in, size_t len, int finish, struct iqn_buf *out)
{
    char chunk[16384];
    if (!gs->ready || len > UINT_MAX)
        return -1;
    gs->z.next_in = (Bytef *)(uintptr_t)in;
    gs->z.avail_in = (uInt)len;
    for (;;) {
        gs->z.next_out = (Bytef *)chunk;
        gs->z.avail_out = sizeof chunk;
        int rc = deflate(&gs->z, finish ? Z_FINISH : Z_NO_FLUSH);
        if (rc == Z_STREAM_ERROR)
            return -1;
        if (iqn_buf_add(out, chunk, sizeof chunk - gs->z.avail_out) != 0)
            return -1;
        if (finish ? rc == Z_STREAM_END : (gs->z.avail_in == 0 && gs->z.avail_out != 0))
            return 0;
    }
}

/* Release the stream; see compress.h. */
void iqn_gzip_stream_end(struct iqn_gzip_stream *gs)
{
    if (gs->ready)
        deflateEnd(&gs->z);
    gs->ready = 0;
}
