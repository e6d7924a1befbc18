/* api_documents.h - GET /api/v1/documents/{id}: one whole record with the labels of its codes. */
#ifndef IQN_API_DOCUMENTS_H
#define IQN_API_DOCUMENTS_H

#include <microhttpd.h>

struct iqn_request;

/* Answer GET /api/v1/documents/{id}; id is the decoded last path segment. */
enum MHD_Result iqn_api_document(struct iqn_request *req, const char *id);

#endif
