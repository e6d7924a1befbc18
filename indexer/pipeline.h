/* pipeline.h - the import of a list of inputs: worker threads read, hash and extract files in
 * parallel, and the calling thread, the only one that touches the index, takes their results in
 * input order through a bounded ring (a few items per worker, and a cap on the bytes held), then
 * validates, upserts, records each file's state and commits in batches. */
#ifndef IQN_PIPELINE_H
#define IQN_PIPELINE_H

#include <signal.h>

#include "db.h"
#include "document.h"
#include "error.h"
#include "extract.h"
#include "input.h"
#include "manifest.h"
#include "sink.h"
#include "state.h"
#include "vocab.h"
#include "walk.h"

#define IQN_PIPELINE_JOBS_MAX 256
#define IQN_PIPELINE_BYTES_MAX ((unsigned long long)256 * 1024 * 1024) /* file bytes held between threads */

/* Which documents are extracted in a child process (iqn_extract_isolated), where a crash, a hang
 * or runaway memory in a parser costs only that document. */
enum iqn_isolate {
    IQN_ISOLATE_NONE, /* none: fastest, for trusted files */
    IQN_ISOLATE_AUTO, /* PDF, DOCX and ODT (poppler, libzip); HTML and plain text in-process */
    IQN_ISOLATE_ALL   /* every document */
};

struct iqn_pipeline_config {
    struct iqn_sink *sink;
    struct iqn_db *db;                    /* NULL in a dry run without an index */
    const struct iqn_vocab *vocab;
    const struct iqn_walk *walk;          /* the inputs, in order */
    struct iqn_state_map *states;         /* the stored state of the inputs' files; may be NULL */
    const struct iqn_manifest *manifest;  /* may be NULL */
    const char *manifest_path;            /* for messages */
    const struct iqn_doc_meta *flags;     /* --type, --lang, --province ... */
    unsigned long long flags_hash;        /* of the flags: a change re-imports documents */
    struct iqn_input_limits limits;
    const struct iqn_extract_limits *extract_limits; /* NULL = defaults */
    unsigned jobs;                        /* worker threads, 1..IQN_PIPELINE_JOBS_MAX */
    int dry_run;
    int force;                            /* read every file, even unchanged ones */
    enum iqn_isolate isolate;             /* which documents are extracted in a child process */
    int prune;                            /* a missing PATH argument is not an error */
    volatile sig_atomic_t *stop;
};

/* Import every input of cfg->walk. Failures of files and records are reported through the sink;
 * the return is non-OK only for a fatal error (the index could not be written), after which
 * the caller still commits what is whole with iqn_sink_finish. */
int iqn_pipeline_run(const struct iqn_pipeline_config *cfg, struct iqn_error *err);

/* --prune: remove the records of every file in cfg->states that is not among the inputs and no
 * longer exists, and forget its state. */
int iqn_pipeline_prune(const struct iqn_pipeline_config *cfg, struct iqn_error *err);

#endif
