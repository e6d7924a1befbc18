/* static.h - serving the web UI's files from the web root, never outside it. */
#ifndef IQN_STATIC_H
#define IQN_STATIC_H

#include <microhttpd.h>

struct iqn_request;

#define IQN_STATIC_FILE_MAX (16u * 1024 * 1024)

/* Answer GET url from the web root: "/" and directories serve their index.html, "/a/b"
 * may also be "/a/b.html". Anything outside the root, hidden, or too large is a 404. */
enum MHD_Result iqn_static_serve(struct iqn_request *req, const char *url);

#endif
