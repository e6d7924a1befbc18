/* gen_vocab.h - iqn-gen's own reader for corpus/vocab/NAME.tsv (code, label_en, label_fr),
 * so the generator stays independent of libiqn. */
#ifndef IQN_GEN_VOCAB_H
#define IQN_GEN_VOCAB_H

#include <stddef.h>

#include "gen_buf.h"

#define IQN_GEN_VOCAB_MAX_ENTRIES 10000
#define IQN_GEN_VOCAB_MAX_LINE 2048

struct iqn_gen_term {
    char *code;
    char *label[2]; /* 0 = English, 1 = French */
    size_t label_len[2];
    int label_words[2]; /* whitespace-separated words in the label */
};

struct iqn_gen_vocab {
    struct iqn_gen_term *terms; /* file order */
    size_t n;
};

/* Read DIR/NAME.tsv: a header "code<TAB>label_en<TAB>label_fr", then one entry a line.
 * Lines, entry counts and codes are bounded; labels must be valid UTF-8; codes unique.
 * Errors name the file and line. On failure *out is left empty. */
int iqn_gen_vocab_load(const char *dir, const char *name, struct iqn_gen_vocab *out, struct iqn_gen_error *err);
void iqn_gen_vocab_free(struct iqn_gen_vocab *v); /* accepts an empty vocab */

/* The index of code in file order, or -1. */
long iqn_gen_vocab_find(const struct iqn_gen_vocab *v, const char *code);

/* Number of whitespace-separated words in s. */
int iqn_gen_count_words(const char *s, size_t len);

#endif
