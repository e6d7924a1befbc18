/* admit.c - what is decided before a request is answered: its request id, the API key (401), the
 * rate limit of the key or client address (429), anonymous = deny, the method (405), the write
 * scope (401/403) and the write body's type and size (415/413). */
#include "admit.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <sodium.h>

#include "api_write.h"
#include "http.h"
#include "ratelimit.h"

#define DOCUMENTS_PREFIX "/api/v1/documents/"

/* X-Request-Id; see admit.h. */
void iqn_request_id(struct iqn_request *req)
{
    const char *in = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-Request-Id");
    size_t n = in ? strlen(in) : 0;
    int ok = n > 0 && n <= IQN_REQUEST_ID_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)in[i]) || strchr("._:@+=/-", in[i]) != NULL;
    if (ok) {
        memcpy(req->request_id, in, n + 1);
        return;
    }
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(req->request_id, sizeof req->request_id, raw, sizeof raw);
}

/* The address of the peer or (from a trusted proxy) the rightmost X-Forwarded-For entry,
 * written as inet_ntop writes it, IPv4-mapped IPv6 as IPv4. *v6 says which family. */
static void client_address(struct iqn_request *req, char *out, size_t outlen, int *v6)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = info ? info->client_addr : NULL;
    unsigned char a[16];
    *v6 = 0;
    snprintf(out, outlen, "unknown");
    if (sa && sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)outlen);
    } else if (sa && sa->sa_family == AF_INET6) {
        const struct in6_addr *in6 = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
        *v6 = !IN6_IS_ADDR_V4MAPPED(in6);
        if (*v6)
            inet_ntop(AF_INET6, in6, out, (socklen_t)outlen);
        else
            inet_ntop(AF_INET, &in6->s6_addr[12], out, (socklen_t)outlen);
    }
    if (!iqn_config_addr_listed(req->srv->cfg->trusted_proxies, out))
        return;
    const char *xff = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-Forwarded-For");
    if (!xff)
        return;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ')
        last++;
    char tok[INET6_ADDRSTRLEN];
    size_t n = strcspn(last, " ");
    if (n == 0 || n >= sizeof tok)
        return;
    memcpy(tok, last, n);
    tok[n] = '\0';
    if (inet_pton(AF_INET, tok, a) == 1) {
        inet_ntop(AF_INET, a, out, (socklen_t)outlen);
        *v6 = 0;
    } else if (inet_pton(AF_INET6, tok, a) == 1) {
        inet_ntop(AF_INET6, a, out, (socklen_t)outlen);
        *v6 = 1;
    }
}

/* The rate-limit bucket of an anonymous client: "a:" and its address, IPv6 by its /64 prefix (one
 * host commonly holds a whole /64). 0 when the address is exempt (rate_exempt). */
static int address_bucket(struct iqn_request *req, char *out, size_t outlen)
{
    char addr[INET6_ADDRSTRLEN];
    int v6;
    client_address(req, addr, sizeof addr, &v6);
    if (iqn_config_addr_listed(req->srv->cfg->rate_exempt, addr))
        return 0;
    if (v6) {
        struct in6_addr a;
        if (inet_pton(AF_INET6, addr, &a) == 1) {
            memset(&a.s6_addr[8], 0, 8);
            inet_ntop(AF_INET6, &a, addr, sizeof addr);
        }
        snprintf(out, outlen, "a:%s/64", addr);
    } else {
        snprintf(out, outlen, "a:%s", addr);
    }
    return 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Take a token for this request; 0 when it is over its limit (429 queued in *rc). */
static int within_limits(struct iqn_request *req, int anonymous, enum MHD_Result *rc)
{
    const struct iqn_config *cfg = req->srv->cfg;
    char bucket[IQN_RATE_KEY_MAX];
    unsigned rate = cfg->anon_rate, burst = cfg->anon_burst, wait = 0;
    if (anonymous) {
        if (!address_bucket(req, bucket, sizeof bucket))
            return 1;
    } else {
        snprintf(bucket, sizeof bucket, "k:%s", req->key.id);
        rate = req->key.scope == IQN_SCOPE_WRITE ? cfg->write_rate : cfg->read_rate;
        burst = req->key.scope == IQN_SCOPE_WRITE ? cfg->write_burst : cfg->read_burst;
    }
    if (iqn_ratelimit_take(req->srv->rate, bucket, rate, burst, now_s(), &wait))
        return 1;
    req->retry_after = wait;
    *rc = iqn_http_error(req, MHD_HTTP_TOO_MANY_REQUESTS, "rate_limited", NULL,
                         "too many requests %s: retry in %u s", anonymous ? "from this address" : "with this API key",
                         wait);
    return 0;
}

/* Authorization: Bearer KEY. 0 when the request must stop (401 or 429 queued in *rc). */
static int authenticate(struct iqn_request *req, enum MHD_Result *rc)
{
    const char *h = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h)
        return 1;
    const char *why = "the API key is unknown or wrong";
    if (strncasecmp(h, "Bearer ", 7) == 0) {
        const char *tok = h + 7;
        while (*tok == ' ')
            tok++;
        size_t n = strlen(tok);
        while (n && tok[n - 1] == ' ')
            n--;
        enum iqn_key_check k = iqn_keystore_check(req->srv->keys, tok, n, &req->key);
        if (k == IQN_KEY_VALID)
            return 1;
        if (k == IQN_KEY_REVOKED)
            why = "the API key was revoked";
        memset(&req->key, 0, sizeof req->key);
        req->www_authenticate = "Bearer realm=\"iqn-search\", error=\"invalid_token\"";
    } else {
        why = "use `Authorization: Bearer KEY`";
        req->www_authenticate = "Bearer realm=\"iqn-search\", error=\"invalid_request\"";
    }
    /* Failed attempts count against the address, so guessing is rate-limited too. */
    if (!within_limits(req, 1, rc))
        return 0;
    *rc = iqn_http_error(req, MHD_HTTP_UNAUTHORIZED, "unauthorized", NULL, "%s", why);
    return 0;
}

static int is_api(const char *url)
{
    return strcmp(url, "/api") == 0 || strncmp(url, "/api/", 5) == 0;
}

/* The write API's routes; see admit.h. */
int iqn_write_route(const char *method, const char *url, const char **id)
{
    size_t n = strlen(DOCUMENTS_PREFIX);
    *id = NULL;
    if (strcmp(method, MHD_HTTP_METHOD_POST) == 0)
        return strcmp(url, "/api/v1/documents") == 0;
    if (strcmp(method, MHD_HTTP_METHOD_DELETE) == 0 && strncmp(url, DOCUMENTS_PREFIX, n) == 0 &&
        url[n] != '\0' && !strchr(url + n, '/')) {
        *id = url + n;
        return 1;
    }
    return 0;
}

/* The methods a path answers, for Allow on a 405. */
static const char *allowed_methods(const char *url)
{
    size_t n = strlen(DOCUMENTS_PREFIX);
    if (strcmp(url, "/api/v1/documents") == 0)
        return "POST, OPTIONS";
    if (strncmp(url, DOCUMENTS_PREFIX, n) == 0 && !strchr(url + n, '/'))
        return "GET, HEAD, DELETE, OPTIONS";
    return "GET, HEAD, OPTIONS";
}

/* Everything decided from the request line and headers; see admit.h. */
int iqn_admit(struct iqn_request *req, const char *url, const char *method, enum MHD_Result *rc)
{
    const struct iqn_config *cfg = req->srv->cfg;
    const char *id;
    int get = req->head || strcmp(method, MHD_HTTP_METHOD_GET) == 0;
    int options = strcmp(method, MHD_HTTP_METHOD_OPTIONS) == 0;
    req->write = iqn_write_route(method, url, &id);
    if (!authenticate(req, rc))
        return 0;
    int anonymous = req->key.scope == IQN_SCOPE_NONE;
    if (anonymous && cfg->anonymous_deny && is_api(url) && !options) {
        req->www_authenticate = "Bearer realm=\"iqn-search\"";
        *rc = iqn_http_error(req, MHD_HTTP_UNAUTHORIZED, "unauthorized", NULL,
                             "this server needs an API key: send `Authorization: Bearer KEY`");
        return 0;
    }
    if (strcmp(url, "/healthz") != 0 && strcmp(url, "/metrics") != 0 && !within_limits(req, anonymous, rc))
        return 0;
    if (!get && !options && !req->write) {
        req->allow = allowed_methods(url);
        *rc = iqn_http_error(req, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed", NULL,
                             "method %.15s is not allowed here; use %s", method, req->allow);
        return 0;
    }
    if (req->write && anonymous) {
        req->www_authenticate = "Bearer realm=\"iqn-search\", scope=\"write\"";
        *rc = iqn_http_error(req, MHD_HTTP_UNAUTHORIZED, "unauthorized", NULL,
                             "writing needs an API key with write scope: send `Authorization: Bearer KEY`");
        return 0;
    }
    if (req->write && req->key.scope != IQN_SCOPE_WRITE) {
        req->www_authenticate = "Bearer realm=\"iqn-search\", error=\"insufficient_scope\", scope=\"write\"";
        *rc = iqn_http_error(req, MHD_HTTP_FORBIDDEN, "insufficient_scope", NULL,
                             "this API key may only read; writing needs a key with write scope");
        return 0;
    }
    if (req->write && id == NULL) {
        if (iqn_api_write_precheck(req, rc))
            return 0;
        iqn_buf_init(&req->body, cfg->max_body);
    }
    return 1;
}
