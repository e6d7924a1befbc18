/* api_suggest.c - GET /api/v1/suggest: completions as the user types. Vocabulary labels
 * (province, profession, topic) whose folded words start with the folded typed words, in either
 * language, shown in the UI language; then the titles of a search-as-you-type query. */
#include "api_suggest.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "http.h"
#include "params.h"
#include "record.h"
#include "text.h"
#include "vocab.h"

#define Q_MAX 256
#define LIMIT_MAX 20
#define LIMIT_DEFAULT 8
#define TYPED_WORDS_MAX 64  /* the longest label has 27 words: more typed words match none */
#define SUGGEST_JSON_MAX (256u * 1024)
#define FOLD_MAX 4096       /* a folded label, query or title (titles are cut there) */

static const char *const allowed[] = {"q", "ui_lang", "limit", NULL};
/* The vocabularies offered as completions, in the order their matches are listed. */
static const int label_sets[] = {IQN_FACET_PROVINCE, IQN_FACET_TOPIC, IQN_FACET_PROFESSION};

struct span {
    size_t start, len;
};

/* One label of one vocabulary entry in one language, folded and cut into words. */
struct label {
    int set;   /* enum iqn_facet */
    int rank;  /* position of set in label_sets */
    int lang;  /* enum iqn_lang of this label */
    size_t order; /* the entry's place in its vocabulary file */
    const struct iqn_vocab_entry *e;
    char *folded;
    struct span *words;
    size_t nwords;
};

/* Every label, built once from the server's vocabularies (shared, read-only) and kept for the life
 * of the process. Labels of one entry are adjacent. */
static struct {
    pthread_mutex_t lock;
    const struct iqn_vocab *vocab; /* what the table was built from; NULL until built */
    struct label *v;
    size_t n;
} labels = {PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0};

/* Fold s (lower case, accents, elisions) into out and cut it into at most max words (*n).
 * Returns 0, or -1 when out of memory. */
static int fold_words(const char *s, size_t len, struct iqn_buf *out, struct span *words, size_t max, size_t *n)
{
    size_t pos = 0, start, wlen;
    *n = 0;
    iqn_buf_reset(out);
    if (iqn_text_fold(s, len, 1, out) != 0)
        return -1;
    while (*n < max && iqn_text_next_word(out->data, out->len, &pos, &start, &wlen)) {
        words[*n].start = start;
        words[*n].len = wlen;
        (*n)++;
    }
    return 0;
}

/* Fill l from one label; its folded text and words are copied out of the scratch buffer. */
static int label_init(struct label *l, const char *text, struct iqn_buf *scratch, struct span *tmp, size_t tmpmax)
{
    size_t n;
    if (fold_words(text, strlen(text), scratch, tmp, tmpmax, &n) != 0)
        return -1;
    l->folded = malloc(scratch->len + 1);
    l->words = malloc((n ? n : 1) * sizeof *l->words);
    if (!l->folded || !l->words)
        return -1;
    memcpy(l->folded, scratch->data, scratch->len + 1);
    memcpy(l->words, tmp, n * sizeof *tmp);
    l->nwords = n;
    return 0;
}

static void labels_free(struct label *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].folded);
        free(v[i].words);
    }
    free(v);
}

/* Build the label table for vocab (labels.lock held). */
static int labels_build(const struct iqn_vocab *vocab)
{
    enum { WORDS_MAX = 256 };
    struct span *tmp = malloc(WORDS_MAX * sizeof *tmp);
    struct label *v = NULL;
    struct iqn_buf scratch;
    size_t total = 0, n = 0;
    int rc = -1;
    iqn_buf_init(&scratch, FOLD_MAX);
    for (size_t s = 0; s < sizeof label_sets / sizeof label_sets[0]; s++)
        total += 2 * iqn_vocab_size(vocab, label_sets[s]);
    v = calloc(total ? total : 1, sizeof *v);
    if (!tmp || !v)
        goto fail;
    for (size_t s = 0; s < sizeof label_sets / sizeof label_sets[0]; s++) {
        for (size_t i = 0; i < iqn_vocab_size(vocab, label_sets[s]); i++) {
            const struct iqn_vocab_entry *e = iqn_vocab_at(vocab, label_sets[s], i);
            for (int lang = IQN_LANG_EN; lang <= IQN_LANG_FR; lang++) {
                if (lang == IQN_LANG_FR && strcmp(e->label[IQN_LANG_FR], e->label[IQN_LANG_EN]) == 0)
                    continue; /* "Alberta", "Manitoba": one label serves both */
                struct label *l = &v[n++];
                l->set = label_sets[s];
                l->rank = (int)s;
                l->lang = lang;
                l->order = i;
                l->e = e;
                if (label_init(l, e->label[lang], &scratch, tmp, WORDS_MAX) != 0)
                    goto fail;
            }
        }
    }
    labels.v = v;
    labels.n = n;
    labels.vocab = vocab;
    v = NULL;
    rc = 0;
fail:
    labels_free(v, n);
    iqn_buf_free(&scratch);
    free(tmp);
    return rc;
}

/* The label table for vocab, built on first use. The server has one vocabulary for its life. */
static int labels_get(const struct iqn_vocab *vocab)
{
    int rc = 0;
    pthread_mutex_lock(&labels.lock);
    if (!labels.vocab)
        rc = labels_build(vocab);
    else if (labels.vocab != vocab)
        rc = -1;
    pthread_mutex_unlock(&labels.lock);
    return rc;
}

/* A matching label: the typed words are prefixes of label words, in order. */
struct candidate {
    const struct label *l;
    int late;        /* the first typed word matched a word after the label's first */
    int other_lang;  /* matched through the label in the other language than the UI's */
};

/* Does l match the typed words t (in q)? Each typed word must start a later label word than
 * the one before it; greedy leftmost assignment finds a match whenever one exists. */
static int label_match(const struct label *l, const char *q, const struct span *t, size_t nt, size_t *first)
{
    size_t j = 0;
    for (size_t i = 0; i < nt; i++, j++) {
        while (j < l->nwords &&
               !(t[i].len <= l->words[j].len && memcmp(l->folded + l->words[j].start, q + t[i].start, t[i].len) == 0))
            j++;
        if (j == l->nwords)
            return 0;
        if (i == 0)
            *first = j;
    }
    return 1;
}

static int cmp_candidates(const void *pa, const void *pb)
{
    const struct candidate *a = pa, *b = pb;
    if (a->late != b->late)
        return a->late - b->late;
    if (a->other_lang != b->other_lang)
        return a->other_lang - b->other_lang;
    if (a->l->nwords != b->l->nwords)
        return a->l->nwords < b->l->nwords ? -1 : 1;
    if (a->l->rank != b->l->rank)
        return a->l->rank - b->l->rank;
    return a->l->order < b->l->order ? -1 : a->l->order > b->l->order;
}

/* Every entry with a label matching the typed words, best first, once per entry: *out (caller
 * frees) and *n. */
static int match_labels(const char *q, const struct span *t, size_t nt, int ui_lang, struct candidate **out,
                        size_t *n)
{
    struct candidate *c = malloc((labels.n ? labels.n : 1) * sizeof *c);
    *out = c;
    *n = 0;
    if (!c)
        return -1;
    for (size_t i = 0; i < labels.n && nt; i++) {
        const struct label *l = &labels.v[i];
        size_t first = 0;
        if (!label_match(l, q, t, nt, &first))
            continue;
        struct candidate k = {l, first > 0, l->lang != ui_lang};
        struct candidate *prev = *n ? &c[*n - 1] : NULL;
        if (prev && prev->l->e == l->e) {
            if (cmp_candidates(&k, prev) < 0)
                *prev = k; /* the same entry's other label matched better */
            continue;
        }
        c[(*n)++] = k;
    }
    qsort(c, *n, sizeof *c, cmp_candidates);
    return 0;
}

/* Titles of a search-as-you-type query, in the UI language (pairs collapse to it). */
static int search_titles(struct iqn_db *db, const char *q, int ui_lang, unsigned limit, struct iqn_result **res,
                         struct iqn_error *err)
{
    struct iqn_query query;
    memset(&query, 0, sizeof query);
    query.text = q;
    query.lang = iqn_ui_lang_name(ui_lang);
    query.limit = limit;
    query.partial = 1;
    query.no_body = 1;
    return iqn_search(db, &query, res, err);
}

static void suggestion_json(struct iqn_buf *b, int first, const char *text, const char *kind, const char *value)
{
    iqn_buf_adds(b, first ? "{\"text\":" : ",{\"text\":");
    iqn_buf_json_strz(b, text);
    iqn_buf_addf(b, ",\"kind\":\"%s\",\"value\":", kind);
    iqn_buf_json_strz(b, value);
    iqn_buf_addc(b, '}');
}

/* Append the titles of res not already listed (compared folded), at most max; *n counts them.
 * seen collects the folded titles, separated by NUL bytes. */
static int titles_json(struct iqn_buf *b, const struct iqn_result *res, size_t max, int first, size_t *n)
{
    struct iqn_buf seen, one;
    iqn_buf_init(&seen, (LIMIT_MAX + 1) * (FOLD_MAX + 1));
    iqn_buf_init(&one, FOLD_MAX);
    *n = 0;
    for (size_t i = 0; i < res->nhits && *n < max; i++) {
        const char *title = iqn_record_get(res->hits[i].record, IQN_F_TITLE);
        const char *id = iqn_record_get(res->hits[i].record, IQN_F_ID);
        if (!title || !id)
            continue;
        iqn_buf_reset(&one);
        iqn_text_fold(title, strnlen(title, FOLD_MAX / 4), 1, &one);
        if (iqn_buf_failed(&one))
            break;
        int dup = 0;
        for (size_t at = 0; at < seen.len && !dup; at += strlen(seen.data + at) + 1)
            dup = strcmp(seen.data + at, one.data) == 0;
        if (dup)
            continue;
        iqn_buf_add(&seen, one.data, one.len + 1);
        suggestion_json(b, first && *n == 0, title, "title", id);
        (*n)++;
    }
    int rc = iqn_buf_failed(&seen) || iqn_buf_failed(&one) ? -1 : 0;
    iqn_buf_free(&seen);
    iqn_buf_free(&one);
    return rc;
}

/* Check q, ui_lang and limit; list matching labels, then titles, limit in all: labels take at
 * least half the places when there are enough of them, and the rest when titles are few. */
enum MHD_Result iqn_api_suggest(struct iqn_request *req)
{
    struct iqn_params *p = malloc(sizeof *p);
    struct iqn_param_error pe;
    struct iqn_error err;
    struct iqn_result *res = NULL;
    struct iqn_db *db = NULL;
    struct candidate *cand = NULL;
    struct span typed[TYPED_WORDS_MAX + 1];
    struct iqn_buf folded, b;
    const char *q = NULL;
    unsigned long limit = LIMIT_DEFAULT;
    size_t nt = 0, ncand = 0, ntitles = 0;
    int ui_lang = IQN_LANG_EN;
    enum MHD_Result rc;
    iqn_buf_init(&folded, FOLD_MAX);
    iqn_buf_init(&b, SUGGEST_JSON_MAX);
    iqn_error_clear(&err);
    if (!p) {
        rc = MHD_NO;
        goto out;
    }
    if (iqn_params_collect(req->conn, allowed, p, &pe) != 0 || iqn_params_single(p, "q", &q, &pe) != 0 ||
        iqn_params_ui_lang(p, &ui_lang, &pe) != 0 ||
        iqn_params_uint(p, "limit", 1, LIMIT_MAX, LIMIT_DEFAULT, &limit, &pe) != 0) {
        rc = iqn_http_bad_param(req, &pe);
        goto out;
    }
    if (!q || strlen(q) > Q_MAX) {
        rc = iqn_http_error(req, MHD_HTTP_BAD_REQUEST, "bad_parameter", "q",
                            q ? "q: longer than %d bytes" : "q: required (the text typed so far, up to %d bytes)",
                            Q_MAX);
        goto out;
    }
    if (labels_get(req->srv->vocab) != 0 ||
        fold_words(q, strlen(q), &folded, typed, TYPED_WORDS_MAX + 1, &nt) != 0 ||
        (nt <= TYPED_WORDS_MAX && match_labels(folded.data, typed, nt, ui_lang, &cand, &ncand) != 0)) {
        rc = iqn_http_error(req, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", NULL, "out of memory");
        goto out;
    }
    if (nt > 0 && iqn_http_db(req, &db, &err) != IQN_OK) {
        rc = iqn_http_unavailable(req, &err);
        goto out;
    }
    if (nt > 0 && search_titles(db, q, ui_lang, (unsigned)limit, &res, &err) != IQN_OK) {
        rc = iqn_http_fail(req, &err);
        goto out;
    }
    size_t nres = res ? res->nhits : 0, nlabels = ncand < limit ? ncand : limit;
    if (nlabels + nres > limit) {
        size_t keep = limit > nres ? limit - nres : 0; /* the places titles leave */
        if (keep < (limit + 1) / 2)
            keep = (limit + 1) / 2;
        if (keep < nlabels)
            nlabels = keep;
    }
    iqn_buf_adds(&b, "{\"query\":");
    iqn_buf_json_strz(&b, q);
    iqn_buf_addf(&b, ",\"ui_lang\":\"%s\",\"suggestions\":[", iqn_ui_lang_name(ui_lang));
    for (size_t i = 0; i < nlabels; i++) {
        const struct label *l = cand[i].l;
        suggestion_json(&b, i == 0, l->e->label[ui_lang], iqn_facets[l->set].name, l->e->code);
    }
    if (res && titles_json(&b, res, limit - nlabels, nlabels == 0, &ntitles) != 0)
        b.oom = 1;
    iqn_buf_addf(&b, "],\"took_ms\":%.2f}\n", iqn_http_ms_since(&req->start));
    rc = iqn_http_reply(req, MHD_HTTP_OK, IQN_JSON_TYPE, &b);
out:
    iqn_result_free(res);
    free(cand);
    iqn_buf_free(&folded);
    iqn_buf_free(&b);
    free(p);
    return rc;
}
