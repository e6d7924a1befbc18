/* ui_search.c - the search results page (/en/search, /fr/recherche) after the Canada.ca search
 * template: the query kept in its box, the result count, did-you-mean, filters as checkbox groups
 * with disjunctive counts, removable filter chips, sort, results with snippets and badges,
 * pagination, and tips when nothing matches. With partial=1 only the results region is sent, for
 * the script to swap in place: one renderer, on the server. */
#include "ui_search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "record.h"
#include "text.h"
#include "ui_layout.h"
#include "ui_parts.h"
#include "ui_query.h"

#define URL_MAX (64u * 1024)
#define YEAR_SPAN_MAX 200 /* years listed in the date selects, at most */

/* Everything a rendering step needs. */
struct view {
    struct iqn_html *h;
    const struct iqn_vocab *vocab;
    const struct iqn_ui_query *uq;
    const struct iqn_result *res;
    int lang;
    int year_min, year_max; /* years of the oldest and newest dated records; 0 when unknown */
};

/* The order of the filter groups; the date group comes after type. */
static const int facet_order[] = {IQN_FACET_TYPE, IQN_FACET_PROVINCE, IQN_FACET_PROFESSION, IQN_FACET_TOPIC};

/* href="..." to the search (or feed) page in lang for state s. */
static void state_href(struct iqn_html *h, const char *path, const struct iqn_ui_query *s)
{
    struct iqn_buf u;
    iqn_buf_init(&u, URL_MAX);
    iqn_ui_query_url(&u, path, s);
    IQN_HTML_ATTR(h, "href", u.data && !iqn_buf_failed(&u) ? u.data : path);
    iqn_buf_free(&u);
}

/* The state of this page, on page one. */
static void first_page(const struct iqn_ui_query *uq, struct iqn_ui_query *out)
{
    *out = *uq;
    out->page = 1;
}

/* "About 1,234 results for “q”" and its variants, as plain text. */
static void count_text(int lang, unsigned long long total, const char *q, struct iqn_buf *out)
{
    char n[32];
    iqn_ui_number(lang, total, n, sizeof n);
    if (total == 0) {
        iqn_buf_adds(out, iqn_ui_t(lang, IQN_T_NO_RESULTS));
    } else if (total == 1) {
        iqn_buf_adds(out, n);
        iqn_buf_adds(out, iqn_ui_t(lang, IQN_T_RESULT_ONE));
    } else {
        iqn_buf_adds(out, iqn_ui_t(lang, IQN_T_ABOUT));
        iqn_buf_adds(out, n);
        iqn_buf_adds(out, iqn_ui_t(lang, IQN_T_RESULT_MANY));
    }
    if (q) {
        iqn_buf_adds(out, iqn_ui_t(lang, IQN_T_FOR_OPEN));
        iqn_buf_adds(out, q);
        iqn_buf_adds(out, iqn_ui_t(lang, IQN_T_FOR_CLOSE));
    }
}

/* <input type="hidden"> for the state a form must carry along: the query (with_q), the filters,
 * the dates, and the sort (with_sort). */
static void hidden_state(struct iqn_html *h, const struct iqn_ui_query *uq, int with_q, int with_dates,
                         int with_sort)
{
    if (with_q && uq->q) {
        IQN_HTML(h, "<input type=\"hidden\" name=\"q\"");
        IQN_HTML_ATTR(h, "value", uq->q);
        IQN_HTML(h, ">\n");
    }
    for (int f = 0; f < IQN_FACET_COUNT; f++) {
        for (size_t i = 0; i < uq->ncodes[f]; i++) {
            IQN_HTML(h, "<input type=\"hidden\"");
            IQN_HTML_ATTR(h, "name", iqn_facets[f].name);
            IQN_HTML_ATTR(h, "value", uq->codes[f][i]);
            IQN_HTML(h, ">\n");
        }
    }
    if (with_dates && uq->from) {
        IQN_HTML(h, "<input type=\"hidden\" name=\"from\"");
        IQN_HTML_ATTR(h, "value", uq->from);
        IQN_HTML(h, ">\n");
    }
    if (with_dates && uq->to) {
        IQN_HTML(h, "<input type=\"hidden\" name=\"to\"");
        IQN_HTML_ATTR(h, "value", uq->to);
        IQN_HTML(h, ">\n");
    }
    if (with_sort && uq->sort_given) {
        IQN_HTML(h, "<input type=\"hidden\" name=\"sort\"");
        IQN_HTML_ATTR(h, "value", iqn_ui_sort_names[uq->sort]);
        IQN_HTML(h, ">\n");
    }
}

/* ---- filters ---- */

struct row {
    const char *code;
    const char *label;
    unsigned long long count;
    size_t order; /* vocabulary order, for ties */
    int selected;
};

static int cmp_rows(const void *pa, const void *pb)
{
    const struct row *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if (a->order != b->order)
        return a->order < b->order ? -1 : 1;
    return strcmp(a->code, b->code);
}

/* The values of facet f to list: every value counted above zero, and every selected one. */
static struct row *facet_rows(const struct view *v, int f, size_t *n)
{
    const struct iqn_result *res = v->res;
    size_t cap = res->nfacet[f] + v->uq->ncodes[f] + 1, k = 0;
    struct row *rows = calloc(cap, sizeof *rows);
    *n = 0;
    if (!rows)
        return NULL;
    for (size_t i = 0; i < res->nfacet[f]; i++) {
        if (res->facet[f][i].count == 0)
            continue;
        const struct iqn_vocab_entry *e = iqn_vocab_find(v->vocab, f, res->facet[f][i].code);
        rows[k].code = e ? e->code : res->facet[f][i].code;
        rows[k].label = e ? e->label[v->lang] : rows[k].code;
        rows[k].count = res->facet[f][i].count;
        rows[k].order = e ? iqn_vocab_index(v->vocab, f, e) : (size_t)-1;
        k++;
    }
    for (size_t j = 0; j < v->uq->ncodes[f]; j++) {
        const char *code = v->uq->codes[f][j];
        size_t i = 0;
        while (i < k && strcmp(rows[i].code, code) != 0)
            i++;
        if (i == k) {
            const struct iqn_vocab_entry *e = iqn_vocab_find(v->vocab, f, code);
            rows[k].code = code;
            rows[k].label = e ? e->label[v->lang] : code;
            rows[k].order = e ? iqn_vocab_index(v->vocab, f, e) : (size_t)-1;
            k++;
        }
        rows[i].selected = 1;
    }
    qsort(rows, k, sizeof *rows, cmp_rows);
    *n = k;
    return rows;
}

/* Does the folded label or the code contain the folded needle? */
static int row_matches(const struct row *r, const char *needle)
{
    struct iqn_buf folded;
    int found;
    iqn_buf_init(&folded, 4096);
    iqn_text_fold(r->label, strlen(r->label), 1, &folded);
    found = (folded.data && strstr(folded.data, needle)) || strstr(r->code, needle);
    iqn_buf_free(&folded);
    return found;
}

/* id="f-FACET-CODE": codes are letters, digits and '-', anything else becomes '_'. */
static void checkbox_id(char *out, size_t outlen, int f, const char *code)
{
    int n = snprintf(out, outlen, "f-%s-", iqn_facets[f].name);
    size_t o = n > 0 ? (size_t)n : 0;
    for (const char *c = code; *c && o + 1 < outlen; c++) {
        int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-';
        out[o++] = ok ? *c : '_';
    }
    out[o < outlen ? o : outlen - 1] = '\0';
}

static void facet_item(struct iqn_html *h, int lang, int f, const struct row *r, int hidden)
{
    char id[200], count[32];
    checkbox_id(id, sizeof id, f, r->code);
    iqn_ui_number(lang, r->count, count, sizeof count);
    if (hidden)
        IQN_HTML(h, "<li hidden><input type=\"checkbox\"");
    else
        IQN_HTML(h, "<li><input type=\"checkbox\"");
    IQN_HTML_ATTR(h, "id", id);
    IQN_HTML_ATTR(h, "name", iqn_facets[f].name);
    IQN_HTML_ATTR(h, "value", r->code);
    if (r->selected)
        IQN_HTML(h, " checked");
    IQN_HTML(h, "><label");
    IQN_HTML_ATTR(h, "for", id);
    IQN_HTML(h, ">");
    iqn_html_text(h, r->label);
    IQN_HTML(h, " <span class=\"count\">(");
    iqn_html_text(h, count);
    IQN_HTML(h, ")</span></label></li>\n");
}

/* One checkbox group; nothing when it has no value to offer. Returns 1 if it was written. */
static int facet_group(const struct view *v, int f)
{
    struct iqn_html *h = v->h;
    size_t n = 0;
    struct row *rows = facet_rows(v, f, &n);
    if (!rows || n == 0) {
        free(rows);
        return 0;
    }
    int prof = f == IQN_FACET_PROFESSION;
    IQN_HTML(h, "<fieldset class=\"facet\"");
    IQN_HTML_ATTRF(h, "id", "facet-%s", iqn_facets[f].name);
    IQN_HTML(h, "><legend>");
    iqn_html_text(h, iqn_ui_facet(v->lang, f));
    IQN_HTML(h, "</legend>\n");
    struct iqn_buf needle;
    iqn_buf_init(&needle, 1024);
    size_t shown = 0;
    if (prof) {
        IQN_HTML(h, "<div class=\"facet-search\"><label for=\"pf\">");
        iqn_html_text(h, iqn_ui_t(v->lang, IQN_T_PROFESSION_SEARCH));
        IQN_HTML(h, "</label>\n<input type=\"search\" id=\"pf\" name=\"pf\" autocomplete=\"off\" "
                    "aria-controls=\"profession-list\" aria-describedby=\"pf-none\"");
        IQN_HTML_ATTR(h, "value", v->uq->pf);
        IQN_HTML(h, "></div>\n<ul id=\"profession-list\" class=\"facet-list facet-scroll\">\n");
        if (v->uq->pf)
            iqn_text_fold(v->uq->pf, strlen(v->uq->pf), 1, &needle);
    } else {
        IQN_HTML(h, "<ul class=\"facet-list\">\n");
    }
    for (size_t i = 0; i < n; i++) {
        int hide = needle.len > 0 && !rows[i].selected && !row_matches(&rows[i], needle.data);
        facet_item(h, v->lang, f, &rows[i], hide);
        shown += !hide;
    }
    IQN_HTML(h, "</ul>\n");
    if (prof) {
        if (shown)
            IQN_HTML(h, "<p id=\"pf-none\" class=\"hint\" hidden>");
        else
            IQN_HTML(h, "<p id=\"pf-none\" class=\"hint\">");
        iqn_html_text(h, iqn_ui_t(v->lang, IQN_T_PROFESSION_NONE));
        IQN_HTML(h, "</p>\n");
    }
    IQN_HTML(h, "</fieldset>\n");
    iqn_buf_free(&needle);
    free(rows);
    return 1;
}

/* A year select: "Any year", then every year from the oldest to the newest record; a bound given
 * in the URL that is not among them (a month, a day, a year outside) is listed too. */
static void year_select(const struct view *v, const char *name, const char *id, enum iqn_ui_msg label,
                        const char *value)
{
    struct iqn_html *h = v->h;
    char year[16];
    int listed = 0;
    IQN_HTML(h, "<div class=\"date-field\"><label");
    IQN_HTML_ATTR(h, "for", id);
    IQN_HTML(h, ">");
    iqn_html_text(h, iqn_ui_t(v->lang, label));
    IQN_HTML(h, "</label>\n<select");
    IQN_HTML_ATTR(h, "id", id);
    IQN_HTML_ATTR(h, "name", name);
    IQN_HTML(h, "><option value=\"\">");
    iqn_html_text(h, iqn_ui_t(v->lang, IQN_T_DATE_ANY));
    IQN_HTML(h, "</option>\n");
    int lo = v->year_min, hi = v->year_max;
    if (lo <= 0 || hi < lo || hi - lo > YEAR_SPAN_MAX)
        lo = hi = 0;
    for (int y = lo; lo && y <= hi; y++) {
        snprintf(year, sizeof year, "%04d", y);
        int sel = value && strcmp(value, year) == 0;
        listed |= sel;
        IQN_HTML(h, "<option");
        IQN_HTML_ATTR(h, "value", year);
        if (sel)
            IQN_HTML(h, " selected");
        IQN_HTML(h, ">");
        iqn_html_text(h, year);
        IQN_HTML(h, "</option>\n");
    }
    if (value && !listed) {
        IQN_HTML(h, "<option selected");
        IQN_HTML_ATTR(h, "value", value);
        IQN_HTML(h, ">");
        iqn_html_text(h, value);
        IQN_HTML(h, "</option>\n");
    }
    IQN_HTML(h, "</select></div>\n");
}

static int date_group(const struct view *v)
{
    struct iqn_html *h = v->h;
    if (!v->year_min && !v->uq->from && !v->uq->to)
        return 0;
    IQN_HTML(h, "<fieldset class=\"facet facet-date\" id=\"facet-date\"><legend>");
    iqn_html_text(h, iqn_ui_t(v->lang, IQN_T_FACET_DATE));
    IQN_HTML(h, "</legend>\n<div class=\"date-row\">\n");
    year_select(v, "from", "f-from", IQN_T_DATE_FROM, v->uq->from);
    year_select(v, "to", "f-to", IQN_T_DATE_TO, v->uq->to);
    IQN_HTML(h, "</div>\n</fieldset>\n");
    return 1;
}

/* The filter column: a GET form that works without JavaScript. Returns 0 when there was nothing
 * to filter on (the column is then left out). */
static int filters(const struct view *v)
{
    struct iqn_html *h = v->h;
    size_t mark = h->b.len;
    int groups = 0;
    if (v->res->total == 0 && !iqn_ui_query_has_filters(v->uq))
        return 0; /* nothing matched and nothing to undo: the tips say what to do */
    IQN_HTML(h, "<section class=\"filters\" id=\"filters\" aria-labelledby=\"filters-heading\">\n"
                "<h2 id=\"filters-heading\">");
    iqn_html_text(h, iqn_ui_t(v->lang, IQN_T_FILTERS));
    IQN_HTML(h, "</h2>\n<a class=\"skip-results\" href=\"#results-heading\">");
    iqn_html_text(h, iqn_ui_t(v->lang, IQN_T_SKIP_RESULTS));
    IQN_HTML(h, "</a>\n<form id=\"filters-form\" class=\"filters-form\" method=\"get\"");
    IQN_HTML_ATTR(h, "action", iqn_ui_path(v->lang, IQN_ROUTE_SEARCH));
    IQN_HTML(h, ">\n");
    if (v->uq->q) {
        IQN_HTML(h, "<input type=\"hidden\" name=\"q\"");
        IQN_HTML_ATTR(h, "value", v->uq->q);
        IQN_HTML(h, ">\n");
    }
    if (v->uq->sort_given) {
        IQN_HTML(h, "<input type=\"hidden\" name=\"sort\"");
        IQN_HTML_ATTR(h, "value", iqn_ui_sort_names[v->uq->sort]);
        IQN_HTML(h, ">\n");
    }
    for (size_t i = 0; i < v->uq->ncodes[IQN_FACET_LANG]; i++) {
        /* no group of its own: a language chosen through the URL is kept */
        IQN_HTML(h, "<input type=\"hidden\" name=\"lang\"");
        IQN_HTML_ATTR(h, "value", v->uq->codes[IQN_FACET_LANG][i]);
        IQN_HTML(h, ">\n");
    }
    for (size_t k = 0; k < sizeof facet_order / sizeof facet_order[0]; k++) {
        groups += facet_group(v, facet_order[k]);
        if (facet_order[k] == IQN_FACET_TYPE)
            groups += date_group(v);
    }
    IQN_HTML(h, "<button type=\"submit\" class=\"apply\">");
    iqn_html_text(h, iqn_ui_t(v->lang, IQN_T_FILTERS_APPLY));
    IQN_HTML(h, "</button>\n</form>\n</section>\n");
    if (groups == 0 && !iqn_buf_failed(&h->b)) {
        h->b.len = mark; /* nothing to filter on: no column */
        if (h->b.data)
            h->b.data[mark] = '\0';
    }
    return groups > 0;
}

/* ---- results ---- */

static void chip(const struct view *v, const struct iqn_ui_query *without, const char *group, const char *prefix,
                 const char *value)
{
    struct iqn_html *h = v->h;
    IQN_HTML(h, "<li><a class=\"chip\"");
    state_href(h, iqn_ui_path(v->lang, IQN_ROUTE_SEARCH), without);
    IQN_HTML(h, "><span class=\"visually-hidden\">");
    iqn_html_text(h, iqn_ui_t(v->lang, IQN_T_REMOVE_FILTER));
    iqn_html_text(h, iqn_ui_t(v->lang, IQN_T_COLON));
    IQN_HTML(h, "</span>");
    iqn_html_text(h, group);
    iqn_html_text(h, iqn_ui_t(v->lang, IQN_T_COLON));
    iqn_html_text(h, prefix);
    iqn_html_text(h, value);
    IQN_HTML(h, " <span class=\"chip-x\" aria-hidden=\"true\">×</span></a></li>\n");
}

/* The selected filters as links that remove them, and "Clear all filters". */
static void chips(const struct view *v)
{
    struct iqn_html *h = v->h;
    struct iqn_ui_query *t = malloc(sizeof *t);
    if (!t || !iqn_ui_query_has_filters(v->uq)) {
        free(t);
        return;
    }
    IQN_HTML(h, "<div class=\"chips-box\">\n<h3 class=\"chips-heading\">");
    iqn_html_text(h, iqn_ui_t(v->lang, IQN_T_SELECTED_FILTERS));
    IQN_HTML(h, "</h3>\n<ul class=\"chips\">\n");
    static const int order[] = {IQN_FACET_TYPE, IQN_FACET_PROVINCE, IQN_FACET_PROFESSION, IQN_FACET_TOPIC,
                                IQN_FACET_LANG};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        int f = order[k];
        for (size_t i = 0; i < v->uq->ncodes[f]; i++) {
            first_page(v->uq, t);
            iqn_ui_query_remove(t, f, i);
            chip(v, t, iqn_ui_facet(v->lang, f), "", iqn_ui_label(v->vocab, f, v->uq->codes[f][i], v->lang));
        }
        if (f == IQN_FACET_TYPE) {
            if (v->uq->from) {
                first_page(v->uq, t);
                t->from = NULL;
                chip(v, t, iqn_ui_t(v->lang, IQN_T_FACET_DATE), iqn_ui_t(v->lang, IQN_T_CHIP_FROM), v->uq->from);
            }
            if (v->uq->to) {
                first_page(v->uq, t);
                t->to = NULL;
                chip(v, t, iqn_ui_t(v->lang, IQN_T_FACET_DATE), iqn_ui_t(v->lang, IQN_T_CHIP_TO), v->uq->to);
            }
        }
    }
    first_page(v->uq, t);
    iqn_ui_query_clear_filters(t);
    IQN_HTML(h, "<li><a class=\"clear-all\" id=\"clear-all\"");
    state_href(h, iqn_ui_path(v->lang, IQN_ROUTE_SEARCH), t);
    IQN_HTML(h, ">");
    iqn_html_text(h, iqn_ui_t(v->lang, IQN_T_CLEAR_ALL));
    IQN_HTML(h, "</a></li>\n</ul>\n</div>\n");
    free(t);
}

static void did_you_mean(const struct view *v)
{
    struct iqn_html *h = v->h;
    const char *dym = v->res->did_you_mean;
    if (!dym || !*dym || (v->uq->q && strcmp(dym, v->uq->q) == 0))
        return;
    struct iqn_ui_query *t = malloc(sizeof *t);
    if (!t)
        return;
    first_page(v->uq, t);
    t->q = dym;
    IQN_HTML(h, "<p class=\"did-you-mean\">");
    iqn_html_text(h, iqn_ui_t(v->lang, IQN_T_DID_YOU_MEAN));
    IQN_HTML(h, "<a id=\"did-you-mean\"");
    state_href(h, iqn_ui_path(v->lang, IQN_ROUTE_SEARCH), t);
    IQN_HTML(h, ">");
    iqn_html_text(h, dym);
    IQN_HTML(h, "</a>");
    iqn_html_text(h, iqn_ui_t(v->lang, IQN_T_QUESTION_END));
    IQN_HTML(h, "</p>\n");
    free(t);
}

/* The sort select, in a form of its own that carries the rest of the state. */
static void sort_form(const struct view *v)
{
    static const enum iqn_ui_msg labels[IQN_UI_SORT_COUNT] = {IQN_T_SORT_RELEVANCE, IQN_T_SORT_OLDEST,
                                                              IQN_T_SORT_NEWEST};
    static const int shown[] = {IQN_UI_SORT_RELEVANCE, IQN_UI_SORT_NEWEST, IQN_UI_SORT_OLDEST};
    struct iqn_html *h = v->h;
    int cur = iqn_ui_query_sort(v->uq);
    IQN_HTML(h, "<form id=\"sort-form\" class=\"sort-form\" method=\"get\"");
    IQN_HTML_ATTR(h, "action", iqn_ui_path(v->lang, IQN_ROUTE_SEARCH));
    IQN_HTML(h, ">\n");
    hidden_state(h, v->uq, 1, 1, 0);
    IQN_HTML(h, "<label for=\"sort\">");
    iqn_html_text(h, iqn_ui_t(v->lang, IQN_T_SORT_LABEL));
    IQN_HTML(h, "</label>\n<select id=\"sort\" name=\"sort\">\n");
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        IQN_HTML(h, "<option");
        IQN_HTML_ATTR(h, "value", iqn_ui_sort_names[shown[i]]);
        if (shown[i] == cur)
            IQN_HTML(h, " selected");
        IQN_HTML(h, ">");
        iqn_html_text(h, iqn_ui_t(v->lang, labels[shown[i]]));
        IQN_HTML(h, "</option>\n");
    }
    IQN_HTML(h, "</select>\n<button type=\"submit\" class=\"secondary js-hide\">");
    iqn_html_text(h, iqn_ui_t(v->lang, IQN_T_SORT_BUTTON));
    IQN_HTML(h, "</button>\n</form>\n");
}

static void tips(const struct view *v)
{
    struct iqn_html *h = v->h;
    int other = v->lang == IQN_LANG_FR ? IQN_LANG_EN : IQN_LANG_FR;
    struct iqn_ui_query *t = malloc(sizeof *t);
    if (!t)
        return;
    IQN_HTML(h, "<div class=\"no-results\" id=\"no-results\">\n<h3>");
    iqn_html_text(h, iqn_ui_t(v->lang, IQN_T_TIPS));
    IQN_HTML(h, "</h3>\n<ul>\n");
    if (v->uq->q) {
        IQN_HTML_ELEM(h, "<li>", iqn_ui_t(v->lang, IQN_T_TIP_SPELLING), "</li>\n");
        IQN_HTML_ELEM(h, "<li>", iqn_ui_t(v->lang, IQN_T_TIP_WORDS), "</li>\n");
    }
    if (iqn_ui_query_has_filters(v->uq)) {
        first_page(v->uq, t);
        iqn_ui_query_clear_filters(t);
        IQN_HTML_ELEM(h, "<li>", iqn_ui_t(v->lang, IQN_T_TIP_FILTERS), "<a");
        state_href(h, iqn_ui_path(v->lang, IQN_ROUTE_SEARCH), t);
        IQN_HTML_ELEM(h, ">", iqn_ui_t(v->lang, IQN_T_TIP_FILTERS_LINK), "</a>.</li>\n");
    }
    first_page(v->uq, t);
    IQN_HTML_ELEM(h, "<li>", iqn_ui_t(v->lang, IQN_T_TIP_OTHER_LANG), "<a");
    state_href(h, iqn_ui_path(other, IQN_ROUTE_SEARCH), t);
    IQN_HTML_ATTR(h, "hreflang", iqn_ui_code(other));
    IQN_HTML_ELEM(h, ">", iqn_ui_t(v->lang, IQN_T_TIP_OTHER_LANG_LINK), "</a>.</li>\n");
    IQN_HTML(h, "</ul>\n</div>\n");
    free(t);
}

static void page_link(const struct view *v, struct iqn_ui_query *t, unsigned long page, const char *rel)
{
    struct iqn_html *h = v->h;
    char num[32];
    iqn_ui_number(v->lang, page, num, sizeof num);
    t->page = page;
    IQN_HTML(h, "<li><a");
    state_href(h, iqn_ui_path(v->lang, IQN_ROUTE_SEARCH), t);
    if (rel) {
        int prev = strcmp(rel, "prev") == 0;
        IQN_HTML_ATTR(h, "rel", prev ? "prev" : "next");
        if (prev)
            IQN_HTML(h, " class=\"page-prev\">");
        else
            IQN_HTML(h, " class=\"page-next\">");
        iqn_html_text(h, iqn_ui_t(v->lang, prev ? IQN_T_PREVIOUS : IQN_T_NEXT));
        IQN_HTML(h, "<span class=\"visually-hidden\">");
        IQN_HTML_TEXTF(h, ": %s%s", iqn_ui_t(v->lang, IQN_T_PAGE), num);
        IQN_HTML(h, "</span></a></li>\n");
        return;
    }
    IQN_HTML_ATTRF(h, "aria-label", "%s%s", iqn_ui_t(v->lang, IQN_T_PAGE), num);
    if (page == v->uq->page)
        IQN_HTML(h, " aria-current=\"page\"");
    IQN_HTML(h, ">");
    iqn_html_text(h, num);
    IQN_HTML(h, "</a></li>\n");
}

/* Previous, 1, …, the pages around this one, …, the last, Next. */
static void pagination(const struct view *v)
{
    struct iqn_html *h = v->h;
    unsigned long long total = v->res->total;
    unsigned long pages = (unsigned long)((total + IQN_UI_PER_PAGE - 1) / IQN_UI_PER_PAGE);
    unsigned long cur = v->uq->page;
    if (pages > IQN_UI_PAGE_MAX)
        pages = IQN_UI_PAGE_MAX;
    if (pages <= 1 && cur <= 1)
        return;
    struct iqn_ui_query *t = malloc(sizeof *t);
    if (!t)
        return;
    *t = *v->uq;
    IQN_HTML(h, "<nav class=\"pagination\"");
    IQN_HTML_ATTR(h, "aria-label", iqn_ui_t(v->lang, IQN_T_PAGINATION));
    IQN_HTML(h, ">\n<ul>\n");
    if (cur > 1)
        page_link(v, t, cur - 1 < pages ? cur - 1 : pages, "prev");
    unsigned long last_shown = 0;
    for (unsigned long p = 1; p <= pages; p++) {
        int near = p + 2 >= cur && p <= cur + 2;
        if (p != 1 && p != pages && !near)
            continue;
        if (last_shown && p > last_shown + 1)
            IQN_HTML(h, "<li class=\"page-gap\" aria-hidden=\"true\">…</li>\n");
        page_link(v, t, p, NULL);
        last_shown = p;
    }
    if (cur < pages)
        page_link(v, t, cur + 1, "next");
    IQN_HTML(h, "</ul>\n</nav>\n");
    free(t);
}

static void results(const struct view *v, const char *count)
{
    struct iqn_html *h = v->h;
    struct iqn_ui_query *t = malloc(sizeof *t);
    IQN_HTML(h, "<section class=\"results\" id=\"results\" aria-labelledby=\"results-heading\">\n"
                "<h2 id=\"results-heading\" class=\"results-count\" tabindex=\"-1\">");
    iqn_html_text(h, count);
    IQN_HTML(h, "</h2>\n");
    did_you_mean(v);
    chips(v);
    if (v->res->total > 0) {
        IQN_HTML(h, "<div class=\"results-tools\">\n");
        sort_form(v);
        if (t) {
            first_page(v->uq, t);
            t->sort_given = 0;
            IQN_HTML(h, "<p class=\"feed-link\"><a type=\"application/atom+xml\"");
            state_href(h, iqn_ui_path(v->lang, IQN_ROUTE_FEED), t);
            IQN_HTML(h, ">");
            iqn_html_text(h, iqn_ui_t(v->lang, IQN_T_FEED_LINK));
            IQN_HTML(h, "</a></p>\n");
        }
        IQN_HTML(h, "</div>\n");
    }
    if (v->res->nhits > 0) {
        IQN_HTML(h, "<ol class=\"result-list\"");
        IQN_HTML_ATTRF(h, "start", "%lu", (v->uq->page - 1) * IQN_UI_PER_PAGE + 1);
        IQN_HTML(h, ">\n");
        for (size_t i = 0; i < v->res->nhits; i++)
            iqn_ui_hit(h, v->vocab, v->lang, &v->res->hits[i], 3);
        IQN_HTML(h, "</ol>\n");
    } else if (v->res->total > 0) {
        IQN_HTML_ELEM(h, "<p class=\"page-empty\">", iqn_ui_t(v->lang, IQN_T_PAGE_EMPTY), "</p>\n");
    } else {
        tips(v);
    }
    pagination(v);
    IQN_HTML(h, "</section>\n");
    free(t);
}

/* ---- the page ---- */

/* The year of the oldest (newest) dated record, 0 when there is none. */
static int year_bound(struct iqn_db *db, int lang, enum iqn_sort sort)
{
    struct iqn_query q;
    struct iqn_result *res = NULL;
    struct iqn_error err;
    int year = 0;
    memset(&q, 0, sizeof q);
    q.lang = lang == IQN_LANG_FR ? "fr" : "en";
    q.date_from = "00000000"; /* only records with a date */
    q.sort = sort;
    q.limit = 1;
    q.no_body = 1;
    q.no_collapse = 1;
    if (iqn_search(db, &q, &res, &err) == IQN_OK && res->nhits > 0) {
        const char *d = iqn_record_get(res->hits[0].record, IQN_F_DATE);
        char *end = NULL;
        long y = d ? strtol(d, &end, 10) : 0;
        if (end && end - d == 4 && y > 0)
            year = (int)y;
    }
    iqn_result_free(res);
    return year;
}

/* The region the script swaps: filters and results, with what the rest of the page needs to follow
 * (title, announcement, query, language toggle and feed addresses) in data- attributes. */
static void region(const struct view *v, const char *title, const char *count, const char *other_url,
                   const char *feed_url)
{
    struct iqn_html *h = v->h;
    IQN_HTML(h, "<div id=\"search-region\" class=\"search-region\"");
    IQN_HTML_ATTR(h, "data-title", title);
    IQN_HTML_ATTR(h, "data-status", count);
    IQN_HTML_ATTR(h, "data-q", v->uq->q ? v->uq->q : "");
    IQN_HTML_ATTR(h, "data-lang-url", other_url);
    IQN_HTML_ATTR(h, "data-feed-url", feed_url);
    IQN_HTML(h, ">\n");
    if (!filters(v))
        IQN_HTML(h, "<div class=\"no-filters\"></div>\n");
    results(v, count);
    IQN_HTML(h, "</div>\n");
}

/* The search box, in a form that keeps the filters and sort of the page. */
static void search_form(const struct view *v)
{
    struct iqn_html *h = v->h;
    int lang = v->lang;
    IQN_HTML(h, "<form id=\"search-form\" class=\"search-form\" role=\"search\" method=\"get\"");
    IQN_HTML_ATTR(h, "action", iqn_ui_path(lang, IQN_ROUTE_SEARCH));
    IQN_HTML_ATTR(h, "data-suggest-label", iqn_ui_t(lang, IQN_T_SUGGESTIONS));
    IQN_HTML_ATTR(h, "data-suggest-count", iqn_ui_t(lang, IQN_T_SUGGESTIONS_COUNT));
    IQN_HTML_ATTR(h, "data-kind-title", iqn_ui_t(lang, IQN_T_KIND_TITLE));
    IQN_HTML_ATTR(h, "data-kind-province", iqn_ui_facet(lang, IQN_FACET_PROVINCE));
    IQN_HTML_ATTR(h, "data-kind-profession", iqn_ui_facet(lang, IQN_FACET_PROFESSION));
    IQN_HTML_ATTR(h, "data-kind-topic", iqn_ui_facet(lang, IQN_FACET_TOPIC));
    IQN_HTML_ATTR(h, "data-loading", iqn_ui_t(lang, IQN_T_LOADING));
    IQN_HTML_ATTR(h, "data-load-error", iqn_ui_t(lang, IQN_T_LOAD_ERROR));
    IQN_HTML_ATTR(h, "data-show-filters", iqn_ui_t(lang, IQN_T_SHOW_FILTERS));
    IQN_HTML_ATTR(h, "data-record-path", iqn_ui_path(lang, IQN_ROUTE_RECORD));
    IQN_HTML(h, ">\n<label for=\"q\">");
    iqn_html_text(h, iqn_ui_t(lang, IQN_T_SEARCH_LABEL));
    IQN_HTML(h, "</label>\n<div class=\"search-row\">\n<div class=\"combo\" id=\"q-combo\">"
                "<input type=\"search\" id=\"q\" name=\"q\" maxlength=\"1024\" autocomplete=\"off\" "
                "spellcheck=\"true\"");
    IQN_HTML_ATTR(h, "value", v->uq->q ? v->uq->q : "");
    IQN_HTML(h, "></div>\n<button type=\"submit\" id=\"search-button\">");
    iqn_html_text(h, iqn_ui_t(lang, IQN_T_SEARCH_BUTTON));
    IQN_HTML(h, "</button>\n</div>\n<div id=\"search-state\">\n");
    hidden_state(h, v->uq, 0, 1, 1);
    IQN_HTML(h, "</div>\n</form>\n");
}

static int url_of(struct iqn_buf *u, const char *path, const struct iqn_ui_query *s)
{
    iqn_buf_init(u, URL_MAX);
    return iqn_ui_query_url(u, path, s);
}

/* Render the whole page, or only the region for partial=1. */
static enum MHD_Result render(struct iqn_request *req, const struct view *vin)
{
    struct view v = *vin;
    struct iqn_html h;
    struct iqn_buf count, title, full, other, feed;
    struct iqn_ui_query *t = malloc(sizeof *t);
    int lang = v.lang, olang = lang == IQN_LANG_FR ? IQN_LANG_EN : IQN_LANG_FR;
    enum MHD_Result rc;
    iqn_html_init(&h, IQN_UI_HTML_MAX);
    v.h = &h;
    iqn_buf_init(&count, 4096);
    iqn_buf_init(&title, 4096);
    iqn_buf_init(&full, 4096);
    count_text(lang, v.res->total, v.uq->q, &count);
    iqn_buf_adds(&title, count.data);
    if (v.uq->page > 1)
        iqn_buf_addf(&title, " (%s%lu)", iqn_ui_t(lang, IQN_T_PAGE), v.uq->page);
    iqn_buf_addf(&full, "%s - %s", title.data ? title.data : "", iqn_ui_t(lang, IQN_T_SITE_NAME));
    url_of(&other, iqn_ui_path(olang, IQN_ROUTE_SEARCH), v.uq);
    if (t) {
        first_page(v.uq, t);
        t->sort_given = 0;
        url_of(&feed, iqn_ui_path(lang, IQN_ROUTE_FEED), t);
    } else {
        url_of(&feed, iqn_ui_path(lang, IQN_ROUTE_FEED), v.uq);
    }
    if (iqn_buf_failed(&count) || iqn_buf_failed(&title) || iqn_buf_failed(&full) || iqn_buf_failed(&other) || iqn_buf_failed(&feed)) {
        rc = iqn_ui_error_page(req, lang, MHD_HTTP_INTERNAL_SERVER_ERROR, IQN_T_ERROR, IQN_T_ERROR_TEXT, NULL,
                               iqn_ui_path(olang, IQN_ROUTE_SEARCH));
        goto out;
    }
    if (v.uq->partial) {
        region(&v, full.data, count.data, other.data, feed.data);
    } else {
        struct iqn_ui_page pg = {lang, title.data, NULL, other.data, feed.data};
        iqn_ui_page_begin(&h, &pg);
        IQN_HTML_ELEM(&h, "<h1 id=\"page-heading\">", iqn_ui_t(lang, IQN_T_SEARCH_HEADING), "</h1>\n");
        search_form(&v);
        IQN_HTML(&h, "<p id=\"search-status\" class=\"visually-hidden\" role=\"status\" aria-live=\"polite\" "
                     "aria-atomic=\"true\"></p>\n");
        region(&v, full.data, count.data, other.data, feed.data);
        iqn_ui_page_end(&h, &pg);
    }
    rc = iqn_ui_reply(req, MHD_HTTP_OK, &h);
out:
    iqn_buf_free(&count);
    iqn_buf_free(&title);
    iqn_buf_free(&full);
    iqn_buf_free(&other);
    iqn_buf_free(&feed);
    iqn_html_free(&h);
    free(t);
    return rc;
}

/* Check the parameters, search, render. */
enum MHD_Result iqn_ui_search(struct iqn_request *req, int lang)
{
    struct iqn_ui_query *uq = NULL;
    struct iqn_param_error pe;
    struct iqn_error err;
    struct iqn_query q;
    struct iqn_result *res = NULL;
    struct iqn_db *db = NULL;
    const char *other = iqn_ui_path(lang == IQN_LANG_FR ? IQN_LANG_EN : IQN_LANG_FR, IQN_ROUTE_SEARCH);
    enum MHD_Result rc;
    iqn_error_clear(&err);
    if (iqn_ui_query_read(req->conn, req->srv->vocab, lang, &uq, &pe) != 0) {
        if (!uq) {
            rc = MHD_NO; /* out of memory: MHD closes the connection */
            goto out;
        }
        rc = iqn_ui_error_page(req, lang, MHD_HTTP_BAD_REQUEST, IQN_T_BAD_REQUEST, IQN_T_BAD_REQUEST_TEXT, pe.message,
                               other);
        goto out;
    }
    if (iqn_http_db(req, &db, &err) != IQN_OK) {
        rc = iqn_ui_error_page(req, lang, MHD_HTTP_SERVICE_UNAVAILABLE, IQN_T_UNAVAILABLE, IQN_T_UNAVAILABLE_TEXT,
                               NULL, other);
        goto out;
    }
    iqn_ui_query_search(uq, &q);
    if (iqn_search(db, &q, &res, &err) != IQN_OK) {
        if (err.code == IQN_EINVAL) {
            rc = iqn_ui_error_page(req, lang, MHD_HTTP_BAD_REQUEST, IQN_T_BAD_REQUEST, IQN_T_BAD_REQUEST_TEXT,
                                   err.message, other);
        } else {
            fprintf(stderr, "iqn-searchd: %s %s: %s\n", req->method, req->path ? req->path : "", err.message);
            rc = iqn_ui_error_page(req, lang, MHD_HTTP_INTERNAL_SERVER_ERROR, IQN_T_ERROR, IQN_T_ERROR_TEXT, NULL,
                                   other);
        }
        goto out;
    }
    struct view v = {NULL, req->srv->vocab, uq, res, lang, 0, 0};
    v.year_min = year_bound(db, lang, IQN_SORT_DATE_ASC);
    v.year_max = year_bound(db, lang, IQN_SORT_DATE_DESC);
    rc = render(req, &v);
out:
    iqn_result_free(res);
    iqn_ui_query_free(uq);
    return rc;
}
