/* extract_odt.c - ODT: paragraphs and headings of office:body in content.xml (spans, spaces, tabs
 * and line breaks), title, author, dates, language and description from meta.xml. */
#include "extract_odt.h"

#include <stdlib.h>
#include <string.h>

#include "extract_util.h"
#include "extract_zip.h"

#define NS_OFFICE "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
#define NS_TEXT "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
#define NS_META "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
#define NS_TABLE "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
#define NS_DC "http://purl.org/dc/elements/1.1/"

/* Elements whose content is not body text: deleted text kept for change tracking, comments,
 * the number of a footnote (its body is kept). */
static int skipped(const struct iqn_ex_node *n)
{
    return iqn_ex_xml_is(n, NS_TEXT, "tracked-changes") || iqn_ex_xml_is(n, NS_OFFICE, "annotation") ||
           iqn_ex_xml_is(n, NS_TEXT, "note-citation");
}

/* Elements that end a paragraph. */
static int block(const struct iqn_ex_node *n)
{
    return iqn_ex_xml_is(n, NS_TEXT, "p") || iqn_ex_xml_is(n, NS_TEXT, "h") ||
           iqn_ex_xml_is(n, NS_TEXT, "list-item") || iqn_ex_xml_is(n, NS_TABLE, "table-cell") ||
           iqn_ex_xml_is(n, NS_TABLE, "table-row");
}

/* Reading content.xml: the text so far, and where office:body is. */
struct content_state {
    struct iqn_textb *t;
    int body; /* depth of office:body once inside it, -1 before */
};

static enum iqn_ex_visit visit_content(const struct iqn_ex_node *n, void *ctx)
{
    struct content_state *st = ctx;
    struct iqn_textb *t = st->t;
    const char *text = iqn_ex_xml_text(n);
    if (st->body < 0) { /* styles, fonts and scripts come before the body: no text there */
        if (n->type == XML_READER_TYPE_ELEMENT && !n->empty && iqn_ex_xml_is(n, NS_OFFICE, "body"))
            st->body = n->depth;
        return IQN_EX_NEXT;
    }
    if (n->type == XML_READER_TYPE_ELEMENT) {
        if (skipped(n))
            return IQN_EX_SKIP_SUBTREE;
        if (iqn_ex_xml_is(n, NS_TEXT, "s") || iqn_ex_xml_is(n, NS_TEXT, "tab"))
            iqn_textb_break(t, IQN_EX_SPACE);
        else if (iqn_ex_xml_is(n, NS_TEXT, "line-break"))
            iqn_textb_break(t, IQN_EX_LINE);
        else if (n->empty && block(n))
            iqn_textb_break(t, IQN_EX_PARA);
    } else if (n->type == XML_READER_TYPE_END_ELEMENT) {
        if (n->depth == st->body)
            return IQN_EX_STOP;
        if (block(n))
            iqn_textb_break(t, IQN_EX_PARA);
    } else if (text) {
        iqn_textb_add(t, text, strlen(text), 0);
    }
    return IQN_EX_NEXT;
}

static int walk_content(const char *xml, size_t len, struct iqn_textb *t, struct iqn_error *err)
{
    struct content_state st = {t, -1};
    return iqn_ex_xml_walk(xml, len, "content.xml", visit_content, &st, err);
}

/* meta.xml: what fills which field; for each field the first one present wins. */
static const struct iqn_ex_meta meta_map[] = {
    {NS_DC, "title", IQN_EX_TITLE},            {NS_META, "initial-creator", IQN_EX_AUTHOR},
    {NS_DC, "creator", IQN_EX_AUTHOR},         {NS_META, "creation-date", IQN_EX_DATE},
    {NS_DC, "date", IQN_EX_DATE},              {NS_DC, "language", IQN_EX_LANG},
    {NS_DC, "description", IQN_EX_SUMMARY},    {NS_DC, "subject", IQN_EX_SUMMARY},
};

/* 1 if the manifest says content.xml is encrypted (a password-protected document). */
static int encrypted(struct iqn_ex_zip *z)
{
    struct iqn_error ignored;
    char *xml = NULL;
    size_t len;
    if (iqn_ex_zip_read(z, "META-INF/manifest.xml", &xml, &len, &ignored) != IQN_OK)
        return 0;
    int yes = strstr(xml, "encryption-data") != NULL;
    free(xml);
    return yes;
}

int iqn_ex_odt(const char *data, size_t len, struct iqn_extracted *out, struct iqn_error *err)
{
    struct iqn_ex_zip *z = NULL;
    struct iqn_textb t;
    char *xml = NULL;
    size_t xlen;
    int rc;

    iqn_textb_init(&t, IQN_EXTRACT_TEXT_MAX);
    rc = iqn_ex_zip_open(data, len, "ODT", &z, err);
    if (rc != IQN_OK)
        goto fail;
    if (encrypted(z)) {
        rc = iqn_error_set(err, IQN_EINVAL, "ODT is encrypted");
        goto fail;
    }
    rc = iqn_ex_zip_read(z, "content.xml", &xml, &xlen, err);
    if (rc != IQN_OK)
        goto fail;
    rc = walk_content(xml, xlen, &t, err);
    if (rc != IQN_OK)
        goto fail;
    /* Metadata is a bonus: a damaged meta.xml does not cost the text. */
    struct iqn_error meta_err;
    iqn_ex_zip_meta(z, "meta.xml", meta_map, sizeof meta_map / sizeof meta_map[0], out, &meta_err);
    rc = iqn_textb_take(&t, &out->text, &out->text_len, err);
fail:
    free(xml);
    iqn_textb_free(&t);
    iqn_ex_zip_close(z);
    return rc;
}
