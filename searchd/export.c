/* export.c - format=jsonl and format=csv: every match of a search streamed in chunks of
 * CHUNK hits through an MHD content-reader callback, so memory stays bounded; gzip-compressed on
 * the fly when the client accepts it. */
#include "export.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_search.h"
#include "compress.h"
#include "http.h"
#include "record.h"

#define CHUNK 500
#define BLOCK (32u * 1024)
#define LINE_MAX_BYTES (4u * 1024 * 1024) /* one hit, as JSON or CSV */

static const char csv_header[] = "id,type,lang,title,date,province,profession,topic,organization,url\r\n";

struct export {
    struct iqn_db *db;              /* our own handle: one revision for the whole export */
    struct iqn_query q;             /* with copies of the request's strings */
    char *text;
    const char **codes[IQN_FACET_COUNT];
    char from[9], to[9];
    enum iqn_export_format format;
    unsigned long long max;         /* most hits to send */
    unsigned long long sent;        /* hits formatted so far (= offset of the next chunk) */
    struct iqn_result *res;         /* the current chunk */
    size_t next;                    /* its next hit */
    int last_chunk;
    struct iqn_buf out;             /* bytes formatted and not yet handed to MHD */
    size_t out_pos;
    int gzip;                       /* compress: out is fed to gz, whose output goes to zout */
    int gz_done;
    struct iqn_gzip_stream gz;
    struct iqn_buf zout;
    size_t zout_pos;
};

static void export_free(void *cls)
{
    struct export *e = cls;
    if (!e)
        return;
    iqn_result_free(e->res);
    iqn_db_close(e->db);
    iqn_buf_free(&e->out);
    iqn_gzip_stream_end(&e->gz);
    iqn_buf_free(&e->zout);
    free(e->text);
    for (int f = 0; f < IQN_FACET_COUNT; f++)
        free(e->codes[f]);
    free(e);
}

/* Copy what q points to, so the export does not depend on the request's memory. */
static int copy_query(struct export *e, const struct iqn_query *q)
{
    e->q = *q;
    if (q->text) {
        e->text = strdup(q->text);
        if (!e->text)
            return -1;
        e->q.text = e->text;
    }
    for (int f = 0; f < IQN_FACET_COUNT; f++) {
        if (!q->nfilter[f])
            continue;
        e->codes[f] = malloc(q->nfilter[f] * sizeof *e->codes[f]);
        if (!e->codes[f])
            return -1;
        memcpy(e->codes[f], q->filter[f], q->nfilter[f] * sizeof *e->codes[f]); /* vocabulary strings */
        e->q.filter[f] = e->codes[f];
    }
    if (q->date_from) {
        snprintf(e->from, sizeof e->from, "%s", q->date_from);
        e->q.date_from = e->from;
    }
    if (q->date_to) {
        snprintf(e->to, sizeof e->to, "%s", q->date_to);
        e->q.date_to = e->to;
    }
    e->q.facets = e->q.snippets = e->q.spelling = 0;
    e->q.no_body = 1; /* exports never show bodies: keep memory per chunk small */
    return 0;
}

/* Fetch the chunk starting at e->sent. */
static int next_chunk(struct export *e, struct iqn_error *err)
{
    iqn_result_free(e->res);
    e->res = NULL;
    e->next = 0;
    unsigned long long want = e->max - e->sent;
    if (e->sent > UINT_MAX - CHUNK) {
        e->last_chunk = 1;
        return IQN_OK;
    }
    e->q.offset = (unsigned)e->sent;
    e->q.limit = want < CHUNK ? (unsigned)want : CHUNK;
    int rc = iqn_search(e->db, &e->q, &e->res, err);
    if (rc != IQN_OK)
        return rc;
    if (e->res->nhits < e->q.limit || e->sent + e->res->nhits >= e->max)
        e->last_chunk = 1;
    return IQN_OK;
}

/* One CSV field per RFC 4180: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
static void csv_field(struct iqn_buf *b, const char *s, size_t len)
{
    if (!s || strcspn(s, ",\"\r\n") >= len) {
        if (s)
            iqn_buf_add(b, s, len);
        return;
    }
    iqn_buf_addc(b, '"');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            iqn_buf_addc(b, '"');
        iqn_buf_addc(b, s[i]);
    }
    iqn_buf_addc(b, '"');
}

static void csv_hit(struct iqn_buf *b, const struct iqn_record *r)
{
    static const enum iqn_field cols[] = {IQN_F_ID,       IQN_F_TYPE,       IQN_F_LANG,  IQN_F_TITLE,
                                          IQN_F_DATE,     IQN_F_PROVINCE,   IQN_F_PROFESSION,
                                          IQN_F_TOPIC,    IQN_F_ORGANIZATION, IQN_F_URL};
    struct iqn_buf joined;
    iqn_buf_init(&joined, LINE_MAX_BYTES);
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
        const struct iqn_strlist *l = &r->f[cols[c]];
        if (c)
            iqn_buf_addc(b, ',');
        iqn_buf_reset(&joined);
        for (size_t i = 0; i < l->n; i++) {
            if (i)
                iqn_buf_addc(&joined, ';');
            iqn_buf_adds(&joined, l->v[i]);
        }
        if (iqn_buf_failed(&joined)) {
            b->toobig = 1;
            break;
        }
        csv_field(b, joined.data, joined.len);
    }
    iqn_buf_adds(b, "\r\n");
    iqn_buf_free(&joined);
}

/* Make sure e->out holds unsent bytes: 1 if it does, 0 at the end, -1 on error. */
static int fill(struct export *e)
{
    struct iqn_error err;
    while (e->out_pos >= e->out.len) {
        iqn_buf_reset(&e->out);
        e->out_pos = 0;
        if (e->res && e->next < e->res->nhits && e->sent < e->max) {
            const struct iqn_hit *h = &e->res->hits[e->next++];
            e->sent++;
            if (e->format == IQN_EXPORT_CSV) {
                csv_hit(&e->out, h->record);
            } else {
                iqn_api_hit_json(&e->out, h, 0);
                iqn_buf_addc(&e->out, '\n');
            }
            if (iqn_buf_failed(&e->out)) {
                fprintf(stderr, "iqn-searchd: export: hit %llu is larger than %u bytes; export cut short\n", e->sent,
                        LINE_MAX_BYTES);
                return -1;
            }
            continue;
        }
        if (e->last_chunk || e->sent >= e->max)
            return 0;
        iqn_error_clear(&err);
        if (next_chunk(e, &err) != IQN_OK) {
            fprintf(stderr, "iqn-searchd: export: search at offset %llu failed: %s; export cut short\n", e->sent,
                    err.message);
            return -1;
        }
        if (!e->res || e->res->nhits == 0)
            return 0;
    }
    return 1;
}

/* Make sure e->zout holds unsent compressed bytes: 1 if it does, 0 at the end, -1 on error. */
static int fill_gzip(struct export *e)
{
    while (e->zout_pos >= e->zout.len) {
        iqn_buf_reset(&e->zout);
        e->zout_pos = 0;
        if (e->gz_done)
            return 0;
        int rc = fill(e);
        if (rc < 0)
            return -1;
        const char *in = rc ? e->out.data + e->out_pos : "";
        size_t n = rc ? e->out.len - e->out_pos : 0;
        if (iqn_gzip_stream_write(&e->gz, in, n, rc == 0, &e->zout) != 0)
            return -1;
        e->out_pos += n;
        e->gz_done = rc == 0;
    }
    return 1;
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct export *e = cls;
    (void)pos;
    int rc = e->gzip ? fill_gzip(e) : fill(e);
    if (rc <= 0)
        return rc == 0 ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
    struct iqn_buf *src = e->gzip ? &e->zout : &e->out;
    size_t *at = e->gzip ? &e->zout_pos : &e->out_pos;
    size_t n = src->len - *at;
    if (n > max)
        n = max;
    memcpy(buf, src->data + *at, n);
    *at += n;
    return (ssize_t)n;
}

/* Open a handle, fetch the first chunk (errors get their status now), queue the stream. */
enum MHD_Result iqn_export_start(struct iqn_request *req, const struct iqn_query *q, enum iqn_export_format format)
{
    struct iqn_error err;
    struct export *e = calloc(1, sizeof *e);
    iqn_error_clear(&err);
    if (!e)
        return MHD_NO;
    iqn_buf_init(&e->out, LINE_MAX_BYTES);
    iqn_buf_init(&e->zout, LINE_MAX_BYTES + 65536);
    e->gzip = iqn_gzip_accepted(req->conn) && iqn_gzip_stream_init(&e->gz) == 0;
    e->format = format;
    e->max = req->srv->cfg->max_export ? req->srv->cfg->max_export : ~0ull;
    if (copy_query(e, q) != 0) {
        export_free(e);
        return MHD_NO;
    }
    if (iqn_db_open(req->srv->cfg->db, IQN_DB_READ, &e->db, &err) != IQN_OK) {
        export_free(e);
        return iqn_http_unavailable(req, &err);
    }
    /* The first chunk now, so a failing search still gets its proper status. */
    if (next_chunk(e, &err) != IQN_OK) {
        export_free(e);
        return iqn_http_fail(req, &err);
    }
    if (format == IQN_EXPORT_CSV)
        iqn_buf_add(&e->out, csv_header, sizeof csv_header - 1);
    struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, BLOCK, reader, e, export_free);
    if (!resp) {
        export_free(e);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    if (e->gzip)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    char total[32];
    snprintf(total, sizeof total, "%llu", e->res ? e->res->total : 0ull);
    MHD_add_response_header(resp, "X-Total-Count", total); /* every match, before max_export */
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION,
                            format == IQN_EXPORT_CSV ? "attachment; filename=\"iqn-search.csv\""
                                                     : "attachment; filename=\"iqn-search.jsonl\"");
    return iqn_http_queue(req, MHD_HTTP_OK, resp,
                          format == IQN_EXPORT_CSV ? "text/csv; charset=utf-8" : "application/x-ndjson");
}
