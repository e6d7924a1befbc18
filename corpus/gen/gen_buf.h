/* gen_buf.h - iqn-gen's growable output buffer with XML/JSON escaping, and its error struct. */
#ifndef IQN_GEN_BUF_H
#define IQN_GEN_BUF_H

#include <stddef.h>
#include <string.h>

/* The two output formats, also the index of per-format escaped word forms. */
enum iqn_gen_format { IQN_GEN_XML = 0, IQN_GEN_JSONL = 1 };

/* A byte buffer with a hard cap. Appends never report failure one by one: once one
 * fails (allocation, or the cap would be passed) `failed` is set and the contents are
 * incomplete, so the caller checks once per record. Not NUL-terminated. */
struct iqn_gen_buf {
    char *data;
    size_t len;
    size_t alloc;
    size_t cap;
    int failed;
};

/* A message for the user; filled by failing calls. */
struct iqn_gen_error {
    char message[512];
};

/* Set err->message printf-style (err may be NULL); returns -1 so callers can `return iqn_gen_error_set(...)`. */
int iqn_gen_error_set(struct iqn_gen_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void iqn_gen_buf_init(struct iqn_gen_buf *b, size_t cap);
void iqn_gen_buf_free(struct iqn_gen_buf *b); /* leaves b empty, may be re-used after init */
void iqn_gen_buf_reset(struct iqn_gen_buf *b); /* len = 0 and clears `failed`, keeps memory */

/* Make room for `extra` more bytes; returns 0, or -1 (and sets `failed`). */
int iqn_gen_buf_reserve(struct iqn_gen_buf *b, size_t extra);

/* Slow path of iqn_gen_buf_add: grow, then copy. */
void iqn_gen_buf_add_slow(struct iqn_gen_buf *b, const void *data, size_t len);

/* Append len raw bytes. */
static inline void iqn_gen_buf_add(struct iqn_gen_buf *b, const void *data, size_t len)
{
    if (len <= b->alloc - b->len) {
        memcpy(b->data + b->len, data, len);
        b->len += len;
        return;
    }
    iqn_gen_buf_add_slow(b, data, len);
}

/* Append a short string from memory with at least 16 readable bytes at s (iqn-gen's word
 * arena is padded): strings up to 16 bytes are copied as one 16-byte move. */
static inline void iqn_gen_buf_add_padded(struct iqn_gen_buf *b, const char *s, size_t len)
{
    if (len <= 16 && b->alloc - b->len >= 16) {
        memcpy(b->data + b->len, s, 16);
        b->len += len;
        return;
    }
    iqn_gen_buf_add(b, s, len);
}

/* Append one byte. */
static inline void iqn_gen_buf_addc(struct iqn_gen_buf *b, char c)
{
    if (b->len < b->alloc) {
        b->data[b->len++] = c;
        return;
    }
    iqn_gen_buf_add_slow(b, &c, 1);
}

/* Append a NUL-terminated string. */
static inline void iqn_gen_buf_adds(struct iqn_gen_buf *b, const char *s)
{
    iqn_gen_buf_add(b, s, strlen(s));
}

/* Append an unsigned decimal number. */
void iqn_gen_buf_addu(struct iqn_gen_buf *b, unsigned long long v);

/* Append s with & < > escaped for XML element content (s must be valid UTF-8 without
 * control characters other than tab and newline; the generator only produces such text). */
void iqn_gen_buf_xml(struct iqn_gen_buf *b, const char *s, size_t len);
/* Append s as a JSON string literal, quotes included: " \ and control characters escaped. */
void iqn_gen_buf_json(struct iqn_gen_buf *b, const char *s, size_t len);
/* The same without the quotes (for text assembled piece by piece inside one literal). */
void iqn_gen_buf_json_inner(struct iqn_gen_buf *b, const char *s, size_t len);
/* iqn_gen_buf_xml or iqn_gen_buf_json_inner, by format. */
void iqn_gen_buf_escape(struct iqn_gen_buf *b, enum iqn_gen_format fmt, const char *s, size_t len);

#endif
