/* ui_parts.h - pieces the web pages share: links to record pages, dates in <time>, code labels,
 * and a search hit as a result list item (search results, similar records). */
#ifndef IQN_UI_PARTS_H
#define IQN_UI_PARTS_H

#include "buf.h"
#include "db.h"
#include "html.h"
#include "record.h"
#include "vocab.h"

/* Append the path of record id's page in lang ("/en/records/ID") to u. */
int iqn_ui_record_url(struct iqn_buf *u, int lang, const char *id);
/* href="..." of record id's page in lang. */
void iqn_ui_record_href(struct iqn_html *h, int lang, const char *id);
/* An ISO date as <time datetime="...">March 15, 2021</time> (plain text when it is not a date). */
void iqn_ui_time(struct iqn_html *h, int lang, const char *iso);
/* The label of a code in lang (the code itself when the vocabulary does not know it). */
const char *iqn_ui_label(const struct iqn_vocab *vocab, int set, const char *code, int lang);
/* " lang=\"fr\"" when the record's language is known and differs from the page's. */
void iqn_ui_content_lang(struct iqn_html *h, const struct iqn_record *r, int page_lang);

/* One hit as <li class="result">: title link, type, date, organization, the snippet (or the start
 * of the summary), and province, profession and topic badges. heading is the level of the title
 * ("h3" in results); the tag name comes from a fixed list. */
void iqn_ui_hit(struct iqn_html *h, const struct iqn_vocab *vocab, int lang, const struct iqn_hit *hit, int level);

#endif
