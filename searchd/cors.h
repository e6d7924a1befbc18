/* cors.h - cross-origin access for partners' browser code: the origins of cors_origins get
 * Access-Control-* headers on /api/ responses, and their preflight OPTIONS requests an answer. */
#ifndef IQN_CORS_H
#define IQN_CORS_H

#include <microhttpd.h>

struct iqn_request;

/* Note the request's Origin in req->cors_origin when url is under /api/ and the origin is allowed. */
void iqn_cors_note(struct iqn_request *req, const char *url);
/* Add the CORS headers req calls for to resp. */
void iqn_cors_headers(const struct iqn_request *req, struct MHD_Response *resp);
/* Answer OPTIONS: a preflight from an allowed origin gets 204 with what it may send; from another
 * origin 403; an OPTIONS without Origin 204 with Allow. */
enum MHD_Result iqn_cors_options(struct iqn_request *req, const char *url);

#endif
