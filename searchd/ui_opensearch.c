/* ui_opensearch.c - the OpenSearch 1.1 description document: the HTML results page and the Atom
 * feed as URL templates, with absolute URLs for the host the request came to. */
#include "ui_opensearch.h"

#include <stdio.h>

#include "http.h"
#include "ui_layout.h"

/* template="BASE/PATH?q={searchTerms}" */
static void url_template(struct iqn_html *h, const char *base, const char *path, const char *extra)
{
    char t[640];
    snprintf(t, sizeof t, "%s%s?q={searchTerms}%s", base, path, extra);
    IQN_HTML_ATTR(h, "template", t);
}

/* The description in ui_lang. */
enum MHD_Result iqn_ui_opensearch(struct iqn_request *req)
{
    struct iqn_param_error pe;
    struct iqn_html h;
    char base[320], self[400];
    int lang = IQN_LANG_EN;
    enum MHD_Result rc;
    if (iqn_params_only_ui_lang(req->conn, &lang, &pe) != 0)
        return iqn_http_bad_param(req, &pe);
    iqn_ui_base_url(req, base, sizeof base);
    iqn_html_init(&h, 64 * 1024);
    IQN_HTML(&h, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<OpenSearchDescription xmlns=\"http://a9.com/-/spec/opensearch/1.1/\">\n");
    IQN_HTML_ELEM(&h, "<ShortName>", iqn_ui_t(lang, IQN_T_SITE_NAME), "</ShortName>\n");
    IQN_HTML_ELEM(&h, "<Description>", iqn_ui_t(lang, IQN_T_OPENSEARCH_DESC), "</Description>\n");
    IQN_HTML_ELEM(&h, "<Language>", iqn_ui_code(lang), "</Language>\n");
    IQN_HTML(&h, "<InputEncoding>UTF-8</InputEncoding>\n<OutputEncoding>UTF-8</OutputEncoding>\n"
                 "<Url type=\"text/html\" method=\"get\"");
    url_template(&h, base, iqn_ui_path(lang, IQN_ROUTE_SEARCH), "&page={startPage?}");
    IQN_HTML(&h, "/>\n<Url type=\"application/atom+xml\" method=\"get\"");
    url_template(&h, base, iqn_ui_path(lang, IQN_ROUTE_FEED), "");
    IQN_HTML(&h, "/>\n<Url type=\"application/opensearchdescription+xml\" rel=\"self\"");
    snprintf(self, sizeof self, "%s/opensearch.xml%s", base, lang == IQN_LANG_FR ? "?ui_lang=fr" : "");
    IQN_HTML_ATTR(&h, "template", self);
    IQN_HTML(&h, "/>\n<Image width=\"16\" height=\"16\" type=\"image/svg+xml\">");
    IQN_HTML_TEXTF(&h, "%s/favicon.svg", base);
    IQN_HTML(&h, "</Image>\n<Query role=\"example\"");
    IQN_HTML_ATTR(&h, "searchTerms", iqn_ui_t(lang, IQN_T_EXAMPLE_QUERY));
    IQN_HTML(&h, "/>\n</OpenSearchDescription>\n");
    rc = iqn_http_reply(req, MHD_HTTP_OK, "application/opensearchdescription+xml; charset=utf-8", &h.b);
    iqn_html_free(&h);
    return rc;
}
