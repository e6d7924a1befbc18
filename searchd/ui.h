/* ui.h - the routes of the server-rendered web pages: search, record pages, feeds, OpenSearch. */
#ifndef IQN_UI_H
#define IQN_UI_H

#include <microhttpd.h>

struct iqn_request;

/* 1 if url (the decoded path) is one of the web pages' routes. */
int iqn_ui_handles(const char *url);
/* Answer a route for which iqn_ui_handles said 1. */
enum MHD_Result iqn_ui_serve(struct iqn_request *req, const char *url);

#endif
