/* snippet.h - highlighted snippets: the passage of a record that best matches the query,
 * HTML-escaped, with <mark> around the words that match (by their folded or stemmed form). */
#ifndef IQN_SNIPPET_H
#define IQN_SNIPPET_H

#include <stddef.h>

#include "buf.h"

#ifdef __cplusplus
extern "C" {
#endif

struct iqn_highlight;

/* A set of query terms to highlight; stems are compared in language lang ("en"/"fr"). */
struct iqn_highlight *iqn_highlight_new(const char *lang);
void iqn_highlight_free(struct iqn_highlight *h); /* accepts NULL */
/* Add a term: a folded, lower-case word (stemmed = 0) or a stem (stemmed = 1). */
int iqn_highlight_add(struct iqn_highlight *h, const char *term, size_t len, int stemmed);
size_t iqn_highlight_count(const struct iqn_highlight *h);
/* Which term the word matches (0-based), or -1. */
int iqn_highlight_match(struct iqn_highlight *h, const char *word, size_t len);

/* Append to out the best passage of about max_chars bytes taken from texts[0..n) (e.g. summary
 * and body), HTML-escaped, matches wrapped in <mark></mark>, "…" where text was cut. With no
 * match, the start of the first non-empty text. */
int iqn_snippet(struct iqn_highlight *h, const char *const *texts, const size_t *lens, size_t n, size_t max_chars,
                struct iqn_buf *out);

#ifdef __cplusplus
}
#endif
#endif
