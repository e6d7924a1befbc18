/* gen_buf.c - iqn-gen's growable output buffer with XML/JSON escaping, and its error struct. */
#include "gen_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per byte: 0 = copy as is; otherwise needs escaping in that format. */
static unsigned char xml_special[256];
static unsigned char json_special[256];
static int tables_ready;

static void init_tables(void)
{
    int c;

    if (tables_ready)
        return;
    xml_special['&'] = 1;
    xml_special['<'] = 1;
    xml_special['>'] = 1;
    for (c = 0; c < 0x20; c++)
        json_special[c] = 1;
    json_special['"'] = 1;
    json_special['\\'] = 1;
    tables_ready = 1;
}

/* Set err->message printf-style; returns -1. */
int iqn_gen_error_set(struct iqn_gen_error *err, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return -1;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return -1;
}

/* Start an empty buffer that never grows past cap bytes. */
void iqn_gen_buf_init(struct iqn_gen_buf *b, size_t cap)
{
    init_tables();
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
    b->failed = 0;
}

/* Release the memory; the buffer is left empty. */
void iqn_gen_buf_free(struct iqn_gen_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
}

/* Empty the buffer and clear its failure flag; keeps the memory. */
void iqn_gen_buf_reset(struct iqn_gen_buf *b)
{
    b->len = 0;
    b->failed = 0;
}

/* Make room for `extra` more bytes, doubling; -1 and `failed` when over cap or out of memory. */
int iqn_gen_buf_reserve(struct iqn_gen_buf *b, size_t extra)
{
    size_t need;
    size_t n;
    char *p;

    if (b->failed)
        return -1;
    if (extra > b->cap || b->len > b->cap - extra) {
        b->failed = 1;
        return -1;
    }
    need = b->len + extra;
    if (need <= b->alloc)
        return 0;
    n = b->alloc ? b->alloc : 4096;
    while (n < need)
        n *= 2;
    if (n > b->cap)
        n = b->cap;
    p = realloc(b->data, n);
    if (p == NULL) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->alloc = n;
    return 0;
}

/* Grow, then copy. */
void iqn_gen_buf_add_slow(struct iqn_gen_buf *b, const void *data, size_t len)
{
    if (iqn_gen_buf_reserve(b, len) != 0)
        return;
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

/* Append v in decimal. */
void iqn_gen_buf_addu(struct iqn_gen_buf *b, unsigned long long v)
{
    char tmp[24];
    size_t i = sizeof tmp;

    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    iqn_gen_buf_add(b, tmp + i, sizeof tmp - i);
}

/* Append s escaped for XML element content. */
void iqn_gen_buf_xml(struct iqn_gen_buf *b, const char *s, size_t len)
{
    size_t i = 0;
    size_t run;

    while (i < len) {
        run = i;
        while (run < len && !xml_special[(unsigned char)s[run]])
            run++;
        iqn_gen_buf_add(b, s + i, run - i);
        if (run == len)
            break;
        switch (s[run]) {
        case '&':
            iqn_gen_buf_add(b, "&amp;", 5);
            break;
        case '<':
            iqn_gen_buf_add(b, "&lt;", 4);
            break;
        default:
            iqn_gen_buf_add(b, "&gt;", 4);
            break;
        }
        i = run + 1;
    }
}

/* Append s as a quoted JSON string. */
void iqn_gen_buf_json(struct iqn_gen_buf *b, const char *s, size_t len)
{
    iqn_gen_buf_addc(b, '"');
    iqn_gen_buf_json_inner(b, s, len);
    iqn_gen_buf_addc(b, '"');
}

/* Append s escaped for the inside of a JSON string. */
void iqn_gen_buf_json_inner(struct iqn_gen_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0;
    size_t run;
    unsigned char c;
    char esc[6];

    while (i < len) {
        run = i;
        while (run < len && !json_special[(unsigned char)s[run]])
            run++;
        iqn_gen_buf_add(b, s + i, run - i);
        if (run == len)
            break;
        c = (unsigned char)s[run];
        switch (c) {
        case '"':
            iqn_gen_buf_add(b, "\\\"", 2);
            break;
        case '\\':
            iqn_gen_buf_add(b, "\\\\", 2);
            break;
        case '\n':
            iqn_gen_buf_add(b, "\\n", 2);
            break;
        case '\t':
            iqn_gen_buf_add(b, "\\t", 2);
            break;
        case '\r':
            iqn_gen_buf_add(b, "\\r", 2);
            break;
        default:
            esc[0] = '\\';
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            iqn_gen_buf_add(b, esc, 6);
            break;
        }
        i = run + 1;
    }
}

/* Escape for element content or for the inside of a JSON string. */
void iqn_gen_buf_escape(struct iqn_gen_buf *b, enum iqn_gen_format fmt, const char *s, size_t len)
{
    if (fmt == IQN_GEN_XML)
        iqn_gen_buf_xml(b, s, len);
    else
        iqn_gen_buf_json_inner(b, s, len);
}
