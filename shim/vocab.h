/* vocab.h - facet vocabularies (code, English label, French label) loaded from the TSV files in corpus/vocab/,
 * the only place labels are defined. */
#ifndef IQN_VOCAB_H
#define IQN_VOCAB_H

#include <stddef.h>

#include "error.h"
#include "schema.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The vocabularies: one per facet, plus the initiative status list. */
#define IQN_VOCAB_STATUS IQN_FACET_COUNT
#define IQN_VOCAB_COUNT (IQN_FACET_COUNT + 1)

enum iqn_lang { IQN_LANG_EN = 0, IQN_LANG_FR = 1 };

struct iqn_vocab_entry {
    const char *code;
    const char *label[2]; /* indexed by enum iqn_lang */
};

struct iqn_vocab;

/* Load DIR/{province,profession,topic,type,lang,status}.tsv. Each file has a header row
 * "code<TAB>label_en<TAB>label_fr". Errors name the file and line. */
int iqn_vocab_load(const char *dir, struct iqn_vocab **out, struct iqn_error *err);
void iqn_vocab_free(struct iqn_vocab *v); /* accepts NULL */

size_t iqn_vocab_size(const struct iqn_vocab *v, int set);
/* Entries in file order. */
const struct iqn_vocab_entry *iqn_vocab_at(const struct iqn_vocab *v, int set, size_t i);
/* Exact code, or case-insensitively when no exact match; NULL when unknown. */
const struct iqn_vocab_entry *iqn_vocab_find(const struct iqn_vocab *v, int set, const char *code);
/* The position of an entry in file order (for stable output). */
size_t iqn_vocab_index(const struct iqn_vocab *v, int set, const struct iqn_vocab_entry *e);

/* The start of e's JSON object in a facet list, {"value":"CODE","label":"LABEL" with the label in
 * lang (enum iqn_lang), escaped once when the vocabulary was loaded: a search answers hundreds of
 * them. Owned by v; *len is its length. */
const char *iqn_vocab_json(const struct iqn_vocab *v, int set, const struct iqn_vocab_entry *e, int lang,
                           size_t *len);

/* "en" -> IQN_LANG_EN, "fr" -> IQN_LANG_FR, else -1. */
int iqn_lang_parse(const char *s);

#ifdef __cplusplus
}
#endif
#endif
