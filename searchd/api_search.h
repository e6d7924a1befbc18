/* api_search.h - GET /api/v1/search: parameters, the search, the JSON answer; and the hit
 * object shared with the jsonl export. */
#ifndef IQN_API_SEARCH_H
#define IQN_API_SEARCH_H

#include <microhttpd.h>

#include "buf.h"
#include "db.h"

struct iqn_request;

/* Answer GET /api/v1/search (format=json here; jsonl and csv are handed to export.c). */
enum MHD_Result iqn_api_search(struct iqn_request *req);

/* Append one hit as a JSON object: id, type, lang, title, snippet (if with_snippet), date, province,
 * profession, topic, organization, url, score, pair, summary. Missing scalars are null, lists []. */
int iqn_api_hit_json(struct iqn_buf *b, const struct iqn_hit *h, int with_snippet);

#endif
