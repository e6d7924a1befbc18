/* test_vocab.c - unit tests of vocab.c: the shipped vocabularies load with the expected sizes and
 * codes; lookups; a broken vocabulary file is refused with its file and line named. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "vocab.h"

#include "check.h"

#ifndef IQN_TEST_VOCAB_DIR
#error "IQN_TEST_VOCAB_DIR must name corpus/vocab"
#endif

static const char *const set_files[IQN_VOCAB_COUNT] = {"province", "profession", "topic", "type", "lang", "status"};

/* The ten topics SPEC section 2 requires. */
static const char *const spec_topics[] = {
    "credential-assessment",
    "bridging-programs",
    "language-training",
    "licensure",
    "mentorship",
    "employer-engagement",
    "labour-market-information",
    "pre-arrival-services",
    "fairness-practices",
    "competency-assessment",
};

struct find_case {
    const char *id;
    int set;
    const char *code;
    const char *want_code; /* NULL: unknown */
    const char *want_en;
    const char *want_fr;
};

static const struct find_case find_cases[] = {
    {"find-exact-1", IQN_FACET_PROVINCE, "ON", "ON", "Ontario", "Ontario"},
    {"find-exact-2", IQN_FACET_PROVINCE, "QC", "QC", "Quebec", "Québec"},
    {"find-exact-3", IQN_FACET_PROVINCE, "CA", "CA", "Pan-Canadian", "Pancanadien"},
    {"find-case-1", IQN_FACET_PROVINCE, "qc", "QC", "Quebec", "Québec"},
    {"find-case-2", IQN_FACET_PROVINCE, "Nl", "NL", "Newfoundland and Labrador", "Terre-Neuve-et-Labrador"},
    {"find-case-3", IQN_FACET_TOPIC, "LICENSURE", "licensure", "Licensure and registration", NULL},
    {"find-exact-4", IQN_FACET_TOPIC, "credential-assessment", "credential-assessment", "Credential assessment",
     "Évaluation des diplômes"},
    {"find-exact-5", IQN_FACET_TYPE, "lesson", "lesson", "Lesson learned", "Leçon apprise"},
    {"find-exact-6", IQN_FACET_LANG, "fr", "fr", "French", "Français"},
    {"find-exact-7", IQN_VOCAB_STATUS, "active", "active", "Active", "En cours"},
    {"find-profession-1", IQN_FACET_PROFESSION, "31301", "31301", NULL, NULL},
    {"find-profession-2", IQN_FACET_PROFESSION, "00010", "00010", "Legislators", NULL},
    {"find-unknown-1", IQN_FACET_PROVINCE, "ZZ", NULL, NULL, NULL},
    {"find-unknown-2", IQN_FACET_PROVINCE, "", NULL, NULL, NULL},
    {"find-unknown-3", IQN_FACET_PROVINCE, "ONT", NULL, NULL, NULL},
    {"find-unknown-4", IQN_FACET_PROFESSION, "3130", NULL, NULL, NULL},
    {"find-unknown-5", IQN_FACET_TOPIC, "credential", NULL, NULL, NULL},
    {"find-unknown-6", IQN_FACET_TYPE, "code", NULL, NULL, NULL}, /* the header row is not an entry */
};

static void test_shipped(void)
{
    struct iqn_vocab *v = NULL;
    struct iqn_error err;
    iqn_error_clear(&err);
    int rc = iqn_vocab_load(IQN_TEST_VOCAB_DIR, &v, &err);
    char what[700];
    snprintf(what, sizeof what, "load failed: %s", err.message);
    if (!check_report("load-shipped", rc == IQN_OK && v, what))
        return;
    check_int("size-province", 14, (long long)iqn_vocab_size(v, IQN_FACET_PROVINCE));
    check_int("size-profession", 516, (long long)iqn_vocab_size(v, IQN_FACET_PROFESSION));
    CHECK("size-topic-at-least-12", iqn_vocab_size(v, IQN_FACET_TOPIC) >= 12);
    check_int("size-type", 5, (long long)iqn_vocab_size(v, IQN_FACET_TYPE));
    check_int("size-lang", 2, (long long)iqn_vocab_size(v, IQN_FACET_LANG));
    check_int("size-status", 3, (long long)iqn_vocab_size(v, IQN_VOCAB_STATUS));
    for (size_t i = 0; i < CHECK_NELEM(spec_topics); i++) {
        char id[96];
        snprintf(id, sizeof id, "spec-topic-%s", spec_topics[i]);
        const struct iqn_vocab_entry *e = iqn_vocab_find(v, IQN_FACET_TOPIC, spec_topics[i]);
        CHECK(id, e && strcmp(e->code, spec_topics[i]) == 0 && e->label[0][0] && e->label[1][0]);
    }
    /* The 13 ISO codes and CA. */
    static const char *const provinces[] = {"AB", "BC", "MB", "NB", "NL", "NS", "NT",
                                            "NU", "ON", "PE", "QC", "SK", "YT", "CA"};
    int all = 1;
    for (size_t i = 0; i < CHECK_NELEM(provinces); i++)
        all = all && iqn_vocab_find(v, IQN_FACET_PROVINCE, provinces[i]) != NULL;
    CHECK("provinces-all-14", all);
    /* Profession codes are five digits; every entry has both labels. */
    int five = 1, labels = 1;
    for (int s = 0; s < IQN_VOCAB_COUNT; s++)
        for (size_t i = 0; i < iqn_vocab_size(v, s); i++) {
            const struct iqn_vocab_entry *e = iqn_vocab_at(v, s, i);
            labels = labels && e && e->label[IQN_LANG_EN][0] && e->label[IQN_LANG_FR][0];
            if (s == IQN_FACET_PROFESSION)
                five = five && e && strlen(e->code) == 5 && strspn(e->code, "0123456789") == 5;
        }
    CHECK("profession-codes-five-digits", five);
    CHECK("labels-all-present", labels);

    for (size_t i = 0; i < CHECK_NELEM(find_cases); i++) {
        const struct find_case *c = &find_cases[i];
        const struct iqn_vocab_entry *e = iqn_vocab_find(v, c->set, c->code);
        if (!c->want_code) {
            check_str(c->id, "(unknown)", e ? e->code : "(unknown)");
            continue;
        }
        int ok = e && strcmp(e->code, c->want_code) == 0;
        if (ok && c->want_en)
            ok = strcmp(e->label[IQN_LANG_EN], c->want_en) == 0;
        if (ok && c->want_fr)
            ok = strcmp(e->label[IQN_LANG_FR], c->want_fr) == 0;
        snprintf(what, sizeof what, "expected %s (%s / %s) got %s (%s / %s)", c->want_code,
                 c->want_en ? c->want_en : "*", c->want_fr ? c->want_fr : "*", e ? e->code : "(unknown)",
                 e ? e->label[0] : "", e ? e->label[1] : "");
        check_report(c->id, ok, what);
    }

    /* File order and index. */
    const struct iqn_vocab_entry *first = iqn_vocab_at(v, IQN_FACET_PROVINCE, 0);
    check_str("at-first-province", "AB", first ? first->code : NULL);
    const struct iqn_vocab_entry *last = iqn_vocab_at(v, IQN_FACET_PROVINCE, 13);
    check_str("at-last-province", "CA", last ? last->code : NULL);
    CHECK("at-past-end", iqn_vocab_at(v, IQN_FACET_PROVINCE, 14) == NULL);
    const struct iqn_vocab_entry *on = iqn_vocab_find(v, IQN_FACET_PROVINCE, "ON");
    check_int("index-on", 8, on ? (long long)iqn_vocab_index(v, IQN_FACET_PROVINCE, on) : -1);

    check_int("lang-parse-en", IQN_LANG_EN, iqn_lang_parse("en"));
    check_int("lang-parse-fr", IQN_LANG_FR, iqn_lang_parse("fr"));
    check_int("lang-parse-de", -1, iqn_lang_parse("de"));
    check_int("lang-parse-upper", -1, iqn_lang_parse("EN"));
    check_int("lang-parse-null", -1, iqn_lang_parse(NULL));
    iqn_vocab_free(v);
    iqn_vocab_free(NULL);
}

/* Write path with contents; 0 on success. */
static int write_file(const char *path, const char *contents)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = strlen(contents);
    int rc = fwrite(contents, 1, n, f) == n ? 0 : -1;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

/* A copy of the shipped vocabularies in dir, with file `bad` (NULL: none) replaced by contents. */
static int make_vocab_dir(const char *dir, const char *bad, const char *contents)
{
    for (int s = 0; s < IQN_VOCAB_COUNT; s++) {
        char src[4096], dst[4096];
        snprintf(src, sizeof src, "%s/%s.tsv", IQN_TEST_VOCAB_DIR, set_files[s]);
        snprintf(dst, sizeof dst, "%s/%s.tsv", dir, set_files[s]);
        if (bad && strcmp(bad, set_files[s]) == 0) {
            if (contents && write_file(dst, contents) != 0)
                return -1;
            if (!contents)
                unlink(dst);
            continue;
        }
        FILE *in = fopen(src, "rb");
        if (!in)
            return -1;
        static char data[1 << 20];
        size_t n = fread(data, 1, sizeof data - 1, in);
        fclose(in);
        data[n] = '\0';
        if (write_file(dst, data) != 0)
            return -1;
    }
    return 0;
}

static void remove_vocab_dir(const char *dir)
{
    for (int s = 0; s < IQN_VOCAB_COUNT; s++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s.tsv", dir, set_files[s]);
        unlink(p);
    }
    rmdir(dir);
}

struct bad_case {
    const char *id;
    const char *file;     /* which vocabulary file is broken */
    const char *contents; /* NULL: the file is missing */
    const char *in_msg[2];
};

static const struct bad_case bad_cases[] = {
    {"bad-no-tab-1",
     "topic",
     "code\tlabel_en\tlabel_fr\nlicensure\tLicensure\tPermis\nmentorship Mentorship Mentorat\n",
     {"topic.tsv:3", NULL}},
    {"bad-one-tab-1", "province", "code\tlabel_en\tlabel_fr\nON\tOntario\n", {"province.tsv:2", NULL}},
    {"bad-four-columns-1", "type", "code\tlabel_en\tlabel_fr\nreport\tReport\tRapport\textra\n", {"type.tsv:2", NULL}},
    {"bad-empty-code-1",
     "lang",
     "code\tlabel_en\tlabel_fr\nen\tEnglish\tAnglais\n\tFrench\tFrançais\n",
     {"lang.tsv:3", NULL}},
    {"bad-empty-label-1", "status", "code\tlabel_en\tlabel_fr\nactive\t\tEn cours\n", {"status.tsv:2", NULL}},
    {"bad-duplicate-1",
     "province",
     "code\tlabel_en\tlabel_fr\nON\tOntario\tOntario\nON\tOntario\tOntario\n",
     {"province.tsv", "ON"}},
    {"bad-utf8-1", "topic", "code\tlabel_en\tlabel_fr\nlicensure\tLicensure\tPermis \xff\n", {"topic.tsv", "UTF-8"}},
    {"bad-missing-1", "profession", NULL, {"profession.tsv", NULL}},
};

static void test_bad(void)
{
    for (size_t i = 0; i < CHECK_NELEM(bad_cases); i++) {
        const struct bad_case *c = &bad_cases[i];
        char dir[] = "/tmp/iqn-test-vocab-XXXXXX";
        if (!mkdtemp(dir)) {
            check_report(c->id, 0, "mkdtemp failed");
            continue;
        }
        if (make_vocab_dir(dir, c->file, c->contents) != 0) {
            check_report(c->id, 0, "could not write the vocabulary copy");
            remove_vocab_dir(dir);
            continue;
        }
        struct iqn_vocab *v = NULL;
        struct iqn_error err;
        iqn_error_clear(&err);
        int rc = iqn_vocab_load(dir, &v, &err);
        int ok = rc != IQN_OK && v == NULL;
        for (int k = 0; k < 2 && c->in_msg[k]; k++)
            ok = ok && strstr(err.message, c->in_msg[k]) != NULL;
        char what[800];
        snprintf(what, sizeof what, "expected an error naming %s %s, got rc %d: \"%s\"", c->in_msg[0] ? c->in_msg[0] : "",
                 c->in_msg[1] ? c->in_msg[1] : "", rc, err.message);
        check_report(c->id, ok, what);
        if (c->contents == NULL)
            check_int("bad-missing-1-code", IQN_ENOTFOUND, rc);
        iqn_vocab_free(v);
        remove_vocab_dir(dir);
    }
    /* The copy itself, unbroken, loads: the failures above come from the edits. */
    char dir[] = "/tmp/iqn-test-vocab-XXXXXX";
    if (mkdtemp(dir)) {
        struct iqn_vocab *v = NULL;
        struct iqn_error err;
        int rc = make_vocab_dir(dir, NULL, NULL) == 0 ? iqn_vocab_load(dir, &v, &err) : -1;
        CHECK("copy-loads", rc == IQN_OK && v && iqn_vocab_size(v, IQN_FACET_PROVINCE) == 14);
        iqn_vocab_free(v);
        remove_vocab_dir(dir);
    }
    /* CRLF line ends and blank lines are accepted. */
    char dir2[] = "/tmp/iqn-test-vocab-XXXXXX";
    if (mkdtemp(dir2)) {
        struct iqn_vocab *v = NULL;
        struct iqn_error err;
        int rc = make_vocab_dir(dir2, "lang",
                                "code\tlabel_en\tlabel_fr\r\nen\tEnglish\tAnglais\r\n\r\nfr\tFrench\tFrançais\r\n") == 0
                     ? iqn_vocab_load(dir2, &v, &err)
                     : -1;
        const struct iqn_vocab_entry *e = rc == IQN_OK ? iqn_vocab_find(v, IQN_FACET_LANG, "fr") : NULL;
        CHECK("crlf-blank-lines", rc == IQN_OK && iqn_vocab_size(v, IQN_FACET_LANG) == 2 && e &&
                                      strcmp(e->label[IQN_LANG_FR], "Français") == 0);
        iqn_vocab_free(v);
        remove_vocab_dir(dir2);
    }
}

/* iqn_vocab_json: each entry's JSON opening in each language, escaped, none running into the next. */
static void test_json(void)
{
    static const struct {
        const char *id;
        int set;
        const char *code;
        int lang;
        const char *want;
    } cases[] = {
        {"json-quote-en", IQN_FACET_TYPE, "report", IQN_LANG_EN, "{\"value\":\"report\",\"label\":\"The \\\"best\\\" report\""},
        {"json-backslash-fr", IQN_FACET_TYPE, "report", IQN_LANG_FR, "{\"value\":\"report\",\"label\":\"Rapport \\\\ bilan\""},
        {"json-last-entry-fr", IQN_FACET_TYPE, "lesson", IQN_LANG_FR, "{\"value\":\"lesson\",\"label\":\"Leçon\""},
        {"json-province-fr", IQN_FACET_PROVINCE, "QC", IQN_LANG_FR, "{\"value\":\"QC\",\"label\":\"Québec\""},
        {"json-province-en", IQN_FACET_PROVINCE, "QC", IQN_LANG_EN, "{\"value\":\"QC\",\"label\":\"Quebec\""},
    };
    char dir[] = "/tmp/iqn-test-vocab-XXXXXX";
    if (!check_report("json-mkdtemp", mkdtemp(dir) != NULL, "mkdtemp failed"))
        return;
    struct iqn_vocab *v = NULL;
    struct iqn_error err;
    iqn_error_clear(&err);
    int rc = make_vocab_dir(dir, "type",
                            "code\tlabel_en\tlabel_fr\nreport\tThe \"best\" report\tRapport \\ bilan\n"
                            "lesson\tLesson\tLeçon\n") == 0
                 ? iqn_vocab_load(dir, &v, &err)
                 : -1;
    if (check_report("json-load", rc == IQN_OK && v, err.message)) {
        for (size_t i = 0; i < CHECK_NELEM(cases); i++) {
            const struct iqn_vocab_entry *e = iqn_vocab_find(v, cases[i].set, cases[i].code);
            size_t len = 0;
            const char *json = e ? iqn_vocab_json(v, cases[i].set, e, cases[i].lang, &len) : "";
            char got[512];
            snprintf(got, sizeof got, "%.*s", (int)len, json);
            check_str(cases[i].id, cases[i].want, got);
        }
    }
    iqn_vocab_free(v);
    remove_vocab_dir(dir);
}

int main(void)
{
    test_shipped();
    test_bad();
    test_json();
    return check_summary("test_vocab");
}
