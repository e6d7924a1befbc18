/* metrics.c - counters kept with C11 atomics (no lock on the request path) and their Prometheus
 * text exposition at GET /metrics. */
#include "metrics.h"

#include <dirent.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "http.h"
#include "keys.h"
#include "ratelimit.h"

#define METRICS_MAX (1024u * 1024)
#define DISK_DEPTH 3 /* the index directory, a stub's shard directories, and one more */

static const char *const endpoint_names[IQN_EP_COUNT] = {
    "search", "document", "documents_post", "documents_delete", "similar", "suggest", "facets",
    "other_api", "healthz", "metrics", "preflight", "ui", "static"};

/* The statuses counted one by one; anything else is counted as "other". */
static const unsigned statuses[] = {200, 204, 206, 301, 302, 303, 304, 400, 401, 403, 404, 405, 406, 408,
                                    411, 413, 414, 415, 416, 422, 429, 431, 500, 501, 503, 505};
#define NSTATUS (sizeof statuses / sizeof statuses[0])

/* Upper bounds of the latency buckets, in seconds (Prometheus' `le`); +Inf is the count. */
static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBOUNDS (sizeof bounds / sizeof bounds[0])

static const char *const error_names[IQN_ERR_COUNT] = {"internal", "unavailable", "aborted"};

struct iqn_metrics {
    atomic_ullong requests[IQN_EP_COUNT][NSTATUS + 1];
    atomic_ullong latency[IQN_EP_COUNT][NBOUNDS];     /* non-cumulative; summed when shown */
    atomic_ullong latency_count[IQN_EP_COUNT];
    atomic_ullong latency_sum_us[IQN_EP_COUNT];
    atomic_ullong errors[IQN_ERR_COUNT];
    struct timespec started;
};

/* New counters, all zero; see metrics.h. */
int iqn_metrics_new(struct iqn_metrics **out)
{
    struct iqn_metrics *m = calloc(1, sizeof *m); /* all-zero atomics are valid zeros on every target we build for */
    *out = m;
    if (!m)
        return -1;
    clock_gettime(CLOCK_MONOTONIC, &m->started);
    return 0;
}

/* Free; see metrics.h. */
void iqn_metrics_free(struct iqn_metrics *m)
{
    free(m);
}

static int prefixed(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Classify by path; see metrics.h. */
enum iqn_endpoint iqn_metrics_endpoint(const char *method, const char *path)
{
    static const char docs[] = "/api/v1/documents/";
    if (strcmp(method, "OPTIONS") == 0)
        return IQN_EP_PREFLIGHT;
    if (strcmp(path, "/api/v1/search") == 0)
        return IQN_EP_SEARCH;
    if (strcmp(path, "/api/v1/suggest") == 0)
        return IQN_EP_SUGGEST;
    if (strcmp(path, "/api/v1/facets") == 0)
        return IQN_EP_FACETS;
    if (strcmp(path, "/api/v1/documents") == 0)
        return IQN_EP_DOCUMENTS_POST;
    if (prefixed(path, docs)) {
        const char *slash = strchr(path + sizeof docs - 1, '/');
        if (slash)
            return strcmp(slash, "/similar") == 0 ? IQN_EP_SIMILAR : IQN_EP_OTHER_API;
        return strcmp(method, "DELETE") == 0 ? IQN_EP_DOCUMENTS_DELETE : IQN_EP_DOCUMENT;
    }
    if (strcmp(path, "/api") == 0 || prefixed(path, "/api/"))
        return IQN_EP_OTHER_API;
    if (strcmp(path, "/healthz") == 0)
        return IQN_EP_HEALTHZ;
    if (strcmp(path, "/metrics") == 0)
        return IQN_EP_METRICS;
    if (prefixed(path, "/en/") || prefixed(path, "/fr/") || strcmp(path, "/en") == 0 || strcmp(path, "/fr") == 0)
        return IQN_EP_UI;
    return IQN_EP_STATIC;
}

/* Count a request; see metrics.h. */
void iqn_metrics_request(struct iqn_metrics *m, enum iqn_endpoint ep, unsigned status, double ms)
{
    size_t s = NSTATUS;
    for (size_t i = 0; i < NSTATUS; i++)
        if (statuses[i] == status)
            s = i;
    atomic_fetch_add_explicit(&m->requests[ep][s], 1, memory_order_relaxed);
    double sec = ms / 1000.0;
    for (size_t b = 0; b < NBOUNDS; b++) {
        if (sec <= bounds[b]) {
            atomic_fetch_add_explicit(&m->latency[ep][b], 1, memory_order_relaxed);
            break;
        }
    }
    atomic_fetch_add_explicit(&m->latency_count[ep], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->latency_sum_us[ep], (unsigned long long)(ms * 1000.0), memory_order_relaxed);
}

/* Count an error; see metrics.h. */
void iqn_metrics_error(struct iqn_metrics *m, enum iqn_error_kind kind)
{
    atomic_fetch_add_explicit(&m->errors[kind], 1, memory_order_relaxed);
}

/* Bytes of the regular files under path (a directory, or one file), DISK_DEPTH levels deep. */
static unsigned long long disk_usage(const char *path, int depth)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return 0;
    if (S_ISREG(st.st_mode))
        return (unsigned long long)st.st_size;
    if (!S_ISDIR(st.st_mode) || depth <= 0)
        return 0;
    unsigned long long total = 0;
    DIR *d = opendir(path);
    if (!d)
        return 0;
    struct dirent *e;
    char sub[4096];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        int n = snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        if (n > 0 && (size_t)n < sizeof sub)
            total += disk_usage(sub, depth - 1);
    }
    closedir(d);
    return total;
}

static void help(struct iqn_buf *b, const char *name, const char *type, const char *text)
{
    iqn_buf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

static void requests_text(struct iqn_buf *b, struct iqn_metrics *m)
{
    help(b, "iqn_http_requests_total", "counter", "HTTP requests answered, by endpoint and status.");
    for (int ep = 0; ep < IQN_EP_COUNT; ep++) {
        for (size_t s = 0; s <= NSTATUS; s++) {
            unsigned long long n = atomic_load_explicit(&m->requests[ep][s], memory_order_relaxed);
            if (!n)
                continue;
            if (s < NSTATUS)
                iqn_buf_addf(b, "iqn_http_requests_total{endpoint=\"%s\",status=\"%u\"} %llu\n", endpoint_names[ep],
                             statuses[s], n);
            else
                iqn_buf_addf(b, "iqn_http_requests_total{endpoint=\"%s\",status=\"other\"} %llu\n",
                             endpoint_names[ep], n);
        }
    }
    help(b, "iqn_http_request_duration_seconds", "histogram", "Time from request to response, by endpoint.");
    for (int ep = 0; ep < IQN_EP_COUNT; ep++) {
        unsigned long long count = atomic_load_explicit(&m->latency_count[ep], memory_order_relaxed);
        if (!count)
            continue;
        unsigned long long cum = 0;
        for (size_t i = 0; i < NBOUNDS; i++) {
            cum += atomic_load_explicit(&m->latency[ep][i], memory_order_relaxed);
            iqn_buf_addf(b, "iqn_http_request_duration_seconds_bucket{endpoint=\"%s\",le=\"%g\"} %llu\n",
                         endpoint_names[ep], bounds[i], cum < count ? cum : count);
        }
        iqn_buf_addf(b, "iqn_http_request_duration_seconds_bucket{endpoint=\"%s\",le=\"+Inf\"} %llu\n",
                     endpoint_names[ep], count);
        iqn_buf_addf(b, "iqn_http_request_duration_seconds_sum{endpoint=\"%s\"} %.6f\n", endpoint_names[ep],
                     (double)atomic_load_explicit(&m->latency_sum_us[ep], memory_order_relaxed) / 1e6);
        iqn_buf_addf(b, "iqn_http_request_duration_seconds_count{endpoint=\"%s\"} %llu\n", endpoint_names[ep], count);
    }
    help(b, "iqn_errors_total", "counter", "Server-side failures: internal errors, index unavailable, aborted responses.");
    for (int k = 0; k < IQN_ERR_COUNT; k++)
        iqn_buf_addf(b, "iqn_errors_total{kind=\"%s\"} %llu\n", error_names[k],
                     atomic_load_explicit(&m->errors[k], memory_order_relaxed));
}

/* The whole exposition; see metrics.h. */
enum MHD_Result iqn_metrics_serve(struct iqn_request *req)
{
    struct iqn_server *srv = req->srv;
    struct iqn_metrics *m = srv->metrics;
    struct iqn_buf b;
    struct iqn_error err;
    struct iqn_db *db;
    struct iqn_db_stats st;
    iqn_error_clear(&err);
    if (!srv->cfg->metrics)
        return iqn_http_error(req, MHD_HTTP_NOT_FOUND, "not_found", NULL, "metrics are turned off (metrics = no)");
    iqn_buf_init(&b, METRICS_MAX);
    requests_text(&b, m);
    int up = iqn_http_db(req, &db, &err) == IQN_OK && iqn_db_stats(db, &st, &err) == IQN_OK;
    help(&b, "iqn_index_up", "gauge", "1 when the index opens for reading.");
    iqn_buf_addf(&b, "iqn_index_up %d\n", up);
    if (up) {
        help(&b, "iqn_index_revision", "gauge", "Committed revision of the index (0 for stub or remote indexes).");
        iqn_buf_addf(&b, "iqn_index_revision %llu\n", st.revision);
        help(&b, "iqn_index_documents", "gauge", "Records in the index.");
        iqn_buf_addf(&b, "iqn_index_documents %llu\n", st.doccount);
    }
    help(&b, "iqn_index_size_bytes", "gauge", "Size on disk of the index files.");
    iqn_buf_addf(&b, "iqn_index_size_bytes %llu\n", disk_usage(srv->cfg->db, DISK_DEPTH));
    help(&b, "iqn_api_keys_active", "gauge", "API keys in the key store that are not revoked.");
    iqn_buf_addf(&b, "iqn_api_keys_active %zu\n", iqn_keystore_active(srv->keys));
    help(&b, "iqn_ratelimit_buckets", "gauge", "Rate-limit buckets held in memory.");
    iqn_buf_addf(&b, "iqn_ratelimit_buckets %zu\n", iqn_ratelimit_size(srv->rate));
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    help(&b, "iqn_uptime_seconds", "gauge", "Seconds since iqn-searchd started.");
    iqn_buf_addf(&b, "iqn_uptime_seconds %.0f\n", (double)(now.tv_sec - m->started.tv_sec));
    help(&b, "iqn_build_info", "gauge", "Version of iqn-searchd.");
    iqn_buf_addf(&b, "iqn_build_info{version=\"%s\"} 1\n", IQN_VERSION);
    return iqn_http_reply(req, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", &b);
}
