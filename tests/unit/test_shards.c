/* test_shards.c - a sharded index answers exactly like a single one: the same records (JSON Lines
 * fixture plus translation pairs whose halves land in different shards), the same searches,
 * compared hit by hit, score by score, facet count by facet count; then updates and deletes; and a
 * first import built in parallel parts (iqn_db_bulk), compared the same way. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "db.h"
#include "record.h"
#include "vocab.h"

#define NSHARDS 3

static struct iqn_vocab *vocab;

/* Records: a few hand-written ones (with EN/FR pairs) and 60 made up from a pattern. */
static const char *const fixed[] = {
    "{\"id\":\"pair-en\",\"type\":\"initiative\",\"lang\":\"en\",\"pair\":\"pair-fr\",\"title\":\"Bridging for "
    "internationally educated nurses\",\"summary\":\"A bridging program with clinical placements.\","
    "\"province\":[\"ON\"],\"profession\":[\"31301\"],\"topic\":[\"bridging-programs\"],\"date\":\"2021-03-04\"}",
    "{\"id\":\"pair-fr\",\"type\":\"initiative\",\"lang\":\"fr\",\"pair\":\"pair-en\",\"title\":\"Passerelle pour les "
    "infirmières formées à l'étranger\",\"summary\":\"Un programme de transition avec des stages cliniques.\","
    "\"province\":[\"ON\"],\"profession\":[\"31301\"],\"topic\":[\"bridging-programs\"],\"date\":\"2021-03-04\"}",
    "{\"id\":\"eng-1\",\"type\":\"report\",\"lang\":\"en\",\"pair\":\"eng-1-fr\",\"title\":\"Engineers and the "
    "experience requirement\",\"body\":\"Regulators of engineering reviewed Canadian experience rules.\","
    "\"province\":[\"BC\",\"AB\"],\"profession\":[\"21300\",\"21301\"],\"topic\":[\"licensure\"],\"date\":\"2019\"}",
    "{\"id\":\"eng-1-fr\",\"type\":\"report\",\"lang\":\"fr\",\"pair\":\"eng-1\",\"title\":\"Les ingénieurs et "
    "l'exigence d'expérience\",\"body\":\"Les ordres d'ingénieurs ont revu l'exigence d'expérience canadienne.\","
    "\"province\":[\"BC\",\"AB\"],\"profession\":[\"21300\",\"21301\"],\"topic\":[\"licensure\"],\"date\":\"2019\"}",
};

static const char *const provinces[] = {"ON", "QC", "BC", "AB", "NS", "CA"};
static const char *const topics[] = {"licensure", "mentorship", "credential-assessment", "language-training"};
static const char *const words[] = {"nurses", "engineers", "pharmacists", "teachers", "electricians"};

static int load(struct iqn_db *db, const char *json, const char *id)
{
    struct iqn_record *r = iqn_record_new();
    struct iqn_error err;
    enum iqn_upsert_result res;
    int rc = iqn_record_from_json(r, json, strlen(json), &err);
    if (rc == IQN_OK)
        rc = iqn_record_validate(r, vocab, &err);
    if (rc == IQN_OK)
        rc = iqn_db_upsert(db, r, &res, &err);
    if (rc != IQN_OK)
        check_report(id, 0, err.message);
    iqn_record_free(r);
    return rc;
}

static void make_json(int i, char *out, size_t len)
{
    snprintf(out, len,
             "{\"id\":\"gen-%03d\",\"type\":\"%s\",\"lang\":\"%s\",\"title\":\"Assessing %s in %s, case %d\","
             "\"body\":\"Credential assessment and %s for internationally trained %s; %s program number %d, "
             "code zeta%c.\","
             "\"province\":[\"%s\"],\"topic\":[\"%s\",\"%s\"],\"date\":\"20%02d-%02d-01\"}",
             i, i % 3 ? "report" : "lesson", i % 4 ? "en" : "fr", words[i % 5], provinces[i % 6], i, topics[i % 4],
             words[(i / 5) % 5], i % 7 ? "bridging" : "mentoring", i, "abcdefghijk"[(i * i) % 11], provinces[(i / 6) % 6],
             topics[i % 4],
             topics[(i + 1) % 4], 10 + i % 15, 1 + i % 12);
}

static void load_all(struct iqn_db *db, const char *id)
{
    char json[1024];
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        load(db, fixed[i], id);
    for (int i = 0; i < 60; i++) {
        make_json(i, json, sizeof json);
        load(db, json, id);
    }
    /* Undated records of the same text: equal weights, ordered by the tie-break alone. */
    for (int i = 0; i < 12; i++) {
        snprintf(json, sizeof json,
                 "{\"id\":\"twin-%02d\",\"type\":\"report\",\"lang\":\"en\",\"title\":\"Welders\","
                 "\"body\":\"Welders in the trades.\",\"province\":[\"%s\"]}",
                 i, provinces[i % 6]);
        load(db, json, id);
    }
    struct iqn_error err;
    if (iqn_db_commit(db, &err) != IQN_OK)
        check_report(id, 0, err.message);
}

/* A whole result as text: total, ids, scores, snippets, every facet count, did_you_mean. */
static void describe(const struct iqn_result *r, char *out, size_t len)
{
    size_t o = 0;
    o += (size_t)snprintf(out + o, len - o, "total=%llu dym=%s |", r->total, r->did_you_mean ? r->did_you_mean : "-");
    for (size_t i = 0; i < r->nhits && o < len; i++)
        o += (size_t)snprintf(out + o, len - o, " %s:%.9f:%s", iqn_record_get(r->hits[i].record, IQN_F_ID),
                              r->hits[i].score, r->hits[i].snippet ? r->hits[i].snippet : "");
    for (int f = 0; f < IQN_FACET_COUNT && o < len; f++) {
        o += (size_t)snprintf(out + o, len - o, " | %s", iqn_facets[f].name);
        for (size_t i = 0; i < r->nfacet[f] && o < len; i++)
            o += (size_t)snprintf(out + o, len - o, " %s=%llu", r->facet[f][i].code, r->facet[f][i].count);
    }
}

struct shard_case {
    const char *id;
    const char *text;
    const char *lang;
    const char *province; /* one selected province, or NULL */
    const char *topic;
    enum iqn_sort sort;
    unsigned offset, limit;
};

static const struct shard_case cases[] = {
    {"shards-all", NULL, "en", NULL, NULL, IQN_SORT_RELEVANCE, 0, 100},
    {"shards-all-page2", "", "en", NULL, NULL, IQN_SORT_RELEVANCE, 10, 10},
    {"shards-word", "nurses", "en", NULL, NULL, IQN_SORT_RELEVANCE, 0, 20},
    {"shards-fr", "infirmières", "fr", NULL, NULL, IQN_SORT_RELEVANCE, 0, 20},
    {"shards-pair-fr-ui", "bridging", "fr", NULL, NULL, IQN_SORT_RELEVANCE, 0, 20},
    {"shards-facets", "credential assessment", "en", "ON", "licensure", IQN_SORT_RELEVANCE, 0, 10},
    {"shards-date-desc", "program", "en", "QC", NULL, IQN_SORT_DATE_DESC, 0, 15},
    {"shards-date-asc", NULL, "en", NULL, "mentorship", IQN_SORT_DATE_ASC, 5, 15},
    {"shards-phrase", "\"credential assessment\" -mentoring", "en", NULL, NULL, IQN_SORT_RELEVANCE, 0, 30},
    /* Phrases of stems: with stop words, in the other language (OP_MAX of both stemmings, which
     * share their stop words), with filters, with a word twice. */
    {"shards-phrase-stop", "\"engineers and the\" OR \"assessment for nurses\"", "en", NULL, NULL, IQN_SORT_RELEVANCE, 0, 30},
    {"shards-phrase-fr-in-en", "\"infirmières formées\" OR \"les ingénieurs\"", "en", NULL, NULL, IQN_SORT_RELEVANCE, 0, 30},
    {"shards-phrase-fr", "\"stages cliniques\" programme", "fr", NULL, NULL, IQN_SORT_RELEVANCE, 0, 30},
    {"shards-phrase-facets", "\"credential assessment\" nurses", "en", "ON", "licensure", IQN_SORT_RELEVANCE, 0, 10},
    {"shards-phrase-repeated", "\"nurses nurses\" OR \"educated nurses\" nurses", "en", NULL, NULL, IQN_SORT_RELEVANCE, 0, 30},
    /* A field's phrase: the text's phrase filtered by the field's words (field_phrases). */
    {"shards-field-phrase", "title:\"assessing nurses\"", "en", NULL, NULL, IQN_SORT_RELEVANCE, 0, 30},
    {"shards-field-phrase-summary", "summary:\"clinical placements\" OR title:bridging", "fr", NULL, NULL,
     IQN_SORT_RELEVANCE, 0, 30},
    {"shards-field-phrase-facets", "title:\"assessing engineers\" nurses", "fr", "ON", NULL, IQN_SORT_RELEVANCE, 0, 10},
    {"shards-wildcard", "engin* OR pharm*", "en", NULL, NULL, IQN_SORT_RELEVANCE, 0, 30},
    {"shards-feedback", "how are internationally trained electricians assessed for licensure", "en", NULL, NULL,
     IQN_SORT_RELEVANCE, 0, 30},
    {"shards-spelling", "pharmacsts", "en", NULL, NULL, IQN_SORT_RELEVANCE, 0, 10},
    /* Shapes BM25 is computed for from the posting lists on a single index (and by Xapian's
     * matcher on shards): words, +required, -excluded, AND, a filter typed in the text, a
     * repeated word (left to the matcher), a deep page, and a date order. */
    {"shards-words", "credential assessment nurses", "en", NULL, NULL, IQN_SORT_RELEVANCE, 0, 30},
    {"shards-required", "+credential assessment mentoring", "en", NULL, NULL, IQN_SORT_RELEVANCE, 0, 30},
    {"shards-excluded", "nurses program -bridging", "en", NULL, NULL, IQN_SORT_RELEVANCE, 0, 30},
    {"shards-and", "credential AND assessment", "fr", NULL, NULL, IQN_SORT_RELEVANCE, 0, 30},
    {"shards-typed-filter", "program lang:fr", "en", NULL, NULL, IQN_SORT_RELEVANCE, 0, 30},
    {"shards-repeated", "nurses nurses assessment", "en", NULL, NULL, IQN_SORT_RELEVANCE, 0, 30},
    {"shards-weighted-and-excluded", "nurses assessment -nurses", "en", NULL, NULL, IQN_SORT_RELEVANCE, 0, 30},
    {"shards-deep-page", "program OR assessment", "en", NULL, NULL, IQN_SORT_RELEVANCE, 20, 25},
    {"shards-words-date", "credential nurses", "en", "ON", NULL, IQN_SORT_DATE_DESC, 0, 30},
    {"shards-words-date-asc", "program assessment", "fr", NULL, "licensure", IQN_SORT_DATE_ASC, 3, 30},
    {"shards-wildcard-many", "zeta*", "en", NULL, NULL, IQN_SORT_RELEVANCE, 0, 60},
    {"shards-ties-undated", "welders", "en", NULL, NULL, IQN_SORT_RELEVANCE, 0, 20},
    {"shards-ties-undated-page", "welders trades", "en", "QC", NULL, IQN_SORT_RELEVANCE, 1, 5},
    {"shards-past-the-end", "program", "en", NULL, NULL, IQN_SORT_RELEVANCE, 3000000000u, 10},
    {"shards-phrase-past-the-end", "\"credential assessment\"", "en", NULL, NULL, IQN_SORT_DATE_DESC, 3000000000u, 10},
};

static struct iqn_result *search(struct iqn_db *db, const struct shard_case *c)
{
    struct iqn_query q;
    memset(&q, 0, sizeof q);
    q.text = c->text;
    q.lang = c->lang;
    const char *prov[1] = {c->province}, *top[1] = {c->topic};
    if (c->province) {
        q.filter[IQN_FACET_PROVINCE] = prov;
        q.nfilter[IQN_FACET_PROVINCE] = 1;
    }
    if (c->topic) {
        q.filter[IQN_FACET_TOPIC] = top;
        q.nfilter[IQN_FACET_TOPIC] = 1;
    }
    q.sort = c->sort;
    q.offset = c->offset;
    q.limit = c->limit;
    q.facets = q.snippets = q.spelling = 1;
    struct iqn_result *r = NULL;
    struct iqn_error err;
    if (iqn_search(db, &q, &r, &err) != IQN_OK)
        check_report(c->id, 0, err.message);
    return r;
}

/* Every case through handle a and handle b, result by result. */
static void compare_handles(struct iqn_db *a, struct iqn_db *b, const char *suffix)
{
    static char da[65536], dbuf[65536];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char id[96];
        snprintf(id, sizeof id, "%s%s", cases[i].id, suffix);
        struct iqn_result *ra = search(a, &cases[i]), *rb = search(b, &cases[i]);
        if (ra && rb) {
            describe(ra, da, sizeof da);
            describe(rb, dbuf, sizeof dbuf);
            check_str(id, da, dbuf);
        }
        iqn_result_free(ra);
        iqn_result_free(rb);
    }
}

static void compare_all(const char *single, const char *sharded, const char *suffix)
{
    struct iqn_db *a = NULL, *b = NULL;
    struct iqn_error err;
    if (iqn_db_open(single, IQN_DB_READ, &a, &err) != IQN_OK || iqn_db_open(sharded, IQN_DB_READ, &b, &err) != IQN_OK) {
        check_report("shards-open", 0, err.message);
        iqn_db_close(a);
        return;
    }
    compare_handles(a, b, suffix);
    iqn_db_close(a);
    iqn_db_close(b);
}

/* Readers on several threads share the posting-list cache (here tiny, so lists are added and
 * pushed out all the time): each thread's results must stay those of a lone reader. */
#define CONCURRENT_THREADS 3
#define CONCURRENT_ROUNDS 15
#define NCASES (sizeof cases / sizeof cases[0])

struct concurrent_run {
    const char *path;
    char (*want)[65536]; /* NCASES expected descriptions */
    int mismatches, errors;
};

static void *concurrent_reader(void *arg)
{
    struct concurrent_run *run = arg;
    struct iqn_db *db = NULL;
    struct iqn_error err;
    static _Thread_local char got[65536];
    if (iqn_db_open(run->path, IQN_DB_READ, &db, &err) != IQN_OK) {
        run->errors++;
        return NULL;
    }
    for (int round = 0; round < CONCURRENT_ROUNDS; round++) {
        for (size_t i = 0; i < NCASES; i++) {
            const struct shard_case *c = &cases[(i + (size_t)round) % NCASES];
            struct iqn_result *r = search(db, c);
            if (!r) {
                run->errors++;
                continue;
            }
            describe(r, got, sizeof got);
            if (strcmp(got, run->want[(i + (size_t)round) % NCASES]) != 0)
                run->mismatches++;
            iqn_result_free(r);
        }
    }
    iqn_db_close(db);
    return NULL;
}

static void test_concurrent_readers(const char *single)
{
    static char want[NCASES][65536];
    struct iqn_db *db = NULL;
    struct iqn_error err;
    if (iqn_db_open(single, IQN_DB_READ, &db, &err) != IQN_OK) {
        check_report("concurrent-open", 0, err.message);
        return;
    }
    for (size_t i = 0; i < NCASES; i++) {
        struct iqn_result *r = search(db, &cases[i]);
        want[i][0] = '\0';
        if (r)
            describe(r, want[i], sizeof want[i]);
        iqn_result_free(r);
    }
    iqn_db_close(db);
    pthread_t th[CONCURRENT_THREADS];
    struct concurrent_run runs[CONCURRENT_THREADS];
    int started = 0;
    for (int i = 0; i < CONCURRENT_THREADS; i++) {
        runs[i] = (struct concurrent_run){single, want, 0, 0};
        if (pthread_create(&th[i], NULL, concurrent_reader, &runs[i]) == 0)
            started++;
    }
    int mismatches = 0, errors = 0;
    for (int i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
        mismatches += runs[i].mismatches;
        errors += runs[i].errors;
    }
    check_int("concurrent-threads", CONCURRENT_THREADS, started);
    check_int("concurrent-errors", 0, errors);
    check_int("concurrent-same-results", 0, mismatches);
}

/* The same updates and deletes for every layout; returns how many of the deletes found their record. */
static int change(struct iqn_db *w, const char *layout)
{
    const char *changed = "{\"id\":\"gen-007\",\"type\":\"report\",\"lang\":\"en\",\"title\":\"Rewritten record about "
                          "dentists\",\"province\":[\"NU\"],\"topic\":[\"mentorship\"],\"date\":\"2024-01-01\"}";
    char id[64];
    snprintf(id, sizeof id, "shards-update-%s", layout);
    load(w, changed, id);
    struct iqn_error err;
    int found = 0, n = 0;
    iqn_db_delete(w, "pair-fr", &found, &err);
    n += found;
    iqn_db_delete(w, "gen-010", &found, &err);
    n += found;
    snprintf(id, sizeof id, "shards-commit-%s", layout);
    if (iqn_db_commit(w, &err) != IQN_OK)
        check_report(id, 0, err.message);
    return n;
}

static unsigned long long doccount(const char *path)
{
    struct iqn_db *db = NULL;
    struct iqn_error err;
    struct iqn_db_stats st = {0, 0};
    if (iqn_db_open(path, IQN_DB_READ, &db, &err) == IQN_OK)
        iqn_db_stats(db, &st, &err);
    iqn_db_close(db);
    return st.doccount;
}

/* A first import built in parts (iqn_db_bulk) gives the index an in-place build gives, records,
 * scores, facets, spelling and metadata alike; until it is finished the index stays empty, and a
 * build that is never finished leaves it empty and whole. */
static void test_bulk(const char *base, const char *single)
{
    char path[160], work[200];
    snprintf(path, sizeof path, "%s/bulk", base);
    snprintf(work, sizeof work, "%s.bulk", path);
    struct iqn_error err;
    struct iqn_db *w = NULL;
    int started = 0;

    /* Abandoned: closed without iqn_db_finish. */
    if (iqn_db_open(path, IQN_DB_WRITE | IQN_DB_CREATE, &w, &err) != IQN_OK) {
        check_report("bulk-open", 0, err.message);
        return;
    }
    iqn_db_set_vocab(w, vocab);
    check_int("bulk-start", IQN_OK, iqn_db_bulk(w, 3, &started, &err));
    check_int("bulk-started", 1, started);
    check_true_at("bulk-work-folder", access(work, F_OK) == 0, "PATH.bulk exists during the build", __FILE__, __LINE__);
    load_all(w, "bulk-load-abandoned");
    iqn_db_close(w);
    check_int("bulk-abandoned-empty", 0, (long long)doccount(path));

    /* The real one: the abandoned build's folder is cleared, the records go in, changes too. */
    w = NULL;
    if (iqn_db_open(path, IQN_DB_WRITE | IQN_DB_CREATE, &w, &err) != IQN_OK) {
        check_report("bulk-reopen", 0, err.message);
        return;
    }
    iqn_db_set_vocab(w, vocab);
    check_int("bulk-restart", IQN_OK, iqn_db_bulk(w, 3, &started, &err));
    check_int("bulk-restarted", 1, started);
    load_all(w, "bulk-load");
    check_int("bulk-meta-set", IQN_OK, iqn_db_set_meta(w, "state:/some/file", "kept", &err));
    struct iqn_record *r = NULL;
    check_int("bulk-get-during", IQN_OK, iqn_db_get(w, "eng-1-fr", &r, &err)); /* reads see the build */
    iqn_record_free(r);
    check_int("bulk-deletes-found", 2, change(w, "bulk"));
    check_int("bulk-not-published-yet", 0, (long long)doccount(path));
    check_int("bulk-finish", IQN_OK, iqn_db_finish(w, &err));
    check_true_at("bulk-work-folder-gone", access(work, F_OK) != 0, "PATH.bulk removed", __FILE__, __LINE__);
    check_int("bulk-finish-again", IQN_OK, iqn_db_finish(w, &err)); /* nothing left to do */
    char *v = NULL;
    check_int("bulk-meta-get", IQN_OK, iqn_db_get_meta(w, "state:/some/file", &v, &err));
    check_str("bulk-meta-kept", "kept", v);
    free(v);
    /* Still a writer of the published index: a second import updates it in place. */
    check_int("bulk-no-second", IQN_OK, iqn_db_bulk(w, 3, &started, &err));
    check_int("bulk-not-started-on-records", 0, started);
    iqn_db_close(w);
    check_int("bulk-count", (long long)doccount(single), (long long)doccount(path));
    compare_all(single, path, "-bulk");
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
    char base[] = "/tmp/iqn-test-shards-XXXXXX";
    /* A single index's reader keeps the posting lists of common terms; here every term counts as
     * common and the cache holds a few lists at a time, so searches go through it, and through its
     * emptying when full, and must still give the sharded index's results. */
    setenv("IQN_POSTINGS_CACHE_MIN", "1", 1);
    setenv("IQN_POSTINGS_CACHE_MB", "0.004", 1);
    if (iqn_vocab_load(IQN_TEST_VOCAB_DIR, &vocab, &err) != IQN_OK || !mkdtemp(base)) {
        printf("FAIL setup: %s\n0 passed, 1 failed\n", err.message);
        return 1;
    }
    char single[128], sharded[128], stub[160];
    snprintf(single, sizeof single, "%s/single", base);
    snprintf(sharded, sizeof sharded, "%s/sharded", base);
    snprintf(stub, sizeof stub, "%s/iqn.stub", sharded);

    check_int("shards-create", IQN_OK, iqn_db_create_sharded(sharded, NSHARDS, &err));
    check_int("shards-create-again", IQN_OK, iqn_db_create_sharded(sharded, NSHARDS, &err));
    check_int("shards-create-other-count", IQN_EINVAL, iqn_db_create_sharded(sharded, 2, &err));
    check_int("shards-create-zero", IQN_EINVAL, iqn_db_create_sharded(sharded, 0, &err));
    check_true_at("shards-stub-exists", access(stub, R_OK) == 0, "stub file exists", __FILE__, __LINE__);

    struct iqn_db *w1 = NULL, *w2 = NULL;
    if (iqn_db_open(single, IQN_DB_WRITE | IQN_DB_CREATE, &w1, &err) != IQN_OK ||
        iqn_db_open(sharded, IQN_DB_WRITE | IQN_DB_CREATE, &w2, &err) != IQN_OK) {
        printf("FAIL open writers: %s\n0 passed, 1 failed\n", err.message);
        return 1;
    }
    iqn_db_set_vocab(w1, vocab);
    iqn_db_set_vocab(w2, vocab);
    check_int("shards-count", NSHARDS, iqn_db_shard_count(w2));
    check_int("shards-count-single", 1, iqn_db_shard_count(w1));
    load_all(w1, "shards-load-single");
    load_all(w2, "shards-load-sharded");

    /* Every shard holds some records: placement by id spreads them. */
    for (int s = 0; s < NSHARDS; s++) {
        char path[200], id[64];
        snprintf(path, sizeof path, "%s/shard-%03d", sharded, s);
        snprintf(id, sizeof id, "shards-spread-%d", s);
        struct iqn_db *one = NULL;
        struct iqn_db_stats st = {0, 0};
        if (iqn_db_open(path, IQN_DB_READ, &one, &err) == IQN_OK)
            iqn_db_stats(one, &st, &err);
        iqn_db_close(one);
        CHECK(id, st.doccount > 5 && st.doccount < 60);
    }
    compare_all(single, sharded, "");
    test_concurrent_readers(single);
    /* The folder and the stub file itself both open the sharded index. */
    compare_all(single, stub, "-via-stub");

    /* A reader that has searched (and kept posting lists) before the changes, reopened after them. */
    struct iqn_db *kept = NULL;
    check_int("shards-open-kept", IQN_OK, iqn_db_open(single, IQN_DB_READ, &kept, &err));
    for (size_t i = 0; kept && i < sizeof cases / sizeof cases[0]; i++)
        iqn_result_free(search(kept, &cases[i]));

    /* Updates and deletes reach the right shard; pairs stay paired across shards. */
    change(w1, "single");
    check_int("shards-deletes-found", 2, change(w2, "sharded"));
    struct iqn_record *r = NULL;
    check_int("shards-get-after-update", IQN_OK, iqn_db_get(w2, "gen-007", &r, &err));
    check_str("shards-get-title", "Rewritten record about dentists", r ? iqn_record_get(r, IQN_F_TITLE) : NULL);
    iqn_record_free(r);
    iqn_db_close(w1);
    iqn_db_close(w2);
    compare_all(single, sharded, "-after-changes");
    int moved = 0;
    check_int("shards-reopen-kept", IQN_OK, kept ? iqn_db_reopen(kept, &moved, &err) : IQN_EINVAL);
    CHECK("shards-kept-moved", moved);
    struct iqn_db *fresh = NULL;
    if (kept && iqn_db_open(sharded, IQN_DB_READ, &fresh, &err) == IQN_OK)
        compare_handles(kept, fresh, "-reopened");
    iqn_db_close(fresh);
    iqn_db_close(kept);
    test_bulk(base, single);

    /* A writer cannot open remote shards. */
    FILE *f = fopen(stub, "a");
    if (f) {
        fputs("remote 127.0.0.1:1\n", f);
        fclose(f);
    }
    struct iqn_db *w3 = NULL;
    int rc = iqn_db_open(sharded, IQN_DB_WRITE, &w3, &err);
    check_int("shards-writer-refuses-remote", IQN_EINVAL, rc);
    check_contains("shards-writer-refuses-remote-msg", err.message, "remote");
    iqn_db_close(w3);

    iqn_vocab_free(vocab);
    nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}
