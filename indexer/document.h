/* document.h - one document (HTML, DOCX, ODT, PDF, plain text) made into a record: its own
 * metadata, the manifest row and the command-line flags merged, an id derived from its path. */
#ifndef IQN_DOCUMENT_H
#define IQN_DOCUMENT_H

#include <stddef.h>

#include "error.h"
#include "extract.h"
#include "record.h"
#include "schema.h"

/* Values given from outside the document, by field (NULL = not given); codes of the facet
 * fields are canonical and ';'-separated. */
struct iqn_doc_meta {
    const char *val[IQN_F_COUNT];
};

/* The id of a document whose relative path is rel, into out (IQN_ID_MAX + 1 bytes):
 * accents folded (é -> e), every run of other characters than A-Z a-z 0-9 . _ - (the '/'
 * between folders included) made one '_', leading '.', '_' and '-' dropped ("doc" if nothing
 * is left); past 128 bytes, the first 119 and '-' and 8 hex digits of the path's hash. */
void iqn_document_id(const char *rel, char *out, size_t outlen);

/* 1 if id is a well-formed record id: 1 to 128 of A-Z a-z 0-9 . _ - */
int iqn_document_id_valid(const char *id);

/* The id with a collision suffix: base, then base-2, base-3 ... (n >= 2), cut to fit 128 bytes. */
void iqn_document_id_variant(const char *base, unsigned n, char *out, size_t outlen);

/* Build the record of document x into r (cleared first). Precedence, field by field: the
 * manifest row, then the document's own metadata, then the flags; then the fallbacks: type
 * "report", title = file name without extension, lang detected from the text or "en".
 * source = path; body = the text, cut to IQN_BODY_MAX (*cut set). Not validated. */
int iqn_document_record(const struct iqn_extracted *x, const struct iqn_doc_meta *row,
                        const struct iqn_doc_meta *flags, const char *rel, const char *path, struct iqn_record *r,
                        int *cut, struct iqn_error *err);

#endif
