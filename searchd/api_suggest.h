/* api_suggest.h - GET /api/v1/suggest: completions as the user types (vocabulary labels and
 * record titles). */
#ifndef IQN_API_SUGGEST_H
#define IQN_API_SUGGEST_H

#include <microhttpd.h>

struct iqn_request;

/* Answer GET /api/v1/suggest?q=&ui_lang=&limit=: {"suggestions":[{"text","kind","value"}...]}.
 * kind is province, profession or topic (value: the code) or title (value: the record id). */
enum MHD_Result iqn_api_suggest(struct iqn_request *req);

#endif
