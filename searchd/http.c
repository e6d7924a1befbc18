/* http.c - the libmicrohttpd daemon: request admission (request id, API keys, rate limits,
 * methods, CORS), dispatch, per-thread index handles, conditional GETs, the access log, and the
 * response helpers (security headers, gzip, JSON errors). */
#include "http.h"

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <sodium.h>

#include "admit.h"
#include "api_documents.h"
#include "api_facets.h"
#include "api_search.h"
#include "api_similar.h"
#include "api_suggest.h"
#include "api_write.h"
#include "compress.h"
#include "cors.h"
#include "guard.h"
#include "metrics.h"
#include "ratelimit.h"
#include "record.h"
#include "static.h"
#include "ui.h"

#define CSP_HTML "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
#define CSP_OTHER "default-src 'none'; frame-ancestors 'none'"
#define DOCUMENTS_PREFIX "/api/v1/documents/"

/* Milliseconds elapsed on the monotonic clock since t. */
double iqn_http_ms_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) * 1e3 + (double)(now.tv_nsec - t->tv_nsec) / 1e6;
}

/* ---- responses ---- */

/* Every response goes out through here, so every one carries the security headers, the request id,
 * and what admission decided (CORS, Retry-After, WWW-Authenticate, Allow, ETag). */
enum MHD_Result iqn_http_queue(struct iqn_request *req, unsigned status, struct MHD_Response *resp,
                               const char *content_type)
{
    if (!resp)
        return MHD_NO; /* out of memory: MHD closes the connection */
    int html = content_type && (strncmp(content_type, "text/html", 9) == 0 ||
                                strncmp(content_type, "image/svg+xml", 13) == 0);
    if (content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Content-Security-Policy", html ? CSP_HTML : CSP_OTHER);
    MHD_add_response_header(resp, "X-Request-Id", req->request_id);
    iqn_cors_headers(req, resp);
    if (req->etag[0] && (status == MHD_HTTP_OK || status == MHD_HTTP_NOT_MODIFIED) &&
        !MHD_get_response_header(resp, MHD_HTTP_HEADER_ETAG))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, req->etag);
    if (req->retry_after && (status == MHD_HTTP_TOO_MANY_REQUESTS || status == MHD_HTTP_SERVICE_UNAVAILABLE)) {
        char secs[16];
        snprintf(secs, sizeof secs, "%u", req->retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, secs);
    }
    if (req->www_authenticate && (status == MHD_HTTP_UNAUTHORIZED || status == MHD_HTTP_FORBIDDEN))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, req->www_authenticate);
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, req->allow ? req->allow : "GET, HEAD, OPTIONS");
    enum MHD_Result rc = MHD_queue_response(req->conn, status, resp);
    MHD_destroy_response(resp);
    req->queued = 1;
    req->status = status;
    return rc;
}

/* A body response, gzip-compressed when worth it; see http.h. */
struct MHD_Response *iqn_http_body_response(struct iqn_request *req, char *data, size_t len,
                                            const char *content_type)
{
    int compressible = iqn_gzip_compressible(content_type);
    char *gz = NULL;
    size_t gzlen = 0;
    if (compressible && len >= IQN_GZIP_MIN && iqn_gzip_accepted(req->conn) && iqn_gzip(data, len, &gz, &gzlen) == 0) {
        free(data);
        data = gz;
        len = gzlen;
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(data);
        return NULL;
    }
    if (gz)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    if (compressible)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    return resp;
}

/* Queue a buffer as the response body. JSON is never stored by caches; with an ETag they may keep it
 * and revalidate. */
enum MHD_Result iqn_http_reply(struct iqn_request *req, unsigned status, const char *content_type,
                               struct iqn_buf *body)
{
    if (iqn_buf_failed(body)) {
        iqn_buf_free(body);
        return iqn_http_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "too_large", NULL,
                              "the response would be larger than the server's limit");
    }
    size_t len = 0;
    char *data = iqn_buf_steal(body, &len);
    if (!data)
        return MHD_NO;
    struct MHD_Response *resp = iqn_http_body_response(req, data, len, content_type);
    if (!resp)
        return MHD_NO;
    if (strncmp(content_type, "application/json", 16) == 0)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                                req->etag[0] && status == MHD_HTTP_OK ? "no-cache" : "no-store");
    return iqn_http_queue(req, status, resp, content_type);
}

/* The one JSON error shape of the API. */
enum MHD_Result iqn_http_error(struct iqn_request *req, unsigned status, const char *code, const char *param,
                               const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct iqn_buf b;
    iqn_buf_init(&b, 8192);
    iqn_buf_addf(&b, "{\"error\":{\"status\":%u,\"code\":", status);
    iqn_buf_json_strz(&b, code);
    if (param) {
        iqn_buf_adds(&b, ",\"parameter\":");
        iqn_buf_json_strz(&b, param);
    }
    iqn_buf_adds(&b, ",\"message\":");
    iqn_buf_json_strz(&b, msg);
    iqn_buf_adds(&b, "}}\n");
    size_t len = 0;
    char *data = iqn_buf_steal(&b, &len);
    struct MHD_Response *resp = data ? MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE) : NULL;
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return iqn_http_queue(req, status, resp, IQN_JSON_TYPE);
}

/* 400 naming the parameter at fault. */
enum MHD_Result iqn_http_bad_param(struct iqn_request *req, const struct iqn_param_error *pe)
{
    return iqn_http_error(req, MHD_HTTP_BAD_REQUEST, "bad_parameter", pe->param[0] ? pe->param : NULL, "%s",
                          pe->message);
}

/* A failed search or fetch: the caller's fault (400) or ours (500, logged and counted). */
enum MHD_Result iqn_http_fail(struct iqn_request *req, const struct iqn_error *err)
{
    if (err->code == IQN_EINVAL)
        return iqn_http_error(req, MHD_HTTP_BAD_REQUEST, "bad_request", NULL, "%s", err->message);
    fprintf(stderr, "iqn-searchd: %s %s: %s: %s (request %s)\n", req->method, req->path ? req->path : "",
            iqn_status_name(err->code), err->message, req->request_id);
    iqn_metrics_error(req->srv->metrics, IQN_ERR_INTERNAL);
    return iqn_http_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", NULL, "%s", err->message);
}

/* 503: no index to read right now. */
enum MHD_Result iqn_http_unavailable(struct iqn_request *req, const struct iqn_error *err)
{
    iqn_metrics_error(req->srv->metrics, IQN_ERR_UNAVAILABLE);
    return iqn_http_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable", NULL, "index %s unavailable: %s",
                          req->srv->cfg->db, err->message);
}

/* ---- the index handle of each MHD thread ---- */

static void close_thread_db(void *p)
{
    iqn_db_close(p);
}

/* The calling MHD thread's index handle: opened once, reopened to the newest revision once per request. */
int iqn_http_db(struct iqn_request *req, struct iqn_db **out, struct iqn_error *err)
{
    struct iqn_server *srv = req->srv;
    struct iqn_db *db = pthread_getspecific(srv->db_key);
    int changed = 0;
    *out = NULL;
    if (db && req->db_fresh) {
        *out = db;
        return IQN_OK;
    }
    if (db && iqn_db_reopen(db, &changed, err) == IQN_OK) {
        req->db_fresh = 1;
        *out = db;
        return IQN_OK;
    }
    if (db) {
        /* The index was replaced or damaged under us: start again from a fresh handle. */
        iqn_db_close(db);
        pthread_setspecific(srv->db_key, NULL);
    }
    int rc = iqn_db_open(srv->cfg->db, IQN_DB_READ, &db, err);
    if (rc != IQN_OK)
        return rc;
    if (pthread_setspecific(srv->db_key, db) != 0) {
        iqn_db_close(db);
        return iqn_error_set(err, IQN_ENOMEM, "cannot keep the index handle");
    }
    req->db_fresh = 1;
    *out = db;
    return IQN_OK;
}

/* ---- dispatch ---- */

static enum MHD_Result healthz(struct iqn_request *req)
{
    struct iqn_error err;
    struct iqn_db *db;
    struct iqn_db_stats st;
    iqn_error_clear(&err);
    if (iqn_http_db(req, &db, &err) != IQN_OK || iqn_db_stats(db, &st, &err) != IQN_OK)
        return iqn_http_unavailable(req, &err);
    struct iqn_buf b;
    iqn_buf_init(&b, 256);
    iqn_buf_addf(&b, "{\"status\":\"ok\",\"documents\":%llu,\"revision\":%llu}\n", st.doccount, st.revision);
    return iqn_http_reply(req, MHD_HTTP_OK, IQN_JSON_TYPE, &b);
}

static enum MHD_Result dispatch(struct iqn_request *req, const char *url)
{
    if (strcmp(url, "/api/v1/search") == 0)
        return iqn_api_search(req);
    if (strcmp(url, "/api/v1/facets") == 0)
        return iqn_api_facets(req);
    if (strcmp(url, "/api/v1/suggest") == 0)
        return iqn_api_suggest(req);
    if (iqn_api_similar_route(url))
        return iqn_api_similar(req, url);
    if (strncmp(url, DOCUMENTS_PREFIX, strlen(DOCUMENTS_PREFIX)) == 0 && !strchr(url + strlen(DOCUMENTS_PREFIX), '/'))
        return iqn_api_document(req, url + strlen(DOCUMENTS_PREFIX));
    if (strcmp(url, "/healthz") == 0)
        return healthz(req);
    if (strcmp(url, "/metrics") == 0)
        return iqn_metrics_serve(req);
    if (strcmp(url, "/api") == 0 || strncmp(url, "/api/", 5) == 0)
        return iqn_http_error(req, MHD_HTTP_NOT_FOUND, "not_found", NULL, "no such API endpoint");
    if (iqn_ui_handles(url))
        return iqn_ui_serve(req, url);
    return iqn_static_serve(req, url);
}

/* ---- conditional GETs ---- */

struct etag_hash {
    unsigned long long h;
};

static enum MHD_Result hash_arg(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                                const char *value, size_t value_size)
{
    struct etag_hash *eh = cls;
    (void)kind;
    eh->h = iqn_hash64(key, key_size, eh->h);
    eh->h = iqn_hash64(value ? "=" : "", value ? 1 : 0, eh->h);
    if (value)
        eh->h = iqn_hash64(value, value_size, eh->h);
    eh->h = iqn_hash64("&", 1, eh->h);
    return MHD_YES;
}

/* For a GET under /api/v1/: the ETag of this request at the index's current revision (weak: the same
 * results, whatever took_ms or the encoding). Answers 304 when If-None-Match has it (returns 1). */
static int not_modified(struct iqn_request *req, const char *url, enum MHD_Result *rc)
{
    struct iqn_error err;
    struct iqn_db *db;
    struct iqn_db_stats st;
    iqn_error_clear(&err);
    if (strncmp(url, "/api/v1/", 8) != 0 || iqn_http_db(req, &db, &err) != IQN_OK ||
        iqn_db_stats(db, &st, &err) != IQN_OK || st.revision == 0)
        return 0;
    struct etag_hash eh = {iqn_hash64(url, strlen(url), 0)};
    MHD_get_connection_values_n(req->conn, MHD_GET_ARGUMENT_KIND, hash_arg, &eh);
    snprintf(req->etag, sizeof req->etag, "W/\"%llx-%s-%016llx\"", st.revision, req->srv->boot, eh.h);
    const char *inm = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (!inm || (!strstr(inm, req->etag + 2) && strcmp(inm, "*") != 0))
        return 0;
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        *rc = MHD_NO;
        return 1;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    *rc = iqn_http_queue(req, MHD_HTTP_NOT_MODIFIED, resp, NULL);
    return 1;
}

/* ---- writes on their own threads ---- */

/* Run one write request (its connection is suspended, so it may queue its response from here), then
 * hand the connection back to MHD. */
static void *write_job(void *p)
{
    struct iqn_request *req = p;
    struct iqn_server *srv = req->srv;
    const char *id;
    iqn_write_route(req->method, req->path, &id);
    if (id)
        iqn_api_write_delete(req, id);
    else
        iqn_api_write_post(req);
    MHD_resume_connection(req->conn); /* req is MHD's again from here on */
    pthread_mutex_lock(&srv->jobs_mu);
    srv->jobs--;
    pthread_cond_broadcast(&srv->jobs_cv);
    pthread_mutex_unlock(&srv->jobs_mu);
    return NULL;
}

/* A write can wait write_wait seconds for the index lock and then take seconds more: it runs on a
 * thread of its own, so the MHD thread keeps serving its other connections (searches) meanwhile. */
static enum MHD_Result start_write(struct iqn_request *req)
{
    struct iqn_server *srv = req->srv;
    pthread_attr_t attr;
    pthread_t t;
    pthread_mutex_lock(&srv->jobs_mu);
    if (srv->stopping) {
        pthread_mutex_unlock(&srv->jobs_mu);
        req->retry_after = 5;
        return iqn_http_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable", NULL, "the server is stopping");
    }
    srv->jobs++;
    pthread_mutex_unlock(&srv->jobs_mu);
    req->job = 1;
    MHD_suspend_connection(req->conn);
    int ok = 0;
    if (pthread_attr_init(&attr) == 0) {
        ok = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
             pthread_create(&t, &attr, write_job, req) == 0;
        pthread_attr_destroy(&attr);
    }
    if (!ok)
        write_job(req); /* no thread to be had: do it here */
    return MHD_YES;
}

/* ---- reads on the worker threads ---- */

/* A request's handler, on whatever thread runs it. */
static enum MHD_Result handle(struct iqn_request *req, const char *url)
{
    enum MHD_Result rc;
    if (not_modified(req, url, &rc))
        return rc;
    return dispatch(req, url);
}

/* cfg->threads workers take the queued requests oldest first, each with its own index handle. MHD's
 * threads only read requests and write answers: a request waits for the first free worker, not
 * behind a slow search that happens to hold its connection's MHD thread (at 8 connections on 2
 * cores, p99 falls by about a quarter; docs/BENCHMARKS.md). A request finding workers idle goes to
 * the one idle last, whose caches are warmest. */
struct iqn_worker {
    struct iqn_server *srv;
    pthread_t thread;
    pthread_cond_t cv; /* signalled when handed work, or when the server stops */
    int idle;          /* on srv->idle */
};

static void *worker_main(void *p)
{
    struct iqn_worker *w = p;
    struct iqn_server *srv = w->srv;
    pthread_mutex_lock(&srv->jobs_mu);
    for (;;) {
        while (!srv->work_head && !srv->stopping) {
            if (!w->idle) {
                srv->idle[srv->nidle++] = w;
                w->idle = 1;
            }
            pthread_cond_wait(&w->cv, &srv->jobs_mu);
        }
        if (w->idle) { /* woken by the stop, or work came without this worker being picked */
            unsigned i = 0;
            while (srv->idle[i] != w)
                i++;
            memmove(&srv->idle[i], &srv->idle[i + 1], (srv->nidle - i - 1) * sizeof *srv->idle);
            srv->nidle--;
            w->idle = 0;
        }
        struct iqn_request *req = srv->work_head;
        if (!req)
            break; /* stopping, and nothing left */
        srv->work_head = req->work_next;
        if (!srv->work_head)
            srv->work_tail = NULL;
        pthread_mutex_unlock(&srv->jobs_mu);
        /* MHD_NO without a response: on_request closes the connection when MHD calls back. */
        handle(req, req->path);
        MHD_resume_connection(req->conn); /* req is MHD's again from here on */
        pthread_mutex_lock(&srv->jobs_mu);
    }
    pthread_mutex_unlock(&srv->jobs_mu);
    return NULL;
}

/* Hand req to the workers (returns 1), or 0 when there are none (stopping): run it here then. */
static int queue_request(struct iqn_request *req)
{
    struct iqn_server *srv = req->srv;
    pthread_mutex_lock(&srv->jobs_mu);
    if (srv->stopping || srv->nworkers == 0) {
        pthread_mutex_unlock(&srv->jobs_mu);
        return 0;
    }
    /* Suspended before a worker can see it, so that its resume cannot come first. */
    req->job = 1;
    MHD_suspend_connection(req->conn);
    req->work_next = NULL;
    if (srv->work_tail)
        srv->work_tail->work_next = req;
    else
        srv->work_head = req;
    srv->work_tail = req;
    if (srv->nidle > 0) {
        struct iqn_worker *w = srv->idle[--srv->nidle];
        w->idle = 0;
        pthread_cond_signal(&w->cv);
    }
    pthread_mutex_unlock(&srv->jobs_mu);
    return 1;
}

/* A request that has fully arrived, to its handler. */
static enum MHD_Result route(struct iqn_request *req, const char *url, const char *method)
{
    const char *id;
    iqn_guard_received(req->srv->guard, req->conn);
    if (strcmp(method, MHD_HTTP_METHOD_OPTIONS) == 0)
        return iqn_cors_options(req, url);
    if (iqn_write_route(method, url, &id))
        return start_write(req);
    if (queue_request(req))
        return MHD_YES;
    return handle(req, url);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
    struct iqn_request *req = *con_cls;
    enum MHD_Result rc;
    (void)version;
    if (!req) {
        req = calloc(1, sizeof *req);
        if (!req)
            return MHD_NO;
        req->srv = cls;
        req->conn = conn;
        clock_gettime(CLOCK_MONOTONIC, &req->start);
        snprintf(req->method, sizeof req->method, "%s", method);
        req->path = strdup(url);
        req->head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
        *con_cls = req;
        if (!req->path)
            return MHD_NO;
        iqn_request_id(req);
        iqn_cors_note(req, url);
        if (!iqn_admit(req, url, method, &rc))
            return rc;
        /* A request without a body is answered on the next call, once it is complete, so the
         * connection can be kept alive; a write's body is read first. Anything else with a body is
         * answered now, without reading it (MHD then closes the connection). */
        int bodiless = !MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH) &&
                       !MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
        if (bodiless || req->write)
            return MHD_YES;
        return route(req, url, method);
    }
    if (req->queued) {
        *upload_size = 0; /* a request body after our answer: drop it */
        return MHD_YES;
    }
    if (req->job)
        return MHD_NO; /* the write ended without a response (out of memory): close */
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        req->body_seen += n;
        if (!req->body_too_large && iqn_buf_add(&req->body, upload_data, n) != 0)
            req->body_too_large = 1; /* answered 413 once the body is over */
        /* Skipping an over-long body so the client reads our 413 has its limit too. */
        if (req->body_too_large && req->body_seen > 2 * (unsigned long long)req->srv->cfg->max_body + 1048576ull)
            return MHD_NO;
        return MHD_YES;
    }
    return route(req, url, method);
}

/* Log the request (unless quiet), count it, and free it. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    struct iqn_server *srv = cls;
    struct iqn_request *req = *con_cls;
    if (!req)
        return;
    double ms = iqn_http_ms_since(&req->start);
    iqn_metrics_request(srv->metrics, iqn_metrics_endpoint(req->method, req->path ? req->path : ""), req->status, ms);
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        iqn_metrics_error(srv->metrics, IQN_ERR_ABORTED);
    iqn_guard_completed(srv->guard, conn);
    if (!srv->cfg->quiet) {
        char path[512];
        size_t o = 0;
        const char *p = req->path ? req->path : "";
        /* Control characters and quotes are shown escaped, so a URL cannot forge log lines. */
        for (; *p && o + 5 < sizeof path; p++) {
            unsigned char c = (unsigned char)*p;
            if (c < 0x20 || c == 0x7f || c == '\\' || c == '"')
                o += (size_t)snprintf(path + o, sizeof path - o, "\\x%02x", c);
            else
                path[o++] = (char)c;
        }
        path[o] = '\0';
        char when[32];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        fprintf(stderr, "%s %s \"%s\" %u %.2fms id=%s%s%s%s\n", when, req->method, path, req->status, ms,
                req->request_id, req->key.id[0] ? " key=" : "", req->key.id,
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
    }
    iqn_buf_free(&req->body);
    free(req->path);
    free(req);
    *con_cls = NULL;
}

/* Percent-decode like MHD, but a decoded NUL becomes 0xFF (never valid UTF-8), so it is refused
 * later instead of silently cutting the value or path short. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    size_t len = MHD_http_unescape(s);
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\0')
            s[i] = (char)0xFF;
    return len;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    fprintf(stderr, "iqn-searchd: libmicrohttpd: %s\n", msg);
}

/* Keys, rate limits, metrics and the slow-client watchdog. */
static int start_parts(struct iqn_server *srv, const struct iqn_config *cfg, struct iqn_error *err)
{
    unsigned char raw[8];
    int rc = iqn_keystore_open(cfg->keys_file, &srv->keys, err);
    if (rc != IQN_OK)
        return rc;
    if (iqn_ratelimit_new(cfg->rate_table_max, &srv->rate) != 0 || iqn_metrics_new(&srv->metrics) != 0 ||
        iqn_guard_start(cfg->request_timeout, &srv->guard) != 0)
        return iqn_error_set(err, IQN_ENOMEM, "cannot set up the rate limits, metrics or watchdog");
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(srv->boot, sizeof srv->boot, raw, sizeof raw);
    return IQN_OK;
}

/* Resolve the listen address and start MHD with a thread pool and our limits. */
int iqn_server_start(struct iqn_server *srv, const struct iqn_config *cfg, const struct iqn_vocab *vocab,
                     struct iqn_error *err)
{
    struct addrinfo hints, *ai = NULL;
    struct stat st;
    int rc = IQN_OK;
    memset(srv, 0, sizeof *srv);
    srv->cfg = cfg;
    srv->vocab = vocab;
    srv->web_root = realpath(cfg->web, NULL);
    if (!srv->web_root || stat(srv->web_root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        rc = iqn_error_set(err, IQN_EINVAL, "web root %s: %s", cfg->web,
                           srv->web_root ? "not a directory" : strerror(errno));
        goto fail;
    }
    if (pthread_key_create(&srv->db_key, close_thread_db) != 0) {
        rc = iqn_error_set(err, IQN_ENOMEM, "cannot create a thread key");
        goto fail;
    }
    srv->db_key_made = 1;
    pthread_mutex_init(&srv->jobs_mu, NULL);
    pthread_cond_init(&srv->jobs_cv, NULL);
    srv->jobs_made = 1;
    srv->workers = calloc(cfg->threads, sizeof *srv->workers);
    srv->idle = calloc(cfg->threads, sizeof *srv->idle);
    for (unsigned i = 0; srv->workers && srv->idle && i < cfg->threads; i++) {
        struct iqn_worker *w = &srv->workers[i];
        w->srv = srv;
        if (pthread_cond_init(&w->cv, NULL) != 0)
            break;
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            pthread_cond_destroy(&w->cv);
            break; /* fewer workers; none at all: requests run on MHD's threads */
        }
        srv->nworkers++;
    }
    rc = start_parts(srv, cfg, err);
    if (rc != IQN_OK)
        goto fail;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int gai = getaddrinfo(cfg->listen_host, NULL, &hints, &ai);
    if (gai != 0 || !ai) {
        rc = iqn_error_set(err, IQN_EINVAL, "listen: cannot resolve '%s': %s", cfg->listen_host, gai_strerror(gai));
        goto fail;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_AUTO | MHD_ALLOW_SUSPEND_RESUME;
    if (ai->ai_family == AF_INET6) {
        flags |= MHD_USE_IPv6;
        ((struct sockaddr_in6 *)ai->ai_addr)->sin6_port = htons((uint16_t)cfg->port);
    } else {
        ((struct sockaddr_in *)ai->ai_addr)->sin_port = htons((uint16_t)cfg->port);
    }
    /* The pool size only when there is a pool: MHD warns about a pool of 1. */
    struct MHD_OptionItem pool[] = {
        {cfg->threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, (intptr_t)cfg->threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    srv->mhd = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_ARRAY, pool, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int)cfg->max_connections, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->connection_timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->connection_memory, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        srv, MHD_OPTION_NOTIFY_CONNECTION, iqn_guard_notify, srv->guard, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
        MHD_OPTION_END);
    if (!srv->mhd) {
        rc = iqn_error_set(err, IQN_EIO, "cannot listen on %s:%u (address in use, or not allowed?)", cfg->listen_host,
                           cfg->port);
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : cfg->port;
    freeaddrinfo(ai);
    return IQN_OK;
fail:
    if (ai)
        freeaddrinfo(ai);
    iqn_server_stop(srv);
    return rc;
}

/* Stop MHD (joining its threads) and free what iqn_server_start made. */
void iqn_server_stop(struct iqn_server *srv)
{
    if (srv->jobs_made) {
        /* Queued requests and writes in flight finish (and resume their connections) before MHD
         * stops; requests arriving meanwhile run on MHD's threads. */
        pthread_mutex_lock(&srv->jobs_mu);
        srv->stopping = 1;
        for (unsigned i = 0; i < srv->nworkers; i++)
            pthread_cond_signal(&srv->workers[i].cv);
        pthread_mutex_unlock(&srv->jobs_mu);
        for (unsigned i = 0; i < srv->nworkers; i++) {
            pthread_join(srv->workers[i].thread, NULL);
            pthread_cond_destroy(&srv->workers[i].cv);
        }
        srv->nworkers = 0;
        pthread_mutex_lock(&srv->jobs_mu);
        while (srv->jobs > 0)
            pthread_cond_wait(&srv->jobs_cv, &srv->jobs_mu);
        pthread_mutex_unlock(&srv->jobs_mu);
    }
    if (srv->mhd)
        MHD_stop_daemon(srv->mhd); /* the workers' index handles were closed by the key's destructor */
    srv->mhd = NULL;
    if (srv->db_key_made) {
        /* A handle opened by this thread (none in normal use) is not covered by the destructor. */
        iqn_db_close(pthread_getspecific(srv->db_key));
        pthread_key_delete(srv->db_key);
    }
    srv->db_key_made = 0;
    iqn_guard_stop(srv->guard);
    iqn_metrics_free(srv->metrics);
    iqn_ratelimit_free(srv->rate);
    iqn_keystore_free(srv->keys);
    if (srv->jobs_made) {
        pthread_cond_destroy(&srv->jobs_cv);
        pthread_mutex_destroy(&srv->jobs_mu);
    }
    srv->jobs_made = 0;
    srv->guard = NULL;
    srv->metrics = NULL;
    srv->rate = NULL;
    srv->keys = NULL;
    free(srv->web_root);
    srv->web_root = NULL;
    free(srv->workers);
    free(srv->idle);
    srv->workers = NULL;
    srv->idle = NULL;
}
