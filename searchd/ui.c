/* ui.c - the routes of the web pages: /en/search and /fr/recherche, /en/records/{id} and
 * /fr/dossiers/{id}, /en/feed and /fr/fil, /opensearch.xml; /en and /fr lead to the search. */
#include "ui.h"

#include <string.h>

#include "http.h"
#include "ui_feed.h"
#include "ui_i18n.h"
#include "ui_opensearch.h"
#include "ui_record.h"
#include "ui_search.h"

enum kind { KIND_NONE, KIND_SEARCH, KIND_RECORD, KIND_FEED, KIND_HOME, KIND_OPENSEARCH };

/* What url is, in which language; *id points at a record id inside url. */
static enum kind classify(const char *url, int *lang, const char **id)
{
    *id = NULL;
    *lang = IQN_LANG_EN;
    if (strcmp(url, "/opensearch.xml") == 0)
        return KIND_OPENSEARCH;
    for (int l = IQN_LANG_EN; l <= IQN_LANG_FR; l++) {
        const char *rec = iqn_ui_path(l, IQN_ROUTE_RECORD);
        *lang = l;
        if (strcmp(url, iqn_ui_path(l, IQN_ROUTE_SEARCH)) == 0)
            return KIND_SEARCH;
        if (strcmp(url, iqn_ui_path(l, IQN_ROUTE_FEED)) == 0)
            return KIND_FEED;
        if (strncmp(url, rec, strlen(rec)) == 0 && !strchr(url + strlen(rec), '/')) {
            *id = url + strlen(rec);
            return KIND_RECORD;
        }
        const char *code = iqn_ui_code(l);
        if (url[0] == '/' && strncmp(url + 1, code, 2) == 0 && (url[3] == '\0' || strcmp(url + 3, "/") == 0))
            return KIND_HOME;
    }
    return KIND_NONE;
}

/* Is this a page route? */
int iqn_ui_handles(const char *url)
{
    int lang;
    const char *id;
    return classify(url, &lang, &id) != KIND_NONE;
}

/* 302 to location. */
static enum MHD_Result redirect(struct iqn_request *req, const char *location)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, location);
    return iqn_http_queue(req, MHD_HTTP_FOUND, resp, NULL);
}

/* Dispatch a page route. */
enum MHD_Result iqn_ui_serve(struct iqn_request *req, const char *url)
{
    int lang;
    const char *id;
    switch (classify(url, &lang, &id)) {
    case KIND_SEARCH:
        return iqn_ui_search(req, lang);
    case KIND_RECORD:
        return iqn_ui_record(req, lang, id);
    case KIND_FEED:
        return iqn_ui_feed(req, lang);
    case KIND_OPENSEARCH:
        return iqn_ui_opensearch(req);
    case KIND_HOME:
        return redirect(req, iqn_ui_path(lang, IQN_ROUTE_SEARCH));
    case KIND_NONE:
        break;
    }
    return iqn_http_error(req, MHD_HTTP_NOT_FOUND, "not_found", NULL, "no such page");
}
