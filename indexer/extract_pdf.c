/* extract_pdf.c - PDF through poppler-glib: page text reflowed into paragraphs, and the info
 * dictionary. Poppler is a large C++ parser: callers run it isolated (iqn_extract_isolated). */
#include "extract_pdf.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <poppler.h>

#include "extract_util.h"

/* Number of characters (not bytes) in s[0..n). */
static size_t char_count(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

static int is_lower_start(const char *s, size_t n)
{
    unsigned char c = n ? (unsigned char)s[0] : 0;
    /* ASCII lower case, or a Latin-1 lower-case letter (U+00DF..U+00FF: C3 9F..C3 BF). */
    return (c >= 'a' && c <= 'z') || (c == 0xC3 && n > 1 && (unsigned char)s[1] >= 0x9F);
}

static int is_letter_end(const char *s, size_t n)
{
    unsigned char c = n ? (unsigned char)s[n - 1] : 0;
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/* Does the line end a sentence (., !, ?, :, maybe followed by a closing quote or bracket)? */
static int ends_sentence(const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == '"' || s[n - 1] == ')' || s[n - 1] == '\''))
        n--;
    if (n >= 3 && (unsigned char)s[n - 3] == 0xE2 && (unsigned char)s[n - 2] == 0x80) /* ’ ” */
        n -= 3;
    return n > 0 && (s[n - 1] == '.' || s[n - 1] == '!' || s[n - 1] == '?' || s[n - 1] == ':');
}

/* Add one page's text: blank lines and short lines ending a sentence end paragraphs, long
 * (wrapped) lines are joined with a space, other short lines keep their line break, and a word
 * hyphenated at the end of a line is joined to its end on the next line. */
static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* The length a full (wrapped) line has on this page: the 75th percentile of the line lengths in
 * characters, so that a few overlong lines (a heading set wide, a table row) do not decide it. */
static size_t full_line(const char *text)
{
    size_t n = 1, k = 0, full = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    size_t *lens = malloc(n * sizeof *lens);
    if (!lens)
        return 0;
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len > 0 && k < n)
            lens[k++] = char_count(p, len);
        p += len + (e != NULL);
    }
    if (k > 0) {
        qsort(lens, k, sizeof *lens, cmp_size);
        full = lens[k * 3 / 4];
    }
    free(lens);
    return full;
}

/* Add one page's text: blank lines and short lines ending a sentence end paragraphs, long
 * (wrapped) lines are joined with a space, other short lines keep their line break, and a word
 * hyphenated at the end of a line is joined to its end on the next line. */
static void add_page(struct iqn_textb *t, const char *text)
{
    size_t maxlen = full_line(text);
    const char *prev = NULL;
    size_t prevlen = 0;
    for (const char *p = text;;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\r' || p[n - 1] == '\f' || p[n - 1] == '\t'))
            n--;
        while (n > 0 && (*p == ' ' || *p == '\f' || *p == '\t')) {
            p++;
            n--;
        }
        if (n == 0) {
            if (prev)
                iqn_textb_add(t, prev, prevlen, 0);
            iqn_textb_break(t, IQN_EX_PARA);
            prev = NULL;
        } else {
            if (prev) {
                int hyphen = prevlen >= 2 && prev[prevlen - 1] == '-' && is_letter_end(prev, prevlen - 1) &&
                             is_lower_start(p, n);
                iqn_textb_add(t, prev, hyphen ? prevlen - 1 : prevlen, 0);
                if (!hyphen) {
                    int wrapped = char_count(prev, prevlen) * 10 >= maxlen * 7;
                    if (wrapped)
                        iqn_textb_break(t, IQN_EX_SPACE);
                    else
                        iqn_textb_break(t, ends_sentence(prev, prevlen) ? IQN_EX_PARA : IQN_EX_LINE);
                }
            }
            prev = p;
            prevlen = n;
        }
        if (!e)
            break;
        p = e + 1;
    }
    if (prev)
        iqn_textb_add(t, prev, prevlen, 0);
    iqn_textb_break(t, IQN_EX_PARA);
}

/* A metadata string from poppler (g_free'd here), cleaned. */
static char *meta(gchar *v)
{
    char *s = v ? iqn_ex_clean(v, strlen(v)) : NULL;
    g_free(v);
    return s;
}

static char *date_of(GDateTime *dt)
{
    char buf[16];
    if (!dt)
        return NULL;
    gint y, m, d;
    g_date_time_get_ymd(dt, &y, &m, &d);
    g_date_time_unref(dt);
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return iqn_ex_iso_date(buf);
}

/* Poppler sets up its global state on first use without a lock, and is not meant to be shared by
 * threads: in-process PDF extraction is one at a time (the isolated helper is single-threaded). */
static pthread_mutex_t poppler_lock = PTHREAD_MUTEX_INITIALIZER;

static int extract_locked(const char *data, size_t len, struct iqn_extracted *out, struct iqn_error *err);

int iqn_ex_pdf(const char *data, size_t len, struct iqn_extracted *out, struct iqn_error *err)
{
    pthread_mutex_lock(&poppler_lock);
    int rc = extract_locked(data, len, out, err);
    pthread_mutex_unlock(&poppler_lock);
    return rc;
}

static int extract_locked(const char *data, size_t len, struct iqn_extracted *out, struct iqn_error *err)
{
    struct iqn_textb t;
    GBytes *bytes = NULL;
    GError *gerr = NULL;
    PopplerDocument *doc = NULL;
    int rc;

    iqn_textb_init(&t, IQN_EXTRACT_TEXT_MAX);
    if (len > INT_MAX) {
        rc = iqn_error_set(err, IQN_ENOMEM, "PDF too large (%zu bytes)", len);
        goto fail;
    }
    bytes = g_bytes_new_static(data, len);
    doc = poppler_document_new_from_bytes(bytes, NULL, &gerr);
    if (!doc) {
        if (gerr && gerr->domain == POPPLER_ERROR && gerr->code == POPPLER_ERROR_ENCRYPTED)
            rc = iqn_error_set(err, IQN_EINVAL, "PDF is encrypted");
        else
            rc = iqn_error_set(err, IQN_EINVAL, "malformed PDF: %s", gerr && gerr->message ? gerr->message : "cannot open");
        goto fail;
    }
    int pages = poppler_document_get_n_pages(doc);
    for (int i = 0; i < pages && !t.truncated; i++) {
        PopplerPage *page = poppler_document_get_page(doc, i);
        if (!page)
            continue;
        char *text = poppler_page_get_text(page);
        if (text) {
            add_page(&t, text);
            g_free(text);
        }
        g_object_unref(page);
    }
    if (t.len == 0) {
        rc = iqn_error_set(err, IQN_EINVAL, pages > 0 ? "no text (image-only PDF?)" : "malformed PDF: no pages");
        goto fail;
    }
    out->title = meta(poppler_document_get_title(doc));
    out->author = meta(poppler_document_get_author(doc));
    out->summary = meta(poppler_document_get_subject(doc));
    out->date = date_of(poppler_document_get_creation_date_time(doc));
    if (!out->date)
        out->date = date_of(poppler_document_get_modification_date_time(doc));
    rc = iqn_textb_take(&t, &out->text, &out->text_len, err);
fail:
    if (doc)
        g_object_unref(doc);
    if (bytes)
        g_bytes_unref(bytes);
    if (gerr)
        g_error_free(gerr);
    iqn_textb_free(&t);
    return rc;
}
