/* extract_html.h - text and metadata of an HTML or XHTML page. */
#ifndef IQN_EXTRACT_HTML_H
#define IQN_EXTRACT_HTML_H

#include <stddef.h>

#include "error.h"
#include "extract.h"

/* Parse data with libxml2's forgiving HTML parser (no network) after converting it to UTF-8
 * from the charset it declares (BOM, <meta charset>, http-equiv, XML declaration) or, when it
 * declares none, from UTF-8 if valid, else Windows-1252. out must be zeroed; on failure the caller
 * frees what was filled. */
int iqn_ex_html(const char *data, size_t len, struct iqn_extracted *out, struct iqn_error *err);

/* The charset data declares in its first bytes, copied into out (lower-cased); 0 if found, -1 if not. */
int iqn_ex_html_charset(const char *data, size_t len, char *out, size_t outlen);

#endif
