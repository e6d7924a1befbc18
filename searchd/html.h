/* html.h - an HTML and XML builder that escapes by construction: markup comes only from string
 * literals in the code, and every other string goes through an escaping function. */
#ifndef IQN_HTML_H
#define IQN_HTML_H

#include <stddef.h>

#include "buf.h"

/* A document being built. Appends never fail one by one: the buffer is checked once at the end
 * (iqn_buf_failed(&h->b)), like every iqn_buf. */
struct iqn_html {
    struct iqn_buf b;
};

/* Start an empty document of at most cap bytes. */
void iqn_html_init(struct iqn_html *h, size_t cap);
/* Free the document's memory (what was not stolen). */
void iqn_html_free(struct iqn_html *h);

/* Markup. The macros paste "" next to their literal arguments, so that anything but a string
 * literal (a variable, a record field) is a compile-time error: markup cannot come from data. */
#define IQN_HTML(h, lit) iqn_html_lit_((h), "" lit, sizeof("" lit) - 1)
/* ` name="value"` with value escaped; a NULL value appends nothing (the attribute is left out). */
#define IQN_HTML_ATTR(h, name, value) iqn_html_attr_((h), " " name "=\"", (value))
/* ` name="value"` with a printf-formatted value, escaped after formatting. */
#define IQN_HTML_ATTRF(h, name, ...) iqn_html_attrf_((h), " " name "=\"", __VA_ARGS__)
/* Escaped text after printf formatting; the format is a literal. */
#define IQN_HTML_TEXTF(h, fmt, ...) iqn_html_textf_((h), "" fmt, __VA_ARGS__)
/* open-literal, escaped text, close-literal: IQN_HTML_ELEM(h, "<h2>", title, "</h2>"). */
#define IQN_HTML_ELEM(h, open, text, close)                                                                         \
    (IQN_HTML(h, open), iqn_html_text((h), (text)), IQN_HTML(h, close))

int iqn_html_lit_(struct iqn_html *h, const char *lit, size_t len);
int iqn_html_attr_(struct iqn_html *h, const char *lead, const char *value);
int iqn_html_attrf_(struct iqn_html *h, const char *lead, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int iqn_html_textf_(struct iqn_html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Text content, escaped: & < > " ' become references; control characters other than tab, line
 * feed and carriage return, and bytes that are not UTF-8, become U+FFFD (they are not allowed in
 * XML, even as references). NULL appends nothing. */
int iqn_html_text(struct iqn_html *h, const char *s);
int iqn_html_textn(struct iqn_html *h, const char *s, size_t len);

/* A snippet from the shim (already escaped, with <mark> around matches): the only pre-escaped
 * HTML a page takes. It is checked, not trusted: <mark> and </mark> pass (balanced), and so do
 * well-formed character references; any other '<', '>' or '&' is escaped again. */
int iqn_html_snippet(struct iqn_html *h, const char *s);

/* Append s percent-encoded as a URL query component (form encoding: space is '+'). */
int iqn_url_encode(struct iqn_buf *u, const char *s, size_t len);
/* Append "?name=value" (u empty of '?') or "&name=value" to the URL in u, encoded. */
int iqn_url_param(struct iqn_buf *u, const char *name, const char *value);
/* Append s percent-encoded as one path segment (unreserved characters kept). */
int iqn_url_segment(struct iqn_buf *u, const char *s);

#endif
