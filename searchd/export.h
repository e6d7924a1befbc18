/* export.h - format=jsonl and format=csv: stream every match of a search, in chunks, with
 * bounded memory, on a handle of its own so the pages come from one index revision. */
#ifndef IQN_EXPORT_H
#define IQN_EXPORT_H

#include <microhttpd.h>

#include "db.h"

struct iqn_request;

enum iqn_export_format { IQN_EXPORT_JSONL = 1, IQN_EXPORT_CSV = 2 };

/* Queue a streaming response with every match of q (its offset, limit, facets, snippets and
 * spelling are ignored). q's strings are copied. */
enum MHD_Result iqn_export_start(struct iqn_request *req, const struct iqn_query *q, enum iqn_export_format format);

#endif
