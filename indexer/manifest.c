/* manifest.c - the CSV manifest: a hand-written, bounded RFC 4180 reader and row checks. */
#include "manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "buf.h"
#include "document.h"
#include "input.h"
#include "record.h"
#include "text.h"
#include "walk.h"

#define MSG_MAX 512

struct iqn_manifest {
    struct iqn_manifest_row *rows;
    size_t n, cap;
    size_t *by_abs; /* row indexes sorted by abs, good rows only */
    size_t nby;
};

/* ---- CSV ---- */

struct csv {
    const char *p, *end;
    long line;              /* current line */
    struct iqn_buf field;   /* the field being read */
    char *fields[IQN_MANIFEST_COLUMNS_MAX];
    size_t nfields;
    int too_many;
};

static void csv_clear_row(struct csv *c)
{
    for (size_t i = 0; i < c->nfields; i++)
        free(c->fields[i]);
    c->nfields = 0;
    c->too_many = 0;
}

static int csv_push(struct csv *c)
{
    if (iqn_buf_failed(&c->field))
        return -1;
    if (c->nfields == IQN_MANIFEST_COLUMNS_MAX) {
        c->too_many = 1;
        iqn_buf_reset(&c->field);
        return 0;
    }
    char *s = strndup(c->field.data ? c->field.data : "", c->field.len);
    if (!s)
        return -1;
    c->fields[c->nfields++] = s;
    iqn_buf_reset(&c->field);
    return 0;
}

/* Read one row into c->fields. Returns 1 for a row, 0 at the end, -1 for an error (msg set;
 * the reader has moved past the bad row). *start is the row's first line. */
static int csv_row(struct csv *c, long *start, char *msg, size_t msglen)
{
    csv_clear_row(c);
    iqn_buf_reset(&c->field);
    /* Blank lines between rows are ignored. */
    while (c->p < c->end && (*c->p == '\n' || *c->p == '\r')) {
        if (*c->p == '\n' || (c->p + 1 < c->end && c->p[1] != '\n') || c->p + 1 == c->end)
            c->line++;
        c->p++;
    }
    if (c->p >= c->end)
        return 0;
    *start = c->line;
    for (;;) {
        /* One field. */
        if (c->p < c->end && *c->p == '"') {
            long qline = c->line;
            c->p++;
            for (;;) {
                if (c->p >= c->end) {
                    snprintf(msg, msglen, "quoted field opened on line %ld is never closed", qline);
                    return -1;
                }
                char ch = *c->p++;
                if (ch == '"') {
                    if (c->p < c->end && *c->p == '"') {
                        c->p++;
                        iqn_buf_addc(&c->field, '"');
                        continue;
                    }
                    break;
                }
                if (ch == '\n')
                    c->line++;
                iqn_buf_addc(&c->field, ch);
            }
            if (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
                snprintf(msg, msglen, "text after the closing quote of field %zu", c->nfields + 1);
                goto skip_rest;
            }
        } else {
            while (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
                if (*c->p == '"') {
                    snprintf(msg, msglen, "quote inside unquoted field %zu (quote the whole field)", c->nfields + 1);
                    goto skip_rest;
                }
                iqn_buf_addc(&c->field, *c->p++);
            }
        }
        if (iqn_buf_failed(&c->field)) {
            snprintf(msg, msglen, "field %zu is longer than %zu bytes", c->nfields + 1, IQN_MANIFEST_FIELD_MAX);
            iqn_buf_free(&c->field);
            iqn_buf_init(&c->field, IQN_MANIFEST_FIELD_MAX);
            goto skip_rest;
        }
        if (csv_push(c) != 0) {
            snprintf(msg, msglen, "out of memory");
            return -1;
        }
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        /* End of the row. */
        if (c->p < c->end && *c->p == '\r')
            c->p++;
        if (c->p < c->end && *c->p == '\n')
            c->p++;
        c->line++;
        if (c->too_many) {
            snprintf(msg, msglen, "more than %d fields", IQN_MANIFEST_COLUMNS_MAX);
            return -1;
        }
        return 1;
    }
skip_rest:
    /* Move to the next line outside quotes, as well as we can tell. */
    while (c->p < c->end && *c->p != '\n')
        c->p++;
    if (c->p < c->end)
        c->p++;
    c->line++;
    return -1;
}

/* ---- checks ---- */

/* Trim ASCII white space in place; returns s. */
static char *trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    size_t i = 0;
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    if (i > 0)
        memmove(s, s + i, n - i + 1);
    return s;
}

/* Check the codes of a vocabulary field ("a; b") and canonicalise them into *out ("A;B"). */
static int check_codes(const struct iqn_vocab *vocab, enum iqn_field f, const char *cell, char **out, char *msg,
                       size_t msglen)
{
    int set = f == IQN_F_STATUS ? IQN_VOCAB_STATUS : iqn_fields[f].vocab;
    struct iqn_buf b;
    size_t count = 0;
    iqn_buf_init(&b, IQN_MANIFEST_FIELD_MAX);
    const char *p = cell;
    while (*p) {
        const char *semi = strchr(p, ';');
        size_t n = semi ? (size_t)(semi - p) : strlen(p);
        char code[128];
        while (n > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            n--;
        }
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n > 0) {
            if (n >= sizeof code) {
                snprintf(msg, msglen, "%s: value too long", iqn_fields[f].name);
                goto fail;
            }
            memcpy(code, p, n);
            code[n] = '\0';
            const struct iqn_vocab_entry *e = iqn_vocab_find(vocab, set, code);
            if (!e) {
                snprintf(msg, msglen, "%s: unknown code '%s'", iqn_fields[f].name, code);
                goto fail;
            }
            if (!iqn_fields[f].multi && count > 0) {
                snprintf(msg, msglen, "%s takes one value", iqn_fields[f].name);
                goto fail;
            }
            if (++count > IQN_FACET_VALUES_MAX) {
                snprintf(msg, msglen, "%s: more than %d codes", iqn_fields[f].name, IQN_FACET_VALUES_MAX);
                goto fail;
            }
            if (b.len > 0)
                iqn_buf_addc(&b, ';');
            iqn_buf_adds(&b, e->code);
        }
        p += (semi ? (size_t)(semi - p) + 1 : strlen(p));
        if (!semi)
            break;
    }
    if (iqn_buf_failed(&b)) {
        snprintf(msg, msglen, "out of memory");
        goto fail;
    }
    *out = b.len > 0 ? iqn_buf_steal(&b, NULL) : NULL;
    iqn_buf_free(&b);
    return 0;
fail:
    iqn_buf_free(&b);
    return -1;
}

/* Check one cell of column f into row->val[f]. */
static int check_cell(const struct iqn_vocab *vocab, enum iqn_field f, char *cell, struct iqn_manifest_row *row,
                      char *msg, size_t msglen)
{
    char key[9];
    trim(cell);
    if (cell[0] == '\0')
        return 0;
    if (!iqn_utf8_valid(cell, strlen(cell))) {
        snprintf(msg, msglen, "%s: not valid UTF-8", iqn_fields[f].name);
        return -1;
    }
    if (strlen(cell) > iqn_fields[f].max_len) {
        snprintf(msg, msglen, "%s: longer than %zu bytes", iqn_fields[f].name, iqn_fields[f].max_len);
        return -1;
    }
    if (iqn_fields[f].vocab >= 0 || f == IQN_F_STATUS)
        return check_codes(vocab, f, cell, &row->val[f], msg, msglen);
    if ((f == IQN_F_ID || f == IQN_F_PAIR) && !iqn_document_id_valid(cell)) {
        snprintf(msg, msglen, "%s: '%.130s' is not a valid id (1-128 of A-Z a-z 0-9 . _ -)", iqn_fields[f].name, cell);
        return -1;
    }
    if (f == IQN_F_DATE && iqn_date_key(cell, 0, key) != IQN_OK) {
        snprintf(msg, msglen, "date: '%.40s' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", cell);
        return -1;
    }
    row->val[f] = strdup(cell);
    if (!row->val[f]) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    return 0;
}

static void row_clear(struct iqn_manifest_row *row)
{
    free(row->path);
    free(row->rel);
    free(row->abs);
    for (int f = 0; f < IQN_F_COUNT; f++)
        free(row->val[f]);
    memset(row, 0, sizeof *row);
}

/* The folder part of path ("" when none) with a trailing '/'. */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? strndup(path, (size_t)(slash - path) + 1) : strdup("");
}

/* Resolve the path cell against the manifest's folder; check that the file is there. */
static int check_path(const char *dir, char *cell, struct iqn_manifest_row *row, char *msg, size_t msglen)
{
    struct stat st;
    trim(cell);
    if (cell[0] == '\0') {
        snprintf(msg, msglen, "path is empty");
        return -1;
    }
    const char *rel = cell;
    while (rel[0] == '.' && rel[1] == '/')
        rel += 2;
    size_t n = strlen(dir) + strlen(rel) + 1;
    row->rel = strdup(rel);
    row->path = malloc(n);
    if (!row->rel || !row->path) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    if (rel[0] == '/')
        snprintf(row->path, n, "%s", rel);
    else
        snprintf(row->path, n, "%s%s", dir, rel);
    if (stat(row->path, &st) != 0) {
        snprintf(msg, msglen, "path '%.300s': %s", cell, errno == ENOENT ? "no such file" : strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(msg, msglen, "path '%.300s' is not a regular file", cell);
        return -1;
    }
    row->abs = iqn_walk_abspath(row->path);
    if (!row->abs) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    return 0;
}

static unsigned long long row_hash(const struct iqn_manifest_row *row)
{
    unsigned long long h = iqn_hash64("manifest", 8, 0);
    for (int f = 0; f < IQN_F_COUNT; f++) {
        const char *v = row->val[f] ? row->val[f] : "";
        h = iqn_hash64(iqn_fields[f].name, strlen(iqn_fields[f].name), h);
        h = iqn_hash64(v, strlen(v) + 1, h);
    }
    return h;
}

static const struct iqn_manifest *sort_ctx;

static int by_abs(const void *a, const void *b)
{
    const struct iqn_manifest_row *x = &sort_ctx->rows[*(const size_t *)a];
    const struct iqn_manifest_row *y = &sort_ctx->rows[*(const size_t *)b];
    int c = strcmp(x->abs, y->abs);
    if (c != 0)
        return c;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Find the first good row for abs in the sorted index, or -1. */
static long find_index(const struct iqn_manifest *m, const char *abs)
{
    size_t lo = 0, hi = m->nby;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(m->rows[m->by_abs[mid]].abs, abs) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < m->nby && strcmp(m->rows[m->by_abs[lo]].abs, abs) == 0)
        return (long)m->by_abs[lo];
    return -1;
}

static int by_id(const void *a, const void *b)
{
    const struct iqn_manifest_row *x = &sort_ctx->rows[*(const size_t *)a];
    const struct iqn_manifest_row *y = &sort_ctx->rows[*(const size_t *)b];
    int c = strcmp(x->val[IQN_F_ID], y->val[IQN_F_ID]);
    if (c != 0)
        return c;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* An id given on two good rows: the later row is bad. */
static int check_ids(struct iqn_manifest *m, iqn_manifest_error_fn on_error, void *ctx, struct iqn_error *err)
{
    char msg[MSG_MAX];
    size_t n = 0;
    size_t *v = malloc((m->n ? m->n : 1) * sizeof *v);
    if (!v)
        return iqn_error_set(err, IQN_ENOMEM, "out of memory");
    for (size_t i = 0; i < m->n; i++)
        if (!m->rows[i].bad && m->rows[i].val[IQN_F_ID])
            v[n++] = i;
    qsort(v, n, sizeof *v, by_id);
    for (size_t k = 1; k < n; k++) {
        struct iqn_manifest_row *first = &m->rows[v[k - 1]], *r = &m->rows[v[k]];
        if (strcmp(first->val[IQN_F_ID], r->val[IQN_F_ID]) != 0)
            continue;
        snprintf(msg, sizeof msg, "id '%s' is already given on line %ld", r->val[IQN_F_ID], first->line);
        r->bad = 1;
        if (on_error)
            on_error(ctx, r->line, msg);
        v[k] = v[k - 1]; /* compare the next one with the first row too */
    }
    free(v);
    return IQN_OK;
}

/* Read the header row: the field of each column (IQN_F_COUNT for path). */
static int read_header(struct csv *c, const char *path, int *col, size_t *ncol, struct iqn_error *err)
{
    char msg[MSG_MAX];
    long start = 1;
    int r = csv_row(c, &start, msg, sizeof msg);
    if (r == 0)
        return iqn_error_set(err, IQN_EINVAL, "%s:1: empty manifest (the first row must name the columns)", path);
    if (r < 0)
        return iqn_error_set(err, IQN_EINVAL, "%s:%ld: %s", path, start, msg);
    int have_path = 0, seen[IQN_F_COUNT + 1] = {0};
    for (size_t i = 0; i < c->nfields; i++) {
        char *name = trim(c->fields[i]);
        for (char *q = name; *q; q++)
            if (*q >= 'A' && *q <= 'Z')
                *q = (char)(*q - 'A' + 'a');
        int f = strcmp(name, "path") == 0 ? IQN_F_COUNT : iqn_field_lookup(name, strlen(name));
        if (f < 0 || f == IQN_F_BODY)
            return iqn_error_set(err, IQN_EINVAL, "%s:%ld: unknown column '%.64s' (path, id, type, lang, title, "
                                 "province, profession, topic, date, organization, author, url, summary, ...)",
                                 path, start, name);
        if (seen[f]++)
            return iqn_error_set(err, IQN_EINVAL, "%s:%ld: column '%.64s' given twice", path, start, name);
        have_path |= f == IQN_F_COUNT;
        col[i] = f;
    }
    if (!have_path)
        return iqn_error_set(err, IQN_EINVAL, "%s:%ld: no 'path' column", path, start);
    *ncol = c->nfields;
    return IQN_OK;
}

static int push_row(struct iqn_manifest *m, struct iqn_manifest_row *row)
{
    if (m->n == m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 64;
        struct iqn_manifest_row *v = realloc(m->rows, ncap * sizeof *v);
        if (!v)
            return -1;
        m->rows = v;
        m->cap = ncap;
    }
    m->rows[m->n++] = *row;
    memset(row, 0, sizeof *row);
    return 0;
}

/* Read one data row (already split) into row; msg set and -1 when it is bad. */
static int read_row(struct csv *c, const char *dir, const int *col, size_t ncol, const struct iqn_vocab *vocab,
                    struct iqn_manifest_row *row, char *msg, size_t msglen)
{
    int rc = 0;
    /* The path first, so that even a bad row tells which file it was for. */
    for (size_t i = 0; i < ncol && i < c->nfields; i++)
        if (col[i] == IQN_F_COUNT && check_path(dir, c->fields[i], row, msg, msglen) != 0)
            rc = -1;
    if (rc != 0)
        return -1;
    if (c->nfields != ncol) {
        snprintf(msg, msglen, "%zu fields, the header has %zu", c->nfields, ncol);
        return -1;
    }
    for (size_t i = 0; i < ncol; i++)
        if (col[i] != IQN_F_COUNT && check_cell(vocab, (enum iqn_field)col[i], c->fields[i], row, msg, msglen) != 0)
            return -1;
    return 0;
}

/* Read and check the manifest; see manifest.h. */
int iqn_manifest_load(const char *path, const struct iqn_vocab *vocab, iqn_manifest_error_fn on_error, void *ctx,
                      struct iqn_manifest **out, struct iqn_error *err)
{
    struct iqn_input in = {0};
    struct iqn_input_limits lim = {IQN_MANIFEST_MAX, IQN_MANIFEST_MAX};
    struct iqn_manifest *m = NULL;
    struct iqn_manifest_row row = {0};
    struct csv c = {0};
    struct iqn_error e;
    char msg[MSG_MAX];
    char *dir = NULL;
    int col[IQN_MANIFEST_COLUMNS_MAX];
    size_t ncol = 0;
    int rc;

    *out = NULL;
    iqn_buf_init(&c.field, IQN_MANIFEST_FIELD_MAX);
    if (iqn_input_read(path, &lim, &in, &e) != IQN_OK) {
        rc = iqn_error_set(err, e.code, "%s: %s", path, e.message);
        goto fail;
    }
    m = calloc(1, sizeof *m);
    dir = folder_of(path);
    if (!m || !dir) {
        rc = iqn_error_set(err, IQN_ENOMEM, "out of memory");
        goto fail;
    }
    c.p = in.data;
    c.end = in.data + in.len;
    c.line = 1;
    if (in.len >= 3 && memcmp(in.data, "\xef\xbb\xbf", 3) == 0)
        c.p += 3;
    rc = read_header(&c, path, col, &ncol, err);
    if (rc != IQN_OK)
        goto fail;
    for (;;) {
        long start = c.line;
        int r = csv_row(&c, &start, msg, sizeof msg);
        if (r == 0)
            break;
        if (r > 0 && read_row(&c, dir, col, ncol, vocab, &row, msg, sizeof msg) == 0) {
            row.hash = row_hash(&row);
        } else {
            row.bad = 1;
            if (on_error)
                on_error(ctx, start, msg);
        }
        row.line = start;
        if (!row.bad || row.abs) {
            if (push_row(m, &row) != 0) {
                rc = iqn_error_set(err, IQN_ENOMEM, "out of memory");
                goto fail;
            }
        }
        row_clear(&row);
    }
    /* Index the rows by absolute path (a bad row too: its file is then not imported); a path or
     * an id given twice is an error on the later row. */
    m->by_abs = malloc((m->n ? m->n : 1) * sizeof *m->by_abs);
    if (!m->by_abs) {
        rc = iqn_error_set(err, IQN_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < m->n; i++)
        m->by_abs[m->nby++] = i;
    sort_ctx = m;
    qsort(m->by_abs, m->nby, sizeof *m->by_abs, by_abs);
    size_t keep = 0;
    for (size_t k = 0; k < m->nby; k++) {
        struct iqn_manifest_row *r = &m->rows[m->by_abs[k]];
        if (keep > 0 && strcmp(m->rows[m->by_abs[keep - 1]].abs, r->abs) == 0) {
            snprintf(msg, sizeof msg, "path '%.300s' is already given on line %ld", r->rel,
                     m->rows[m->by_abs[keep - 1]].line);
            r->bad = 1;
            if (on_error)
                on_error(ctx, r->line, msg);
            continue;
        }
        m->by_abs[keep++] = m->by_abs[k];
    }
    m->nby = keep;
    rc = check_ids(m, on_error, ctx, err);
    sort_ctx = NULL;
    if (rc != IQN_OK)
        goto fail;
    *out = m;
    m = NULL;
    rc = IQN_OK;
fail:
    csv_clear_row(&c);
    iqn_buf_free(&c.field);
    row_clear(&row);
    iqn_input_free(&in);
    free(dir);
    iqn_manifest_free(m);
    return rc;
}

/* Free; see manifest.h. */
void iqn_manifest_free(struct iqn_manifest *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        row_clear(&m->rows[i]);
    free(m->rows);
    free(m->by_abs);
    free(m);
}

/* Lookup; see manifest.h. */
const struct iqn_manifest_row *iqn_manifest_find(const struct iqn_manifest *m, const char *abs)
{
    if (!m)
        return NULL;
    long i = find_index(m, abs);
    return i >= 0 ? &m->rows[i] : NULL;
}

/* Count; see manifest.h. */
size_t iqn_manifest_size(const struct iqn_manifest *m)
{
    return m ? m->n : 0;
}

/* The i-th row; see manifest.h. */
const struct iqn_manifest_row *iqn_manifest_at(const struct iqn_manifest *m, size_t i)
{
    return m && i < m->n ? &m->rows[i] : NULL;
}
