/* http.h - the libmicrohttpd daemon: start and stop, request admission (keys, rate limits,
 * CORS, methods), dispatch, the per-thread index handle, and the response helpers every endpoint
 * uses (JSON errors, security headers, request id, gzip, ETag). */
#ifndef IQN_HTTP_H
#define IQN_HTTP_H

#include <microhttpd.h>
#include <pthread.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "error.h"
#include "keys.h"
#include "params.h"
#include "vocab.h"

struct iqn_guard;
struct iqn_metrics;
struct iqn_ratelimit;

struct iqn_worker;

struct iqn_server {
    const struct iqn_config *cfg;
    const struct iqn_vocab *vocab; /* shared, read-only */
    char *web_root;                /* realpath of cfg->web */
    pthread_key_t db_key;          /* each worker thread's struct iqn_db */
    int db_key_made;
    struct MHD_Daemon *mhd;
    unsigned port;                 /* the port bound */
    struct iqn_keystore *keys;     /* API keys (thread-safe, re-read on change) */
    struct iqn_ratelimit *rate;    /* token buckets (thread-safe) */
    struct iqn_metrics *metrics;   /* counters (atomics) */
    struct iqn_guard *guard;       /* slow-client watchdog */
    char boot[17];                 /* random per process: part of every ETag */
    pthread_mutex_t jobs_mu;       /* guards jobs, stopping and the work queue */
    pthread_cond_t jobs_cv;
    unsigned jobs;                 /* write requests running on their own threads */
    int stopping;
    int jobs_made;
    struct iqn_request *work_head; /* requests waiting for a worker, oldest first */
    struct iqn_request *work_tail;
    struct iqn_worker *workers;    /* cfg->threads of them, or fewer if threads could not be made */
    unsigned nworkers;
    struct iqn_worker **idle;      /* idle workers, the most recently idle last */
    unsigned nidle;
};

#define IQN_REQUEST_ID_MAX 64

/* One HTTP request, from its first callback to its completion. */
struct iqn_request {
    struct iqn_server *srv;
    struct MHD_Connection *conn;
    char method[16];
    char *path;                    /* decoded path, copied for the access log */
    int head;                      /* HEAD: headers only (MHD drops the body) */
    int queued;                    /* a response was queued */
    unsigned status;
    struct timespec start;
    char request_id[IQN_REQUEST_ID_MAX + 1]; /* X-Request-Id: the client's if sane, else generated */
    struct iqn_key_info key;       /* scope IQN_SCOPE_NONE: anonymous */
    const char *cors_origin;       /* the Origin header when it is allowed (owned by MHD) */
    int cors_vary;                 /* add Vary: Origin (CORS is configured and this is an API path) */
    char etag[48];                 /* set before dispatch for cacheable GETs; "" = none */
    int db_fresh;                  /* the thread's handle was reopened for this request already */
    unsigned retry_after;          /* > 0: Retry-After on the response */
    const char *www_authenticate;  /* WWW-Authenticate value on a 401 (static string) */
    const char *allow;             /* Allow value on a 405 (static string) */
    int write;                     /* POST or DELETE on the write API */
    int job;                       /* handled off MHD's thread (a write, or a queued request), the connection suspended */
    struct iqn_request *work_next; /* in the work queue */
    struct iqn_buf body;           /* the request body of a write, capped at cfg->max_body */
    int body_too_large;            /* more than max_body arrived: answered 413 at the end */
    unsigned long long body_seen;  /* bytes of body received in all */
};

/* Start the daemon on cfg->listen_host:cfg->port (srv->port receives the port bound). */
int iqn_server_start(struct iqn_server *srv, const struct iqn_config *cfg, const struct iqn_vocab *vocab,
                     struct iqn_error *err);
/* Stop the daemon (waits for its threads; their index handles are closed) and free srv's parts. */
void iqn_server_stop(struct iqn_server *srv);

/* This (worker) thread's index handle, opened on first use and moved to the newest revision.
 * On failure the request should answer 503. */
int iqn_http_db(struct iqn_request *req, struct iqn_db **db, struct iqn_error *err);

/* Add the security headers (and content type) to resp, queue it with status, destroy it. */
enum MHD_Result iqn_http_queue(struct iqn_request *req, unsigned status, struct MHD_Response *resp,
                               const char *content_type);
/* Queue body (taken over and emptied) as a response; a failed buffer (too big) becomes a 500. */
enum MHD_Result iqn_http_reply(struct iqn_request *req, unsigned status, const char *content_type,
                               struct iqn_buf *body);
/* Queue {"error":{"status":S,"code":C[,"parameter":P],"message":M}}; param may be NULL. */
enum MHD_Result iqn_http_error(struct iqn_request *req, unsigned status, const char *code, const char *param,
                               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* 400 bad_parameter from a parameter error. */
enum MHD_Result iqn_http_bad_param(struct iqn_request *req, const struct iqn_param_error *pe);
/* The error of a failed search or fetch: 400 for IQN_EINVAL, else 500 (logged). */
enum MHD_Result iqn_http_fail(struct iqn_request *req, const struct iqn_error *err);
/* 503: the index could not be opened (err from iqn_http_db). */
enum MHD_Result iqn_http_unavailable(struct iqn_request *req, const struct iqn_error *err);

/* A response for a body (taken over: freed by MHD, or here on failure) of the given type, gzip-compressed
 * when the client accepts it and it is worth it (Content-Encoding and Vary set). NULL: out of memory. */
struct MHD_Response *iqn_http_body_response(struct iqn_request *req, char *data, size_t len,
                                            const char *content_type);

/* Milliseconds since t. */
double iqn_http_ms_since(const struct timespec *t);

#define IQN_JSON_TYPE "application/json; charset=utf-8"
#define IQN_JSON_MAX (64u * 1024 * 1024) /* cap on one JSON response */

#endif
