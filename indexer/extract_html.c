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

static int named(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->name && strcasecmp((const char *)n->name, name) == 0;
}

static int named_in(const xmlNode *n, const char *const *names)
{
    for (size_t i = 0; names[i]; i++)
        if (named(n, names[i]))
            return 1;
    return 0;
}

static const char *const skip_tags[] = {"script", "style", "noscript", "template", "nav", "aside", "form",
                                        "svg", "math", "iframe", "object", "embed", "canvas", "select",
                                        "button", NULL};
static const char *const block_tags[] = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "p", "pre",
    "section", "summary", "table", "tbody", "thead", "tfoot", "ul", "title", "option", NULL};

/* 1 if attribute name of n equals value (case-insensitive). */
static int attr_is(xmlNode *n, const char *name, const char *value)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    int yes = v && strcasecmp((const char *)v, value) == 0;
    xmlFree(v);
    return yes;
}

/* Page header and footer are chrome; the header or footer of an article or main part is content. */
static int in_content(const xmlNode *n)
{
    for (const xmlNode *p = n->parent; p && p->type == XML_ELEMENT_NODE; p = p->parent)
        if (named(p, "article") || named(p, "main"))
            return 1;
    return 0;
}

static int skip_element(xmlNode *n)
{
    if (named_in(n, skip_tags))
        return 1;
    if ((named(n, "header") || named(n, "footer")) && !in_content(n))
        return 1;
    if (attr_is(n, "role", "navigation"))
        return 1;
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
            if (named(cur, "html") && !out->lang && html_lang(cur))
                out->lang = strdup(html_lang(cur));
            if (named(cur, "title")) {
                if (!out->title)
                    out->title = subtree_text(cur);
                descend = 0;
            } else if (named(cur, "meta")) {
                read_meta(cur, out, ms);
            } else if (skip_element(cur)) {
                descend = 0;
            }
            if (descend && cur->children) {
                head += named(cur, "head");
                pre += named(cur, "pre");
            }
            if (named_in(cur, block_tags))
                iqn_textb_break(t, IQN_EX_PARA);
            else if (named(cur, "br") || named(cur, "tr"))
                iqn_textb_break(t, IQN_EX_LINE);
            else if (named(cur, "td") || named(cur, "th") || named(cur, "img"))
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
                if (named_in(cur, block_tags))
                    iqn_textb_break(t, IQN_EX_PARA);
                else if (named(cur, "td") || named(cur, "th"))
                    iqn_textb_break(t, IQN_EX_SPACE);
                else if (named(cur, "tr"))
                    iqn_textb_break(t, IQN_EX_LINE);
                if (climbed) {
                    head -= named(cur, "head");
                    pre -= named(cur, "pre");
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
