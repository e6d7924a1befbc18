/* test_record.c - unit tests of record.c: JSON parsing, validation and canonicalisation, the stored
 * form's round trip, date keys. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "record.h"
#include "vocab.h"

#include "check.h"

#ifndef IQN_TEST_VOCAB_DIR
#error "IQN_TEST_VOCAB_DIR must name corpus/vocab"
#endif

static struct iqn_vocab *vocab;

/* ---- from_json ---- */

struct json_case {
    const char *id;
    const char *json;
    int ok;             /* 1: must parse */
    const char *in_msg; /* when it must fail: text the message must contain */
};

static const struct json_case json_cases[] = {
    {"json-good-1",
     "{\"id\":\"a1\",\"type\":\"report\",\"lang\":\"en\",\"title\":\"T\",\"province\":[\"ON\",\"QC\"],"
     "\"date\":\"2020-03\"}",
     1, NULL},
    {"json-good-null-1", "{\"id\":\"a1\",\"summary\":null}", 1, NULL},
    {"json-good-ws-1", "  {\"id\":\"a1\"}  \n", 1, NULL},
    {"json-good-string-for-multi-1", "{\"province\":\"ON\"}", 1, NULL},
    {"json-unknown-field-1", "{\"id\":\"a\",\"colour\":\"red\"}", 0, "colour"},
    {"json-unknown-field-2", "{\"titel\":\"typo\"}", 0, "titel"},
    {"json-wrong-type-1", "{\"id\":1}", 0, "id"},
    {"json-wrong-type-2", "{\"title\":[\"a\"]}", 0, "title"},
    {"json-wrong-type-3", "{\"province\":[1]}", 0, "province"},
    {"json-wrong-type-4", "{\"topic\":{\"a\":1}}", 0, "topic"},
    {"json-wrong-type-5", "{\"date\":true}", 0, "date"},
    {"json-single-twice-1", "{\"id\":\"a\",\"title\":\"x\",\"title\":\"y\"}", -1, NULL},
    {"json-invalid-1", "{\"id\":", 0, "invalid JSON"},
    {"json-invalid-2", "{id:\"a\"}", 0, ""},
    {"json-invalid-3", "", 0, ""},
    {"json-trailing-1", "{\"id\":\"a\"} x", 0, "invalid JSON"},
    {"json-trailing-2", "{\"id\":\"a\"}{\"id\":\"b\"}", 0, "invalid JSON"},
    {"json-not-object-1", "[1,2]", 0, "object"},
    {"json-not-object-2", "\"str\"", 0, "object"},
    {"json-bad-utf8-1", "{\"id\":\"a\xff\"}", 0, "UTF-8"},
};

static void test_from_json(void)
{
    for (size_t i = 0; i < CHECK_NELEM(json_cases); i++) {
        const struct json_case *c = &json_cases[i];
        struct iqn_record *r = iqn_record_new();
        struct iqn_error err;
        iqn_error_clear(&err);
        int rc = iqn_record_from_json(r, c->json, strlen(c->json), &err);
        if (c->ok == 1) {
            char what[700];
            snprintf(what, sizeof what, "expected success got %d: %s", rc, err.message);
            check_report(c->id, rc == IQN_OK, what);
        } else if (c->ok == 0) {
            char what[700];
            snprintf(what, sizeof what, "expected failure naming \"%s\" got rc %d, message \"%s\"", c->in_msg, rc,
                     err.message);
            check_report(c->id,
                         rc == IQN_EINVAL && err.code == IQN_EINVAL && err.message[0] &&
                             strstr(err.message, c->in_msg) != NULL,
                         what);
        } else {
            /* Either refused, or one value kept: never two values in a single-valued field. */
            CHECK(c->id, rc != IQN_OK || r->f[IQN_F_TITLE].n == 1);
        }
        iqn_record_free(r);
    }

    /* The values of a good record land in the right fields. */
    struct iqn_record *r = iqn_record_new();
    struct iqn_error err;
    const char *j = json_cases[0].json;
    iqn_record_from_json(r, j, strlen(j), &err);
    check_str("json-good-1-id", "a1", iqn_record_get(r, IQN_F_ID));
    check_str("json-good-1-title", "T", iqn_record_get(r, IQN_F_TITLE));
    check_int("json-good-1-province-n", 2, (long long)r->f[IQN_F_PROVINCE].n);
    check_str("json-good-1-province-1", "QC", r->f[IQN_F_PROVINCE].n == 2 ? r->f[IQN_F_PROVINCE].v[1] : NULL);
    check_str("json-good-1-date", "2020-03", iqn_record_get(r, IQN_F_DATE));
    CHECK("json-good-1-no-summary", iqn_record_get(r, IQN_F_SUMMARY) == NULL);
    iqn_record_free(r);
}

/* ---- validate ---- */

#define BASE "\"id\":\"rec-1\",\"type\":\"report\",\"lang\":\"en\",\"title\":\"A title\""

struct validate_case {
    const char *id;
    const char *json;
    int ok;
    const char *in_msg[3]; /* texts the message must contain when it fails */
};

static const struct validate_case validate_cases[] = {
    {"valid-minimal-1", "{" BASE "}", 1, {NULL}},
    {"valid-missing-title-1", "{\"id\":\"rec-1\",\"type\":\"report\",\"lang\":\"en\"}", 0, {"title", "rec-1"}},
    {"valid-blank-title-1", "{\"id\":\"rec-1\",\"type\":\"report\",\"lang\":\"en\",\"title\":\"   \"}", 0, {"title"}},
    {"valid-missing-id-1", "{\"type\":\"report\",\"lang\":\"en\",\"title\":\"x\"}", 0, {"id"}},
    {"valid-missing-type-1", "{\"id\":\"rec-1\",\"lang\":\"en\",\"title\":\"x\"}", 0, {"type"}},
    {"valid-bad-id-1", "{\"id\":\"a b\",\"type\":\"report\",\"lang\":\"en\",\"title\":\"x\"}", 0, {"id", "a b"}},
    {"valid-bad-id-2", "{\"id\":\"a/b\",\"type\":\"report\",\"lang\":\"en\",\"title\":\"x\"}", 0, {"id", "a/b"}},
    {"valid-bad-id-3", "{\"id\":\"é\",\"type\":\"report\",\"lang\":\"en\",\"title\":\"x\"}", 0, {"id"}},
    {"valid-bad-pair-1", "{" BASE ",\"pair\":\"x y\"}", 0, {"pair", "x y"}},
    {"valid-unknown-province-1", "{" BASE ",\"province\":[\"ON\",\"ZZ\"]}", 0, {"province", "ZZ", "rec-1"}},
    {"valid-unknown-profession-1", "{" BASE ",\"profession\":[\"99999\"]}", 0, {"profession", "99999"}},
    {"valid-unknown-topic-1", "{" BASE ",\"topic\":[\"astrology\"]}", 0, {"topic", "astrology"}},
    {"valid-unknown-type-1",
     "{\"id\":\"rec-1\",\"type\":\"memo\",\"lang\":\"en\",\"title\":\"x\"}",
     0,
     {"type", "memo"}},
    {"valid-unknown-lang-1",
     "{\"id\":\"rec-1\",\"type\":\"report\",\"lang\":\"de\",\"title\":\"x\"}",
     0,
     {"lang", "de"}},
    {"valid-unknown-status-1", "{" BASE ",\"status\":\"paused\"}", 0, {"status", "paused"}},
    {"valid-date-year-1", "{" BASE ",\"date\":\"2021\"}", 1, {NULL}},
    {"valid-date-month-1", "{" BASE ",\"date\":\"2021-02\"}", 1, {NULL}},
    {"valid-date-leap-1", "{" BASE ",\"date\":\"2020-02-29\"}", 1, {NULL}},
    {"valid-date-leap-2", "{" BASE ",\"date\":\"2000-02-29\"}", 1, {NULL}},
    {"valid-date-not-leap-1", "{" BASE ",\"date\":\"2021-02-29\"}", 0, {"date", "2021-02-29"}},
    {"valid-date-not-leap-2", "{" BASE ",\"date\":\"1900-02-29\"}", 0, {"date"}},
    {"valid-date-month-13", "{" BASE ",\"date\":\"2021-13\"}", 0, {"date", "2021-13"}},
    {"valid-date-month-0", "{" BASE ",\"date\":\"2021-00\"}", 0, {"date"}},
    {"valid-date-day-31-1", "{" BASE ",\"date\":\"2021-04-31\"}", 0, {"date"}},
    {"valid-date-short-1", "{" BASE ",\"date\":\"2021-1\"}", 0, {"date"}},
    {"valid-date-text-1", "{" BASE ",\"date\":\"March 2021\"}", 0, {"date"}},
    {"valid-date-slash-1", "{" BASE ",\"date\":\"2021/03/04\"}", 0, {"date"}},
    {"valid-url-https-1", "{" BASE ",\"url\":\"https://example.ca/x\"}", 1, {NULL}},
    {"valid-url-http-1", "{" BASE ",\"url\":\"http://example.ca/x\"}", 1, {NULL}},
    {"valid-url-javascript-1", "{" BASE ",\"url\":\"javascript:alert(1)\"}", 0, {"url", "javascript:"}},
    {"valid-url-data-1", "{" BASE ",\"url\":\"data:text/html,<b>x</b>\"}", 0, {"url"}},
};

static void test_validate(void)
{
    for (size_t i = 0; i < CHECK_NELEM(validate_cases); i++) {
        const struct validate_case *c = &validate_cases[i];
        struct iqn_record *r = iqn_record_new();
        struct iqn_error err;
        iqn_error_clear(&err);
        int rc = iqn_record_from_json(r, c->json, strlen(c->json), &err);
        if (rc == IQN_OK)
            rc = iqn_record_validate(r, vocab, &err);
        char what[800];
        if (c->ok) {
            snprintf(what, sizeof what, "expected valid, got %d: %s", rc, err.message);
            check_report(c->id, rc == IQN_OK, what);
        } else {
            int ok = rc == IQN_EINVAL;
            for (int k = 0; k < 3 && c->in_msg[k]; k++)
                ok = ok && strstr(err.message, c->in_msg[k]) != NULL;
            snprintf(what, sizeof what, "expected invalid naming %s %s %s, got %d: \"%s\"", c->in_msg[0],
                     c->in_msg[1] ? c->in_msg[1] : "", c->in_msg[2] ? c->in_msg[2] : "", rc, err.message);
            check_report(c->id, ok, what);
        }
        iqn_record_free(r);
    }
}

/* Parse and validate json, reporting the outcome under id; the record, or NULL if it failed. */
static struct iqn_record *valid_record(const char *id, const char *json)
{
    struct iqn_record *r = iqn_record_new();
    struct iqn_error err;
    iqn_error_clear(&err);
    int rc = iqn_record_from_json(r, json, strlen(json), &err);
    if (rc == IQN_OK)
        rc = iqn_record_validate(r, vocab, &err);
    char what[700];
    snprintf(what, sizeof what, "record did not validate: %s", err.message);
    check_report(id, rc == IQN_OK, what);
    if (rc != IQN_OK) {
        iqn_record_free(r);
        return NULL;
    }
    return r;
}

static void test_canonical(void)
{
    struct iqn_record *r = valid_record(
        "canon-parse", "{" BASE ",\"province\":[\"on\",\"QC\",\"ON\",\"qc\"],\"topic\":[\"Licensure\",\"licensure\"],"
                       "\"profession\":[\"31301\",\"31301\"],\"status\":\"ACTIVE\"}");
    if (r) {
        check_int("canon-province-n", 2, (long long)r->f[IQN_F_PROVINCE].n);
        check_str("canon-province-lower-on", "ON", r->f[IQN_F_PROVINCE].n > 0 ? r->f[IQN_F_PROVINCE].v[0] : NULL);
        check_str("canon-province-qc", "QC", r->f[IQN_F_PROVINCE].n > 1 ? r->f[IQN_F_PROVINCE].v[1] : NULL);
        check_int("canon-topic-n", 1, (long long)r->f[IQN_F_TOPIC].n);
        check_str("canon-topic-case", "licensure", r->f[IQN_F_TOPIC].n ? r->f[IQN_F_TOPIC].v[0] : NULL);
        check_int("canon-profession-dup", 1, (long long)r->f[IQN_F_PROFESSION].n);
        check_str("canon-status-case", "active", iqn_record_get(r, IQN_F_STATUS));
        iqn_record_free(r);
    }

    r = valid_record("space-parse",
                     "{\"id\":\"sp-1\",\"type\":\"REPORT\",\"lang\":\"EN\",\"title\":\"  A \\n  title\\t \","
                     "\"summary\":\" one  two \",\"body\":\"para one\\n\\n\\n  para   two\\nsame\"}");
    if (r) {
        check_str("space-title-1", "A title", iqn_record_get(r, IQN_F_TITLE));
        check_str("space-summary-1", "one two", iqn_record_get(r, IQN_F_SUMMARY));
        check_str("space-body-paragraphs-1", "para one\n\npara two same", iqn_record_get(r, IQN_F_BODY));
        check_str("canon-type-case", "report", iqn_record_get(r, IQN_F_TYPE));
        check_str("canon-lang-case", "en", iqn_record_get(r, IQN_F_LANG));
        iqn_record_free(r);
    }

    /* iqn_record_add refuses a second value of a single-valued field and invalid UTF-8. */
    r = iqn_record_new();
    struct iqn_error err;
    CHECK("add-single-1", iqn_record_add(r, IQN_F_TITLE, "a", 1, &err) == IQN_OK);
    CHECK("add-single-2", iqn_record_add(r, IQN_F_TITLE, "b", 1, &err) == IQN_EINVAL);
    check_contains("add-single-2-msg", err.message, "title");
    CHECK("add-utf8-1", iqn_record_add(r, IQN_F_SUMMARY, "a\xff", 2, &err) == IQN_EINVAL);
    check_contains("add-utf8-1-msg", err.message, "summary");
    CHECK("add-nul-1", iqn_record_add(r, IQN_F_SUMMARY, "a\0b", 3, &err) == IQN_EINVAL);
    char longid[IQN_ID_MAX + 2];
    memset(longid, 'a', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    CHECK("add-too-long-1", iqn_record_add(r, IQN_F_ID, longid, strlen(longid), &err) == IQN_EINVAL);
    CHECK("set-replace-1", iqn_record_set(r, IQN_F_TITLE, "c", &err) == IQN_OK);
    check_str("set-replace-2", "c", iqn_record_get(r, IQN_F_TITLE));
    CHECK("set-clear-1", iqn_record_set(r, IQN_F_TITLE, NULL, &err) == IQN_OK && !iqn_record_get(r, IQN_F_TITLE));
    iqn_record_free(r);

    /* An id of exactly IQN_ID_MAX characters is fine. */
    char json[400];
    snprintf(json, sizeof json, "{\"id\":\"%.*s\",\"type\":\"page\",\"lang\":\"fr\",\"title\":\"x\"}", IQN_ID_MAX,
             longid);
    r = valid_record("valid-id-max-1", json);
    iqn_record_free(r);
}

/* ---- stored form ---- */

static void test_roundtrip(void)
{
    const char *json =
        "{\"id\":\"rt-1\",\"type\":\"initiative\",\"lang\":\"fr\",\"pair\":\"rt-1-en\","
        "\"title\":\"L’évaluation des \\\"diplômes\\\" <b>étrangers</b>\","
        "\"summary\":\"Résumé avec tab\\tet antislash \\\\ et 😀\","
        "\"body\":\"Premier paragraphe.\\n\\nSecond {\\\"json\\\":1}\\nligne\","
        "\"province\":[\"QC\",\"ON\"],\"profession\":[\"31301\"],\"topic\":[\"credential-assessment\",\"mentorship\"],"
        "\"organization\":\"Org & Cie\",\"author\":\"A. Auteur\",\"date\":\"2020-02-29\","
        "\"url\":\"https://example.ca/a?b=1&c=2\",\"source\":\"corpus/x.xml\",\"status\":\"completed\","
        "\"contact\":\"c@example.ca\",\"results\":\"Des résultats\",\"lessons\":\"Des leçons\"}";
    struct iqn_record *r = valid_record("roundtrip-parse", json);
    if (!r)
        return;
    struct iqn_buf enc, j1, j2;
    iqn_buf_init(&enc, 1 << 20);
    iqn_buf_init(&j1, 1 << 20);
    iqn_buf_init(&j2, 1 << 20);
    CHECK("roundtrip-encode", iqn_record_encode(r, &enc) == 0 && enc.len > 0);
    /* The stored form is the JSON without the body, a newline, then the body. */
    const char *nl = enc.data ? memchr(enc.data, '\n', enc.len) : NULL;
    CHECK("roundtrip-layout-1", nl != NULL);
    if (nl) {
        check_str("roundtrip-layout-body", "Premier paragraphe.\n\nSecond {\"json\":1} ligne", nl + 1);
        CHECK("roundtrip-layout-no-body-in-json",
              strstr(enc.data, "\"body\"") == NULL || strstr(enc.data, "\"body\"") > nl);
    }
    struct iqn_record *d = iqn_record_new();
    struct iqn_error err;
    iqn_error_clear(&err);
    int rc = iqn_record_decode(enc.data, enc.len, d, &err);
    CHECK("roundtrip-decode", rc == IQN_OK);
    int same = 1;
    for (int f = 0; f < IQN_F_COUNT; f++) {
        if (r->f[f].n != d->f[f].n) {
            same = 0;
            printf("  field %s: %zu values vs %zu\n", iqn_fields[f].name, r->f[f].n, d->f[f].n);
            continue;
        }
        for (size_t i = 0; i < r->f[f].n; i++)
            if (strcmp(r->f[f].v[i], d->f[f].v[i]) != 0) {
                same = 0;
                printf("  field %s: \"%s\" vs \"%s\"\n", iqn_fields[f].name, r->f[f].v[i], d->f[f].v[i]);
            }
    }
    CHECK("roundtrip-fields-equal", same);
    iqn_record_to_json(r, 1, &j1);
    iqn_record_to_json(d, 1, &j2);
    check_str("roundtrip-json-equal", j1.data, j2.data);
    /* to_json without the body leaves it out; with it, keeps it. */
    iqn_buf_reset(&j1);
    iqn_record_to_json(r, 0, &j1);
    check_lacks("to-json-no-body", j1.data, "\"body\"");
    check_contains("to-json-escaped-quote", j1.data, "\\\"diplômes\\\"");
    check_contains("to-json-arrays", j1.data, "\"province\":[\"QC\",\"ON\"]");
    iqn_buf_reset(&j2);
    iqn_record_to_json(d, 1, &j2);
    check_contains("to-json-body", j2.data, "\"body\":\"Premier paragraphe.\\n\\nSecond");
    iqn_buf_free(&enc);
    iqn_buf_free(&j1);
    iqn_buf_free(&j2);
    iqn_record_free(d);

    /* A record without a body round-trips with no body. */
    iqn_record_set(r, IQN_F_BODY, NULL, &err);
    iqn_buf_init(&enc, 1 << 20);
    iqn_record_encode(r, &enc);
    d = iqn_record_new();
    rc = iqn_record_decode(enc.data, enc.len, d, &err);
    CHECK("roundtrip-no-body", rc == IQN_OK && iqn_record_get(d, IQN_F_BODY) == NULL &&
                                   iqn_record_get(d, IQN_F_TITLE) && strcmp(iqn_record_get(d, IQN_F_ID), "rt-1") == 0);
    iqn_buf_free(&enc);
    iqn_record_free(d);

    /* Multi-valued fields always appear in JSON, as [] when empty. */
    struct iqn_record *m = valid_record("to-json-minimal", "{" BASE "}");
    if (m) {
        iqn_buf_init(&j1, 4096);
        iqn_record_to_json(m, 1, &j1);
        check_contains("to-json-empty-province", j1.data, "\"province\":[]");
        check_lacks("to-json-no-null-summary", j1.data, "summary");
        iqn_buf_free(&j1);
        iqn_record_free(m);
    }
    /* Garbage is not a stored record. */
    d = iqn_record_new();
    CHECK("decode-garbage-1", iqn_record_decode("not json\nbody", 13, d, &err) == IQN_EINVAL);
    iqn_record_free(d);
    iqn_record_free(r);
}

/* ---- date keys ---- */

struct date_case {
    const char *id;
    const char *date;
    int upper;
    const char *want; /* NULL: must be refused */
};

static const struct date_case date_cases[] = {
    {"datekey-year-lower", "2021", 0, "20210000"},
    {"datekey-year-upper", "2021", 1, "20219999"},
    {"datekey-month-lower", "2021-03", 0, "20210300"},
    {"datekey-month-upper", "2021-03", 1, "20210399"},
    {"datekey-day-lower", "2021-03-04", 0, "20210304"},
    {"datekey-day-upper", "2021-03-04", 1, "20210304"},
    {"datekey-time-1", "2021-03-04T10:30:00Z", 0, "20210304"},
    {"datekey-leap-1", "2020-02-29", 0, "20200229"},
    {"datekey-not-leap-1", "2021-02-29", 0, NULL},
    {"datekey-month-13", "2021-13", 0, NULL},
    {"datekey-month-13-upper", "2021-13", 1, NULL},
    {"datekey-day-0", "2021-01-00", 0, NULL},
    {"datekey-letters", "abcd", 0, NULL},
    {"datekey-short", "202", 0, NULL},
    {"datekey-empty", "", 0, NULL},
    {"datekey-five-digits", "20210", 0, NULL},
    {"datekey-trailing", "2021-03-04x", 0, NULL},
};

static void test_date_key(void)
{
    for (size_t i = 0; i < CHECK_NELEM(date_cases); i++) {
        const struct date_case *c = &date_cases[i];
        char out[9] = "";
        int rc = iqn_date_key(c->date, c->upper, out);
        if (c->want)
            check_str(c->id, c->want, rc == 0 ? out : "(refused)");
        else
            check_str(c->id, "(refused)", rc == 0 ? out : "(refused)");
    }
    CHECK("hash-same-1", iqn_hash64("abc", 3, 0) == iqn_hash64("abc", 3, 0));
    CHECK("hash-differs-1", iqn_hash64("abc", 3, 0) != iqn_hash64("abd", 3, 0));
    CHECK("hash-seed-1", iqn_hash64("abc", 3, 0) != iqn_hash64("abc", 3, 1));
}

/* A copy holds equal values in separate memory, and outlives its original. */
static void test_copy(void)
{
    struct iqn_record *r = valid_record(
        "copy-parse", "{\"id\":\"cp-1\",\"type\":\"report\",\"lang\":\"en\",\"title\":\"Copied\","
                      "\"body\":\"Text.\",\"province\":[\"ON\",\"QC\"],\"topic\":[\"mentorship\"]}");
    if (!r)
        return;
    struct iqn_record *c = iqn_record_copy(r);
    CHECK("copy-made", c != NULL);
    if (!c) {
        iqn_record_free(r);
        return;
    }
    int same = 1, apart = 1;
    for (int f = 0; f < IQN_F_COUNT; f++) {
        if (r->f[f].n != c->f[f].n) {
            same = 0;
            continue;
        }
        for (size_t i = 0; i < r->f[f].n; i++) {
            same &= strcmp(r->f[f].v[i], c->f[f].v[i]) == 0;
            apart &= r->f[f].v[i] != c->f[f].v[i];
        }
    }
    CHECK("copy-same-values", same);
    CHECK("copy-own-memory", apart);
    iqn_record_free(r);
    check_str("copy-outlives-1", "cp-1", iqn_record_get(c, IQN_F_ID));
    check_int("copy-outlives-2", 2, (long long)c->f[IQN_F_PROVINCE].n);
    iqn_record_free(c);
}

int main(void)
{
    struct iqn_error err;
    if (iqn_vocab_load(IQN_TEST_VOCAB_DIR, &vocab, &err) != IQN_OK) {
        printf("FAIL vocab-load: %s\n0 passed, 1 failed\n", err.message);
        return 1;
    }
    test_from_json();
    test_validate();
    test_canonical();
    test_roundtrip();
    test_copy();
    test_date_key();
    iqn_vocab_free(vocab);
    return check_summary("test_record");
}
