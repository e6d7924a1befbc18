/* gen_model.c - builds iqn-gen's distributions from the vocabularies and the built-in word lists. */
#include "gen_model.h"

#include <stdlib.h>
#include <string.h>

#define MAX_LABEL_WORDS 20000 /* per language; the shipped vocabularies give about 1,500 */
#define SET_SLOTS 65536        /* > 2 x (built-in words + MAX_LABEL_WORDS) */
#define LABEL_WEIGHT 0.35      /* relative weight of label words against built-in words of the same rank */

/* Relative frequency of each province in English and French records (CA is drawn apart). */
static const struct {
    const char *code;
    double en;
    double fr;
} province_weights[] = {
    {"ON", 30, 25}, {"QC", 20, 60}, {"BC", 15, 8}, {"AB", 12, 6}, {"MB", 5, 4}, {"SK", 4, 2}, {"NS", 4, 3},
    {"NB", 3, 10},  {"NL", 2, 1},   {"PE", 1, 1},  {"NT", 1, 1},  {"YT", 1, 1}, {"NU", 1, 1},
};

/* A set of strings (open addressing, FNV-1a) to keep each word once per language. */
struct word_set {
    const char **slot;
    size_t used;
};

static uint64_t fnv1a(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t i;

    for (i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* 1 if added, 0 if already there, -1 if full. */
static int set_add(struct word_set *set, const char *s, size_t len)
{
    size_t i = (size_t)fnv1a(s, len) & (SET_SLOTS - 1);

    if (set->used >= SET_SLOTS / 2)
        return -1;
    while (set->slot[i] != NULL) {
        if (strlen(set->slot[i]) == len && memcmp(set->slot[i], s, len) == 0)
            return 0;
        i = (i + 1) & (SET_SLOTS - 1);
    }
    set->slot[i] = s;
    set->used++;
    return 1;
}

/* Lower-case ASCII and Latin-1 capitals (U+00C0..U+00DE, encoded C3 80..C3 9E) in place. */
static void lower_utf8(char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 'A' && c <= 'Z') {
            s[i] = (char)(c + 32);
        } else if (c == 0xc3 && i + 1 < len) {
            unsigned char d = (unsigned char)s[i + 1];

            if (d >= 0x80 && d <= 0x9e && d != 0x97)
                s[i + 1] = (char)(d + 0x20);
            i++;
        }
    }
}

static int is_delim(char c)
{
    return c == ' ' || c == ',' || c == '/' || c == '(' || c == ')' || c == ';' || c == ':' || c == '.' || c == '\t';
}

/* Words by rank, before escaping. */
struct list_builder {
    const char **s;
    size_t *len;
    size_t n;
    size_t alloc;
};

static int push_word(struct list_builder *lb, const char *s, size_t len)
{
    if (lb->n == lb->alloc) {
        size_t na = lb->alloc ? lb->alloc * 2 : 512;
        const char **ps = realloc(lb->s, na * sizeof *ps);
        size_t *pl;

        if (ps == NULL)
            return -1;
        lb->s = ps;
        pl = realloc(lb->len, na * sizeof *pl);
        if (pl == NULL)
            return -1;
        lb->len = pl;
        lb->alloc = na;
    }
    lb->s[lb->n] = s;
    lb->len[lb->n] = len;
    lb->n++;
    return 0;
}

static void list_free(struct list_builder *lb)
{
    free(lb->s);
    free(lb->len);
    lb->s = NULL;
    lb->len = NULL;
    lb->n = 0;
    lb->alloc = 0;
}

/* Add a built-in word to the body list (and the title list when content) unless seen. */
static int add_builtin(struct word_set *set, struct list_builder *words, struct list_builder *content, const char *s)
{
    size_t len = strlen(s);
    int rc = set_add(set, s, len);

    if (rc <= 0)
        return rc;
    if (push_word(words, s, len) != 0)
        return -1;
    if (content != NULL && push_word(content, s, len) != 0)
        return -1;
    return 0;
}

/* Escape every word of lb into the arena (" word\0" per format); offsets go to out[],
 * turned into pointers by fix_words once the arena stops moving. */
static void escape_words(struct iqn_gen_buf *arena, const struct list_builder *lb, struct iqn_gen_word *out,
                         size_t *off)
{
    size_t i;
    int f;

    for (i = 0; i < lb->n; i++) {
        for (f = 0; f < 2; f++) {
            size_t start;

            iqn_gen_buf_addc(arena, ' ');
            start = arena->len;
            iqn_gen_buf_escape(arena, (enum iqn_gen_format)f, lb->s[i], lb->len[i]);
            off[2 * i + (size_t)f] = start;
            out[i].len[f] = (uint32_t)(arena->len - start);
            iqn_gen_buf_addc(arena, '\0');
        }
    }
}

static void fix_words(const struct iqn_gen_buf *arena, struct iqn_gen_word *w, size_t n, const size_t *off)
{
    size_t i;

    for (i = 0; i < n; i++) {
        w[i].text[0] = arena->data + off[2 * i];
        w[i].text[1] = arena->data + off[2 * i + 1];
    }
}

/* Split the labels of v in lang into words of 3+ bytes, add the new ones to both lists. */
static int add_label_words(struct iqn_gen_model *m, const struct iqn_gen_vocab *v, int lang, int keep_case,
                           struct word_set *set, struct list_builder *words, struct list_builder *content,
                           size_t *nlabel, struct iqn_gen_error *err)
{
    size_t e;

    for (e = 0; e < v->n; e++) {
        const char *lab = v->terms[e].label[lang];
        size_t len = v->terms[e].label_len[lang];
        size_t i = 0;

        while (i < len) {
            size_t j;
            char *w;
            char **owned;
            int rc;

            while (i < len && is_delim(lab[i]))
                i++;
            j = i;
            while (j < len && !is_delim(lab[j]))
                j++;
            if (j - i < 3 || (lab[i] == '-' && j - i == 1) || *nlabel >= MAX_LABEL_WORDS) {
                i = j;
                continue;
            }
            w = malloc(j - i + 1);
            owned = realloc(m->owned, (m->nowned + 1) * sizeof *owned);
            if (w == NULL || owned == NULL) {
                free(w);
                if (owned != NULL)
                    m->owned = owned;
                return iqn_gen_error_set(err, "out of memory");
            }
            m->owned = owned;
            memcpy(w, lab + i, j - i);
            w[j - i] = '\0';
            if (!keep_case)
                lower_utf8(w, j - i);
            m->owned[m->nowned++] = w;
            rc = set_add(set, w, j - i);
            if (rc < 0)
                return iqn_gen_error_set(err, "too many distinct words");
            if (rc == 1) {
                if (push_word(words, w, j - i) != 0 || push_word(content, w, j - i) != 0)
                    return iqn_gen_error_set(err, "out of memory");
                (*nlabel)++;
            }
            i = j;
        }
    }
    return 0;
}

/* Weights 1/(rank + offset), scaled down by LABEL_WEIGHT from rank `tail` on (the words
 * of the vocabulary labels: many are off-topic, "upholsterers", and should stay rare). */
static int zipf_with_tail(struct iqn_gen_alias *a, size_t n, size_t tail, double offset, struct iqn_gen_error *err)
{
    double *w = malloc((n ? n : 1) * sizeof *w);
    size_t i;
    int rc;

    if (w == NULL)
        return iqn_gen_error_set(err, "out of memory");
    for (i = 0; i < n; i++)
        w[i] = (i < tail ? 1.0 : LABEL_WEIGHT) / ((double)i + offset);
    rc = iqn_gen_alias_build(a, w, n, err);
    free(w);
    return rc;
}

/* Body ranks: the 20 commonest function words, then function and domain words alternately,
 * then the rest of the domain words, then the label words. Title ranks: domain, then labels. */
static int build_lang(struct iqn_gen_model *m, int lang, struct iqn_gen_error *err)
{
    static const char pad[16] = {0};
    struct iqn_gen_lang_model *lm = &m->lang[lang];
    struct iqn_gen_list fw = iqn_gen_words(lang, IQN_GEN_FUNCTION_WORDS);
    struct iqn_gen_list dw = iqn_gen_words(lang, IQN_GEN_DOMAIN_WORDS);
    struct word_set set = {NULL, 0};
    struct list_builder words = {NULL, NULL, 0, 0};
    struct list_builder content = {NULL, NULL, 0, 0};
    size_t *off_w = NULL;
    size_t *off_c = NULL;
    double *pw = NULL;
    size_t nlabel = 0;
    size_t fi = 0;
    size_t di = 0;
    size_t i;

    iqn_gen_buf_init(&lm->arena, 64u * 1024u * 1024u);
    set.slot = calloc(SET_SLOTS, sizeof *set.slot);
    if (set.slot == NULL)
        goto oom;
    for (; fi < fw.n && fi < 20; fi++) {
        if (add_builtin(&set, &words, NULL, fw.items[fi]) < 0)
            goto oom;
    }
    while (fi < fw.n || di < dw.n) {
        if (fi < fw.n && add_builtin(&set, &words, NULL, fw.items[fi++]) < 0)
            goto oom;
        if (di < dw.n && add_builtin(&set, &words, &content, dw.items[di++]) < 0)
            goto oom;
    }
    if (add_label_words(m, &m->topic, lang, 0, &set, &words, &content, &nlabel, err) != 0 ||
        add_label_words(m, &m->province, lang, 1, &set, &words, &content, &nlabel, err) != 0 ||
        add_label_words(m, &m->profession, lang, 0, &set, &words, &content, &nlabel, err) != 0)
        goto fail;

    lm->words = calloc(words.n, sizeof *lm->words);
    lm->content = calloc(content.n, sizeof *lm->content);
    off_w = malloc(2 * words.n * sizeof *off_w);
    off_c = malloc(2 * content.n * sizeof *off_c);
    if (lm->words == NULL || lm->content == NULL || off_w == NULL || off_c == NULL)
        goto oom;
    lm->nwords = words.n;
    lm->ncontent = content.n;
    escape_words(&lm->arena, &words, lm->words, off_w);
    escape_words(&lm->arena, &content, lm->content, off_c);
    iqn_gen_buf_add(&lm->arena, pad, sizeof pad);
    if (lm->arena.failed)
        goto oom;
    fix_words(&lm->arena, lm->words, lm->nwords, off_w);
    fix_words(&lm->arena, lm->content, lm->ncontent, off_c);
    if (zipf_with_tail(&lm->words_zipf, lm->nwords, lm->nwords - nlabel, 2.0, err) != 0 ||
        zipf_with_tail(&lm->content_zipf, lm->ncontent, lm->ncontent - nlabel, 1.0, err) != 0)
        goto fail;
    lm->connectors = iqn_gen_words(lang, IQN_GEN_CONNECTORS);

    pw = malloc(m->nprovince_pick * sizeof *pw);
    if (pw == NULL)
        goto oom;
    for (i = 0; i < m->nprovince_pick; i++) {
        const char *code = m->province.terms[m->province_pick[i]].code;
        size_t k;

        pw[i] = 1.0;
        for (k = 0; k < sizeof province_weights / sizeof province_weights[0]; k++) {
            if (strcmp(code, province_weights[k].code) == 0)
                pw[i] = lang ? province_weights[k].fr : province_weights[k].en;
        }
    }
    if (iqn_gen_alias_build(&lm->province_pick, pw, m->nprovince_pick, err) != 0)
        goto fail;
    free(pw);
    free(off_w);
    free(off_c);
    list_free(&words);
    list_free(&content);
    free(set.slot);
    return 0;
oom:
    iqn_gen_error_set(err, "out of memory or too many words");
fail:
    free(pw);
    free(off_w);
    free(off_c);
    list_free(&words);
    list_free(&content);
    free(set.slot);
    return -1;
}

/* Professions by rank: the built-in priority list, then the rest of the file in a fixed
 * shuffled order (the same for every seed, so a code keeps its popularity across runs). */
static int build_professions(struct iqn_gen_model *m, struct iqn_gen_error *err)
{
    struct iqn_gen_list pri = iqn_gen_profession_priority();
    size_t n = m->profession.n;
    unsigned char *taken = calloc(n, 1);
    size_t k = 0;
    size_t first_rest;
    size_t i;
    struct iqn_gen_rng rng;

    m->profession_rank = malloc(n * sizeof *m->profession_rank);
    if (taken == NULL || m->profession_rank == NULL) {
        free(taken);
        return iqn_gen_error_set(err, "out of memory");
    }
    for (i = 0; i < pri.n; i++) {
        long at = iqn_gen_vocab_find(&m->profession, pri.items[i]);

        if (at >= 0 && !taken[at]) {
            taken[at] = 1;
            m->profession_rank[k++] = (size_t)at;
        }
    }
    first_rest = k;
    for (i = 0; i < n; i++) {
        if (!taken[i])
            m->profession_rank[k++] = i;
    }
    free(taken);
    iqn_gen_rng_seed(&rng, 0x49514e2d67656eULL, 0); /* fixed: "IQN-gen" */
    for (i = n - 1; i > first_rest; i--) {
        size_t j = first_rest + iqn_gen_rng_below(&rng, (uint32_t)(i - first_rest + 1));
        size_t t = m->profession_rank[i];

        m->profession_rank[i] = m->profession_rank[j];
        m->profession_rank[j] = t;
    }
    return iqn_gen_alias_zipf(&m->profession_zipf, n, 1.0, err);
}

/* Fail unless every code in `codes` is in DIR/NAME.tsv. */
static int require_codes(const char *dir, const char *name, const char *const *codes, size_t n,
                         struct iqn_gen_error *err)
{
    struct iqn_gen_vocab v;
    size_t i;

    if (iqn_gen_vocab_load(dir, name, &v, err) != 0)
        return -1;
    for (i = 0; i < n; i++) {
        if (iqn_gen_vocab_find(&v, codes[i]) < 0) {
            iqn_gen_error_set(err, "%s/%s.tsv: code \"%s\" is missing (iqn-gen emits it)", dir, name, codes[i]);
            iqn_gen_vocab_free(&v);
            return -1;
        }
    }
    iqn_gen_vocab_free(&v);
    return 0;
}

/* Load the vocabularies and build every table. */
int iqn_gen_model_new(const char *vocab_dir, struct iqn_gen_model **out, struct iqn_gen_error *err)
{
    static const char *const types[] = {"initiative", "report", "lesson", "event", "page"};
    static const char *const langs[] = {"en", "fr"};
    static const char *const statuses[] = {"planned", "active", "completed"};
    struct iqn_gen_model *m;
    long ca;
    size_t i;

    *out = NULL;
    m = calloc(1, sizeof *m);
    if (m == NULL)
        return iqn_gen_error_set(err, "out of memory");
    if (require_codes(vocab_dir, "type", types, 5, err) != 0 || require_codes(vocab_dir, "lang", langs, 2, err) != 0 ||
        require_codes(vocab_dir, "status", statuses, 3, err) != 0)
        goto fail;
    if (iqn_gen_vocab_load(vocab_dir, "province", &m->province, err) != 0 ||
        iqn_gen_vocab_load(vocab_dir, "profession", &m->profession, err) != 0 ||
        iqn_gen_vocab_load(vocab_dir, "topic", &m->topic, err) != 0)
        goto fail;
    ca = iqn_gen_vocab_find(&m->province, "CA");
    if (ca < 0 || m->province.n < 4) {
        iqn_gen_error_set(err, "%s/province.tsv: need CA and at least 3 other provinces", vocab_dir);
        goto fail;
    }
    if (m->topic.n < 3) {
        iqn_gen_error_set(err, "%s/topic.tsv: need at least 3 topics", vocab_dir);
        goto fail;
    }
    if (m->profession.n < 3) {
        iqn_gen_error_set(err, "%s/profession.tsv: need at least 3 professions", vocab_dir);
        goto fail;
    }
    m->ca = (size_t)ca;
    m->province_pick = malloc(m->province.n * sizeof *m->province_pick);
    if (m->province_pick == NULL) {
        iqn_gen_error_set(err, "out of memory");
        goto fail;
    }
    for (i = 0; i < m->province.n; i++) {
        if (i != m->ca)
            m->province_pick[m->nprovince_pick++] = i;
    }
    if (build_professions(m, err) != 0 || iqn_gen_alias_zipf(&m->topic_zipf, m->topic.n, 2.0, err) != 0)
        goto fail;
    m->organizations = iqn_gen_organizations();
    if (iqn_gen_alias_zipf(&m->organization_zipf, m->organizations.n, 3.0, err) != 0)
        goto fail;
    if (build_lang(m, 0, err) != 0 || build_lang(m, 1, err) != 0)
        goto fail;
    *out = m;
    return 0;
fail:
    iqn_gen_model_free(m);
    return -1;
}

/* Free the model and everything it owns. */
void iqn_gen_model_free(struct iqn_gen_model *m)
{
    size_t i;
    int l;

    if (m == NULL)
        return;
    for (l = 0; l < 2; l++) {
        free(m->lang[l].words);
        free(m->lang[l].content);
        iqn_gen_alias_free(&m->lang[l].words_zipf);
        iqn_gen_alias_free(&m->lang[l].content_zipf);
        iqn_gen_alias_free(&m->lang[l].province_pick);
        iqn_gen_buf_free(&m->lang[l].arena);
    }
    for (i = 0; i < m->nowned; i++)
        free(m->owned[i]);
    free(m->owned);
    iqn_gen_alias_free(&m->profession_zipf);
    iqn_gen_alias_free(&m->topic_zipf);
    iqn_gen_alias_free(&m->organization_zipf);
    free(m->profession_rank);
    free(m->province_pick);
    iqn_gen_vocab_free(&m->province);
    iqn_gen_vocab_free(&m->profession);
    iqn_gen_vocab_free(&m->topic);
    free(m);
}
