/* http.c - the libmicrohttpd daemon: request dispatch, per-thread index handles, the access
 * log, and the response helpers (security headers, JSON errors). */
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

#include "api_documents.h"
#include "api_facets.h"
#include "api_search.h"
#include "static.h"

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

/* Every response goes out through here, so every one carries the security headers. */
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
    enum MHD_Result rc = MHD_queue_response(req->conn, status, resp);
    MHD_destroy_response(resp);
    req->queued = 1;
    req->status = status;
    return rc;
}

/* Queue a buffer as the response body; JSON is never cached. */
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
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    if (strncmp(content_type, "application/json", 16) == 0)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
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
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    return iqn_http_queue(req, status, resp, IQN_JSON_TYPE);
}

/* 400 naming the parameter at fault. */
enum MHD_Result iqn_http_bad_param(struct iqn_request *req, const struct iqn_param_error *pe)
{
    return iqn_http_error(req, MHD_HTTP_BAD_REQUEST, "bad_parameter", pe->param[0] ? pe->param : NULL, "%s",
                          pe->message);
}

/* A failed search or fetch: the caller's fault (400) or ours (500, logged). */
enum MHD_Result iqn_http_fail(struct iqn_request *req, const struct iqn_error *err)
{
    if (err->code == IQN_EINVAL)
        return iqn_http_error(req, MHD_HTTP_BAD_REQUEST, "bad_request", NULL, "%s", err->message);
    fprintf(stderr, "iqn-searchd: %s %s: %s: %s\n", req->method, req->path ? req->path : "",
            iqn_status_name(err->code), err->message);
    return iqn_http_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", NULL, "%s", err->message);
}

/* 503: no index to read right now. */
enum MHD_Result iqn_http_unavailable(struct iqn_request *req, const struct iqn_error *err)
{
    return iqn_http_error(req, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable", NULL, "index %s unavailable: %s",
                          req->srv->cfg->db, err->message);
}

/* ---- the index handle of each MHD thread ---- */

static void close_thread_db(void *p)
{
    iqn_db_close(p);
}

/* The calling MHD thread's index handle: opened once, reopened to the newest revision per request. */
int iqn_http_db(struct iqn_request *req, struct iqn_db **out, struct iqn_error *err)
{
    struct iqn_server *srv = req->srv;
    struct iqn_db *db = pthread_getspecific(srv->db_key);
    int changed = 0;
    *out = NULL;
    if (db && iqn_db_reopen(db, &changed, err) == IQN_OK) {
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
    if (strncmp(url, DOCUMENTS_PREFIX, strlen(DOCUMENTS_PREFIX)) == 0 && !strchr(url + strlen(DOCUMENTS_PREFIX), '/'))
        return iqn_api_document(req, url + strlen(DOCUMENTS_PREFIX));
    if (strcmp(url, "/healthz") == 0)
        return healthz(req);
    if (strcmp(url, "/api") == 0 || strncmp(url, "/api/", 5) == 0)
        return iqn_http_error(req, MHD_HTTP_NOT_FOUND, "not_found", NULL, "no such API endpoint");
    return iqn_static_serve(req, url);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
    struct iqn_request *req = *con_cls;
    (void)version;
    (void)upload_data;
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
        /* A GET or HEAD without a body is answered on the next call, once the request is complete,
         * so the connection can be kept alive. Anything else is answered now, without reading its
         * body (MHD then closes the connection). */
        int bodiless = !MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH) &&
                       !MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
        if ((req->head || strcmp(method, MHD_HTTP_METHOD_GET) == 0) && bodiless)
            return MHD_YES;
    }
    if (req->queued) {
        *upload_size = 0; /* a request body after our answer: drop it */
        return MHD_YES;
    }
    if (!req->head && strcmp(method, MHD_HTTP_METHOD_GET) != 0)
        return iqn_http_error(req, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed", NULL,
                              "method %.15s is not allowed here; use GET or HEAD", method);
    return dispatch(req, url);
}

/* Log the request (unless quiet) and free it. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    struct iqn_server *srv = cls;
    struct iqn_request *req = *con_cls;
    (void)conn;
    if (!req)
        return;
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
        fprintf(stderr, "%s %s \"%s\" %u %.2fms%s\n", when, req->method, path, req->status,
                iqn_http_ms_since(&req->start), toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
    }
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

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int gai = getaddrinfo(cfg->listen_host, NULL, &hints, &ai);
    if (gai != 0 || !ai) {
        rc = iqn_error_set(err, IQN_EINVAL, "listen: cannot resolve '%s': %s", cfg->listen_host, gai_strerror(gai));
        goto fail;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_AUTO;
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
        srv, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_END);
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
    if (srv->mhd)
        MHD_stop_daemon(srv->mhd); /* joins the threads: their index handles are closed by the key's destructor */
    srv->mhd = NULL;
    if (srv->db_key_made) {
        /* A handle opened by this thread (none in normal use) is not covered by the destructor. */
        iqn_db_close(pthread_getspecific(srv->db_key));
        pthread_key_delete(srv->db_key);
    }
    srv->db_key_made = 0;
    free(srv->web_root);
    srv->web_root = NULL;
}
