/* pg.c - iqn-bench-pg: the PostgreSQL full-text search peer of the benchmark, through libpq.
 * `build` loads JSON Lines records into a new database the way PostgreSQL's manual recommends for
 * a bulk load (COPY into tables made in the same transaction, indexes after the data, then VACUUM,
 * ANALYZE and CHECKPOINT): a table of records with a stored tsvector (title weighted A, summary B,
 * body D), a GIN index on it and a side table of facet codes; `search` runs the query list like
 * iqn-searchd does: any-word match, exact total, disjunctive facet counts by GROUP BY over the
 * matching rows, first page of 10 hits by ts_rank (or date) with ts_headline() snippets. */
#include <json-c/json.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_run.h"
#include "buf.h"
#include "records.h"

#define COPY_FILE_MAX (1024u * 1024 * 1024) /* one input file's rows, sent with one COPY */
#define COPY_CHUNK (1u << 20)           /* bytes handed to PQputCopyData at a time */
#define SQL_MAX 8192
#define MATCH_MAX 4096
#define ARRAY_MAX 2048                  /* one facet's selected codes as a text[] literal */

#define NFACETS BENCH_NFACETS

/* Text search: each record analysed in its own language (English or French stemming, accents
 * folded by the unaccent dictionary, as a bilingual PostgreSQL deployment would set it up); a
 * query is parsed in both languages and either matches, as iqn-searchd does. */
#define REC_CONFIG(lang) "(CASE WHEN " lang " = 'fr' THEN 'iqn_fr'::regconfig ELSE 'iqn_en'::regconfig END)"
#define TSQUERY "(SELECT websearch_to_tsquery('iqn_en', $1) || websearch_to_tsquery('iqn_fr', $1) AS q) AS"

/* One field in COPY's text format: \N for NULL; backslash, tab, newline and CR escaped. */
static int copy_field(struct iqn_buf *b, const char *s, int last)
{
    int rc = 0;
    if (!s)
        rc = iqn_buf_adds(b, "\\N");
    else
        for (const char *p = s; *p && rc == 0; p++) {
            const char *esc = *p == '\\' ? "\\\\" : *p == '\t' ? "\\t" : *p == '\n' ? "\\n" : *p == '\r' ? "\\r" : NULL;
            rc = esc ? iqn_buf_add(b, esc, 2) : iqn_buf_addc(b, *p);
        }
    return rc ? rc : iqn_buf_addc(b, last ? '\n' : '\t');
}

static int exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    PQclear(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fprintf(stderr, "iqn-bench-pg: %s  in: %.200s\n", PQerrorMessage(c), sql);
        return -1;
    }
    return 0;
}

/* ---- build ---- */

static const char *const schema_sql =
    "CREATE EXTENSION IF NOT EXISTS unaccent;"
    "CREATE TEXT SEARCH CONFIGURATION iqn_en (COPY = english);"
    "ALTER TEXT SEARCH CONFIGURATION iqn_en ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;"
    "CREATE TEXT SEARCH CONFIGURATION iqn_fr (COPY = french);"
    "ALTER TEXT SEARCH CONFIGURATION iqn_fr ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;"
    "CREATE TABLE doc(rowid bigint NOT NULL, id text NOT NULL, type text, lang text, title text, summary text,"
    " body text, date text, organization text, url text,"
    " tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector(" REC_CONFIG("lang") ", coalesce(title, '')), 'A') ||"
    " setweight(to_tsvector(" REC_CONFIG("lang") ", coalesce(summary, '')), 'B') ||"
    " to_tsvector(" REC_CONFIG("lang") ", coalesce(body, ''))) STORED);"
    "CREATE TABLE facet(doc bigint NOT NULL, f smallint NOT NULL, code text NOT NULL);";

static const char *const index_sql =
    "ALTER TABLE doc ADD PRIMARY KEY (rowid);"
    "CREATE UNIQUE INDEX doc_id ON doc(id);"
    "CREATE INDEX doc_tsv ON doc USING gin(tsv);"
    "ALTER TABLE facet ADD PRIMARY KEY (doc, f, code);"
    "CREATE INDEX facet_code ON facet(f, code, doc);";

/* The codes of one facet of a record (a string or an array of strings), each once. */
static size_t facet_codes(struct json_object *o, const char *name, const char **out, size_t max)
{
    struct json_object *v;
    size_t n = 0;
    if (!json_object_object_get_ex(o, name, &v))
        return 0;
    if (json_object_is_type(v, json_type_string)) {
        out[0] = json_object_get_string(v);
        return 1;
    }
    if (!json_object_is_type(v, json_type_array))
        return 0;
    size_t len = json_object_array_length(v);
    for (size_t i = 0; i < len && n < max; i++) {
        struct json_object *c = json_object_array_get_idx(v, i);
        if (!json_object_is_type(c, json_type_string))
            continue;
        const char *code = json_object_get_string(c);
        size_t k = 0;
        while (k < n && strcmp(out[k], code) != 0)
            k++;
        if (k == n)
            out[n++] = code;
    }
    return n;
}

/* One record's row of doc and rows of facet, in COPY text format. */
static int add_record(struct iqn_buf *docs, struct iqn_buf *facets, long long rowid, struct json_object *o)
{
    static const char *const cols[] = {"id", "type", "lang", "title", "summary", "body", "date", "organization", "url"};
    char num[32];
    snprintf(num, sizeof num, "%lld", rowid);
    if (copy_field(docs, num, 0) != 0)
        return -1;
    for (int i = 0; i < 9; i++)
        if (copy_field(docs, bench_json_str(o, cols[i]), i == 8) != 0)
            return -1;
    for (int f = 0; f < NFACETS; f++) {
        const char *codes[64];
        size_t n = facet_codes(o, bench_facet_names[f], codes, 64);
        for (size_t i = 0; i < n; i++) {
            char fnum[8];
            snprintf(fnum, sizeof fnum, "%d", f);
            if (copy_field(facets, num, 0) != 0 || copy_field(facets, fnum, 0) != 0 ||
                copy_field(facets, codes[i], 1) != 0)
                return -1;
        }
    }
    return 0;
}

/* COPY table FROM STDIN with the rows in b, handed over in chunks. */
static int copy_rows(PGconn *c, const char *table, const struct iqn_buf *b)
{
    char sql[128];
    snprintf(sql, sizeof sql, "COPY %s FROM STDIN", table);
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == PGRES_COPY_IN;
    PQclear(r);
    if (!ok) {
        fprintf(stderr, "iqn-bench-pg: %s", PQerrorMessage(c));
        return -1;
    }
    for (size_t off = 0; off < b->len && ok; off += COPY_CHUNK) {
        size_t n = b->len - off < COPY_CHUNK ? b->len - off : COPY_CHUNK;
        ok = PQputCopyData(c, b->data + off, (int)n) == 1;
    }
    if (PQputCopyEnd(c, ok ? NULL : "client failed") != 1)
        ok = 0;
    while ((r = PQgetResult(c)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            ok = 0;
        PQclear(r);
    }
    if (!ok)
        fprintf(stderr, "iqn-bench-pg: COPY %s: %s", table, PQerrorMessage(c));
    return ok ? 0 : -1;
}

/* The peak resident memory (kB) and CPU seconds so far of a process of this machine (the
 * server's backend serving us), from /proc; zeros if it cannot be read. */
static void proc_usage(int pid, long *hwm_kb, double *cpu)
{
    char path[64], line[512];
    *hwm_kb = 0;
    *cpu = 0;
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (f) {
        while (fgets(line, sizeof line, f))
            if (strncmp(line, "VmHWM:", 6) == 0)
                *hwm_kb = strtol(line + 6, NULL, 10);
        fclose(f);
    }
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    f = fopen(path, "r");
    if (f) {
        if (fgets(line, sizeof line, f)) {
            const char *p = strrchr(line, ')');
            unsigned long ut = 0, st = 0;
            /* after ") ": state, then fields 4.. ; utime and stime are fields 14 and 15 */
            if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2)
                *cpu = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
        }
        fclose(f);
    }
}

/* One file's rows for COPY, and the records loaded so far. */
struct loader {
    struct iqn_buf docs, facets;
    long long n;
};

/* bench_read_records' callback: one record's rows (records without an id are skipped). */
static int on_record(void *ctx, struct json_object *o, const char *file, unsigned long line)
{
    struct loader *l = ctx;
    if (!bench_json_str(o, "id")) {
        fprintf(stderr, "iqn-bench-pg: %s:%lu: no id; skipped\n", file, line);
        return 0;
    }
    if (add_record(&l->docs, &l->facets, ++l->n, o) != 0) {
        fprintf(stderr, "iqn-bench-pg: %s:%lu: out of memory, or the file's rows over %u bytes (one COPY)\n", file,
                line, COPY_FILE_MAX);
        return -1;
    }
    return 0;
}

/* build --conninfo STR JSONL...: load into the (empty) database STR names. */
static int cmd_build(const char *conninfo, char **files, int nfiles)
{
    struct loader l;
    int rc = 1;
    iqn_buf_init(&l.docs, COPY_FILE_MAX);
    iqn_buf_init(&l.facets, COPY_FILE_MAX);
    l.n = 0;
    double t0 = bench_now();
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "iqn-bench-pg: %s", PQerrorMessage(c));
        goto done;
    }
    PGresult *r = PQexec(c, "SELECT count(*) FROM pg_tables WHERE tablename IN ('doc', 'facet')");
    int exists = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && atoi(PQgetvalue(r, 0, 0)) > 0;
    PQclear(r);
    if (exists) {
        fprintf(stderr, "iqn-bench-pg: the database already has tables doc or facet; build loads a new database\n");
        rc = 2;
        goto done;
    }
    int backend = PQbackendPID(c);
    /* One transaction: tables made in it are loaded without WAL when wal_level is minimal. */
    if (PQsetClientEncoding(c, "UTF8") != 0 || exec_ok(c, "BEGIN") != 0 || exec_ok(c, schema_sql) != 0)
        goto done;
    for (int i = 0; i < nfiles; i++) {
        iqn_buf_reset(&l.docs);
        iqn_buf_reset(&l.facets);
        if (bench_read_records(files[i], "iqn-bench-pg", on_record, &l) != 0 || copy_rows(c, "doc", &l.docs) != 0 ||
            copy_rows(c, "facet", &l.facets) != 0)
            goto done;
    }
    /* Then make the tables ready as a DBA would before opening them to searches: VACUUM sets
     * every row's visibility once (or the first searches would, writing pages as they read them)
     * and ANALYZE gathers the planner's statistics; CHECKPOINT writes it all out, as iqn-index's
     * import ends with its index on disk. */
    if (exec_ok(c, index_sql) != 0 || exec_ok(c, "COMMIT") != 0 || exec_ok(c, "VACUUM (FREEZE, ANALYZE)") != 0 ||
        exec_ok(c, "CHECKPOINT") != 0)
        goto done;
    double secs = bench_now() - t0;
    r = PQexec(c, "SELECT pg_database_size(current_database())");
    long long bytes = PQresultStatus(r) == PGRES_TUPLES_OK ? atoll(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    long hwm;
    double cpu;
    proc_usage(backend, &hwm, &cpu);
    printf("pg-build records=%lld seconds=%.3f rate=%.1f size_bytes=%lld backend_peak_kb=%ld backend_cpu=%.3f\n", l.n,
           secs, secs > 0 ? (double)l.n / secs : 0.0, bytes, hwm, cpu);
    rc = 0;
done:
    iqn_buf_free(&l.docs);
    iqn_buf_free(&l.facets);
    PQfinish(c);
    return rc;
}

/* ---- search ---- */

static void *pg_open(void *arg, int thread)
{
    const char *conninfo = *(const char *const *)arg; /* set by bench_main before any thread starts */
    PGconn *c = PQconnectdb(conninfo);
    /* Rows are reached through the indexes: the planner does not count the cost of reading each
     * row's tsvector out of TOAST storage, and the sequential scans it picks for words found in
     * most records made the run half as fast (docs/BENCHMARKS.md). */
    if (PQstatus(c) != CONNECTION_OK || PQsetClientEncoding(c, "UTF8") != 0 ||
        exec_ok(c, "SET enable_seqscan = off") != 0) {
        fprintf(stderr, "iqn-bench-pg: thread %d: %s", thread, PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    return c;
}

static void pg_close(void *state)
{
    PQfinish(state);
}

/* The user's query for websearch_to_tsquery(): "quoted phrases" stay phrases, other words are
 * joined with `or` (iqn-searchd's default operator); a word's leading '-' (websearch's NOT) is
 * dropped. */
static int match_expr(const char *text, char *out, size_t cap)
{
    size_t n = 0, len;
    int terms = 0, phrase;
    const char *p = text, *start;
    while (bench_next_term(&p, &start, &len, &phrase)) {
        for (; !phrase && len && *start == '-'; len--)
            start++;
        if (!len)
            continue;
        if (n + 8 + len >= cap)
            return -1;
        if (terms++)
            n += (size_t)snprintf(out + n, cap - n, " or ");
        if (phrase)
            out[n++] = '"';
        memcpy(out + n, start, len);
        n += len;
        if (phrase)
            out[n++] = '"';
    }
    out[n] = '\0';
    return terms ? 0 : -1;
}

/* A query's parameters: $1 the match text, then one text[] literal per facet with a selection. */
struct params {
    char match[MATCH_MAX];
    char codes[NFACETS][ARRAY_MAX]; /* "" when the facet has no selection */
    const char *v[NFACETS + 2];
    int n;
};

/* Append " AND EXISTS(...)" for every facet with a selection except skip, numbering the
 * parameters from $2 and listing their values in p->v. */
static size_t add_filters(char *sql, size_t len, size_t cap, struct params *p, int skip)
{
    p->v[0] = p->match;
    p->n = 1;
    for (int f = 0; f < NFACETS; f++) {
        if (f == skip || !p->codes[f][0])
            continue;
        p->v[p->n++] = p->codes[f];
        len += (size_t)snprintf(sql + len, len < cap ? cap - len : 0,
                                " AND EXISTS(SELECT 1 FROM facet x WHERE x.doc = doc.rowid AND x.f = %d"
                                " AND x.code = ANY($%d::text[]))",
                                f, p->n);
    }
    return len;
}

/* Run sql with the parameters; its rows' values all read as a program using them would. Returns
 * the result (to PQclear) or NULL with the error printed. */
static PGresult *run(PGconn *c, const char *sql, const struct params *p)
{
    PGresult *r = PQexecParams(c, sql, p->n, NULL, p->v, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "iqn-bench-pg: %s  in: %.300s\n", PQerrorMessage(c), sql);
        PQclear(r);
        return NULL;
    }
    int rows = PQntuples(r), cols = PQnfields(r);
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            (void)PQgetvalue(r, i, j);
    return r;
}

/* Add code to a text[] literal: {"a","b"} with " and \ escaped. */
static int array_add(char *arr, size_t cap, const char *code)
{
    size_t n = strlen(arr);
    if (n == 0)
        arr[n++] = '{';
    else
        arr[n - 1] = ','; /* replaces the closing brace */
    if (n + 2 * strlen(code) + 4 >= cap)
        return -1;
    arr[n++] = '"';
    for (const char *s = code; *s; s++) {
        if (*s == '"' || *s == '\\')
            arr[n++] = '\\';
        arr[n++] = *s;
    }
    arr[n++] = '"';
    arr[n++] = '}';
    arr[n] = '\0';
    return 0;
}

#define APPEND(...) (len += (size_t)snprintf(sql + len, len < sizeof sql ? sizeof sql - len : 0, __VA_ARGS__))

static long pg_search(void *state, const struct bench_query *q)
{
    PGconn *c = state;
    struct params p;
    char sql[SQL_MAX];
    PGresult *r;
    long total;
    size_t len;
    memset(p.codes, 0, sizeof p.codes);
    for (size_t i = 0; i < q->nfilter; i++) {
        int f = bench_facet_index(q->filter[i].facet);
        if (f < 0 || array_add(p.codes[f], sizeof p.codes[f], q->filter[i].code) != 0)
            return -1;
    }
    if (match_expr(q->text, p.match, sizeof p.match) != 0)
        return -1;

    /* Exact total. */
    len = (size_t)snprintf(sql, sizeof sql, "SELECT count(*) FROM doc, " TSQUERY " t WHERE doc.tsv @@ q");
    if (add_filters(sql, len, sizeof sql, &p, -1) >= sizeof sql || !(r = run(c, sql, &p)))
        return -1;
    total = atol(PQgetvalue(r, 0, 0));
    PQclear(r);

    /* Facets without a selection: one GROUP BY over the matching rows and their codes. */
    len = (size_t)snprintf(sql, sizeof sql,
                           "SELECT facet.f, facet.code, count(*) FROM doc JOIN facet ON facet.doc = doc.rowid, " TSQUERY
                           " t WHERE doc.tsv @@ q");
    len = add_filters(sql, len, sizeof sql, &p, -1);
    int unselected = 0;
    for (int f = 0; f < NFACETS; f++)
        if (!p.codes[f][0])
            APPEND(unselected++ ? ",%d" : " AND facet.f IN (%d", f);
    APPEND(") GROUP BY facet.f, facet.code");
    if (unselected) {
        if (len >= sizeof sql || !(r = run(c, sql, &p)))
            return -1;
        PQclear(r);
    }

    /* Disjunctive counts: each facet with a selection, with its own selection left out. */
    for (int f = 0; f < NFACETS; f++) {
        if (!p.codes[f][0])
            continue;
        len = (size_t)snprintf(sql, sizeof sql,
                               "SELECT facet.code, count(*) FROM doc JOIN facet ON facet.doc = doc.rowid, " TSQUERY
                               " t WHERE doc.tsv @@ q AND facet.f = %d",
                               f);
        len = add_filters(sql, len, sizeof sql, &p, f);
        APPEND(" GROUP BY facet.code");
        if (len >= sizeof sql || !(r = run(c, sql, &p)))
            return -1;
        PQclear(r);
    }

    /* The first page with stored fields and a highlighted snippet of summary and body. The
     * snippets are made for the ten hits only (the subquery's LIMIT comes first). */
    len = (size_t)snprintf(sql, sizeof sql,
                           "SELECT h.id, h.title, h.date, h.type, h.lang, h.url, ts_headline(" REC_CONFIG("h.lang")
                           ", coalesce(h.summary, '') || ' ' || coalesce(h.body, ''), h.q,"
                           " 'StartSel=<mark>, StopSel=</mark>, MaxWords=32, MinWords=12, ShortWord=2')"
                           " FROM (SELECT doc.*, q FROM doc, " TSQUERY " t WHERE doc.tsv @@ q");
    len = add_filters(sql, len, sizeof sql, &p, -1);
    APPEND(q->sort_date ? " ORDER BY doc.date DESC NULLS LAST LIMIT 10) h" : " ORDER BY ts_rank(doc.tsv, q) DESC LIMIT 10) h");
    if (len >= sizeof sql || !(r = run(c, sql, &p)))
        return -1;
    PQclear(r);
    return total;
}

static void usage(FILE *out)
{
    fputs("usage: iqn-bench-pg build --conninfo STR JSONL...\n"
          "       iqn-bench-pg search --conninfo STR --queries FILE [--threads N] [--seconds S] [--warmup S]\n"
          "                                                          [--label L] [--once]\n"
          "\n"
          "build: load JSON Lines records into the empty PostgreSQL database that the libpq connection\n"
          "string STR names (tsvector + GIN, facet table) and print the import rate.\n"
          "search: run the query list (any-word match, total, disjunctive facet counts, 10 hits with\n"
          "snippets) on N connections for S seconds and print one summary line; with --once, each query\n"
          "once with its number of matches and milliseconds.\n",
          out);
}

int main(int argc, char **argv)
{
    const char *conninfo = NULL;
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "search") == 0) {
        const struct bench_flag flags[] = {{"--conninfo", &conninfo}, {NULL, NULL}};
        struct bench_worker w = {pg_open, pg_search, pg_close, &conninfo};
        return bench_main(argc, argv, 2, "iqn-bench-pg", "pg", flags, usage, &w);
    }
    if (strcmp(argv[1], "build") != 0 || argc < 5 || strcmp(argv[2], "--conninfo") != 0) {
        usage(stderr);
        return 2;
    }
    return cmd_build(argv[3], argv + 4, argc - 4);
}
