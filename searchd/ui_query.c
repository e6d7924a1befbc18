/* ui_query.c - read a search page's state from its URL, make the shim query, write URLs back. */
#include "ui_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "record.h"

const char *const iqn_ui_sort_names[IQN_UI_SORT_COUNT] = {"relevance", "date", "-date"};

static const char *const allowed[] = {"q",  "province", "profession", "topic", "type", "lang",    "from",
                                      "to", "sort",     "page",       "pf",    "partial", NULL};

/* Facet values: known codes only, written back in their canonical spelling, each once. */
static int read_codes(const struct iqn_params *p, const struct iqn_vocab *vocab, struct iqn_ui_query *uq,
                      struct iqn_param_error *pe)
{
    const char *raw[IQN_UI_CODES_MAX];
    char quoted[80];
    for (int f = 0; f < IQN_FACET_COUNT; f++) {
        const char *name = iqn_facets[f].name;
        size_t n = 0;
        if (iqn_params_list(p, name, raw, IQN_UI_CODES_MAX, &n, pe) != 0)
            return -1;
        for (size_t i = 0; i < n; i++) {
            const struct iqn_vocab_entry *e = iqn_vocab_find(vocab, f, raw[i]);
            if (!e) {
                iqn_param_quote(raw[i], strlen(raw[i]), quoted, sizeof quoted);
                return iqn_param_fail(pe, name, "%s: unknown code '%s'", name, quoted);
            }
            size_t j = 0;
            while (j < uq->ncodes[f] && uq->codes[f][j] != e->code)
                j++;
            if (j == uq->ncodes[f])
                uq->codes[f][uq->ncodes[f]++] = e->code;
        }
    }
    return 0;
}

/* A date bound: the start (upper 0) or the end (upper 1) of a year, month or day. */
static int read_date(const struct iqn_params *p, const char *name, int upper, const char **value, char key[9],
                     struct iqn_param_error *pe)
{
    char quoted[80];
    if (iqn_params_single(p, name, value, pe) != 0)
        return -1;
    if (!*value)
        return 0;
    size_t len = strlen(*value);
    if ((len != 4 && len != 7 && len != 10) || iqn_date_key(*value, upper, key) != 0) {
        iqn_param_quote(*value, len, quoted, sizeof quoted);
        return iqn_param_fail(pe, name, "%s: must be a year YYYY (or a date YYYY-MM or YYYY-MM-DD), got '%s'", name,
                              quoted);
    }
    return 0;
}

/* A query and the parameters its strings point into, in one allocation. */
struct holder {
    struct iqn_ui_query uq; /* first: the query's address is the holder's */
    struct iqn_params p;
};

/* Every parameter of a search page, checked. */
static int parse(struct MHD_Connection *conn, const struct iqn_vocab *vocab, struct iqn_params *p,
                 struct iqn_ui_query *uq, struct iqn_param_error *pe)
{
    static const char *const partial_values[] = {"0", "1", NULL};
    if (iqn_params_collect(conn, allowed, p, pe) != 0 || iqn_params_single(p, "q", &uq->q, pe) != 0)
        return -1;
    if (uq->q && strlen(uq->q) > IQN_UI_Q_MAX)
        return iqn_param_fail(pe, "q", "q: longer than %d bytes", IQN_UI_Q_MAX);
    if (read_codes(p, vocab, uq, pe) != 0 || read_date(p, "from", 0, &uq->from, uq->from_key, pe) != 0 ||
        read_date(p, "to", 1, &uq->to, uq->to_key, pe) != 0)
        return -1;
    if (uq->from && uq->to && strcmp(uq->from_key, uq->to_key) > 0)
        return iqn_param_fail(pe, "from", "from: '%s' is after to '%s'", uq->from, uq->to);
    const char *sort = NULL;
    if (iqn_params_single(p, "sort", &sort, pe) != 0 ||
        iqn_params_choice(p, "sort", iqn_ui_sort_names, IQN_UI_SORT_RELEVANCE, &uq->sort, pe) != 0 ||
        iqn_params_uint(p, "page", 1, IQN_UI_PAGE_MAX, 1, &uq->page, pe) != 0 ||
        iqn_params_single(p, "pf", &uq->pf, pe) != 0 ||
        iqn_params_choice(p, "partial", partial_values, 0, &uq->partial, pe) != 0)
        return -1;
    uq->sort_given = sort != NULL;
    if (uq->pf && strlen(uq->pf) > 200)
        return iqn_param_fail(pe, "pf", "pf: longer than 200 bytes");
    return 0;
}

/* Read a page's query into a new holder. */
int iqn_ui_query_read(struct MHD_Connection *conn, const struct iqn_vocab *vocab, int lang, struct iqn_ui_query **out,
                      struct iqn_param_error *pe)
{
    struct holder *hd = calloc(1, sizeof *hd);
    *out = NULL;
    if (!hd)
        return iqn_param_fail(pe, NULL, "out of memory");
    hd->uq.lang = lang;
    *out = &hd->uq;
    return parse(conn, vocab, &hd->p, &hd->uq, pe);
}

/* Free a holder. */
void iqn_ui_query_free(struct iqn_ui_query *uq)
{
    free(uq); /* the holder starts with the query */
}

/* The sort in effect. */
int iqn_ui_query_sort(const struct iqn_ui_query *uq)
{
    if (uq->sort_given)
        return uq->sort;
    return uq->q ? IQN_UI_SORT_RELEVANCE : IQN_UI_SORT_NEWEST;
}

/* Any filter selected? */
int iqn_ui_query_has_filters(const struct iqn_ui_query *uq)
{
    for (int f = 0; f < IQN_FACET_COUNT; f++)
        if (uq->ncodes[f])
            return 1;
    return uq->from || uq->to;
}

/* The shim query of this page. */
void iqn_ui_query_search(const struct iqn_ui_query *uq, struct iqn_query *q)
{
    static const enum iqn_sort sorts[IQN_UI_SORT_COUNT] = {IQN_SORT_RELEVANCE, IQN_SORT_DATE_ASC,
                                                           IQN_SORT_DATE_DESC};
    memset(q, 0, sizeof *q);
    q->text = uq->q;
    q->lang = uq->lang == IQN_LANG_FR ? "fr" : "en";
    for (int f = 0; f < IQN_FACET_COUNT; f++) {
        q->filter[f] = uq->ncodes[f] ? uq->codes[f] : NULL;
        q->nfilter[f] = uq->ncodes[f];
    }
    q->date_from = uq->from ? uq->from_key : NULL;
    q->date_to = uq->to ? uq->to_key : NULL;
    q->sort = sorts[iqn_ui_query_sort(uq)];
    q->offset = (unsigned)((uq->page - 1) * IQN_UI_PER_PAGE);
    q->limit = IQN_UI_PER_PAGE;
    q->facets = 1;
    q->snippets = 1;
    q->spelling = 1;
    q->no_body = 1;
}

/* Drop one selected value. */
void iqn_ui_query_remove(struct iqn_ui_query *uq, int f, size_t i)
{
    if (f < 0 || f >= IQN_FACET_COUNT || i >= uq->ncodes[f])
        return;
    memmove(&uq->codes[f][i], &uq->codes[f][i + 1], (uq->ncodes[f] - i - 1) * sizeof uq->codes[f][0]);
    uq->ncodes[f]--;
}

/* Drop every filter. */
void iqn_ui_query_clear_filters(struct iqn_ui_query *uq)
{
    for (int f = 0; f < IQN_FACET_COUNT; f++)
        uq->ncodes[f] = 0;
    uq->from = uq->to = NULL;
}

/* The facets in the order of the filter column, so URLs read in the same order. */
static const int url_order[IQN_FACET_COUNT] = {IQN_FACET_TYPE, IQN_FACET_PROVINCE, IQN_FACET_PROFESSION,
                                               IQN_FACET_TOPIC, IQN_FACET_LANG};

/* path?q=...&type=...&from=...&sort=...&page=... */
int iqn_ui_query_url(struct iqn_buf *u, const char *path, const struct iqn_ui_query *uq)
{
    char page[24];
    iqn_buf_adds(u, path);
    if (uq->q)
        iqn_url_param(u, "q", uq->q);
    for (int k = 0; k < IQN_FACET_COUNT; k++) {
        int f = url_order[k];
        for (size_t i = 0; i < uq->ncodes[f]; i++)
            iqn_url_param(u, iqn_facets[f].name, uq->codes[f][i]);
    }
    if (uq->from)
        iqn_url_param(u, "from", uq->from);
    if (uq->to)
        iqn_url_param(u, "to", uq->to);
    if (uq->sort_given)
        iqn_url_param(u, "sort", iqn_ui_sort_names[uq->sort]);
    if (uq->page > 1) {
        snprintf(page, sizeof page, "%lu", uq->page);
        iqn_url_param(u, "page", page);
    }
    return iqn_buf_failed(u) ? -1 : 0;
}
