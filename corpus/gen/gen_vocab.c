/* gen_vocab.c - iqn-gen's own reader for corpus/vocab/NAME.tsv. */
#include "gen_vocab.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CODE 64

/* 1 when s[0..len) is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF). */
static int valid_utf8(const unsigned char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        unsigned long cp;
        size_t k;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (len - i <= n)
            return 0;
        for (k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += n + 1;
    }
    return 1;
}

/* Count whitespace-separated words. */
int iqn_gen_count_words(const char *s, size_t len)
{
    int n = 0;
    int in = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        int sp = s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r';

        if (!sp && !in)
            n++;
        in = !sp;
    }
    return n;
}

static char *dup_range(const char *s, size_t len)
{
    char *p = malloc(len + 1);

    if (p == NULL)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

static int check_code(const char *s)
{
    size_t i;

    for (i = 0; s[i] != '\0'; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.'))
            return 0;
    }
    return i > 0 && i <= MAX_CODE;
}

/* Read one TSV vocabulary file. */
int iqn_gen_vocab_load(const char *dir, const char *name, struct iqn_gen_vocab *out, struct iqn_gen_error *err)
{
    char path[4096];
    char line[IQN_GEN_VOCAB_MAX_LINE + 2];
    FILE *f = NULL;
    struct iqn_gen_vocab v = {NULL, 0};
    size_t alloc = 0;
    long lineno = 0;
    int n;

    out->terms = NULL;
    out->n = 0;
    n = snprintf(path, sizeof path, "%s/%s.tsv", dir, name);
    if (n < 0 || (size_t)n >= sizeof path) {
        iqn_gen_error_set(err, "%s/%s.tsv: path too long", dir, name);
        goto fail;
    }
    f = fopen(path, "r");
    if (f == NULL) {
        iqn_gen_error_set(err, "%s: %s", path, strerror(errno));
        goto fail;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        size_t len = strlen(line);
        char *tab1;
        char *tab2;
        struct iqn_gen_term *t;
        int k;

        lineno++;
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        else if (!feof(f)) {
            iqn_gen_error_set(err, "%s:%ld: line longer than %d bytes", path, lineno, IQN_GEN_VOCAB_MAX_LINE);
            goto fail;
        }
        if (len > 0 && line[len - 1] == '\r')
            line[--len] = '\0';
        if (memchr(line, '\0', len) != NULL) {
            iqn_gen_error_set(err, "%s:%ld: NUL byte", path, lineno);
            goto fail;
        }
        if (lineno == 1) {
            if (strcmp(line, "code\tlabel_en\tlabel_fr") != 0) {
                iqn_gen_error_set(err, "%s:1: header is not \"code<TAB>label_en<TAB>label_fr\"", path);
                goto fail;
            }
            continue;
        }
        if (len == 0)
            continue;
        tab1 = strchr(line, '\t');
        tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        if (tab2 == NULL || strchr(tab2 + 1, '\t') != NULL) {
            iqn_gen_error_set(err, "%s:%ld: expected 3 tab-separated columns", path, lineno);
            goto fail;
        }
        *tab1 = '\0';
        *tab2 = '\0';
        if (!check_code(line)) {
            iqn_gen_error_set(err, "%s:%ld: bad code \"%.80s\"", path, lineno, line);
            goto fail;
        }
        if (tab1[1] == '\0' || tab2[1] == '\0' || !valid_utf8((const unsigned char *)tab1 + 1, strlen(tab1 + 1)) ||
            !valid_utf8((const unsigned char *)tab2 + 1, strlen(tab2 + 1))) {
            iqn_gen_error_set(err, "%s:%ld: empty label or invalid UTF-8", path, lineno);
            goto fail;
        }
        if (iqn_gen_vocab_find(&v, line) >= 0) {
            iqn_gen_error_set(err, "%s:%ld: duplicate code \"%s\"", path, lineno, line);
            goto fail;
        }
        if (v.n >= IQN_GEN_VOCAB_MAX_ENTRIES) {
            iqn_gen_error_set(err, "%s:%ld: more than %d entries", path, lineno, IQN_GEN_VOCAB_MAX_ENTRIES);
            goto fail;
        }
        if (v.n == alloc) {
            size_t na = alloc ? alloc * 2 : 32;
            struct iqn_gen_term *p = realloc(v.terms, na * sizeof *p);

            if (p == NULL) {
                iqn_gen_error_set(err, "out of memory");
                goto fail;
            }
            v.terms = p;
            alloc = na;
        }
        t = &v.terms[v.n];
        t->code = dup_range(line, strlen(line));
        t->label[0] = dup_range(tab1 + 1, strlen(tab1 + 1));
        t->label[1] = dup_range(tab2 + 1, strlen(tab2 + 1));
        v.n++;
        if (t->code == NULL || t->label[0] == NULL || t->label[1] == NULL) {
            iqn_gen_error_set(err, "out of memory");
            goto fail;
        }
        for (k = 0; k < 2; k++) {
            t->label_len[k] = strlen(t->label[k]);
            t->label_words[k] = iqn_gen_count_words(t->label[k], t->label_len[k]);
        }
    }
    if (ferror(f)) {
        iqn_gen_error_set(err, "%s: read error", path);
        goto fail;
    }
    if (v.n == 0) {
        iqn_gen_error_set(err, "%s: no entries", path);
        goto fail;
    }
    fclose(f);
    *out = v;
    return 0;
fail:
    if (f != NULL)
        fclose(f);
    iqn_gen_vocab_free(&v);
    return -1;
}

/* Free all entries; the vocab is left empty. */
void iqn_gen_vocab_free(struct iqn_gen_vocab *v)
{
    size_t i;

    for (i = 0; i < v->n; i++) {
        free(v->terms[i].code);
        free(v->terms[i].label[0]);
        free(v->terms[i].label[1]);
    }
    free(v->terms);
    v->terms = NULL;
    v->n = 0;
}

/* Linear search: vocabularies are small and this runs only at start-up. */
long iqn_gen_vocab_find(const struct iqn_gen_vocab *v, const char *code)
{
    size_t i;

    for (i = 0; i < v->n; i++) {
        if (strcmp(v->terms[i].code, code) == 0)
            return (long)i;
    }
    return -1;
}
