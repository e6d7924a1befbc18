/* ui_layout.h - the frame every web page shares (head, header with the language toggle, main,
 * footer), the HTML reply, and the error pages. */
#ifndef IQN_UI_LAYOUT_H
#define IQN_UI_LAYOUT_H

#include <microhttpd.h>

#include "html.h"
#include "ui_i18n.h"

struct iqn_request;

#define IQN_UI_HTML_TYPE "text/html; charset=utf-8"
#define IQN_UI_HTML_MAX (16u * 1024 * 1024) /* cap on one page: a long report's text and the rest */

struct iqn_ui_page {
    int lang;                 /* enum iqn_lang */
    const char *title;        /* the document title before " - site name"; NULL: the site name alone */
    const char *title_lang;   /* lang of title when it is not the page's (a record's title), or NULL */
    const char *other_url;    /* the same page in the other language (path and query) */
    const char *feed_url;     /* an Atom feed of this page (rel=alternate), or NULL */
};

/* From <!DOCTYPE html> to the opening <main>: head (style sheet, script, OpenSearch and feed
 * links), skip link, header with the site name and the language toggle. */
void iqn_ui_page_begin(struct iqn_html *h, const struct iqn_ui_page *pg);
/* From </main> to </html>: the footer. */
void iqn_ui_page_end(struct iqn_html *h, const struct iqn_ui_page *pg);

/* Queue h as a text/html response (h is emptied). */
enum MHD_Result iqn_ui_reply(struct iqn_request *req, unsigned status, struct iqn_html *h);

/* A whole error page: heading and text in lang, an optional detail (an English message from the
 * parameter checks, marked lang="en"), and a link to a new search. */
enum MHD_Result iqn_ui_error_page(struct iqn_request *req, int lang, unsigned status, enum iqn_ui_msg heading,
                                  enum iqn_ui_msg text, const char *detail, const char *other_url);

/* The scheme, host and port this request came to ("http://127.0.0.1:8080"), for the absolute
 * URLs of feeds and the OpenSearch description: the Host header when it is a plain host[:port],
 * else the address the daemon listens on; https when a proxy says so (X-Forwarded-Proto). */
void iqn_ui_base_url(struct iqn_request *req, char *out, size_t outlen);

#endif
