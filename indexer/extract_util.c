/* extract_util.c - the text builder, charset conversion, metadata clean-up and the bounded XML
 * reader shared by the extractors. */
#include "extract_util.h"

#include <errno.h>
#include <iconv.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "input.h"
#include "text.h"

static const char REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* ---- the text builder ---------------------------------------------------------------------- */

void iqn_textb_init(struct iqn_textb *t, size_t max)
{
    memset(t, 0, sizeof *t);
    t->max = max;
}

void iqn_textb_free(struct iqn_textb *t)
{
    free(t->data);
    iqn_textb_init(t, t->max);
}

void iqn_textb_break(struct iqn_textb *t, enum iqn_ex_break brk)
{
    if (brk > t->pending)
        t->pending = brk;
}

/* Make room for n more bytes plus the NUL. */
static int textb_reserve(struct iqn_textb *t, size_t n)
{
    if (t->len + n + 1 <= t->alloc)
        return 0;
    size_t want = t->alloc ? t->alloc : 1024;
    while (want < t->len + n + 1)
        want *= 2;
    if (want > t->max + 1)
        want = t->max + 1;
    char *p = realloc(t->data, want);
    if (!p) {
        t->oom = 1;
        return -1;
    }
    t->data = p;
    t->alloc = want;
    return 0;
}

/* Write the pending break (if any text came before) and then s[0..n). */
static void textb_emit(struct iqn_textb *t, const char *s, size_t n)
{
    static const char *const seps[] = {"", " ", "\n", "\n\n"};
    if (t->truncated || t->oom || n == 0)
        return;
    const char *sep = t->len > 0 ? seps[t->pending] : "";
    size_t seplen = strlen(sep);
    if (t->len + seplen + n > t->max) {
        t->truncated = 1;
        if (t->len + seplen >= t->max)
            return;
        n = t->max - t->len - seplen;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) /* cut before a continuation byte */
            n--;
        while (n > 0 && s[n - 1] == ' ') /* a run's inner space is only written before more text */
            n--;
        if (n == 0)
            return;
    }
    if (textb_reserve(t, seplen + n) != 0)
        return;
    memcpy(t->data + t->len, sep, seplen);
    memcpy(t->data + t->len + seplen, s, n);
    t->len += seplen + n;
    t->data[t->len] = '\0';
    t->pending = IQN_EX_NONE;
}

/* What the character at s (n bytes, valid UTF-8) is to the builder. */
enum char_kind { CH_TEXT, CH_SPACE, CH_NEWLINE, CH_DROP };

static enum char_kind classify(const unsigned char *s, size_t n)
{
    if (n == 1) {
        if (s[0] == '\n')
            return CH_NEWLINE;
        if (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\f' || s[0] == '\v')
            return CH_SPACE;
        if (s[0] < 0x20 || s[0] == 0x7F)
            return CH_DROP;
        return CH_TEXT;
    }
    if (n == 2 && s[0] == 0xC2) {
        if (s[1] == 0xA0) /* no-break space */
            return CH_SPACE;
        if (s[1] < 0xA0 || s[1] == 0xAD) /* C1 controls, soft hyphen */
            return CH_DROP;
    }
    if (n == 3 && s[0] == 0xE2 && s[1] == 0x80) {
        if (s[2] >= 0x80 && s[2] <= 0x8A) /* en quad .. hair space */
            return CH_SPACE;
        if (s[2] == 0xA8 || s[2] == 0xA9) /* line and paragraph separators */
            return CH_NEWLINE;
        if (s[2] == 0x8B || s[2] == 0x8C || s[2] == 0x8D) /* zero-width space and joiners */
            return CH_DROP;
    }
    if (n == 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) /* BOM, zero-width no-break space */
        return CH_DROP;
    return CH_TEXT;
}

void iqn_textb_add(struct iqn_textb *t, const char *s, size_t len, int keep_lines)
{
    size_t i = 0;
    while (i < len && !t->truncated && !t->oom) {
        size_t run = i;
        /* The longest run of plain text, written in one go. A single space between two printable
         * ASCII characters is the separator the builder would write there anyway, so it stays in
         * the run: words are not emitted one by one. */
        while (run < len) {
            unsigned char c = (unsigned char)s[run];
            if (c > 0x20 && c < 0x7F) {
                run++;
                continue;
            }
            if (c == ' ' && run > i && run + 1 < len && (unsigned char)s[run + 1] > 0x20 &&
                (unsigned char)s[run + 1] < 0x7F) {
                run += 2;
                continue;
            }
            if (c < 0x80)
                break; /* other spaces, line breaks, control characters */
            size_t n = iqn_utf8_seq_len(s + run, len - run);
            if (n == 0 || classify((const unsigned char *)s + run, n) != CH_TEXT)
                break;
            run += n;
        }
        if (run > i) {
            textb_emit(t, s + i, run - i);
            i = run;
            continue;
        }
        size_t n = iqn_utf8_seq_len(s + i, len - i);
        if (n == 0) {
            textb_emit(t, REPLACEMENT, 3);
            i++;
            continue;
        }
        switch (classify((const unsigned char *)s + i, n)) {
        case CH_NEWLINE: iqn_textb_break(t, keep_lines ? IQN_EX_LINE : IQN_EX_SPACE); break;
        case CH_SPACE: iqn_textb_break(t, IQN_EX_SPACE); break;
        case CH_DROP:
        case CH_TEXT: break;
        }
        i += n;
    }
}

int iqn_textb_take(struct iqn_textb *t, char **text, size_t *len, struct iqn_error *err)
{
    *text = NULL;
    *len = 0;
    if (t->oom) {
        iqn_textb_free(t);
        return iqn_error_set(err, IQN_ENOMEM, "out of memory building the text");
    }
    if (t->len > 0) {
        *text = t->data;
        *len = t->len;
        t->data = NULL;
    }
    iqn_textb_free(t);
    return IQN_OK;
}

/* ---- metadata ------------------------------------------------------------------------------ */

char *iqn_ex_clean(const char *s, size_t len)
{
    struct iqn_textb t;
    char *out = NULL;
    size_t n;
    if (!s)
        return NULL;
    iqn_textb_init(&t, IQN_EX_META_MAX);
    iqn_textb_add(&t, s, len, 0);
    if (iqn_textb_take(&t, &out, &n, NULL) != IQN_OK)
        return NULL;
    return out;
}

/* Read exactly n digits at *p into *value; advances *p. */
static int digits(const char **p, int n, int *value)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *value = v;
    return 0;
}

char *iqn_ex_iso_date(const char *s)
{
    int year, month = 0, day = 0;
    char out[16];
    if (!s)
        return NULL;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    if (s[0] == 'D' && s[1] == ':') /* PDF date: D:YYYYMMDDHHmmSSOHH'mm */
        s += 2;
    if (digits(&s, 4, &year) != 0 || year < 1000 || year > 2999)
        return NULL;
    /* Then -MM-DD, /MM/DD, .MM.DD or MMDD, each part optional; a month or day out of range
     * means this is no date. */
    int sep = *s == '-' || *s == '/' || *s == '.';
    const char *p = s + sep;
    if (digits(&p, 2, &month) == 0) {
        if (month < 1 || month > 12)
            return NULL;
        int sep2 = *p == '-' || *p == '/' || *p == '.';
        p += sep2;
        if (sep2 == sep && digits(&p, 2, &day) == 0 && (day < 1 || day > 31))
            return NULL;
    } else {
        month = 0;
    }
    if (day > 0)
        snprintf(out, sizeof out, "%04d-%02d-%02d", year, month, day);
    else if (month > 0)
        snprintf(out, sizeof out, "%04d-%02d", year, month);
    else
        snprintf(out, sizeof out, "%04d", year);
    return strdup(out);
}

const char *iqn_ex_lang(const char *s)
{
    static const char *const en[] = {"en", "eng", "english", "anglais", NULL};
    static const char *const fr[] = {"fr", "fra", "fre", "french", "francais", "fran\xc3\xa7" "ais", NULL};
    char word[16];
    size_t n = 0;
    if (!s)
        return NULL;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    for (; *s && *s != '-' && *s != '_' && *s != ' ' && *s != ',' && *s != ';'; s++) {
        if (n + 1 >= sizeof word)
            return NULL;
        char c = *s;
        word[n++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    word[n] = '\0';
    for (size_t i = 0; en[i]; i++)
        if (strcmp(word, en[i]) == 0)
            return "en";
    for (size_t i = 0; fr[i]; i++)
        if (strcmp(word, fr[i]) == 0)
            return "fr";
    return NULL;
}

/* ---- charsets ------------------------------------------------------------------------------ */

/* Windows-1252 0x80..0x9F; the five undefined bytes map to the C1 controls, as browsers do. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

static int put_cp(struct iqn_buf *b, uint32_t cp)
{
    char u[4];
    if (cp < 0x80) {
        u[0] = (char)cp;
        return iqn_buf_add(b, u, 1);
    }
    if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        return iqn_buf_add(b, u, 2);
    }
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return iqn_buf_add(b, REPLACEMENT, 3);
    if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        return iqn_buf_add(b, u, 3);
    }
    u[0] = (char)(0xF0 | (cp >> 18));
    u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[3] = (char)(0x80 | (cp & 0x3F));
    return iqn_buf_add(b, u, 4);
}

static uint32_t cp1252(unsigned char c)
{
    return c >= 0x80 && c < 0xA0 ? cp1252_high[c - 0x80] : c;
}

/* UTF-8 as is; with utf8 == 0 every byte is Windows-1252; with utf8 == 1 only invalid bytes are. */
static int from_8bit(struct iqn_buf *b, const char *s, size_t len, int utf8)
{
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (run < len && (unsigned char)s[run] < 0x80)
            run++;
        if (run > i && iqn_buf_add(b, s + i, run - i) != 0)
            return -1;
        i = run;
        if (i >= len)
            break;
        size_t n = utf8 ? iqn_utf8_seq_len(s + i, len - i) : 0;
        if (n > 0) {
            if (iqn_buf_add(b, s + i, n) != 0)
                return -1;
            i += n;
        } else {
            if (put_cp(b, cp1252((unsigned char)s[i])) != 0)
                return -1;
            i++;
        }
    }
    return 0;
}

static int from_utf16(struct iqn_buf *b, const unsigned char *s, size_t len, int big_endian)
{
    for (size_t i = 0; i + 1 < len; i += 2) {
        uint32_t u = big_endian ? (uint32_t)(s[i] << 8 | s[i + 1]) : (uint32_t)(s[i + 1] << 8 | s[i]);
        if (u >= 0xD800 && u <= 0xDBFF && i + 3 < len) {
            uint32_t lo = big_endian ? (uint32_t)(s[i + 2] << 8 | s[i + 3]) : (uint32_t)(s[i + 3] << 8 | s[i + 2]);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i += 2;
            }
        }
        if (put_cp(b, u) != 0)
            return -1;
    }
    return 0;
}

/* Any other charset, through iconv; undecodable bytes become U+FFFD. 1 if iconv does not know it. */
static int from_iconv(struct iqn_buf *b, const char *s, size_t len, const char *charset)
{
    iconv_t cd = iconv_open("UTF-8", charset);
    char chunk[16384];
    if (cd == (iconv_t)-1)
        return 1;
    char *in = (char *)(uintptr_t)s;
    size_t left = len;
    int rc = 0;
    while (left > 0 && rc == 0) {
        char *o = chunk;
        size_t room = sizeof chunk;
        size_t r = iconv(cd, &in, &left, &o, &room);
        if (iqn_buf_add(b, chunk, (size_t)(o - chunk)) != 0)
            rc = -1;
        else if (r == (size_t)-1 && errno == E2BIG)
            continue;
        else if (r == (size_t)-1) { /* EILSEQ, or EINVAL at a cut sequence: skip one byte */
            if (iqn_buf_add(b, REPLACEMENT, 3) != 0)
                rc = -1;
            in++;
            left--;
            iconv(cd, NULL, NULL, NULL, NULL);
        }
    }
    iconv_close(cd);
    return rc;
}

/* The charset name lower-cased into out, or "" when it does not fit. */
static void lower_name(const char *charset, char *out, size_t outlen)
{
    size_t n = 0;
    while (*charset == ' ' || *charset == '"' || *charset == '\'')
        charset++;
    for (; charset[n] && charset[n] != '"' && charset[n] != '\'' && charset[n] != ' '; n++) {
        if (n + 1 >= outlen) {
            out[0] = '\0';
            return;
        }
        char c = charset[n];
        out[n] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[n] = '\0';
}

static int name_in(const char *name, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(name, list[i]) == 0)
            return 1;
    return 0;
}

int iqn_ex_to_utf8(const char *data, size_t len, const char *charset, char **out, size_t *outlen,
                   struct iqn_error *err)
{
    static const char *const utf8_names[] = {"utf-8", "utf8", "unicode-1-1-utf-8", NULL};
    static const char *const latin_names[] = {"windows-1252", "cp1252", "x-cp1252", "iso-8859-1", "iso8859-1",
                                              "iso_8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii",
                                              "ansi_x3.4-1968", NULL};
    const unsigned char *u = (const unsigned char *)data;
    struct iqn_buf b;
    char name[48] = "";
    int rc = 0;

    *out = NULL;
    *outlen = 0;
    iqn_buf_init(&b, IQN_INPUT_DECODED_MAX);
    if (charset)
        lower_name(charset, name, sizeof name);
    /* A byte order mark beats any declaration. */
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        rc = from_8bit(&b, data + 3, len - 3, 1);
    } else if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
        rc = from_utf16(&b, u + 2, len - 2, 0);
    } else if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
        rc = from_utf16(&b, u + 2, len - 2, 1);
    } else if (strcmp(name, "utf-16le") == 0 || strcmp(name, "utf-16") == 0) {
        rc = from_utf16(&b, u, len, 0);
    } else if (strcmp(name, "utf-16be") == 0) {
        rc = from_utf16(&b, u, len, 1);
    } else if (name_in(name, utf8_names)) {
        rc = from_8bit(&b, data, len, 1);
    } else if (name_in(name, latin_names)) {
        rc = from_8bit(&b, data, len, 0);
    } else {
        rc = name[0] ? from_iconv(&b, data, len, name) : 1;
        if (rc == 1) { /* no charset, or one iconv does not know: UTF-8 if valid, else Windows-1252 */
            iqn_buf_reset(&b);
            int valid = 1;
            for (size_t i = 0; i < len && valid;) {
                size_t n = iqn_utf8_seq_len(data + i, len - i);
                if (n == 0)
                    valid = 0;
                i += n ? n : 1;
            }
            rc = from_8bit(&b, data, len, valid);
        }
    }
    if (rc == 0 && b.len == 0)
        rc = iqn_buf_add(&b, "", 0);
    if (rc != 0 || iqn_buf_failed(&b)) {
        int toobig = b.toobig;
        iqn_buf_free(&b);
        return iqn_error_set(err, IQN_ENOMEM, toobig ? "text too large once converted to UTF-8"
                                                     : "out of memory converting the text to UTF-8");
    }
    *out = iqn_buf_steal(&b, outlen);
    return IQN_OK;
}

/* ---- XML ----------------------------------------------------------------------------------- */

/* The reader and the first error it reported. */
struct xml_doc {
    xmlTextReaderPtr reader;
    char first_error[256];
};

static void xml_error(void *arg, const char *msg, xmlParserSeverities severity, xmlTextReaderLocatorPtr loc)
{
    struct xml_doc *x = arg;
    if (x->first_error[0] || (severity != XML_PARSER_SEVERITY_ERROR && severity != XML_PARSER_SEVERITY_VALIDITY_ERROR))
        return;
    int line = loc ? xmlTextReaderLocatorLineNumber(loc) : 0;
    if (line > 0)
        snprintf(x->first_error, sizeof x->first_error, "line %d: %s", line, msg);
    else
        snprintf(x->first_error, sizeof x->first_error, "%s", msg);
    size_t n = strlen(x->first_error);
    while (n > 0 && (x->first_error[n - 1] == '\n' || x->first_error[n - 1] == ' '))
        x->first_error[--n] = '\0';
}

/* 1 if the prolog of the XML document data (before its root element) holds a DOCTYPE. */
static int has_doctype(const char *data, size_t len)
{
    const char *p = data, *end = data + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    for (;;) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
            p++;
        if (end - p >= 9 && memcmp(p, "<!DOCTYPE", 9) == 0)
            return 1;
        const char *close = NULL;
        if (end - p >= 2 && memcmp(p, "<?", 2) == 0)
            close = "?>";
        else if (end - p >= 4 && memcmp(p, "<!--", 4) == 0)
            close = "-->";
        if (!close)
            return 0;
        size_t cl = strlen(close);
        for (p += 2; p + cl <= end && memcmp(p, close, cl) != 0; p++)
            ;
        p += cl;
        if (p >= end)
            return 0;
    }
}

int iqn_ex_xml_walk(const char *data, size_t len, const char *what,
                    enum iqn_ex_visit (*visit)(const struct iqn_ex_node *n, void *ctx), void *ctx,
                    struct iqn_error *err)
{
    struct xml_doc x;
    struct iqn_ex_node n;
    int skip = -1; /* depth of the element whose subtree is skipped, or -1 */
    int rc = IQN_OK;

    memset(&x, 0, sizeof x);
    if (len > INT_MAX)
        return iqn_error_set(err, IQN_ENOMEM, "%s is too large", what);
    /* Office parts never carry a DTD: refusing one keeps entity tricks (billion laughs, external
     * entities) away from the parser altogether. */
    if (has_doctype(data, len))
        return iqn_error_set(err, IQN_EINVAL, "DOCTYPE (entity declarations) not allowed in %s", what);
    /* No NOENT (entities stay references), no DTDLOAD, no network: nothing is fetched or expanded. */
    x.reader = xmlReaderForMemory(data, (int)len, NULL, NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA |
                                      XML_PARSE_COMPACT);
    if (!x.reader)
        return iqn_error_set(err, IQN_ENOMEM, "cannot start the XML reader for %s", what);
    xmlTextReaderSetErrorHandler(x.reader, xml_error, &x);
    n.reader = x.reader;
    for (;;) {
        int r = xmlTextReaderRead(x.reader);
        if (r == 0)
            break;
        /* libxml2 has its own depth limit (256 too): its refusal gets our reason. */
        int too_deep = r < 0 ? strstr(x.first_error, "Excessive depth") != NULL
                             : xmlTextReaderDepth(x.reader) >= IQN_EX_XML_DEPTH_MAX;
        if (too_deep) {
            rc = iqn_error_set(err, IQN_EINVAL, "XML nested too deeply in %s (more than %d levels)", what,
                               IQN_EX_XML_DEPTH_MAX);
            break;
        }
        if (r < 0) {
            rc = iqn_error_set(err, IQN_EINVAL, "malformed XML in %s: %s", what,
                               x.first_error[0] ? x.first_error : "parse error");
            break;
        }
        n.depth = xmlTextReaderDepth(x.reader);
        n.type = xmlTextReaderNodeType(x.reader);
        n.empty = n.type == XML_READER_TYPE_ELEMENT && xmlTextReaderIsEmptyElement(x.reader);
        if (skip >= 0) {
            if (n.type == XML_READER_TYPE_END_ELEMENT && n.depth == skip)
                skip = -1;
            continue;
        }
        enum iqn_ex_visit v = visit(&n, ctx);
        if (v == IQN_EX_STOP)
            break;
        if (v == IQN_EX_SKIP_SUBTREE && n.type == XML_READER_TYPE_ELEMENT && !n.empty)
            skip = n.depth;
    }
    xmlFreeTextReader(x.reader);
    return rc;
}

int iqn_ex_xml_is(const struct iqn_ex_node *n, const char *ns, const char *local)
{
    if (n->type != XML_READER_TYPE_ELEMENT && n->type != XML_READER_TYPE_END_ELEMENT)
        return 0;
    const xmlChar *name = xmlTextReaderConstLocalName(n->reader);
    const xmlChar *uri = xmlTextReaderConstNamespaceUri(n->reader);
    return name && uri && strcmp((const char *)name, local) == 0 && strcmp((const char *)uri, ns) == 0;
}

const char *iqn_ex_xml_text(const struct iqn_ex_node *n)
{
    if (n->type != XML_READER_TYPE_TEXT && n->type != XML_READER_TYPE_CDATA &&
        n->type != XML_READER_TYPE_WHITESPACE && n->type != XML_READER_TYPE_SIGNIFICANT_WHITESPACE)
        return NULL;
    return (const char *)xmlTextReaderConstValue(n->reader);
}

/* Collecting metadata fields: the field being read, and its text so far. */
struct fields_state {
    struct iqn_ex_field *fields;
    size_t n;
    struct iqn_ex_field *cur;
    int cur_depth;
    struct iqn_textb t;
};

static enum iqn_ex_visit visit_field(const struct iqn_ex_node *n, void *ctx)
{
    struct fields_state *st = ctx;
    const char *text = iqn_ex_xml_text(n);
    if (!st->cur && n->type == XML_READER_TYPE_ELEMENT && !n->empty) {
        for (size_t i = 0; i < st->n; i++) {
            if (!st->fields[i].value && iqn_ex_xml_is(n, st->fields[i].ns, st->fields[i].local)) {
                st->cur = &st->fields[i];
                st->cur_depth = n->depth;
                break;
            }
        }
    } else if (st->cur && text) {
        iqn_textb_add(&st->t, text, strlen(text), 0);
    } else if (st->cur && n->type == XML_READER_TYPE_END_ELEMENT && n->depth == st->cur_depth) {
        size_t tlen;
        iqn_textb_take(&st->t, &st->cur->value, &tlen, NULL);
        iqn_textb_init(&st->t, IQN_EX_META_MAX);
        st->cur = NULL;
    }
    return IQN_EX_NEXT;
}

int iqn_ex_xml_fields(const char *data, size_t len, const char *what, struct iqn_ex_field *fields,
                      size_t n, struct iqn_error *err)
{
    struct fields_state st = {fields, n, NULL, 0, {0}};
    iqn_textb_init(&st.t, IQN_EX_META_MAX);
    int rc = iqn_ex_xml_walk(data, len, what, visit_field, &st, err);
    iqn_textb_free(&st.t);
    return rc;
}
