/* ui_feed.h - the Atom feed of the newest records of any search: /en/feed and /fr/fil. */
#ifndef IQN_UI_FEED_H
#define IQN_UI_FEED_H

#include <microhttpd.h>

struct iqn_request;

#define IQN_UI_FEED_ENTRIES 20

/* Answer an Atom 1.0 feed of the newest IQN_UI_FEED_ENTRIES records matching the search page's
 * parameters (q, filters, dates), in lang (enum iqn_lang). */
enum MHD_Result iqn_ui_feed(struct iqn_request *req, int lang);

#endif
