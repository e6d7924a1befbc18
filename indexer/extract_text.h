/* extract_text.h - plain text in any of the common encodings, as UTF-8 paragraphs. */
#ifndef IQN_EXTRACT_TEXT_H
#define IQN_EXTRACT_TEXT_H

#include <stddef.h>

#include "error.h"
#include "extract.h"

/* UTF-8 (BOM stripped), UTF-16 with a BOM, else Windows-1252; CR LF and CR line endings become
 * LF; blank lines separate paragraphs. out must be zeroed; on failure the caller frees what was filled. */
int iqn_ex_text(const char *data, size_t len, struct iqn_extracted *out, struct iqn_error *err);

#endif
