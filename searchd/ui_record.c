/* ui_record.c - the record page (/en/records/{id}, /fr/dossiers/{id}): every field under a label
 * in the page's language, the record's own text marked with its language, a link to the other
 * language version, and similar records. */
#include "ui_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "record.h"
#include "ui_layout.h"
#include "ui_parts.h"
#include "ui_query.h"

#define SIMILAR_COUNT 5

struct record_view {
    struct iqn_html *h;
    const struct iqn_vocab *vocab;
    const struct iqn_record *r;
    int lang;
    int pair_exists; /* the pair names a record that is in the index */
};

/* Text in paragraphs: a blank line starts a new one. */
static void paragraphs(const struct record_view *v, const char *text, const char *css)
{
    struct iqn_html *h = v->h;
    const char *p = text;
    while (*p) {
        while (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        const char *end = p;
        for (;;) {
            const char *nl = strchr(end, '\n');
            if (!nl) {
                end += strlen(end);
                break;
            }
            const char *after = nl + 1;
            while (*after == ' ' || *after == '\t' || *after == '\r')
                after++;
            if (*after == '\n' || !*after) {
                end = nl;
                break;
            }
            end = after;
        }
        IQN_HTML(h, "<p");
        IQN_HTML_ATTR(h, "class", css);
        iqn_ui_content_lang(h, v->r, v->lang);
        IQN_HTML(h, ">");
        iqn_html_textn(h, p, (size_t)(end - p));
        IQN_HTML(h, "</p>\n");
        p = end;
    }
}

/* A titled block of text (summary, results, lessons, body), when the record has it. */
static void text_section(const struct record_view *v, enum iqn_field f, const char *id)
{
    const char *text = iqn_record_get(v->r, f);
    if (!text || !*text)
        return;
    IQN_HTML(v->h, "<section class=\"record-section\"");
    IQN_HTML_ATTRF(v->h, "aria-labelledby", "%s-heading", id);
    IQN_HTML(v->h, ">\n<h2");
    IQN_HTML_ATTRF(v->h, "id", "%s-heading", id);
    IQN_HTML(v->h, ">");
    iqn_html_text(v->h, iqn_ui_field(v->lang, f));
    IQN_HTML(v->h, "</h2>\n");
    paragraphs(v, text, f == IQN_F_SUMMARY ? "record-summary" : NULL);
    IQN_HTML(v->h, "</section>\n");
}

static void field_start(const struct record_view *v, enum iqn_field f)
{
    IQN_HTML(v->h, "<div class=\"field\"><dt>");
    iqn_html_text(v->h, iqn_ui_field(v->lang, f));
    IQN_HTML(v->h, "</dt>");
}

/* A plain text field; in_record_lang marks it with the record's language. */
static void field_text(const struct record_view *v, enum iqn_field f, int in_record_lang)
{
    const char *value = iqn_record_get(v->r, f);
    if (!value || !*value)
        return;
    field_start(v, f);
    IQN_HTML(v->h, "<dd");
    if (in_record_lang)
        iqn_ui_content_lang(v->h, v->r, v->lang);
    IQN_HTML(v->h, ">");
    iqn_html_text(v->h, value);
    IQN_HTML(v->h, "</dd></div>\n");
}

/* A coded field: each value's label (a link to the search filtered on it, for facets). */
static void field_codes(const struct record_view *v, enum iqn_field f, int set)
{
    const struct iqn_strlist *l = &v->r->f[f];
    struct iqn_ui_query *t;
    if (l->n == 0)
        return;
    t = calloc(1, sizeof *t);
    if (!t)
        return;
    field_start(v, f);
    IQN_HTML(v->h, "<dd><ul class=\"inline-list\">");
    for (size_t i = 0; i < l->n; i++) {
        const char *label = iqn_ui_label(v->vocab, set, l->v[i], v->lang);
        IQN_HTML(v->h, "<li>");
        if (set < IQN_FACET_COUNT) {
            memset(t, 0, sizeof *t);
            t->lang = v->lang;
            t->page = 1;
            t->codes[set][0] = l->v[i];
            t->ncodes[set] = 1;
            struct iqn_buf u;
            iqn_buf_init(&u, 4096);
            iqn_ui_query_url(&u, iqn_ui_path(v->lang, IQN_ROUTE_SEARCH), t);
            IQN_HTML(v->h, "<a");
            IQN_HTML_ATTR(v->h, "href", u.data);
            IQN_HTML(v->h, ">");
            iqn_buf_free(&u);
        }
        iqn_html_text(v->h, label);
        if (set == IQN_FACET_PROFESSION && strcmp(label, l->v[i]) != 0)
            IQN_HTML_TEXTF(v->h, " (%s)", l->v[i]);
        if (set < IQN_FACET_COUNT)
            IQN_HTML(v->h, "</a>");
        IQN_HTML(v->h, "</li>");
    }
    IQN_HTML(v->h, "</ul></dd></div>\n");
    free(t);
}

static void details(const struct record_view *v)
{
    struct iqn_html *h = v->h;
    const char *date = iqn_record_get(v->r, IQN_F_DATE);
    const char *url = iqn_record_get(v->r, IQN_F_URL);
    const char *id = iqn_record_get(v->r, IQN_F_ID);
    IQN_HTML(h, "<section class=\"record-details\" aria-labelledby=\"details-heading\">\n<h2 id=\"details-heading\">");
    iqn_html_text(h, iqn_ui_t(v->lang, IQN_T_RECORD_DETAILS));
    IQN_HTML(h, "</h2>\n<dl class=\"fields\">\n");
    field_codes(v, IQN_F_TYPE, IQN_FACET_TYPE);
    field_codes(v, IQN_F_LANG, IQN_FACET_LANG);
    if (date && *date) {
        field_start(v, IQN_F_DATE);
        IQN_HTML(h, "<dd>");
        iqn_ui_time(h, v->lang, date);
        IQN_HTML(h, "</dd></div>\n");
    }
    field_codes(v, IQN_F_STATUS, IQN_VOCAB_STATUS);
    field_text(v, IQN_F_ORGANIZATION, 1);
    field_text(v, IQN_F_AUTHOR, 1);
    field_codes(v, IQN_F_PROVINCE, IQN_FACET_PROVINCE);
    field_codes(v, IQN_F_PROFESSION, IQN_FACET_PROFESSION);
    field_codes(v, IQN_F_TOPIC, IQN_FACET_TOPIC);
    field_text(v, IQN_F_CONTACT, 1);
    if (url && *url) {
        field_start(v, IQN_F_URL);
        int web = strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0;
        if (web) {
            IQN_HTML(h, "<dd class=\"url\"><a rel=\"noopener noreferrer\"");
            IQN_HTML_ATTR(h, "href", url);
            IQN_HTML(h, ">");
            iqn_html_text(h, url);
            IQN_HTML(h, "</a></dd></div>\n");
        } else {
            IQN_HTML_ELEM(h, "<dd class=\"url\">", url, "</dd></div>\n");
        }
    }
    field_text(v, IQN_F_SOURCE, 0);
    field_start(v, IQN_F_ID);
    IQN_HTML_ELEM(h, "<dd><code>", id, "</code></dd></div>\n");
    IQN_HTML(h, "</dl>\n</section>\n");
}

/* The link to the record in the other language, on the page of that language. */
static void pair_link(const struct record_view *v)
{
    const char *pair = iqn_record_get(v->r, IQN_F_PAIR);
    int rl = iqn_lang_parse(iqn_record_get(v->r, IQN_F_LANG));
    if (!pair || !v->pair_exists || rl < 0)
        return;
    int pl = rl == IQN_LANG_FR ? IQN_LANG_EN : IQN_LANG_FR;
    IQN_HTML(v->h, "<p class=\"pair-link\"><a id=\"pair-link\"");
    iqn_ui_record_href(v->h, pl, pair);
    IQN_HTML_ATTR(v->h, "hreflang", iqn_ui_code(pl));
    IQN_HTML(v->h, ">");
    iqn_html_text(v->h, iqn_ui_t(v->lang, pl == IQN_LANG_FR ? IQN_T_PAIR_FR : IQN_T_PAIR_EN));
    IQN_HTML(v->h, "</a></p>\n");
}

static void similar(const struct record_view *v, const struct iqn_result *sim)
{
    struct iqn_html *h = v->h;
    IQN_HTML(h, "<section class=\"similar\" aria-labelledby=\"similar-heading\">\n<h2 id=\"similar-heading\">");
    iqn_html_text(h, iqn_ui_t(v->lang, IQN_T_SIMILAR));
    IQN_HTML(h, "</h2>\n");
    if (!sim || sim->nhits == 0) {
        IQN_HTML_ELEM(h, "<p>", iqn_ui_t(v->lang, IQN_T_SIMILAR_NONE), "</p>\n");
    } else {
        IQN_HTML(h, "<ol class=\"result-list similar-list\">\n");
        for (size_t i = 0; i < sim->nhits; i++)
            iqn_ui_hit(h, v->vocab, v->lang, &sim->hits[i], 3);
        IQN_HTML(h, "</ol>\n");
    }
    IQN_HTML(h, "</section>\n");
}

static void breadcrumb(struct iqn_html *h, int lang)
{
    IQN_HTML(h, "<nav class=\"breadcrumb\"");
    IQN_HTML_ATTR(h, "aria-label", iqn_ui_t(lang, IQN_T_BREADCRUMB));
    IQN_HTML(h, "><ol><li><a href=\"/\">");
    iqn_html_text(h, iqn_ui_t(lang, IQN_T_HOME));
    IQN_HTML(h, "</a></li><li><a");
    IQN_HTML_ATTR(h, "href", iqn_ui_path(lang, IQN_ROUTE_SEARCH));
    IQN_HTML(h, ">");
    iqn_html_text(h, iqn_ui_t(lang, IQN_T_SEARCH_CRUMB));
    IQN_HTML(h, "</a></li></ol></nav>\n");
}

static enum MHD_Result render(struct iqn_request *req, const struct record_view *vin, const struct iqn_result *sim)
{
    struct record_view v = *vin;
    struct iqn_html h;
    struct iqn_buf other;
    int lang = v.lang, olang = lang == IQN_LANG_FR ? IQN_LANG_EN : IQN_LANG_FR;
    const char *id = iqn_record_get(v.r, IQN_F_ID);
    const char *title = iqn_record_get(v.r, IQN_F_TITLE);
    const char *pair = iqn_record_get(v.r, IQN_F_PAIR);
    const char *type = iqn_record_get(v.r, IQN_F_TYPE);
    int rl = iqn_lang_parse(iqn_record_get(v.r, IQN_F_LANG));
    enum MHD_Result rc;
    iqn_html_init(&h, IQN_UI_HTML_MAX);
    v.h = &h;
    /* The toggle shows the same record in the other language's page, or its translation when the
     * record is in this page's language and has one. */
    iqn_buf_init(&other, 4096);
    iqn_ui_record_url(&other, olang, pair && v.pair_exists && rl == lang ? pair : id);
    struct iqn_ui_page pg = {lang, title && *title ? title : id, NULL, other.data, NULL};
    iqn_ui_page_begin(&h, &pg);
    breadcrumb(&h, lang);
    IQN_HTML(&h, "<article class=\"record\" aria-labelledby=\"record-title\">\n");
    if (type)
        IQN_HTML_ELEM(&h, "<p class=\"record-type\">", iqn_ui_label(v.vocab, IQN_FACET_TYPE, type, lang), "</p>\n");
    IQN_HTML(&h, "<h1 id=\"record-title\"");
    iqn_ui_content_lang(&h, v.r, lang);
    IQN_HTML(&h, ">");
    iqn_html_text(&h, title && *title ? title : id);
    IQN_HTML(&h, "</h1>\n");
    pair_link(&v);
    text_section(&v, IQN_F_SUMMARY, "summary");
    details(&v);
    text_section(&v, IQN_F_RESULTS, "results");
    text_section(&v, IQN_F_LESSONS, "lessons");
    text_section(&v, IQN_F_BODY, "body");
    IQN_HTML(&h, "</article>\n");
    similar(&v, sim);
    iqn_ui_page_end(&h, &pg);
    rc = iqn_buf_failed(&other) ? MHD_NO : iqn_ui_reply(req, MHD_HTTP_OK, &h);
    iqn_buf_free(&other);
    iqn_html_free(&h);
    return rc;
}

/* Fetch the record and its similar records, render the page; 404 and 503 pages otherwise. */
enum MHD_Result iqn_ui_record(struct iqn_request *req, int lang, const char *id)
{
    struct iqn_error err;
    struct iqn_db *db = NULL;
    struct iqn_record *r = NULL, *pr = NULL;
    struct iqn_result *sim = NULL;
    struct iqn_query q;
    struct iqn_buf other;
    enum MHD_Result rc;
    int olang = lang == IQN_LANG_FR ? IQN_LANG_EN : IQN_LANG_FR;
    iqn_error_clear(&err);
    iqn_buf_init(&other, 4096);
    iqn_ui_record_url(&other, olang, iqn_record_valid_id(id) ? id : "");
    if (!iqn_record_valid_id(id)) {
        rc = iqn_ui_error_page(req, lang, MHD_HTTP_NOT_FOUND, IQN_T_NOT_FOUND, IQN_T_NOT_FOUND_TEXT, NULL,
                               iqn_ui_path(olang, IQN_ROUTE_SEARCH));
        goto out;
    }
    if (iqn_http_db(req, &db, &err) != IQN_OK) {
        rc = iqn_ui_error_page(req, lang, MHD_HTTP_SERVICE_UNAVAILABLE, IQN_T_UNAVAILABLE, IQN_T_UNAVAILABLE_TEXT,
                               NULL, other.data);
        goto out;
    }
    int got = iqn_db_get(db, id, &r, &err);
    if (got == IQN_ENOTFOUND) {
        rc = iqn_ui_error_page(req, lang, MHD_HTTP_NOT_FOUND, IQN_T_NOT_FOUND, IQN_T_NOT_FOUND_TEXT, id,
                               other.data);
        goto out;
    }
    if (got != IQN_OK) {
        fprintf(stderr, "iqn-searchd: %s %s: %s\n", req->method, req->path ? req->path : "", err.message);
        rc = iqn_ui_error_page(req, lang, MHD_HTTP_INTERNAL_SERVER_ERROR, IQN_T_ERROR, IQN_T_ERROR_TEXT, NULL,
                               other.data);
        goto out;
    }
    struct record_view v = {NULL, req->srv->vocab, r, lang, 0};
    const char *pair = iqn_record_get(r, IQN_F_PAIR);
    v.pair_exists = pair && iqn_record_valid_id(pair) && iqn_db_get(db, pair, &pr, &err) == IQN_OK;
    memset(&q, 0, sizeof q);
    q.lang = iqn_ui_code(lang);
    q.limit = SIMILAR_COUNT;
    q.no_body = 1;
    if (iqn_similar(db, id, &q, &sim, &err) != IQN_OK) {
        fprintf(stderr, "iqn-searchd: similar to %s: %s\n", id, err.message);
        sim = NULL; /* the page goes out without them */
    }
    rc = render(req, &v, sim);
out:
    iqn_result_free(sim);
    iqn_record_free(pr);
    iqn_record_free(r);
    iqn_buf_free(&other);
    return rc;
}
