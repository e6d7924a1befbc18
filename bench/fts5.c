/* fts5.c - iqn-bench-fts5: the SQLite FTS5 peer of the benchmark. `build` loads JSON Lines records
 * into an FTS5 index (title, summary, body; bm25 ranking) with a side table of facet codes;
 * `search` runs the query list like iqn-searchd does: any-word match, exact total, disjunctive
 * facet counts by GROUP BY over the matching rows, first page of 10 hits with snippet(). */
#include <json-c/json.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_run.h"
#include "records.h"

#define BATCH 1000                      /* records per transaction, as iqn-index --batch */
#define SQL_MAX 8192
#define MATCH_MAX 4096
#define CACHE_SLOTS 64                  /* prepared statements kept per connection */

#define NFACETS BENCH_NFACETS

/* ---- build ---- */

static const char *const schema_sql =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE doc(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT, lang TEXT, title TEXT,"
    " summary TEXT, body TEXT, date TEXT, organization TEXT, url TEXT);"
    "CREATE VIRTUAL TABLE fts USING fts5(title, summary, body, content='doc', content_rowid='rowid',"
    " tokenize='porter unicode61 remove_diacritics 2');"
    "INSERT INTO fts(fts, rank) VALUES('rank', 'bm25(3.0, 2.0, 1.0)');"
    "CREATE TABLE facet(doc INTEGER NOT NULL, f INTEGER NOT NULL, code TEXT NOT NULL,"
    " PRIMARY KEY(doc, f, code)) WITHOUT ROWID;"
    "CREATE INDEX facet_code ON facet(f, code, doc);";

struct loader {
    sqlite3 *db;
    sqlite3_stmt *doc, *fts, *facet;
    unsigned long long n; /* records loaded */
};

static int bind_text(sqlite3_stmt *st, int i, const char *s)
{
    return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

static int step_reset(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int add_facet(struct loader *l, sqlite3_int64 rowid, int f, const char *code)
{
    sqlite3_bind_int64(l->facet, 1, rowid);
    sqlite3_bind_int(l->facet, 2, f);
    bind_text(l->facet, 3, code);
    return step_reset(l->facet);
}

/* Insert one record (a parsed JSON object). */
static int load_record(struct loader *l, struct json_object *o)
{
    static const char *const cols[] = {"id", "type", "lang", "title", "summary", "body", "date", "organization", "url"};
    for (int i = 0; i < 9; i++)
        bind_text(l->doc, i + 1, bench_json_str(o, cols[i]));
    if (step_reset(l->doc) != 0)
        return -1;
    sqlite3_int64 rowid = sqlite3_last_insert_rowid(l->db);
    sqlite3_bind_int64(l->fts, 1, rowid);
    bind_text(l->fts, 2, bench_json_str(o, "title"));
    bind_text(l->fts, 3, bench_json_str(o, "summary"));
    bind_text(l->fts, 4, bench_json_str(o, "body"));
    if (step_reset(l->fts) != 0)
        return -1;
    for (int f = 0; f < NFACETS; f++) {
        struct json_object *v;
        if (!json_object_object_get_ex(o, bench_facet_names[f], &v))
            continue;
        if (json_object_is_type(v, json_type_string)) {
            if (add_facet(l, rowid, f, json_object_get_string(v)) != 0)
                return -1;
            continue;
        }
        if (!json_object_is_type(v, json_type_array))
            continue;
        size_t n = json_object_array_length(v);
        for (size_t i = 0; i < n; i++) {
            struct json_object *c = json_object_array_get_idx(v, i);
            if (json_object_is_type(c, json_type_string) && add_facet(l, rowid, f, json_object_get_string(c)) != 0)
                return -1;
        }
    }
    return 0;
}

static int exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "iqn-bench-fts5: %s\n", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* bench_read_records' callback: one record in, a commit every BATCH records. */
static int on_record(void *ctx, struct json_object *o, const char *file, unsigned long line)
{
    struct loader *l = ctx;
    if (load_record(l, o) != 0) {
        fprintf(stderr, "iqn-bench-fts5: %s:%lu: %s\n", file, line, sqlite3_errmsg(l->db));
        return -1;
    }
    return ++l->n % BATCH == 0 ? exec(l->db, "COMMIT; BEGIN") : 0;
}

/* build --db FILE JSONL...: a new database (FILE must not exist) from JSON Lines files. */
static int cmd_build(const char *path, char **files, int nfiles)
{
    struct loader l = {NULL, NULL, NULL, NULL, 0};
    int rc = 1;
    double t0 = bench_now();
    FILE *probe = fopen(path, "r");
    if (probe) {
        fclose(probe);
        fprintf(stderr, "iqn-bench-fts5: %s exists; build writes a new database\n", path);
        return 2;
    }
    if (sqlite3_open(path, &l.db) != SQLITE_OK) {
        fprintf(stderr, "iqn-bench-fts5: %s: %s\n", path, sqlite3_errmsg(l.db));
        goto done;
    }
    if (exec(l.db, schema_sql) != 0)
        goto done;
    if (sqlite3_prepare_v2(l.db,
                           "INSERT INTO doc(id, type, lang, title, summary, body, date, organization, url)"
                           " VALUES(?,?,?,?,?,?,?,?,?)",
                           -1, &l.doc, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(l.db, "INSERT INTO fts(rowid, title, summary, body) VALUES(?,?,?,?)", -1, &l.fts, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(l.db, "INSERT OR IGNORE INTO facet(doc, f, code) VALUES(?,?,?)", -1, &l.facet, NULL) !=
            SQLITE_OK) {
        fprintf(stderr, "iqn-bench-fts5: %s\n", sqlite3_errmsg(l.db));
        goto done;
    }
    if (exec(l.db, "BEGIN") != 0)
        goto done;
    for (int i = 0; i < nfiles; i++)
        if (bench_read_records(files[i], "iqn-bench-fts5", on_record, &l) != 0)
            goto done;
    if (exec(l.db, "COMMIT") != 0)
        goto done;
    /* Merge the FTS5 segments into one b-tree, as recommended after a bulk load; then leave WAL
     * mode, so that read-only searchers need no shared-memory file. */
    if (exec(l.db, "INSERT INTO fts(fts) VALUES('optimize'); PRAGMA wal_checkpoint(TRUNCATE);"
                   " PRAGMA journal_mode=DELETE;") != 0)
        goto done;
    double secs = bench_now() - t0;
    printf("fts5-build records=%llu seconds=%.3f rate=%.1f\n", l.n, secs, secs > 0 ? (double)l.n / secs : 0.0);
    rc = 0;
done:
    sqlite3_finalize(l.doc);
    sqlite3_finalize(l.fts);
    sqlite3_finalize(l.facet);
    sqlite3_close(l.db);
    return rc;
}

/* ---- search ---- */

struct stmt_cache {
    sqlite3 *db;
    char *sql[CACHE_SLOTS];
    sqlite3_stmt *st[CACHE_SLOTS];
    unsigned next; /* slot replaced next when full (round robin) */
};

static sqlite3_stmt *prepared(struct stmt_cache *c, const char *sql)
{
    for (unsigned i = 0; i < CACHE_SLOTS; i++)
        if (c->sql[i] && strcmp(c->sql[i], sql) == 0) {
            sqlite3_reset(c->st[i]);
            sqlite3_clear_bindings(c->st[i]);
            return c->st[i];
        }
    unsigned k = c->next++ % CACHE_SLOTS;
    sqlite3_finalize(c->st[k]);
    free(c->sql[k]);
    c->st[k] = NULL;
    c->sql[k] = strdup(sql);
    if (!c->sql[k] || sqlite3_prepare_v2(c->db, sql, -1, &c->st[k], NULL) != SQLITE_OK) {
        fprintf(stderr, "iqn-bench-fts5: %s\n  in: %s\n", sqlite3_errmsg(c->db), sql);
        free(c->sql[k]);
        c->sql[k] = NULL;
        return NULL;
    }
    return c->st[k];
}

static void *fts_open(void *arg, int thread)
{
    const char *path = *(const char *const *)arg; /* set by bench_main before any thread starts */
    struct stmt_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    /* The busy timeout: threads opening a WAL database at once may find its shared memory being set up. */
    if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
        sqlite3_busy_timeout(c->db, 10000) != SQLITE_OK ||
        exec(c->db, "PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824;") != 0) {
        fprintf(stderr, "iqn-bench-fts5: thread %d: %s: %s\n", thread, path, sqlite3_errmsg(c->db));
        sqlite3_close(c->db);
        free(c);
        return NULL;
    }
    return c;
}

static void fts_close(void *state)
{
    struct stmt_cache *c = state;
    for (unsigned i = 0; i < CACHE_SLOTS; i++) {
        sqlite3_finalize(c->st[i]);
        free(c->sql[i]);
    }
    sqlite3_close(c->db);
    free(c);
}

/* The user's query as an FTS5 expression: "quoted phrases" stay phrases, other words are
 * quoted tokens, all joined with OR (iqn-searchd's default operator). */
static int match_expr(const char *text, char *out, size_t cap)
{
    size_t n = 0, len;
    int terms = 0, phrase;
    const char *p = text, *start;
    while (bench_next_term(&p, &start, &len, &phrase)) {
        if (n + 8 + 2 * len >= cap)
            return -1;
        if (terms++)
            n += (size_t)snprintf(out + n, cap - n, " OR ");
        out[n++] = '"';
        for (size_t i = 0; i < len; i++) {
            if (start[i] == '"')
                out[n++] = '"';
            out[n++] = start[i];
        }
        out[n++] = '"';
    }
    out[n] = '\0';
    return terms ? 0 : -1;
}

/* Codes selected per facet, in query order. */
struct selection {
    const char *codes[NFACETS][BENCH_FILTER_MAX];
    size_t n[NFACETS];
};

/* Append " AND EXISTS(...)" for every facet with a selection except skip. */
static size_t add_filters(char *sql, size_t len, size_t cap, const struct selection *s, int skip)
{
    for (int f = 0; f < NFACETS; f++) {
        if (f == skip || !s->n[f])
            continue;
        len += (size_t)snprintf(sql + len, len < cap ? cap - len : 0,
                                " AND EXISTS(SELECT 1 FROM facet x"
                                " WHERE x.doc = fts.rowid AND x.f = %d AND x.code IN (",
                                f);
        for (size_t i = 0; i < s->n[f]; i++)
            len += (size_t)snprintf(sql + len, len < cap ? cap - len : 0, i ? ",?" : "?");
        len += (size_t)snprintf(sql + len, len < cap ? cap - len : 0, "))");
    }
    return len;
}

/* Bind the match expression, then the codes of every facet except skip, in add_filters' order. */
static void bind_all(sqlite3_stmt *st, const char *match, const struct selection *s, int skip)
{
    int k = 1;
    sqlite3_bind_text(st, k++, match, -1, SQLITE_STATIC);
    for (int f = 0; f < NFACETS; f++) {
        if (f == skip)
            continue;
        for (size_t i = 0; i < s->n[f]; i++)
            sqlite3_bind_text(st, k++, s->codes[f][i], -1, SQLITE_STATIC);
    }
}

/* Fetch every column of the current row as text, as a program using the results would. */
static void read_row(sqlite3_stmt *st, int ncol)
{
    for (int i = 0; i < ncol; i++)
        (void)sqlite3_column_text(st, i);
}

static long fts_search(void *state, const struct bench_query *q)
{
    struct stmt_cache *c = state;
    struct selection sel;
    char match[MATCH_MAX], sql[SQL_MAX];
    sqlite3_stmt *st;
    sqlite3_int64 top[10];
    int ntop = 0;
    long total = -1;
    size_t len;
    memset(&sel, 0, sizeof sel);
    for (size_t i = 0; i < q->nfilter; i++) {
        int f = bench_facet_index(q->filter[i].facet);
        if (f < 0)
            return -1;
        sel.codes[f][sel.n[f]++] = q->filter[i].code;
    }
    if (match_expr(q->text, match, sizeof match) != 0)
        return -1;

    /* Exact total. */
    len = (size_t)snprintf(sql, sizeof sql, "SELECT count(*) FROM fts WHERE fts MATCH ?");
    if (add_filters(sql, len, sizeof sql, &sel, -1) >= sizeof sql || !(st = prepared(c, sql)))
        return -1;
    bind_all(st, match, &sel, -1);
    if (sqlite3_step(st) != SQLITE_ROW)
        return -1;
    total = (long)sqlite3_column_int64(st, 0);

    /* Facets without a selection: one GROUP BY over the matching rows and their codes. CROSS JOIN
     * keeps the full-text match as the outer loop (otherwise SQLite may walk every code of the
     * facet and probe the full-text index once per row). */
    len = (size_t)snprintf(sql, sizeof sql,
                           "SELECT facet.f, facet.code, count(*) FROM fts CROSS JOIN facet ON facet.doc = fts.rowid"
                           " WHERE fts MATCH ?");
    len = add_filters(sql, len, sizeof sql, &sel, -1);
    int unselected = 0;
    for (int f = 0; f < NFACETS; f++)
        if (!sel.n[f])
            len += (size_t)snprintf(sql + len, len < sizeof sql ? sizeof sql - len : 0,
                                    unselected++ ? ",%d" : " AND facet.f IN (%d", f);
    len += (size_t)snprintf(sql + len, len < sizeof sql ? sizeof sql - len : 0, ") GROUP BY facet.f, facet.code");
    if (unselected) {
        if (len >= sizeof sql || !(st = prepared(c, sql)))
            return -1;
        bind_all(st, match, &sel, -1);
        while (sqlite3_step(st) == SQLITE_ROW)
            read_row(st, 3);
    }

    /* Disjunctive counts: each facet with a selection, with its own selection left out. */
    for (int f = 0; f < NFACETS; f++) {
        if (!sel.n[f])
            continue;
        len = (size_t)snprintf(sql, sizeof sql,
                               "SELECT facet.code, count(*) FROM fts CROSS JOIN facet ON facet.doc = fts.rowid"
                               " WHERE fts MATCH ? AND facet.f = %d",
                               f);
        len = add_filters(sql, len, sizeof sql, &sel, f);
        len += (size_t)snprintf(sql + len, len < sizeof sql ? sizeof sql - len : 0, " GROUP BY facet.code");
        if (len >= sizeof sql || !(st = prepared(c, sql)))
            return -1;
        bind_all(st, match, &sel, f);
        while (sqlite3_step(st) == SQLITE_ROW)
            read_row(st, 2);
    }

    /* The first page: ten rowids by bm25 (FTS5's rank) or by date. */
    if (q->sort_date)
        len = (size_t)snprintf(sql, sizeof sql,
                               "SELECT fts.rowid FROM fts JOIN doc ON doc.rowid = fts.rowid WHERE fts MATCH ?");
    else
        len = (size_t)snprintf(sql, sizeof sql, "SELECT fts.rowid FROM fts WHERE fts MATCH ?");
    len = add_filters(sql, len, sizeof sql, &sel, -1);
    len += (size_t)snprintf(sql + len, len < sizeof sql ? sizeof sql - len : 0,
                            q->sort_date ? " ORDER BY doc.date DESC LIMIT 10" : " ORDER BY rank LIMIT 10");
    if (len >= sizeof sql || !(st = prepared(c, sql)))
        return -1;
    bind_all(st, match, &sel, -1);
    while (ntop < 10 && sqlite3_step(st) == SQLITE_ROW)
        top[ntop++] = sqlite3_column_int64(st, 0);

    /* Each hit: stored fields and a highlighted snippet from summary or body. */
    st = prepared(c, "SELECT doc.id, doc.title, doc.date, doc.type, doc.lang, doc.url,"
                     " snippet(fts, -1, '<mark>', '</mark>', '…', 32) FROM fts JOIN doc ON doc.rowid = fts.rowid"
                     " WHERE fts MATCH ? AND fts.rowid = ?");
    if (!st)
        return -1;
    for (int i = 0; i < ntop; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, top[i]);
        if (sqlite3_step(st) == SQLITE_ROW)
            read_row(st, 7);
    }
    return total;
}

static void usage(FILE *out)
{
    fputs("usage: iqn-bench-fts5 build --db FILE JSONL...\n"
          "       iqn-bench-fts5 search --db FILE --queries FILE [--threads N] [--seconds S] [--warmup S] [--label L]\n"
          "                                                              [--once]\n"
          "\n"
          "build: load JSON Lines records into a new SQLite FTS5 database and print the import rate.\n"
          "search: run the query list (any-word match, total, disjunctive facet counts, 10 hits with\n"
          "snippets) on N threads for S seconds and print one summary line; with --once, each query once\n"
          "with its number of matches and milliseconds.\n",
          out);
}

int main(int argc, char **argv)
{
    const char *db = NULL;
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "search") == 0) {
        const struct bench_flag flags[] = {{"--db", &db}, {NULL, NULL}};
        struct bench_worker w = {fts_open, fts_search, fts_close, &db};
        return bench_main(argc, argv, 2, "iqn-bench-fts5", "fts5", flags, usage, &w);
    }
    /* build --db FILE JSONL... */
    if (strcmp(argv[1], "build") != 0 || argc < 5 || strcmp(argv[2], "--db") != 0) {
        usage(stderr);
        return 2;
    }
    return cmd_build(argv[3], argv + 4, argc - 4);
}
