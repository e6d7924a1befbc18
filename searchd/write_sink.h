/* write_sink.h - the record sink of the write API: iqn-index's parsers (indexer/parse_xml.c and
 * parse_jsonl.c, linked into iqn-searchd) hand their records to the functions of indexer/sink.h,
 * which iqn-searchd implements here: validate, upsert into the request's writer, count, and
 * collect one JSON entry per failed record instead of printing it. */
#ifndef IQN_WRITE_SINK_H
#define IQN_WRITE_SINK_H

#include "buf.h"
#include "db.h"
#include "sink.h"
#include "vocab.h"

#define IQN_WRITE_ERRORS_MAX 1000 /* failures listed one by one; the rest are only counted */

struct iqn_write_counts {
    unsigned long long added, updated, unchanged, failed;
};

/* A sink writing to db (borrowed), validating with vocab, giving records without a `source` the
 * value source (copied). NULL: out of memory. */
struct iqn_sink *iqn_write_sink_new(struct iqn_db *db, const struct iqn_vocab *vocab, const char *source);
void iqn_write_sink_free(struct iqn_sink *s); /* accepts NULL */

/* The counts, and the failures as a JSON array's items ({"line":N,"id":"x","message":"..."},...);
 * *truncated is 1 when more failures happened than are listed. */
void iqn_write_sink_result(const struct iqn_sink *s, struct iqn_write_counts *counts, const struct iqn_buf **errors,
                           int *truncated);

#endif
