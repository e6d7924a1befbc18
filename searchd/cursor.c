/* cursor.c - opaque paging cursors: base64url of (offset, search fingerprint), 8 bytes each. */
#include "cursor.h"

#include <string.h>

#include <sodium.h>

#include "record.h"

#define RAW 16

static unsigned long long mix(unsigned long long h, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    h = iqn_hash64(s ? s : "", n, h);
    return iqn_hash64("\x1f", 1, h); /* a separator, so ("ab","c") and ("a","bc") differ */
}

/* Fingerprint of a search; see cursor.h. */
unsigned long long iqn_cursor_fingerprint(const struct iqn_query *q)
{
    unsigned long long h = 0x69716e63ull; /* "iqnc" */
    h = mix(h, q->text);
    h = mix(h, q->lang ? q->lang : "en");
    for (int f = 0; f < IQN_FACET_COUNT; f++) {
        unsigned long long set = 0;
        for (size_t i = 0; i < q->nfilter[f]; i++)
            set ^= iqn_hash64(q->filter[f][i], strlen(q->filter[f][i]), 0x5bd1e995ull); /* order-free */
        h = iqn_hash64(&set, sizeof set, h ^ (unsigned long long)(f + 1));
    }
    h = mix(h, q->date_from);
    h = mix(h, q->date_to);
    unsigned sort = (unsigned)q->sort;
    return iqn_hash64(&sort, sizeof sort, h);
}

static void put64(unsigned char *p, unsigned long long v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
}

static unsigned long long get64(const unsigned char *p)
{
    unsigned long long v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

/* Make a cursor; see cursor.h. */
void iqn_cursor_encode(unsigned long long offset, unsigned long long fp, char *out)
{
    unsigned char raw[RAW];
    put64(raw, offset);
    put64(raw + 8, fp);
    sodium_bin2base64(out, IQN_CURSOR_LEN + 1, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Read a cursor; see cursor.h. */
int iqn_cursor_decode(const char *s, unsigned long long fp, unsigned long long *offset)
{
    unsigned char raw[RAW];
    size_t got = 0;
    char again[IQN_CURSOR_LEN + 1];
    if (strlen(s) != IQN_CURSOR_LEN ||
        sodium_base642bin(raw, sizeof raw, s, IQN_CURSOR_LEN, NULL, &got, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        got != RAW)
        return -1;
    sodium_bin2base64(again, sizeof again, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (strcmp(again, s) != 0)
        return -1; /* not the canonical spelling: not one of ours */
    if (get64(raw + 8) != fp)
        return -2;
    *offset = get64(raw);
    return *offset > IQN_CURSOR_OFFSET_MAX ? -3 : 0;
}
