/* sink.c - validate, upsert and count parsed records; report failures, progress and the summary. */
#include "sink.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MSG_MAX 2048                   /* one message line, longer ones are cut */
#define PROGRESS_EVERY 2.0             /* seconds between progress lines */
#define SHOW_ID_MAX 80                 /* bytes of a record id quoted in a message */
#define ENCODE_MAX (IQN_BODY_MAX + (size_t)2 * 1024 * 1024)

/* Ids seen in a dry run, with the hash of their content, so a record given twice in one run
 * is classified against its first occurrence as the real run would. Open addressing. */
struct seen_slot {
    char *id;
    unsigned long long hash;
};

struct iqn_sink {
    struct iqn_sink_config cfg;
    struct iqn_sink_counts c;
    unsigned long long total_files;
    unsigned long long total_bytes;
    unsigned long long done_bytes; /* inputs finished */
    unsigned long long cur_size;   /* the current input */
    double cur_fraction;
    unsigned long pending; /* records upserted since the last commit */
    const char *path;      /* current input */
    double start;
    double last_progress;
    int progress_shown;    /* a progress line is on the terminal and must be cleared first */
    struct seen_slot *seen;
    size_t nseen, seen_cap;
    struct iqn_buf enc;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Create the sink; see sink.h. */
int iqn_sink_new(const struct iqn_sink_config *cfg, struct iqn_sink **out, struct iqn_error *err)
{
    struct iqn_sink *s = calloc(1, sizeof *s);
    if (!s)
        return iqn_error_set(err, IQN_ENOMEM, "out of memory");
    s->cfg = *cfg;
    if (s->cfg.batch == 0)
        s->cfg.batch = IQN_SINK_BATCH_DEFAULT;
    s->start = now_s();
    s->last_progress = s->start;
    s->path = "-";
    iqn_buf_init(&s->enc, ENCODE_MAX);
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
    free(s);
}

/* Totals for the ETA; see sink.h. */
void iqn_sink_set_total(struct iqn_sink *s, unsigned long long files, unsigned long long bytes)
{
    s->total_files = files;
    s->total_bytes = bytes;
}

static void clear_progress(struct iqn_sink *s)
{
    if (s->progress_shown) {
        fputs("\r\033[K", stderr);
        s->progress_shown = 0;
    }
}

/* Write prefix and one formatted message line to stderr: control characters (from file names,
 * ids or parser messages) are replaced so a crafted input cannot drive the terminal. */
static void emit(struct iqn_sink *s, const char *prefix, const char *fmt, va_list ap)
{
    char line[MSG_MAX];
    int p = snprintf(line, sizeof line, "%s", prefix);
    if (p < 0 || (size_t)p >= sizeof line)
        p = 0;
    int n = vsnprintf(line + p, sizeof line - (size_t)p, fmt, ap);
    if (n < 0)
        return;
    size_t len = (size_t)p + (size_t)n;
    if (len >= sizeof line)
        len = sizeof line - 1;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == ' '))
        len--;
    line[len] = '\0';
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)line[i];
        if (ch < 0x20 || ch == 0x7f)
            line[i] = ch == '\t' || ch == '\n' ? ' ' : '?';
    }
    clear_progress(s);
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
    s->c.failed++;
}

/* A message of the program itself; see sink.h. */
void iqn_sink_note(struct iqn_sink *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(s, "iqn-index: ", fmt, ap);
    va_end(ap);
}

static void progress(struct iqn_sink *s, int force)
{
    if (!s->cfg.progress)
        return;
    double t = now_s();
    if (!force && t - s->last_progress < PROGRESS_EVERY)
        return;
    s->last_progress = t;
    double el = t - s->start;
    unsigned long long recs = s->c.added + s->c.updated + s->c.unchanged + s->c.failed;
    double rate = el > 0 ? (double)recs / el : 0;
    unsigned long long done = s->c.files;
    char eta[48] = "";
    /* ETA by bytes when sizes are known (one big file moves too), else by files. */
    double part = (double)s->done_bytes + s->cur_fraction * (double)s->cur_size;
    double whole = (double)s->total_bytes;
    if (whole <= 0) {
        part = (double)done;
        whole = (double)s->total_files;
    }
    if (part > 0 && whole > part && el >= 1.0)
        snprintf(eta, sizeof eta, ", ETA %.0f s", el * (whole - part) / part);
    fprintf(stderr, "\r\033[Kiqn-index: %s%llu/%llu files, %llu records, %.0f records/s%s",
            s->cfg.dry_run ? "dry run: " : "", done, s->total_files, recs, rate, eta);
    fflush(stderr);
    s->progress_shown = 1;
}

/* Start an input; see sink.h. */
void iqn_sink_begin_file(struct iqn_sink *s, const char *path, unsigned long long size)
{
    s->path = path;
    s->cur_size = size;
    s->cur_fraction = 0;
}

/* Position in the current input; see sink.h. */
void iqn_sink_file_progress(struct iqn_sink *s, double fraction)
{
    s->cur_fraction = fraction < 0 ? 0 : fraction > 1 ? 1 : fraction;
}

/* Finish an input; see sink.h. */
void iqn_sink_end_file(struct iqn_sink *s)
{
    s->c.files++;
    s->done_bytes += s->cur_size;
    s->cur_size = 0;
    s->cur_fraction = 0;
    progress(s, 0);
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

/* Commit what is pending; a failure is fatal. */
static int commit(struct iqn_sink *s, struct iqn_error *err)
{
    struct iqn_error e;
    if (s->cfg.dry_run || !s->cfg.db || s->pending == 0)
        return IQN_OK;
    if (iqn_db_commit(s->cfg.db, &e) != IQN_OK)
        return iqn_error_set(err, e.code, "cannot commit index %s: %s", s->cfg.db_path,
                              iqn_sink_index_reason(e.message, s->cfg.db_path));
    s->pending = 0;
    s->c.commits++;
    return IQN_OK;
}

/* Validate and store one record; see sink.h. */
int iqn_sink_record(struct iqn_sink *s, struct iqn_record *r, long line, struct iqn_error *err)
{
    struct iqn_error e;
    enum iqn_upsert_result res = IQN_UPSERT_ADDED;
    int rc;

    iqn_error_clear(&e);
    if (!iqn_record_get(r, IQN_F_SOURCE))
        iqn_record_set(r, IQN_F_SOURCE, s->path, &e); /* a path too long or not UTF-8: no source */
    if (iqn_record_validate(r, s->cfg.vocab, &e) != IQN_OK) {
        record_error(s, line, iqn_record_get(r, IQN_F_ID), e.message);
        goto done;
    }
    if (s->cfg.dry_run)
        rc = dry_classify(s, r, &res, &e);
    else
        rc = iqn_db_upsert(s->cfg.db, r, &res, &e);
    if (rc != IQN_OK) {
        /* A record the index refuses is that record's problem; anything else is the index's. */
        if (rc == IQN_EINVAL) {
            record_error(s, line, iqn_record_get(r, IQN_F_ID), e.message);
            goto done;
        }
        return iqn_error_set(err, (enum iqn_status)rc, "cannot %s index %s: %s",
                             s->cfg.dry_run ? "read" : "update", s->cfg.db_path,
                             iqn_sink_index_reason(e.message, s->cfg.db_path));
    }
    switch (res) {
    case IQN_UPSERT_ADDED: s->c.added++; break;
    case IQN_UPSERT_UPDATED: s->c.updated++; break;
    case IQN_UPSERT_UNCHANGED: s->c.unchanged++; break;
    }
    if (res != IQN_UPSERT_UNCHANGED && !s->cfg.dry_run && ++s->pending >= s->cfg.batch) {
        rc = commit(s, err);
        if (rc != IQN_OK)
            return rc;
    }
done:
    progress(s, 0);
    return IQN_OK;
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
    va_list ap;
    where(s, line, at, sizeof at);
    va_start(ap, fmt);
    emit(s, at, fmt, ap);
    va_end(ap);
    s->c.failed++;
}

/* An input skipped; see sink.h. */
void iqn_sink_file_skipped(struct iqn_sink *s, const char *fmt, ...)
{
    char at[MSG_MAX / 2];
    va_list ap;
    snprintf(at, sizeof at, "%s: skipped: ", s->path);
    va_start(ap, fmt);
    emit(s, at, fmt, ap);
    va_end(ap);
    s->c.files_skipped++;
}

/* Delete one id; see sink.h. */
int iqn_sink_delete(struct iqn_sink *s, const char *id, struct iqn_error *err)
{
    struct iqn_error e;
    char sid[SHOW_ID_MAX + 8];
    int found = 0;
    int rc;

    show_id(id, sid, sizeof sid);
    size_t n = strlen(id);
    int ok = n > 0 && n <= IQN_ID_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        char c = id[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
             c == '_' || c == '-';
    }
    if (!ok) {
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
        if (rc == IQN_OK && found)
            s->pending++;
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

/* Final commit; see sink.h. */
int iqn_sink_finish(struct iqn_sink *s, struct iqn_error *err)
{
    int rc = commit(s, err);
    clear_progress(s);
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
    double el = now_s() - s->start;
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
