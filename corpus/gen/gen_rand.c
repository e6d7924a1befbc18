/* gen_rand.c - iqn-gen's deterministic PRNG seeding and alias-table construction. */
#include "gen_rand.h"

#include <stdlib.h>

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Seed xoshiro256** from a splitmix64 sequence whose start mixes seed and stream. */
void iqn_gen_rng_seed(struct iqn_gen_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t sm = mix64(seed + 0x9e3779b97f4a7c15ULL) ^ mix64(stream * 0xd6e8feb86659fd93ULL + 0x632be59bd9b4e019ULL);
    int k;

    for (k = 0; k < 4; k++) {
        sm += 0x9e3779b97f4a7c15ULL;
        r->s[k] = mix64(sm);
    }
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = 1;
}

/* Vose's alias method: columns of height 1, each split between itself and one alias. */
int iqn_gen_alias_build(struct iqn_gen_alias *a, const double *weights, size_t n, struct iqn_gen_error *err)
{
    double *p = NULL;
    size_t *small = NULL;
    size_t *large = NULL;
    size_t ns = 0;
    size_t nl = 0;
    size_t i;
    double sum = 0.0;

    a->n = 0;
    a->prob = NULL;
    a->alias = NULL;
    if (n == 0 || n > UINT32_MAX) {
        iqn_gen_error_set(err, "alias table: bad size %zu", n);
        goto fail;
    }
    for (i = 0; i < n; i++) {
        if (!(weights[i] >= 0.0)) {
            iqn_gen_error_set(err, "alias table: negative weight");
            goto fail;
        }
        sum += weights[i];
    }
    if (!(sum > 0.0)) {
        iqn_gen_error_set(err, "alias table: all weights are zero");
        goto fail;
    }
    p = malloc(n * sizeof *p);
    small = malloc(n * sizeof *small);
    large = malloc(n * sizeof *large);
    a->prob = malloc(n * sizeof *a->prob);
    a->alias = malloc(n * sizeof *a->alias);
    if (p == NULL || small == NULL || large == NULL || a->prob == NULL || a->alias == NULL) {
        iqn_gen_error_set(err, "out of memory");
        goto fail;
    }
    for (i = 0; i < n; i++) {
        p[i] = weights[i] * (double)n / sum;
        if (p[i] < 1.0)
            small[ns++] = i;
        else
            large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
        size_t s = small[--ns];
        size_t l = large[nl - 1];

        a->prob[s] = (uint64_t)(p[s] * 4294967296.0);
        a->alias[s] = (uint32_t)l;
        p[l] = (p[l] + p[s]) - 1.0;
        if (p[l] < 1.0) {
            nl--;
            small[ns++] = l;
        }
    }
    /* What is left is 1 up to rounding: keep the column whole. */
    while (nl > 0) {
        i = large[--nl];
        a->prob[i] = 4294967296ULL;
        a->alias[i] = (uint32_t)i;
    }
    while (ns > 0) {
        i = small[--ns];
        a->prob[i] = 4294967296ULL;
        a->alias[i] = (uint32_t)i;
    }
    a->n = n;
    free(p);
    free(small);
    free(large);
    return 0;
fail:
    free(p);
    free(small);
    free(large);
    iqn_gen_alias_free(a);
    return -1;
}

/* Weights 1/(rank + offset). */
int iqn_gen_alias_zipf(struct iqn_gen_alias *a, size_t n, double offset, struct iqn_gen_error *err)
{
    double *w;
    size_t i;
    int rc;

    if (n == 0) {
        a->n = 0;
        a->prob = NULL;
        a->alias = NULL;
        return iqn_gen_error_set(err, "alias table: empty list");
    }
    w = malloc(n * sizeof *w);
    if (w == NULL) {
        a->n = 0;
        a->prob = NULL;
        a->alias = NULL;
        return iqn_gen_error_set(err, "out of memory");
    }
    for (i = 0; i < n; i++)
        w[i] = 1.0 / ((double)i + offset);
    rc = iqn_gen_alias_build(a, w, n, err);
    free(w);
    return rc;
}

/* Free the table's arrays; the table is left empty. */
void iqn_gen_alias_free(struct iqn_gen_alias *a)
{
    free(a->prob);
    free(a->alias);
    a->prob = NULL;
    a->alias = NULL;
    a->n = 0;
}
