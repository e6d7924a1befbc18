/* api_search.c - GET /api/v1/search: check every parameter, run the search with disjunctive
 * facets, snippets and spelling, and answer JSON (or hand jsonl/csv to the exporter). */
#include "api_search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "export.h"
#include "http.h"
#include "params.h"
#include "record.h"
#include "vocab.h"

#define Q_MAX 1024
#define PER_PAGE_MAX 100
#define PER_PAGE_DEFAULT 10
#define OFFSET_MAX 10000

static const char *const allowed[] = {"q",    "province", "profession", "topic",    "type",    "lang",   "from",
                                      "to",   "sort",     "page",       "per_page", "ui_lang", "format", "cursor", NULL};
static const char *const sort_names[] = {"relevance", "date", "-date", NULL};
static const enum iqn_sort sort_values[] = {IQN_SORT_RELEVANCE, IQN_SORT_DATE_ASC, IQN_SORT_DATE_DESC};
static const char *const format_names[] = {"json", "jsonl", "csv", NULL};

/* A checked search request. */
struct search_args {
    const char *q;
    const char *codes[IQN_FACET_COUNT][IQN_PARAMS_MAX]; /* canonical codes (vocabulary strings) */
    size_t ncodes[IQN_FACET_COUNT];
    char from[9], to[9];
    int has_from, has_to;
    int sort;             /* index in sort_names */
    unsigned long page, per_page;
    int ui_lang;          /* enum iqn_lang */
    int format;           /* index in format_names */
    const char *cursor;   /* deep paging (cursor.h): replaces page */
};

/* Facet selections: known codes only, in their canonical form, without duplicates. */
static int parse_facets(const struct iqn_params *p, const struct iqn_vocab *vocab, struct search_args *a,
                        struct iqn_param_error *pe)
{
    const char *raw[IQN_PARAMS_MAX];
    char q[80];
    for (int f = 0; f < IQN_FACET_COUNT; f++) {
        const char *name = iqn_facets[f].name;
        size_t n = 0;
        if (iqn_params_list(p, name, raw, IQN_PARAMS_MAX, &n, pe) != 0)
            return -1;
        for (size_t i = 0; i < n; i++) {
            const struct iqn_vocab_entry *e = iqn_vocab_find(vocab, f, raw[i]);
            if (!e) {
                iqn_param_quote(raw[i], strlen(raw[i]), q, sizeof q);
                return iqn_param_fail(pe, name, "%s: unknown code '%s'", name, q);
            }
            int dup = 0;
            for (size_t j = 0; j < a->ncodes[f] && !dup; j++)
                dup = a->codes[f][j] == e->code;
            if (!dup)
                a->codes[f][a->ncodes[f]++] = e->code;
        }
    }
    return 0;
}

/* from/to: YYYY, YYYY-MM or YYYY-MM-DD; from is the start of its period, to the end of its. */
static int parse_date(const struct iqn_params *p, const char *name, int upper, char key[9], int *has,
                      struct iqn_param_error *pe)
{
    const char *v;
    char q[80];
    *has = 0;
    if (iqn_params_single(p, name, &v, pe) != 0)
        return -1;
    if (!v)
        return 0;
    size_t len = strlen(v);
    if ((len != 4 && len != 7 && len != 10) || iqn_date_key(v, upper, key) != 0) {
        iqn_param_quote(v, len, q, sizeof q);
        return iqn_param_fail(pe, name, "%s: must be a date YYYY, YYYY-MM or YYYY-MM-DD, got '%s'", name, q);
    }
    *has = 1;
    return 0;
}

static int parse_args(const struct iqn_params *p, const struct iqn_vocab *vocab, struct search_args *a,
                      struct iqn_param_error *pe)
{
    memset(a, 0, sizeof *a);
    if (iqn_params_single(p, "q", &a->q, pe) != 0)
        return -1;
    if (a->q && strlen(a->q) > Q_MAX)
        return iqn_param_fail(pe, "q", "q: longer than %d bytes (%zu)", Q_MAX, strlen(a->q));
    if (parse_facets(p, vocab, a, pe) != 0)
        return -1;
    if (parse_date(p, "from", 0, a->from, &a->has_from, pe) != 0 ||
        parse_date(p, "to", 1, a->to, &a->has_to, pe) != 0)
        return -1;
    if (a->has_from && a->has_to && strcmp(a->from, a->to) > 0) {
        const char *f = NULL, *t = NULL;
        iqn_params_single(p, "from", &f, pe);
        iqn_params_single(p, "to", &t, pe);
        return iqn_param_fail(pe, "from", "from: '%s' is after to '%s'", f, t);
    }
    if (iqn_params_choice(p, "sort", sort_names, 0, &a->sort, pe) != 0 ||
        iqn_params_uint(p, "per_page", 1, PER_PAGE_MAX, PER_PAGE_DEFAULT, &a->per_page, pe) != 0 ||
        iqn_params_uint(p, "page", 1, 1000000000ul, 1, &a->page, pe) != 0 ||
        iqn_params_ui_lang(p, &a->ui_lang, pe) != 0 ||
        iqn_params_choice(p, "format", format_names, 0, &a->format, pe) != 0)
        return -1;
    if (iqn_params_single(p, "cursor", &a->cursor, pe) != 0)
        return -1;
    if (a->cursor) {
        const char *page = NULL;
        iqn_params_single(p, "page", &page, pe);
        if (page)
            return iqn_param_fail(pe, "cursor", "cursor: give either page or cursor, not both");
        return 0;
    }
    if ((unsigned long long)(a->page - 1) * a->per_page > OFFSET_MAX)
        return iqn_param_fail(pe, "page",
                              "page: page %lu with per_page %lu starts past result %d, the deepest page a search "
                              "can go; follow next_cursor to go deeper, or export with format=jsonl or csv",
                              a->page, a->per_page, OFFSET_MAX);
    return 0;
}

/* ---- output ---- */

static void json_scalar(struct iqn_buf *b, const char *key, const struct iqn_record *r, enum iqn_field f)
{
    iqn_buf_addf(b, ",\"%s\":", key);
    iqn_buf_json_strz(b, iqn_record_get(r, f));
}

static void json_list(struct iqn_buf *b, const char *key, const struct iqn_record *r, enum iqn_field f)
{
    const struct iqn_strlist *l = &r->f[f];
    iqn_buf_addf(b, ",\"%s\":[", key);
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            iqn_buf_addc(b, ',');
        iqn_buf_json_strz(b, l->v[i]);
    }
    iqn_buf_addc(b, ']');
}

/* One hit as a JSON object (see api_search.h); the caller checks the buffer once at the end. */
int iqn_api_hit_json(struct iqn_buf *b, const struct iqn_hit *h, int with_snippet)
{
    const struct iqn_record *r = h->record;
    iqn_buf_adds(b, "{\"id\":");
    iqn_buf_json_strz(b, iqn_record_get(r, IQN_F_ID));
    json_scalar(b, "type", r, IQN_F_TYPE);
    json_scalar(b, "lang", r, IQN_F_LANG);
    json_scalar(b, "title", r, IQN_F_TITLE);
    if (with_snippet) {
        iqn_buf_adds(b, ",\"snippet\":");
        iqn_buf_json_strz(b, h->snippet);
    }
    json_scalar(b, "date", r, IQN_F_DATE);
    json_list(b, "province", r, IQN_F_PROVINCE);
    json_list(b, "profession", r, IQN_F_PROFESSION);
    json_list(b, "topic", r, IQN_F_TOPIC);
    json_scalar(b, "organization", r, IQN_F_ORGANIZATION);
    json_scalar(b, "url", r, IQN_F_URL);
    iqn_buf_addf(b, ",\"score\":%.6g", isfinite(h->score) ? h->score : 0.0);
    json_scalar(b, "pair", r, IQN_F_PAIR);
    json_scalar(b, "summary", r, IQN_F_SUMMARY);
    return iqn_buf_addc(b, '}');
}

struct facet_row {
    const char *code;
    const struct iqn_vocab_entry *e; /* NULL for a code not in the vocabulary */
    unsigned long long count;
    size_t order; /* vocabulary file order; codes not in the vocabulary last */
    int selected;
};

static int cmp_rows(const void *pa, const void *pb)
{
    const struct facet_row *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if (a->order != b->order)
        return a->order < b->order ? -1 : 1;
    return strcmp(a->code, b->code);
}

static void add_row(struct iqn_buf *b, const struct iqn_vocab *vocab, int f, int lang, const struct facet_row *row)
{
    char num[32];
    size_t len = 0, n = sizeof num;
    if (row->e) {
        const char *json = iqn_vocab_json(vocab, f, row->e, lang, &len);
        iqn_buf_add(b, json, len);
    } else {
        iqn_buf_adds(b, "{\"value\":");
        iqn_buf_json_strz(b, row->code);
        iqn_buf_adds(b, ",\"label\":");
        iqn_buf_json_strz(b, row->code);
    }
    /* The count's digits, right to left (hundreds of rows an answer: no printf). */
    unsigned long long c = row->count;
    do {
        num[--n] = (char)('0' + c % 10);
        c /= 10;
    } while (c);
    iqn_buf_adds(b, ",\"count\":");
    iqn_buf_add(b, num + n, sizeof num - n);
    iqn_buf_adds(b, row->selected ? ",\"selected\":true}" : ",\"selected\":false}");
}

/* One facet: every value counted above zero, plus every selected value (count 0 if absent). */
static int facet_json(struct iqn_buf *b, const struct iqn_vocab *vocab, int f, const struct iqn_result *res,
                      const struct search_args *a)
{
    size_t cap = res->nfacet[f] + a->ncodes[f], n = 0;
    struct facet_row *rows = calloc(cap ? cap : 1, sizeof *rows);
    if (!rows)
        return -1;
    for (size_t i = 0; i < res->nfacet[f]; i++) {
        const struct iqn_facet_count *c = &res->facet[f][i];
        if (c->count == 0)
            continue;
        const struct iqn_vocab_entry *e = iqn_vocab_find(vocab, f, c->code);
        struct facet_row *row = &rows[n++];
        row->code = e ? e->code : c->code;
        row->e = e;
        row->count = c->count;
        row->order = e ? iqn_vocab_index(vocab, f, e) : (size_t)-1;
        for (size_t j = 0; j < a->ncodes[f] && !row->selected; j++)
            row->selected = strcmp(a->codes[f][j], row->code) == 0;
    }
    for (size_t j = 0; j < a->ncodes[f]; j++) {
        int found = 0;
        for (size_t i = 0; i < n && !found; i++)
            found = strcmp(rows[i].code, a->codes[f][j]) == 0;
        if (found)
            continue;
        const struct iqn_vocab_entry *e = iqn_vocab_find(vocab, f, a->codes[f][j]);
        struct facet_row *row = &rows[n++];
        row->code = a->codes[f][j];
        row->e = e;
        row->order = e ? iqn_vocab_index(vocab, f, e) : (size_t)-1;
        row->selected = 1;
    }
    qsort(rows, n, sizeof *rows, cmp_rows);
    iqn_buf_addf(b, "\"%s\":[", iqn_facets[f].name);
    for (size_t i = 0; i < n; i++) {
        if (i)
            iqn_buf_addc(b, ',');
        add_row(b, vocab, f, a->ui_lang, &rows[i]);
    }
    free(rows);
    return iqn_buf_addc(b, ']');
}

static void result_json(struct iqn_buf *b, const struct iqn_vocab *vocab, const struct search_args *a,
                        const struct iqn_query *q, const struct iqn_result *res, double took_ms)
{
    iqn_buf_addf(b, "{\"total\":%llu,\"page\":%lu,\"per_page\":%lu,\"took_ms\":%.2f,\"query\":", res->total, a->page,
                 a->per_page, took_ms);
    iqn_buf_json_strz(b, a->q ? a->q : "");
    iqn_buf_addf(b, ",\"ui_lang\":\"%s\",\"sort\":\"%s\",\"did_you_mean\":", iqn_ui_lang_name(a->ui_lang),
                 sort_names[a->sort]);
    iqn_buf_json_strz(b, res->did_you_mean);
    if (q->offset + res->nhits < res->total && q->offset + res->nhits <= IQN_CURSOR_OFFSET_MAX) {
        char next[IQN_CURSOR_LEN + 1];
        iqn_cursor_encode(q->offset + res->nhits, iqn_cursor_fingerprint(q), next);
        iqn_buf_addf(b, ",\"next_cursor\":\"%s\"", next);
    } else {
        iqn_buf_adds(b, ",\"next_cursor\":null");
    }
    iqn_buf_adds(b, ",\"hits\":[");
    for (size_t i = 0; i < res->nhits; i++) {
        if (i)
            iqn_buf_addc(b, ',');
        iqn_api_hit_json(b, &res->hits[i], 1);
    }
    iqn_buf_adds(b, "],\"facets\":{");
    for (int f = 0; f < IQN_FACET_COUNT; f++) {
        if (f)
            iqn_buf_addc(b, ',');
        if (facet_json(b, vocab, f, res, a) != 0)
            b->oom = 1;
    }
    iqn_buf_adds(b, "}}\n");
}

static void make_query(const struct search_args *a, struct iqn_query *q)
{
    memset(q, 0, sizeof *q);
    q->text = a->q;
    q->lang = iqn_ui_lang_name(a->ui_lang);
    for (int f = 0; f < IQN_FACET_COUNT; f++) {
        q->filter[f] = a->ncodes[f] ? a->codes[f] : NULL;
        q->nfilter[f] = a->ncodes[f];
    }
    q->date_from = a->has_from ? a->from : NULL;
    q->date_to = a->has_to ? a->to : NULL;
    q->sort = sort_values[a->sort];
    q->offset = (unsigned)((a->page - 1) * a->per_page);
    q->limit = (unsigned)a->per_page;
    q->facets = 1;
    q->snippets = 1;
    q->spelling = 1;
    q->no_body = 1; /* hits carry snippets, not bodies */
}

/* Check the parameters, search with facets, snippets and spelling, answer JSON; or stream an export. */
enum MHD_Result iqn_api_search(struct iqn_request *req)
{
    struct iqn_params *p = malloc(sizeof *p);
    struct search_args *a = malloc(sizeof *a);
    struct iqn_param_error pe;
    struct iqn_error err;
    struct iqn_query q;
    struct iqn_result *res = NULL;
    struct iqn_db *db = NULL;
    struct iqn_buf b;
    enum MHD_Result rc;
    iqn_buf_init(&b, IQN_JSON_MAX);
    iqn_error_clear(&err);
    if (!p || !a) {
        rc = MHD_NO;
        goto out;
    }
    if (iqn_params_collect(req->conn, allowed, p, &pe) != 0 || parse_args(p, req->srv->vocab, a, &pe) != 0) {
        rc = iqn_http_bad_param(req, &pe);
        goto out;
    }
    make_query(a, &q);
    if (a->cursor) {
        unsigned long long offset = 0;
        int c = iqn_cursor_decode(a->cursor, iqn_cursor_fingerprint(&q), &offset);
        if (c != 0) {
            rc = iqn_http_error(req, MHD_HTTP_BAD_REQUEST, "bad_parameter", "cursor", "%s",
                                c == -2   ? "cursor: it belongs to another search (q, filters, dates, sort and "
                                            "ui_lang must stay the same)"
                                : c == -3 ? "cursor: past the deepest result a search can reach"
                                          : "cursor: not a cursor given by this API");
            goto out;
        }
        q.offset = (unsigned)offset;
        a->page = offset / a->per_page + 1;
    }
    if (a->format != 0) {
        rc = iqn_export_start(req, &q, a->format == 1 ? IQN_EXPORT_JSONL : IQN_EXPORT_CSV);
        goto out;
    }
    if (iqn_http_db(req, &db, &err) != IQN_OK) {
        rc = iqn_http_unavailable(req, &err);
        goto out;
    }
    if (iqn_search(db, &q, &res, &err) != IQN_OK) {
        rc = iqn_http_fail(req, &err);
        goto out;
    }
    result_json(&b, req->srv->vocab, a, &q, res, iqn_http_ms_since(&req->start));
    rc = iqn_http_reply(req, MHD_HTTP_OK, IQN_JSON_TYPE, &b);
out:
    iqn_result_free(res);
    iqn_buf_free(&b);
    free(a);
    free(p);
    return rc;
}
