/* api_documents.c - GET /api/v1/documents/{id}: the whole record, body included, with the
 * labels of its codes in the requested UI language. */
#include "api_documents.h"

#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "params.h"
#include "record.h"
#include "vocab.h"

#define DOCUMENT_JSON_MAX (64u * 1024 * 1024) /* an 8 MiB body, escaped, and the rest */


/* "name":{"CODE":"Label",...} for the codes of field f found in vocabulary set. */
static void labels_json(struct iqn_buf *b, const struct iqn_vocab *vocab, int set, const char *name,
                        const struct iqn_record *r, enum iqn_field f, int lang)
{
    const struct iqn_strlist *l = &r->f[f];
    int first = 1;
    iqn_buf_json_strz(b, name);
    iqn_buf_adds(b, ":{");
    for (size_t i = 0; i < l->n; i++) {
        const struct iqn_vocab_entry *e = iqn_vocab_find(vocab, set, l->v[i]);
        if (!e)
            continue; /* a code kept unknown: the UI shows the code itself */
        if (!first)
            iqn_buf_addc(b, ',');
        first = 0;
        iqn_buf_json_strz(b, l->v[i]);
        iqn_buf_addc(b, ':');
        iqn_buf_json_strz(b, e->label[lang]);
    }
    iqn_buf_addc(b, '}');
}

/* Validate the id and ui_lang, fetch the record, answer it with its labels (404 if absent). */
enum MHD_Result iqn_api_document(struct iqn_request *req, const char *id)
{
    struct iqn_param_error pe;
    struct iqn_error err;
    struct iqn_db *db = NULL;
    struct iqn_record *r = NULL;
    struct iqn_buf b;
    enum MHD_Result rc;
    int lang = IQN_LANG_EN;
    iqn_buf_init(&b, DOCUMENT_JSON_MAX);
    iqn_error_clear(&err);
    if (iqn_params_only_ui_lang(req->conn, &lang, &pe) != 0) {
        rc = iqn_http_bad_param(req, &pe);
        goto out;
    }
    if (!iqn_record_valid_id(id)) {
        rc = iqn_http_error(req, MHD_HTTP_BAD_REQUEST, "bad_parameter", "id",
                            "id: must be 1 to %d letters, digits, '.', '_' or '-'", IQN_ID_MAX);
        goto out;
    }
    if (iqn_http_db(req, &db, &err) != IQN_OK) {
        rc = iqn_http_unavailable(req, &err);
        goto out;
    }
    int got = iqn_db_get(db, id, &r, &err);
    if (got == IQN_ENOTFOUND) {
        rc = iqn_http_error(req, MHD_HTTP_NOT_FOUND, "not_found", NULL, "no record with id '%s'", id);
        goto out;
    }
    if (got != IQN_OK) {
        rc = iqn_http_fail(req, &err);
        goto out;
    }
    iqn_buf_adds(&b, "{\"record\":");
    iqn_record_to_json(r, 1, &b);
    iqn_buf_addf(&b, ",\"ui_lang\":\"%s\",\"labels\":{", iqn_ui_lang_name(lang));
    for (int f = 0; f < IQN_FACET_COUNT; f++) {
        labels_json(&b, req->srv->vocab, f, iqn_facets[f].name, r, iqn_facets[f].field, lang);
        iqn_buf_addc(&b, ',');
    }
    labels_json(&b, req->srv->vocab, IQN_VOCAB_STATUS, "status", r, IQN_F_STATUS, lang);
    iqn_buf_adds(&b, "}}\n");
    rc = iqn_http_reply(req, MHD_HTTP_OK, IQN_JSON_TYPE, &b);
out:
    iqn_record_free(r);
    iqn_buf_free(&b);
    return rc;
}
