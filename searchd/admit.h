/* admit.h - request admission: request id, API keys, rate limits, methods and write scope, all
 * decided from the request line and headers before any body is read. */
#ifndef IQN_ADMIT_H
#define IQN_ADMIT_H

#include <microhttpd.h>

struct iqn_request;

/* Set req->request_id: the client's X-Request-Id when it is 1 to IQN_REQUEST_ID_MAX characters of
 * A-Z a-z 0-9 . _ : @ + = / -, else 32 random hex digits. */
void iqn_request_id(struct iqn_request *req);

/* Authenticate (Authorization: Bearer KEY), apply anonymous = deny, take a rate-limit token, check
 * the method and, for the write API, the scope and the body's headers. Returns 1 when the request
 * goes on; 0 when a response was queued (*rc). */
int iqn_admit(struct iqn_request *req, const char *url, const char *method, enum MHD_Result *rc);

/* POST /api/v1/documents (*id NULL), or DELETE /api/v1/documents/{id} (*id set, inside url). */
int iqn_write_route(const char *method, const char *url, const char **id);

#endif
