/* floor.c - iqn-bench-floor: the benchmark's floor. The searches iqn-searchd runs for
 * /api/v1/search (query, exact total, disjunctive facet counts, snippets, spelling), made
 * in-process through libiqn with no HTTP and no JSON, on 1..N threads (one handle each). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_run.h"
#include "db.h"
#include "error.h"
#include "schema.h"

struct floor_args {
    const char *db;
    const char *skip; /* comma-separated parts left out, to see what each costs: facets, snippets, spelling */
    const char *dump; /* file to write each result to (total, hits and scores, facet counts), or "" */
};

static int skipped(const struct floor_args *a, const char *part)
{
    size_t n = strlen(part);
    for (const char *p = a->skip; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, part, n) == 0)
            return 1;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

/* Per-thread state: the index handle and what to compute. */
struct floor_state {
    struct iqn_db *db;
    int facets, snippets, spelling;
    FILE *dump;
};

static void *floor_open(void *arg, int thread)
{
    const struct floor_args *a = arg;
    struct floor_state *st = calloc(1, sizeof *st);
    struct iqn_error err;
    iqn_error_clear(&err);
    if (!st)
        return NULL;
    if (iqn_db_open(a->db, IQN_DB_READ, &st->db, &err) != IQN_OK) {
        fprintf(stderr, "iqn-bench-floor: thread %d: %s\n", thread, err.message);
        free(st);
        return NULL;
    }
    st->facets = !skipped(a, "facets");
    st->snippets = !skipped(a, "snippets");
    st->spelling = !skipped(a, "spelling");
    if (a->dump && *a->dump) {
        st->dump = fopen(a->dump, thread == 0 ? "w" : "a");
        if (!st->dump) {
            perror(a->dump);
            iqn_db_close(st->db);
            free(st);
            return NULL;
        }
    }
    return st;
}

static void floor_close(void *state)
{
    struct floor_state *st = state;
    iqn_db_close(st->db);
    if (st->dump)
        fclose(st->dump);
    free(st);
}

/* A result as one line: the query, total, did_you_mean, each hit's id, score and snippet, each
 * facet's counts. */
static void dump_result(FILE *out, const struct bench_query *bq, const struct iqn_result *r)
{
    fprintf(out, "%s\ttotal=%llu dym=%s", bq->line, r->total, r->did_you_mean ? r->did_you_mean : "");
    for (size_t i = 0; i < r->nhits; i++)
        fprintf(out, " %s:%.9f:%s", iqn_record_get(r->hits[i].record, IQN_F_ID), r->hits[i].score,
                r->hits[i].snippet ? r->hits[i].snippet : "");
    for (int f = 0; f < IQN_FACET_COUNT; f++) {
        fprintf(out, " |%s", iqn_facets[f].name);
        for (size_t i = 0; i < r->nfacet[f]; i++)
            fprintf(out, " %s=%llu", r->facet[f][i].code, r->facet[f][i].count);
    }
    fputc('\n', out);
}

/* One search with the settings of searchd/api_search.c make_query(): first page of 10 hits,
 * facets, snippets, spelling, bodies dropped from hits. */
static long floor_search(void *state, const struct bench_query *bq)
{
    struct floor_state *st = state;
    const char *codes[IQN_FACET_COUNT][BENCH_FILTER_MAX];
    struct iqn_query q;
    struct iqn_result *res = NULL;
    struct iqn_error err;
    memset(&q, 0, sizeof q);
    q.text = bq->text;
    q.lang = bq->lang;
    for (size_t i = 0; i < bq->nfilter; i++) {
        int f = iqn_facet_lookup(bq->filter[i].facet);
        if (f < 0)
            return -1;
        codes[f][q.nfilter[f]++] = bq->filter[i].code;
    }
    for (int f = 0; f < IQN_FACET_COUNT; f++)
        q.filter[f] = q.nfilter[f] ? codes[f] : NULL;
    q.sort = bq->sort_date ? IQN_SORT_DATE_DESC : IQN_SORT_RELEVANCE;
    q.limit = 10;
    q.facets = st->facets;
    q.snippets = st->snippets;
    q.spelling = st->spelling;
    q.no_body = 1;
    iqn_error_clear(&err);
    if (iqn_search(st->db, &q, &res, &err) != IQN_OK) {
        fprintf(stderr, "iqn-bench-floor: '%s': %s\n", bq->line, err.message);
        return -1;
    }
    long total = (long)res->total;
    if (st->dump)
        dump_result(st->dump, bq, res);
    iqn_result_free(res);
    return total;
}

static void usage(FILE *out)
{
    fputs("usage: iqn-bench-floor --db DIR --queries FILE [--threads N] [--seconds S] [--warmup S] [--label L]\n"
          "                       [--skip PARTS] [--once] [--dump FILE]\n"
          "\n"
          "Run the query list against the index in-process (libiqn, no HTTP) on N threads for S seconds\n"
          "after a warm-up, and print one summary line: queries/s and latency percentiles in ms.\n"
          "--once: run each query once and print its number of matches, its milliseconds and the query,\n"
          "one a line.\n"
          "--skip PARTS: leave out facets, snippets and/or spelling (comma-separated), to see what\n"
          "each part costs.\n"
          "--dump FILE: write each result to FILE, one line a query: total, hits with their scores and\n"
          "snippets, facet counts (to compare two builds or settings; use with --once).\n",
          out);
}

int main(int argc, char **argv)
{
    struct floor_args a = {NULL, "", ""};
    const struct bench_flag flags[] = {{"--db", &a.db}, {"--skip", &a.skip}, {"--dump", &a.dump}, {NULL, NULL}};
    struct bench_worker w = {floor_open, floor_search, floor_close, &a};
    return bench_main(argc, argv, 1, "iqn-bench-floor", "floor", flags, usage, &w);
}
