/* parse_xml.c - IQN XML records through libxml2, with no network, no entity expansion, no DTD loading. */
#include "parse_xml.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "buf.h"
#include "record.h"
#include "schema.h"

#define ERRMSG_MAX 400

/* The first error libxml2 reported while parsing, and how many there were. */
struct xml_errors {
    int count;
    long line;
    char message[ERRMSG_MAX];
};

/* libxml2 2.12 made the error argument const. */
#if LIBXML_VERSION >= 21200
#define IQN_XML_ERROR const xmlError *
#else
#define IQN_XML_ERROR xmlErrorPtr
#endif

static void on_structured_error(void *ctx, IQN_XML_ERROR e)
{
    struct xml_errors *xe = ctx;
    if (!e || e->level < XML_ERR_ERROR)
        return; /* warnings are not failures */
    if (xe->count++ > 0)
        return;
    xe->line = e->line;
    snprintf(xe->message, sizeof xe->message, "%s", e->message ? e->message : "parse error");
    size_t n = strlen(xe->message);
    while (n > 0 && (xe->message[n - 1] == '\n' || xe->message[n - 1] == ' '))
        xe->message[--n] = '\0';
}

static void on_generic_error(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg; /* everything that matters also arrives through the structured handler */
}

/* Never load anything from outside the document: DTDs, external entities, XInclude. */
static xmlParserInputPtr no_external(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    (void)url;
    (void)id;
    (void)ctxt;
    return NULL;
}

/* Global libxml2 set-up; see parse_xml.h. */
void iqn_parse_xml_init(void)
{
    xmlInitParser();
    xmlSetExternalEntityLoader(no_external);
}

/* Global libxml2 clean-up; see parse_xml.h. */
void iqn_parse_xml_cleanup(void)
{
    xmlCleanupParser();
}

static int is_blank(const xmlChar *s)
{
    if (!s)
        return 1;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return 0;
    return 1;
}

static int blank_n(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

static int name_is(const xmlNode *n, const char *name)
{
    return n->name && strcmp((const char *)n->name, name) == 0;
}

/* The text of the record's <id> child, for messages about a record that fails before validation. */
static const char *peek_id(const xmlNode *rec, char *out, size_t outlen)
{
    for (const xmlNode *c = rec->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || !name_is(c, "id"))
            continue;
        size_t n = 0;
        for (const xmlNode *t = c->children; t; t = t->next) {
            if (t->type != XML_TEXT_NODE && t->type != XML_CDATA_SECTION_NODE)
                continue;
            for (const xmlChar *p = t->content; p && *p && n + 1 < outlen; p++)
                if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
                    out[n++] = (char)*p;
        }
        out[n] = '\0';
        return n ? out : NULL;
    }
    return NULL;
}

/* Collect the text of one field element into text. Fields hold plain text: a nested element or an
 * entity reference is an error (msg filled, *bad_line set). */
static int field_text(const xmlNode *el, struct iqn_buf *text, char *msg, size_t msglen, long *bad_line)
{
    const char *fname = (const char *)el->name;
    for (const xmlNode *t = el->children; t; t = t->next) {
        switch (t->type) {
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
            if (t->content)
                iqn_buf_adds(text, (const char *)t->content);
            break;
        case XML_COMMENT_NODE:
        case XML_PI_NODE:
            break;
        case XML_ELEMENT_NODE:
            snprintf(msg, msglen, "element <%s> inside <%s>: fields hold plain text", (const char *)t->name,
                     fname);
            *bad_line = xmlGetLineNo(t);
            return -1;
        case XML_ENTITY_REF_NODE:
            snprintf(msg, msglen, "entity reference &%s; inside <%s> is not allowed", (const char *)t->name,
                     fname);
            *bad_line = xmlGetLineNo(t);
            return -1;
        default:
            snprintf(msg, msglen, "unexpected content inside <%s>", fname);
            *bad_line = xmlGetLineNo(t);
            return -1;
        }
    }
    if (iqn_buf_failed(text)) {
        snprintf(msg, msglen, "<%s> is too long", fname);
        *bad_line = xmlGetLineNo(el);
        return -1;
    }
    return 0;
}

/* Build a record from a <record> element and hand it to the sink. */
static int do_record(struct iqn_sink *s, const xmlNode *rec, struct iqn_record *r, struct iqn_buf *text,
                     struct iqn_error *err)
{
    char msg[512];
    char idbuf[IQN_ID_MAX + 2];
    struct iqn_error e;
    long rec_line = xmlGetLineNo(rec);
    long bad_line = 0;

    msg[0] = '\0';
    iqn_record_clear(r);
    for (const xmlNode *c = rec->children; c && !msg[0]; c = c->next) {
        switch (c->type) {
        case XML_ELEMENT_NODE: {
            const char *name = (const char *)c->name;
            int f = iqn_field_lookup(name, strlen(name));
            if (f < 0) {
                snprintf(msg, sizeof msg, "unknown element <%s>", name);
                bad_line = xmlGetLineNo(c);
                break;
            }
            iqn_buf_reset(text);
            if (field_text(c, text, msg, sizeof msg, &bad_line) != 0)
                break;
            if (text->len == 0 || is_blank((const xmlChar *)text->data))
                break; /* an empty element is an absent field */
            if (iqn_record_add(r, (enum iqn_field)f, text->data, text->len, &e) != IQN_OK) {
                snprintf(msg, sizeof msg, "%s", e.message);
                bad_line = xmlGetLineNo(c);
            }
            break;
        }
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
            if (!is_blank(c->content)) {
                snprintf(msg, sizeof msg, "text outside any field in <record>");
                bad_line = xmlGetLineNo(c);
            }
            break;
        case XML_ENTITY_REF_NODE:
            snprintf(msg, sizeof msg, "entity reference &%s; is not allowed", (const char *)c->name);
            bad_line = xmlGetLineNo(c);
            break;
        default: /* comments, processing instructions */
            break;
        }
    }
    /* The buffer may have been freed by a cap; make it usable again for the next record. */
    if (iqn_buf_failed(text)) {
        size_t cap = text->cap;
        iqn_buf_free(text);
        iqn_buf_init(text, cap);
    }
    if (msg[0]) {
        const char *id = iqn_record_get(r, IQN_F_ID);
        if (!id)
            id = peek_id(rec, idbuf, sizeof idbuf);
        iqn_sink_record_failed(s, bad_line > 0 ? bad_line : rec_line, id, "%s", msg);
        return IQN_OK;
    }
    return iqn_sink_record(s, r, rec_line, err);
}

/* Parse an IQN XML document; see parse_xml.h. */
int iqn_parse_xml(struct iqn_sink *s, const char *data, size_t len, struct iqn_error *err)
{
    struct xml_errors xe;
    xmlDocPtr doc = NULL;
    struct iqn_record *r = NULL;
    struct iqn_buf text;
    int rc = IQN_OK;

    memset(&xe, 0, sizeof xe);
    iqn_buf_init(&text, 2 * (size_t)IQN_BODY_MAX);
    if (len > INT_MAX) {
        iqn_sink_file_failed(s, 0, "malformed XML: document too large");
        goto done;
    }
    /* No XML_PARSE_NOENT (entities stay references), no DTDLOAD/DTDVALID, no network. */
    xmlSetStructuredErrorFunc(&xe, on_structured_error);
    xmlSetGenericErrorFunc(NULL, on_generic_error);
    doc = xmlReadMemory(data, (int)len, NULL, NULL,
                        XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOWARNING);
    xmlSetStructuredErrorFunc(NULL, NULL);
    xmlSetGenericErrorFunc(NULL, NULL);
    if (!doc || xe.count > 0) {
        char more[48] = "";
        if (xe.count > 1)
            snprintf(more, sizeof more, " (and %d more error%s)", xe.count - 1, xe.count == 2 ? "" : "s");
        const char *why = xe.count ? xe.message : blank_n(data, len) ? "document is empty" : "cannot parse";
        iqn_sink_file_failed(s, xe.line, "malformed XML: %s%s", why, more);
        goto done;
    }
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!root) {
        iqn_sink_file_failed(s, 0, "malformed XML: no root element");
        goto done;
    }
    r = iqn_record_new();
    if (!r) {
        rc = iqn_error_set(err, IQN_ENOMEM, "out of memory");
        goto done;
    }
    if (name_is(root, "record")) {
        rc = do_record(s, root, r, &text, err);
        goto done;
    }
    if (!name_is(root, "records")) {
        iqn_sink_file_failed(s, xmlGetLineNo(root), "root element <%s> is not <record> or <records>",
                             (const char *)root->name);
        goto done;
    }
    for (xmlNodePtr c = root->children; c && rc == IQN_OK; c = c->next) {
        if (iqn_sink_stopping(s))
            break;
        if (c->type == XML_ELEMENT_NODE && name_is(c, "record"))
            rc = do_record(s, c, r, &text, err);
        else if (c->type == XML_ELEMENT_NODE)
            iqn_sink_record_failed(s, xmlGetLineNo(c), NULL,
                                   "unexpected element <%s> in <records>, expected <record>",
                                   (const char *)c->name);
        else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && !is_blank(c->content))
            iqn_sink_record_failed(s, xmlGetLineNo(c), NULL, "text outside any <record> in <records>");
        else if (c->type == XML_ENTITY_REF_NODE)
            iqn_sink_record_failed(s, xmlGetLineNo(c), NULL, "entity reference &%s; is not allowed",
                                   (const char *)c->name);
    }
done:
    iqn_record_free(r);
    iqn_buf_free(&text);
    if (doc)
        xmlFreeDoc(doc);
    return rc;
}
