/* api_write.h - the write API (write-scope keys): POST /api/v1/documents (JSON Lines or IQN XML,
 * optionally gzip) and DELETE /api/v1/documents/{id}, through one index writer shared with
 * iqn-index by Xapian's lock. */
#ifndef IQN_API_WRITE_H
#define IQN_API_WRITE_H

#include <microhttpd.h>

struct iqn_request;

/* Before a POST body is read: refuse (415) a Content-Type or Content-Encoding we cannot read and
 * (413) a Content-Length over max_body. Returns 1 when it queued a response (*rc is the result). */
int iqn_api_write_precheck(struct iqn_request *req, enum MHD_Result *rc);
/* POST /api/v1/documents with the body in req->body: validate and index every record, commit,
 * answer the counts and one entry per failed record. */
enum MHD_Result iqn_api_write_post(struct iqn_request *req);
/* DELETE /api/v1/documents/{id}: 200 {"deleted":true,"id":...} or 404. */
enum MHD_Result iqn_api_write_delete(struct iqn_request *req, const char *id);

#endif
