/* extract_docx.h - text and metadata of a Word document (DOCX: WordprocessingML in a ZIP). */
#ifndef IQN_EXTRACT_DOCX_H
#define IQN_EXTRACT_DOCX_H

#include <stddef.h>

#include "error.h"
#include "extract.h"

/* Body text from word/document.xml (then footnotes and endnotes), metadata from
 * docProps/core.xml. out must be zeroed; on failure the caller frees what was filled. */
int iqn_ex_docx(const char *data, size_t len, struct iqn_extracted *out, struct iqn_error *err);

#endif
