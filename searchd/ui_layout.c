/* ui_layout.c - the shared frame of the web pages, the HTML reply and the error pages. */
#include "ui_layout.h"

#include <stdio.h>
#include <string.h>

#include "http.h"

/* Head, skip link, header; ends inside the opening <main>. */
void iqn_ui_page_begin(struct iqn_html *h, const struct iqn_ui_page *pg)
{
    int lang = pg->lang, other = lang == IQN_LANG_FR ? IQN_LANG_EN : IQN_LANG_FR;
    IQN_HTML(h, "<!DOCTYPE html>\n<html class=\"no-js\"");
    IQN_HTML_ATTR(h, "lang", iqn_ui_code(lang));
    IQN_HTML(h, ">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    if (pg->title) {
        iqn_html_text(h, pg->title);
        IQN_HTML(h, " - ");
    }
    iqn_html_text(h, iqn_ui_t(lang, IQN_T_SITE_NAME));
    IQN_HTML(h, "</title>\n<link rel=\"stylesheet\" href=\"/style.css\">\n"
                "<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\n"
                "<link rel=\"search\" type=\"application/opensearchdescription+xml\"");
    IQN_HTML_ATTR(h, "href", lang == IQN_LANG_FR ? "/opensearch.xml?ui_lang=fr" : "/opensearch.xml");
    IQN_HTML_ATTR(h, "title", iqn_ui_t(lang, IQN_T_SITE_NAME));
    IQN_HTML(h, ">\n");
    if (pg->feed_url) {
        IQN_HTML(h, "<link rel=\"alternate\" type=\"application/atom+xml\" id=\"feed-link\"");
        IQN_HTML_ATTR(h, "href", pg->feed_url);
        IQN_HTML_ATTR(h, "title", iqn_ui_t(lang, IQN_T_FEED_LINK));
        IQN_HTML(h, ">\n");
    }
    IQN_HTML(h, "<link rel=\"alternate\" id=\"other-lang-link\"");
    IQN_HTML_ATTR(h, "hreflang", iqn_ui_code(other));
    IQN_HTML_ATTR(h, "href", pg->other_url);
    IQN_HTML(h, ">\n<script src=\"/app.js\" defer></script>\n</head>\n<body>\n<a class=\"skip-link\" href=\"#main\">");
    iqn_html_text(h, iqn_ui_t(lang, IQN_T_SKIP_MAIN));
    IQN_HTML(h, "</a>\n<header class=\"site-header\">\n<div class=\"wrap header-row\">\n"
                "<p class=\"site-title\"><a class=\"brand\"");
    IQN_HTML_ATTR(h, "href", iqn_ui_path(lang, IQN_ROUTE_SEARCH));
    IQN_HTML(h, "><span class=\"brand-name\">");
    iqn_html_text(h, iqn_ui_t(lang, IQN_T_SITE_NAME));
    IQN_HTML(h, "</span> <span class=\"brand-network\">");
    iqn_html_text(h, iqn_ui_t(lang, IQN_T_NETWORK));
    IQN_HTML(h, "</span></a></p>\n<nav class=\"lang-nav\"");
    IQN_HTML_ATTR(h, "aria-label", iqn_ui_t(lang, IQN_T_LANG_NAV));
    IQN_HTML(h, "><a id=\"lang-toggle\" class=\"lang-toggle\"");
    IQN_HTML_ATTR(h, "href", pg->other_url);
    IQN_HTML_ATTR(h, "lang", iqn_ui_code(other));
    IQN_HTML_ATTR(h, "hreflang", iqn_ui_code(other));
    IQN_HTML(h, ">");
    iqn_html_text(h, iqn_ui_t(lang, IQN_T_OTHER_LANG_NAME));
    IQN_HTML(h, "</a></nav>\n</div>\n</header>\n<main id=\"main\" class=\"wrap\" tabindex=\"-1\">\n");
}

/* Footer and the end of the document. */
void iqn_ui_page_end(struct iqn_html *h, const struct iqn_ui_page *pg)
{
    int lang = pg->lang;
    IQN_HTML(h, "</main>\n<footer class=\"site-footer\">\n<div class=\"wrap\">\n<p class=\"footer-name\">");
    iqn_html_text(h, iqn_ui_t(lang, IQN_T_NETWORK));
    IQN_HTML(h, "</p>\n<p>");
    iqn_html_text(h, iqn_ui_t(lang, IQN_T_FOOTER));
    IQN_HTML(h, "</p>\n<p><a href=\"/\">");
    iqn_html_text(h, iqn_ui_t(lang, IQN_T_HOME));
    IQN_HTML(h, "</a></p>\n</div>\n</footer>\n</body>\n</html>\n");
}

/* A text/html response; pages are cheap to redo and may change with the index, so no caching. */
enum MHD_Result iqn_ui_reply(struct iqn_request *req, unsigned status, struct iqn_html *h)
{
    return iqn_http_reply(req, status, IQN_UI_HTML_TYPE, &h->b);
}

/* A complete error page. */
enum MHD_Result iqn_ui_error_page(struct iqn_request *req, int lang, unsigned status, enum iqn_ui_msg heading,
                                  enum iqn_ui_msg text, const char *detail, const char *other_url)
{
    struct iqn_html h;
    struct iqn_ui_page pg = {lang, iqn_ui_t(lang, heading), NULL, other_url, NULL};
    enum MHD_Result rc;
    iqn_html_init(&h, 64 * 1024);
    iqn_ui_page_begin(&h, &pg);
    IQN_HTML_ELEM(&h, "<h1>", iqn_ui_t(lang, heading), "</h1>\n");
    IQN_HTML_ELEM(&h, "<p>", iqn_ui_t(lang, text), "</p>\n");
    if (detail)
        IQN_HTML_ELEM(&h, "<p class=\"error-detail\"><code lang=\"en\">", detail, "</code></p>\n");
    IQN_HTML(&h, "<p><a");
    IQN_HTML_ATTR(&h, "href", iqn_ui_path(lang, IQN_ROUTE_SEARCH));
    IQN_HTML(&h, ">");
    iqn_html_text(&h, iqn_ui_t(lang, IQN_T_NEW_SEARCH));
    IQN_HTML(&h, "</a></p>\n");
    iqn_ui_page_end(&h, &pg);
    rc = iqn_ui_reply(req, status, &h);
    iqn_html_free(&h);
    return rc;
}

/* Host header characters: a DNS name or IPv4 address, a bracketed IPv6 address, a port. */
static int plain_host(const char *host)
{
    size_t n = host ? strlen(host) : 0;
    if (n == 0 || n > 255)
        return 0;
    return strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == n;
}

/* Scheme and authority for absolute URLs. */
void iqn_ui_base_url(struct iqn_request *req, char *out, size_t outlen)
{
    const char *host = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    const char *proto = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-Forwarded-Proto");
    const char *scheme = proto && strcmp(proto, "https") == 0 ? "https" : "http";
    if (plain_host(host))
        snprintf(out, outlen, "%s://%s", scheme, host);
    else
        snprintf(out, outlen, "%s://127.0.0.1:%u", scheme, req->srv->port);
}
