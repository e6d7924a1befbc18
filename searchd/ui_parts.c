/* ui_parts.c - record links, dates, labels and result items shared by the web pages. */
#include "ui_parts.h"

#include <string.h>

#include "ui_i18n.h"

#define SUMMARY_CUT 320 /* bytes of a summary shown in place of a missing snippet */

/* /en/records/ID */
int iqn_ui_record_url(struct iqn_buf *u, int lang, const char *id)
{
    iqn_buf_adds(u, iqn_ui_path(lang, IQN_ROUTE_RECORD));
    return iqn_url_segment(u, id ? id : "");
}

/* href to a record page. */
void iqn_ui_record_href(struct iqn_html *h, int lang, const char *id)
{
    struct iqn_buf u;
    iqn_buf_init(&u, 1024);
    iqn_ui_record_url(&u, lang, id);
    IQN_HTML_ATTR(h, "href", u.data ? u.data : "");
    iqn_buf_free(&u);
}

/* <time> with the machine-readable date, the written-out date inside. */
void iqn_ui_time(struct iqn_html *h, int lang, const char *iso)
{
    char text[64], machine[11];
    if (!iso)
        return;
    if (iqn_ui_date(lang, iso, text, sizeof text) != 0) {
        iqn_html_text(h, iso);
        return;
    }
    size_t n = strlen(iso);
    n = n > 10 ? 10 : n;
    memcpy(machine, iso, n);
    machine[n] = '\0';
    IQN_HTML(h, "<time");
    IQN_HTML_ATTR(h, "datetime", machine);
    IQN_HTML(h, ">");
    iqn_html_text(h, text);
    IQN_HTML(h, "</time>");
}

/* A code's label. */
const char *iqn_ui_label(const struct iqn_vocab *vocab, int set, const char *code, int lang)
{
    const struct iqn_vocab_entry *e = iqn_vocab_find(vocab, set, code);
    return e ? e->label[lang == IQN_LANG_FR ? IQN_LANG_FR : IQN_LANG_EN] : code;
}

/* lang="xx" on content in the other language than the page. */
void iqn_ui_content_lang(struct iqn_html *h, const struct iqn_record *r, int page_lang)
{
    int rl = iqn_lang_parse(iqn_record_get(r, IQN_F_LANG));
    if (rl >= 0 && rl != page_lang)
        IQN_HTML_ATTR(h, "lang", iqn_ui_code(rl));
}

/* The first SUMMARY_CUT bytes of s, cut after a whole character, with an ellipsis if cut. */
static void summary_start(struct iqn_html *h, const char *s)
{
    size_t len = strlen(s);
    if (len <= SUMMARY_CUT) {
        iqn_html_text(h, s);
        return;
    }
    size_t boundary = SUMMARY_CUT, cut;
    while (boundary > 0 && ((unsigned char)s[boundary] & 0xC0) == 0x80)
        boundary--; /* not inside a character */
    cut = boundary;
    while (cut > 0 && s[cut - 1] != ' ')
        cut--; /* end on a word boundary */
    iqn_html_textn(h, s, cut > 1 ? cut - 1 : boundary);
    IQN_HTML(h, " …");
}

static void badges(struct iqn_html *h, const struct iqn_vocab *vocab, int lang, const struct iqn_record *r)
{
    static const int facets[] = {IQN_FACET_PROVINCE, IQN_FACET_PROFESSION, IQN_FACET_TOPIC};
    size_t total = 0;
    for (size_t k = 0; k < sizeof facets / sizeof facets[0]; k++)
        total += r->f[iqn_facets[facets[k]].field].n;
    if (total == 0)
        return;
    IQN_HTML(h, "<ul class=\"badges\">");
    for (size_t k = 0; k < sizeof facets / sizeof facets[0]; k++) {
        int f = facets[k];
        const struct iqn_strlist *l = &r->f[iqn_facets[f].field];
        for (size_t i = 0; i < l->n; i++) {
            if (f == IQN_FACET_PROVINCE)
                IQN_HTML(h, "<li class=\"badge badge-province\">");
            else if (f == IQN_FACET_PROFESSION)
                IQN_HTML(h, "<li class=\"badge badge-profession\">");
            else
                IQN_HTML(h, "<li class=\"badge badge-topic\">");
            IQN_HTML(h, "<span class=\"visually-hidden\">");
            iqn_html_text(h, iqn_ui_facet(lang, f));
            iqn_html_text(h, iqn_ui_t(lang, IQN_T_COLON));
            IQN_HTML(h, "</span>");
            iqn_html_text(h, iqn_ui_label(vocab, f, l->v[i], lang));
            IQN_HTML(h, "</li>");
        }
    }
    IQN_HTML(h, "</ul>\n");
}

/* One result item. */
void iqn_ui_hit(struct iqn_html *h, const struct iqn_vocab *vocab, int lang, const struct iqn_hit *hit, int level)
{
    const struct iqn_record *r = hit->record;
    const char *id = iqn_record_get(r, IQN_F_ID);
    const char *title = iqn_record_get(r, IQN_F_TITLE);
    const char *type = iqn_record_get(r, IQN_F_TYPE);
    const char *date = iqn_record_get(r, IQN_F_DATE);
    const char *org = iqn_record_get(r, IQN_F_ORGANIZATION);
    const char *summary = iqn_record_get(r, IQN_F_SUMMARY);
    IQN_HTML(h, "<li class=\"result\">\n");
    if (level == 2)
        IQN_HTML(h, "<h2 class=\"result-title\"><a");
    else
        IQN_HTML(h, "<h3 class=\"result-title\"><a");
    iqn_ui_record_href(h, lang, id);
    iqn_ui_content_lang(h, r, lang);
    IQN_HTML(h, ">");
    iqn_html_text(h, title && *title ? title : id);
    if (level == 2)
        IQN_HTML(h, "</a></h2>\n");
    else
        IQN_HTML(h, "</a></h3>\n");
    IQN_HTML(h, "<p class=\"result-meta\">");
    int sep = 0;
    if (type) {
        IQN_HTML(h, "<span class=\"result-type\">");
        iqn_html_text(h, iqn_ui_label(vocab, IQN_FACET_TYPE, type, lang));
        IQN_HTML(h, "</span>");
        sep = 1;
    }
    if (date) {
        if (sep)
            IQN_HTML(h, "<span class=\"sep\" aria-hidden=\"true\"> · </span>");
        iqn_ui_time(h, lang, date);
        sep = 1;
    }
    if (org) {
        if (sep)
            IQN_HTML(h, "<span class=\"sep\" aria-hidden=\"true\"> · </span>");
        IQN_HTML(h, "<span class=\"result-org\"");
        iqn_ui_content_lang(h, r, lang);
        IQN_HTML(h, ">");
        iqn_html_text(h, org);
        IQN_HTML(h, "</span>");
    }
    IQN_HTML(h, "</p>\n");
    if ((hit->snippet && *hit->snippet) || summary) {
        IQN_HTML(h, "<p class=\"result-snippet\"");
        iqn_ui_content_lang(h, r, lang);
        IQN_HTML(h, ">");
        if (hit->snippet && *hit->snippet)
            iqn_html_snippet(h, hit->snippet);
        else
            summary_start(h, summary);
        IQN_HTML(h, "</p>\n");
    }
    badges(h, vocab, lang, r);
    IQN_HTML(h, "</li>\n");
}
