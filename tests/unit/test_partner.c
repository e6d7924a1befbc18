/* test_partner.c - unit tests of iqn-searchd's partner modules: token buckets (refill, burst,
 * Retry-After, a bounded table that drops full buckets first), paging cursors (round trip,
 * another search, tampering), gzip (round trip, the inflation cap, corrupt input) and the
 * Accept-Encoding-free helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "compress.h"
#include "cursor.h"
#include "ratelimit.h"

#include "check.h"

struct bucket_case {
    const char *id;
    double rate, burst;
    int requests;      /* taken at the same instant */
    int allowed;       /* how many of them get through */
    unsigned retry;    /* Retry-After of the first refused one */
};

static const struct bucket_case bucket_cases[] = {
    {"bucket-burst-1", 1, 5, 8, 5, 1},
    {"bucket-burst-2", 10, 1, 3, 1, 1},
    {"bucket-slow-1", 0.1, 2, 3, 2, 10},
    {"bucket-unlimited-1", 0, 1, 50, 50, 0},
};

static void test_buckets(void)
{
    for (size_t i = 0; i < CHECK_NELEM(bucket_cases); i++) {
        const struct bucket_case *c = &bucket_cases[i];
        struct iqn_ratelimit *rl = NULL;
        iqn_ratelimit_new(100, &rl);
        int allowed = 0;
        unsigned retry = 0, first_retry = 0;
        for (int r = 0; r < c->requests; r++) {
            if (iqn_ratelimit_take(rl, "a:1", c->rate, c->burst, 1000.0, &retry))
                allowed++;
            else if (!first_retry)
                first_retry = retry;
        }
        char id[64];
        snprintf(id, sizeof id, "%s-allowed", c->id);
        check_int(id, c->allowed, allowed);
        snprintf(id, sizeof id, "%s-retry", c->id);
        check_int(id, c->retry, first_retry);
        iqn_ratelimit_free(rl);
    }
    /* refill over time, never above the burst */
    struct iqn_ratelimit *rl = NULL;
    unsigned retry;
    iqn_ratelimit_new(100, &rl);
    for (int i = 0; i < 3; i++)
        iqn_ratelimit_take(rl, "k", 2, 3, 0.0, &retry);
    CHECK("bucket-refill-1", !iqn_ratelimit_take(rl, "k", 2, 3, 0.1, &retry));
    CHECK("bucket-refill-2", iqn_ratelimit_take(rl, "k", 2, 3, 0.6, &retry));
    int n = 0;
    while (iqn_ratelimit_take(rl, "k", 2, 3, 100.0, &retry))
        n++;
    check_int("bucket-refill-cap-1", 3, n);
    CHECK("bucket-other-key-1", iqn_ratelimit_take(rl, "other", 2, 3, 100.0, &retry));
    iqn_ratelimit_free(rl);
}

/* The table never holds more than its cap; full (idle) buckets go first, then the least recently used. */
static void test_bounded_table(void)
{
    struct iqn_ratelimit *rl = NULL;
    unsigned retry;
    char key[32];
    iqn_ratelimit_new(100, &rl);
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "a:%d", i);
        iqn_ratelimit_take(rl, key, 1, 2, (double)i, &retry);
    }
    CHECK("table-cap-1", iqn_ratelimit_size(rl) <= 100);
    /* 100 clients that used up their bucket at t=10000, then a new one: the table is full of buckets that
     * are not full, so the least recently used goes, and the busiest (most recent) client keeps its state */
    iqn_ratelimit_free(rl);
    iqn_ratelimit_new(100, &rl);
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof key, "a:%d", i);
        for (int t = 0; t < 3; t++)
            iqn_ratelimit_take(rl, key, 0.001, 2, 10000.0 + i * 0.001, &retry);
    }
    iqn_ratelimit_take(rl, "new", 0.001, 2, 10001.0, &retry);
    check_int("table-lru-size-1", 100, (long long)iqn_ratelimit_size(rl));
    CHECK("table-lru-kept-1", !iqn_ratelimit_take(rl, "a:99", 0.001, 2, 10001.0, &retry));
    /* much later every bucket is full again: they are all dropped to make room */
    iqn_ratelimit_take(rl, "later", 0.001, 2, 1e9, &retry);
    check_int("table-idle-dropped-1", 1, (long long)iqn_ratelimit_size(rl));
    iqn_ratelimit_free(rl);
}

static void test_cursors(void)
{
    const char *const on[] = {"ON"};
    const char *const on_qc[] = {"ON", "QC"}, *const qc_on[] = {"QC", "ON"};
    struct iqn_query a, b;
    char cur[IQN_CURSOR_LEN + 1];
    unsigned long long off = 0;
    memset(&a, 0, sizeof a);
    a.text = "nurses";
    a.lang = "en";
    a.filter[0] = on_qc;
    a.nfilter[0] = 2;
    b = a;
    b.filter[0] = qc_on;
    check_int("cursor-order-free-1", 1, iqn_cursor_fingerprint(&a) == iqn_cursor_fingerprint(&b));
    b.offset = 50;
    b.limit = 7;
    check_int("cursor-paging-free-1", 1, iqn_cursor_fingerprint(&a) == iqn_cursor_fingerprint(&b));
    unsigned long long fp = iqn_cursor_fingerprint(&a);
    iqn_cursor_encode(12345, fp, cur);
    check_int("cursor-len-1", IQN_CURSOR_LEN, (long long)strlen(cur));
    check_int("cursor-roundtrip-1", 0, iqn_cursor_decode(cur, fp, &off));
    check_int("cursor-roundtrip-2", 12345, (long long)off);
    b = a;
    b.filter[0] = on;
    b.nfilter[0] = 1;
    check_int("cursor-other-filter-1", -2, iqn_cursor_decode(cur, iqn_cursor_fingerprint(&b), &off));
    b = a;
    b.text = "nurse";
    check_int("cursor-other-text-1", -2, iqn_cursor_decode(cur, iqn_cursor_fingerprint(&b), &off));
    b = a;
    b.sort = IQN_SORT_DATE_DESC;
    check_int("cursor-other-sort-1", -2, iqn_cursor_decode(cur, iqn_cursor_fingerprint(&b), &off));
    b = a;
    b.lang = "fr";
    check_int("cursor-other-lang-1", -2, iqn_cursor_decode(cur, iqn_cursor_fingerprint(&b), &off));
    static const char *const bad[] = {"", "abc", "AAAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAA==", "!!!!!!!!!!!!!!!!!!!!!!",
                                      "AAAAAAAAAAAAAAAAAAAAA/"};
    for (size_t i = 0; i < CHECK_NELEM(bad); i++) {
        char id[40];
        snprintf(id, sizeof id, "cursor-garbage-%zu", i + 1);
        check_int(id, -1, iqn_cursor_decode(bad[i], fp, &off));
    }
    iqn_cursor_encode(IQN_CURSOR_OFFSET_MAX + 1, fp, cur);
    check_int("cursor-too-deep-1", -3, iqn_cursor_decode(cur, fp, &off));
}

static void test_gzip(void)
{
    struct iqn_error err;
    char *z = NULL, *out = NULL;
    size_t zlen = 0, olen = 0;
    size_t n = 200000;
    char *text = malloc(n);
    for (size_t i = 0; i < n; i++)
        text[i] = (char)('a' + (i * 7 % 26));
    CHECK("gzip-1", iqn_gzip(text, n, &z, &zlen) == 0 && zlen < n / 10);
    check_int("gunzip-roundtrip-1", IQN_OK, iqn_gunzip(z, zlen, n, &out, &olen, &err));
    CHECK("gunzip-roundtrip-2", olen == n && memcmp(out, text, n) == 0);
    free(out);
    out = NULL;
    check_int("gunzip-cap-1", IQN_ENOMEM, iqn_gunzip(z, zlen, n - 1, &out, &olen, &err));
    CHECK("gunzip-cap-2", out == NULL);
    check_int("gunzip-truncated-1", IQN_EINVAL, iqn_gunzip(z, zlen / 2, n, &out, &olen, &err));
    check_int("gunzip-garbage-1", IQN_EINVAL, iqn_gunzip("\x1f\x8bxxxxxxxxxx", 12, n, &out, &olen, &err));
    /* two members one after the other (what `cat a.gz b.gz` gives) */
    char *two = malloc(2 * zlen);
    memcpy(two, z, zlen);
    memcpy(two + zlen, z, zlen);
    check_int("gunzip-members-1", IQN_OK, iqn_gunzip(two, 2 * zlen, 2 * n, &out, &olen, &err));
    check_int("gunzip-members-2", (long long)(2 * n), (long long)olen);
    free(out);
    free(two);
    /* streamed compression gives the same bytes back */
    struct iqn_gzip_stream gs;
    struct iqn_buf b;
    iqn_buf_init(&b, 1u << 20);
    iqn_gzip_stream_init(&gs);
    int rc = 0;
    for (size_t off = 0; off < n; off += 1000)
        rc |= iqn_gzip_stream_write(&gs, text + off, n - off < 1000 ? n - off : 1000, 0, &b);
    rc |= iqn_gzip_stream_write(&gs, "", 0, 1, &b);
    iqn_gzip_stream_end(&gs);
    check_int("gzip-stream-1", 0, rc);
    out = NULL;
    check_int("gzip-stream-2", IQN_OK, iqn_gunzip(b.data, b.len, n, &out, &olen, &err));
    CHECK("gzip-stream-3", olen == n && memcmp(out, text, n) == 0);
    free(out);
    iqn_buf_free(&b);
    CHECK("compressible-1", iqn_gzip_compressible("application/json; charset=utf-8"));
    CHECK("compressible-2", iqn_gzip_compressible("text/css"));
    CHECK("compressible-3", !iqn_gzip_compressible("image/png"));
    CHECK("compressible-4", !iqn_gzip_compressible(NULL));
    free(z);
    free(text);
}

int main(void)
{
    if (sodium_init() < 0)
        return 2;
    test_buckets();
    test_bounded_table();
    test_cursors();
    test_gzip();
    return check_summary("test_partner");
}
