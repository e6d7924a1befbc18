/* sink.c - validate, upsert and count parsed records; report failures, progress and the summary. */
#include "sink.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "document.h"
#include "state.h"

#define MSG_MAX 2048                   /* one message line, longer ones are cut */
#define SHOW_ID_MAX 80                 /* bytes of a record id quoted in a message */
#define ENCODE_MAX (IQN_BODY_MAX + (size_t)2 * 1024 * 1024)
#define FILE_IDS_MAX ((size_t)256 * 1024 * 1024) /* ids of one input: 2 million 128-byte ids */

/* Ids seen in a dry run, with the hash of their content, so a record given twice in one run
 * is classified against its first occurrence as the real run would. Open addressing. */
struct seen_slot {
    char *id;
    unsigned long long hash;
};

struct iqn_sink {
    struct iqn_sink_config cfg;
    struct iqn_sink_counts c;
    struct iqn_sink_file_counts fc; /* the current input */
    struct iqn_progress progress;
    unsigned long long cur_size;   /* the current input */
    unsigned long pending; /* record changes since the last commit: a batch is due at cfg.batch */
    int unsaved;           /* metadata (import state) written since the last commit */
    const char *path;      /* current input */
    int collect;           /* gather the ids of the current input */
    struct iqn_buf file_ids;
    size_t file_nids;
    struct seen_slot *seen;
    size_t nseen, seen_cap;
    struct iqn_buf enc;
};

/* Create the sink; see sink.h. */
int iqn_sink_new(const struct iqn_sink_config *cfg, struct iqn_sink **out, struct iqn_error *err)
{
    struct iqn_sink *s = calloc(1, sizeof *s);
    if (!s)
        return iqn_error_set(err, IQN_ENOMEM, "out of memory");
    s->cfg = *cfg;
    if (s->cfg.batch == 0)
        s->cfg.batch = IQN_SINK_BATCH_DEFAULT;
    iqn_progress_init(&s->progress, cfg->progress, cfg->dry_run ? "dry run: " : "");
    s->path = "-";
    iqn_buf_init(&s->enc, ENCODE_MAX);
    iqn_buf_init(&s->file_ids, FILE_IDS_MAX);
    *out = s;
    return IQN_OK;
}

/* Free the sink; see sink.h. */
void iqn_sink_free(struct iqn_sink *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->seen_cap; i++)
        free(s->seen[i].id);
    free(s->seen);
    iqn_buf_free(&s->enc);
    iqn_buf_free(&s->file_ids);
    free(s);
}

/* Totals for the ETA; see sink.h. */
void iqn_sink_set_total(struct iqn_sink *s, unsigned long long files, unsigned long long bytes)
{
    s->progress.total_files = files;
    s->progress.total_bytes = bytes;
}

/* Format one message line: control characters (from file names, ids or parser messages) are
 * replaced so a crafted input cannot drive the terminal. */
static void format_line(char *line, size_t size, const char *prefix, const char *fmt, va_list ap)
{
    int p = snprintf(line, size, "%s", prefix);
    if (p < 0 || (size_t)p >= size)
        p = 0;
    int n = vsnprintf(line + p, size - (size_t)p, fmt, ap);
    if (n < 0)
        n = 0;
    size_t len = (size_t)p + (size_t)n;
    if (len >= size)
        len = size - 1;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == ' '))
        len--;
    line[len] = '\0';
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)line[i];
        if (ch < 0x20 || ch == 0x7f)
            line[i] = ch == '\t' || ch == '\n' ? ' ' : '?';
    }
}

/* Write prefix and one formatted message line to stderr. */
static void emit(struct iqn_sink *s, const char *prefix, const char *fmt, va_list ap)
{
    char line[MSG_MAX];
    format_line(line, sizeof line, prefix, fmt, ap);
    iqn_progress_clear(&s->progress);
    fputs(line, stderr);
    fputc('\n', stderr);
}

static void emitf(struct iqn_sink *s, const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void emitf(struct iqn_sink *s, const char *prefix, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(s, prefix, fmt, ap);
    va_end(ap);
}

/* "path:line: " or "path: " into out. */
static void where(const struct iqn_sink *s, long line, char *out, size_t outlen)
{
    if (line > 0)
        snprintf(out, outlen, "%s:%ld: ", s->path, line);
    else
        snprintf(out, outlen, "%s: ", s->path);
}

/* An id as quoted in messages: cut when absurdly long. */
static void show_id(const char *id, char *out, size_t outlen)
{
    size_t n = strlen(id);
    if (n <= SHOW_ID_MAX)
        snprintf(out, outlen, "%s", id);
    else
        snprintf(out, outlen, "%.*s...", SHOW_ID_MAX, id);
}

/* Report a record failure; msg may already start with "record 'id'" (the shim's validation
 * messages name the record), in which case it is not named twice. */
static void record_error(struct iqn_sink *s, long line, const char *id, const char *msg)
{
    char at[MSG_MAX / 2];
    char sid[SHOW_ID_MAX + 8];
    where(s, line, at, sizeof at);
    if (id && id[0] && strncmp(msg, "record", 6) != 0) {
        show_id(id, sid, sizeof sid);
        emitf(s, at, "record '%s': %s", sid, msg);
    } else {
        emitf(s, at, "%s", msg);
    }
    iqn_report_add(s->cfg.report, s->path, line, id && id[0] ? id : NULL, "failed", msg);
    s->c.failed++;
    s->fc.failed++;
}

/* A message of the program itself; see sink.h. */
void iqn_sink_note(struct iqn_sink *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(s, "iqn-index: ", fmt, ap);
    va_end(ap);
}

/* A line on stdout; see sink.h. */
void iqn_sink_say(struct iqn_sink *s, const char *fmt, ...)
{
    char line[MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    format_line(line, sizeof line, "", fmt, ap);
    va_end(ap);
    iqn_progress_clear(&s->progress);
    fputs(line, stdout);
    fputc('\n', stdout);
}

/* Start an input; see sink.h. */
void iqn_sink_begin_file(struct iqn_sink *s, const char *path, unsigned long long size, int collect)
{
    s->path = path;
    s->cur_size = size;
    s->collect = collect;
    s->file_nids = 0;
    memset(&s->fc, 0, sizeof s->fc);
    iqn_buf_reset(&s->file_ids);
}

/* Position in the current input; see sink.h. */
void iqn_sink_file_progress(struct iqn_sink *s, double fraction)
{
    (void)s;
    (void)fraction;
}

/* Commit what is pending; a failure is fatal. */
static int commit(struct iqn_sink *s, struct iqn_error *err)
{
    struct iqn_error e;
    if (s->cfg.dry_run || !s->cfg.db || (s->pending == 0 && !s->unsaved))
        return IQN_OK;
    if (iqn_db_commit(s->cfg.db, &e) != IQN_OK)
        return iqn_error_set(err, e.code, "cannot commit to index %s: %s", s->cfg.db_path,
                             iqn_sink_index_reason(e.message, s->cfg.db_path));
    s->pending = 0;
    s->unsaved = 0;
    s->c.commits++;
    return IQN_OK;
}

/* Finish an input; see sink.h. */
int iqn_sink_end_file(struct iqn_sink *s, int was_read, struct iqn_error *err)
{
    s->c.files++;
    if (was_read && !s->fc.whole_failed && !s->fc.skipped)
        s->c.files_read++;
    iqn_progress_file(&s->progress, s->cur_size, was_read);
    s->cur_size = 0;
    if (s->pending >= s->cfg.batch)
        return commit(s, err);
    return IQN_OK;
}

/* Ids of the current input; see sink.h. */
const char *iqn_sink_file_ids(const struct iqn_sink *s, size_t *n)
{
    *n = s->file_nids;
    if (!s->collect || iqn_buf_failed(&s->file_ids))
        return NULL;
    return s->file_ids.data ? s->file_ids.data : "";
}

/* Per-input counts; see sink.h. */
void iqn_sink_file_counts(const struct iqn_sink *s, struct iqn_sink_file_counts *out)
{
    *out = s->fc;
}

/* Stop flag; see sink.h. */
int iqn_sink_stopping(const struct iqn_sink *s)
{
    return s->cfg.stop && *s->cfg.stop;
}

/* Dry run: find or insert id in the seen table. Returns the slot; *found says if it was there. */
static struct seen_slot *seen_lookup(struct iqn_sink *s, const char *id, int *found)
{
    *found = 0;
    if (s->nseen + 1 > s->seen_cap / 2) {
        size_t ncap = s->seen_cap ? s->seen_cap * 2 : 1024;
        struct seen_slot *nv = calloc(ncap, sizeof *nv);
        if (!nv)
            return NULL;
        for (size_t i = 0; i < s->seen_cap; i++) {
            if (!s->seen[i].id)
                continue;
            size_t h = (size_t)iqn_hash64(s->seen[i].id, strlen(s->seen[i].id), 0) & (ncap - 1);
            while (nv[h].id)
                h = (h + 1) & (ncap - 1);
            nv[h] = s->seen[i];
        }
        free(s->seen);
        s->seen = nv;
        s->seen_cap = ncap;
    }
    size_t h = (size_t)iqn_hash64(id, strlen(id), 0) & (s->seen_cap - 1);
    while (s->seen[h].id) {
        if (strcmp(s->seen[h].id, id) == 0) {
            *found = 1;
            return &s->seen[h];
        }
        h = (h + 1) & (s->seen_cap - 1);
    }
    s->seen[h].id = strdup(id);
    if (!s->seen[h].id)
        return NULL;
    s->nseen++;
    return &s->seen[h];
}

/* Dry run: what would the real run do with r? */
static int dry_classify(struct iqn_sink *s, const struct iqn_record *r, enum iqn_upsert_result *res,
                        struct iqn_error *err)
{
    const char *id = iqn_record_get(r, IQN_F_ID);
    int found;
    iqn_buf_reset(&s->enc);
    if (iqn_record_encode(r, &s->enc) != 0 || iqn_buf_failed(&s->enc)) {
        iqn_buf_free(&s->enc);
        iqn_buf_init(&s->enc, ENCODE_MAX);
        return iqn_error_set(err, IQN_EINVAL, "record too large to store");
    }
    unsigned long long h = iqn_hash64(s->enc.data, s->enc.len, 0);
    struct seen_slot *slot = seen_lookup(s, id, &found);
    if (!slot)
        return iqn_error_set(err, IQN_ENOMEM, "out of memory");
    if (found) {
        *res = slot->hash == h ? IQN_UPSERT_UNCHANGED : IQN_UPSERT_UPDATED;
        slot->hash = h;
        return IQN_OK;
    }
    slot->hash = h;
    if (!s->cfg.db) {
        *res = IQN_UPSERT_ADDED;
        return IQN_OK;
    }
    return iqn_db_classify(s->cfg.db, r, res, err);
}

/* The reason in a shim message about the index; see sink.h. */
const char *iqn_sink_index_reason(const char *msg, const char *path)
{
    size_t n = strlen(path);
    if (strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
        return msg + n + 2;
    return msg;
}

/* Upsert (or classify) a valid record and count it; may_commit allows a commit when a batch is due. */
static int store(struct iqn_sink *s, const struct iqn_record *r, long line, int may_commit, struct iqn_error *err)
{
    struct iqn_error e;
    enum iqn_upsert_result res = IQN_UPSERT_ADDED;
    int rc;
    const char *id = iqn_record_get(r, IQN_F_ID);

    if (s->cfg.dry_run)
        rc = dry_classify(s, r, &res, &e);
    else
        rc = iqn_db_upsert(s->cfg.db, r, &res, &e);
    if (rc != IQN_OK) {
        /* A record the index refuses is that record's problem; anything else is the index's. */
        if (rc == IQN_EINVAL) {
            record_error(s, line, id, e.message);
            return IQN_OK;
        }
        return iqn_error_set(err, (enum iqn_status)rc, "cannot %s index %s: %s",
                             s->cfg.dry_run ? "read" : "update", s->cfg.db_path,
                             iqn_sink_index_reason(e.message, s->cfg.db_path));
    }
    switch (res) {
    case IQN_UPSERT_ADDED: s->c.added++; s->fc.added++; break;
    case IQN_UPSERT_UPDATED: s->c.updated++; s->fc.updated++; break;
    case IQN_UPSERT_UNCHANGED: s->c.unchanged++; s->fc.unchanged++; break;
    }
    if (s->collect) {
        if (s->file_nids > 0)
            iqn_buf_addc(&s->file_ids, ' ');
        iqn_buf_adds(&s->file_ids, id);
        s->file_nids++;
    }
    if (res != IQN_UPSERT_UNCHANGED && !s->cfg.dry_run && ++s->pending >= s->cfg.batch && may_commit)
        return commit(s, err);
    return IQN_OK;
}

/* Validate and store one record; see sink.h. */
int iqn_sink_record(struct iqn_sink *s, struct iqn_record *r, long line, struct iqn_error *err)
{
    struct iqn_error e;
    if (!iqn_record_get(r, IQN_F_SOURCE))
        iqn_record_set(r, IQN_F_SOURCE, s->path, &e); /* a path too long or not UTF-8: no source */
    if (iqn_record_validate(r, s->cfg.vocab, &e) != IQN_OK) {
        record_error(s, line, iqn_record_get(r, IQN_F_ID), e.message);
        return IQN_OK;
    }
    int rc = store(s, r, line, 1, err);
    iqn_progress_tick(&s->progress, 0);
    return rc;
}

/* Store a validated record; see sink.h. */
int iqn_sink_record_valid(struct iqn_sink *s, const struct iqn_record *r, struct iqn_error *err)
{
    return store(s, r, 0, 0, err);
}

/* A record that did not parse; see sink.h. */
void iqn_sink_record_failed(struct iqn_sink *s, long line, const char *id, const char *fmt, ...)
{
    char msg[MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    record_error(s, line, id, msg);
}

/* A whole input failed; see sink.h. */
void iqn_sink_file_failed(struct iqn_sink *s, long line, const char *fmt, ...)
{
    char at[MSG_MAX / 2];
    char msg[MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    where(s, line, at, sizeof at);
    emitf(s, at, "%s", msg);
    iqn_report_add(s->cfg.report, s->path, line, NULL, "failed", msg);
    s->c.failed++;
    s->c.files_failed++;
    s->fc.failed++;
    s->fc.whole_failed = 1;
}

/* An input skipped; see sink.h. */
void iqn_sink_file_skipped(struct iqn_sink *s, const char *fmt, ...)
{
    char at[MSG_MAX / 2];
    char msg[MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(at, sizeof at, "%s: skipped: ", s->path);
    emitf(s, at, "%s", msg);
    iqn_report_add(s->cfg.report, s->path, 0, NULL, "skipped", msg);
    s->c.files_skipped++;
    s->fc.skipped = 1;
}

/* An input not read again; see sink.h. */
void iqn_sink_file_unchanged(struct iqn_sink *s, size_t nids, int was_read)
{
    if (!was_read)
        s->c.files_unchanged++;
    s->c.unchanged += nids;
    s->fc.unchanged += nids;
}

/* A bad manifest row; see sink.h. */
void iqn_sink_manifest_failed(struct iqn_sink *s, const char *manifest, long line, const char *reason)
{
    char at[MSG_MAX / 2];
    snprintf(at, sizeof at, "%s:%ld: ", manifest, line);
    emitf(s, at, "%s", reason);
    iqn_report_add(s->cfg.report, manifest, line, NULL, "failed", reason);
    s->c.failed++;
}

/* After a record is deleted by --delete, the file it came from is read again next time. */
static int forget_owner(struct iqn_sink *s, const char *id, struct iqn_error *err)
{
    char *owner = NULL, *value = NULL;
    char key[IQN_STATE_KEY_MAX + 1];
    struct iqn_state st = {0};
    struct iqn_buf b;
    int rc = iqn_owner_get(s->cfg.db, id, &owner, err);
    iqn_buf_init(&b, (size_t)64 * 1024 * 1024);
    if (rc != IQN_OK || !owner[0])
        goto done;
    iqn_state_key(owner, key, sizeof key);
    rc = iqn_db_get_meta(s->cfg.db, key, &value, err);
    if (rc != IQN_OK)
        goto done;
    if (value[0] && iqn_state_decode(value, &st, err) == IQN_OK) {
        st.dirty = 1;
        rc = iqn_state_put(s->cfg.db, &st, &b, err);
        if (rc != IQN_OK)
            goto done;
    }
    rc = iqn_owner_set(s->cfg.db, id, NULL, err);
done:
    iqn_state_clear(&st);
    iqn_buf_free(&b);
    free(owner);
    free(value);
    return rc;
}

/* Delete one id; see sink.h. */
int iqn_sink_delete(struct iqn_sink *s, const char *id, struct iqn_error *err)
{
    struct iqn_error e;
    char sid[SHOW_ID_MAX + 8];
    int found = 0;
    int rc;

    show_id(id, sid, sizeof sid);
    if (!iqn_document_id_valid(id)) {
        emitf(s, "iqn-index: ", "--delete '%s': not a valid id", sid);
        s->c.not_found++;
        return IQN_OK;
    }
    if (!s->cfg.db) {
        rc = IQN_ENOTFOUND;
    } else if (s->cfg.dry_run) {
        struct iqn_record *r = NULL;
        rc = iqn_db_get(s->cfg.db, id, &r, &e);
        iqn_record_free(r);
        found = rc == IQN_OK;
    } else {
        rc = iqn_db_delete(s->cfg.db, id, &found, &e);
        if (rc == IQN_OK && found) {
            s->pending++;
            rc = forget_owner(s, id, &e);
        }
    }
    if (rc != IQN_OK && rc != IQN_ENOTFOUND)
        return iqn_error_set(err, (enum iqn_status)rc, "cannot delete from index %s: %s", s->cfg.db_path,
                             iqn_sink_index_reason(e.message, s->cfg.db_path));
    if (found) {
        s->c.deleted++;
    } else {
        emitf(s, "iqn-index: ", "--delete '%s': no such record", sid);
        s->c.not_found++;
    }
    if (!s->cfg.dry_run && s->pending >= s->cfg.batch)
        return commit(s, err);
    return IQN_OK;
}

/* Remove a record its file no longer gives; see sink.h. */
int iqn_sink_remove(struct iqn_sink *s, const char *id, struct iqn_error *err)
{
    struct iqn_error e;
    int found = 0, rc;
    if (!s->cfg.db)
        return IQN_OK;
    if (s->cfg.dry_run) {
        struct iqn_record *r = NULL;
        rc = iqn_db_get(s->cfg.db, id, &r, &e);
        iqn_record_free(r);
        found = rc == IQN_OK;
        if (rc == IQN_ENOTFOUND)
            rc = IQN_OK;
    } else {
        rc = iqn_db_delete(s->cfg.db, id, &found, &e);
        if (rc == IQN_OK)
            rc = iqn_owner_set(s->cfg.db, id, NULL, &e);
        s->pending++;
    }
    if (rc != IQN_OK)
        return iqn_error_set(err, (enum iqn_status)rc, "cannot delete from index %s: %s", s->cfg.db_path,
                             iqn_sink_index_reason(e.message, s->cfg.db_path));
    if (found)
        s->c.removed++;
    return IQN_OK;
}

/* Count a pruned file; see sink.h. */
void iqn_sink_count_pruned(struct iqn_sink *s)
{
    s->c.pruned++;
}

/* Metadata writes; see sink.h. */
void iqn_sink_wrote(struct iqn_sink *s, unsigned long n)
{
    if (!s->cfg.dry_run && n > 0)
        s->unsaved = 1; /* committed with the next batch: small, so it does not count toward one */
}

/* Final commit; see sink.h. */
int iqn_sink_finish(struct iqn_sink *s, struct iqn_error *err)
{
    int rc = commit(s, err);
    iqn_progress_clear(&s->progress);
    return rc;
}

/* The counters so far; see sink.h. */
void iqn_sink_get_counts(const struct iqn_sink *s, struct iqn_sink_counts *out)
{
    *out = s->c;
}

/* The summary; see sink.h. */
void iqn_sink_summary(const struct iqn_sink *s, FILE *out, int with_records, int with_deletes)
{
    const char *dry = s->cfg.dry_run ? "dry run: " : "";
    if (with_deletes)
        fprintf(out, "iqn-index: %sdeleted %llu, not found %llu\n", dry, s->c.deleted, s->c.not_found);
    if (!with_records)
        return;
    double el = iqn_progress_now() - s->progress.start;
    char pruned[96] = "";
    if (s->c.pruned > 0)
        snprintf(pruned, sizeof pruned, ", %llu pruned (%llu record%s removed)", s->c.pruned, s->c.removed,
                 s->c.removed == 1 ? "" : "s");
    else if (s->c.removed > 0) /* records their files no longer give */
        snprintf(pruned, sizeof pruned, ", %llu record%s removed", s->c.removed, s->c.removed == 1 ? "" : "s");
    fprintf(out, "iqn-index: %sfiles: %llu read, %llu unchanged, %llu skipped, %llu failed%s\n", dry,
            s->c.files_read, s->c.files_unchanged, s->c.files_skipped, s->c.files_failed, pruned);
    unsigned long long recs = s->c.added + s->c.updated + s->c.unchanged + s->c.failed;
    char skipped[64] = "";
    if (s->c.files_skipped > 0)
        snprintf(skipped, sizeof skipped, " (%llu file%s skipped)", s->c.files_skipped,
                 s->c.files_skipped == 1 ? "" : "s");
    fprintf(out,
            "iqn-index: %s%llu record%s in %llu file%s: %llu added, %llu updated, %llu unchanged, "
            "%llu failed%s in %.2f s (%.0f records/s)\n",
            dry, recs, recs == 1 ? "" : "s", s->c.files, s->c.files == 1 ? "" : "s", s->c.added,
            s->c.updated, s->c.unchanged, s->c.failed, skipped, el, el > 0 ? (double)recs / el : 0.0);
}
