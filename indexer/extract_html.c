/* extract_html.c - HTML and XHTML: charset from the document or guessed, then libxml2's HTML
 * parser; title, meta author/description/date/language, html lang, and the body text with block
 * elements as paragraph breaks, leaving out scripts, styles, navigation, forms and page chrome. */
#include "extract_html.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "extract_util.h"

#define SNIFF_MAX 8192 /* bytes searched for a charset declaration */

/* ---- charset ------------------------------------------------------------------------------- */

/* The first case-insensitive occurrence of needle in [p, end), or NULL. */
static const char *find_ci(const char *p, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    for (; p + n <= end; p++)
        if (strncasecmp(p, needle, n) == 0)
            return p;
    return NULL;
}

/* After key in [p, end): optional blanks, '=', optional blanks and quote, then the value. */
static int value_after(const char *p, const char *end, const char *key, char *out, size_t outlen)
{
    const char *k = find_ci(p, end, key);
    if (!k)
        return -1;
    p = k + strlen(key);
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    if (p >= end || *p != '=')
        return -1;
    p++;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '"' || *p == '\''))
        p++;
    size_t n = 0;
    while (p + n < end && n + 1 < outlen &&
           ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9') ||
            p[n] == '-' || p[n] == '_' || p[n] == '.' || p[n] == ':'))
        n++;
    if (n == 0 || n + 1 >= outlen)
        return -1;
    for (size_t i = 0; i < n; i++)
        out[i] = (p[i] >= 'A' && p[i] <= 'Z') ? (char)(p[i] - 'A' + 'a') : p[i];
    out[n] = '\0';
    return 0;
}

int iqn_ex_html_charset(const char *data, size_t len, char *out, size_t outlen)
{
    const char *end = data + (len < SNIFF_MAX ? len : SNIFF_MAX);
    const char *p = data;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    if (end - p >= 5 && strncmp(p, "<?xml", 5) == 0) {
        const char *close = find_ci(p, end, "?>");
        if (close && value_after(p, close, "encoding", out, outlen) == 0)
            return 0;
    }
    for (p = find_ci(data, end, "<meta"); p; p = find_ci(p + 5, end, "<meta")) {
        const char *close = memchr(p, '>', (size_t)(end - p));
        if (!close)
            break;
        if (value_after(p, close, "charset", out, outlen) == 0)
            return 0;
    }
    return -1;
}

/* ---- the document walk --------------------------------------------------------------------- */

/* What the walk needs to know of an element, found once per visit: a page of a few kilobytes has
 * dozens of elements, and matching each name against every list with strcasecmp was half of the
 * extraction's time. */
enum {
    TAG_BLOCK = 1 << 0,   /* ends a paragraph before and after */
    TAG_SKIP = 1 << 1,    /* left out with its subtree: scripts, styles, navigation, forms ... */
    TAG_CHROME = 1 << 2,  /* header, footer: left out unless inside an article or main part */
    TAG_CONTENT = 1 << 3, /* article, main */
    TAG_BR = 1 << 4,
    TAG_TR = 1 << 5,
    TAG_CELL = 1 << 6, /* td, th */
    TAG_IMG = 1 << 7,
    TAG_HEAD = 1 << 8,
    TAG_PRE = 1 << 9,
    TAG_TITLE = 1 << 10,
    TAG_META = 1 << 11,
    TAG_HTML = 1 << 12
};

/* Sorted by name, for bsearch. */
static const struct tag_kind {
    const char *name;
    unsigned flags;
} tag_kinds[] = {
    {"address", TAG_BLOCK},  {"article", TAG_BLOCK | TAG_CONTENT},
    {"aside", TAG_BLOCK | TAG_SKIP},
    {"blockquote", TAG_BLOCK}, {"body", TAG_BLOCK},
    {"br", TAG_BR},          {"button", TAG_SKIP},
    {"canvas", TAG_SKIP},    {"caption", TAG_BLOCK},
    {"center", TAG_BLOCK},   {"dd", TAG_BLOCK},
    {"details", TAG_BLOCK},  {"dialog", TAG_BLOCK},
    {"dir", TAG_BLOCK},      {"div", TAG_BLOCK},
    {"dl", TAG_BLOCK},       {"dt", TAG_BLOCK},
    {"embed", TAG_SKIP},     {"fieldset", TAG_BLOCK},
    {"figcaption", TAG_BLOCK}, {"figure", TAG_BLOCK},
    {"footer", TAG_BLOCK | TAG_CHROME},
    {"form", TAG_BLOCK | TAG_SKIP},
    {"h1", TAG_BLOCK},       {"h2", TAG_BLOCK},
    {"h3", TAG_BLOCK},       {"h4", TAG_BLOCK},
    {"h5", TAG_BLOCK},       {"h6", TAG_BLOCK},
    {"head", TAG_HEAD},      {"header", TAG_BLOCK | TAG_CHROME},
    {"hgroup", TAG_BLOCK},   {"hr", TAG_BLOCK},
    {"html", TAG_BLOCK | TAG_HTML},
    {"iframe", TAG_SKIP},    {"img", TAG_IMG},
    {"legend", TAG_BLOCK},   {"li", TAG_BLOCK},
    {"main", TAG_BLOCK | TAG_CONTENT},
    {"math", TAG_SKIP},      {"menu", TAG_BLOCK},
    {"meta", TAG_META},      {"nav", TAG_BLOCK | TAG_SKIP},
    {"noscript", TAG_SKIP},  {"object", TAG_SKIP},
    {"ol", TAG_BLOCK},       {"option", TAG_BLOCK},
    {"p", TAG_BLOCK},        {"pre", TAG_BLOCK | TAG_PRE},
    {"script", TAG_SKIP},    {"section", TAG_BLOCK},
    {"select", TAG_SKIP},    {"style", TAG_SKIP},
    {"summary", TAG_BLOCK},  {"svg", TAG_SKIP},
    {"table", TAG_BLOCK},    {"tbody", TAG_BLOCK},
    {"td", TAG_CELL},        {"template", TAG_SKIP},
    {"tfoot", TAG_BLOCK},    {"th", TAG_CELL},
    {"thead", TAG_BLOCK},    {"title", TAG_BLOCK | TAG_TITLE},
    {"tr", TAG_TR},          {"ul", TAG_BLOCK},
};

static int tag_cmp(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const struct tag_kind *)elem)->name);
}

/* The TAG_ flags of n (0 for anything but a known element), its name matched without case. */
static unsigned tag_flags(const xmlNode *n)
{
    char lower[16];
    if (n->type != XML_ELEMENT_NODE || !n->name)
        return 0;
    size_t i = 0;
    for (; n->name[i]; i++) {
        if (i + 1 == sizeof lower)
            return 0; /* longer than any name in the table */
        unsigned char c = n->name[i];
        lower[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    lower[i] = '\0';
    const struct tag_kind *k =
        bsearch(lower, tag_kinds, sizeof tag_kinds / sizeof tag_kinds[0], sizeof tag_kinds[0], tag_cmp);
    return k ? k->flags : 0;
}

/* Page header and footer are chrome; the header or footer of an article or main part is content. */
static int in_content(const xmlNode *n)
{
    for (const xmlNode *p = n->parent; p && p->type == XML_ELEMENT_NODE; p = p->parent)
        if (tag_flags(p) & TAG_CONTENT)
            return 1;
    return 0;
}

static int skip_element(xmlNode *n, unsigned flags)
{
    if (flags & TAG_SKIP)
        return 1;
    if ((flags & TAG_CHROME) && !in_content(n))
        return 1;
    if (xmlHasProp(n, (const xmlChar *)"role")) { /* look for the value only when there is one */
        xmlChar *v = xmlGetProp(n, (const xmlChar *)"role");
        int nav = v && strcasecmp((const char *)v, "navigation") == 0;
        xmlFree(v);
        if (nav)
            return 1;
    }
    return xmlHasProp(n, (const xmlChar *)"hidden") != NULL;
}

/* The text of n's subtree, cleaned (caller frees), or NULL. */
static char *subtree_text(xmlNode *n)
{
    xmlChar *v = xmlNodeGetContent(n);
    char *s = v ? iqn_ex_clean((const char *)v, strlen((const char *)v)) : NULL;
    xmlFree(v);
    return s;
}

struct meta_state {
    char *title_alt;   /* dc.title, og:title: used when there is no <title> */
    char *lang_meta;   /* dc.language, content-language */
};

/* Keep value in *slot unless it is already set; value is freed otherwise. */
static void keep(char **slot, char *value)
{
    if (!*slot)
        *slot = value;
    else
        free(value);
}

static void read_meta(xmlNode *n, struct iqn_extracted *out, struct meta_state *ms)
{
    static const char *const author_keys[] = {"author", "dc.creator", "dcterms.creator", "article:author", NULL};
    static const char *const summary_keys[] = {"description", "dc.description", "dcterms.description",
                                               "dcterms.abstract", "og:description", NULL};
    static const char *const date_keys[] = {"dc.date", "dcterms.date", "dcterms.created", "dcterms.issued",
                                            "dc.date.issued", "dc.date.created", "date", "article:published_time",
                                            "citation_publication_date", "datepublished", "pubdate", NULL};
    static const char *const lang_keys[] = {"dc.language", "dcterms.language", "language", "content-language", NULL};
    static const char *const title_keys[] = {"dc.title", "dcterms.title", "og:title", NULL};
    static const char *const attrs[] = {"name", "property", "http-equiv", "itemprop"};
    xmlChar *content = xmlGetProp(n, (const xmlChar *)"content");
    if (!content)
        return;
    const char *c = (const char *)content;
    for (size_t a = 0; a < sizeof attrs / sizeof attrs[0]; a++) {
        xmlChar *key = xmlGetProp(n, (const xmlChar *)attrs[a]);
        if (!key)
            continue;
        const char *k = (const char *)key;
        size_t clen = strlen(c);
        for (size_t i = 0; author_keys[i]; i++)
            if (strcasecmp(k, author_keys[i]) == 0)
                keep(&out->author, iqn_ex_clean(c, clen));
        for (size_t i = 0; summary_keys[i]; i++)
            if (strcasecmp(k, summary_keys[i]) == 0)
                keep(&out->summary, iqn_ex_clean(c, clen));
        for (size_t i = 0; date_keys[i]; i++)
            if (strcasecmp(k, date_keys[i]) == 0)
                keep(&out->date, iqn_ex_iso_date(c));
        for (size_t i = 0; lang_keys[i]; i++)
            if (strcasecmp(k, lang_keys[i]) == 0 && iqn_ex_lang(c))
                keep(&ms->lang_meta, strdup(iqn_ex_lang(c)));
        for (size_t i = 0; title_keys[i]; i++)
            if (strcasecmp(k, title_keys[i]) == 0)
                keep(&ms->title_alt, iqn_ex_clean(c, clen));
        xmlFree(key);
    }
    xmlFree(content);
}

/* The language the html element declares (lang or xml:lang), as "en"/"fr", or NULL. */
static const char *html_lang(xmlNode *n)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)"lang");
    if (!v)
        v = xmlGetProp(n, (const xmlChar *)"xml:lang");
    if (!v)
        v = xmlGetNsProp(n, (const xmlChar *)"lang", XML_XML_NAMESPACE);
    const char *lang = v ? iqn_ex_lang((const char *)v) : NULL;
    xmlFree(v);
    return lang;
}

/* Walk the tree without recursion (pages can nest deeply): text into t, metadata into out. */
static void walk(xmlDoc *doc, struct iqn_textb *t, struct iqn_extracted *out, struct meta_state *ms)
{
    xmlNode *cur = doc->children;
    int head = 0; /* inside <head>: no body text */
    int pre = 0;  /* inside <pre>: line breaks kept */
    while (cur) {
        int descend = 1;
        if (cur->type == XML_ELEMENT_NODE) {
            unsigned f = tag_flags(cur);
            if ((f & TAG_HTML) && !out->lang && html_lang(cur))
                out->lang = strdup(html_lang(cur));
            if (f & TAG_TITLE) {
                if (!out->title)
                    out->title = subtree_text(cur);
                descend = 0;
            } else if (f & TAG_META) {
                read_meta(cur, out, ms);
            } else if (skip_element(cur, f)) {
                descend = 0;
            }
            if (descend && cur->children) {
                head += (f & TAG_HEAD) != 0;
                pre += (f & TAG_PRE) != 0;
            }
            if (f & TAG_BLOCK)
                iqn_textb_break(t, IQN_EX_PARA);
            else if (f & (TAG_BR | TAG_TR))
                iqn_textb_break(t, IQN_EX_LINE);
            else if (f & (TAG_CELL | TAG_IMG))
                iqn_textb_break(t, IQN_EX_SPACE);
        } else if ((cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE) && !head && cur->content) {
            iqn_textb_add(t, (const char *)cur->content, strlen((const char *)cur->content), pre > 0);
        }
        if (descend && cur->children && cur->type == XML_ELEMENT_NODE) {
            cur = cur->children;
            continue;
        }
        /* Leave cur and every ancestor that has no next sibling (those were descended into). */
        for (int climbed = 0;; climbed = 1) {
            if (cur->type == XML_ELEMENT_NODE) {
                unsigned f = tag_flags(cur);
                if (f & TAG_BLOCK)
                    iqn_textb_break(t, IQN_EX_PARA);
                else if (f & TAG_CELL)
                    iqn_textb_break(t, IQN_EX_SPACE);
                else if (f & TAG_TR)
                    iqn_textb_break(t, IQN_EX_LINE);
                if (climbed) {
                    head -= (f & TAG_HEAD) != 0;
                    pre -= (f & TAG_PRE) != 0;
                }
            }
            if (cur->next) {
                cur = cur->next;
                break;
            }
            cur = cur->parent;
            if (!cur || cur->type == XML_DOCUMENT_NODE || cur->type == XML_HTML_DOCUMENT_NODE) {
                cur = NULL;
                break;
            }
        }
    }
}

int iqn_ex_html(const char *data, size_t len, struct iqn_extracted *out, struct iqn_error *err)
{
    struct iqn_textb t;
    struct meta_state ms = {NULL, NULL};
    char charset[48];
    char *utf8 = NULL;
    size_t ulen;
    xmlDoc *doc = NULL;
    int rc;

    iqn_textb_init(&t, IQN_EXTRACT_TEXT_MAX);
    int declared = iqn_ex_html_charset(data, len, charset, sizeof charset) == 0;
    /* A page that says UTF-16 but has no BOM is ASCII-compatible in practice (as browsers assume). */
    if (declared && strncmp(charset, "utf-16", 6) == 0)
        declared = 0;
    rc = iqn_ex_to_utf8(data, len, declared ? charset : NULL, &utf8, &ulen, err);
    if (rc != IQN_OK)
        goto fail;
    if (ulen == 0) { /* libxml2 gives no document for no input: it is merely empty */
        rc = iqn_error_set(err, IQN_EINVAL, "no text in the document");
        goto fail;
    }
    if (ulen > INT_MAX) {
        rc = iqn_error_set(err, IQN_ENOMEM, "HTML page too large (%zu bytes)", ulen);
        goto fail;
    }
    doc = htmlReadMemory(utf8, (int)ulen, NULL, "UTF-8",
                         HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER |
                             HTML_PARSE_IGNORE_ENC | HTML_PARSE_COMPACT | HTML_PARSE_NOIMPLIED);
    if (!doc) {
        rc = iqn_error_set(err, IQN_EINVAL, "malformed HTML: nothing could be parsed");
        goto fail;
    }
    walk(doc, &t, out, &ms);
    if (!out->title) {
        out->title = ms.title_alt;
        ms.title_alt = NULL;
    }
    if (!out->lang) {
        out->lang = ms.lang_meta;
        ms.lang_meta = NULL;
    }
    rc = iqn_textb_take(&t, &out->text, &out->text_len, err);
fail:
    free(ms.title_alt);
    free(ms.lang_meta);
    if (doc)
        xmlFreeDoc(doc);
    free(utf8);
    iqn_textb_free(&t);
    return rc;
}
