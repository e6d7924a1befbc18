/* text.h - UTF-8 checks and the text normalisation used at index and query time:
 * accents folded (diplômes -> diplomes, Québec -> Quebec), ligatures split (œ -> oe),
 * typographic apostrophes made plain, French elisions removed (l'évaluation -> evaluation). */
#ifndef IQN_TEXT_H
#define IQN_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not valid
 * (overlong forms, surrogates and code points past U+10FFFF are invalid). */
size_t iqn_utf8_seq_len(const char *s, size_t len);
/* 1 if all of s is valid UTF-8 with no NUL byte. */
int iqn_utf8_valid(const char *s, size_t len);
/* Decode the code point at s (must be valid); sets *n to its length. */
uint32_t iqn_utf8_decode(const char *s, size_t len, size_t *n);

/* Append the normalised form of s to out: accents folded, elisions stripped, apostrophes
 * made plain. Letter case is kept (the query parser needs OR, AND, NOT as typed).
 * With lower set, ASCII letters are also lower-cased. */
int iqn_text_fold(const char *s, size_t len, int lower, struct iqn_buf *out);

/* Word tokenizer for snippets: finds the next word at or after *pos.
 * A word is a run of letters and digits (any non-ASCII letter counts), with inner
 * apostrophes, hyphens are separators. Returns 0 at the end. */
int iqn_text_next_word(const char *s, size_t len, size_t *pos, size_t *start, size_t *wlen);

#ifdef __cplusplus
}
#endif
#endif
