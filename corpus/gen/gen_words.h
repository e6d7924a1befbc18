/* gen_words.h - iqn-gen's built-in word lists: English and French domain words and function
 * words in rough frequency order, title connectors, invented organizations and people, and
 * the regulated professions that records mention most. */
#ifndef IQN_GEN_WORDS_H
#define IQN_GEN_WORDS_H

#include <stddef.h>

struct iqn_gen_list {
    const char *const *items;
    size_t n;
};

enum iqn_gen_list_kind {
    IQN_GEN_FUNCTION_WORDS, /* "the", "of" ... most frequent first */
    IQN_GEN_DOMAIN_WORDS,   /* "credential", "assessment" ... most frequent first */
    IQN_GEN_CONNECTORS      /* short words allowed inside titles */
};

/* The list of `kind` for lang (0 = English, 1 = French). Lists may repeat a word; users dedupe. */
struct iqn_gen_list iqn_gen_words(int lang, enum iqn_gen_list_kind kind);

/* Invented organization names (some contain & and quotes, to exercise escaping). */
struct iqn_gen_list iqn_gen_organizations(void);
/* Invented given names and family names for authors. */
struct iqn_gen_list iqn_gen_given_names(void);
struct iqn_gen_list iqn_gen_family_names(void);
/* NOC 2021 codes of regulated and in-demand professions, most discussed first; codes
 * missing from profession.tsv are skipped by the caller. */
struct iqn_gen_list iqn_gen_profession_priority(void);

#endif
