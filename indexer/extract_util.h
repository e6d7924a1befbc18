/* extract_util.h - pieces the extractors share: a capped text builder that turns markup into
 * paragraphs, charset conversion to UTF-8, metadata clean-up (ISO dates, language codes) and a
 * bounded, network-free, depth-limited XML reader. */
#ifndef IQN_EXTRACT_UTIL_H
#define IQN_EXTRACT_UTIL_H

#include <stddef.h>

#include <libxml/xmlreader.h>

#include "error.h"

#define IQN_EX_META_MAX ((size_t)64 * 1024) /* bytes kept of one metadata field (title, summary) */
#define IQN_EX_XML_DEPTH_MAX 256           /* deeper XML is refused */

/* Breaks between pieces of text, weakest first; the strongest pending one wins. */
enum iqn_ex_break { IQN_EX_NONE, IQN_EX_SPACE, IQN_EX_LINE, IQN_EX_PARA };

/* Text being built. Runs of white space become one space, breaks are written only between two
 * pieces of text (never leading or trailing), and text past max bytes is dropped (truncated). */
struct iqn_textb {
    char *data;
    size_t len, alloc, max;
    enum iqn_ex_break pending;
    int truncated;
    int oom;
};

void iqn_textb_init(struct iqn_textb *t, size_t max);
void iqn_textb_free(struct iqn_textb *t);
/* Append UTF-8 text (invalid bytes become U+FFFD, control characters are dropped). With
 * keep_lines, a newline in s is a line break (for <pre> and plain text). */
void iqn_textb_add(struct iqn_textb *t, const char *s, size_t len, int keep_lines);
/* Ask for at least brk before the next piece of text. */
void iqn_textb_break(struct iqn_textb *t, enum iqn_ex_break brk);
/* Hand over the text (NULL when empty) and its length; t is left empty. Fails only when memory ran out. */
int iqn_textb_take(struct iqn_textb *t, char **text, size_t *len, struct iqn_error *err);

/* A clean copy of a metadata value: white space collapsed, trimmed, at most IQN_EX_META_MAX bytes
 * (cut on a character boundary). NULL when s is NULL or blank, or when memory runs out. */
char *iqn_ex_clean(const char *s, size_t len);

/* "YYYY", "YYYY-MM" or "YYYY-MM-DD" from an ISO 8601 date or date-time, a PDF date
 * ("D:20040924...") or "YYYYMMDD"; NULL when s holds no plausible date. Caller frees. */
char *iqn_ex_iso_date(const char *s);

/* "en" or "fr" for a language tag or name (en-US, fr_CA, fra, French, français); else NULL. */
const char *iqn_ex_lang(const char *s);

/* Convert data to a new NUL-terminated UTF-8 buffer. charset NULL means: a BOM decides (UTF-8,
 * UTF-16LE/BE), else UTF-8 when valid, else Windows-1252. ISO-8859-1 and US-ASCII are read as
 * Windows-1252, as browsers do; in UTF-8 input each invalid byte is read as Windows-1252. */
int iqn_ex_to_utf8(const char *data, size_t len, const char *charset, char **out, size_t *outlen,
                   struct iqn_error *err);

/* XML over memory, read as a stream of nodes: no network, no entity expansion, no DTD (a
 * document with a DOCTYPE is refused), nesting deeper than IQN_EX_XML_DEPTH_MAX refused. */
struct iqn_ex_node {
    xmlTextReaderPtr reader;
    int type;  /* XML_READER_TYPE_ELEMENT, _END_ELEMENT, _TEXT ... */
    int depth; /* 0 for the root element */
    int empty; /* an element written <x/> (no end tag follows) */
};

/* What a visitor wants next. */
enum iqn_ex_visit { IQN_EX_NEXT, IQN_EX_SKIP_SUBTREE, IQN_EX_STOP };

/* Call visit on every node of the document in order; what names it in error messages
 * ("word/document.xml"). Fails on malformed XML, a DOCTYPE or too deep nesting. */
int iqn_ex_xml_walk(const char *data, size_t len, const char *what,
                    enum iqn_ex_visit (*visit)(const struct iqn_ex_node *n, void *ctx), void *ctx,
                    struct iqn_error *err);
/* 1 if n is an element (start or end tag) named local in namespace ns. */
int iqn_ex_xml_is(const struct iqn_ex_node *n, const char *ns, const char *local);
/* The characters of a text, CDATA or white-space node; NULL for other nodes. */
const char *iqn_ex_xml_text(const struct iqn_ex_node *n);

/* One metadata element to pick out of a small XML document (docProps/core.xml, meta.xml). */
struct iqn_ex_field {
    const char *ns;
    const char *local;
    char *value; /* filled: the element's cleaned text, first occurrence wins */
};

/* Fill fields[i].value from the document; the caller frees the values. */
int iqn_ex_xml_fields(const char *data, size_t len, const char *what, struct iqn_ex_field *fields,
                      size_t n, struct iqn_error *err);

#endif
