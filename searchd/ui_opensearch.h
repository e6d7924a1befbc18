/* ui_opensearch.h - /opensearch.xml: the OpenSearch 1.1 description, so that browsers can add
 * the site as a search engine. */
#ifndef IQN_UI_OPENSEARCH_H
#define IQN_UI_OPENSEARCH_H

#include <microhttpd.h>

struct iqn_request;

/* Answer the description in the language of ui_lang (en by default). */
enum MHD_Result iqn_ui_opensearch(struct iqn_request *req);

#endif
