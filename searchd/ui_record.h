/* ui_record.h - the record page: /en/records/{id} and /fr/dossiers/{id}. */
#ifndef IQN_UI_RECORD_H
#define IQN_UI_RECORD_H

#include <microhttpd.h>

struct iqn_request;

/* Answer record id's page in lang (enum iqn_lang): 404 page when there is no such record. */
enum MHD_Result iqn_ui_record(struct iqn_request *req, int lang, const char *id);

#endif
