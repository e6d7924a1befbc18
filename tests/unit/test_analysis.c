/* test_analysis.c - iqn's term generator against Xapian's TermGenerator: the same terms, wdf and
 * positions for hand-picked edge cases, for random strings of the characters its rules treat
 * apart, and for real English and French texts (../shared/data), as written and as folded. */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "check.h"
#include "db.h"
#include "error.h"
#include "text.h"

static int compared;

/* text in lang, with a prefix and without positions, and without a prefix with positions. */
static int same_as_xapian(const char *id, const char *text, size_t len, const char *lang)
{
    struct iqn_error e;
    static const struct {
        const char *prefix;
        int positions;
    } ways[] = {{"", 1}, {"S", 0}, {"XT", 1}};
    for (size_t k = 0; k < sizeof ways / sizeof ways[0]; k++) {
        compared++;
        if (iqn_analysis_check(text, len, lang, ways[k].prefix, ways[k].positions, &e) != IQN_OK) {
            char what[900];
            snprintf(what, sizeof what, "lang %s prefix \"%s\": %s; text \"%.300s\"", lang, ways[k].prefix, e.message,
                     text);
            return check_report(id, 0, what);
        }
    }
    return 1;
}

static void test_edges(void)
{
    static const char *const texts[] = {
        "",
        "   ...  ",
        "U.S.A. and P.T.O. then U.N.C.L.E",
        "U.S.A",
        "I.B.M.x and A.b.C and X.B.C.",
        "AT&T, M&S, R&D and rock & roll",
        "C++ and C# and fish+chips, x++++ y+++ z#+# +lead ++",
        "1,000.50 and 3.14;2 and 1.2.3 and 1,a and a,1 and 12.",
        "don't it's l'evaluation d'un rock'n'roll ' quoted '",
        "it\xe2\x80\x99s and it\xe2\x80\x9bs and o\xc2\xb7o a\xd7\xb4" "b c\xe2\x80\xa7" "d",
        "zero\xe2\x80\x8bwidth join\xe2\x80\x8dme 1\xe2\x80\x8b" "2 a\xef\xbb\xbf" "b word\xe2\x81\xa0" "end",
        "snake_case __init__ _x x_",
        "na\xc3\xafve caf\xc3\xa9 \xc3\x89" "COLE \xc3\x89T\xc3\x89 \xc3\xa9t\xc3\xa9 r\xc3\xb4le",
        "Stra\xc3\x9f" "e \xc3\x9f \xc4\xb0stanbul \xc4\xb1\xc5\x9f\xc4\xb1k",
        "\xe2\x85\xab \xd9\xa3\xd9\xa4 \xd9\xa3,\xd9\xa4 e\xcc\x81t\xcc\x81" "e",
        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe6\x96\x87 \xe4\xb8\xad\xe6\x96\x87 hello\xe4\xb8\x96\xe7\x95\x8c",
        "\xce\x91\xce\xb8\xce\xae\xce\xbd\xce\xb1 \xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0 \xf0\x9f\x98\x80smile\xf0\x9f\x98\x80",
        "the and of to in a an is it for with on at by from",
        "le la les de des du un une et en au aux que qui pour dans",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b",
        "x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3"
        "\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3"
        "\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9 y",
        "bad \xff\xfe bytes \xc3 cut \xe2\x82 and caf\xe9 latin1",
        "nurses nursing nursed running runs ran Nurse NURSES",
        "infirmi\xc3\xa8res infirmiere infirmier \xc3\xa9valuations \xc3\xa9valuation",
        "2023-24 10/12 50% $100 #tag @user e-mail x.y.z a.b",
        "end with apostrophe' and &amp; and ;",
    };
    static const char *const langs[] = {"en", "fr", "de"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        for (size_t l = 0; l < 3; l++) {
            char id[64];
            snprintf(id, sizeof id, "edge %zu %s", i, langs[l]);
            if (same_as_xapian(id, texts[i], strlen(texts[i]), langs[l]))
                check_report(id, 1, "");
        }
    /* A NUL byte inside the text is a character like any other that is not a word character. */
    static const char nul[] = "before\0after";
    CHECK("edge nul", same_as_xapian("edge nul", nul, sizeof nul - 1, "en"));
}

/* Random strings over the characters the rules treat apart, each alone and next to letters and
 * digits (deterministic: the same strings every run). */
static void test_random(void)
{
    static const char *const pieces[] = {
        "a", "B", "z", "Q", "0", "7", "x", "I", ".", ",", ";", "'", "&", "+", "#", "_", " ", "-", "/",
        "\xc3\xa9",         /* é */
        "\xc3\x89",         /* É */
        "\xe2\x80\x99",     /* ’ */
        "\xe2\x80\x9b",     /* ‛ */
        "\xc2\xb7",         /* · */
        "\xd7\xb4",         /* ״ */
        "\xe2\x80\xa7",     /* ‧ */
        "\xe2\x80\x8b",     /* zero width space */
        "\xe2\x81\xa0",     /* word joiner */
        "\xef\xbb\xbf",     /* BOM */
        "\xcd\xbe",         /* Greek question mark */
        "\xe2\x81\x84",     /* fraction slash */
        "\xd9\xa3",         /* Arabic-Indic three */
        "\xe2\x85\xab",     /* Roman twelve */
        "\xcc\x81",         /* combining acute */
        "\xc3\x9f",         /* ß */
        "\xc4\xb0",         /* İ */
        "\xe6\x97\xa5",     /* 日 */
        "\xf0\x9f\x98\x80", /* emoji */
        "the", "and", "le", "des", "nurse", "running",
    };
    const size_t npieces = sizeof pieces / sizeof pieces[0];
    uint64_t seed = 0x2545f4914f6cdd1dULL;
    char text[400];
    int failed = 0;
    for (int round = 0; round < 4000 && !failed; round++) {
        size_t len = 0, n = 1 + (size_t)(round % 24);
        for (size_t k = 0; k < n; k++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            const char *p = pieces[seed % npieces];
            size_t pl = strlen(p);
            memcpy(text + len, p, pl);
            len += pl;
        }
        text[len] = '\0';
        char id[64];
        snprintf(id, sizeof id, "random %d", round);
        if (!same_as_xapian(id, text, len, round % 2 ? "fr" : "en"))
            failed = 1;
    }
    if (!failed)
        check_report("random strings", 1, "");
}

/* Every regular file under dir, read whole, checked in lang as written and as folded for indexing. */
static int files_checked;

static void check_file(const char *path, const char *lang)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    struct iqn_buf raw, folded;
    iqn_buf_init(&raw, (size_t)64 << 20);
    iqn_buf_init(&folded, (size_t)128 << 20);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        iqn_buf_add(&raw, chunk, n);
    fclose(f);
    if (raw.len > 0 && same_as_xapian(path, raw.data, raw.len, lang)) {
        if (iqn_utf8_valid(raw.data, raw.len) && iqn_text_fold(raw.data, raw.len, 0, &folded) == 0)
            same_as_xapian(path, folded.data ? folded.data : "", folded.len, lang);
        files_checked++;
    }
    iqn_buf_free(&raw);
    iqn_buf_free(&folded);
}

static void walk(const char *dir, const char *lang)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            walk(path, lang);
        else if (S_ISREG(st.st_mode))
            check_file(path, lang);
    }
    closedir(d);
}

static void test_real_texts(void)
{
    walk(IQN_TEST_DATA_DIR "/bilingual-blog/en", "en");
    walk(IQN_TEST_DATA_DIR "/bilingual-blog/fr", "fr");
    check_file(IQN_TEST_DATA_DIR "/cranfield/cran.all.1400", "en");
    check_file(IQN_TEST_DATA_DIR "/noc/noc_2021_unit_groups_en_fr.csv", "fr");
    char what[64];
    snprintf(what, sizeof what, "%d files", files_checked);
    check_report("real texts found", files_checked >= 10, what);
}

int main(void)
{
    test_edges();
    test_random();
    test_real_texts();
    printf("%d comparisons\n", compared);
    return check_summary("test_analysis");
}
