/* records.h - what the SQL peers of the benchmark (fts5.c, pg.c) share: the facets of a record,
 * reading JSON Lines record files, and splitting a query into its words and quoted phrases. */
#ifndef IQN_BENCH_RECORDS_H
#define IQN_BENCH_RECORDS_H

#include <json-c/json.h>
#include <stddef.h>

#define BENCH_NFACETS 5
#define BENCH_RECORD_MAX (16u * 1024 * 1024) /* one JSON line */

/* province, profession, topic, type, lang: a facet's number is its place here. */
extern const char *const bench_facet_names[BENCH_NFACETS];

/* The facet's number, or -1 for a name not in bench_facet_names. */
int bench_facet_index(const char *name);

/* The string value of o's key, or NULL when missing or not a string. */
const char *bench_json_str(struct json_object *o, const char *key);

/* Called for each record: 0 to go on, nonzero to stop (fn prints why). */
typedef int (*bench_record_fn)(void *ctx, struct json_object *record, const char *file, unsigned long line);

/* Call fn for each JSON object of a JSON Lines file, in order; other non-empty lines are skipped
 * with "PROG: FILE:LINE: not a JSON object; skipped" on stderr. Returns 0, or -1 when the file
 * cannot be read, a line is longer than BENCH_RECORD_MAX (both reported) or fn stopped. */
int bench_read_records(const char *path, const char *prog, bench_record_fn fn, void *ctx);

/* The next word or "quoted phrase" of a query, from *p on (words are split at spaces; an unclosed
 * quote runs to the end): its text (without the quotes) in *start and *len, and whether it was
 * quoted; *p moves past it. Returns 0 when there is none left. */
int bench_next_term(const char **p, const char **start, size_t *len, int *phrase);

#endif
