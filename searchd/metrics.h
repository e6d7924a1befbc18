/* metrics.h - request counters, latency histograms and error counts kept with atomics by the
 * server threads, and GET /metrics in the Prometheus text format. */
#ifndef IQN_METRICS_H
#define IQN_METRICS_H

#include <microhttpd.h>

enum iqn_endpoint {
    IQN_EP_SEARCH,
    IQN_EP_DOCUMENT,
    IQN_EP_DOCUMENTS_POST,
    IQN_EP_DOCUMENTS_DELETE,
    IQN_EP_SIMILAR,
    IQN_EP_SUGGEST,
    IQN_EP_FACETS,
    IQN_EP_OTHER_API,
    IQN_EP_HEALTHZ,
    IQN_EP_METRICS,
    IQN_EP_PREFLIGHT,
    IQN_EP_UI,
    IQN_EP_STATIC,
    IQN_EP_COUNT
};

enum iqn_error_kind {
    IQN_ERR_INTERNAL,    /* a 500 */
    IQN_ERR_UNAVAILABLE, /* the index could not be opened, or the writer lock not had: 503 */
    IQN_ERR_ABORTED,     /* the connection ended before the response was sent */
    IQN_ERR_COUNT
};

struct iqn_metrics;
struct iqn_request;

int iqn_metrics_new(struct iqn_metrics **out);
void iqn_metrics_free(struct iqn_metrics *m); /* accepts NULL */

/* The endpoint a request is counted under, from its method and path. */
enum iqn_endpoint iqn_metrics_endpoint(const char *method, const char *path);
/* Count one finished request. Thread-safe (atomics). */
void iqn_metrics_request(struct iqn_metrics *m, enum iqn_endpoint ep, unsigned status, double ms);
void iqn_metrics_error(struct iqn_metrics *m, enum iqn_error_kind kind);

/* Answer GET /metrics: the counters, plus the index's revision, document count and size on disk,
 * the active API keys and the rate-limit buckets in use. */
enum MHD_Result iqn_metrics_serve(struct iqn_request *req);

#endif
