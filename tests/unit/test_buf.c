/* test_buf.c - unit tests of buf.c: the size cap, JSON string escaping, HTML escaping. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#include "check.h"

struct esc_case {
    const char *id;
    const char *in;
    size_t len;
    const char *want;
};

#define S(x) x, sizeof(x) - 1
static const struct esc_case json_cases[] = {
    {"json-plain-1", S("hello"), "\"hello\""},
    {"json-empty-1", S(""), "\"\""},
    {"json-quote-1", S("he said \"hi\""), "\"he said \\\"hi\\\"\""},
    {"json-backslash-1", S("a\\b"), "\"a\\\\b\""},
    {"json-newline-1", S("a\nb\r\tc"), "\"a\\nb\\r\\tc\""},
    {"json-control-1", S("\x01\x1f"), "\"\\u0001\\u001f\""},
    {"json-nul-1", S("a\0b"), "\"a\\u0000b\""},
    {"json-utf8-kept-1", S("Québec ’ 😀"), "\"Québec ’ 😀\""},
    {"json-invalid-1",
     S("a\xff"
       "b"),
     "\"a\\ufffdb\""},
    {"json-invalid-2", S("\xc3"), "\"\\ufffd\""},
    {"json-overlong-1", S("\xc0\xaf"), "\"\\ufffd\\ufffd\""},
    {"json-surrogate-1", S("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\""},
    {"json-slash-1", S("</script>"), "\"</script>\""},
    {"json-del-1", S("\x7f"), "\"\x7f\""},
};

static const struct esc_case html_cases[] = {
    {"html-plain-1", S("plain text"), "plain text"},
    {"html-all-1", S("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"},
    {"html-script-1", S("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;"},
    {"html-entity-1", S("&amp;"), "&amp;amp;"},
    {"html-utf8-1", S("l’évaluation"), "l’évaluation"},
    {"html-empty-1", S(""), ""},
};

static void test_cap(void)
{
    struct iqn_buf b;
    iqn_buf_init(&b, 10);
    CHECK("cap-under-1", iqn_buf_add(&b, "12345", 5) == 0 && b.len == 5 && !iqn_buf_failed(&b));
    check_str("cap-under-content-1", "12345", b.data);
    CHECK("cap-over-1", iqn_buf_add(&b, "123456", 6) == -1);
    CHECK("cap-toobig-1", b.toobig == 1 && iqn_buf_failed(&b));
    CHECK("cap-freed-1", b.data == NULL && b.len == 0);
    CHECK("cap-sticky-1", iqn_buf_adds(&b, "a") == -1 && iqn_buf_failed(&b));
    CHECK("cap-sticky-2", iqn_buf_addc(&b, 'a') == -1);
    CHECK("cap-sticky-3", iqn_buf_json_strz(&b, "x") == -1);
    iqn_buf_free(&b);

    iqn_buf_init(&b, 4);
    CHECK("cap-exact-1", iqn_buf_add(&b, "abcd", 4) == 0 && b.len == 4 && !b.toobig);
    CHECK("cap-exact-2", iqn_buf_addc(&b, 'e') == -1 && b.toobig);
    iqn_buf_free(&b);

    iqn_buf_init(&b, 100);
    CHECK("cap-addf-over-1", iqn_buf_addf(&b, "%0200d", 7) == -1 && b.toobig);
    iqn_buf_free(&b);

    /* Growth past the initial allocation keeps the contents. */
    iqn_buf_init(&b, 1u << 20);
    int rc = 0;
    for (int i = 0; i < 1000; i++)
        rc |= iqn_buf_addf(&b, "%03d,", i % 1000);
    CHECK("grow-1",
          rc == 0 && b.len == 4000 && strncmp(b.data, "000,001,", 8) == 0 && strcmp(b.data + 3996, "999,") == 0);
    iqn_buf_reset(&b);
    CHECK("reset-1", b.len == 0 && b.data && b.data[0] == '\0' && !iqn_buf_failed(&b));
    iqn_buf_adds(&b, "kept");
    size_t len = 0;
    char *s = iqn_buf_steal(&b, &len);
    check_str("steal-1", "kept", s);
    CHECK("steal-2", len == 4 && b.data == NULL && b.len == 0);
    free(s);
    s = iqn_buf_steal(&b, &len);
    CHECK("steal-empty-1", s && s[0] == '\0' && len == 0);
    free(s);
    iqn_buf_free(&b);

    /* An escape that would pass the cap fails the whole buffer. */
    iqn_buf_init(&b, 8);
    rc = iqn_buf_html(&b, "<<<", 3);
    CHECK("cap-html-1", rc == -1 && b.toobig);
    iqn_buf_free(&b);
}

static void run_cases(const struct esc_case *cases, size_t n, int json)
{
    for (size_t i = 0; i < n; i++) {
        const struct esc_case *c = &cases[i];
        struct iqn_buf b;
        iqn_buf_init(&b, 4096);
        int rc = json ? iqn_buf_json_str(&b, c->in, c->len) : iqn_buf_html(&b, c->in, c->len);
        if (rc != 0)
            check_report(c->id, 0, "escaping returned an error");
        else
            check_str(c->id, c->want, b.data ? b.data : "");
        iqn_buf_free(&b);
    }
}

int main(void)
{
    test_cap();
    run_cases(json_cases, CHECK_NELEM(json_cases), 1);
    run_cases(html_cases, CHECK_NELEM(html_cases), 0);
    struct iqn_buf b;
    iqn_buf_init(&b, 64);
    iqn_buf_json_strz(&b, NULL);
    check_str("json-null-1", "null", b.data);
    iqn_buf_free(&b);
    return check_summary("test_buf");
}
