/* document.c - a document's record: merged metadata, derived id, bounded body. */
#include "document.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "text.h"

#define ID_HASHED_KEEP 119 /* bytes kept of a too-long id before '-' and 8 hex digits */

static int id_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

/* Derive an id from a relative path; see document.h. */
void iqn_document_id(const char *rel, char *out, size_t outlen)
{
    struct iqn_buf folded, id;
    iqn_buf_init(&folded, (size_t)64 * 1024);
    iqn_buf_init(&id, (size_t)64 * 1024);
    const char *src = rel;
    size_t srclen = strlen(rel);
    if (iqn_text_fold(rel, srclen, 0, &folded) == 0 && !iqn_buf_failed(&folded) && folded.data) {
        src = folded.data;
        srclen = folded.len;
    }
    int gap = 0;
    for (size_t i = 0; i < srclen; i++) {
        unsigned char c = (unsigned char)src[i];
        if (id_char(c)) {
            if (gap && id.len > 0)
                iqn_buf_addc(&id, '_');
            gap = 0;
            if (id.len == 0 && (c == '.' || c == '_' || c == '-'))
                continue;
            iqn_buf_addc(&id, (char)c);
        } else {
            gap = 1;
        }
    }
    const char *s = id.len > 0 && !iqn_buf_failed(&id) ? id.data : "doc";
    size_t n = strlen(s);
    if (n <= IQN_ID_MAX)
        snprintf(out, outlen, "%s", s);
    else
        snprintf(out, outlen, "%.*s-%08llx", ID_HASHED_KEEP, s, iqn_hash64(rel, strlen(rel), 0) & 0xffffffffULL);
    iqn_buf_free(&folded);
    iqn_buf_free(&id);
}

/* Id syntax; see document.h. */
int iqn_document_id_valid(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > IQN_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!id_char((unsigned char)id[i]))
            return 0;
    return 1;
}

/* base-n; see document.h. */
void iqn_document_id_variant(const char *base, unsigned n, char *out, size_t outlen)
{
    char suffix[16];
    snprintf(suffix, sizeof suffix, "-%u", n);
    size_t keep = strlen(base);
    if (keep + strlen(suffix) > IQN_ID_MAX)
        keep = IQN_ID_MAX - strlen(suffix);
    snprintf(out, outlen, "%.*s%s", (int)keep, base, suffix);
}

/* Length of s cut to at most max bytes on a UTF-8 character boundary. */
static size_t cut_len(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}

/* Add a single value, cut to the field's limit. */
static int add_text(struct iqn_record *r, enum iqn_field f, const char *s, struct iqn_error *err)
{
    if (!s || !s[0])
        return IQN_OK;
    size_t n = cut_len(s, strlen(s), iqn_fields[f].max_len);
    return iqn_record_add(r, f, s, n, err);
}

/* Add the ';'-separated codes of a facet field. */
static int add_codes(struct iqn_record *r, enum iqn_field f, const char *codes, struct iqn_error *err)
{
    const char *p = codes;
    while (p && *p) {
        const char *semi = strchr(p, ';');
        size_t n = semi ? (size_t)(semi - p) : strlen(p);
        if (n > 0) {
            int rc = iqn_record_add(r, f, p, n, err);
            if (rc != IQN_OK)
                return rc;
        }
        p = semi ? semi + 1 : NULL;
    }
    return IQN_OK;
}

static const char *pick(const struct iqn_doc_meta *m, enum iqn_field f)
{
    return m && m->val[f] && m->val[f][0] ? m->val[f] : NULL;
}

/* The file name of rel without its extension (and without ".gz"), into out. */
static void title_from_name(const char *rel, char *out, size_t outlen)
{
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    size_t n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".gz") == 0)
        n -= 3;
    size_t dot = n;
    while (dot > 0 && base[dot - 1] != '.')
        dot--;
    if (dot > 1)
        n = dot - 1;
    n = cut_len(base, n, outlen - 1);
    memcpy(out, base, n);
    out[n] = '\0';
}

/* Build the record; see document.h. */
int iqn_document_record(const struct iqn_extracted *x, const struct iqn_doc_meta *row,
                        const struct iqn_doc_meta *flags, const char *rel, const char *path, struct iqn_record *r,
                        int *cut, struct iqn_error *err)
{
    char id[IQN_ID_MAX + 1];
    char title[2048];
    char datekey[9];
    int rc;

    *cut = 0;
    iqn_record_clear(r);
    if (pick(row, IQN_F_ID))
        snprintf(id, sizeof id, "%s", pick(row, IQN_F_ID));
    else
        iqn_document_id(rel, id, sizeof id);
    rc = iqn_record_add(r, IQN_F_ID, id, strlen(id), err);
    if (rc != IQN_OK)
        return rc;

    const char *type = pick(row, IQN_F_TYPE) ? pick(row, IQN_F_TYPE) : pick(flags, IQN_F_TYPE);
    rc = add_text(r, IQN_F_TYPE, type ? type : "report", err);

    const char *lang = pick(row, IQN_F_LANG);
    if (!lang && x->lang && (strcmp(x->lang, "en") == 0 || strcmp(x->lang, "fr") == 0))
        lang = x->lang;
    if (!lang)
        lang = pick(flags, IQN_F_LANG);
    if (!lang && x->text)
        lang = iqn_detect_lang(x->text, x->text_len);
    if (rc == IQN_OK)
        rc = add_text(r, IQN_F_LANG, lang ? lang : "en", err);

    const char *t = pick(row, IQN_F_TITLE) ? pick(row, IQN_F_TITLE) : x->title;
    if (!t || !t[0]) {
        title_from_name(rel, title, sizeof title);
        t = title[0] ? title : id;
    }
    if (rc == IQN_OK)
        rc = add_text(r, IQN_F_TITLE, t, err);

    const char *summary = pick(row, IQN_F_SUMMARY) ? pick(row, IQN_F_SUMMARY) : x->summary;
    if (rc == IQN_OK)
        rc = add_text(r, IQN_F_SUMMARY, summary, err);
    const char *author = pick(row, IQN_F_AUTHOR) ? pick(row, IQN_F_AUTHOR) : x->author;
    if (rc == IQN_OK)
        rc = add_text(r, IQN_F_AUTHOR, author, err);
    const char *date = pick(row, IQN_F_DATE);
    if (!date && x->date && iqn_date_key(x->date, 0, datekey) == IQN_OK)
        date = x->date; /* a document's own date that is not a real date is left out */
    if (rc == IQN_OK)
        rc = add_text(r, IQN_F_DATE, date, err);

    static const enum iqn_field facets[] = {IQN_F_PROVINCE, IQN_F_PROFESSION, IQN_F_TOPIC};
    for (size_t i = 0; rc == IQN_OK && i < sizeof facets / sizeof facets[0]; i++) {
        const char *codes = pick(row, facets[i]) ? pick(row, facets[i]) : pick(flags, facets[i]);
        rc = add_codes(r, facets[i], codes, err);
    }
    const char *org = pick(row, IQN_F_ORGANIZATION) ? pick(row, IQN_F_ORGANIZATION) : pick(flags, IQN_F_ORGANIZATION);
    if (rc == IQN_OK)
        rc = add_text(r, IQN_F_ORGANIZATION, org, err);
    /* The rest comes only from the manifest. */
    static const enum iqn_field rest[] = {IQN_F_PAIR, IQN_F_URL, IQN_F_STATUS, IQN_F_CONTACT, IQN_F_RESULTS,
                                          IQN_F_LESSONS};
    for (size_t i = 0; rc == IQN_OK && i < sizeof rest / sizeof rest[0]; i++)
        rc = add_text(r, rest[i], pick(row, rest[i]), err);
    const char *source = pick(row, IQN_F_SOURCE) ? pick(row, IQN_F_SOURCE) : path;
    if (rc == IQN_OK && iqn_utf8_valid(source, strlen(source)))
        rc = add_text(r, IQN_F_SOURCE, source, err);

    if (rc == IQN_OK && x->text && x->text_len > 0) {
        size_t n = cut_len(x->text, x->text_len, IQN_BODY_MAX);
        *cut = n < x->text_len;
        rc = iqn_record_add(r, IQN_F_BODY, x->text, n, err);
    }
    return rc;
}
