/* ui_feed.c - Atom 1.0 (RFC 4287) feed of the newest records of a search, newest first by date.
 * Every string goes through the escaping builder; URLs are absolute. */
#include "ui_feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "record.h"
#include "ui_layout.h"
#include "ui_parts.h"
#include "ui_query.h"

#define FEED_MAX (4u * 1024 * 1024)
#define EPOCH "1970-01-01T00:00:00Z" /* for records without a date: Atom wants a time on every entry */

/* An ISO date (YYYY, YYYY-MM, YYYY-MM-DD) as an RFC 3339 time at midnight UTC. */
static void rfc3339(const char *date, char out[32])
{
    int y = 0, m = 1, d = 1;
    if (!date || sscanf(date, "%4d-%2d-%2d", &y, &m, &d) < 1 || y <= 0) {
        snprintf(out, 32, "%s", EPOCH);
        return;
    }
    if (m < 1 || m > 12)
        m = 1;
    if (d < 1 || d > 31)
        d = 1;
    snprintf(out, 32, "%04d-%02d-%02dT00:00:00Z", y, m, d);
}

static void abs_href(struct iqn_html *h, const char *base, const char *path)
{
    struct iqn_buf u;
    iqn_buf_init(&u, 64 * 1024);
    iqn_buf_adds(&u, base);
    iqn_buf_adds(&u, path);
    IQN_HTML_ATTR(h, "href", u.data);
    iqn_buf_free(&u);
}

static void entry(struct iqn_html *h, const struct iqn_vocab *vocab, int lang, const char *base,
                  const struct iqn_record *r)
{
    char when[32];
    struct iqn_buf u;
    const char *id = iqn_record_get(r, IQN_F_ID);
    const char *title = iqn_record_get(r, IQN_F_TITLE);
    const char *summary = iqn_record_get(r, IQN_F_SUMMARY);
    const char *org = iqn_record_get(r, IQN_F_ORGANIZATION);
    const char *author = iqn_record_get(r, IQN_F_AUTHOR);
    const char *rlang = iqn_record_get(r, IQN_F_LANG);
    iqn_buf_init(&u, 4096);
    iqn_buf_adds(&u, base);
    iqn_ui_record_url(&u, lang, id);
    rfc3339(iqn_record_get(r, IQN_F_DATE), when);
    IQN_HTML(h, "<entry");
    if (rlang && iqn_lang_parse(rlang) >= 0)
        IQN_HTML_ATTR(h, "xml:lang", rlang);
    IQN_HTML(h, ">\n<title>");
    iqn_html_text(h, title && *title ? title : id);
    IQN_HTML(h, "</title>\n<link rel=\"alternate\" type=\"text/html\"");
    IQN_HTML_ATTR(h, "href", u.data);
    IQN_HTML_ELEM(h, "/>\n<id>", u.data, "</id>\n");
    IQN_HTML_ELEM(h, "<updated>", when, "</updated>\n");
    if (author || org)
        IQN_HTML_ELEM(h, "<author><name>", author ? author : org, "</name></author>\n");
    if (summary && *summary)
        IQN_HTML_ELEM(h, "<summary type=\"text\">", summary, "</summary>\n");
    static const int facets[] = {IQN_FACET_TYPE, IQN_FACET_PROVINCE, IQN_FACET_PROFESSION, IQN_FACET_TOPIC};
    for (size_t k = 0; k < sizeof facets / sizeof facets[0]; k++) {
        const struct iqn_strlist *l = &r->f[iqn_facets[facets[k]].field];
        for (size_t i = 0; i < l->n; i++) {
            IQN_HTML(h, "<category");
            IQN_HTML_ATTR(h, "term", l->v[i]);
            IQN_HTML_ATTR(h, "label", iqn_ui_label(vocab, facets[k], l->v[i], lang));
            IQN_HTML(h, "/>\n");
        }
    }
    IQN_HTML(h, "</entry>\n");
    iqn_buf_free(&u);
}

static void feed(struct iqn_html *h, const struct iqn_vocab *vocab, const struct iqn_ui_query *uq, const char *base,
                 const struct iqn_result *res)
{
    int lang = uq->lang;
    char updated[32];
    struct iqn_ui_query *t = malloc(sizeof *t);
    struct iqn_buf self, page;
    iqn_buf_init(&self, 64 * 1024);
    iqn_buf_init(&page, 64 * 1024);
    if (t) {
        *t = *uq;
        t->page = 1;
        t->sort_given = 0;
        iqn_ui_query_url(&self, iqn_ui_path(lang, IQN_ROUTE_FEED), t);
        t->sort = IQN_UI_SORT_NEWEST;
        t->sort_given = 1;
        iqn_ui_query_url(&page, iqn_ui_path(lang, IQN_ROUTE_SEARCH), t);
    }
    rfc3339(res->nhits ? iqn_record_get(res->hits[0].record, IQN_F_DATE) : NULL, updated);
    IQN_HTML(h, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"");
    IQN_HTML_ATTR(h, "xml:lang", iqn_ui_code(lang));
    IQN_HTML(h, ">\n<title>");
    if (uq->q) {
        iqn_html_text(h, iqn_ui_t(lang, IQN_T_FEED_TITLE));
        iqn_html_text(h, uq->q);
        iqn_html_text(h, iqn_ui_t(lang, IQN_T_FOR_CLOSE));
    } else {
        iqn_html_text(h, iqn_ui_t(lang, IQN_T_FEED_ALL));
    }
    IQN_HTML(h, "</title>\n<link rel=\"self\" type=\"application/atom+xml\"");
    abs_href(h, base, self.data ? self.data : "");
    IQN_HTML(h, "/>\n<link rel=\"alternate\" type=\"text/html\"");
    abs_href(h, base, page.data ? page.data : "");
    IQN_HTML(h, "/>\n<id>");
    iqn_html_text(h, base);
    iqn_html_text(h, self.data);
    IQN_HTML_ELEM(h, "</id>\n<updated>", updated, "</updated>\n<author><name>");
    iqn_html_text(h, iqn_ui_t(lang, IQN_T_NETWORK));
    IQN_HTML(h, "</name></author>\n<generator>iqn-searchd</generator>\n");
    for (size_t i = 0; i < res->nhits; i++)
        entry(h, vocab, lang, base, res->hits[i].record);
    IQN_HTML(h, "</feed>\n");
    iqn_buf_free(&self);
    iqn_buf_free(&page);
    free(t);
}

/* Check the parameters, search newest first, write the feed. */
enum MHD_Result iqn_ui_feed(struct iqn_request *req, int lang)
{
    struct iqn_ui_query *uq = NULL;
    struct iqn_param_error pe;
    struct iqn_error err;
    struct iqn_query q;
    struct iqn_result *res = NULL;
    struct iqn_db *db = NULL;
    struct iqn_html h;
    char base[320];
    enum MHD_Result rc;
    iqn_error_clear(&err);
    iqn_html_init(&h, FEED_MAX);
    if (iqn_ui_query_read(req->conn, req->srv->vocab, lang, &uq, &pe) != 0) {
        if (!uq) {
            rc = MHD_NO; /* out of memory: MHD closes the connection */
            goto out;
        }
        rc = iqn_http_bad_param(req, &pe);
        goto out;
    }
    if (iqn_http_db(req, &db, &err) != IQN_OK) {
        rc = iqn_http_unavailable(req, &err);
        goto out;
    }
    iqn_ui_query_search(uq, &q);
    q.sort = IQN_SORT_DATE_DESC;
    q.offset = 0;
    q.limit = IQN_UI_FEED_ENTRIES;
    q.facets = q.snippets = q.spelling = 0;
    if (iqn_search(db, &q, &res, &err) != IQN_OK) {
        rc = iqn_http_fail(req, &err);
        goto out;
    }
    iqn_ui_base_url(req, base, sizeof base);
    feed(&h, req->srv->vocab, uq, base, res);
    rc = iqn_http_reply(req, MHD_HTTP_OK, "application/atom+xml; charset=utf-8", &h.b);
out:
    iqn_html_free(&h);
    iqn_result_free(res);
    iqn_ui_query_free(uq);
    return rc;
}
