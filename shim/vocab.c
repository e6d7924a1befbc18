/* vocab.c - load and look up the facet vocabularies. */
#include "vocab.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "text.h"

struct vocab_set {
    struct iqn_vocab_entry *entries; /* file order */
    size_t *sorted;                  /* indexes sorted by code, for binary search */
    size_t n;
    char *storage;                   /* the file's bytes; entries point into it */
    char *json;                      /* iqn_vocab_json's strings, entry by entry, English then French */
    size_t *json_at;                 /* 2n + 1 offsets into json */
};

struct iqn_vocab {
    struct vocab_set set[IQN_VOCAB_COUNT];
};

static const char *set_name(int set)
{
    return set == IQN_VOCAB_STATUS ? "status" : iqn_facets[set].name;
}

static const struct vocab_set *sort_ctx;
static int cmp_code(const void *a, const void *b)
{
    const struct vocab_set *s = sort_ctx;
    return strcmp(s->entries[*(const size_t *)a].code, s->entries[*(const size_t *)b].code);
}

#define VOCAB_FILE_MAX (4u * 1024 * 1024)
#define VOCAB_ENTRIES_MAX 100000

static int load_set(const char *dir, int set, struct vocab_set *out, struct iqn_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.tsv", dir, set_name(set));
    FILE *f = fopen(path, "rb");
    if (!f)
        return iqn_error_set(err, IQN_ENOTFOUND, "%s: cannot open vocabulary: %s", path, strerror(errno));
    char *data = malloc(VOCAB_FILE_MAX + 1);
    size_t len = data ? fread(data, 1, VOCAB_FILE_MAX + 1, f) : 0;
    fclose(f);
    if (!data)
        return iqn_error_set(err, IQN_ENOMEM, "%s: out of memory", path);
    if (len > VOCAB_FILE_MAX) {
        free(data);
        return iqn_error_set(err, IQN_ENOMEM, "%s: larger than %u bytes", path, VOCAB_FILE_MAX);
    }
    data[len] = '\0';
    if (!iqn_utf8_valid(data, len)) {
        free(data);
        return iqn_error_set(err, IQN_EINVAL, "%s: not valid UTF-8", path);
    }
    size_t cap = 16, n = 0;
    struct iqn_vocab_entry *entries = malloc(cap * sizeof *entries);
    char *line = data, *next;
    unsigned long lineno = 0;
    int rc = IQN_OK;
    for (; line && *line; line = next) {
        lineno++;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r')
            line[--l] = '\0';
        if (lineno == 1 || l == 0)
            continue; /* header row, blank lines */
        char *t1 = strchr(line, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t1 || !t2 || strchr(t2 + 1, '\t') || t1 == line || t2 == t1 + 1 || !t2[1]) {
            rc = iqn_error_set(err, IQN_EINVAL, "%s:%lu: expected code<TAB>label_en<TAB>label_fr", path, lineno);
            break;
        }
        *t1 = *t2 = '\0';
        if (n == cap) {
            if (cap >= VOCAB_ENTRIES_MAX) {
                rc = iqn_error_set(err, IQN_ENOMEM, "%s: more than %d entries", path, VOCAB_ENTRIES_MAX);
                break;
            }
            cap *= 2;
            struct iqn_vocab_entry *p = realloc(entries, cap * sizeof *entries);
            if (!p) {
                rc = iqn_error_set(err, IQN_ENOMEM, "%s: out of memory", path);
                break;
            }
            entries = p;
        }
        entries[n].code = line;
        entries[n].label[IQN_LANG_EN] = t1 + 1;
        entries[n].label[IQN_LANG_FR] = t2 + 1;
        n++;
    }
    size_t *sorted = rc == IQN_OK ? malloc((n ? n : 1) * sizeof *sorted) : NULL;
    if (rc == IQN_OK && !sorted)
        rc = iqn_error_set(err, IQN_ENOMEM, "%s: out of memory", path);
    if (rc != IQN_OK) {
        free(entries);
        free(data);
        free(sorted);
        return rc;
    }
    for (size_t i = 0; i < n; i++)
        sorted[i] = i;
    out->entries = entries;
    out->n = n;
    out->storage = data;
    out->sorted = sorted;
    sort_ctx = out;
    qsort(sorted, n, sizeof *sorted, cmp_code);
    for (size_t i = 1; i < n; i++)
        if (strcmp(entries[sorted[i - 1]].code, entries[sorted[i]].code) == 0)
            return iqn_error_set(err, IQN_EINVAL, "%s: code '%s' is listed twice", path, entries[sorted[i]].code);
    return IQN_OK;
}

/* Each entry's {"value":..,"label":.. in both languages (see iqn_vocab_json). */
static int make_json(const char *dir, int set, struct vocab_set *s, struct iqn_error *err)
{
    struct iqn_buf b;
    iqn_buf_init(&b, 8 * (size_t)VOCAB_FILE_MAX);
    s->json_at = malloc((2 * s->n + 1) * sizeof *s->json_at);
    for (size_t i = 0; s->json_at && i < s->n; i++)
        for (int lang = 0; lang < 2; lang++) {
            s->json_at[2 * i + (size_t)lang] = b.len;
            iqn_buf_adds(&b, "{\"value\":");
            iqn_buf_json_strz(&b, s->entries[i].code);
            iqn_buf_adds(&b, ",\"label\":");
            iqn_buf_json_strz(&b, s->entries[i].label[lang]);
        }
    if (!s->json_at || iqn_buf_failed(&b)) {
        iqn_buf_free(&b);
        return iqn_error_set(err, IQN_ENOMEM, "%s/%s.tsv: out of memory", dir, set_name(set));
    }
    s->json_at[2 * s->n] = b.len;
    size_t len = 0;
    s->json = iqn_buf_steal(&b, &len);
    return s->json ? IQN_OK : iqn_error_set(err, IQN_ENOMEM, "%s/%s.tsv: out of memory", dir, set_name(set));
}

const char *iqn_vocab_json(const struct iqn_vocab *v, int set, const struct iqn_vocab_entry *e, int lang,
                           size_t *len)
{
    const struct vocab_set *s = &v->set[set];
    size_t k = 2 * iqn_vocab_index(v, set, e) + (lang == IQN_LANG_FR);
    *len = s->json_at[k + 1] - s->json_at[k];
    return s->json + s->json_at[k];
}

int iqn_vocab_load(const char *dir, struct iqn_vocab **out, struct iqn_error *err)
{
    struct iqn_vocab *v = calloc(1, sizeof *v);
    *out = NULL;
    if (!v)
        return iqn_error_set(err, IQN_ENOMEM, "out of memory");
    for (int s = 0; s < IQN_VOCAB_COUNT; s++) {
        int rc = load_set(dir, s, &v->set[s], err);
        if (rc == IQN_OK)
            rc = make_json(dir, s, &v->set[s], err);
        if (rc != IQN_OK) {
            iqn_vocab_free(v);
            return rc;
        }
    }
    *out = v;
    return IQN_OK;
}

void iqn_vocab_free(struct iqn_vocab *v)
{
    if (!v)
        return;
    for (int s = 0; s < IQN_VOCAB_COUNT; s++) {
        free(v->set[s].entries);
        free(v->set[s].sorted);
        free(v->set[s].storage);
        free(v->set[s].json);
        free(v->set[s].json_at);
    }
    free(v);
}

size_t iqn_vocab_size(const struct iqn_vocab *v, int set)
{
    return v->set[set].n;
}

const struct iqn_vocab_entry *iqn_vocab_at(const struct iqn_vocab *v, int set, size_t i)
{
    return i < v->set[set].n ? &v->set[set].entries[i] : NULL;
}

size_t iqn_vocab_index(const struct iqn_vocab *v, int set, const struct iqn_vocab_entry *e)
{
    return (size_t)(e - v->set[set].entries);
}

const struct iqn_vocab_entry *iqn_vocab_find(const struct iqn_vocab *v, int set, const char *code)
{
    const struct vocab_set *s = &v->set[set];
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(code, s->entries[s->sorted[mid]].code);
        if (c == 0)
            return &s->entries[s->sorted[mid]];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    for (size_t i = 0; i < s->n; i++)
        if (strcasecmp(code, s->entries[i].code) == 0)
            return &s->entries[i];
    return NULL;
}

int iqn_lang_parse(const char *s)
{
    if (s && strcmp(s, "en") == 0)
        return IQN_LANG_EN;
    if (s && strcmp(s, "fr") == 0)
        return IQN_LANG_FR;
    return -1;
}
