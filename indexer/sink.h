/* sink.h - where parsed records go: validate, upsert (or classify in a dry run), commit in
 * batches, count, and report every failure as "path:line: reason" with a progress line and
 * a summary. Parsers only produce records; everything that touches the index is here.
 * A sink is used by one thread (the import's writer). */
#ifndef IQN_SINK_H
#define IQN_SINK_H

#include <signal.h>
#include <stdio.h>

#include "buf.h"
#include "db.h"
#include "error.h"
#include "progress.h"
#include "record.h"
#include "report.h"
#include "vocab.h"

#define IQN_SINK_BATCH_DEFAULT 1000

struct iqn_sink_config {
    struct iqn_db *db;               /* the index; NULL in a dry run when there is no index yet */
    const struct iqn_vocab *vocab;
    const char *db_path;             /* for messages */
    int dry_run;                     /* classify instead of writing */
    unsigned long batch;             /* commit after this many record changes (0 = default) */
    enum iqn_progress_mode progress; /* progress lines on stderr */
    struct iqn_report *report;       /* --report, or NULL; borrowed */
    volatile sig_atomic_t *stop;     /* set by a signal handler: stop at the next record; may be NULL */
};

struct iqn_sink_counts {
    unsigned long long added, updated, unchanged;
    unsigned long long failed;         /* failed records, plus files that failed as a whole */
    unsigned long long files;          /* inputs examined, skipped ones included */
    unsigned long long files_skipped;  /* unsupported formats and the like: not failures */
    unsigned long long files_failed;   /* inputs that failed as a whole (unreadable, malformed) */
    unsigned long long files_unchanged; /* size and time as last imported: not read */
    unsigned long long files_read;     /* read: imported, or found with the content last imported */
    unsigned long long removed;        /* records deleted because their file dropped them or is gone */
    unsigned long long pruned;         /* files gone, their records removed (--prune) */
    unsigned long long deleted, not_found;
    unsigned long long commits;
};

/* What happened to the records of the current input (for the dry run's per-file lines). */
struct iqn_sink_file_counts {
    unsigned long long added, updated, unchanged, failed;
    int whole_failed; /* the input failed as a whole (iqn_sink_file_failed) */
    int skipped;      /* the input was skipped (iqn_sink_file_skipped) */
};

struct iqn_sink;

/* A new sink over cfg (copied; db, vocab and report are borrowed and must outlive the sink). */
int iqn_sink_new(const struct iqn_sink_config *cfg, struct iqn_sink **out, struct iqn_error *err);
/* Free the sink without committing (call iqn_sink_finish first). Accepts NULL. */
void iqn_sink_free(struct iqn_sink *s);

/* How many inputs are to come and their total size on disk, for the progress line's ETA. */
void iqn_sink_set_total(struct iqn_sink *s, unsigned long long files, unsigned long long bytes);

/* Start an input: path is shown in messages and is the default `source` of its records
 * ("-" for standard input); size is its size on disk (0 if unknown). With collect set, the ids
 * of the records stored from it are gathered (iqn_sink_file_ids). The string must stay
 * valid until iqn_sink_end_file. */
void iqn_sink_begin_file(struct iqn_sink *s, const char *path, unsigned long long size, int collect);
/* How far into the current input a parser is (0..1); kept for the parsers, no longer drawn. */
void iqn_sink_file_progress(struct iqn_sink *s, double fraction);
/* Finish the input: was_read says whether its content was read (for MB/s; one read, neither
 * failed as a whole nor skipped, counts as "read" in the summary even when its content turned
 * out to be as imported). Commits when a batch is due. */
int iqn_sink_end_file(struct iqn_sink *s, int was_read, struct iqn_error *err);

/* The ids stored from the current input so far (space-separated, "" if none) and their count;
 * NULL when collecting was off or memory ran out. */
const char *iqn_sink_file_ids(const struct iqn_sink *s, size_t *n);
/* What happened to the current input's records so far. */
void iqn_sink_file_counts(const struct iqn_sink *s, struct iqn_sink_file_counts *out);

/* One parsed record found at line (0 = unknown): set `source` if missing, validate, then upsert
 * or classify and count; a record that fails is reported and counted. r may be modified
 * (validation canonicalises it). Returns non-OK only for a fatal index error (err says which),
 * after which the run must stop. */
int iqn_sink_record(struct iqn_sink *s, struct iqn_record *r, long line, struct iqn_error *err);
/* The same for a record already validated; its upsert never triggers a commit by itself (the
 * file's state must be written in the same commit): iqn_sink_end_file commits. */
int iqn_sink_record_valid(struct iqn_sink *s, const struct iqn_record *r, struct iqn_error *err);

/* A record that could not be parsed: print "path:line: record 'id': reason" (id may be NULL,
 * then "path:line: reason") and count one failure. */
void iqn_sink_record_failed(struct iqn_sink *s, long line, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The current input failed as a whole (unreadable, malformed): print "path:line: reason"
 * (line 0: "path: reason") and count one failure. */
void iqn_sink_file_failed(struct iqn_sink *s, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The current input is not for us (unsupported format, not a regular file): print
 * "path: skipped: reason" and count it as skipped, not failed. */
void iqn_sink_file_skipped(struct iqn_sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The current input is as it was last imported: count its nids records as unchanged, and the
 * input as unchanged unless it was read to find that out (then it counts as read). */
void iqn_sink_file_unchanged(struct iqn_sink *s, size_t nids, int was_read);

/* A manifest row that is wrong: print "manifest:line: reason" and count one failure. */
void iqn_sink_manifest_failed(struct iqn_sink *s, const char *manifest, long line, const char *reason);

/* True once the stop flag is set (SIGINT/SIGTERM): parsers stop between records. */
int iqn_sink_stopping(const struct iqn_sink *s);

/* Delete the record id (in a dry run: only look it up) and count deleted / not found. A bad id is
 * reported and counted as not found. The file it was imported from will be read again on the
 * next run. Returns non-OK only for a fatal index error. */
int iqn_sink_delete(struct iqn_sink *s, const char *id, struct iqn_error *err);

/* A record the current input no longer has, or whose file is gone: delete it (a dry run only
 * counts) and count it as removed. */
int iqn_sink_remove(struct iqn_sink *s, const char *id, struct iqn_error *err);
/* Count a file pruned (--prune). */
void iqn_sink_count_pruned(struct iqn_sink *s);

/* n metadata writes were made (import state): they are committed with the next batch (or at the
 * end), without counting toward one. */
void iqn_sink_wrote(struct iqn_sink *s, unsigned long n);

/* Commit what is pending (nothing in a dry run) and clear the progress line. */
int iqn_sink_finish(struct iqn_sink *s, struct iqn_error *err);

void iqn_sink_get_counts(const struct iqn_sink *s, struct iqn_sink_counts *out);

/* Print the summary lines to out:
 *   iqn-index: deleted N, not found M                (when deletes were asked for)
 *   iqn-index: files: N read, U unchanged, S skipped, F failed[, P pruned (R records removed)]
 *     (without pruned files: [, R records removed] for records their files no longer give)
 *   iqn-index: R records in F files: A added, U updated, C unchanged, X failed (S files skipped)
 *     in T s (Q records/s)
 * prefixed "dry run: " in a dry run; the files-skipped part only when S > 0. */
void iqn_sink_summary(const struct iqn_sink *s, FILE *out, int with_records, int with_deletes);

/* Print "iqn-index: message" on stderr, clearing the progress line first. */
void iqn_sink_note(struct iqn_sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print a line on stdout (the dry run's "would add path" lines), clearing the progress line first. */
void iqn_sink_say(struct iqn_sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The shim's index messages start with the index path ("DIR: index is locked ..."); ours name
 * the index already ("cannot open index DIR: reason"), so this returns msg without that prefix. */
const char *iqn_sink_index_reason(const char *msg, const char *db_path);

#endif
