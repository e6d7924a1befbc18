/* write_sink.c - indexer/sink.h's record entry points for iqn-searchd's write API: the same
 * validation and upsert as iqn-index, with failures collected as JSON for the response. */
#include "write_sink.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

#define ERRORS_JSON_MAX (4u * 1024 * 1024)
#define MSG_MAX 1024

struct iqn_sink {
    struct iqn_db *db;
    const struct iqn_vocab *vocab;
    char *source;
    struct iqn_write_counts c;
    struct iqn_buf errors;   /* JSON items, comma-separated */
    size_t listed;
    int truncated;
};

/* A new sink; see write_sink.h. */
struct iqn_sink *iqn_write_sink_new(struct iqn_db *db, const struct iqn_vocab *vocab, const char *source)
{
    struct iqn_sink *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->source = strdup(source);
    if (!s->source) {
        free(s);
        return NULL;
    }
    s->db = db;
    s->vocab = vocab;
    iqn_buf_init(&s->errors, ERRORS_JSON_MAX);
    return s;
}

/* Free; see write_sink.h. */
void iqn_write_sink_free(struct iqn_sink *s)
{
    if (!s)
        return;
    iqn_buf_free(&s->errors);
    free(s->source);
    free(s);
}

/* The outcome; see write_sink.h. */
void iqn_write_sink_result(const struct iqn_sink *s, struct iqn_write_counts *counts, const struct iqn_buf **errors,
                           int *truncated)
{
    *counts = s->c;
    *errors = &s->errors;
    *truncated = s->truncated || iqn_buf_failed(&s->errors);
}

/* Count one failure and list it while there is room. */
static void failure(struct iqn_sink *s, long line, const char *id, const char *msg)
{
    s->c.failed++;
    if (s->listed == IQN_WRITE_ERRORS_MAX) {
        s->truncated = 1;
        return;
    }
    s->listed++;
    if (s->errors.len)
        iqn_buf_addc(&s->errors, ',');
    if (line > 0)
        iqn_buf_addf(&s->errors, "{\"line\":%ld,\"id\":", line);
    else
        iqn_buf_adds(&s->errors, "{\"line\":null,\"id\":");
    iqn_buf_json_strz(&s->errors, id && id[0] ? id : NULL);
    iqn_buf_adds(&s->errors, ",\"message\":");
    iqn_buf_json_strz(&s->errors, msg);
    iqn_buf_addc(&s->errors, '}');
}

/* Validate and upsert one record (sink.h). */
int iqn_sink_record(struct iqn_sink *s, struct iqn_record *r, long line, struct iqn_error *err)
{
    struct iqn_error e;
    enum iqn_upsert_result res = IQN_UPSERT_ADDED;
    iqn_error_clear(&e);
    if (!iqn_record_get(r, IQN_F_SOURCE))
        iqn_record_set(r, IQN_F_SOURCE, s->source, &e);
    if (iqn_record_validate(r, s->vocab, &e) != IQN_OK) {
        failure(s, line, iqn_record_get(r, IQN_F_ID), e.message);
        return IQN_OK;
    }
    int rc = iqn_db_upsert(s->db, r, &res, &e);
    if (rc == IQN_EINVAL) {
        failure(s, line, iqn_record_get(r, IQN_F_ID), e.message);
        return IQN_OK;
    }
    if (rc != IQN_OK)
        return iqn_error_set(err, (enum iqn_status)rc, "%s", e.message);
    switch (res) {
    case IQN_UPSERT_ADDED: s->c.added++; break;
    case IQN_UPSERT_UPDATED: s->c.updated++; break;
    case IQN_UPSERT_UNCHANGED: s->c.unchanged++; break;
    }
    return IQN_OK;
}

static void vfailure(struct iqn_sink *s, long line, const char *id, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
static void vfailure(struct iqn_sink *s, long line, const char *id, const char *fmt, va_list ap)
{
    char msg[MSG_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    failure(s, line, id, msg);
}

/* A record that did not parse (sink.h). */
void iqn_sink_record_failed(struct iqn_sink *s, long line, const char *id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfailure(s, line, id, fmt, ap);
    va_end(ap);
}

/* The body failed as a whole, e.g. malformed XML (sink.h). */
void iqn_sink_file_failed(struct iqn_sink *s, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfailure(s, line, NULL, fmt, ap);
    va_end(ap);
}

/* A request is never interrupted between records (sink.h). */
int iqn_sink_stopping(const struct iqn_sink *s)
{
    (void)s;
    return 0;
}

/* No progress line in a daemon (sink.h). */
void iqn_sink_file_progress(struct iqn_sink *s, double fraction)
{
    (void)s;
    (void)fraction;
}
