/* db.h - the C API over Xapian: open an index, upsert and delete records, search with
 * disjunctive facet counts and snippets. The implementation (db.cc) is the only C++ in the
 * project; every entry point catches every exception and reports it through struct iqn_error.
 * A struct iqn_db is not thread-safe: open one per thread. */
#ifndef IQN_DB_H
#define IQN_DB_H

#include <stddef.h>

#include "error.h"
#include "record.h"
#include "schema.h"
#include "vocab.h"

#ifdef __cplusplus
extern "C" {
#endif

struct iqn_db;

enum iqn_db_flags {
    IQN_DB_READ = 0,
    IQN_DB_WRITE = 1,  /* open for writing (exclusive lock) */
    IQN_DB_CREATE = 2  /* with WRITE: create the index if it does not exist */
};

/* Open the index at path: a directory, or (read-only) a Xapian stub database file listing
 * local and remote shards. */
int iqn_db_open(const char *path, int flags, struct iqn_db **out, struct iqn_error *err);
/* Create an empty index split into nshards shards: folders path/shard-000 ... and the stub file
 * path/iqn.stub that lists them (written last). iqn_db_open(path) then opens every shard, writers
 * place each record by its id, and readers search them as one. Existing with the same count: OK. */
int iqn_db_create_sharded(const char *path, unsigned nshards, struct iqn_error *err);
/* Number of shards of a writer (1 for a plain index), 0 for a reader. */
int iqn_db_shard_count(struct iqn_db *db);
/* Close; uncommitted changes of a writer are committed first (Xapian's behaviour). Accepts NULL. */
void iqn_db_close(struct iqn_db *db);
/* Give a writer the vocabularies: each record is then also indexed under the English and French
 * labels of its codes, so "Colombie-Britannique" or "registered nurses" find records tagged BC or
 * 31301 in either language. v must outlive db. */
void iqn_db_set_vocab(struct iqn_db *db, const struct iqn_vocab *v);
/* Read-only handles: move to the latest committed revision. *changed is set to 1 if it moved. */
int iqn_db_reopen(struct iqn_db *db, int *changed, struct iqn_error *err);

enum iqn_upsert_result { IQN_UPSERT_ADDED, IQN_UPSERT_UPDATED, IQN_UPSERT_UNCHANGED };

/* Add or replace the record with r's id. r must have passed iqn_record_validate. A record whose
 * stored content is identical is left alone (IQN_UPSERT_UNCHANGED). */
int iqn_db_upsert(struct iqn_db *db, const struct iqn_record *r, enum iqn_upsert_result *out,
                  struct iqn_error *err);
/* What iqn_db_upsert would do with r, without writing (for --dry-run). */
int iqn_db_classify(struct iqn_db *db, const struct iqn_record *r, enum iqn_upsert_result *out,
                    struct iqn_error *err);
/* Delete by id; *found says whether it existed. */
int iqn_db_delete(struct iqn_db *db, const char *id, int *found, struct iqn_error *err);
/* Make all changes since the last commit durable and visible, atomically. */
int iqn_db_commit(struct iqn_db *db, struct iqn_error *err);
/* For a long import: if the index (a writer, unsharded) is empty, build it in `parts` part indexes
 * at once, one thread each, in a folder beside it (PATH.bulk); *started says whether it did. Every
 * call works as before meanwhile, but nothing reaches the index until iqn_db_finish merges the
 * parts and puts them in its place in one atomic rename: a build that is killed or not finished
 * leaves the index empty, as it was. Call after iqn_db_set_vocab. */
int iqn_db_bulk(struct iqn_db *db, unsigned parts, int *started, struct iqn_error *err);
/* Publish a bulk build (after the last commit); does nothing otherwise. */
int iqn_db_finish(struct iqn_db *db, struct iqn_error *err);

/* Fetch a record by id into a new record (caller frees), IQN_ENOTFOUND if absent. */
int iqn_db_get(struct iqn_db *db, const char *id, struct iqn_record **out, struct iqn_error *err);

/* User metadata (key/value) stored with the index and committed with it; "" when unset. */
int iqn_db_get_meta(struct iqn_db *db, const char *key, char **out, struct iqn_error *err);
int iqn_db_set_meta(struct iqn_db *db, const char *key, const char *value, struct iqn_error *err);
/* Call fn(ctx, key, value) for every metadata key starting with prefix, in byte order, until fn
 * returns non-zero. Keys are at most 245 bytes; value is NUL-terminated. */
int iqn_db_meta_list(struct iqn_db *db, const char *prefix,
                     int (*fn)(void *ctx, const char *key, const char *value), void *ctx, struct iqn_error *err);

struct iqn_db_stats {
    unsigned long long doccount;
    unsigned long long revision; /* 0 for stub/remote databases */
};
int iqn_db_stats(struct iqn_db *db, struct iqn_db_stats *out, struct iqn_error *err);

/* ---- search ---- */

enum iqn_sort { IQN_SORT_RELEVANCE, IQN_SORT_DATE_ASC, IQN_SORT_DATE_DESC };

struct iqn_query {
    const char *text;      /* the user's query (UTF-8, query syntax); NULL or "" = every record */
    const char *lang;      /* "en" or "fr": analysis language of the query; NULL = "en" */
    const char *const *filter[IQN_FACET_COUNT]; /* selected codes per facet (canonical codes) */
    size_t nfilter[IQN_FACET_COUNT];
    const char *date_from; /* 8-digit keys from iqn_date_key, inclusive; NULL = open */
    const char *date_to;
    enum iqn_sort sort;
    unsigned offset;       /* first hit to return (0-based) */
    unsigned limit;        /* hits to return */
    int facets;            /* compute facet counts (exact, disjunctive) */
    int snippets;          /* compute a highlighted snippet per hit */
    int spelling;          /* compute did_you_mean when the query has unknown words */
    int partial;           /* the last word is a prefix being typed (search-as-you-type) */
    int no_body;           /* leave the body out of hit records (after snippets are made) */
    int no_collapse;       /* list both records of an EN/FR pair (by default only one, in lang,
                              unless languages are selected with the lang filter) */
};

struct iqn_facet_count {
    char *code;
    unsigned long long count;
};

struct iqn_hit {
    struct iqn_record *record;
    double score;
    char *snippet;         /* HTML-escaped, <mark> around matches; NULL unless asked */
};

struct iqn_result {
    unsigned long long total;  /* exact number of matches */
    size_t nhits;
    struct iqn_hit *hits;
    size_t nfacet[IQN_FACET_COUNT];
    struct iqn_facet_count *facet[IQN_FACET_COUNT]; /* codes with count > 0, largest first */
    char *did_you_mean;        /* NULL when the query looks fine */
};

/* Run a search. A query syntax error is not fatal: the text is then searched as plain words. */
int iqn_search(struct iqn_db *db, const struct iqn_query *q, struct iqn_result **out, struct iqn_error *err);
void iqn_result_free(struct iqn_result *r); /* accepts NULL */

/* Records like the record id (more-like-this from its content, labels included), best first,
 * leaving out the record and its pair. Filters, offset, limit and lang of q apply; q->text is ignored. */
int iqn_similar(struct iqn_db *db, const char *id, const struct iqn_query *q, struct iqn_result **out,
                struct iqn_error *err);

/* ---- stemming, for highlighting ---- */
struct iqn_stemmer;
/* lang "en" or "fr" (anything else: no stemming). */
struct iqn_stemmer *iqn_stemmer_new(const char *lang);
void iqn_stemmer_free(struct iqn_stemmer *s);
/* Stem an already folded, lower-cased word into out. */
int iqn_stem(struct iqn_stemmer *s, const char *word, size_t len, struct iqn_buf *out);

/* ---- analysis check, for tests ----
 * Index text (UTF-8 or not) with iqn's term generator and with Xapian's TermGenerator, in lang,
 * with prefix (may be "") and with positions or not, then once more without prefix, and compare
 * the documents. IQN_OK when they are the same; otherwise IQN_EINTERNAL with the first difference
 * in err. */
int iqn_analysis_check(const char *text, size_t len, const char *lang, const char *prefix, int positions,
                       struct iqn_error *err);

#ifdef __cplusplus
}
#endif
#endif
