/* api_facets.h - GET /api/v1/facets: every vocabulary with its English and French labels. */
#ifndef IQN_API_FACETS_H
#define IQN_API_FACETS_H

#include <microhttpd.h>

struct iqn_request;

/* Answer GET /api/v1/facets[?ui_lang=en|fr]. */
enum MHD_Result iqn_api_facets(struct iqn_request *req);

#endif
