/* manifest.h - the CSV manifest of --manifest FILE: metadata for documents that carry none.
 *
 * RFC 4180 CSV (comma-separated, fields quoted with '"' when they hold commas, quotes or line
 * breaks, "" for a quote inside, CRLF or LF line ends, UTF-8 with an optional BOM). The first
 * row names the columns: `path` (required) and any record field except `body`: id, type, lang,
 * pair, title, summary, province, profession, topic, organization, author, date, url, source,
 * status, contact, results, lessons. Empty cells mean "not given". province, profession and
 * topic take several codes separated by ';'. Paths are relative to the manifest's folder.
 * A bad row ("manifest.csv:LINE: reason") is left out and its file is not imported; the other
 * rows apply. Bounded: 64 MiB file, 64 columns, 1 MiB per field. */
#ifndef IQN_MANIFEST_H
#define IQN_MANIFEST_H

#include <stddef.h>

#include "error.h"
#include "schema.h"
#include "vocab.h"

#define IQN_MANIFEST_MAX ((size_t)64 * 1024 * 1024)
#define IQN_MANIFEST_COLUMNS_MAX 64
#define IQN_MANIFEST_FIELD_MAX ((size_t)1024 * 1024)

struct iqn_manifest_row {
    long line;        /* where the row starts in the manifest */
    int bad;          /* the row was rejected: its file is not imported */
    char *path;       /* as shown in messages: the manifest's folder joined with the cell */
    char *rel;        /* the cell, "./" removed: the id is derived from it */
    char *abs;        /* absolute: matched against the inputs */
    char *val[IQN_F_COUNT]; /* checked values, NULL when not given; codes canonical, ';'-joined */
    unsigned long long hash; /* of every value: a changed row re-imports its file */
};

struct iqn_manifest;

/* Called for every bad row with its line and a reason. */
typedef void (*iqn_manifest_error_fn)(void *ctx, long line, const char *reason);

/* Read and check the manifest at path. A manifest that cannot be used at all (unreadable, no
 * header, no path column, unknown column) fails with "path:line: reason" in err; bad rows are
 * passed to on_error and kept with bad set. */
int iqn_manifest_load(const char *path, const struct iqn_vocab *vocab, iqn_manifest_error_fn on_error, void *ctx,
                      struct iqn_manifest **out, struct iqn_error *err);
void iqn_manifest_free(struct iqn_manifest *m); /* accepts NULL */

/* The row for the file at absolute path abs (the first good one), or NULL. */
const struct iqn_manifest_row *iqn_manifest_find(const struct iqn_manifest *m, const char *abs);
/* Rows in file order, bad ones included. */
size_t iqn_manifest_size(const struct iqn_manifest *m);
const struct iqn_manifest_row *iqn_manifest_at(const struct iqn_manifest *m, size_t i);

#endif
