/* api_similar.h - GET /api/v1/documents/{id}/similar: records like a record (more-like-this). */
#ifndef IQN_API_SIMILAR_H
#define IQN_API_SIMILAR_H

#include <microhttpd.h>

struct iqn_request;

/* 1 if url is /api/v1/documents/{something}/similar (the id is checked by iqn_api_similar). */
int iqn_api_similar_route(const char *url);

/* Answer GET /api/v1/documents/{id}/similar?ui_lang=&per_page= for a url iqn_api_similar_route
 * accepted: {"id","ui_lang","total","per_page","took_ms","hits":[...]}, hits shaped like search
 * hits. 400 for a malformed id, 404 for an unknown one. */
enum MHD_Result iqn_api_similar(struct iqn_request *req, const char *url);

#endif
