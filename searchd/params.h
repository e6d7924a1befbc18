/* params.h - query-string parameters of an API request: collected once, checked for UTF-8,
 * count and known names, then read as single values, lists and bounded integers. */
#ifndef IQN_PARAMS_H
#define IQN_PARAMS_H

#include <stddef.h>

struct MHD_Connection;

#define IQN_PARAMS_MAX 256

struct iqn_param {
    const char *name;  /* owned by MHD, valid for the request */
    const char *value; /* "" when the parameter had no '=' */
    size_t value_len;
};

struct iqn_params {
    struct iqn_param v[IQN_PARAMS_MAX];
    size_t n;
};

/* What was wrong with a parameter: its name ("" if it cannot be named) and a message. */
struct iqn_param_error {
    char param[72];
    char message[512];
};

/* Set pe (param may be NULL) and return -1. */
int iqn_param_fail(struct iqn_param_error *pe, const char *param, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Copy v into out (size outlen), cut at a character boundary with "…" if it is long, so a
 * value can be quoted in a message. v must be valid UTF-8. */
void iqn_param_quote(const char *v, size_t len, char *out, size_t outlen);

/* Collect the GET arguments of conn. More than IQN_PARAMS_MAX, a name or value that is not
 * valid UTF-8 (or holds NUL), and a name not in allowed (NULL-terminated) are errors. */
int iqn_params_collect(struct MHD_Connection *conn, const char *const *allowed, struct iqn_params *p,
                       struct iqn_param_error *pe);

/* A single-valued parameter: *out is NULL when absent or empty; repeated is an error. */
int iqn_params_single(const struct iqn_params *p, const char *name, const char **out, struct iqn_param_error *pe);

/* Every non-empty value of a repeatable parameter, in order, into out[0..max); *n is set. */
int iqn_params_list(const struct iqn_params *p, const char *name, const char **out, size_t max, size_t *n,
                    struct iqn_param_error *pe);

/* A decimal integer from min to max (digits only), or def when absent. */
int iqn_params_uint(const struct iqn_params *p, const char *name, unsigned long min, unsigned long max,
                    unsigned long def, unsigned long *out, struct iqn_param_error *pe);

/* One of choices (NULL-terminated), or def when absent; *out is the index in choices. */
int iqn_params_choice(const struct iqn_params *p, const char *name, const char *const *choices, int def, int *out,
                      struct iqn_param_error *pe);

/* ui_lang: "en" (the default) or "fr", as an enum iqn_lang. */
int iqn_params_ui_lang(const struct iqn_params *p, int *lang, struct iqn_param_error *pe);
/* For endpoints whose only parameter is ui_lang: collect and read it. */
int iqn_params_only_ui_lang(struct MHD_Connection *conn, int *lang, struct iqn_param_error *pe);
/* "en" or "fr" for an enum iqn_lang. */
const char *iqn_ui_lang_name(int lang);

#endif
