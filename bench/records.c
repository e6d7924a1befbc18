/* records.c - facets, JSON Lines records and query terms for the SQL peers (records.h). */
#include "records.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

const char *const bench_facet_names[BENCH_NFACETS] = {"province", "profession", "topic", "type", "lang"};

int bench_facet_index(const char *name)
{
    for (int f = 0; f < BENCH_NFACETS; f++)
        if (strcmp(bench_facet_names[f], name) == 0)
            return f;
    return -1;
}

const char *bench_json_str(struct json_object *o, const char *key)
{
    struct json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

int bench_read_records(const char *path, const char *prog, bench_record_fn fn, void *ctx)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    unsigned long lineno = 0;
    ssize_t len;
    int rc = 0;
    while (rc == 0 && (len = getline(&line, &cap, f)) > 0) {
        lineno++;
        if ((size_t)len > BENCH_RECORD_MAX) {
            fprintf(stderr, "%s: %s:%lu: line over %u bytes\n", prog, path, lineno, BENCH_RECORD_MAX);
            rc = -1;
            break;
        }
        struct json_object *o = json_tokener_parse(line);
        if (!o || !json_object_is_type(o, json_type_object)) {
            json_object_put(o);
            if (len > 1)
                fprintf(stderr, "%s: %s:%lu: not a JSON object; skipped\n", prog, path, lineno);
            continue;
        }
        rc = fn(ctx, o, path, lineno) ? -1 : 0;
        json_object_put(o);
    }
    if (rc == 0 && ferror(f)) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        rc = -1;
    }
    free(line);
    fclose(f);
    return rc;
}

int bench_next_term(const char **p, const char **start, size_t *len, int *phrase)
{
    const char *s = *p;
    for (;;) {
        while (*s == ' ')
            s++;
        if (!*s) {
            *p = s;
            return 0;
        }
        const char *end;
        *phrase = *s == '"';
        if (*phrase) {
            *start = ++s;
            end = strchr(s, '"');
            if (!end)
                end = s + strlen(s);
            s = *end ? end + 1 : end;
        } else {
            *start = s;
            while (*s && *s != ' ')
                s++;
            end = s;
        }
        if (end > *start) {
            *len = (size_t)(end - *start);
            *p = s;
            return 1;
        }
    }
}
