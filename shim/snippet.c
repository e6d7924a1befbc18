/* snippet.c - choose and highlight the passage of a record that best matches a query. */
#include "snippet.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "text.h"

#define HL_TERMS_MAX 64
#define SCAN_MAX (256u * 1024) /* bytes of one text looked at */
#define WINDOW 28              /* words in a snippet */

struct hl_term {
    char *s;
    size_t len;
    int stemmed;
};

/* Words already matched, by their bytes as written: texts repeat most of their words, and the
 * snippets of one result share a query, so most words are looked up once instead of folded and
 * perhaps stemmed each time they occur. Open addressing; emptied when full. */
#define CACHE_SLOTS 4096u /* a power of two */
#define CACHE_WORD_MAX 48 /* longer words are not kept */
#define CACHE_FILL 3000u  /* entries kept before it is emptied */

struct cached_word {
    uint32_t hash; /* 0: empty slot */
    uint8_t len;
    int8_t term; /* iqn_highlight_match's answer */
    char word[CACHE_WORD_MAX];
};

struct iqn_highlight {
    struct hl_term term[HL_TERMS_MAX];
    size_t n;
    int have_stems;
    struct iqn_stemmer *stemmer;
    struct iqn_buf fold, stem; /* scratch */
    struct cached_word *cache;  /* CACHE_SLOTS entries, allocated on first use */
    size_t cached;
};

struct iqn_highlight *iqn_highlight_new(const char *lang)
{
    struct iqn_highlight *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->stemmer = iqn_stemmer_new(lang);
    iqn_buf_init(&h->fold, 4096);
    iqn_buf_init(&h->stem, 4096);
    return h;
}

void iqn_highlight_free(struct iqn_highlight *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n; i++)
        free(h->term[i].s);
    iqn_stemmer_free(h->stemmer);
    iqn_buf_free(&h->fold);
    iqn_buf_free(&h->stem);
    free(h->cache);
    free(h);
}

int iqn_highlight_add(struct iqn_highlight *h, const char *term, size_t len, int stemmed)
{
    if (len == 0 || h->n >= HL_TERMS_MAX)
        return 0;
    for (size_t i = 0; i < h->n; i++)
        if (h->term[i].stemmed == stemmed && h->term[i].len == len && memcmp(h->term[i].s, term, len) == 0)
            return 0;
    char *s = malloc(len + 1);
    if (!s)
        return -1;
    memcpy(s, term, len);
    s[len] = '\0';
    h->term[h->n].s = s;
    h->term[h->n].len = len;
    h->term[h->n].stemmed = stemmed;
    h->n++;
    h->have_stems |= stemmed;
    h->cached = 0; /* answers change with the terms */
    if (h->cache)
        memset(h->cache, 0, CACHE_SLOTS * sizeof *h->cache);
    return 0;
}

size_t iqn_highlight_count(const struct iqn_highlight *h)
{
    return h->n;
}

int iqn_highlight_match(struct iqn_highlight *h, const char *word, size_t len)
{
    iqn_buf_reset(&h->fold);
    if (iqn_text_fold(word, len, 1, &h->fold) != 0 || h->fold.len == 0)
        return -1;
    const char *w = h->fold.data;
    size_t wl = h->fold.len;
    int maybe_stem = 0;
    for (size_t i = 0; i < h->n; i++) {
        const struct hl_term *t = &h->term[i];
        if (!t->stemmed) {
            if (t->len == wl && memcmp(t->s, w, wl) == 0)
                return (int)i;
            continue;
        }
        /* A stem shares its first letters with the word: only then is stemming worth it. */
        size_t k = t->len < 3 ? t->len : 3;
        if (wl >= k && memcmp(t->s, w, k) == 0)
            maybe_stem = 1;
    }
    if (!maybe_stem || !h->stemmer)
        return -1;
    iqn_buf_reset(&h->stem);
    if (iqn_stem(h->stemmer, w, wl, &h->stem) != 0)
        return -1;
    for (size_t i = 0; i < h->n; i++) {
        const struct hl_term *t = &h->term[i];
        if (t->stemmed && t->len == h->stem.len && memcmp(t->s, h->stem.data, t->len) == 0)
            return (int)i;
    }
    return -1;
}

/* iqn_highlight_match through the cache of words already seen. */
static int match_cached(struct iqn_highlight *h, const char *word, size_t len)
{
    if (len > CACHE_WORD_MAX)
        return iqn_highlight_match(h, word, len);
    if (!h->cache) {
        h->cache = calloc(CACHE_SLOTS, sizeof *h->cache);
        if (!h->cache)
            return iqn_highlight_match(h, word, len);
    }
    uint32_t hash = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        hash = (hash ^ (unsigned char)word[i]) * 16777619u;
    hash |= 1;
    for (uint32_t slot = hash & (CACHE_SLOTS - 1);; slot = (slot + 1) & (CACHE_SLOTS - 1)) {
        struct cached_word *c = &h->cache[slot];
        if (c->hash == hash && c->len == len && memcmp(c->word, word, len) == 0)
            return c->term;
        if (c->hash != 0)
            continue;
        int term = iqn_highlight_match(h, word, len);
        if (h->cached >= CACHE_FILL) {
            memset(h->cache, 0, CACHE_SLOTS * sizeof *h->cache);
            h->cached = 0;
            c = &h->cache[hash & (CACHE_SLOTS - 1)];
        }
        c->hash = hash;
        c->len = (uint8_t)len;
        c->term = (int8_t)term;
        memcpy(c->word, word, len);
        h->cached++;
        return term;
    }
}

struct word {
    size_t start, len;
    int term;
};

struct choice {
    size_t text;
    size_t first; /* word index where the window starts */
    long score;
};

/* Tokenize text into words (bounded); returns the count, words in *out (caller frees). */
static size_t tokenize(struct iqn_highlight *h, const char *s, size_t len, struct word **out)
{
    size_t cap = 256, n = 0, pos = 0, start, wl;
    struct word *w = malloc(cap * sizeof *w);
    if (len > SCAN_MAX)
        len = SCAN_MAX;
    while (w && iqn_text_next_word(s, len, &pos, &start, &wl)) {
        if (n == cap) {
            struct word *p = realloc(w, 2 * cap * sizeof *w);
            if (!p)
                break;
            w = p;
            cap *= 2;
        }
        w[n].start = start;
        w[n].len = wl;
        w[n].term = h->n ? match_cached(h, s + start, wl) : -1;
        n++;
    }
    *out = w;
    return w ? n : 0;
}

/* Best window start in words[0..n): most distinct terms, then most matches. */
static long best_window(const struct word *w, size_t n, size_t *first)
{
    unsigned counts[HL_TERMS_MAX] = {0};
    long best = -1;
    size_t distinct = 0, matches = 0;
    *first = 0;
    for (size_t i = 0; i < n; i++) {
        if (w[i].term >= 0) {
            distinct += counts[w[i].term]++ == 0;
            matches++;
        }
        if (i >= WINDOW && w[i - WINDOW].term >= 0) {
            distinct -= --counts[w[i - WINDOW].term] == 0;
            matches--;
        }
        long score = (long)distinct * 1000 + (long)matches;
        if (matches && score > best) {
            best = score;
            size_t lo = i + 1 >= WINDOW ? i + 1 - WINDOW : 0;
            while (lo < i && w[lo].term < 0)
                lo++; /* start at the window's first match */
            *first = lo;
        }
    }
    return best;
}

int iqn_snippet(struct iqn_highlight *h, const char *const *texts, const size_t *lens, size_t n, size_t max_chars,
                struct iqn_buf *out)
{
    struct choice best = {0, 0, -1};
    struct word *words = NULL;
    size_t nwords = 0, fallback = n;
    for (size_t t = 0; t < n; t++) {
        if (!texts[t] || !lens[t])
            continue;
        if (fallback == n)
            fallback = t;
        struct word *w;
        size_t nw = tokenize(h, texts[t], lens[t], &w);
        size_t first;
        long score = best_window(w, nw, &first);
        if (score > best.score) {
            free(words);
            words = w;
            nwords = nw;
            best.text = t;
            best.first = first;
            best.score = score;
        } else {
            free(w);
        }
    }
    if (best.score < 0) {
        if (fallback == n)
            return 0;
        free(words);
        best.text = fallback;
        best.first = 0;
        nwords = tokenize(h, texts[fallback], lens[fallback], &words);
    }
    const char *s = texts[best.text];
    size_t len = lens[best.text];
    /* Lead in with a few words of context before the first match. */
    size_t first = best.first >= 4 ? best.first - 4 : 0;
    if (best.score < 0 || first < 6)
        first = best.first < 6 ? 0 : first;
    size_t from = nwords ? words[first].start : 0;
    if (first == 0)
        from = 0;
    if (from > 0)
        iqn_buf_adds(out, "… ");
    size_t pos = from, written = 0;
    size_t i = first;
    for (; i < nwords && written < max_chars; i++) {
        const struct word *w = &words[i];
        iqn_buf_html(out, s + pos, w->start - pos);
        if (w->term >= 0)
            iqn_buf_adds(out, "<mark>");
        iqn_buf_html(out, s + w->start, w->len);
        if (w->term >= 0)
            iqn_buf_adds(out, "</mark>");
        written += w->start + w->len - pos;
        pos = w->start + w->len;
    }
    if (i >= nwords && len <= SCAN_MAX) {
        iqn_buf_html(out, s + pos, len - pos); /* trailing punctuation */
    } else {
        /* Keep a closing punctuation mark that touches the last word. */
        if (pos < len && (s[pos] == '.' || s[pos] == ',' || s[pos] == ';' || s[pos] == ')'))
            iqn_buf_html(out, s + pos, 1);
        iqn_buf_adds(out, " …");
    }
    free(words);
    return iqn_buf_failed(out) ? -1 : 0;
}
