/* parse_jsonl.h - JSON Lines: one record object per line, each handed to the sink. */
#ifndef IQN_PARSE_JSONL_H
#define IQN_PARSE_JSONL_H

#include <stddef.h>

#include "error.h"
#include "sink.h"

#define IQN_JSONL_LINE_MAX ((size_t)16 * 1024 * 1024)

/* Parse data (len bytes) as JSON Lines for the sink's current input. Blank lines are ignored;
 * a bad line (not a JSON object, a wrong field, longer than IQN_JSONL_LINE_MAX) is reported as
 * "path:line: reason" and the rest of the input goes on. Returns non-OK only when the sink hit
 * a fatal index error. */
int iqn_parse_jsonl(struct iqn_sink *s, const char *data, size_t len, struct iqn_error *err);

#endif
