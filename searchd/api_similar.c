/* api_similar.c - GET /api/v1/documents/{id}/similar: the records most like one record
 * (iqn_similar: more-like-this from its content and labels), as search hits. */
#include "api_similar.h"

#include <stdlib.h>
#include <string.h>

#include "api_search.h"
#include "http.h"
#include "params.h"
#include "schema.h"

#define SIMILAR_PREFIX "/api/v1/documents/"
#define SIMILAR_SUFFIX "/similar"
#define SIMILAR_JSON_MAX (4u * 1024 * 1024)
#define PER_PAGE_MAX 50
#define PER_PAGE_DEFAULT 5

static const char *const allowed[] = {"ui_lang", "per_page", NULL};

/* Where the id sits in url: /api/v1/documents/{id}/similar with no other '/'; 0 if it does not. */
static int split_url(const char *url, const char **id, size_t *len)
{
    size_t plen = strlen(SIMILAR_PREFIX), slen = strlen(SIMILAR_SUFFIX), n = strlen(url);
    if (n < plen + slen || strncmp(url, SIMILAR_PREFIX, plen) != 0 || strcmp(url + n - slen, SIMILAR_SUFFIX) != 0)
        return 0;
    *id = url + plen;
    *len = n - plen - slen;
    return memchr(*id, '/', *len) == NULL;
}

/* The route test of dispatch(). */
int iqn_api_similar_route(const char *url)
{
    const char *id;
    size_t len;
    return split_url(url, &id, &len);
}

/* Check the id and parameters, run iqn_similar without facets or spelling, answer the hits. */
enum MHD_Result iqn_api_similar(struct iqn_request *req, const char *url)
{
    struct iqn_params *p = malloc(sizeof *p);
    struct iqn_param_error pe;
    struct iqn_error err;
    struct iqn_query q;
    struct iqn_result *res = NULL;
    struct iqn_db *db = NULL;
    struct iqn_buf b;
    char id[IQN_ID_MAX + 1] = "";
    const char *raw = NULL;
    size_t len = 0;
    unsigned long per_page = PER_PAGE_DEFAULT;
    int lang = IQN_LANG_EN;
    enum MHD_Result rc;
    iqn_buf_init(&b, SIMILAR_JSON_MAX);
    iqn_error_clear(&err);
    if (!p) {
        rc = MHD_NO;
        goto out;
    }
    if (iqn_params_collect(req->conn, allowed, p, &pe) != 0 || iqn_params_ui_lang(p, &lang, &pe) != 0 ||
        iqn_params_uint(p, "per_page", 1, PER_PAGE_MAX, PER_PAGE_DEFAULT, &per_page, &pe) != 0) {
        rc = iqn_http_bad_param(req, &pe);
        goto out;
    }
    if (split_url(url, &raw, &len) && len <= IQN_ID_MAX) {
        memcpy(id, raw, len);
        id[len] = '\0';
    }
    if (!iqn_record_valid_id(id)) {
        rc = iqn_http_error(req, MHD_HTTP_BAD_REQUEST, "bad_parameter", "id",
                            "id: must be 1 to %d letters, digits, '.', '_' or '-'", IQN_ID_MAX);
        goto out;
    }
    if (iqn_http_db(req, &db, &err) != IQN_OK) {
        rc = iqn_http_unavailable(req, &err);
        goto out;
    }
    memset(&q, 0, sizeof q);
    q.lang = iqn_ui_lang_name(lang);
    q.limit = (unsigned)per_page;
    q.snippets = 1; /* no query terms: the start of the summary, unmarked */
    q.no_body = 1;
    int got = iqn_similar(db, id, &q, &res, &err);
    if (got == IQN_ENOTFOUND) {
        rc = iqn_http_error(req, MHD_HTTP_NOT_FOUND, "not_found", NULL, "no record with id '%s'", id);
        goto out;
    }
    if (got != IQN_OK) {
        rc = iqn_http_fail(req, &err);
        goto out;
    }
    iqn_buf_adds(&b, "{\"id\":");
    iqn_buf_json_strz(&b, id);
    iqn_buf_addf(&b, ",\"ui_lang\":\"%s\",\"total\":%llu,\"per_page\":%lu,\"took_ms\":%.2f,\"hits\":[",
                 iqn_ui_lang_name(lang), res->total, per_page, iqn_http_ms_since(&req->start));
    for (size_t i = 0; i < res->nhits; i++) {
        if (i)
            iqn_buf_addc(&b, ',');
        iqn_api_hit_json(&b, &res->hits[i], 1);
    }
    iqn_buf_adds(&b, "]}\n");
    rc = iqn_http_reply(req, MHD_HTTP_OK, IQN_JSON_TYPE, &b);
out:
    iqn_result_free(res);
    iqn_buf_free(&b);
    free(p);
    return rc;
}
