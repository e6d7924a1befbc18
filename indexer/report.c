/* report.c - the --report file of failures and skips, CSV or JSON, streamed. */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define ROW_MAX ((size_t)64 * 1024)

struct iqn_report {
    FILE *f;
    char *path;
    char *tmp;
    int json;
    int rows;
    int write_failed;
    struct iqn_buf row;
};

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Open; see report.h. */
int iqn_report_open(const char *path, struct iqn_report **out, struct iqn_error *err)
{
    struct iqn_report *r = calloc(1, sizeof *r);
    int rc;
    if (!r)
        return iqn_error_set(err, IQN_ENOMEM, "out of memory");
    size_t n = strlen(path) + 5;
    r->path = strdup(path);
    r->tmp = malloc(n);
    if (!r->path || !r->tmp) {
        rc = iqn_error_set(err, IQN_ENOMEM, "out of memory");
        goto fail;
    }
    snprintf(r->tmp, n, "%s.tmp", path);
    r->json = ends_with(path, ".json") || ends_with(path, ".JSON");
    r->f = fopen(r->tmp, "w");
    if (!r->f) {
        rc = iqn_error_set(err, IQN_EIO, "cannot write report %s: %s", r->tmp, strerror(errno));
        goto fail;
    }
    iqn_buf_init(&r->row, ROW_MAX);
    if (fputs(r->json ? "[" : "path,line,id,status,reason\r\n", r->f) < 0)
        r->write_failed = 1;
    *out = r;
    return IQN_OK;
fail:
    free(r->path);
    free(r->tmp);
    free(r);
    return rc;
}

/* One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
static void csv_field(struct iqn_buf *b, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        iqn_buf_adds(b, s);
        return;
    }
    iqn_buf_addc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            iqn_buf_addc(b, '"');
        iqn_buf_addc(b, *s);
    }
    iqn_buf_addc(b, '"');
}

/* Add a row; see report.h. */
void iqn_report_add(struct iqn_report *r, const char *path, long line, const char *id, const char *status,
                    const char *reason)
{
    if (!r || r->write_failed)
        return;
    struct iqn_buf *b = &r->row;
    iqn_buf_reset(b);
    if (r->json) {
        iqn_buf_adds(b, r->rows ? ",\n" : "\n");
        iqn_buf_adds(b, "{\"path\":");
        iqn_buf_json_strz(b, path);
        if (line > 0)
            iqn_buf_addf(b, ",\"line\":%ld", line);
        else
            iqn_buf_adds(b, ",\"line\":null");
        iqn_buf_adds(b, ",\"id\":");
        iqn_buf_json_strz(b, id);
        iqn_buf_adds(b, ",\"status\":");
        iqn_buf_json_strz(b, status);
        iqn_buf_adds(b, ",\"reason\":");
        iqn_buf_json_strz(b, reason);
        iqn_buf_addc(b, '}');
    } else {
        csv_field(b, path);
        iqn_buf_addc(b, ',');
        if (line > 0)
            iqn_buf_addf(b, "%ld", line);
        iqn_buf_addc(b, ',');
        csv_field(b, id);
        iqn_buf_addc(b, ',');
        csv_field(b, status);
        iqn_buf_addc(b, ',');
        csv_field(b, reason);
        iqn_buf_adds(b, "\r\n");
    }
    if (iqn_buf_failed(b)) {
        iqn_buf_free(b);
        iqn_buf_init(b, ROW_MAX);
        return; /* an absurd row (a 64 KiB path?) is left out */
    }
    if (fwrite(b->data, 1, b->len, r->f) != b->len)
        r->write_failed = 1;
    r->rows++;
}

/* Close; see report.h. */
int iqn_report_close(struct iqn_report *r, struct iqn_error *err)
{
    int rc = IQN_OK;
    if (!r)
        return IQN_OK;
    if (r->json && fputs(r->rows ? "\n]\n" : "]\n", r->f) < 0)
        r->write_failed = 1;
    if (fclose(r->f) != 0)
        r->write_failed = 1;
    if (r->write_failed) {
        rc = iqn_error_set(err, IQN_EIO, "cannot write report %s", r->tmp);
        remove(r->tmp);
    } else if (rename(r->tmp, r->path) != 0) {
        rc = iqn_error_set(err, IQN_EIO, "cannot write report %s: %s", r->path, strerror(errno));
        remove(r->tmp);
    }
    iqn_buf_free(&r->row);
    free(r->path);
    free(r->tmp);
    free(r);
    return rc;
}
