/* pipeline.c - parallel read and extraction, one writer in input order, per-file state, prune. */
#include "pipeline.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "parse_jsonl.h"
#include "parse_xml.h"
#include "strset.h"

#define REASON_MAX 600
#define ID_TRIES_MAX 1000              /* base, base-2 ... base-1000: past that a document fails */
#define STATE_SCRATCH_MAX ((size_t)300 * 1024 * 1024)
#define IMPORTER_VERSION "iqn-index import 1" /* part of every file's META hash */

enum result_kind {
    R_NONE,      /* nothing to do (a missing PATH under --prune) */
    R_SKIP,      /* not for us: reason */
    R_FAIL,      /* could not be imported: reason */
    R_UNCHANGED, /* size and time as last imported: not read */
    R_TOUCH,     /* read, content as last imported: only the state's size and time change */
    R_RECORDS,   /* IQN XML or JSON Lines: parsed by the writer */
    R_DOC        /* a document made into a record */
};

struct result {
    int ready;
    enum result_kind kind;
    char *reason;
    char *warning;
    struct iqn_input in;    /* R_RECORDS */
    enum iqn_format fmt;
    struct iqn_record *rec; /* R_DOC, validated */
    int explicit_id;        /* R_DOC: the id came from the manifest */
    int was_read;
    unsigned long long hash, meta;
    unsigned long long reserved; /* bytes counted against IQN_PIPELINE_BYTES_MAX */
};

struct pipeline {
    const struct iqn_pipeline_config *cfg;
    pthread_mutex_t mu;
    pthread_cond_t work_cv; /* workers wait for a free slot or budget */
    pthread_cond_t done_cv; /* the writer waits for its next result */
    struct result *ring;
    size_t qcap;
    size_t next;  /* next input to hand out */
    size_t wpos;  /* next input the writer takes */
    unsigned long long inflight;
    unsigned budget_waiting; /* workers holding back a big file (they need every wake-up) */
    int quit;
};

/* ---- worker side ---- */

static void set_reason(struct result *r, enum result_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_reason(struct result *r, enum result_kind kind, const char *fmt, ...)
{
    char msg[REASON_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->kind = kind;
    free(r->reason);
    r->reason = strdup(msg); /* NULL on no memory: reported as "out of memory" */
}

/* Formats the content tells apart from those iqn_input_detect knows: a name for an unsupported
 * one, or NULL. */
static const char *unsupported_kind(const char *data, size_t len, enum iqn_format fmt)
{
    if (len >= 5 && memcmp(data, "{\\rtf", 5) == 0)
        return "RTF";
    if (len >= 4 && memcmp(data, "%!PS", 4) == 0)
        return "PostScript";
    if (fmt == IQN_FMT_JSONL) {
        /* JSON Lines has one object per line: a first line that is only "{" or a "[" is a
         * JSON document, not records. */
        size_t i = 0;
        if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
            i = 3;
        while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
            i++;
        if (i < len && data[i] == '[')
            return "JSON document, not JSON Lines";
        if (i < len && data[i] == '{') {
            size_t j = i + 1;
            while (j < len && (data[j] == ' ' || data[j] == '\t' || data[j] == '\r'))
                j++;
            if (j >= len || data[j] == '\n')
                return "JSON document, not JSON Lines";
        }
    }
    if (fmt == IQN_FMT_ZIP)
        return len >= 58 && memcmp(data + 30, "mimetypeapplication/epub+zip", 28) == 0 ? "EPUB" : "zip archive";
    if (fmt == IQN_FMT_BINARY || fmt == IQN_FMT_UNKNOWN)
        return iqn_format_name(fmt);
    return NULL;
}

static int is_document(enum iqn_format f)
{
    return f == IQN_FMT_HTML || f == IQN_FMT_PDF || f == IQN_FMT_DOCX || f == IQN_FMT_ODT || f == IQN_FMT_TEXT;
}

/* Extract a document and build its validated record into r. */
static void work_document(const struct iqn_pipeline_config *cfg, const struct iqn_walk_entry *e,
                          const struct iqn_manifest_row *row, struct result *r)
{
    struct iqn_extracted x = {0};
    struct iqn_error xe;
    struct iqn_doc_meta rowmeta = {{0}};
    int cut = 0, rc;

    int isolate = cfg->isolate == IQN_ISOLATE_ALL ||
                  (cfg->isolate == IQN_ISOLATE_AUTO && r->fmt != IQN_FMT_HTML && r->fmt != IQN_FMT_TEXT);
    if (isolate)
        rc = iqn_extract_isolated(r->fmt, r->in.data, r->in.len, e->path, cfg->extract_limits, &x, &xe);
    else
        rc = iqn_extract(r->fmt, r->in.data, r->in.len, e->path, &x, &xe);
    iqn_input_free(&r->in);
    if (rc != IQN_OK) {
        set_reason(r, R_FAIL, "%s", xe.message[0] ? xe.message : "cannot extract the text");
        goto done;
    }
    if (row)
        for (int f = 0; f < IQN_F_COUNT; f++)
            rowmeta.val[f] = row->val[f];
    r->rec = iqn_record_new();
    if (!r->rec) {
        set_reason(r, R_FAIL, "out of memory");
        goto done;
    }
    if (iqn_document_record(&x, row ? &rowmeta : NULL, cfg->flags, e->rel, e->path, r->rec, &cut, &xe) != IQN_OK ||
        iqn_record_validate(r->rec, cfg->vocab, &xe) != IQN_OK) {
        set_reason(r, R_FAIL, "%s", xe.message);
        iqn_record_free(r->rec);
        r->rec = NULL;
        goto done;
    }
    r->explicit_id = row && row->val[IQN_F_ID];
    if (cut) {
        char msg[128];
        snprintf(msg, sizeof msg, "text longer than %u MiB: the rest is not indexed", IQN_BODY_MAX / (1024 * 1024));
        r->warning = strdup(msg);
    }
    r->kind = R_DOC;
done:
    iqn_extracted_free(&x);
}

/* Everything about input i that does not need the index. */
static void work(const struct iqn_pipeline_config *cfg, size_t i, struct result *r)
{
    const struct iqn_walk_entry *e = &cfg->walk->v[i];
    struct iqn_error ie;

    switch (e->kind) {
    case IQN_WALK_SKIP:
        set_reason(r, R_SKIP, "%s", e->reason ? e->reason : "not a regular file");
        return;
    case IQN_WALK_ERROR:
        if (e->missing && cfg->prune)
            r->kind = R_NONE; /* gone: --prune removes what came from it */
        else
            set_reason(r, R_FAIL, "%s", e->reason ? e->reason : "cannot read");
        return;
    case IQN_WALK_STDIN:
        if (iqn_input_read(e->path, &cfg->limits, &r->in, &ie) != IQN_OK) {
            set_reason(r, R_FAIL, "%s", ie.message);
            return;
        }
        r->was_read = 1;
        r->fmt = iqn_input_detect(r->in.data, r->in.len, e->path);
        if (r->fmt == IQN_FMT_XML || r->fmt == IQN_FMT_JSONL) {
            r->kind = R_RECORDS;
            return;
        }
        set_reason(r, R_FAIL, "standard input takes IQN XML or JSON Lines records, not %s", iqn_format_name(r->fmt));
        iqn_input_free(&r->in);
        return;
    case IQN_WALK_FILE:
        break;
    }

    const struct iqn_manifest_row *row = iqn_manifest_find(cfg->manifest, e->abs);
    if (row && row->bad) {
        set_reason(r, R_SKIP, "its manifest row (%s:%ld) is invalid", cfg->manifest_path, row->line);
        return;
    }
    r->meta = iqn_hash64(IMPORTER_VERSION, strlen(IMPORTER_VERSION), cfg->flags_hash);
    if (row)
        r->meta = iqn_hash64(&row->hash, sizeof row->hash, r->meta);
    const struct iqn_state *old = cfg->states ? iqn_state_map_get(cfg->states, e->abs) : NULL;
    int trust = old && !old->dirty && !cfg->force && old->meta == r->meta;
    if (trust && old->size == e->size && old->mtime_ns == e->mtime_ns) {
        r->kind = R_UNCHANGED;
        return;
    }
    if (iqn_input_read(e->path, &cfg->limits, &r->in, &ie) != IQN_OK) {
        set_reason(r, R_FAIL, "%s", ie.message);
        return;
    }
    r->was_read = 1;
    r->hash = iqn_hash64(r->in.data, r->in.len, 0);
    if (trust && old->hash == r->hash) {
        r->kind = R_TOUCH;
        iqn_input_free(&r->in);
        return;
    }
    r->fmt = iqn_input_detect(r->in.data, r->in.len, e->path);
    const char *unsupported = unsupported_kind(r->in.data, r->in.len, r->fmt);
    if (unsupported) {
        set_reason(r, R_SKIP, "unsupported format (%s)", unsupported);
        iqn_input_free(&r->in);
        return;
    }
    if (r->fmt == IQN_FMT_XML || r->fmt == IQN_FMT_JSONL) {
        r->kind = R_RECORDS;
        return;
    }
    if (r->in.len == 0) {
        set_reason(r, R_SKIP, "empty file");
        iqn_input_free(&r->in);
        return;
    }
    if (is_document(r->fmt)) {
        work_document(cfg, e, row, r);
        return;
    }
    set_reason(r, R_SKIP, "unsupported format (%s)", iqn_format_name(r->fmt));
    iqn_input_free(&r->in);
}

static void result_clear(struct result *r)
{
    free(r->reason);
    free(r->warning);
    iqn_input_free(&r->in);
    iqn_record_free(r->rec);
    memset(r, 0, sizeof *r);
}

static void *worker(void *arg)
{
    struct pipeline *p = arg;
    const struct iqn_walk *w = p->cfg->walk;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->quit && p->next < w->n && p->next >= p->wpos + p->qcap)
            pthread_cond_wait(&p->work_cv, &p->mu);
        if (p->quit || p->next >= w->n)
            break;
        size_t i = p->next++;
        unsigned long long size = w->v[i].kind == IQN_WALK_FILE ? w->v[i].size : 0;
        /* Hold back a big file while others are in flight; the writer's next input never waits. */
        p->budget_waiting++;
        while (!p->quit && i != p->wpos && p->inflight > 0 && p->inflight + size > IQN_PIPELINE_BYTES_MAX)
            pthread_cond_wait(&p->work_cv, &p->mu);
        p->budget_waiting--;
        if (p->quit)
            break;
        p->inflight += size;
        pthread_mutex_unlock(&p->mu);

        struct result r = {0};
        r.reserved = size;
        work(p->cfg, i, &r);

        pthread_mutex_lock(&p->mu);
        struct result *slot = &p->ring[i % p->qcap];
        *slot = r;
        slot->ready = 1;
        if (i == p->wpos) /* the one the writer waits for; it finds the others ready */
            pthread_cond_signal(&p->done_cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* ---- writer side ---- */

struct writer {
    const struct iqn_pipeline_config *cfg;
    struct iqn_strset *assigned; /* document ids given out in this run */
    struct iqn_buf scratch;
};

static int stopping(const struct iqn_pipeline_config *cfg)
{
    return cfg->stop && *cfg->stop;
}

/* Does the record id exist in the index? */
static int exists(struct iqn_db *db, const char *id, int *yes, struct iqn_error *err)
{
    struct iqn_record *r = NULL;
    int rc = iqn_db_get(db, id, &r, err);
    iqn_record_free(r);
    *yes = rc == IQN_OK;
    return rc == IQN_ENOTFOUND ? IQN_OK : rc;
}

/* Give a document without an explicit id its id: the one it had (when it still owns it), else
 * the derived id, base-2, base-3 ... whichever no other file owns and no other record uses. */
static int assign_id(struct writer *wr, const struct iqn_walk_entry *e, const struct iqn_state *old,
                     struct iqn_record *rec, int *ok, struct iqn_error *err)
{
    struct iqn_db *db = wr->cfg->db;
    char cand[IQN_ID_MAX + 1], base[IQN_ID_MAX + 1];
    char *owner = NULL;
    int rc = IQN_OK, taken;

    *ok = 0;
    snprintf(base, sizeof base, "%s", iqn_record_get(rec, IQN_F_ID));
    if (db && old && old->nids == 1 && strlen(old->ids) <= IQN_ID_MAX && strcmp(old->ids, base) != 0) {
        rc = iqn_owner_get(db, old->ids, &owner, err);
        if (rc != IQN_OK)
            goto done;
        if (strcmp(owner, e->abs) == 0 && !iqn_strset_has(wr->assigned, old->ids, strlen(old->ids))) {
            snprintf(cand, sizeof cand, "%s", old->ids);
            goto take;
        }
        free(owner);
        owner = NULL;
    }
    for (unsigned k = 1; k <= ID_TRIES_MAX; k++) {
        if (k == 1)
            snprintf(cand, sizeof cand, "%s", base);
        else
            iqn_document_id_variant(base, k, cand, sizeof cand);
        if (iqn_strset_has(wr->assigned, cand, strlen(cand)))
            continue;
        if (!db)
            goto take;
        free(owner);
        owner = NULL;
        rc = iqn_owner_get(db, cand, &owner, err);
        if (rc != IQN_OK)
            goto done;
        if (strcmp(owner, e->abs) == 0)
            goto take;
        if (owner[0])
            continue;
        rc = exists(db, cand, &taken, err);
        if (rc != IQN_OK)
            goto done;
        if (!taken)
            goto take;
    }
    goto done; /* no free id: *ok stays 0 */
take:
    if (iqn_strset_add(wr->assigned, cand, strlen(cand)) < 0) {
        rc = iqn_error_set(err, IQN_ENOMEM, "out of memory");
        goto done;
    }
    rc = iqn_record_set(rec, IQN_F_ID, cand, err);
    *ok = rc == IQN_OK;
done:
    free(owner);
    return rc;
}

/* A fatal index error, in the words of the sink's messages. */
static int index_error(const struct iqn_error *e, struct iqn_error *err)
{
    return iqn_error_set(err, e->code, "cannot update the index: %s", e->message);
}

/* Delete record id if the file at abs still owns it (another file may give it now); *removed
 * says whether it did. */
static int remove_if_owned(const struct iqn_pipeline_config *cfg, const char *id, const char *abs, int *removed,
                           struct iqn_error *err)
{
    struct iqn_error e2;
    char *owner = NULL;
    int rc;
    *removed = 0;
    if (iqn_owner_get(cfg->db, id, &owner, &e2) != IQN_OK)
        return index_error(&e2, err);
    if (strcmp(owner, abs) == 0) {
        *removed = 1;
        rc = iqn_sink_remove(cfg->sink, id, err);
    } else {
        rc = IQN_OK;
    }
    free(owner);
    return rc;
}

/* After the records of a file: delete those it no longer gives, claim the new ones, and store
 * its state, all in the commit that holds its records. A file that failed as a whole keeps its
 * old records and state; one with some bad records keeps its old records and is marked dirty. */
static int finish_file(struct writer *wr, const struct iqn_walk_entry *e, const struct result *r,
                       const struct iqn_state *old, const char *claimed, struct iqn_error *err)
{
    const struct iqn_pipeline_config *cfg = wr->cfg;
    struct iqn_sink *s = cfg->sink;
    struct iqn_sink_file_counts fc;
    struct iqn_strset *newset = NULL, *oldset = NULL;
    struct iqn_buf ids;
    struct iqn_error e2;
    size_t nids = 0, pos = 0, start, len;
    int rc = IQN_OK;

    iqn_sink_file_counts(s, &fc);
    iqn_buf_init(&ids, STATE_SCRATCH_MAX);
    if (!e->abs || fc.whole_failed)
        goto done;
    const char *got = iqn_sink_file_ids(s, &nids);
    if (!got) {
        iqn_sink_note(s, "%s: too many records to remember; it will be read again next time", e->path);
        goto done;
    }
    int dirty = fc.failed > 0;
    newset = iqn_strset_new();
    oldset = iqn_strset_new();
    if (!newset || !oldset || iqn_strset_add_list(newset, got) != 0 ||
        (old && iqn_strset_add_list(oldset, old->ids) != 0)) {
        rc = iqn_error_set(err, IQN_ENOMEM, "out of memory");
        goto done;
    }
    iqn_buf_adds(&ids, got);
    /* Records the file used to give. */
    while (old && iqn_state_next_id(old->ids, &pos, &start, &len)) {
        char id[IQN_ID_MAX + 1];
        if (len > IQN_ID_MAX || iqn_strset_has(newset, old->ids + start, len))
            continue;
        memcpy(id, old->ids + start, len);
        id[len] = '\0';
        if (dirty) { /* keep it until the file imports cleanly */
            if (ids.len > 0)
                iqn_buf_addc(&ids, ' ');
            iqn_buf_adds(&ids, id);
            nids++;
            continue;
        }
        if (!cfg->db)
            continue;
        int removed;
        rc = remove_if_owned(cfg, id, e->abs, &removed, err);
        if (rc != IQN_OK)
            goto done;
        if (removed && cfg->dry_run)
            iqn_sink_say(s, "iqn-index: dry run: would remove %s (no longer in %s)", id, e->path);
    }
    if (iqn_buf_failed(&ids)) {
        iqn_sink_note(s, "%s: too many records to remember; it will be read again next time", e->path);
        goto done;
    }
    if (cfg->dry_run || !cfg->db)
        goto done;
    /* Claim the records that are new to this file. */
    pos = 0;
    unsigned long writes = 0;
    while (iqn_state_next_id(got, &pos, &start, &len)) {
        char id[IQN_ID_MAX + 1];
        if (len > IQN_ID_MAX || iqn_strset_has(oldset, got + start, len))
            continue;
        memcpy(id, got + start, len);
        id[len] = '\0';
        if (claimed && strcmp(id, claimed) == 0)
            continue;
        if (iqn_owner_set(cfg->db, id, e->abs, &e2) != IQN_OK) {
            rc = index_error(&e2, err);
            goto done;
        }
        writes++;
    }
    struct iqn_state st = {.size = e->size, .mtime_ns = e->mtime_ns, .hash = r->hash, .meta = r->meta,
                           .dirty = dirty, .nids = nids, .ids = ids.data ? ids.data : "", .path = e->abs};
    if (iqn_state_put(cfg->db, &st, &wr->scratch, &e2) != IQN_OK) {
        rc = index_error(&e2, err);
        goto done;
    }
    iqn_sink_wrote(s, writes + 1);
done:
    iqn_strset_free(newset);
    iqn_strset_free(oldset);
    iqn_buf_free(&ids);
    return rc;
}

/* A file read again whose content is as imported: only its size and time are new. */
static int touch(struct writer *wr, const struct iqn_walk_entry *e, const struct result *r,
                 const struct iqn_state *old, struct iqn_error *err)
{
    struct iqn_error e2;
    if (wr->cfg->dry_run || !wr->cfg->db)
        return IQN_OK;
    struct iqn_state st = *old;
    st.size = e->size;
    st.mtime_ns = e->mtime_ns;
    st.hash = r->hash;
    st.path = e->abs;
    if (iqn_state_put(wr->cfg->db, &st, &wr->scratch, &e2) != IQN_OK)
        return index_error(&e2, err);
    iqn_sink_wrote(wr->cfg->sink, 1);
    return IQN_OK;
}

/* What a dry run says about a file that would change. */
static void dry_say(struct writer *wr, const struct iqn_walk_entry *e)
{
    struct iqn_sink_file_counts fc;
    iqn_sink_file_counts(wr->cfg->sink, &fc);
    if (!wr->cfg->dry_run || fc.whole_failed || (fc.added == 0 && fc.updated == 0))
        return;
    if (fc.added && !fc.updated)
        iqn_sink_say(wr->cfg->sink, "iqn-index: dry run: would add %s (%llu record%s)", e->path, fc.added,
                     fc.added == 1 ? "" : "s");
    else
        iqn_sink_say(wr->cfg->sink, "iqn-index: dry run: would update %s (%llu added, %llu updated)", e->path,
                     fc.added, fc.updated);
}

/* Take one result, in input order. */
static int handle(struct writer *wr, const struct iqn_walk_entry *e, struct result *r, struct iqn_error *err)
{
    const struct iqn_pipeline_config *cfg = wr->cfg;
    struct iqn_sink *s = cfg->sink;
    const struct iqn_state *old = e->abs && cfg->states ? iqn_state_map_get(cfg->states, e->abs) : NULL;
    int rc = IQN_OK, ok;

    if (r->kind == R_NONE)
        return IQN_OK;
    iqn_sink_begin_file(s, e->path, e->size, e->abs != NULL);
    switch (r->kind) {
    case R_NONE:
        break;
    case R_SKIP:
        iqn_sink_file_skipped(s, "%s", r->reason ? r->reason : "out of memory");
        break;
    case R_FAIL:
        iqn_sink_file_failed(s, 0, "%s", r->reason ? r->reason : "out of memory");
        break;
    case R_UNCHANGED:
        iqn_sink_file_unchanged(s, old ? old->nids : 0, 0);
        break;
    case R_TOUCH: /* read, so counted as read, but its records are unchanged */
        iqn_sink_file_unchanged(s, old ? old->nids : 0, 1);
        rc = touch(wr, e, r, old, err);
        break;
    case R_RECORDS:
        if (r->fmt == IQN_FMT_XML)
            rc = iqn_parse_xml(s, r->in.data, r->in.len, err);
        else
            rc = iqn_parse_jsonl(s, r->in.data, r->in.len, err);
        iqn_input_free(&r->in);
        if (rc == IQN_OK && !iqn_sink_stopping(s)) {
            dry_say(wr, e);
            rc = finish_file(wr, e, r, old, NULL, err);
        }
        break;
    case R_DOC:
        if (r->warning)
            iqn_sink_note(s, "%s: %s", e->path, r->warning);
        ok = 1;
        if (!r->explicit_id) {
            struct iqn_error e2;
            if (assign_id(wr, e, old, r->rec, &ok, &e2) != IQN_OK) {
                rc = index_error(&e2, err);
                break;
            }
        }
        if (!ok) {
            iqn_sink_file_failed(s, 0, "no free id near '%s' (%d taken)", iqn_record_get(r->rec, IQN_F_ID),
                                 ID_TRIES_MAX);
            break;
        }
        /* Claimed before it is stored: should Xapian commit on its own in between (its flush
         * threshold), a stored document is never without its owner, and keeps its id. */
        if (cfg->db && !cfg->dry_run) {
            struct iqn_error e2;
            if (iqn_owner_set(cfg->db, iqn_record_get(r->rec, IQN_F_ID), e->abs, &e2) != IQN_OK) {
                rc = index_error(&e2, err);
                break;
            }
        }
        rc = iqn_sink_record_valid(s, r->rec, err);
        if (rc == IQN_OK) {
            dry_say(wr, e);
            rc = finish_file(wr, e, r, old, iqn_record_get(r->rec, IQN_F_ID), err);
        }
        break;
    }
    if (rc != IQN_OK)
        return rc;
    return iqn_sink_end_file(s, r->was_read, err);
}

/* Wait for the result of input i; 0 when the run is stopping instead. */
static int wait_result(struct pipeline *p, size_t i)
{
    struct result *slot = &p->ring[i % p->qcap];
    while (!slot->ready) {
        if (stopping(p->cfg))
            return 0;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000 * 1000; /* a signal only sets a flag: look at it now and then */
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p->done_cv, &p->mu, &ts);
    }
    return 1;
}

/* Run the import; see pipeline.h. */
int iqn_pipeline_run(const struct iqn_pipeline_config *cfg, struct iqn_error *err)
{
    struct pipeline p = {0};
    struct writer wr = {0};
    pthread_t threads[IQN_PIPELINE_JOBS_MAX];
    unsigned started = 0;
    int rc = IQN_OK;
    size_t n = cfg->walk->n;

    if (n == 0)
        return IQN_OK;
    unsigned jobs = cfg->jobs < 1 ? 1 : cfg->jobs > IQN_PIPELINE_JOBS_MAX ? IQN_PIPELINE_JOBS_MAX : cfg->jobs;
    p.cfg = cfg;
    p.qcap = (size_t)jobs * 8;
    p.ring = calloc(p.qcap, sizeof *p.ring);
    wr.cfg = cfg;
    wr.assigned = iqn_strset_new();
    iqn_buf_init(&wr.scratch, STATE_SCRATCH_MAX);
    if (!p.ring || !wr.assigned) {
        free(p.ring);
        iqn_strset_free(wr.assigned);
        return iqn_error_set(err, IQN_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.work_cv, NULL);
    pthread_cond_init(&p.done_cv, NULL);
    for (unsigned t = 0; t < jobs; t++) {
        if (pthread_create(&threads[t], NULL, worker, &p) != 0)
            break;
        started++;
    }
    if (started == 0) {
        rc = iqn_error_set(err, IQN_EINTERNAL, "cannot start a worker thread");
        goto out;
    }
    pthread_mutex_lock(&p.mu);
    while (p.wpos < n) {
        if (!wait_result(&p, p.wpos))
            break;
        struct result *slot = &p.ring[p.wpos % p.qcap];
        struct result r = *slot;
        memset(slot, 0, sizeof *slot);
        pthread_mutex_unlock(&p.mu);

        rc = handle(&wr, &cfg->walk->v[p.wpos], &r, err);
        unsigned long long reserved = r.reserved;
        result_clear(&r);

        pthread_mutex_lock(&p.mu);
        p.inflight -= reserved;
        p.wpos++;
        /* Wake the workers once half the ring is free, not at every result: when the index is
         * the bottleneck, a wake-up a result is a futex call and two context switches each. */
        if (p.next - p.wpos <= p.qcap / 2 || p.budget_waiting)
            pthread_cond_broadcast(&p.work_cv);
        if (rc != IQN_OK || stopping(cfg))
            break;
    }
    p.quit = 1;
    pthread_cond_broadcast(&p.work_cv);
    pthread_mutex_unlock(&p.mu);
out:
    for (unsigned t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    for (size_t k = 0; k < p.qcap; k++)
        result_clear(&p.ring[k]);
    free(p.ring);
    iqn_strset_free(wr.assigned);
    iqn_buf_free(&wr.scratch);
    pthread_cond_destroy(&p.done_cv);
    pthread_cond_destroy(&p.work_cv);
    pthread_mutex_destroy(&p.mu);
    return rc;
}

/* Remove what came from one file that is gone. */
static int prune_one(const struct iqn_pipeline_config *cfg, struct iqn_state *st, struct iqn_error *err)
{
    struct iqn_sink *s = cfg->sink;
    struct iqn_sink_counts before, after;
    struct iqn_error e2;
    size_t pos = 0, start, len;
    int rc = IQN_OK;

    iqn_sink_get_counts(s, &before);
    while (iqn_state_next_id(st->ids, &pos, &start, &len)) {
        char id[IQN_ID_MAX + 1];
        if (len > IQN_ID_MAX)
            continue;
        memcpy(id, st->ids + start, len);
        id[len] = '\0';
        int gone;
        rc = remove_if_owned(cfg, id, st->path, &gone, err);
        if (rc != IQN_OK)
            goto done;
    }
    iqn_sink_get_counts(s, &after);
    unsigned long long removed = after.removed - before.removed;
    if (cfg->dry_run) {
        iqn_sink_say(s, "iqn-index: dry run: would prune %s (gone; %llu record%s)", st->path, removed,
                     removed == 1 ? "" : "s");
    } else {
        if (iqn_state_drop(cfg->db, st->path, &e2) != IQN_OK) {
            rc = index_error(&e2, err);
            goto done;
        }
        iqn_sink_wrote(s, 1);
        iqn_sink_note(s, "%s is gone: %llu record%s removed", st->path, removed, removed == 1 ? "" : "s");
    }
    iqn_sink_count_pruned(s);
done:
    return rc;
}

/* --prune; see pipeline.h. */
int iqn_pipeline_prune(const struct iqn_pipeline_config *cfg, struct iqn_error *err)
{
    struct stat sb;
    if (!cfg->db || !cfg->states)
        return IQN_OK;
    size_t n = iqn_state_map_size(cfg->states);
    for (size_t i = 0; i < n && !stopping(cfg); i++) {
        struct iqn_state *st = iqn_state_map_at(cfg->states, i);
        if (st->seen)
            continue;
        if (lstat(st->path, &sb) == 0 || (errno != ENOENT && errno != ENOTDIR))
            continue; /* still there (a hidden file, say): not ours to remove */
        int rc = prune_one(cfg, st, err);
        if (rc != IQN_OK)
            return rc;
    }
    return IQN_OK;
}
