/* extract_docx.c - DOCX: paragraphs (w:p) of w:t text with tabs and breaks from the main document
 * part, footnotes and endnotes; title, author, dates, language and description from core.xml. */
#include "extract_docx.h"

#include <stdlib.h>
#include <string.h>

#include "extract_util.h"
#include "extract_zip.h"

#define NS_W "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define NS_W_STRICT "http://purl.oclc.org/ooxml/wordprocessingml/main"
#define NS_MC "http://schemas.openxmlformats.org/markup-compatibility/2006"
#define NS_REL "http://schemas.openxmlformats.org/package/2006/relationships"
#define NS_CP "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_DCTERMS "http://purl.org/dc/terms/"

#define MAIN_PART "word/document.xml"

/* Is n the WordprocessingML element local (transitional or strict namespace)? */
static int is_w(const struct iqn_ex_node *n, const char *local)
{
    return iqn_ex_xml_is(n, NS_W, local) || iqn_ex_xml_is(n, NS_W_STRICT, local);
}

/* Reading a WordprocessingML part: the text so far, and the depth of the open w:t (or -1). */
struct part_state {
    struct iqn_textb *t;
    int in_t;
};

static enum iqn_ex_visit visit_part(const struct iqn_ex_node *n, void *ctx)
{
    struct part_state *st = ctx;
    struct iqn_textb *t = st->t;
    const char *text = iqn_ex_xml_text(n);
    if (n->type == XML_READER_TYPE_ELEMENT) {
        if (iqn_ex_xml_is(n, NS_MC, "Fallback")) /* repeats what mc:Choice holds */
            return IQN_EX_SKIP_SUBTREE;
        if (is_w(n, "t") && !n->empty)
            st->in_t = n->depth;
        else if (is_w(n, "tab") || is_w(n, "ptab"))
            iqn_textb_break(t, IQN_EX_SPACE);
        else if (is_w(n, "br") || is_w(n, "cr"))
            iqn_textb_break(t, IQN_EX_LINE);
        else if (is_w(n, "noBreakHyphen"))
            iqn_textb_add(t, "-", 1, 0);
        else if (is_w(n, "p") && n->empty)
            iqn_textb_break(t, IQN_EX_PARA);
    } else if (n->type == XML_READER_TYPE_END_ELEMENT) {
        if (n->depth == st->in_t)
            st->in_t = -1;
        else if (is_w(n, "p") || is_w(n, "tc") || is_w(n, "tr"))
            iqn_textb_break(t, IQN_EX_PARA);
    } else if (st->in_t >= 0 && text) { /* only w:t holds text: field codes, deleted text are left out */
        iqn_textb_add(t, text, strlen(text), 0);
    }
    return IQN_EX_NEXT;
}

/* Append the text of one WordprocessingML part to t. */
static int walk_part(const char *xml, size_t len, const char *what, struct iqn_textb *t, struct iqn_error *err)
{
    struct part_state st = {t, -1};
    return iqn_ex_xml_walk(xml, len, what, visit_part, &st, err);
}

static enum iqn_ex_visit visit_rels(const struct iqn_ex_node *n, void *ctx)
{
    char **found = ctx;
    if (n->type != XML_READER_TYPE_ELEMENT || !iqn_ex_xml_is(n, NS_REL, "Relationship"))
        return IQN_EX_NEXT;
    char *type = (char *)xmlTextReaderGetAttribute(n->reader, (const xmlChar *)"Type");
    char *target = (char *)xmlTextReaderGetAttribute(n->reader, (const xmlChar *)"Target");
    size_t tl = type ? strlen(type) : 0;
    if (target && tl >= 15 && strcmp(type + tl - 15, "/officeDocument") == 0)
        *found = strdup(target[0] == '/' ? target + 1 : target);
    xmlFree(type);
    xmlFree(target);
    return *found ? IQN_EX_STOP : IQN_EX_NEXT;
}

/* The main part's name from _rels/.rels when it is not word/document.xml (caller frees), or NULL. */
static char *main_part_from_rels(struct iqn_ex_zip *z)
{
    struct iqn_error ignored;
    char *rels = NULL, *found = NULL;
    size_t len;
    if (iqn_ex_zip_read(z, "_rels/.rels", &rels, &len, &ignored) != IQN_OK)
        return NULL;
    iqn_ex_xml_walk(rels, len, "_rels/.rels", visit_rels, &found, &ignored);
    free(rels);
    return found;
}

/* docProps/core.xml: what fills which field; for each field the first one present wins. */
static const struct iqn_ex_meta core_map[] = {
    {NS_DC, "title", IQN_EX_TITLE},          {NS_DC, "creator", IQN_EX_AUTHOR},
    {NS_DCTERMS, "created", IQN_EX_DATE},    {NS_DCTERMS, "modified", IQN_EX_DATE},
    {NS_DC, "language", IQN_EX_LANG},        {NS_DC, "description", IQN_EX_SUMMARY},
    {NS_DC, "subject", IQN_EX_SUMMARY},
};

int iqn_ex_docx(const char *data, size_t len, struct iqn_extracted *out, struct iqn_error *err)
{
    static const char *const extra_parts[] = {"word/footnotes.xml", "word/endnotes.xml", NULL};
    struct iqn_ex_zip *z = NULL;
    struct iqn_textb t;
    char *xml = NULL, *part = NULL;
    size_t xlen;
    int rc;

    iqn_textb_init(&t, IQN_EXTRACT_TEXT_MAX);
    rc = iqn_ex_zip_open(data, len, "DOCX", &z, err);
    if (rc != IQN_OK)
        goto fail;
    rc = iqn_ex_zip_read(z, MAIN_PART, &xml, &xlen, err);
    if (rc == IQN_ENOTFOUND) {
        part = main_part_from_rels(z);
        if (part)
            rc = iqn_ex_zip_read(z, part, &xml, &xlen, err);
        if (rc == IQN_ENOTFOUND)
            iqn_error_set(err, rc, "DOCX: no %s", MAIN_PART);
    }
    if (rc != IQN_OK)
        goto fail;
    rc = walk_part(xml, xlen, part ? part : MAIN_PART, &t, err);
    if (rc != IQN_OK)
        goto fail;
    for (size_t i = 0; extra_parts[i]; i++) {
        free(xml);
        xml = NULL;
        rc = iqn_ex_zip_read(z, extra_parts[i], &xml, &xlen, err);
        if (rc == IQN_ENOTFOUND)
            continue;
        iqn_textb_break(&t, IQN_EX_PARA);
        if (rc == IQN_OK)
            rc = walk_part(xml, xlen, extra_parts[i], &t, err);
        if (rc != IQN_OK)
            goto fail;
    }
    /* Metadata is a bonus: a damaged core.xml does not cost the text. */
    struct iqn_error meta_err;
    iqn_ex_zip_meta(z, "docProps/core.xml", core_map, sizeof core_map / sizeof core_map[0], out, &meta_err);
    rc = iqn_textb_take(&t, &out->text, &out->text_len, err);
fail:
    free(part);
    free(xml);
    iqn_textb_free(&t);
    iqn_ex_zip_close(z);
    return rc;
}
