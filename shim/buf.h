/* buf.h - a growable byte buffer with a hard size cap (after curl's dynbuf). */
#ifndef IQN_BUF_H
#define IQN_BUF_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Contents are always NUL-terminated (when len > 0 or after any append).
 * Once an append would pass cap, the buffer is freed, `toobig` is set and
 * every later append fails: callers check once at the end. */
struct iqn_buf {
    char *data;
    size_t len;
    size_t alloc;
    size_t cap;
    int toobig;
    int oom;
};

void iqn_buf_init(struct iqn_buf *b, size_t cap);
void iqn_buf_free(struct iqn_buf *b);
void iqn_buf_reset(struct iqn_buf *b); /* len = 0, keeps memory */
int iqn_buf_add(struct iqn_buf *b, const void *data, size_t len); /* 0 or -1 */
int iqn_buf_adds(struct iqn_buf *b, const char *s);
int iqn_buf_addc(struct iqn_buf *b, char c);
int iqn_buf_addf(struct iqn_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int iqn_buf_failed(const struct iqn_buf *b); /* toobig or oom */
/* Hand the data to the caller (who frees it); the buffer is left empty. */
char *iqn_buf_steal(struct iqn_buf *b, size_t *len);

/* Append s as a JSON string literal, quotes included. Invalid UTF-8 bytes become U+FFFD. */
int iqn_buf_json_str(struct iqn_buf *b, const char *s, size_t len);
int iqn_buf_json_strz(struct iqn_buf *b, const char *s); /* NULL gives null */
/* Append s with & < > " ' escaped for HTML text and attribute values. */
int iqn_buf_html(struct iqn_buf *b, const char *s, size_t len);

#ifdef __cplusplus
}
#endif
#endif
