/* gen_rand.h - iqn-gen's own deterministic PRNG (splitmix64 seeding xoshiro256**) and
 * Walker/Vose alias tables for O(1) draws from fixed discrete distributions (Zipf and friends). */
#ifndef IQN_GEN_RAND_H
#define IQN_GEN_RAND_H

#include <stddef.h>
#include <stdint.h>

#include "gen_buf.h"

struct iqn_gen_rng {
    uint64_t s[4];
};

/* Seed a generator from (seed, stream): every (seed, stream) pair gives its own sequence,
 * which is how record i depends on (seed, i) only. */
void iqn_gen_rng_seed(struct iqn_gen_rng *r, uint64_t seed, uint64_t stream);

/* Next 64 random bits (xoshiro256**). */
static inline uint64_t iqn_gen_rng_next(struct iqn_gen_rng *r)
{
    uint64_t *s = r->s;
    uint64_t x = s[1] * 5;
    uint64_t result = ((x << 7) | (x >> 57)) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/* A number in [0, n) (n >= 1), by multiply-shift on the top 32 bits. */
static inline uint32_t iqn_gen_rng_below(struct iqn_gen_rng *r, uint32_t n)
{
    return (uint32_t)(((iqn_gen_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* A number in [lo, hi] (lo <= hi). */
static inline uint32_t iqn_gen_rng_range(struct iqn_gen_rng *r, uint32_t lo, uint32_t hi)
{
    return lo + iqn_gen_rng_below(r, hi - lo + 1);
}

/* An alias table over n outcomes (Vose's method); a draw costs one random number. */
struct iqn_gen_alias {
    size_t n;
    uint64_t *prob;  /* threshold in [0, 2^32] for keeping column i */
    uint32_t *alias; /* the other outcome of column i */
};

/* Build a table from n >= 1 non-negative weights (not all zero). Uses only IEEE basic
 * arithmetic, so the table is the same on every IEEE-754 machine. */
int iqn_gen_alias_build(struct iqn_gen_alias *a, const double *weights, size_t n, struct iqn_gen_error *err);
/* Weights 1/(rank + offset) for ranks 0..n-1: a Zipf law with exponent 1. */
int iqn_gen_alias_zipf(struct iqn_gen_alias *a, size_t n, double offset, struct iqn_gen_error *err);
void iqn_gen_alias_free(struct iqn_gen_alias *a); /* accepts a zeroed table */

/* Draw one outcome in [0, n). */
static inline size_t iqn_gen_alias_draw(const struct iqn_gen_alias *a, struct iqn_gen_rng *r)
{
    uint64_t x = iqn_gen_rng_next(r);
    size_t i = (size_t)(((x >> 32) * (uint64_t)a->n) >> 32);

    return (x & 0xffffffffu) < a->prob[i] ? i : a->alias[i];
}

#endif
