/* extract_pdf.h - text and metadata of a PDF through poppler's GLib API. */
#ifndef IQN_EXTRACT_PDF_H
#define IQN_EXTRACT_PDF_H

#include <stddef.h>

#include "error.h"
#include "extract.h"

/* Text of every page (lines reflowed into paragraphs, words hyphenated across lines joined),
 * title/author/subject/creation date from the info dictionary. Refuses an encrypted PDF ("PDF is
 * encrypted") and one without any text ("no text (image-only PDF?)"). out must be zeroed; on
 * failure the caller frees what was filled. */
int iqn_ex_pdf(const char *data, size_t len, struct iqn_extracted *out, struct iqn_error *err);

#endif
