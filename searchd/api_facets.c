/* api_facets.c - GET /api/v1/facets: every facet vocabulary, in file order, with both labels
 * and the label in the requested UI language. */
#include "api_facets.h"

#include <stdlib.h>

#include "http.h"
#include "params.h"
#include "vocab.h"


/* Every vocabulary of a facet, in file order, labelled in ui_lang and in both languages. */
enum MHD_Result iqn_api_facets(struct iqn_request *req)
{
    struct iqn_param_error pe;
    struct iqn_buf b;
    enum MHD_Result rc;
    int lang = IQN_LANG_EN;
    const struct iqn_vocab *v = req->srv->vocab;
    iqn_buf_init(&b, IQN_JSON_MAX);
    if (iqn_params_only_ui_lang(req->conn, &lang, &pe) != 0) {
        rc = iqn_http_bad_param(req, &pe);
        goto out;
    }
    iqn_buf_addc(&b, '{');
    for (int f = 0; f < IQN_FACET_COUNT; f++) {
        iqn_buf_addf(&b, "%s\"%s\":[", f ? "," : "", iqn_facets[f].name);
        for (size_t i = 0; i < iqn_vocab_size(v, f); i++) {
            const struct iqn_vocab_entry *e = iqn_vocab_at(v, f, i);
            size_t len = 0;
            const char *open = iqn_vocab_json(v, f, e, lang, &len); /* {"value":..,"label":.. */
            if (i)
                iqn_buf_addc(&b, ',');
            iqn_buf_add(&b, open, len);
            iqn_buf_adds(&b, ",\"label_en\":");
            iqn_buf_json_strz(&b, e->label[IQN_LANG_EN]);
            iqn_buf_adds(&b, ",\"label_fr\":");
            iqn_buf_json_strz(&b, e->label[IQN_LANG_FR]);
            iqn_buf_addc(&b, '}');
        }
        iqn_buf_addc(&b, ']');
    }
    iqn_buf_adds(&b, "}\n");
    rc = iqn_http_reply(req, MHD_HTTP_OK, IQN_JSON_TYPE, &b);
out:
    iqn_buf_free(&b);
    return rc;
}
