/* extract.h - text and metadata out of a document (HTML, DOCX, ODT, PDF, plain text), in
 * process or isolated in a child process with time and memory limits, so that a crash or hang
 * in a third-party parser never takes the import down. */
#ifndef IQN_EXTRACT_H
#define IQN_EXTRACT_H

#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "input.h"

#define IQN_EXTRACT_TEXT_MAX ((size_t)32 * 1024 * 1024) /* UTF-8 text kept from one document */

/* What a document yields. Every string is UTF-8 (converted from the document's charset) or NULL. */
struct iqn_extracted {
    char *title;   /* HTML <title>, DOCX/ODT/PDF metadata title */
    char *author;  /* meta author, dc:creator, PDF Author */
    char *date;    /* ISO 8601 (YYYY, YYYY-MM or YYYY-MM-DD) from the metadata */
    char *lang;    /* "en" or "fr" when the document says so (html lang, dc:language); else NULL */
    char *summary; /* HTML meta description, dc:description / subject */
    char *text;    /* the body text: paragraphs separated by "\n\n"; scripts, styles, navigation left out */
    size_t text_len;
};

/* Limits for one isolated extraction. */
struct iqn_extract_limits {
    unsigned seconds;   /* CPU and wall-clock time, default 30 */
    size_t memory;      /* address space of the child, default 1 GiB */
};

/* Extract in this process. On success out->text is non-empty (text_len bytes, NUL-terminated); on
 * failure out is left empty and err holds a short reason a person can act on: "PDF is encrypted",
 * "DOCX: no word/document.xml", "ZIP entry too large (possible zip bomb): ...", "no text (image-only
 * PDF?)", "XML nested too deeply in ...", "no text in the document" (docs/EXTRACTION.md lists them).
 * name is only a label. Thread-safe (PDFs are extracted one at a time: poppler is not shared). */
int iqn_extract(enum iqn_format fmt, const char *data, size_t len, const char *name, struct iqn_extracted *out,
                struct iqn_error *err);

/* The same in a separate process with lim (NULL = defaults): the iqn-extract helper, started with
 * posix_spawn (safe from any thread), sets its own rlimits and sends the result back through a
 * pipe. A helper that crashes, runs out of time or memory gives an error ("extractor crashed
 * (signal 11, SIGSEGV)", "extraction took longer than 30 s"). Thread-safe; no fd or zombie is left
 * behind, as long as the program does not ignore SIGCHLD. */
int iqn_extract_isolated(enum iqn_format fmt, const char *data, size_t len, const char *name,
                         const struct iqn_extract_limits *lim, struct iqn_extracted *out, struct iqn_error *err);

void iqn_extracted_free(struct iqn_extracted *x); /* frees the strings; x itself is the caller's */

/* Where iqn_extract_isolated finds the iqn-extract helper program. Without a call: the
 * IQN_EXTRACT_HELPER environment variable, else iqn-extract beside the running program, else the
 * installed one. Call before starting threads. */
void iqn_extract_set_helper(const char *path);

/* Where iqn_extract finds the PDF module iqn-pdf.so (poppler), loaded with the first PDF. Without a
 * call: the IQN_PDF_MODULE environment variable, else iqn-pdf.so beside the running program, else
 * the installed one. Call before starting threads. */
void iqn_extract_set_pdf_module(const char *path);

/* The helper's side of iqn_extract_isolated (iqn-extract --child): apply lim (NULL = defaults) to
 * this process with setrlimit, read the document from in_fd, extract it, write the result or the
 * error to out_fd. Returns 0 when a reply was written, -1 when out_fd failed. */
int iqn_extract_serve(int in_fd, int out_fd, enum iqn_format fmt, const char *name,
                      const struct iqn_extract_limits *lim);

/* Guess the language of text: "en", "fr", or NULL when it cannot tell (too short, neither). */
const char *iqn_detect_lang(const char *text, size_t len);

#endif
