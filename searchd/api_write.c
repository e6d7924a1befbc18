/* api_write.c - POST and DELETE on /api/v1/documents. Xapian allows one writer per index, held by
 * an exclusive lock: each write request takes a process-wide mutex (one writer in this daemon),
 * then opens the WritableDatabase, waiting up to write_wait seconds while another process
 * (iqn-index) holds the lock, commits at the end of the request and closes, so iqn-index can take
 * the lock between requests. A request that cannot get the writer in time is answered 503 with
 * Retry-After; searches go on meanwhile on their own read-only handles. */
#include "api_write.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compress.h"
#include "http.h"
#include "metrics.h"
#include "parse_jsonl.h"
#include "parse_xml.h"
#include "record.h"
#include "write_sink.h"

#define RESULT_JSON_MAX (8u * 1024 * 1024)
#define LOCK_POLL_MS 100
#define RETRY_AFTER_LOCKED 5

enum body_format { BODY_UNKNOWN, BODY_JSONL, BODY_XML };

static pthread_mutex_t writer_mu = PTHREAD_MUTEX_INITIALIZER; /* one writer in this process */

/* The media type of a header value, lower-cased, without parameters. */
static void media_type(const char *v, char *out, size_t outlen)
{
    size_t n = 0;
    while (*v == ' ' || *v == '\t')
        v++;
    for (; *v && *v != ';' && *v != ' ' && *v != '\t' && n + 1 < outlen; v++)
        out[n++] = (char)tolower((unsigned char)*v);
    out[n] = '\0';
}

static enum body_format body_format(struct iqn_request *req)
{
    static const char *const jsonl[] = {"application/x-ndjson", "application/jsonl", "application/json-lines",
                                        "application/jsonlines", "application/x-jsonlines"};
    char t[64];
    const char *ct = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!ct)
        return BODY_UNKNOWN;
    media_type(ct, t, sizeof t);
    for (size_t i = 0; i < sizeof jsonl / sizeof jsonl[0]; i++)
        if (strcmp(t, jsonl[i]) == 0)
            return BODY_JSONL;
    if (strcmp(t, "application/xml") == 0 || strcmp(t, "text/xml") == 0)
        return BODY_XML;
    return BODY_UNKNOWN;
}

/* 0 identity, 1 gzip, -1 something else. */
static int body_encoding(struct iqn_request *req)
{
    char t[32];
    const char *ce = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_ENCODING);
    if (!ce)
        return 0;
    media_type(ce, t, sizeof t);
    if (t[0] == '\0' || strcmp(t, "identity") == 0)
        return 0;
    if (strcmp(t, "gzip") == 0 || strcmp(t, "x-gzip") == 0)
        return 1;
    return -1;
}

/* Refuse what cannot be read before reading it; see api_write.h. */
int iqn_api_write_precheck(struct iqn_request *req, enum MHD_Result *rc)
{
    const struct iqn_config *cfg = req->srv->cfg;
    if (body_format(req) == BODY_UNKNOWN) {
        *rc = iqn_http_error(req, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", NULL,
                             "send records as application/x-ndjson (JSON Lines) or application/xml (IQN XML)");
        return 1;
    }
    if (body_encoding(req) < 0) {
        *rc = iqn_http_error(req, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", NULL,
                             "Content-Encoding must be gzip or identity");
        return 1;
    }
    const char *cl = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        char *end = NULL;
        errno = 0;
        unsigned long long n = strtoull(cl, &end, 10);
        if (errno == 0 && end != cl && *end == '\0' && n > cfg->max_body) {
            *rc = iqn_http_error(req, MHD_HTTP_CONTENT_TOO_LARGE, "too_large", NULL,
                                 "request body of %llu bytes is over the limit of %zu bytes (max_body); split it", n,
                                 cfg->max_body);
            return 1;
        }
    }
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Take the process's writer mutex and open the index for writing, waiting up to write_wait seconds
 * for either. IQN_ELOCKED when the time ran out. */
static int writer_open(struct iqn_request *req, struct iqn_db **db, struct iqn_error *err)
{
    const struct iqn_config *cfg = req->srv->cfg;
    double deadline = now_s() + cfg->write_wait;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)cfg->write_wait;
    int lr = pthread_mutex_timedlock(&writer_mu, &until);
    if (lr != 0)
        return iqn_error_set(err, IQN_ELOCKED, "another write to this index is still running");
    for (;;) {
        int rc = iqn_db_open(cfg->db, IQN_DB_WRITE, db, err);
        if (rc == IQN_OK) {
            iqn_db_set_vocab(*db, req->srv->vocab);
            return IQN_OK;
        }
        if (rc != IQN_ELOCKED || now_s() + LOCK_POLL_MS / 1000.0 > deadline) {
            pthread_mutex_unlock(&writer_mu);
            return rc;
        }
        struct timespec pause = {0, LOCK_POLL_MS * 1000000L};
        nanosleep(&pause, NULL);
    }
}

/* Close the writer (its changes are committed by now) and let the next writer in. */
static void writer_close(struct iqn_db *db)
{
    iqn_db_close(db);
    pthread_mutex_unlock(&writer_mu);
}

/* 503 (writer busy or locked) or 500 (anything else) for a failed writer_open or commit. */
static enum MHD_Result writer_failed(struct iqn_request *req, const struct iqn_error *err)
{
    if (err->code == IQN_ELOCKED) {
        req->retry_after = RETRY_AFTER_LOCKED;
        iqn_metrics_error(req->srv->metrics, IQN_ERR_UNAVAILABLE);
        return iqn_http_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "index_locked", NULL,
                              "the index is being written by another process (iqn-index?): retry later (%s)",
                              err->message);
    }
    return iqn_http_fail(req, err);
}

static int blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isspace((unsigned char)p[i]))
            return 0;
    return 1;
}

/* The body as sent, or inflated when gzip; *owned is what to free. 0, or -1 with a response queued. */
static int plain_body(struct iqn_request *req, const char **data, size_t *len, char **owned, enum MHD_Result *rc)
{
    struct iqn_error err;
    iqn_error_clear(&err);
    *owned = NULL;
    *data = req->body.data ? req->body.data : "";
    *len = req->body.len;
    if (body_encoding(req) != 1)
        return 0;
    int g = iqn_gunzip(*data, *len, req->srv->cfg->max_inflated, owned, len, &err);
    if (g == IQN_OK) {
        *data = *owned;
        return 0;
    }
    if (g == IQN_ENOMEM)
        *rc = iqn_http_error(req, MHD_HTTP_CONTENT_TOO_LARGE, "too_large", NULL, "%s (max_inflated is %zu bytes)",
                             err.message, req->srv->cfg->max_inflated);
    else
        *rc = iqn_http_error(req, MHD_HTTP_BAD_REQUEST, "bad_body", NULL, "%s", err.message);
    return -1;
}

/* Index the body's records; see api_write.h. */
enum MHD_Result iqn_api_write_post(struct iqn_request *req)
{
    struct iqn_error err;
    struct iqn_db *db = NULL;
    struct iqn_sink *sink = NULL;
    struct iqn_write_counts c;
    struct iqn_db_stats st;
    const struct iqn_buf *errors;
    struct iqn_buf b;
    char *owned = NULL, source[96];
    const char *data;
    size_t len;
    int truncated, rc;
    enum MHD_Result out;
    iqn_error_clear(&err);
    iqn_buf_init(&b, RESULT_JSON_MAX);
    if (req->body_too_large) {
        out = iqn_http_error(req, MHD_HTTP_CONTENT_TOO_LARGE, "too_large", NULL,
                             "request body is over the limit of %zu bytes (max_body); split it",
                             req->srv->cfg->max_body);
        goto done;
    }
    if (plain_body(req, &data, &len, &owned, &out) != 0)
        goto done;
    if (blank(data, len)) {
        out = iqn_http_error(req, MHD_HTTP_BAD_REQUEST, "empty_body", NULL, "the request body holds no records");
        goto done;
    }
    snprintf(source, sizeof source, "api:%s", req->key.name[0] ? req->key.name : req->key.id);
    if (writer_open(req, &db, &err) != IQN_OK) {
        out = writer_failed(req, &err);
        goto done;
    }
    sink = iqn_write_sink_new(db, req->srv->vocab, source);
    if (!sink) {
        writer_close(db);
        out = MHD_NO;
        goto done;
    }
    if (body_format(req) == BODY_XML)
        rc = iqn_parse_xml(sink, data, len, &err);
    else
        rc = iqn_parse_jsonl(sink, data, len, &err);
    if (rc == IQN_OK)
        rc = iqn_db_commit(db, &err);
    int have_stats = rc == IQN_OK && iqn_db_stats(db, &st, &err) == IQN_OK;
    writer_close(db);
    if (rc != IQN_OK) {
        out = writer_failed(req, &err);
        goto done;
    }
    iqn_write_sink_result(sink, &c, &errors, &truncated);
    iqn_buf_addf(&b, "{\"added\":%llu,\"updated\":%llu,\"unchanged\":%llu,\"failed\":%llu,\"errors\":[", c.added,
                 c.updated, c.unchanged, c.failed);
    iqn_buf_add(&b, errors->data ? errors->data : "", errors->len);
    iqn_buf_addf(&b, "],\"errors_truncated\":%s", truncated ? "true" : "false");
    if (have_stats)
        iqn_buf_addf(&b, ",\"revision\":%llu", st.revision);
    iqn_buf_addf(&b, ",\"took_ms\":%.2f}\n", iqn_http_ms_since(&req->start));
    /* Nothing taken from a body that had records: the request as a whole was unprocessable. */
    unsigned status = c.failed > 0 && c.added + c.updated + c.unchanged == 0 ? MHD_HTTP_UNPROCESSABLE_CONTENT
                                                                                : MHD_HTTP_OK;
    out = iqn_http_reply(req, status, IQN_JSON_TYPE, &b);
done:
    iqn_write_sink_free(sink);
    free(owned);
    iqn_buf_free(&b);
    return out;
}

/* Delete one record; see api_write.h. */
enum MHD_Result iqn_api_write_delete(struct iqn_request *req, const char *id)
{
    struct iqn_error err;
    struct iqn_db *db = NULL;
    struct iqn_buf b;
    int found = 0;
    iqn_error_clear(&err);
    if (!iqn_record_valid_id(id))
        return iqn_http_error(req, MHD_HTTP_BAD_REQUEST, "bad_parameter", "id",
                              "id: must be 1 to %d letters, digits, '.', '_' or '-'", IQN_ID_MAX);
    if (writer_open(req, &db, &err) != IQN_OK)
        return writer_failed(req, &err);
    int rc = iqn_db_delete(db, id, &found, &err);
    if (rc == IQN_OK && found)
        rc = iqn_db_commit(db, &err);
    writer_close(db);
    if (rc != IQN_OK)
        return writer_failed(req, &err);
    if (!found)
        return iqn_http_error(req, MHD_HTTP_NOT_FOUND, "not_found", NULL, "no record with id '%s'", id);
    iqn_buf_init(&b, 1024);
    iqn_buf_adds(&b, "{\"deleted\":true,\"id\":");
    iqn_buf_json_strz(&b, id);
    iqn_buf_adds(&b, "}\n");
    return iqn_http_reply(req, MHD_HTTP_OK, IQN_JSON_TYPE, &b);
}
