/* params.c - collect and check the query-string parameters of an API request. */
#include "params.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "text.h"

/* Record which parameter was wrong and why. */
int iqn_param_fail(struct iqn_param_error *pe, const char *param, const char *fmt, ...)
{
    va_list ap;
    snprintf(pe->param, sizeof pe->param, "%s", param ? param : "");
    va_start(ap, fmt);
    vsnprintf(pe->message, sizeof pe->message, fmt, ap);
    va_end(ap);
    return -1;
}

/* A value shortened for quoting in a message, cut at a UTF-8 character boundary. */
void iqn_param_quote(const char *v, size_t len, char *out, size_t outlen)
{
    static const char ellipsis[] = "\xe2\x80\xa6"; /* U+2026 */
    size_t keep = len;
    if (outlen < sizeof ellipsis + 1) {
        if (outlen)
            out[0] = '\0';
        return;
    }
    if (keep > outlen - 1) {
        keep = outlen - sizeof ellipsis; /* room for the ellipsis and NUL */
        while (keep > 0 && ((unsigned char)v[keep] & 0xC0) == 0x80)
            keep--; /* do not cut a character in two */
    }
    memcpy(out, v, keep);
    if (keep < len)
        memcpy(out + keep, ellipsis, sizeof ellipsis); /* includes the NUL */
    else
        out[keep] = '\0';
}

struct collect {
    struct iqn_params *p;
    const char *const *allowed;
    struct iqn_param_error *pe;
    int failed;
};

static enum MHD_Result collect_one(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                                   const char *value, size_t value_size)
{
    struct collect *c = cls;
    char q[80];
    (void)kind;
    if (c->p->n == IQN_PARAMS_MAX) {
        c->failed = iqn_param_fail(c->pe, NULL, "more than %d parameters", IQN_PARAMS_MAX);
        return MHD_NO;
    }
    if (!iqn_utf8_valid(key, key_size)) {
        c->failed = iqn_param_fail(c->pe, NULL, "a parameter name is not valid UTF-8");
        return MHD_NO;
    }
    int known = 0;
    for (size_t i = 0; c->allowed[i] && !known; i++)
        known = strcmp(c->allowed[i], key) == 0;
    if (!known) {
        iqn_param_quote(key, key_size, q, sizeof q);
        c->failed = iqn_param_fail(c->pe, q, "unknown parameter '%s'", q);
        return MHD_NO;
    }
    if (!value) {
        value = "";
        value_size = 0;
    }
    if (!iqn_utf8_valid(value, value_size)) {
        c->failed = iqn_param_fail(c->pe, key, "%s: value is not valid UTF-8", key);
        return MHD_NO;
    }
    struct iqn_param *slot = &c->p->v[c->p->n++];
    slot->name = key;
    slot->value = value;
    slot->value_len = value_size;
    return MHD_YES;
}

/* Read every GET argument once, refusing what no endpoint should see. */
int iqn_params_collect(struct MHD_Connection *conn, const char *const *allowed, struct iqn_params *p,
                       struct iqn_param_error *pe)
{
    struct collect c = {p, allowed, pe, 0};
    p->n = 0;
    MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, collect_one, &c);
    return c.failed ? -1 : 0;
}

/* A parameter that may appear once; empty counts as absent. */
int iqn_params_single(const struct iqn_params *p, const char *name, const char **out, struct iqn_param_error *pe)
{
    int seen = 0;
    *out = NULL;
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->v[i].name, name) != 0)
            continue;
        if (seen++)
            return iqn_param_fail(pe, name, "%s: given more than once", name);
        if (p->v[i].value_len > 0)
            *out = p->v[i].value;
    }
    return 0;
}

/* A repeatable parameter; empty values are skipped. */
int iqn_params_list(const struct iqn_params *p, const char *name, const char **out, size_t max, size_t *n,
                    struct iqn_param_error *pe)
{
    *n = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->v[i].name, name) != 0 || p->v[i].value_len == 0)
            continue;
        if (*n == max)
            return iqn_param_fail(pe, name, "%s: more than %zu values", name, max);
        out[(*n)++] = p->v[i].value;
    }
    return 0;
}

/* Digits only: no sign, space or exponent. */
int iqn_params_uint(const struct iqn_params *p, const char *name, unsigned long min, unsigned long max,
                    unsigned long def, unsigned long *out, struct iqn_param_error *pe)
{
    const char *v;
    char q[80];
    if (iqn_params_single(p, name, &v, pe) != 0)
        return -1;
    if (!v) {
        *out = def;
        return 0;
    }
    unsigned long n = 0;
    size_t i = 0, len = strlen(v);
    for (; i < len && v[i] >= '0' && v[i] <= '9'; i++) {
        n = n * 10 + (unsigned long)(v[i] - '0');
        if (n > max)
            break; /* too big already; max is far below ULONG_MAX / 10, so no overflow */
    }
    if (len == 0 || i < len || n < min || n > max) {
        iqn_param_quote(v, len, q, sizeof q);
        return iqn_param_fail(pe, name, "%s: must be an integer from %lu to %lu, got '%s'", name, min, max, q);
    }
    *out = n;
    return 0;
}

/* One of a fixed list of words. */
int iqn_params_choice(const struct iqn_params *p, const char *name, const char *const *choices, int def, int *out,
                      struct iqn_param_error *pe)
{
    const char *v;
    char q[80], list[160] = "";
    if (iqn_params_single(p, name, &v, pe) != 0)
        return -1;
    if (!v) {
        *out = def;
        return 0;
    }
    for (int i = 0; choices[i]; i++) {
        if (strcmp(v, choices[i]) == 0) {
            *out = i;
            return 0;
        }
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", choices[i]);
    }
    iqn_param_quote(v, strlen(v), q, sizeof q);
    return iqn_param_fail(pe, name, "%s: must be one of %s, got '%s'", name, list, q);
}

static const char *const ui_langs[] = {"en", "fr", NULL}; /* indexed by enum iqn_lang */

/* ui_lang=en|fr. */
int iqn_params_ui_lang(const struct iqn_params *p, int *lang, struct iqn_param_error *pe)
{
    return iqn_params_choice(p, "ui_lang", ui_langs, 0, lang, pe);
}

/* Endpoints that take only ui_lang. */
int iqn_params_only_ui_lang(struct MHD_Connection *conn, int *lang, struct iqn_param_error *pe)
{
    static const char *const allowed[] = {"ui_lang", NULL};
    struct iqn_params *p = malloc(sizeof *p);
    if (!p)
        return iqn_param_fail(pe, NULL, "out of memory");
    int rc = iqn_params_collect(conn, allowed, p, pe);
    if (rc == 0)
        rc = iqn_params_ui_lang(p, lang, pe);
    free(p);
    return rc;
}

/* The code of a UI language. */
const char *iqn_ui_lang_name(int lang)
{
    return lang == 1 ? ui_langs[1] : ui_langs[0];
}
