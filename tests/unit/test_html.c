/* test_html.c - the escaping HTML builder (searchd/html.c), the page strings' EN/FR parity and
 * their number and date formats (searchd/ui_i18n.c): tables of cases with ids. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "html.h"
#include "ui_i18n.h"
#include "vocab.h"

/* The document's text so far, NUL-terminated ("" when empty). */
static const char *doc(struct iqn_html *h)
{
    return h->b.data ? h->b.data : "";
}

struct text_case {
    const char *id;
    const char *in;
    size_t len; /* 0: strlen */
    const char *out;
};

static const struct text_case text_cases[] = {
    {"text-plain", "Ontario", 0, "Ontario"},
    {"text-lt-gt", "<script>alert(1)</script>", 0, "&lt;script&gt;alert(1)&lt;/script&gt;"},
    {"text-amp", "R&D", 0, "R&amp;D"},
    {"text-quotes", "\"double\" 'single'", 0, "&quot;double&quot; &#39;single&#39;"},
    {"text-utf8", "Évaluation des diplômes « ok »", 0, "Évaluation des diplômes « ok »"},
    {"text-control", "a\x01" "b\x7f" "c", 0, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c"},
    {"text-keeps-whitespace", "a\tb\nc\r", 0, "a\tb\nc\r"},
    {"text-bad-utf8", "a\xff" "b\xc3", 0, "a\xef\xbf\xbd" "b\xef\xbf\xbd"},
    {"text-overlong", "\xc0\xaf", 0, "\xef\xbf\xbd\xef\xbf\xbd"},
    {"text-c1-control", "x\xc2\x85y", 0, "x\xef\xbf\xbdy"},
    {"text-nul-inside", "a\0<b", 3, "a\xef\xbf\xbd&lt;"},
    {"text-already-escaped", "&lt;", 0, "&amp;lt;"},
};

static const struct text_case snippet_cases[] = {
    {"snip-mark", "the <mark>nurse</mark> program", 0, "the <mark>nurse</mark> program"},
    {"snip-entities", "R&amp;D &lt;b&gt; &#39;x&#39; &#x27;", 0, "R&amp;D &lt;b&gt; &#39;x&#39; &#x27;"},
    {"snip-raw-tag", "<b>bold</b>", 0, "&lt;b&gt;bold&lt;/b&gt;"},
    {"snip-script", "<mark><script>x</script></mark>", 0, "<mark>&lt;script&gt;x&lt;/script&gt;</mark>"},
    {"snip-attr-in-mark", "<mark onclick=x>y</mark>", 0, "&lt;mark onclick=x&gt;y&lt;/mark&gt;"},
    {"snip-unbalanced-close", "a</mark>b", 0, "a&lt;/mark&gt;b"},
    {"snip-unclosed", "<mark>open", 0, "<mark>open</mark>"},
    {"snip-nested", "<mark><mark>x</mark></mark>", 0, "<mark>&lt;mark&gt;x</mark>&lt;/mark&gt;"},
    {"snip-bare-amp", "a & b &c; &#; &#xZZ;", 0, "a &amp; b &c; &amp;#; &amp;#xZZ;"},
    {"snip-quote", "\"q\"", 0, "&quot;q&quot;"},
    {"snip-control", "a\x02<mark>b</mark>", 0, "a\xef\xbf\xbd<mark>b</mark>"},
};

struct url_case {
    const char *id;
    const char *name;
    const char *value;
    const char *out;
};

static const struct url_case url_cases[] = {
    {"url-plain", "q", "nurse", "/s?q=nurse"},
    {"url-space-plus", "q", "registered nurse", "/s?q=registered+nurse"},
    {"url-reserved", "q", "a&b=c?d/e#f+g", "/s?q=a%26b%3Dc%3Fd%2Fe%23f%2Bg"},
    {"url-utf8", "q", "infirmière", "/s?q=infirmi%C3%A8re"},
    {"url-quote-lt", "q", "\"<x>'", "/s?q=%22%3Cx%3E%27"},
    {"url-unreserved", "q", "a-b_c.d~e", "/s?q=a-b_c.d~e"},
};

static void test_text(void)
{
    for (size_t i = 0; i < sizeof text_cases / sizeof text_cases[0]; i++) {
        const struct text_case *c = &text_cases[i];
        struct iqn_html h;
        iqn_html_init(&h, 4096);
        iqn_html_textn(&h, c->in, c->len ? c->len : strlen(c->in));
        check_str(c->id, c->out, doc(&h));
        iqn_html_free(&h);
    }
}

static void test_snippet(void)
{
    for (size_t i = 0; i < sizeof snippet_cases / sizeof snippet_cases[0]; i++) {
        const struct text_case *c = &snippet_cases[i];
        struct iqn_html h;
        iqn_html_init(&h, 4096);
        iqn_html_snippet(&h, c->in);
        check_str(c->id, c->out, doc(&h));
        iqn_html_free(&h);
    }
}

static void test_markup(void)
{
    struct iqn_html h;
    iqn_html_init(&h, 4096);
    IQN_HTML(&h, "<a");
    IQN_HTML_ATTR(&h, "href", "/x?a=1&b=\"2\"");
    IQN_HTML_ATTR(&h, "title", NULL); /* left out */
    IQN_HTML_ATTRF(&h, "data-n", "%d<%s", 3, "4");
    IQN_HTML(&h, ">");
    IQN_HTML_TEXTF(&h, "%s & %d", "<b>", 5);
    IQN_HTML_ELEM(&h, "<span>", "'q'", "</span>");
    IQN_HTML(&h, "</a>");
    check_str("markup-attr-text",
              "<a href=\"/x?a=1&amp;b=&quot;2&quot;\" data-n=\"3&lt;4\">&lt;b&gt; &amp; 5<span>&#39;q&#39;</span></a>",
              doc(&h));
    check_int("markup-ok", 0, iqn_buf_failed(&h.b));
    iqn_html_free(&h);

    iqn_html_init(&h, 16);
    IQN_HTML(&h, "<p>");
    iqn_html_text(&h, "a text longer than the cap of sixteen bytes");
    check_int("markup-cap", 1, iqn_buf_failed(&h.b));
    iqn_html_free(&h);

    iqn_html_init(&h, 64);
    iqn_html_text(&h, NULL);
    iqn_html_snippet(&h, NULL);
    check_str("markup-null", "", doc(&h));
    iqn_html_free(&h);
}

static void test_urls(void)
{
    for (size_t i = 0; i < sizeof url_cases / sizeof url_cases[0]; i++) {
        const struct url_case *c = &url_cases[i];
        struct iqn_buf u;
        iqn_buf_init(&u, 1024);
        iqn_buf_adds(&u, "/s");
        iqn_url_param(&u, c->name, c->value);
        check_str(c->id, c->out, u.data);
        iqn_buf_free(&u);
    }
    struct iqn_buf u;
    iqn_buf_init(&u, 1024);
    iqn_buf_adds(&u, "/s");
    iqn_url_param(&u, "a", "1");
    iqn_url_param(&u, "b", "2");
    check_str("url-second-param", "/s?a=1&b=2", u.data);
    iqn_buf_reset(&u);
    iqn_buf_adds(&u, "/en/records/");
    iqn_url_segment(&u, "a b/c?");
    check_str("url-segment", "/en/records/a%20b%2Fc%3F", u.data);
    iqn_buf_free(&u);
}

/* Every message, field label and path exists in both languages, and they differ where they must. */
static void test_parity(void)
{
    int missing = 0;
    char id[64];
    for (int m = 0; m < IQN_T_COUNT; m++) {
        if (!*iqn_ui_t(IQN_LANG_EN, m) || !*iqn_ui_t(IQN_LANG_FR, m)) {
            snprintf(id, sizeof id, "parity-msg-%d", m);
            check_report(id, 0, "a message is missing in one language");
            missing++;
        }
    }
    for (int f = 0; f < IQN_F_COUNT; f++) {
        if (!*iqn_ui_field(IQN_LANG_EN, f) || !*iqn_ui_field(IQN_LANG_FR, f)) {
            snprintf(id, sizeof id, "parity-field-%d", f);
            check_report(id, 0, "a field label is missing in one language");
            missing++;
        }
    }
    check_int("parity-all-present", 0, missing);
    check_str("parity-search-en", "/en/search", iqn_ui_path(IQN_LANG_EN, IQN_ROUTE_SEARCH));
    check_str("parity-search-fr", "/fr/recherche", iqn_ui_path(IQN_LANG_FR, IQN_ROUTE_SEARCH));
    check_str("parity-record-fr", "/fr/dossiers/", iqn_ui_path(IQN_LANG_FR, IQN_ROUTE_RECORD));
    check_str("parity-feed-fr", "/fr/fil", iqn_ui_path(IQN_LANG_FR, IQN_ROUTE_FEED));
    check_str("parity-toggle-en", "Français", iqn_ui_t(IQN_LANG_EN, IQN_T_OTHER_LANG_NAME));
    check_str("parity-toggle-fr", "English", iqn_ui_t(IQN_LANG_FR, IQN_T_OTHER_LANG_NAME));
    check_str("parity-facet-fr", "Province ou territoire", iqn_ui_facet(IQN_LANG_FR, IQN_FACET_PROVINCE));
}

struct fmt_case {
    const char *id;
    int lang;
    const char *in;
    unsigned long long n;
    const char *out;
    int rc;
};

static const struct fmt_case number_cases[] = {
    {"num-en-0", IQN_LANG_EN, NULL, 0, "0", 0},
    {"num-en-999", IQN_LANG_EN, NULL, 999, "999", 0},
    {"num-en-1234", IQN_LANG_EN, NULL, 1234, "1,234", 0},
    {"num-en-1234567", IQN_LANG_EN, NULL, 1234567, "1,234,567", 0},
    {"num-fr-1234", IQN_LANG_FR, NULL, 1234, "1\u00a0234", 0},
    {"num-fr-100000", IQN_LANG_FR, NULL, 100000, "100\u00a0000", 0},
};

static const struct fmt_case date_cases[] = {
    {"date-en-day", IQN_LANG_EN, "2021-03-15", 0, "March 15, 2021", 0},
    {"date-fr-day", IQN_LANG_FR, "2021-03-15", 0, "15 mars 2021", 0},
    {"date-fr-first", IQN_LANG_FR, "2021-03-01", 0, "1er mars 2021", 0},
    {"date-en-first", IQN_LANG_EN, "2021-03-01", 0, "March 1, 2021", 0},
    {"date-en-month", IQN_LANG_EN, "2019-09", 0, "September 2019", 0},
    {"date-fr-month", IQN_LANG_FR, "2019-08", 0, "août 2019", 0},
    {"date-year", IQN_LANG_FR, "2019", 0, "2019", 0},
    {"date-time-ignored", IQN_LANG_EN, "2020-12-31T23:59:00Z", 0, "December 31, 2020", 0},
    {"date-bad-month", IQN_LANG_EN, "2020-13-01", 0, "2020-13-01", -1},
    {"date-not-date", IQN_LANG_EN, "soon", 0, "soon", -1},
    {"date-short", IQN_LANG_EN, "2020-1", 0, "2020-1", -1},
};

static void test_formats(void)
{
    char out[64];
    for (size_t i = 0; i < sizeof number_cases / sizeof number_cases[0]; i++) {
        const struct fmt_case *c = &number_cases[i];
        iqn_ui_number(c->lang, c->n, out, sizeof out);
        check_str(c->id, c->out, out);
    }
    iqn_ui_number(IQN_LANG_FR, 1234567ull, out, 6);
    check_int("num-cut-terminated", 1, strlen(out) < 6);
    for (size_t i = 0; i < sizeof date_cases / sizeof date_cases[0]; i++) {
        const struct fmt_case *c = &date_cases[i];
        int rc = iqn_ui_date(c->lang, c->in, out, sizeof out);
        check_str(c->id, c->out, out);
        check_int(c->id, c->rc, rc);
    }
}

int main(void)
{
    test_text();
    test_snippet();
    test_markup();
    test_urls();
    test_parity();
    test_formats();
    return check_summary("test_html");
}
