/* record.c - an IQN record in memory: JSON in and out, validation, the stored form. */
#include "record.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

struct iqn_record *iqn_record_new(void)
{
    return calloc(1, sizeof(struct iqn_record));
}

static void strlist_clear(struct iqn_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

void iqn_record_clear(struct iqn_record *r)
{
    for (int f = 0; f < IQN_F_COUNT; f++)
        strlist_clear(&r->f[f]);
}

void iqn_record_free(struct iqn_record *r)
{
    if (!r)
        return;
    iqn_record_clear(r);
    free(r);
}

static int strlist_push(struct iqn_strlist *l, char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 2;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return 0;
}

int iqn_record_add(struct iqn_record *r, enum iqn_field f, const char *value, size_t len,
                   struct iqn_error *err)
{
    const struct iqn_field_info *fi = &iqn_fields[f];
    struct iqn_strlist *l = &r->f[f];
    if (!fi->multi && l->n > 0)
        return iqn_error_set(err, IQN_EINVAL, "field '%s' given more than once", fi->name);
    if (fi->multi && l->n >= IQN_FACET_VALUES_MAX)
        return iqn_error_set(err, IQN_EINVAL, "field '%s': more than %d values", fi->name, IQN_FACET_VALUES_MAX);
    if (len > fi->max_len)
        return iqn_error_set(err, IQN_EINVAL, "field '%s': %zu bytes, more than the %zu allowed", fi->name, len,
                             fi->max_len);
    if (!iqn_utf8_valid(value, len))
        return iqn_error_set(err, IQN_EINVAL, "field '%s': not valid UTF-8 (or contains NUL)", fi->name);
    char *copy = malloc(len + 1);
    if (!copy)
        return iqn_error_set(err, IQN_ENOMEM, "out of memory");
    memcpy(copy, value, len);
    copy[len] = '\0';
    if (strlist_push(l, copy) != 0) {
        free(copy);
        return iqn_error_set(err, IQN_ENOMEM, "out of memory");
    }
    return IQN_OK;
}

struct iqn_record *iqn_record_copy(const struct iqn_record *r)
{
    struct iqn_record *c = iqn_record_new();
    if (!c)
        return NULL;
    for (int f = 0; f < IQN_F_COUNT; f++) {
        for (size_t i = 0; i < r->f[f].n; i++) {
            size_t len = strlen(r->f[f].v[i]);
            char *v = malloc(len + 1);
            if (v)
                memcpy(v, r->f[f].v[i], len + 1);
            if (!v || strlist_push(&c->f[f], v) != 0) {
                free(v);
                iqn_record_free(c);
                return NULL;
            }
        }
    }
    return c;
}

int iqn_record_set(struct iqn_record *r, enum iqn_field f, const char *value, struct iqn_error *err)
{
    strlist_clear(&r->f[f]);
    if (!value)
        return IQN_OK;
    return iqn_record_add(r, f, value, strlen(value), err);
}

const char *iqn_record_get(const struct iqn_record *r, enum iqn_field f)
{
    return r->f[f].n ? r->f[f].v[0] : NULL;
}

/* ---- JSON ---- */

static int add_json_value(struct iqn_record *r, int f, struct json_object *v, struct iqn_error *err)
{
    const char *name = iqn_fields[f].name;
    switch (json_object_get_type(v)) {
    case json_type_null:
        return IQN_OK;
    case json_type_string:
        return iqn_record_add(r, (enum iqn_field)f, json_object_get_string(v), (size_t)json_object_get_string_len(v),
                              err);
    case json_type_array: {
        if (!iqn_fields[f].multi)
            return iqn_error_set(err, IQN_EINVAL, "field '%s' must be a string, not an array", name);
        size_t n = json_object_array_length(v);
        for (size_t i = 0; i < n; i++) {
            struct json_object *e = json_object_array_get_idx(v, i);
            if (json_object_get_type(e) != json_type_string)
                return iqn_error_set(err, IQN_EINVAL, "field '%s': element %zu must be a string code", name, i);
            int rc = iqn_record_add(r, (enum iqn_field)f, json_object_get_string(e),
                                    (size_t)json_object_get_string_len(e), err);
            if (rc != IQN_OK)
                return rc;
        }
        return IQN_OK;
    }
    default:
        return iqn_error_set(err, IQN_EINVAL, "field '%s' must be a string%s", name,
                             iqn_fields[f].multi ? " or an array of strings" : "");
    }
}

int iqn_record_from_json(struct iqn_record *r, const char *json, size_t len, struct iqn_error *err)
{
    int rc = IQN_OK;
    if (len > (size_t)IQN_BODY_MAX + 1024 * 1024)
        return iqn_error_set(err, IQN_ENOMEM, "JSON record larger than %u bytes", IQN_BODY_MAX + 1024 * 1024);
    if (!iqn_utf8_valid(json, len))
        return iqn_error_set(err, IQN_EINVAL, "not valid UTF-8");
    struct json_tokener *tok = json_tokener_new_ex(16);
    if (!tok)
        return iqn_error_set(err, IQN_ENOMEM, "out of memory");
    struct json_object *obj = json_tokener_parse_ex(tok, json, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    if (!obj || jerr != json_tokener_success) {
        rc = iqn_error_set(err, IQN_EINVAL, "invalid JSON: %s",
                           jerr == json_tokener_continue ? "unexpected end of input" : json_tokener_error_desc(jerr));
        goto out;
    }
    size_t used = json_tokener_get_parse_end(tok);
    for (; used < len; used++) {
        char c = json[used];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            rc = iqn_error_set(err, IQN_EINVAL, "invalid JSON: text after the object at byte %zu", used);
            goto out;
        }
    }
    if (!json_object_is_type(obj, json_type_object)) {
        rc = iqn_error_set(err, IQN_EINVAL, "a record must be a JSON object");
        goto out;
    }
    json_object_object_foreach(obj, key, val)
    {
        int f = iqn_field_lookup(key, strlen(key));
        if (f < 0) {
            rc = iqn_error_set(err, IQN_EINVAL, "unknown field '%.64s'", key);
            goto out;
        }
        rc = add_json_value(r, f, val, err);
        if (rc != IQN_OK)
            goto out;
    }
out:
    if (obj)
        json_object_put(obj);
    json_tokener_free(tok);
    return rc;
}

int iqn_record_to_json(const struct iqn_record *r, int with_body, struct iqn_buf *out)
{
    int first = 1;
    iqn_buf_addc(out, '{');
    for (int f = 0; f < IQN_F_COUNT; f++) {
        const struct iqn_strlist *l = &r->f[f];
        if ((f == IQN_F_BODY && !with_body) || (l->n == 0 && !iqn_fields[f].multi))
            continue;
        if (!first)
            iqn_buf_addc(out, ',');
        first = 0;
        iqn_buf_json_strz(out, iqn_fields[f].name);
        iqn_buf_addc(out, ':');
        if (iqn_fields[f].multi) {
            iqn_buf_addc(out, '[');
            for (size_t i = 0; i < l->n; i++) {
                if (i)
                    iqn_buf_addc(out, ',');
                iqn_buf_json_strz(out, l->v[i]);
            }
            iqn_buf_addc(out, ']');
        } else {
            iqn_buf_json_strz(out, l->v[0]);
        }
    }
    iqn_buf_addc(out, '}');
    return iqn_buf_failed(out) ? -1 : 0;
}

int iqn_record_encode(const struct iqn_record *r, struct iqn_buf *out)
{
    iqn_record_to_json(r, 0, out);
    iqn_buf_addc(out, '\n');
    const char *body = iqn_record_get(r, IQN_F_BODY);
    if (body)
        iqn_buf_adds(out, body);
    return iqn_buf_failed(out) ? -1 : 0;
}

int iqn_record_decode(const char *data, size_t len, struct iqn_record *r, struct iqn_error *err)
{
    const char *nl = memchr(data, '\n', len);
    size_t hlen = nl ? (size_t)(nl - data) : len;
    int rc = iqn_record_from_json(r, data, hlen, err);
    if (rc == IQN_OK && nl && (size_t)(nl - data) + 1 < len)
        rc = iqn_record_add(r, IQN_F_BODY, nl + 1, len - hlen - 1, err);
    return rc;
}

/* ---- validation ---- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Collapse white space runs to one space and trim; in the body keep paragraph breaks
 * (a run holding a blank line becomes "\n\n"). Works in place: the result is never longer. */
static void collapse_space(char *s, int keep_paragraphs)
{
    char *w = s;
    const char *p = s;
    while (*p && is_space(*p))
        p++;
    while (*p) {
        if (!is_space(*p)) {
            *w++ = *p++;
            continue;
        }
        int newlines = 0;
        while (*p && is_space(*p))
            newlines += *p++ == '\n';
        if (!*p)
            break;
        if (keep_paragraphs && newlines >= 2) {
            *w++ = '\n';
            *w++ = '\n';
        } else {
            *w++ = ' ';
        }
    }
    *w = '\0';
}

int iqn_record_valid_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > IQN_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return 0;
    }
    return 1;
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int iqn_date_key(const char *date, int upper, char out[9])
{
    size_t n = strlen(date);
    int y = -1, m = 0, d = 0;
    if (n >= 4)
        y = digits(date, 4);
    if (y < 0)
        return -1;
    if (n == 4)
        goto done;
    if (n < 7 || date[4] != '-' || (m = digits(date + 5, 2)) < 1 || m > 12)
        return -1;
    if (n == 7)
        goto done;
    if (n < 10 || date[7] != '-' || (d = digits(date + 8, 2)) < 1 || d > days_in_month(y, m))
        return -1;
    if (n > 10 && date[10] != 'T' && date[10] != ' ')
        return -1; /* a time of day may follow; it is ignored */
done:
    if (!m)
        m = upper ? 99 : 0;
    if (!d)
        d = upper ? 99 : 0;
    const int parts[4] = {y / 100, y % 100, m, d};
    for (int i = 0; i < 4; i++) {
        out[2 * i] = (char)('0' + parts[i] / 10);
        out[2 * i + 1] = (char)('0' + parts[i] % 10);
    }
    out[8] = '\0';
    return 0;
}

static const char *rec_id(const struct iqn_record *r)
{
    const char *id = iqn_record_get(r, IQN_F_ID);
    return id ? id : "(no id)";
}

int iqn_record_validate(struct iqn_record *r, const struct iqn_vocab *v, struct iqn_error *err)
{
    /* Normalise white space; drop values left empty. */
    for (int f = 0; f < IQN_F_COUNT; f++) {
        struct iqn_strlist *l = &r->f[f];
        size_t w = 0;
        for (size_t i = 0; i < l->n; i++) {
            collapse_space(l->v[i], f == IQN_F_BODY);
            if (l->v[i][0])
                l->v[w++] = l->v[i];
            else
                free(l->v[i]);
        }
        l->n = w;
    }
    for (int f = 0; f < IQN_F_COUNT; f++)
        if (iqn_fields[f].required && r->f[f].n == 0)
            return iqn_error_set(err, IQN_EINVAL, "record '%.128s': missing required field '%s'", rec_id(r),
                                 iqn_fields[f].name);
    const char *id = iqn_record_get(r, IQN_F_ID);
    if (!iqn_record_valid_id(id))
        return iqn_error_set(err, IQN_EINVAL, "record: field 'id': '%.140s' is not 1-128 of [A-Za-z0-9._-]", id);
    const char *pair = iqn_record_get(r, IQN_F_PAIR);
    if (pair && !iqn_record_valid_id(pair))
        return iqn_error_set(err, IQN_EINVAL, "record '%s': field 'pair': '%.140s' is not a valid id", id, pair);
    /* Coded fields: known codes only, canonical case, no duplicates. */
    for (int f = 0; f < IQN_F_COUNT; f++) {
        int set = f == IQN_F_STATUS ? IQN_VOCAB_STATUS : iqn_fields[f].vocab;
        if (set < 0)
            continue;
        struct iqn_strlist *l = &r->f[f];
        size_t w = 0;
        for (size_t i = 0; i < l->n; i++) {
            const struct iqn_vocab_entry *e = iqn_vocab_find(v, set, l->v[i]);
            if (!e)
                return iqn_error_set(err, IQN_EINVAL, "record '%s': field '%s': unknown code '%.64s'", id,
                                     iqn_fields[f].name, l->v[i]);
            int dup = 0;
            for (size_t j = 0; j < w; j++)
                dup |= strcmp(l->v[j], e->code) == 0;
            if (dup) {
                free(l->v[i]);
                continue;
            }
            if (strcmp(l->v[i], e->code) != 0)
                memcpy(l->v[i], e->code, strlen(e->code) + 1); /* same length: case differs only */
            l->v[w++] = l->v[i];
        }
        l->n = w;
    }
    const char *date = iqn_record_get(r, IQN_F_DATE);
    char key[9];
    if (date && iqn_date_key(date, 0, key) != 0)
        return iqn_error_set(err, IQN_EINVAL, "record '%s': field 'date': '%.64s' is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)", id, date);
    const char *url = iqn_record_get(r, IQN_F_URL);
    if (url && strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
        return iqn_error_set(err, IQN_EINVAL, "record '%s': field 'url': '%.64s' must start with http:// or https://", id, url);
    return IQN_OK;
}

unsigned long long iqn_hash64(const void *data, size_t len, unsigned long long seed)
{
    const unsigned char *p = data;
    unsigned long long h = 1469598103934665603ULL ^ seed;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}
