/* record.h - one IQN record in memory: parse from JSON, validate against the vocabularies,
 * serialise to JSON, and the stored form kept in the index. */
#ifndef IQN_RECORD_H
#define IQN_RECORD_H

#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "schema.h"
#include "vocab.h"

#ifdef __cplusplus
extern "C" {
#endif

struct iqn_strlist {
    char **v;
    size_t n;
    size_t cap;
};

/* Every field is a list of values; single-valued fields hold at most one. */
struct iqn_record {
    struct iqn_strlist f[IQN_F_COUNT];
};

struct iqn_record *iqn_record_new(void);
void iqn_record_free(struct iqn_record *r); /* accepts NULL */
void iqn_record_clear(struct iqn_record *r);
/* A new record holding copies of r's values (r is valid already: nothing is checked again), or
 * NULL when out of memory. */
struct iqn_record *iqn_record_copy(const struct iqn_record *r);

/* Append a value (copied). A second value for a single-valued field, an over-long value
 * or invalid UTF-8 is an error naming the field. */
int iqn_record_add(struct iqn_record *r, enum iqn_field f, const char *value, size_t len,
                   struct iqn_error *err);
/* Replace a single-valued field's value (NULL clears it). */
int iqn_record_set(struct iqn_record *r, enum iqn_field f, const char *value, struct iqn_error *err);
/* First value of a field, or NULL. */
const char *iqn_record_get(const struct iqn_record *r, enum iqn_field f);

/* 1 when s is a well-formed record id: [A-Za-z0-9._-]{1,128} (SPEC section 2). */
int iqn_record_valid_id(const char *s);

/* Parse one JSON object (a JSON Lines line) into r. Unknown fields and wrong types are errors. */
int iqn_record_from_json(struct iqn_record *r, const char *json, size_t len, struct iqn_error *err);

/* Check and canonicalise r: whitespace collapsed, required fields present, id and pair well formed,
 * codes known (written back in their canonical case, duplicates removed), date ISO 8601.
 * The message names the record id, the field and the value. */
int iqn_record_validate(struct iqn_record *r, const struct iqn_vocab *v, struct iqn_error *err);

/* Append r as one JSON object. With with_body 0, the body is left out. */
int iqn_record_to_json(const struct iqn_record *r, int with_body, struct iqn_buf *out);

/* The stored form in the index: the JSON object without body, a newline, then the body. */
int iqn_record_encode(const struct iqn_record *r, struct iqn_buf *out);
int iqn_record_decode(const char *data, size_t len, struct iqn_record *r, struct iqn_error *err);

/* "YYYY", "YYYY-MM" or "YYYY-MM-DD" (checked: month 1-12, day valid for the month) to the
 * 8-digit sort key; missing parts are "00" (upper == 0) or "99" (upper == 1, for range ends). */
int iqn_date_key(const char *date, int upper, char out[9]);

/* 64-bit FNV-1a over bytes, to detect unchanged content. */
unsigned long long iqn_hash64(const void *data, size_t len, unsigned long long seed);

#ifdef __cplusplus
}
#endif
#endif
