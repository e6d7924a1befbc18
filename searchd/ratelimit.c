/* ratelimit.c - token buckets in a fixed pool of nodes chained from a hash table, under one
 * mutex (each operation is a handful of instructions; the searches it guards cost far more). */
#include "ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

#define NIL UINT32_MAX

struct bucket {
    char key[IQN_RATE_KEY_MAX];
    double tokens;
    double last;           /* when tokens was computed */
    double rate, burst;    /* as last asked: to tell when the bucket is full again */
    uint32_t next;         /* chain, or free list */
};

struct iqn_ratelimit {
    pthread_mutex_t mu;
    struct bucket *b;
    uint32_t *heads;
    size_t cap, n, mask;
    uint32_t free_list;
};

/* The table; see ratelimit.h. */
int iqn_ratelimit_new(size_t cap, struct iqn_ratelimit **out)
{
    struct iqn_ratelimit *rl = calloc(1, sizeof *rl);
    size_t nheads = 16;
    *out = NULL;
    if (!rl || cap == 0 || cap >= NIL)
        goto fail;
    while (nheads < cap)
        nheads *= 2;
    rl->b = calloc(cap, sizeof *rl->b);
    rl->heads = malloc(nheads * sizeof *rl->heads);
    if (!rl->b || !rl->heads)
        goto fail;
    for (size_t i = 0; i < nheads; i++)
        rl->heads[i] = NIL;
    for (size_t i = 0; i < cap; i++)
        rl->b[i].next = i + 1 < cap ? (uint32_t)(i + 1) : NIL;
    rl->free_list = 0;
    rl->cap = cap;
    rl->mask = nheads - 1;
    pthread_mutex_init(&rl->mu, NULL);
    *out = rl;
    return 0;
fail:
    if (rl) {
        free(rl->b);
        free(rl->heads);
        free(rl);
    }
    return -1;
}

/* Free the table; see ratelimit.h. */
void iqn_ratelimit_free(struct iqn_ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->mu);
    free(rl->b);
    free(rl->heads);
    free(rl);
}

static size_t slot_of(const struct iqn_ratelimit *rl, const char *key)
{
    return (size_t)iqn_hash64(key, strlen(key), 0) & rl->mask;
}

/* Unlink node i from its chain and put it on the free list. */
static void drop(struct iqn_ratelimit *rl, uint32_t i)
{
    uint32_t *link = &rl->heads[slot_of(rl, rl->b[i].key)];
    while (*link != i)
        link = &rl->b[*link].next;
    *link = rl->b[i].next;
    rl->b[i].next = rl->free_list;
    rl->free_list = i;
    rl->n--;
}

/* Make room: drop every bucket that is full again; if none is, the least recently used. */
static void evict(struct iqn_ratelimit *rl, double now)
{
    uint32_t oldest = NIL;
    size_t dropped = 0;
    for (size_t h = 0; h <= rl->mask; h++) {
        uint32_t i = rl->heads[h];
        while (i != NIL) {
            struct bucket *b = &rl->b[i];
            uint32_t next = b->next;
            if (b->tokens + (now - b->last) * b->rate >= b->burst) {
                drop(rl, i);
                dropped++;
            } else if (oldest == NIL || b->last < rl->b[oldest].last) {
                oldest = i;
            }
            i = next;
        }
    }
    if (!dropped && oldest != NIL)
        drop(rl, oldest);
}

/* Take a token; see ratelimit.h. */
int iqn_ratelimit_take(struct iqn_ratelimit *rl, const char *key, double rate, double burst, double now,
                       unsigned *retry_after)
{
    int ok = 1;
    *retry_after = 0;
    if (rate <= 0)
        return 1;
    pthread_mutex_lock(&rl->mu);
    size_t h = slot_of(rl, key);
    uint32_t i = rl->heads[h];
    while (i != NIL && strcmp(rl->b[i].key, key) != 0)
        i = rl->b[i].next;
    if (i == NIL) {
        if (rl->free_list == NIL)
            evict(rl, now);
        i = rl->free_list;
        rl->free_list = rl->b[i].next;
        struct bucket *b = &rl->b[i];
        snprintf(b->key, sizeof b->key, "%s", key);
        b->tokens = burst;
        b->last = now;
        b->next = rl->heads[h];
        rl->heads[h] = i;
        rl->n++;
    }
    struct bucket *b = &rl->b[i];
    b->rate = rate;
    b->burst = burst;
    b->tokens += (now - b->last) * rate;
    if (b->tokens > burst)
        b->tokens = burst;
    b->last = now;
    if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
    } else {
        double wait = ceil((1.0 - b->tokens) / rate);
        *retry_after = wait < 1 ? 1 : wait > 86400 ? 86400 : (unsigned)wait;
        ok = 0;
    }
    pthread_mutex_unlock(&rl->mu);
    return ok;
}

/* Buckets in use; see ratelimit.h. */
size_t iqn_ratelimit_size(struct iqn_ratelimit *rl)
{
    pthread_mutex_lock(&rl->mu);
    size_t n = rl->n;
    pthread_mutex_unlock(&rl->mu);
    return n;
}
