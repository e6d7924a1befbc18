/* cors.c - CORS for the configured partner origins (cors_origins), /api/ paths only. */
#include "cors.h"

#include <stdio.h>
#include <string.h>

#include "http.h"

#define ALLOW_METHODS "GET, HEAD, POST, DELETE, OPTIONS"
#define ALLOW_HEADERS "Authorization, Content-Type, Content-Encoding, If-None-Match, X-Request-Id"
#define EXPOSE_HEADERS "ETag, Retry-After, WWW-Authenticate, X-Request-Id, X-Total-Count, Content-Disposition"
#define MAX_AGE "600"

static int api_path(const char *url)
{
    return strcmp(url, "/api") == 0 || strncmp(url, "/api/", 5) == 0;
}

/* Remember an allowed Origin; see cors.h. */
void iqn_cors_note(struct iqn_request *req, const char *url)
{
    const struct iqn_config *cfg = req->srv->cfg;
    if (!api_path(url) || !cfg->cors_origins || !cfg->cors_origins[0])
        return;
    req->cors_vary = 1;
    const char *origin = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Origin");
    if (origin && iqn_config_origin_allowed(cfg, origin))
        req->cors_origin = origin; /* an exact configured value: no CR/LF can be in it */
}

/* Access-Control-* on a response; see cors.h. */
void iqn_cors_headers(const struct iqn_request *req, struct MHD_Response *resp)
{
    if (req->cors_vary) {
        /* One Vary header: some clients keep only the last of several. */
        const char *v = MHD_get_response_header(resp, MHD_HTTP_HEADER_VARY);
        char both[128];
        snprintf(both, sizeof both, "%s%sOrigin", v ? v : "", v ? ", " : "");
        if (v)
            MHD_del_response_header(resp, MHD_HTTP_HEADER_VARY, v);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, both);
    }
    if (!req->cors_origin)
        return;
    MHD_add_response_header(resp, "Access-Control-Allow-Origin", req->cors_origin);
    MHD_add_response_header(resp, "Access-Control-Expose-Headers", EXPOSE_HEADERS);
}

/* The methods a path answers. */
static const char *allow_of(const char *url)
{
    static const char docs[] = "/api/v1/documents/";
    if (strcmp(url, "/api/v1/documents") == 0)
        return "POST, OPTIONS";
    if (strncmp(url, docs, sizeof docs - 1) == 0 && !strchr(url + sizeof docs - 1, '/'))
        return "GET, HEAD, DELETE, OPTIONS";
    return "GET, HEAD, OPTIONS";
}

/* OPTIONS; see cors.h. */
enum MHD_Result iqn_cors_options(struct iqn_request *req, const char *url)
{
    const char *origin = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Origin");
    const char *method = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Access-Control-Request-Method");
    if (origin && method && api_path(url) && !req->cors_origin)
        return iqn_http_error(req, MHD_HTTP_FORBIDDEN, "origin_not_allowed", NULL,
                              "this origin may not call the API from a browser (see cors_origins)");
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow_of(url));
    if (req->cors_origin && method) {
        MHD_add_response_header(resp, "Access-Control-Allow-Methods", ALLOW_METHODS);
        MHD_add_response_header(resp, "Access-Control-Allow-Headers", ALLOW_HEADERS);
        MHD_add_response_header(resp, "Access-Control-Max-Age", MAX_AGE);
    }
    return iqn_http_queue(req, MHD_HTTP_NO_CONTENT, resp, NULL);
}
