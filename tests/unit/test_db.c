/* test_db.c - unit tests of db.cc on a temporary index: upsert outcomes, delete, get, search totals,
 * exact and disjunctive facet counts, sorting, date ranges, query syntax, French folding, reopen,
 * read-only and locked handles. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "error.h"
#include "record.h"
#include "vocab.h"

#include "check.h"

#ifndef IQN_TEST_VOCAB_DIR
#error "IQN_TEST_VOCAB_DIR must name corpus/vocab"
#endif

static struct iqn_vocab *vocab;
static char dbdir[64];

/* The fixture: five records with known facets and dates. */
static const char *const fixture[] = {
    "{\"id\":\"r1\",\"type\":\"report\",\"lang\":\"en\",\"title\":\"Credential assessment for nurses\","
    "\"summary\":\"How internationally educated nurses get their credentials assessed.\","
    "\"province\":[\"ON\"],\"profession\":[\"31301\"],\"topic\":[\"credential-assessment\"],\"date\":\"2019-05-01\"}",

    "{\"id\":\"r2\",\"type\":\"initiative\",\"lang\":\"en\",\"title\":\"Bridging program for engineers\","
    "\"summary\":\"A bridging program with mentorship by licensed engineers.\","
    "\"province\":[\"ON\",\"QC\"],\"topic\":[\"bridging-programs\",\"mentorship\"],\"date\":\"2021\"}",

    "{\"id\":\"r3\",\"type\":\"report\",\"lang\":\"fr\",\"title\":\"Reconnaissance des diplômes étrangers\","
    "\"summary\":\"Guide de l’évaluation des diplômes des infirmières.\","
    "\"province\":[\"QC\"],\"topic\":[\"credential-assessment\"],\"date\":\"2020-03\"}",

    "{\"id\":\"r4\",\"type\":\"lesson\",\"lang\":\"en\",\"title\":\"Mentorship lessons for employers\","
    "\"summary\":\"What employers learned.\",\"body\":\"Pairing nurses and doctors with mentors worked well.\","
    "\"province\":[\"BC\"],\"topic\":[\"mentorship\"],\"date\":\"2018-12-31\"}",

    "{\"id\":\"r5\",\"type\":\"event\",\"lang\":\"en\",\"title\":\"Licensure workshop\","
    "\"summary\":\"A workshop about licensure for pharmacists.\",\"topic\":[\"licensure\"]}",
};

/* A validated record from json; NULL (reported under id) if it does not validate. */
static struct iqn_record *make_record(const char *id, const char *json)
{
    struct iqn_record *r = iqn_record_new();
    struct iqn_error err;
    iqn_error_clear(&err);
    int rc = iqn_record_from_json(r, json, strlen(json), &err);
    if (rc == IQN_OK)
        rc = iqn_record_validate(r, vocab, &err);
    if (rc != IQN_OK) {
        char what[700];
        snprintf(what, sizeof what, "fixture record does not validate: %s", err.message);
        check_report(id, 0, what);
        iqn_record_free(r);
        return NULL;
    }
    return r;
}

/* Upsert json and return the outcome, or -1 (reported under id) on error. */
static int upsert_json(struct iqn_db *db, const char *id, const char *json)
{
    struct iqn_record *r = make_record(id, json);
    if (!r)
        return -1;
    enum iqn_upsert_result res;
    struct iqn_error err;
    iqn_error_clear(&err);
    int rc = iqn_db_upsert(db, r, &res, &err);
    iqn_record_free(r);
    if (rc != IQN_OK) {
        char what[700];
        snprintf(what, sizeof what, "upsert failed: %s", err.message);
        check_report(id, 0, what);
        return -1;
    }
    return (int)res;
}

/* A search's parameters, built up by the cases. */
struct search {
    const char *text;
    const char *lang;
    const char *filter[IQN_FACET_COUNT][4];
    const char *from, *to; /* ISO dates, turned into keys */
    enum iqn_sort sort;
    unsigned limit;
    int snippets;
    int spelling;
    int partial; /* search-as-you-type: the last word is a prefix */
};

/* Run s; the result (caller frees) or NULL (reported under id). */
static struct iqn_result *run(struct iqn_db *db, const char *id, const struct search *s)
{
    struct iqn_query q;
    memset(&q, 0, sizeof q);
    q.text = s->text;
    q.lang = s->lang;
    for (int f = 0; f < IQN_FACET_COUNT; f++) {
        size_t n = 0;
        while (n < 4 && s->filter[f][n])
            n++;
        q.filter[f] = n ? s->filter[f] : NULL;
        q.nfilter[f] = n;
    }
    char from[9], to[9];
    if (s->from && iqn_date_key(s->from, 0, from) == 0)
        q.date_from = from;
    if (s->to && iqn_date_key(s->to, 1, to) == 0)
        q.date_to = to;
    q.sort = s->sort;
    q.limit = s->limit ? s->limit : 50;
    q.facets = 1;
    q.snippets = s->snippets;
    q.spelling = s->spelling;
    q.partial = s->partial;
    struct iqn_result *res = NULL;
    struct iqn_error err;
    iqn_error_clear(&err);
    int rc = iqn_search(db, &q, &res, &err);
    if (rc != IQN_OK || !res) {
        char what[700];
        snprintf(what, sizeof what, "search failed (%d): %s", rc, err.message);
        check_report(id, 0, what);
        iqn_result_free(res);
        return NULL;
    }
    return res;
}

/* The hit ids of res, sorted, joined by ','. */
static void hit_ids(const struct iqn_result *res, char *out, size_t outlen)
{
    const char *ids[64];
    size_t n = 0;
    for (size_t i = 0; i < res->nhits && n < 64; i++)
        ids[n++] = iqn_record_get(res->hits[i].record, IQN_F_ID);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
            const char *t = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = t;
        }
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(out + used, outlen - used, "%s%s", i ? "," : "", ids[i]);
        if (w < 0 || (size_t)w >= outlen - used)
            break;
        used += (size_t)w;
    }
}

/* The hit ids in rank order, joined by ','. */
static void hit_order(const struct iqn_result *res, char *out, size_t outlen)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < res->nhits; i++) {
        int w =
            snprintf(out + used, outlen - used, "%s%s", i ? "," : "", iqn_record_get(res->hits[i].record, IQN_F_ID));
        if (w < 0 || (size_t)w >= outlen - used)
            break;
        used += (size_t)w;
    }
}

/* A facet's counts as "CODE=N" joined by ',' in code order. */
static void facet_counts(const struct iqn_result *res, int f, char *out, size_t outlen)
{
    size_t n = res->nfacet[f];
    const struct iqn_facet_count *v[256];
    if (n > 256)
        n = 256;
    for (size_t i = 0; i < n; i++)
        v[i] = &res->facet[f][i];
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(v[j - 1]->code, v[j]->code) > 0; j--) {
            const struct iqn_facet_count *t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(out + used, outlen - used, "%s%s=%llu", i ? "," : "", v[i]->code, v[i]->count);
        if (w < 0 || (size_t)w >= outlen - used)
            break;
        used += (size_t)w;
    }
}

/* Facet values come largest count first. */
static int facet_sorted(const struct iqn_result *res, int f)
{
    for (size_t i = 1; i < res->nfacet[f]; i++)
        if (res->facet[f][i - 1].count < res->facet[f][i].count)
            return 0;
    return 1;
}

/* ---- cases ---- */

struct search_case {
    const char *id;
    struct search s;
    long long total;                    /* -1: not checked */
    const char *ids;                    /* sorted hit ids, or NULL */
    const char *facet[IQN_FACET_COUNT]; /* expected counts per facet, or NULL */
};

#define P IQN_FACET_PROVINCE
#define T IQN_FACET_TOPIC
#define Y IQN_FACET_TYPE
#define L IQN_FACET_LANG

static const struct search_case search_cases[] = {
    {"all-1",
     {.text = NULL},
     5,
     "r1,r2,r3,r4,r5",
     {[P] = "BC=1,ON=2,QC=2",
      [T] = "bridging-programs=1,credential-assessment=2,licensure=1,mentorship=2",
      [Y] = "event=1,initiative=1,lesson=1,report=2",
      [L] = "en=4,fr=1",
      [IQN_FACET_PROFESSION] = "31301=1"}},
    {"all-blank-1", {.text = "   "}, 5, NULL, {NULL}},
    {"facet-province-on-1",
     {.filter = {[P] = {"ON"}}},
     2,
     "r1,r2",
     /* Disjunctive: the province facet ignores its own selection; the others are restricted. */
     {[P] = "BC=1,ON=2,QC=2",
      [T] = "bridging-programs=1,credential-assessment=1,mentorship=1",
      [Y] = "initiative=1,report=1",
      [L] = "en=2"}},
    {"facet-province-or-1",
     {.filter = {[P] = {"ON", "BC"}}},
     3,
     "r1,r2,r4",
     {[P] = "BC=1,ON=2,QC=2", [T] = "bridging-programs=1,credential-assessment=1,mentorship=2"}},
    {"facet-and-1",
     {.filter = {[P] = {"ON"}, [T] = {"mentorship"}}},
     1,
     "r2",
     /* province counts under topic=mentorship only; topic counts under province=ON only. */
     {[P] = "BC=1,ON=1,QC=1",
      [T] = "bridging-programs=1,credential-assessment=1,mentorship=1",
      [Y] = "initiative=1",
      [L] = "en=1"}},
    {"facet-type-lang-1",
     {.filter = {[Y] = {"report"}, [L] = {"fr"}}},
     1,
     "r3",
     {[Y] = "report=1", [L] = "en=1,fr=1", [P] = "QC=1"}},
    {"facet-none-match-1", {.filter = {[P] = {"NU"}}}, 0, "", {[P] = "BC=1,ON=2,QC=2", [T] = ""}},
    {"text-nurses-1", {.text = "nurses"}, 2, "r1,r4", {[P] = "BC=1,ON=1"}},
    {"text-nurses-filter-1", {.text = "nurses", .filter = {[P] = {"BC"}}}, 1, "r4", {[P] = "BC=1,ON=1"}},
    {"text-phrase-1", {.text = "\"credential assessment\""}, 1, "r1", {NULL}},
    {"text-phrase-2", {.text = "\"assessment credential\""}, 0, "", {NULL}},
    /* The index holds stems, and its stop words as terms apart without positions: a phrase
     * matches its other words' stems side by side, stop words left out as Elasticsearch's English
     * analyser leaves them out, in records that hold its stop words anywhere. */
    {"text-phrase-stem-1", {.text = "\"credentials assessed\""}, 1, "r1", {NULL}},
    {"text-phrase-stop-1", {.text = "\"assessment for nurses\""}, 1, "r1", {NULL}},
    {"text-phrase-stop-2", {.text = "\"assessment of nurses\""}, 0, "", {NULL}},
    {"text-phrase-stop-3", {.text = "\"nurses for assessment\""}, 0, "", {NULL}},
    {"text-phrase-stop-4", {.text = "\"credential assessment nurses\""}, 1, "r1", {NULL}},
    {"text-phrase-stop-5", {.text = "assessment NEAR/1 for NEAR/1 nurses"}, 1, "r1", {NULL}},
    {"text-phrase-stop-6", {.text = "\"for nurses\""}, 2, "r1,r4", {NULL}}, /* r4: "for" apart from "nurses" */
    /* A quoted phrase long enough for pseudo-relevance feedback is not expanded: it asks for
     * its words together, and feedback would add records without them. */
    {"text-phrase-no-feedback", {.text = "\"how internationally educated nurses get their credentials assessed\""}, 1, "r1", {NULL}},
    /* Stop words alone, or beside a NOT, match the records that hold them. */
    {"text-stop-only", {.text = "for"}, 4, "r1,r2,r4,r5", {NULL}},
    {"text-stop-only-phrase", {.text = "\"what for\""}, 1, "r4", {NULL}},
    {"text-stop-not", {.text = "for NOT nurses"}, 2, "r2,r5", {NULL}},
    /* Wildcards expand over stems, also those shorter than what was typed (assessm*: "assess",
     * from assessment) when the rest begins an ending the stemmer takes off; nursery* is not
     * "nurs" + an ending. */
    {"text-wildcard-1", {.text = "assessm*"}, 1, "r1", {NULL}},
    {"text-wildcard-2", {.text = "mentor*"}, 2, "r2,r4", {NULL}},
    {"text-wildcard-3", {.text = "nursery*"}, 0, "", {NULL}},
    {"text-wildcard-4", {.text = "title:mentor*"}, 1, "r4", {NULL}},
    {"text-wildcard-5", {.text = "internationally*"}, 1, "r1", {NULL}},
    /* Search-as-you-type: the last word, a prefix, expands like a wildcard (over stems). */
    {"text-partial-1", {.text = "mentorship assessm", .partial = 1}, 3, "r1,r2,r4", {NULL}},
    {"text-partial-2", {.text = "licensure pharmac", .partial = 1}, 1, "r5", {NULL}},
    {"text-partial-3", {.text = "nursery", .partial = 1}, 0, "", {NULL}},
    {"fr-partial-1", {.text = "infirmi", .lang = "fr", .partial = 1}, 1, "r3", {NULL}},
    {"fr-wildcard-1", {.text = "évaluat*", .lang = "fr"}, 1, "r3", {NULL}},
    {"fr-wildcard-2", {.text = "infirmièr*", .lang = "fr"}, 1, "r3", {NULL}},
    {"text-exclude-1", {.text = "nurses -doctors"}, 1, "r1", {NULL}},
    {"text-mentorship-1", {.text = "mentorship"}, 2, "r2,r4", {NULL}},
    {"text-title-prefix-1", {.text = "title:mentorship"}, 1, "r4", {NULL}},
    {"text-title-prefix-2", {.text = "title:engineers"}, 1, "r2", {NULL}},
    /* A field's terms have no positions: its phrase is the text's phrase, filtered by the field's
     * words (field_phrases). r1's title holds "nurses" and "assessment", not side by side. */
    {"text-title-phrase-1", {.text = "title:\"credential assessment\""}, 1, "r1", {NULL}},
    {"text-title-phrase-2", {.text = "title:\"assessment credential\""}, 0, "", {NULL}},
    {"text-title-phrase-3", {.text = "title:\"assessment for nurses\""}, 1, "r1", {NULL}},
    {"text-title-phrase-4", {.text = "title:\"nurses assessment\""}, 0, "", {NULL}},
    {"text-title-phrase-5", {.text = "title:\"licensed engineers\""}, 0, "", {NULL}},
    {"text-summary-phrase-1", {.text = "summary:\"licensed engineers\""}, 1, "r2", {NULL}},
    {"text-summary-phrase-2", {.text = "summary:\"mentorship lessons\""}, 0, "", {NULL}},
    {"text-title-near-1", {.text = "title:mentorship NEAR employers"}, 1, "r4", {NULL}},
    {"text-title-near-2", {.text = "title:bridging NEAR title:engineers"}, 1, "r2", {NULL}},
    {"fr-title-phrase-1", {.text = "title:\"diplomes etrangers\"", .lang = "fr"}, 1, "r3", {NULL}},
    {"text-province-field-1", {.text = "province:on"}, 2, "r1,r2", {NULL}},
    {"text-province-field-2", {.text = "nurses province:ON"}, 1, "r1", {NULL}},
    {"text-type-field-1", {.text = "type:report"}, 2, "r1,r3", {NULL}},
    {"text-and-1", {.text = "nurses AND credential"}, 1, "r1", {NULL}},
    {"text-or-1", {.text = "engineers OR pharmacists"}, 2, "r2,r5", {NULL}},
    {"text-stem-1", {.text = "nurse"}, 2, "r1,r4", {NULL}},
    {"text-case-1", {.text = "NURSES"}, 2, "r1,r4", {NULL}},
    {"text-no-match-1", {.text = "xylophone"}, 0, "", {[P] = "", [T] = ""}},
    {"fr-unaccented-1", {.text = "diplomes", .lang = "fr"}, 1, "r3", {NULL}},
    {"fr-accented-1", {.text = "diplômes", .lang = "fr"}, 1, "r3", {NULL}},
    {"fr-elision-1", {.text = "l'évaluation", .lang = "fr"}, 1, "r3", {NULL}},
    {"fr-elision-2", {.text = "evaluation", .lang = "fr"}, 1, "r3", {NULL}},
    {"fr-elision-3", {.text = "l’evaluation", .lang = "fr"}, 1, "r3", {NULL}},
    {"fr-stem-1", {.text = "infirmière", .lang = "fr"}, 1, "r3", {NULL}},
    {"date-range-1", {.from = "2019", .to = "2020"}, 2, "r1,r3", {[P] = "ON=1,QC=1"}},
    {"date-range-2", {.from = "2021"}, 1, "r2", {NULL}},
    {"date-range-3", {.to = "2018"}, 1, "r4", {NULL}},
    {"date-range-4", {.from = "2018-12-31", .to = "2019-05-01"}, 2, "r1,r4", {NULL}},
    {"date-range-5", {.from = "2019-05-02", .to = "2019-12"}, 0, "", {NULL}},
    {"date-range-6", {.from = "2020-03", .to = "2020-03"}, 1, "r3", {NULL}},
    {"date-range-facet-1", {.from = "2019", .filter = {[P] = {"QC"}}}, 2, "r2,r3", {[P] = "ON=2,QC=2"}},
};

static void test_search_cases(struct iqn_db *db)
{
    for (size_t i = 0; i < CHECK_NELEM(search_cases); i++) {
        const struct search_case *c = &search_cases[i];
        struct iqn_result *res = run(db, c->id, &c->s);
        if (!res)
            continue;
        char got[1024], want[1024], idbuf[96];
        if (c->total >= 0) {
            snprintf(idbuf, sizeof idbuf, "%s-total", c->id);
            check_int(idbuf, c->total, (long long)res->total);
        }
        if (c->ids) {
            hit_ids(res, got, sizeof got);
            snprintf(idbuf, sizeof idbuf, "%s-hits", c->id);
            check_str(idbuf, c->ids, got);
        }
        for (int f = 0; f < IQN_FACET_COUNT; f++) {
            if (!c->facet[f])
                continue;
            facet_counts(res, f, got, sizeof got);
            snprintf(idbuf, sizeof idbuf, "%s-facet-%s", c->id, iqn_facets[f].name);
            snprintf(want, sizeof want, "%s", c->facet[f]);
            check_str(idbuf, want, got);
            snprintf(idbuf, sizeof idbuf, "%s-facet-%s-order", c->id, iqn_facets[f].name);
            CHECK(idbuf, facet_sorted(res, f));
        }
        iqn_result_free(res);
    }
}

static void test_sort_and_paging(struct iqn_db *db)
{
    char got[256];
    struct search s = {.from = "1000", .sort = IQN_SORT_DATE_ASC};
    struct iqn_result *res = run(db, "sort-date-asc", &s);
    if (res) {
        hit_order(res, got, sizeof got);
        check_str("sort-date-asc", "r4,r1,r3,r2", got);
        iqn_result_free(res);
    }
    s.sort = IQN_SORT_DATE_DESC;
    res = run(db, "sort-date-desc", &s);
    if (res) {
        hit_order(res, got, sizeof got);
        check_str("sort-date-desc", "r2,r3,r1,r4", got);
        iqn_result_free(res);
    }
    /* Undated records sort too, without breaking the order of the dated ones. */
    struct search all = {.sort = IQN_SORT_DATE_DESC};
    res = run(db, "sort-date-desc-all", &all);
    if (res) {
        hit_order(res, got, sizeof got);
        CHECK("sort-date-desc-all", res->nhits == 5 && (strstr(got, "r2,r3,r1,r4") != NULL));
        iqn_result_free(res);
    }
    /* Relevance: the title match ranks above the body match. */
    struct search rel = {.text = "nurses"};
    res = run(db, "sort-relevance", &rel);
    if (res) {
        hit_order(res, got, sizeof got);
        check_str("sort-relevance", "r1,r4", got);
        CHECK("sort-relevance-scores",
              res->nhits == 2 && res->hits[0].score >= res->hits[1].score && res->hits[1].score > 0);
        iqn_result_free(res);
    }
    /* Paging: offset and limit, total unchanged. */
    struct iqn_query q;
    memset(&q, 0, sizeof q);
    q.sort = IQN_SORT_DATE_ASC;
    q.date_from = "10000000";
    q.offset = 1;
    q.limit = 2;
    struct iqn_error err;
    res = NULL;
    int rc = iqn_search(db, &q, &res, &err);
    if (rc == IQN_OK && res) {
        hit_order(res, got, sizeof got);
        check_str("paging-offset-1", "r1,r3", got);
        check_int("paging-total-1", 4, (long long)res->total);
        CHECK("paging-no-facets", res->nfacet[IQN_FACET_PROVINCE] == 0);
    } else {
        check_report("paging-offset-1", 0, err.message);
    }
    iqn_result_free(res);
    q.offset = 10;
    res = NULL;
    rc = iqn_search(db, &q, &res, &err);
    CHECK("paging-past-end", rc == IQN_OK && res && res->nhits == 0 && res->total == 4);
    iqn_result_free(res);
}

static void test_query_edges(struct iqn_db *db)
{
    /* Query syntax errors fall back to plain words: the search succeeds. */
    static const char *const bad[] = {"nurses AND (", "\"unclosed phrase", "AND", "OR OR OR",  "title:",    "-",
                                      "((((",         "nurses NEAR/ x",    "*",   "province:", "a\"b\"c\"", "NOT"};
    for (size_t i = 0; i < CHECK_NELEM(bad); i++) {
        char id[64];
        snprintf(id, sizeof id, "syntax-error-%zu", i + 1);
        struct search s = {.text = bad[i]};
        struct iqn_result *res = run(db, id, &s);
        if (res) {
            check_report(id, 1, "");
            iqn_result_free(res);
        }
    }
    struct search s = {.text = "nurses AND ("};
    struct iqn_result *res = run(db, "syntax-error-words", &s);
    if (res) {
        char got[256];
        hit_ids(res, got, sizeof got);
        check_contains("syntax-error-words", got, "r1");
        iqn_result_free(res);
    }
    /* Invalid UTF-8 in the query is refused, not searched. */
    struct iqn_query q;
    memset(&q, 0, sizeof q);
    q.text = "nurs\xff";
    q.limit = 10;
    struct iqn_error err;
    iqn_error_clear(&err);
    res = NULL;
    int rc = iqn_search(db, &q, &res, &err);
    CHECK("query-invalid-utf8", rc == IQN_EINVAL && res == NULL);

    /* Snippets: matches marked, HTML escaped. */
    struct search sn = {.text = "nurses", .snippets = 1};
    res = run(db, "snippet-search", &sn);
    if (res) {
        int all_marked = res->nhits == 2;
        for (size_t i = 0; i < res->nhits; i++)
            all_marked = all_marked && res->hits[i].snippet && strstr(res->hits[i].snippet, "<mark>nurses</mark>");
        char what[1024];
        snprintf(what, sizeof what, "snippets: \"%s\"", res->nhits && res->hits[0].snippet ? res->hits[0].snippet : "");
        check_report("snippet-marked", all_marked, what);
        iqn_result_free(res);
    }
    struct search nosn = {.text = "nurses"};
    res = run(db, "snippet-not-asked", &nosn);
    if (res) {
        CHECK("snippet-not-asked", res->nhits > 0 && res->hits[0].snippet == NULL);
        iqn_result_free(res);
    }
    /* Spelling: a near miss of an indexed word gets a suggestion; a good word none, nor a word
     * whose stem is indexed ("enginers" stems like "engineers" and finds them). */
    struct search sp = {.text = "pharmacsts", .spelling = 1};
    res = run(db, "did-you-mean", &sp);
    if (res) {
        check_str("did-you-mean", "pharmacists", res->did_you_mean);
        iqn_result_free(res);
    }
    struct search sp2 = {.text = "enginers", .spelling = 1};
    res = run(db, "did-you-mean-stem-known", &sp2);
    if (res) {
        check_str("did-you-mean-stem-known", NULL, res->did_you_mean);
        check_int("did-you-mean-stem-known-total", 1, (long long)res->total);
        iqn_result_free(res);
    }
    struct search good = {.text = "engineers", .spelling = 1};
    res = run(db, "did-you-mean-none", &good);
    if (res) {
        check_str("did-you-mean-none", NULL, res->did_you_mean);
        iqn_result_free(res);
    }
}

/* EN/FR pairs: each record of a pair carries the other's text; a search without a language
 * filter shows the one in the query's language; deleting one unpairs the other. Labels of codes
 * are indexed when the writer has the vocabularies. */
static void test_pairs_and_labels(const char *path)
{
    struct iqn_db *db = NULL;
    struct iqn_error err;
    iqn_error_clear(&err);
    if (!check_report("pairs-open", iqn_db_open(path, IQN_DB_WRITE | IQN_DB_CREATE, &db, &err) == IQN_OK, err.message))
        return;
    iqn_db_set_vocab(db, vocab);
    const char *en = "{\"id\":\"p-en\",\"type\":\"report\",\"lang\":\"en\",\"pair\":\"p-fr\","
                     "\"title\":\"Quoll pairing report\",\"province\":[\"BC\"],\"date\":\"2020\"}";
    const char *fr = "{\"id\":\"p-fr\",\"type\":\"report\",\"lang\":\"fr\",\"pair\":\"p-en\","
                     "\"title\":\"Rapport d’appariement numbat\",\"province\":[\"BC\"],\"date\":\"2020\"}";
    const char *solo = "{\"id\":\"p-solo\",\"type\":\"page\",\"lang\":\"fr\",\"pair\":\"p-en\","
                       "\"title\":\"Numbat sans retour\",\"province\":[\"NS\"]}";
    check_int("pairs-add-en", IQN_UPSERT_ADDED, upsert_json(db, "pairs-add-en", en));
    check_int("pairs-add-fr", IQN_UPSERT_ADDED, upsert_json(db, "pairs-add-fr", fr));
    check_int("pairs-add-solo", IQN_UPSERT_ADDED, upsert_json(db, "pairs-add-solo", solo));
    /* The pair's content is part of each record's: re-adding either is unchanged. */
    check_int("pairs-unchanged-en", IQN_UPSERT_UNCHANGED, upsert_json(db, "pairs-unchanged-en", en));
    CHECK("pairs-commit", iqn_db_commit(db, &err) == IQN_OK);

    char got[256];
    struct {
        const char *id, *text, *lang, *filter_lang[3];
        const char *want;
    } cases[] = {
        {"pairs-en-finds-fr-text", "numbat", "en", {NULL}, "p-en,p-solo"},
        {"pairs-fr-finds-en-text", "quoll", "fr", {NULL}, "p-fr"},
        {"pairs-fr-own", "numbat", "fr", {NULL}, "p-fr,p-solo"},
        {"pairs-all-en", NULL, "en", {NULL}, "p-en,p-solo"},
        {"pairs-all-fr", NULL, "fr", {NULL}, "p-fr,p-solo"},
        {"pairs-lang-filter-both", NULL, "en", {"en", "fr"}, "p-en,p-fr,p-solo"},
        {"pairs-lang-filter-fr", "quoll", "en", {"fr"}, "p-fr"},
        /* lang: in the query text selects a language like the lang filter does. */
        {"pairs-lang-field-fr", "lang:fr", "en", {NULL}, "p-fr,p-solo"},
        {"pairs-lang-field-fr-text", "quoll lang:fr", "en", {NULL}, "p-fr"},
        {"labels-fr-province", "Colombie-Britannique", "en", {"en", "fr"}, "p-en,p-fr"},
        {"labels-en-province", "\"nova scotia\"", "fr", {NULL}, "p-solo"},
    };
    for (size_t i = 0; i < CHECK_NELEM(cases); i++) {
        struct search s = {.text = cases[i].text, .lang = cases[i].lang};
        for (int k = 0; k < 3 && cases[i].filter_lang[k]; k++)
            s.filter[IQN_FACET_LANG][k] = cases[i].filter_lang[k];
        struct iqn_result *res = run(db, cases[i].id, &s);
        if (!res)
            continue;
        hit_ids(res, got, sizeof got);
        check_str(cases[i].id, cases[i].want, got);
        iqn_result_free(res);
    }
    /* The lang facet counts both languages: what choosing one would give. */
    struct search all = {.lang = "en"};
    struct iqn_result *res = run(db, "pairs-lang-facet", &all);
    if (res) {
        facet_counts(res, IQN_FACET_LANG, got, sizeof got);
        check_str("pairs-lang-facet", "en=1,fr=2", got);
        facet_counts(res, IQN_FACET_PROVINCE, got, sizeof got);
        check_str("pairs-province-facet", "BC=1,NS=1", got);
        check_int("pairs-total", 2, (long long)res->total);
        iqn_result_free(res);
    }
    /* Deleting the French record unpairs the English one: its French text goes with it. */
    int found = 0;
    CHECK("pairs-delete-fr", iqn_db_delete(db, "p-fr", &found, &err) == IQN_OK && found);
    iqn_db_commit(db, &err);
    struct search nb = {.text = "numbat", .lang = "en"};
    res = run(db, "pairs-after-delete", &nb);
    if (res) {
        hit_ids(res, got, sizeof got);
        check_str("pairs-after-delete", "p-solo", got);
        iqn_result_free(res);
    }
    /* Re-adding it pairs them again. */
    check_int("pairs-readd-fr", IQN_UPSERT_ADDED, upsert_json(db, "pairs-readd-fr", fr));
    iqn_db_commit(db, &err);
    res = run(db, "pairs-after-readd", &nb);
    if (res) {
        hit_ids(res, got, sizeof got);
        check_str("pairs-after-readd", "p-en,p-solo", got);
        iqn_result_free(res);
    }
    iqn_db_close(db);
}

/* The total of a search of text on db, or -1. */
static long long total_of(struct iqn_db *db, const char *id, const char *text)
{
    struct search s = {.text = text};
    struct iqn_result *res = run(db, id, &s);
    long long total = res ? (long long)res->total : -1;
    iqn_result_free(res);
    return total;
}

/* An index made before stop words were left out (it has records and no "iqn:analysis" key)
 * keeps them: its writers index them, and its readers keep them in phrases, so its phrases match
 * exactly as before until it is rebuilt. A new index says it has none. */
static void test_older_analysis(const char *path)
{
    struct iqn_db *db = NULL, *rd = NULL;
    struct iqn_error err;
    char *v = NULL;
    iqn_error_clear(&err);
    if (!check_report("older-open", iqn_db_open(path, IQN_DB_WRITE | IQN_DB_CREATE, &db, &err) == IQN_OK, err.message))
        return;
    check_int("older-add", IQN_UPSERT_ADDED, upsert_json(db, "older-add", fixture[0]));
    CHECK("older-commit", iqn_db_commit(db, &err) == IQN_OK);
    CHECK("older-new-says", iqn_db_get_meta(db, "iqn:analysis", &v, &err) == IQN_OK && v &&
                                strcmp(v, "stems; stop words as terms without positions") == 0);
    free(v);
    /* Make it an older index: the key goes. */
    CHECK("older-unmark", iqn_db_set_meta(db, "iqn:analysis", "", &err) == IQN_OK && iqn_db_commit(db, &err) == IQN_OK);
    iqn_db_close(db);
    db = NULL;
    if (!check_report("older-reopen", iqn_db_open(path, IQN_DB_WRITE, &db, &err) == IQN_OK, err.message))
        return;
    const char *older = "{\"id\":\"o1\",\"type\":\"report\",\"lang\":\"en\",\"title\":\"Assessment of quolls\"}";
    check_int("older-add-o1", IQN_UPSERT_ADDED, upsert_json(db, "older-add-o1", older));
    CHECK("older-commit-2", iqn_db_commit(db, &err) == IQN_OK);
    v = NULL;
    CHECK("older-stays-unmarked", iqn_db_get_meta(db, "iqn:analysis", &v, &err) == IQN_OK && v && v[0] == '\0');
    free(v);
    if (check_report("older-read-open", iqn_db_open(path, IQN_DB_READ, &rd, &err) == IQN_OK, err.message)) {
        check_int("older-phrase-exact", 1, total_of(rd, "older-phrase-exact", "\"assessment of quolls\""));
        check_int("older-phrase-other-stop", 0, total_of(rd, "older-phrase-other-stop", "\"assessment for quolls\""));
        /* Its stop words hold their positions: the phrase without one is not side by side. */
        check_int("older-phrase-no-stop", 0, total_of(rd, "older-phrase-no-stop", "\"assessment quolls\""));
        iqn_db_close(rd);
    }
    iqn_db_close(db);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int main(void)
{
    struct iqn_error err;
    if (iqn_vocab_load(IQN_TEST_VOCAB_DIR, &vocab, &err) != IQN_OK) {
        printf("FAIL vocab-load: %s\n0 passed, 1 failed\n", err.message);
        return 1;
    }
    snprintf(dbdir, sizeof dbdir, "/tmp/iqn-test-db-XXXXXX");
    if (!mkdtemp(dbdir)) {
        printf("FAIL mkdtemp\n0 passed, 1 failed\n");
        return 1;
    }
    char path[128];
    snprintf(path, sizeof path, "%s/index", dbdir);

    /* Opening a missing index read-only fails with ENOTFOUND; a writer without CREATE too. */
    struct iqn_db *db = NULL;
    iqn_error_clear(&err);
    int rc = iqn_db_open(path, IQN_DB_READ, &db, &err);
    CHECK("open-missing-read", rc == IQN_ENOTFOUND && db == NULL && err.message[0]);
    rc = iqn_db_open(path, IQN_DB_WRITE, &db, &err);
    CHECK("open-missing-write", rc != IQN_OK && db == NULL);

    rc = iqn_db_open(path, IQN_DB_WRITE | IQN_DB_CREATE, &db, &err);
    if (!check_report("open-create", rc == IQN_OK && db, err.message)) {
        iqn_vocab_free(vocab);
        return check_summary("test_db");
    }

    /* Upserts: added, then unchanged, then updated. */
    for (size_t i = 0; i < CHECK_NELEM(fixture); i++) {
        char id[32];
        snprintf(id, sizeof id, "upsert-added-r%zu", i + 1);
        check_int(id, IQN_UPSERT_ADDED, upsert_json(db, id, fixture[i]));
    }
    check_int("upsert-unchanged-uncommitted", IQN_UPSERT_UNCHANGED, upsert_json(db, "upsert-unchanged-1", fixture[0]));
    CHECK("commit-1", iqn_db_commit(db, &err) == IQN_OK);
    check_int("upsert-unchanged-r1", IQN_UPSERT_UNCHANGED, upsert_json(db, "upsert-unchanged-r1", fixture[0]));
    check_int("upsert-unchanged-r3", IQN_UPSERT_UNCHANGED, upsert_json(db, "upsert-unchanged-r3", fixture[2]));
    const char *r5b = "{\"id\":\"r5\",\"type\":\"event\",\"lang\":\"en\",\"title\":\"Licensure workshop (revised)\","
                      "\"summary\":\"A workshop about licensure for pharmacists.\",\"topic\":[\"licensure\"]}";
    check_int("upsert-updated-r5", IQN_UPSERT_UPDATED, upsert_json(db, "upsert-updated-r5", r5b));
    check_int("upsert-unchanged-r5b", IQN_UPSERT_UNCHANGED, upsert_json(db, "upsert-unchanged-r5b", r5b));
    /* Canonicalisation makes a differently cased record the same content. */
    const char *r1_lower =
        "{\"id\":\"r1\",\"type\":\"REPORT\",\"lang\":\"en\",\"title\":\"Credential assessment for nurses\","
        "\"summary\":\"How internationally educated  nurses get their credentials assessed.\","
        "\"province\":[\"on\"],\"profession\":[\"31301\"],\"topic\":[\"credential-assessment\"],"
        "\"date\":\"2019-05-01\"}";
    check_int("upsert-unchanged-canonical", IQN_UPSERT_UNCHANGED,
              upsert_json(db, "upsert-unchanged-canonical", r1_lower));
    /* classify says what upsert would do without writing. */
    struct iqn_record *cr =
        make_record("classify-parse", "{\"id\":\"r9\",\"type\":\"page\",\"lang\":\"en\",\"title\":\"New\"}");
    if (cr) {
        enum iqn_upsert_result cl = IQN_UPSERT_UNCHANGED;
        CHECK("classify-new", iqn_db_classify(db, cr, &cl, &err) == IQN_OK && cl == IQN_UPSERT_ADDED);
        struct iqn_record *got = NULL;
        CHECK("classify-wrote-nothing", iqn_db_get(db, "r9", &got, &err) == IQN_ENOTFOUND && got == NULL);
        iqn_record_free(got);
        iqn_record_free(cr);
    }
    cr = make_record("classify-parse-2", fixture[1]);
    if (cr) {
        enum iqn_upsert_result cl = IQN_UPSERT_ADDED;
        CHECK("classify-unchanged", iqn_db_classify(db, cr, &cl, &err) == IQN_OK && cl == IQN_UPSERT_UNCHANGED);
        iqn_record_set(cr, IQN_F_TITLE, "Changed", &err);
        CHECK("classify-updated", iqn_db_classify(db, cr, &cl, &err) == IQN_OK && cl == IQN_UPSERT_UPDATED);
        iqn_record_free(cr);
    }
    CHECK("commit-2", iqn_db_commit(db, &err) == IQN_OK);

    /* get round trip. */
    struct iqn_record *got = NULL;
    rc = iqn_db_get(db, "r3", &got, &err);
    if (check_report("get-r3", rc == IQN_OK && got, err.message)) {
        struct iqn_record *want = make_record("get-r3-want", fixture[2]);
        struct iqn_buf a, b;
        iqn_buf_init(&a, 1 << 16);
        iqn_buf_init(&b, 1 << 16);
        if (want) {
            iqn_record_to_json(want, 1, &a);
            iqn_record_to_json(got, 1, &b);
            check_str("get-r3-same", a.data, b.data);
        }
        iqn_buf_free(&a);
        iqn_buf_free(&b);
        iqn_record_free(want);
    }
    iqn_record_free(got);
    got = NULL;
    rc = iqn_db_get(db, "r5", &got, &err);
    check_str("get-r5-updated", "Licensure workshop (revised)", rc == IQN_OK ? iqn_record_get(got, IQN_F_TITLE) : NULL);
    iqn_record_free(got);
    got = NULL;
    rc = iqn_db_get(db, "nope", &got, &err);
    CHECK("get-missing", rc == IQN_ENOTFOUND && got == NULL);
    check_contains("get-missing-msg", err.message, "nope");

    struct iqn_db_stats st;
    CHECK("stats-5", iqn_db_stats(db, &st, &err) == IQN_OK && st.doccount == 5 && st.revision >= 2);

    /* Metadata. */
    CHECK("meta-set", iqn_db_set_meta(db, "iqn.test", "v1", &err) == IQN_OK);
    char *mv = NULL;
    CHECK("meta-get", iqn_db_get_meta(db, "iqn.test", &mv, &err) == IQN_OK && mv && strcmp(mv, "v1") == 0);
    free(mv);
    mv = NULL;
    CHECK("meta-unset", iqn_db_get_meta(db, "iqn.none", &mv, &err) == IQN_OK && mv && mv[0] == '\0');
    free(mv);
    iqn_db_commit(db, &err);

    test_search_cases(db);
    test_sort_and_paging(db);
    test_query_edges(db);

    /* A second writer is locked out while the first is open. */
    struct iqn_db *w2 = NULL;
    iqn_error_clear(&err);
    rc = iqn_db_open(path, IQN_DB_WRITE, &w2, &err);
    char what[700];
    snprintf(what, sizeof what, "expected IQN_ELOCKED got %d: %s", rc, err.message);
    check_report("locked-writer", rc == IQN_ELOCKED && w2 == NULL, what);
    iqn_db_close(w2);

    /* A reader sees a new commit after reopen, not before. */
    struct iqn_db *rd = NULL;
    rc = iqn_db_open(path, IQN_DB_READ, &rd, &err);
    if (check_report("open-reader", rc == IQN_OK && rd, err.message)) {
        check_int(
            "upsert-added-r6", IQN_UPSERT_ADDED,
            upsert_json(db, "upsert-added-r6",
                        "{\"id\":\"r6\",\"type\":\"page\",\"lang\":\"en\",\"title\":\"Zanzibar newcomer page\"}"));
        int found = 0;
        CHECK("delete-r5", iqn_db_delete(db, "r5", &found, &err) == IQN_OK && found == 1);
        CHECK("delete-r5-again", iqn_db_delete(db, "r5", &found, &err) == IQN_OK && found == 0);
        CHECK("delete-missing", iqn_db_delete(db, "never-there", &found, &err) == IQN_OK && found == 0);
        struct search z = {.text = "zanzibar"};
        struct iqn_result *res = run(rd, "reader-before-commit", &z);
        if (res) {
            check_int("reader-before-commit", 0, (long long)res->total);
            iqn_result_free(res);
        }
        CHECK("commit-3", iqn_db_commit(db, &err) == IQN_OK);
        int changed = 0;
        CHECK("reopen-changed", iqn_db_reopen(rd, &changed, &err) == IQN_OK && changed == 1);
        res = run(rd, "reader-after-reopen", &z);
        if (res) {
            check_int("reader-after-reopen", 1, (long long)res->total);
            iqn_result_free(res);
        }
        struct search all = {.text = NULL};
        res = run(rd, "reader-deleted", &all);
        if (res) {
            char ids[256];
            hit_ids(res, ids, sizeof ids);
            check_str("reader-deleted", "r1,r2,r3,r4,r6", ids);
            iqn_result_free(res);
        }
        changed = 1;
        CHECK("reopen-unchanged", iqn_db_reopen(rd, &changed, &err) == IQN_OK && changed == 0);

        /* A read-only handle refuses writes with an error, no crash. */
        struct iqn_record *r = make_record("readonly-parse", fixture[0]);
        if (r) {
            enum iqn_upsert_result ur;
            iqn_error_clear(&err);
            rc = iqn_db_upsert(rd, r, &ur, &err);
            snprintf(what, sizeof what, "expected IQN_EINVAL got %d: %s", rc, err.message);
            check_report("readonly-upsert", rc == IQN_EINVAL && err.message[0], what);
            iqn_record_free(r);
        }
        CHECK("readonly-delete", iqn_db_delete(rd, "r1", NULL, &err) == IQN_EINVAL);
        CHECK("readonly-commit", iqn_db_commit(rd, &err) == IQN_EINVAL);
        iqn_db_close(rd);
    }

    /* Closing the writer commits; reopening for writing works once it is closed. */
    upsert_json(db, "upsert-before-close",
                "{\"id\":\"r7\",\"type\":\"page\",\"lang\":\"fr\",\"title\":\"Page fermée\"}");
    iqn_db_close(db);
    db = NULL;
    rc = iqn_db_open(path, IQN_DB_WRITE, &db, &err);
    CHECK("reopen-writer-after-close", rc == IQN_OK && db);
    if (db) {
        got = NULL;
        CHECK("close-committed", iqn_db_get(db, "r7", &got, &err) == IQN_OK && got);
        iqn_record_free(got);
        CHECK("stats-after-close", iqn_db_stats(db, &st, &err) == IQN_OK && st.doccount == 6);
        iqn_db_close(db);
    }
    iqn_db_close(NULL);
    iqn_result_free(NULL);

    char path2[128];
    snprintf(path2, sizeof path2, "%s/pairs", dbdir);
    test_pairs_and_labels(path2);
    snprintf(path2, sizeof path2, "%s/older", dbdir);
    test_older_analysis(path2);

    nftw(dbdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    iqn_vocab_free(vocab);
    return check_summary("test_db");
}
