/* test_extract.c - unit tests of the extractors' shared pieces (dates, language tags, charsets,
 * the text builder), the language detector, and iqn_extract_isolated called from several threads
 * at once: right results, a crash reported as a reason, and no file descriptor or child left over. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "extract.h"
#include "extract_util.h"

#include "check.h"

struct str_case {
    const char *id;
    const char *in;
    const char *want; /* NULL: no result */
};

static const struct str_case date_cases[] = {
    {"date-iso-1", "2013-01-15T10:00:00Z", "2013-01-15"},
    {"date-iso-2", " 2004-09", "2004-09"},
    {"date-iso-3", "2004", "2004"},
    {"date-pdf-1", "D:20040924101112+10'00'", "2004-09-24"},
    {"date-compact-1", "20040924", "2004-09-24"},
    {"date-slash-1", "2004/09/24", "2004-09-24"},
    {"date-mixed-sep-1", "2004-0924", "2004-09"},
    {"date-bad-month-1", "2004-13-01", NULL},
    {"date-bad-day-1", "2004-12-32", NULL},
    {"date-words-1", "June 10, 2024", NULL},
    {"date-year-range-1", "0999", NULL},
    {"date-empty-1", "", NULL},
};

static const struct str_case lang_cases[] = {
    {"lang-en-1", "en", "en"},       {"lang-en-2", "en-US", "en"},  {"lang-en-3", "English", "en"},
    {"lang-en-4", "eng", "en"},      {"lang-fr-1", "fr_CA", "fr"},  {"lang-fr-2", "FRA", "fr"},
    {"lang-fr-3", "fran\xc3\xa7" "ais", "fr"}, {"lang-fr-4", " fr-ca", "fr"}, {"lang-de-1", "de-DE", NULL},
    {"lang-empty-1", "", NULL},      {"lang-long-1", "englishenglishenglish", NULL},
};

struct conv_case {
    const char *id;
    const char *in;
    size_t len;
    const char *charset;
    const char *want;
};

#define S(x) x, sizeof(x) - 1
static const struct conv_case conv_cases[] = {
    {"conv-utf8-1", S("\xc3\xa9t\xc3\xa9"), NULL, "\xc3\xa9t\xc3\xa9"},
    {"conv-bom-1", S("\xef\xbb\xbf" "abc"), NULL, "abc"},
    {"conv-cp1252-1", S("\x93x\x94 caf\xe9 \x80"), NULL, "\xe2\x80\x9cx\xe2\x80\x9d caf\xc3\xa9 \xe2\x82\xac"},
    {"conv-latin1-1", S("caf\xe9"), "ISO-8859-1", "caf\xc3\xa9"},
    {"conv-utf8-mixed-1", S("\xc3\xa9 \xe9"), "utf-8", "\xc3\xa9 \xc3\xa9"},
    {"conv-utf16le-1", S("\xff\xfe" "a\0\xe9\0"), NULL, "a\xc3\xa9"},
    {"conv-utf16be-1", S("\xfe\xff\0a\0\xe9"), NULL, "a\xc3\xa9"},
    {"conv-utf16-pair-1", S("\xff\xfe\x3d\xd8\x00\xde"), NULL, "\xf0\x9f\x98\x80"},
    {"conv-iconv-1", S("\xa4"), "iso-8859-15", "\xe2\x82\xac"},
    {"conv-unknown-1", S("caf\xe9"), "x-no-such-charset", "caf\xc3\xa9"},
};

static void test_dates_and_langs(void)
{
    for (size_t i = 0; i < CHECK_NELEM(date_cases); i++) {
        char *d = iqn_ex_iso_date(date_cases[i].in);
        check_str(date_cases[i].id, date_cases[i].want, d);
        free(d);
    }
    for (size_t i = 0; i < CHECK_NELEM(lang_cases); i++)
        check_str(lang_cases[i].id, lang_cases[i].want, iqn_ex_lang(lang_cases[i].in));
}

static void test_charsets(void)
{
    for (size_t i = 0; i < CHECK_NELEM(conv_cases); i++) {
        const struct conv_case *c = &conv_cases[i];
        char *out = NULL;
        size_t len = 0;
        int rc = iqn_ex_to_utf8(c->in, c->len, c->charset, &out, &len, NULL);
        check_str(c->id, c->want, rc == IQN_OK ? out : "(failed)");
        free(out);
    }
}

static void test_text_builder(void)
{
    struct iqn_textb t;
    char *s;
    size_t n;
    iqn_textb_init(&t, 1000);
    iqn_textb_break(&t, IQN_EX_PARA); /* leading breaks are dropped */
    iqn_textb_add(&t, S("  a \t b\n c  "), 0);
    iqn_textb_break(&t, IQN_EX_LINE);
    iqn_textb_break(&t, IQN_EX_PARA);
    iqn_textb_add(&t, S("d\xc2\xa0" "e\x01\xc2\xad" "f\xff"), 0);
    iqn_textb_break(&t, IQN_EX_LINE);
    iqn_textb_add(&t, S("g\nh"), 1);
    iqn_textb_break(&t, IQN_EX_PARA); /* trailing breaks too */
    iqn_textb_take(&t, &s, &n, NULL);
    check_str("textb-breaks-1", "a b c\n\nd ef\xef\xbf\xbd\ng\nh", s);
    check_int("textb-len-1", (long long)strlen(s), (long long)n);
    free(s);

    iqn_textb_init(&t, 5);
    iqn_textb_add(&t, S("abcd\xc3\xa9"), 0);
    CHECK("textb-cap-1", t.truncated);
    iqn_textb_take(&t, &s, &n, NULL);
    check_str("textb-cap-2", "abcd", s); /* cut before the 2-byte character, not inside it */
    free(s);

    /* Words and single spaces go in as one run; cut at the bound, the text never ends with the
     * space that would have come before a next word. */
    for (size_t cap = 1; cap <= 12; cap++) {
        char id[32];
        static const char *const want[] = {"", "a", "ab", "ab", "ab c", "ab cd", "ab cd", "ab cd e", "ab cd e",
                                           "ab cd e f", "ab cd e f", "ab cd e f", "ab cd e f"};
        iqn_textb_init(&t, cap);
        iqn_textb_add(&t, S("ab cd  e f"), 0);
        iqn_textb_take(&t, &s, &n, NULL);
        snprintf(id, sizeof id, "textb-cap-run-%zu", cap);
        check_str(id, want[cap][0] ? want[cap] : NULL, s);
        free(s);
    }

    iqn_textb_init(&t, 100);
    iqn_textb_add(&t, S(" \n "), 0);
    iqn_textb_take(&t, &s, &n, NULL);
    CHECK("textb-empty-1", s == NULL && n == 0);
}

static void test_langdetect(void)
{
    static const struct str_case cases[] = {
        {"detect-en-1", "The report describes how the members of the network work with their clients.", "en"},
        {"detect-fr-1", "Le rapport d\xc3\xa9" "crit comment les membres du r\xc3\xa9seau travaillent avec leurs clients.",
         "fr"},
        {"detect-fr-2", "L'\xc3\xa9valuation des besoins et la qualit\xc3\xa9 des services offerts aux familles.", "fr"},
        {"detect-short-1", "Montr\xc3\xa9" "al", NULL},
        {"detect-empty-1", "", NULL},
        {"detect-numbers-1", "12 34 56 78 90", NULL},
    };
    for (size_t i = 0; i < CHECK_NELEM(cases); i++)
        check_str(cases[i].id, cases[i].want, iqn_detect_lang(cases[i].in, strlen(cases[i].in)));
}

/* ---- isolated extraction from several threads -------------------------------------------- */

#define THREADS 4
#define ROUNDS 6

static const char page[] = "<html lang='en'><head><title>T</title><script>x()</script></head>"
                           "<body><nav>menu</nav><p>Hello <b>world</b></p></body></html>";

struct worker {
    int id;
    int ok, crashed, wrong;
    char last_error[512];
};

static void *work(void *arg)
{
    struct worker *w = arg;
    struct iqn_extract_limits lim = {20, 512 * 1024 * 1024};
    for (int i = 0; i < ROUNDS; i++) {
        struct iqn_extracted x;
        struct iqn_error err;
        /* Every third document is one the test hook makes the helper crash on. */
        const char *name = (i + w->id) % 3 == 0 ? "crashme.html" : "page.html";
        int rc = iqn_extract_isolated(IQN_FMT_HTML, page, sizeof page - 1, name, &lim, &x, &err);
        if (strcmp(name, "crashme.html") == 0) {
            if (rc != IQN_OK && strstr(err.message, "extractor crashed (signal 11"))
                w->crashed++;
            else
                w->wrong++;
        } else if (rc == IQN_OK && x.text && strcmp(x.text, "Hello world") == 0 && x.title &&
                   strcmp(x.title, "T") == 0 && x.lang && strcmp(x.lang, "en") == 0) {
            w->ok++;
        } else {
            w->wrong++;
            snprintf(w->last_error, sizeof w->last_error, "%s", rc == IQN_OK ? (x.text ? x.text : "") : err.message);
        }
        iqn_extracted_free(&x);
    }
    return NULL;
}

static int count_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static void test_isolated_threads(void)
{
    pthread_t th[THREADS];
    struct worker w[THREADS];
    iqn_extract_set_helper(IQN_TEST_EXTRACT_HELPER);
    setenv("IQN_EXTRACT_TEST_HOOK", "crash:crashme", 1); /* before any thread starts */
    int before = count_fds();
    for (int i = 0; i < THREADS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].id = i;
        pthread_create(&th[i], NULL, work, &w[i]);
    }
    int ok = 0, crashed = 0, wrong = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        ok += w[i].ok;
        crashed += w[i].crashed;
        wrong += w[i].wrong;
        if (w[i].wrong)
            printf("worker %d: %s\n", i, w[i].last_error);
    }
    check_int("isolated-threads-ok-1", THREADS * ROUNDS - THREADS * ROUNDS / 3, ok);
    check_int("isolated-threads-crash-1", THREADS * ROUNDS / 3, crashed);
    check_int("isolated-threads-wrong-1", 0, wrong);
    check_int("isolated-threads-fds-1", before, count_fds());
    errno = 0;
    CHECK("isolated-threads-no-zombie-1", waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
    unsetenv("IQN_EXTRACT_TEST_HOOK");

    /* A helper that cannot be started is a reason, not a crash. */
    struct iqn_extracted x;
    struct iqn_error err;
    iqn_extract_set_helper("/nonexistent/iqn-extract");
    int rc = iqn_extract_isolated(IQN_FMT_HTML, page, sizeof page - 1, "p.html", NULL, &x, &err);
    CHECK("isolated-no-helper-1", rc != IQN_OK);
    check_contains("isolated-no-helper-2", err.message, "cannot start the extractor");
    iqn_extract_set_helper(NULL);
}

static char *pdf;      /* a sample PDF, read once */
static size_t pdf_len;

/* The in-process extractors from several threads at once: HTML (libxml2 is initialised once) and
 * PDF (poppler is used one thread at a time). */
static void *work_inproc(void *arg)
{
    int *bad = arg;
    for (int i = 0; i < 40; i++) {
        struct iqn_extracted x;
        struct iqn_error err;
        if (i % 10 == 0 && pdf) {
            if (iqn_extract(IQN_FMT_PDF, pdf, pdf_len, "raw_text.pdf", &x, &err) != IQN_OK ||
                !strstr(x.text, "I love word documents."))
                (*bad)++;
        } else if (iqn_extract(IQN_FMT_HTML, page, sizeof page - 1, "p.html", &x, &err) != IQN_OK ||
                   strcmp(x.text, "Hello world") != 0) {
            (*bad)++;
        }
        iqn_extracted_free(&x);
    }
    return NULL;
}

static void test_inprocess_threads(void)
{
    pthread_t th[THREADS];
    int bad[THREADS] = {0};
    FILE *f = fopen(IQN_TEST_DATA_DIR "/import-samples/textract/tests/pdf/raw_text.pdf", "rb");
    static char buf[1 << 20];
    if (f) {
        pdf_len = fread(buf, 1, sizeof buf, f);
        pdf = buf;
        fclose(f);
    }
    CHECK("inprocess-pdf-sample-1", pdf != NULL && pdf_len > 1000);
    iqn_extract_set_pdf_module(IQN_TEST_PDF_MODULE); /* the module is loaded by the first PDF, in a thread */
    for (int i = 0; i < THREADS; i++)
        pthread_create(&th[i], NULL, work_inproc, &bad[i]);
    int total = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        total += bad[i];
    }
    check_int("inprocess-threads-1", 0, total);
}

int main(void)
{
    test_dates_and_langs();
    test_charsets();
    test_text_builder();
    test_langdetect();
    test_inprocess_threads();
    test_isolated_threads();
    return check_summary("test_extract");
}
