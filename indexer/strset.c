/* strset.c - a set of strings for id bookkeeping during an import. */
#include "strset.h"

#include <stdlib.h>
#include <string.h>

#include "record.h"

struct member {
    char *s;
    size_t len;
};

struct iqn_strset {
    struct member *v;
    size_t cap, n; /* cap: power of two, at most half full */
};

/* New empty set; see strset.h. */
struct iqn_strset *iqn_strset_new(void)
{
    return calloc(1, sizeof(struct iqn_strset));
}

/* Free; see strset.h. */
void iqn_strset_free(struct iqn_strset *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->cap; i++)
        free(set->v[i].s);
    free(set->v);
    free(set);
}

static size_t find(const struct iqn_strset *set, const char *s, size_t len, int *found)
{
    size_t h = (size_t)iqn_hash64(s, len, 0) & (set->cap - 1);
    *found = 0;
    while (set->v[h].s) {
        if (set->v[h].len == len && memcmp(set->v[h].s, s, len) == 0) {
            *found = 1;
            break;
        }
        h = (h + 1) & (set->cap - 1);
    }
    return h;
}

static int grow(struct iqn_strset *set)
{
    size_t ncap = set->cap ? set->cap * 2 : 64;
    struct member *nv = calloc(ncap, sizeof *nv);
    if (!nv)
        return -1;
    struct member *old = set->v;
    size_t ocap = set->cap;
    set->v = nv;
    set->cap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        int found;
        if (!old[i].s)
            continue;
        size_t h = find(set, old[i].s, old[i].len, &found);
        set->v[h] = old[i];
    }
    free(old);
    return 0;
}

/* Add; see strset.h. */
int iqn_strset_add(struct iqn_strset *set, const char *s, size_t len)
{
    int found;
    if ((set->n + 1) * 2 > set->cap && grow(set) != 0)
        return -1;
    size_t h = find(set, s, len, &found);
    if (found)
        return 0;
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, s, len);
    copy[len] = '\0';
    set->v[h].s = copy;
    set->v[h].len = len;
    set->n++;
    return 1;
}

/* Membership; see strset.h. */
int iqn_strset_has(const struct iqn_strset *set, const char *s, size_t len)
{
    int found;
    if (set->cap == 0)
        return 0;
    find(set, s, len, &found);
    return found;
}

/* Add a space-separated list; see strset.h. */
int iqn_strset_add_list(struct iqn_strset *set, const char *ids)
{
    const char *p = ids;
    while (p && *p) {
        while (*p == ' ')
            p++;
        const char *q = p;
        while (*q && *q != ' ')
            q++;
        if (q > p && iqn_strset_add(set, p, (size_t)(q - p)) < 0)
            return -1;
        p = q;
    }
    return 0;
}
