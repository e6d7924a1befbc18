/* html.c - the escaping HTML/XML builder: literals, escaped text and attributes, checked
 * snippets, and URL encoding. */
#include "html.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */
#define FORMAT_MAX 4096             /* one formatted text or attribute value */

/* Start an empty document. */
void iqn_html_init(struct iqn_html *h, size_t cap)
{
    iqn_buf_init(&h->b, cap);
}

/* Free what the document holds. */
void iqn_html_free(struct iqn_html *h)
{
    iqn_buf_free(&h->b);
}

/* Literal markup (reached through IQN_HTML only). */
int iqn_html_lit_(struct iqn_html *h, const char *lit, size_t len)
{
    return iqn_buf_add(&h->b, lit, len);
}

/* Escape len bytes of s into b. */
static int escape(struct iqn_buf *b, const char *s, size_t len)
{
    size_t i = 0, run = 0; /* run: bytes before i still to copy as they are */
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        const char *rep = NULL;
        size_t n = 1;
        if (c < 0x80) {
            switch (c) {
            case '&': rep = "&amp;"; break;
            case '<': rep = "&lt;"; break;
            case '>': rep = "&gt;"; break;
            case '"': rep = "&quot;"; break;
            case '\'': rep = "&#39;"; break;
            default:
                if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
                    rep = REPLACEMENT;
            }
        } else {
            n = iqn_utf8_seq_len(s + i, len - i);
            if (n == 0) {
                n = 1;
                rep = REPLACEMENT;
            } else if (n == 2 && c == 0xc2 && (unsigned char)s[i + 1] < 0xa0) {
                rep = REPLACEMENT; /* C1 controls U+0080..U+009F */
            }
        }
        if (!rep) {
            run += n;
            i += n;
            continue;
        }
        iqn_buf_add(b, s + i - run, run);
        iqn_buf_adds(b, rep);
        run = 0;
        i += n;
    }
    return iqn_buf_add(b, s + len - run, run);
}

/* Escaped text. */
int iqn_html_textn(struct iqn_html *h, const char *s, size_t len)
{
    if (!s)
        return iqn_buf_failed(&h->b) ? -1 : 0;
    return escape(&h->b, s, len);
}

/* Escaped text of a NUL-terminated string. */
int iqn_html_text(struct iqn_html *h, const char *s)
{
    return iqn_html_textn(h, s, s ? strlen(s) : 0);
}

/* Format into tmp (cut at FORMAT_MAX); -1 on an encoding error. */
static int vformat(char tmp[FORMAT_MAX], const char *fmt, va_list ap)
{
    return vsnprintf(tmp, FORMAT_MAX, fmt, ap) < 0 ? -1 : 0;
}

/* Escaped text after formatting (reached through IQN_HTML_TEXTF). */
int iqn_html_textf_(struct iqn_html *h, const char *fmt, ...)
{
    char tmp[FORMAT_MAX];
    va_list ap;
    va_start(ap, fmt);
    int rc = vformat(tmp, fmt, ap);
    va_end(ap);
    return rc == 0 ? escape(&h->b, tmp, strlen(tmp)) : -1;
}

/* ` name="` (lead, a literal), the escaped value and the closing quote. */
int iqn_html_attr_(struct iqn_html *h, const char *lead, const char *value)
{
    if (!value)
        return iqn_buf_failed(&h->b) ? -1 : 0;
    iqn_buf_adds(&h->b, lead);
    escape(&h->b, value, strlen(value));
    return iqn_buf_addc(&h->b, '"');
}

/* An attribute with a formatted value (reached through IQN_HTML_ATTRF). */
int iqn_html_attrf_(struct iqn_html *h, const char *lead, const char *fmt, ...)
{
    char tmp[FORMAT_MAX];
    va_list ap;
    va_start(ap, fmt);
    int rc = vformat(tmp, fmt, ap);
    va_end(ap);
    return rc == 0 ? iqn_html_attr_(h, lead, tmp) : -1;
}

/* Length of a well-formed character reference at s ("&amp;", "&#39;", "&#x27;"), or 0. */
static size_t char_ref_len(const char *s)
{
    size_t i = 1, digits = 0;
    if (s[i] == '#') {
        i++;
        int hex = s[i] == 'x' || s[i] == 'X';
        if (hex)
            i++;
        for (; digits < 8; digits++, i++) {
            char c = s[i];
            int ok = (c >= '0' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
            if (!ok)
                break;
        }
    } else {
        for (; digits < 32; digits++, i++) {
            char c = s[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
                break;
        }
    }
    return digits > 0 && s[i] == ';' ? i + 1 : 0;
}

/* The shim's snippet, checked: only <mark>, </mark> and character references pass as they are. */
int iqn_html_snippet(struct iqn_html *h, const char *s)
{
    static const char open[] = "<mark>", close[] = "</mark>";
    int marked = 0;
    if (!s)
        return iqn_buf_failed(&h->b) ? -1 : 0;
    while (*s) {
        size_t n = strcspn(s, "<>&\"'");
        escape(&h->b, s, n); /* no special characters here: only controls and bad bytes change */
        s += n;
        if (!*s)
            break;
        if (!marked && strncmp(s, open, sizeof open - 1) == 0) {
            iqn_buf_add(&h->b, open, sizeof open - 1);
            s += sizeof open - 1;
            marked = 1;
        } else if (marked && strncmp(s, close, sizeof close - 1) == 0) {
            iqn_buf_add(&h->b, close, sizeof close - 1);
            s += sizeof close - 1;
            marked = 0;
        } else if (*s == '&' && (n = char_ref_len(s)) > 0) {
            iqn_buf_add(&h->b, s, n);
            s += n;
        } else {
            escape(&h->b, s, 1);
            s++;
        }
    }
    if (marked)
        iqn_buf_add(&h->b, close, sizeof close - 1);
    return iqn_buf_failed(&h->b) ? -1 : 0;
}

/* Form encoding of a query component: unreserved characters stay, space is '+'. */
int iqn_url_encode(struct iqn_buf *u, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~') {
            iqn_buf_addc(u, (char)c);
        } else if (c == ' ') {
            iqn_buf_addc(u, '+');
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            iqn_buf_add(u, esc, sizeof esc);
        }
    }
    return iqn_buf_failed(u) ? -1 : 0;
}

/* "?name=value" or "&name=value". */
int iqn_url_param(struct iqn_buf *u, const char *name, const char *value)
{
    int has_query = u->len > 0 && memchr(u->data, '?', u->len) != NULL;
    iqn_buf_addc(u, has_query ? '&' : '?');
    iqn_url_encode(u, name, strlen(name));
    iqn_buf_addc(u, '=');
    return iqn_url_encode(u, value, strlen(value));
}

/* One path segment: like a query component, but a space is %20. */
int iqn_url_segment(struct iqn_buf *u, const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == ' ')
            iqn_buf_adds(u, "%20");
        else
            iqn_url_encode(u, p, 1);
    }
    return iqn_buf_failed(u) ? -1 : 0;
}
