/* gen_model.h - the tables iqn-gen draws from: vocabularies, per-language Zipf word
 * distributions (function words, domain words and words of the vocabulary labels), and
 * skewed distributions over provinces, professions, topics and organizations. Built once;
 * read-only while records are generated. */
#ifndef IQN_GEN_MODEL_H
#define IQN_GEN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "gen_buf.h"
#include "gen_rand.h"
#include "gen_vocab.h"
#include "gen_words.h"

/* A word escaped once for each output format (indexed by enum iqn_gen_format). Each form
 * sits in the language's arena preceded by a space (text[f][-1] == ' ', so "space + word"
 * is one copy) and followed by at least 16 readable bytes (see iqn_gen_buf_add_padded). */
struct iqn_gen_word {
    const char *text[2];
    uint32_t len[2];
};

/* Everything that depends on the record language (0 = English, 1 = French). */
struct iqn_gen_lang_model {
    struct iqn_gen_word *words; /* body text: function, domain and label words by rank */
    size_t nwords;
    struct iqn_gen_alias words_zipf;
    struct iqn_gen_word *content; /* titles: domain and label words by rank, no function words */
    size_t ncontent;
    struct iqn_gen_alias content_zipf;
    struct iqn_gen_list connectors;
    struct iqn_gen_alias province_pick; /* over iqn_gen_model.province_pick */
    struct iqn_gen_buf arena;           /* the escaped word forms */
};

struct iqn_gen_model {
    struct iqn_gen_vocab province;
    struct iqn_gen_vocab profession;
    struct iqn_gen_vocab topic;
    size_t ca; /* index of CA in province */
    size_t *province_pick; /* province indices other than CA */
    size_t nprovince_pick;
    size_t *profession_rank; /* rank -> profession index */
    struct iqn_gen_alias profession_zipf;
    struct iqn_gen_alias topic_zipf;
    struct iqn_gen_list organizations;
    struct iqn_gen_alias organization_zipf;
    struct iqn_gen_lang_model lang[2];
    char **owned; /* label words, freed with the model */
    size_t nowned;
};

/* Load DIR/{province,profession,topic,type,lang,status}.tsv and build all tables. The
 * type, lang and status files must hold the codes the generator emits. Same vocabulary
 * files give the same model, hence the same records. Caller frees with iqn_gen_model_free. */
int iqn_gen_model_new(const char *vocab_dir, struct iqn_gen_model **out, struct iqn_gen_error *err);
void iqn_gen_model_free(struct iqn_gen_model *m); /* accepts NULL */

#endif
