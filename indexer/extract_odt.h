/* extract_odt.h - text and metadata of an OpenDocument text (ODT: content.xml and meta.xml in a ZIP). */
#ifndef IQN_EXTRACT_ODT_H
#define IQN_EXTRACT_ODT_H

#include <stddef.h>

#include "error.h"
#include "extract.h"

/* Body text from content.xml, metadata from meta.xml. out must be zeroed; on failure the caller
 * frees what was filled. */
int iqn_ex_odt(const char *data, size_t len, struct iqn_extracted *out, struct iqn_error *err);

#endif
