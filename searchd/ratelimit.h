/* ratelimit.h - token buckets per API key and per client address, in one bounded table shared
 * by the server threads. */
#ifndef IQN_RATELIMIT_H
#define IQN_RATELIMIT_H

#include <stddef.h>

#define IQN_RATE_KEY_MAX 64 /* bytes of a bucket name, NUL included */

struct iqn_ratelimit;

/* A table of at most cap buckets. */
int iqn_ratelimit_new(size_t cap, struct iqn_ratelimit **out);
void iqn_ratelimit_free(struct iqn_ratelimit *rl); /* accepts NULL */

/* Take one token from the bucket named key (refilled at rate tokens/s up to burst) at time now
 * (seconds, monotonic). Returns 1 when the request may go on; 0 when it must wait, with
 * *retry_after the whole seconds until a token is there. rate 0 means no limit. When the table
 * is full, buckets that have refilled completely are dropped first (forgetting them loses
 * nothing), else the least recently used one. Thread-safe. */
int iqn_ratelimit_take(struct iqn_ratelimit *rl, const char *key, double rate, double burst, double now,
                       unsigned *retry_after);

/* Buckets in the table (for /metrics). */
size_t iqn_ratelimit_size(struct iqn_ratelimit *rl);

#endif
