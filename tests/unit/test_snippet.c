/* test_snippet.c - unit tests of snippet.c: matches wrapped in <mark>, text escaped, stemmed and
 * folded matches, the fallback to the start of the text, the passage chosen in a long text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "snippet.h"

#include "check.h"

struct term {
    const char *s;
    int stemmed;
};

struct snip_case {
    const char *id;
    const char *lang;
    struct term terms[4]; /* up to 4, ended by a NULL s */
    const char *texts[2]; /* summary, body (NULL: absent) */
    const char *must[3];  /* substrings the snippet must contain */
    const char *never[2]; /* substrings it must not contain */
};

static const struct snip_case cases[] = {
    {"mark-word-1",
     "en",
     {{"nurses", 0}},
     {"Bridging programs for nurses in Ontario.", NULL},
     {"<mark>nurses</mark>", "Bridging programs for ", NULL},
     {NULL}},
    {"mark-stem-1",
     "en",
     {{"nurs", 1}},
     {"Bridging for internationally educated nurses and a nurse.", NULL},
     {"<mark>nurses</mark>", "<mark>nurse</mark>", NULL},
     {"<mark>internationally", NULL}},
    {"mark-stem-fr-1",
     "fr",
     {{"infirmi", 1}},
     {"Programme pour les infirmières formées à l'étranger.", NULL},
     {"<mark>infirmières</mark>", NULL},
     {NULL}},
    {"mark-case-1",
     "en",
     {{"ontario", 0}},
     {"Nurses in ONTARIO and Ontario.", NULL},
     {"<mark>ONTARIO</mark>", "<mark>Ontario</mark>", NULL},
     {NULL}},
    {"mark-folded-1",
     "fr",
     {{"evaluation", 0}},
     {"Guide de l’évaluation des diplômes.", NULL},
     {"<mark>l’évaluation</mark>", NULL},
     {NULL}},
    {"mark-folded-2",
     "fr",
     {{"diplomes", 0}},
     {"Guide de l’évaluation des diplômes.", NULL},
     {"<mark>diplômes</mark>", NULL},
     {NULL}},
    {"escape-script-1",
     "en",
     {{"nurses", 0}},
     {"<script>alert(1)</script> for nurses & doctors", NULL},
     {"&lt;script&gt;", "<mark>nurses</mark>", "&amp;"},
     {"<script", NULL}},
    {"escape-script-2",
     "en",
     {{"script", 0}},
     {"<script>alert(1)</script>", NULL},
     {"&lt;<mark>script</mark>&gt;", NULL},
     {"<script", NULL}},
    {"escape-quotes-1",
     "en",
     {{"zzz", 0}},
     {"He said \"hi\" & 'bye'", NULL},
     {"&quot;hi&quot;", "&#39;bye&#39;", "&amp;"},
     {"\"hi\"", NULL}},
    {"no-match-start-1",
     "en",
     {{"zebra", 0}},
     {"First words of the summary. More text follows.", NULL},
     {"First words of the summary.", NULL},
     {"<mark>", "…"}},
    {"no-match-empty-summary-1",
     "en",
     {{"zebra", 0}},
     {"", "Body text starts here."},
     {"Body text starts here.", NULL},
     {"<mark>", NULL}},
    {"no-terms-1",
     "en",
     {{NULL, 0}},
     {"Plain summary <b>text</b>.", NULL},
     {"Plain summary &lt;b&gt;text&lt;/b&gt;.", NULL},
     {"<mark>", "<b>"}},
    {"body-match-1",
     "en",
     {{"ventilators", 0}},
     {"A summary without the word.", "The body mentions ventilators."},
     {"<mark>ventilators</mark>", NULL},
     {NULL}},
    {"no-partial-1",
     "en",
     {{"nurse", 0}},
     {"nursery nurses nurse", NULL},
     {"nursery nurses <mark>nurse</mark>", NULL},
     {"<mark>nursery", "<mark>nurses"}},
};

static void run_case(const struct snip_case *c)
{
    struct iqn_highlight *h = iqn_highlight_new(c->lang);
    if (!h) {
        check_report(c->id, 0, "iqn_highlight_new failed");
        return;
    }
    for (int i = 0; i < 4 && c->terms[i].s; i++)
        iqn_highlight_add(h, c->terms[i].s, strlen(c->terms[i].s), c->terms[i].stemmed);
    const char *texts[2] = {c->texts[0], c->texts[1]};
    size_t lens[2] = {texts[0] ? strlen(texts[0]) : 0, texts[1] ? strlen(texts[1]) : 0};
    struct iqn_buf out;
    iqn_buf_init(&out, 64 * 1024);
    int rc = iqn_snippet(h, texts, lens, 2, 240, &out);
    const char *s = out.data ? out.data : "";
    int ok = rc == 0;
    for (int i = 0; i < 3 && c->must[i]; i++)
        ok = ok && strstr(s, c->must[i]) != NULL;
    for (int i = 0; i < 2 && c->never[i]; i++)
        ok = ok && strstr(s, c->never[i]) == NULL;
    char what[2048];
    snprintf(what, sizeof what, "rc %d, snippet \"%s\" (must have \"%s\"%s%s, never \"%s\")", rc, s, c->must[0],
             c->must[1] ? ", " : "", c->must[1] ? c->must[1] : "", c->never[0] ? c->never[0] : "");
    check_report(c->id, ok, what);
    iqn_buf_free(&out);
    iqn_highlight_free(h);
}

static void test_long_text(void)
{
    /* 300 filler words, then the match: the snippet starts near the match, is cut with "…",
     * and stays around the requested size. */
    struct iqn_buf text;
    iqn_buf_init(&text, 1 << 20);
    for (int i = 0; i < 300; i++)
        iqn_buf_addf(&text, "filler%d ", i);
    iqn_buf_adds(&text, "the credential assessment of engineers happens here. ");
    for (int i = 0; i < 300; i++)
        iqn_buf_addf(&text, "after%d ", i);
    struct iqn_highlight *h = iqn_highlight_new("en");
    iqn_highlight_add(h, "credential", 10, 0);
    iqn_highlight_add(h, "engineers", 9, 0);
    const char *texts[1] = {text.data};
    size_t lens[1] = {text.len};
    struct iqn_buf out;
    iqn_buf_init(&out, 64 * 1024);
    int rc = iqn_snippet(h, texts, lens, 1, 240, &out);
    const char *s = out.data ? out.data : "";
    CHECK("long-rc", rc == 0);
    check_contains("long-mark-1", s, "<mark>credential</mark>");
    check_contains("long-mark-2", s, "<mark>engineers</mark>");
    CHECK("long-cut-start", strncmp(s, "… ", strlen("… ")) == 0);
    CHECK("long-cut-end", out.len >= 4 && strcmp(s + out.len - 4, " …") == 0);
    check_lacks("long-no-filler-0", s, "filler0 ");
    CHECK("long-bounded", out.len < 600);
    iqn_buf_free(&out);

    /* The passage with both terms beats one with a single term earlier on. */
    iqn_buf_reset(&text);
    iqn_buf_adds(&text, "credential alone at the start. ");
    for (int i = 0; i < 100; i++)
        iqn_buf_addf(&text, "w%d ", i);
    iqn_buf_adds(&text, "credential engineers together.");
    texts[0] = text.data;
    lens[0] = text.len;
    iqn_buf_init(&out, 64 * 1024);
    iqn_snippet(h, texts, lens, 1, 240, &out);
    check_contains("best-window-1", out.data, "<mark>credential</mark> <mark>engineers</mark> together.");
    iqn_buf_free(&out);
    iqn_highlight_free(h);
    iqn_buf_free(&text);
}

static void test_terms(void)
{
    struct iqn_highlight *h = iqn_highlight_new("en");
    iqn_highlight_add(h, "nurses", 6, 0);
    iqn_highlight_add(h, "nurses", 6, 0);
    iqn_highlight_add(h, "engin", 5, 1);
    iqn_highlight_add(h, "", 0, 0);
    check_int("terms-dedup", 2, (long long)iqn_highlight_count(h));
    check_int("match-word", 0, iqn_highlight_match(h, "Nurses", 6));
    check_int("match-stem", 1, iqn_highlight_match(h, "engineering", 11));
    check_int("match-none", -1, iqn_highlight_match(h, "doctors", 7));
    iqn_highlight_free(h);
    iqn_highlight_free(NULL);

    /* No texts at all: nothing written, no failure. */
    h = iqn_highlight_new("en");
    const char *texts[2] = {NULL, ""};
    size_t lens[2] = {0, 0};
    struct iqn_buf out;
    iqn_buf_init(&out, 1024);
    int rc = iqn_snippet(h, texts, lens, 2, 240, &out);
    CHECK("empty-texts", rc == 0 && out.len == 0);
    iqn_buf_free(&out);
    iqn_highlight_free(h);
}

/* Words are looked up once and remembered: the answers must stay right when the remembered words
 * fill up (thousands of distinct words) and when a term is added after a snippet was made. */
static void test_word_cache(void)
{
    struct iqn_buf text;
    iqn_buf_init(&text, 1 << 20);
    for (int i = 0; i < 5000; i++)
        iqn_buf_addf(&text, "word%d Nurses ", i);
    iqn_buf_adds(&text, "the Engineers assessed. ");
    struct iqn_highlight *h = iqn_highlight_new("en");
    iqn_highlight_add(h, "engin", 5, 1);
    const char *texts[1] = {text.data};
    size_t lens[1] = {text.len};
    struct iqn_buf out;
    iqn_buf_init(&out, 64 * 1024);
    iqn_snippet(h, texts, lens, 1, 240, &out);
    check_contains("cache-full-mark", out.data ? out.data : "", "<mark>Engineers</mark>");
    check_lacks("cache-full-no-nurses", out.data ? out.data : "", "<mark>Nurses");
    iqn_buf_free(&out);

    /* "Nurses" was looked up (no match) above; once a term for it is added, it matches. */
    iqn_highlight_add(h, "nurses", 6, 0);
    const char *short_text[1] = {"Nurses and nurses, then engineers."};
    size_t short_len[1] = {strlen(short_text[0])};
    iqn_buf_init(&out, 64 * 1024);
    iqn_snippet(h, short_text, short_len, 1, 240, &out);
    check_str("cache-after-add", "<mark>Nurses</mark> and <mark>nurses</mark>, then <mark>engineers</mark>.",
              out.data ? out.data : "");
    check_int("cache-match-again", 1, iqn_highlight_match(h, "NURSES", 6));
    iqn_buf_free(&out);
    iqn_highlight_free(h);
    iqn_buf_free(&text);
}

int main(void)
{
    for (size_t i = 0; i < CHECK_NELEM(cases); i++)
        run_case(&cases[i]);
    test_long_text();
    test_terms();
    test_word_cache();
    return check_summary("test_snippet");
}
