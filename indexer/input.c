/* input.c - bounded reading of one input into memory, transparent gunzip, format detection. */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define READ_CHUNK ((size_t)64 * 1024)
#define SNIFF_LEN 4096 /* bytes looked at to tell text from binary */

/* Print a byte count the way the messages do: "512 MiB", "3 KiB", "17 bytes". */
static void fmt_size(size_t n, char *out, size_t outlen)
{
    if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
        snprintf(out, outlen, "%zu MiB", n / (1024 * 1024));
    else if (n >= 1024 * 1024)
        snprintf(out, outlen, "%.1f MiB", (double)n / (1024.0 * 1024.0));
    else if (n >= 1024 && n % 1024 == 0)
        snprintf(out, outlen, "%zu KiB", n / 1024);
    else
        snprintf(out, outlen, "%zu bytes", n);
}

/* Grow *buf (holding *alloc bytes) so it can take at least want bytes, never past limit. */
static int grow(char **buf, size_t *alloc, size_t want, size_t limit)
{
    size_t n = *alloc ? *alloc : READ_CHUNK;
    while (n < want && n < limit)
        n = n > limit / 2 ? limit : n * 2;
    if (n < want)
        n = want;
    if (n == *alloc)
        return 0;
    char *p = realloc(*buf, n);
    if (!p)
        return -1;
    *buf = p;
    *alloc = n;
    return 0;
}

/* Read all of fd into a new buffer (NUL-terminated), at most max bytes. */
static int read_all(int fd, const char *path, size_t max, size_t hint, char **out, size_t *outlen,
                    struct iqn_error *err)
{
    char *buf = NULL;
    size_t alloc = 0, len = 0;
    char lim[32];
    /* One byte past the cap tells "exactly max" from "more than max"; one more for the NUL. */
    size_t limit = max + 2;
    int rc;

    if (hint > 0 && hint < max)
        rc = grow(&buf, &alloc, hint + 2, limit);
    else
        rc = grow(&buf, &alloc, READ_CHUNK, limit);
    if (rc != 0) {
        rc = iqn_error_set(err, IQN_ENOMEM, "out of memory reading the file");
        goto fail;
    }
    for (;;) {
        if (alloc - len < 2) {
            if (grow(&buf, &alloc, alloc + READ_CHUNK, limit) != 0) {
                rc = iqn_error_set(err, IQN_ENOMEM, "out of memory reading the file");
                goto fail;
            }
        }
        ssize_t n = read(fd, buf + len, alloc - len - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = iqn_error_set(err, IQN_EIO, "cannot read: %s", strerror(errno));
            goto fail;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > max) {
            fmt_size(max, lim, sizeof lim);
            rc = iqn_error_set(err, IQN_ENOMEM, "%s is larger than the %s limit",
                               strcmp(path, "-") == 0 ? "standard input" : "file", lim);
            goto fail;
        }
    }
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    return IQN_OK;
fail:
    free(buf);
    return rc;
}

/* Decompress a gzip stream (one or more members) into a new NUL-terminated buffer of at most
 * max bytes. A stream that would expand past max is refused: it is a likely decompression bomb. */
static int gunzip(const char *src, size_t srclen, size_t max, char **out, size_t *outlen,
                  struct iqn_error *err)
{
    z_stream zs;
    char *buf = NULL;
    size_t alloc = 0;
    size_t limit = max + 2;
    char lim[32];
    int rc;

    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        return iqn_error_set(err, IQN_ENOMEM, "gzip: cannot start the decompressor");
    if (grow(&buf, &alloc, srclen < max / 4 ? srclen * 4 + 2 : limit, limit) != 0) {
        rc = iqn_error_set(err, IQN_ENOMEM, "gzip: out of memory");
        goto fail;
    }
    zs.next_in = (unsigned char *)(uintptr_t)src;
    zs.next_out = (unsigned char *)buf;
    size_t in_left = srclen;
    for (;;) {
        /* zlib counts in uInt: feed at most 1 GiB at a time. */
        if (zs.avail_in == 0 && in_left > 0) {
            zs.avail_in = in_left > (1u << 30) ? (1u << 30) : (uInt)in_left;
            in_left -= zs.avail_in;
        }
        size_t used = (size_t)((char *)zs.next_out - buf);
        if (used >= max + 1) {
            fmt_size(max, lim, sizeof lim);
            rc = iqn_error_set(err, IQN_ENOMEM,
                               "gzip: decompressed size exceeds the %s limit (%zu bytes compressed); "
                               "refusing a likely decompression bomb",
                               lim, srclen);
            goto fail;
        }
        if (alloc - 1 - used == 0) {
            if (grow(&buf, &alloc, alloc + READ_CHUNK, limit) != 0) {
                rc = iqn_error_set(err, IQN_ENOMEM, "gzip: out of memory");
                goto fail;
            }
        }
        size_t room = alloc - 1 - used;
        zs.next_out = (unsigned char *)buf + used;
        zs.avail_out = room > (1u << 30) ? (1u << 30) : (uInt)room;
        int zr = inflate(&zs, Z_NO_FLUSH);
        if (zr == Z_STREAM_END) {
            size_t rest = zs.avail_in + in_left;
            const unsigned char *next = zs.next_in;
            /* Another gzip member follows (as `cat a.gz b.gz` makes): go on with it.
             * Anything else after the end is ignored, as gzip -d does. */
            if (rest >= 2 && next[0] == 0x1f && next[1] == 0x8b) {
                if (inflateReset(&zs) != Z_OK) {
                    rc = iqn_error_set(err, IQN_EINTERNAL, "gzip: cannot restart the decompressor");
                    goto fail;
                }
                continue;
            }
            break;
        }
        if (zr == Z_OK)
            continue;
        if (zr == Z_BUF_ERROR) {
            if (zs.avail_in == 0 && in_left == 0) {
                rc = iqn_error_set(err, IQN_EINVAL, "gzip: unexpected end of compressed data");
                goto fail;
            }
            continue; /* out of output room: grow and go on */
        }
        if (zr == Z_MEM_ERROR) {
            rc = iqn_error_set(err, IQN_ENOMEM, "gzip: out of memory");
            goto fail;
        }
        rc = iqn_error_set(err, IQN_EINVAL, "gzip: corrupt data (%s)", zs.msg ? zs.msg : "bad stream");
        goto fail;
    }
    *outlen = (size_t)((char *)zs.next_out - buf);
    buf[*outlen] = '\0';
    inflateEnd(&zs);
    *out = buf;
    return IQN_OK;
fail:
    inflateEnd(&zs);
    free(buf);
    return rc;
}

/* Read path ("-" = stdin) into memory, gunzipping gzip content; see input.h. */
int iqn_input_read(const char *path, const struct iqn_input_limits *limits, struct iqn_input *in,
                   struct iqn_error *err)
{
    int fd = -1;
    int is_stdin = strcmp(path, "-") == 0;
    char *raw = NULL;
    size_t rawlen = 0;
    size_t hint = 0;
    char lim[32];
    struct stat st;
    int rc;

    memset(in, 0, sizeof *in);
    if (is_stdin) {
        fd = STDIN_FILENO;
    } else {
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
            rc = iqn_error_set(err, errno == ENOENT ? IQN_ENOTFOUND : IQN_EIO, "cannot open: %s",
                               strerror(errno));
            goto fail;
        }
    }
    if (fstat(fd, &st) != 0) {
        rc = iqn_error_set(err, IQN_EIO, "cannot stat: %s", strerror(errno));
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = iqn_error_set(err, IQN_EINVAL, "is a directory");
        goto fail;
    }
    if (S_ISREG(st.st_mode)) {
        if ((unsigned long long)st.st_size > (unsigned long long)limits->raw_max) {
            fmt_size(limits->raw_max, lim, sizeof lim);
            rc = iqn_error_set(err, IQN_ENOMEM, "file is larger than the %s limit (%lld bytes)", lim,
                               (long long)st.st_size);
            goto fail;
        }
        hint = (size_t)st.st_size;
    }
    rc = read_all(fd, path, limits->raw_max, hint, &raw, &rawlen, err);
    if (rc != IQN_OK)
        goto fail;
    in->raw_len = rawlen;
    if (rawlen >= 2 && (unsigned char)raw[0] == 0x1f && (unsigned char)raw[1] == 0x8b) {
        rc = gunzip(raw, rawlen, limits->decoded_max, &in->data, &in->len, err);
        free(raw);
        raw = NULL;
        if (rc != IQN_OK)
            goto fail;
        in->gzipped = 1;
    } else {
        in->data = raw;
        in->len = rawlen;
        raw = NULL;
    }
    if (!is_stdin)
        close(fd);
    return IQN_OK;
fail:
    if (fd >= 0 && !is_stdin)
        close(fd);
    free(raw);
    memset(in, 0, sizeof *in);
    return rc;
}

/* Free the data of in; see input.h. */
void iqn_input_free(struct iqn_input *in)
{
    free(in->data);
    memset(in, 0, sizeof *in);
}

/* The file name extension of name, lower-cased into out, ignoring a final ".gz"; "" if none. */
static void name_ext(const char *name, char *out, size_t outlen)
{
    out[0] = '\0';
    if (!name || strcmp(name, "-") == 0)
        return;
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    size_t n = strlen(base);
    if (n > 3 && strcasecmp(base + n - 3, ".gz") == 0)
        n -= 3;
    size_t dot = n;
    while (dot > 0 && base[dot - 1] != '.')
        dot--;
    if (dot <= 1) /* no dot, or a leading dot only (".profile") */
        return;
    size_t elen = n - dot;
    if (elen + 1 > outlen)
        return;
    for (size_t i = 0; i < elen; i++) {
        char c = base[dot + i];
        out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[elen] = '\0';
}

static int ext_is(const char *ext, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(ext, list[i]) == 0)
            return 1;
    return 0;
}

static const char *const xml_exts[] = {"xml", NULL};
static const char *const jsonl_exts[] = {"jsonl", "ndjson", "json", NULL};
static const char *const html_exts[] = {"html", "htm", "xhtml", NULL};
/* Plain-text names: their content may well start with a tag ("<p align=center>" atop a README.md,
 * "<PROJECT-NAME>" atop a CMake .rst page) without being XML. */
static const char *const text_exts[] = {"txt", "text", "md", "markdown", "rst", "csv", "tsv", "psv", "log", NULL};

/* Does the region [p, end) contain needle? */
static int contains(const char *p, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    for (; p + n <= end; p++)
        if (memcmp(p, needle, n) == 0)
            return 1;
    return 0;
}

static int starts_nocase(const char *p, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && strncasecmp(p, prefix, n) == 0;
}

/* Does data start like a JSON object, '{' then a quoted name or '}'? A page template ("{% raw %}",
 * "{{toc}}") or other text that merely starts with a brace does not. */
static int json_object_start(const char *data, size_t len)
{
    size_t j = 1;
    while (j < len && (data[j] == ' ' || data[j] == '\t' || data[j] == '\r' || data[j] == '\n'))
        j++;
    return j >= len || data[j] == '"' || data[j] == '}';
}

/* Guess the format of an input; see input.h. */
enum iqn_format iqn_input_detect(const char *data, size_t len, const char *name)
{
    char ext[16];
    size_t i = 0;

    name_ext(name, ext, sizeof ext);
    if (len >= 5 && memcmp(data, "%PDF-", 5) == 0)
        return IQN_FMT_PDF;
    if (len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0) {
        const char *end = data + (len < 65536 ? len : 65536);
        if (contains(data, end, "application/vnd.oasis.opendocument.text") || strcmp(ext, "odt") == 0)
            return IQN_FMT_ODT;
        if (contains(data, end, "word/") || strcmp(ext, "docx") == 0)
            return IQN_FMT_DOCX;
        return IQN_FMT_ZIP;
    }
    /* UTF-16 text: only XML declares its own encoding, so trust a '<' or the extension. */
    if (len >= 2 && (((unsigned char)data[0] == 0xff && (unsigned char)data[1] == 0xfe) ||
                     ((unsigned char)data[0] == 0xfe && (unsigned char)data[1] == 0xff))) {
        if (ext_is(ext, xml_exts) || (len >= 4 && (data[2] == '<' || data[3] == '<')))
            return IQN_FMT_XML;
        return IQN_FMT_TEXT;
    }
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i < len && data[i] == '<') {
        if (ext_is(ext, html_exts) || starts_nocase(data + i, len - i, "<!doctype html") ||
            starts_nocase(data + i, len - i, "<html"))
            return IQN_FMT_HTML;
        if (ext_is(ext, text_exts) && !starts_nocase(data + i, len - i, "<?xml"))
            return IQN_FMT_TEXT;
        return IQN_FMT_XML;
    }
    if (i < len && data[i] == '{' && (json_object_start(data + i, len - i) || (name && strcmp(name, "-") == 0)))
        return IQN_FMT_JSONL;
    /* The content does not decide: go by the name, then by whether it looks like text. */
    if (ext_is(ext, xml_exts))
        return IQN_FMT_XML;
    if (ext_is(ext, jsonl_exts))
        return IQN_FMT_JSONL;
    if (ext_is(ext, html_exts))
        return IQN_FMT_HTML;
    if (i == len)
        return len == 0 && name && strcmp(name, "-") == 0 ? IQN_FMT_JSONL : IQN_FMT_TEXT;
    /* Text in a legacy 8-bit charset (Windows-1252) is text too: only NUL bytes and more than a
     * few control characters make binary data. */
    size_t sniff = len < SNIFF_LEN ? len : SNIFF_LEN, ctrl = 0;
    for (size_t k = 0; k < sniff; k++) {
        unsigned char c = (unsigned char)data[k];
        if (c == 0)
            return IQN_FMT_BINARY;
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b)
            ctrl++;
    }
    if (ctrl * 100 > sniff)
        return IQN_FMT_BINARY;
    return IQN_FMT_TEXT;
}

/* Human name of a format; see input.h. */
const char *iqn_format_name(enum iqn_format f)
{
    switch (f) {
    case IQN_FMT_XML: return "IQN XML";
    case IQN_FMT_JSONL: return "JSON Lines";
    case IQN_FMT_HTML: return "HTML";
    case IQN_FMT_PDF: return "PDF";
    case IQN_FMT_DOCX: return "DOCX";
    case IQN_FMT_ODT: return "ODT";
    case IQN_FMT_ZIP: return "zip archive";
    case IQN_FMT_TEXT: return "plain text";
    case IQN_FMT_BINARY: return "binary data";
    case IQN_FMT_UNKNOWN: break;
    }
    return "unknown";
}
