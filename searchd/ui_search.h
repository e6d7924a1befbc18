/* ui_search.h - the search results page: /en/search and /fr/recherche. */
#ifndef IQN_UI_SEARCH_H
#define IQN_UI_SEARCH_H

#include <microhttpd.h>

struct iqn_request;

/* Answer the search page in lang (enum iqn_lang): the whole page, or with partial=1 only the
 * region of filters and results. Bad parameters get a 400 page that names them. */
enum MHD_Result iqn_ui_search(struct iqn_request *req, int lang);

#endif
