/* buf.c - growable byte buffer with a hard cap, and JSON/HTML escaping into it. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

void iqn_buf_init(struct iqn_buf *b, size_t cap)
{
    memset(b, 0, sizeof *b);
    b->cap = cap;
}

void iqn_buf_free(struct iqn_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
}

void iqn_buf_reset(struct iqn_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

int iqn_buf_failed(const struct iqn_buf *b)
{
    return b->toobig || b->oom;
}

int iqn_buf_add(struct iqn_buf *b, const void *data, size_t len)
{
    if (b->toobig || b->oom)
        return -1;
    if (len > b->cap || b->len > b->cap - len) {
        b->toobig = 1;
        iqn_buf_free(b);
        return -1;
    }
    if (b->len + len + 1 > b->alloc) {
        size_t want = b->alloc ? b->alloc : 256;
        while (want < b->len + len + 1)
            want *= 2;
        if (want > b->cap + 1)
            want = b->cap + 1;
        char *p = realloc(b->data, want);
        if (!p) {
            b->oom = 1;
            iqn_buf_free(b);
            return -1;
        }
        b->data = p;
        b->alloc = want;
    }
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int iqn_buf_adds(struct iqn_buf *b, const char *s)
{
    return iqn_buf_add(b, s, strlen(s));
}

int iqn_buf_addc(struct iqn_buf *b, char c)
{
    return iqn_buf_add(b, &c, 1);
}

int iqn_buf_addf(struct iqn_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n < sizeof small)
        return iqn_buf_add(b, small, (size_t)n);
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->oom = 1;
        return -1;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int rc = iqn_buf_add(b, big, (size_t)n);
    free(big);
    return rc;
}

char *iqn_buf_steal(struct iqn_buf *b, size_t *len)
{
    char *p = b->data;
    if (len)
        *len = b->len;
    if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = b->alloc = 0;
    return p;
}

int iqn_buf_json_str(struct iqn_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0, run = 0;
    iqn_buf_addc(b, '"');
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            run++;
            continue;
        }
        iqn_buf_add(b, s + i - run, run);
        run = 0;
        if (c >= 0x80) {
            size_t n = iqn_utf8_seq_len(s + i, len - i);
            if (n == 0) {
                iqn_buf_adds(b, "\\ufffd");
                i++;
            } else {
                iqn_buf_add(b, s + i, n);
                i += n;
            }
            continue;
        }
        switch (c) {
        case '"': iqn_buf_adds(b, "\\\""); break;
        case '\\': iqn_buf_adds(b, "\\\\"); break;
        case '\n': iqn_buf_adds(b, "\\n"); break;
        case '\r': iqn_buf_adds(b, "\\r"); break;
        case '\t': iqn_buf_adds(b, "\\t"); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            iqn_buf_add(b, u, 6);
        }
        }
        i++;
    }
    iqn_buf_add(b, s + i - run, run);
    return iqn_buf_addc(b, '"');
}

int iqn_buf_json_strz(struct iqn_buf *b, const char *s)
{
    if (!s)
        return iqn_buf_adds(b, "null");
    return iqn_buf_json_str(b, s, strlen(s));
}

int iqn_buf_html(struct iqn_buf *b, const char *s, size_t len)
{
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: run++; continue;
        }
        iqn_buf_add(b, s + i - run, run);
        run = 0;
        iqn_buf_adds(b, rep);
    }
    return iqn_buf_add(b, s + len - run, run);
}
