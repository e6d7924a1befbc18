/* test_text.c - unit tests of text.c: UTF-8 checks, accent folding, elisions, the word tokenizer. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "text.h"

#include "check.h"

struct fold_case {
    const char *id;
    int lower;
    const char *in;
    const char *want;
};

static const struct fold_case fold_cases[] = {
    {"fr-elision-1", 1, "l'évaluation", "evaluation"},
    {"fr-elision-2", 1, "l’évaluation", "evaluation"},
    {"fr-elision-3", 1, "d'ingénieurs", "ingenieurs"},
    {"fr-elision-4", 1, "d’ingénieurs", "ingenieurs"},
    {"fr-elision-5", 1, "qu'il", "il"},
    {"fr-elision-6", 1, "qu’elle", "elle"},
    {"fr-elision-7", 1, "jusqu'ici", "ici"},
    {"fr-elision-8", 1, "jusqu’à", "a"},
    {"fr-elision-9", 0, "L'Ordre", "Ordre"},
    {"fr-elision-10", 1, "de l’évaluation des diplômes", "de evaluation des diplomes"},
    {"fr-elision-11", 1, "(l'évaluation)", "(evaluation)"},
    {"fr-elision-inner-1", 1, "aujourd'hui", "aujourd'hui"},
    {"fr-elision-inner-2", 1, "aujourd’hui", "aujourd'hui"},
    {"fr-elision-end-1", 1, "l'", "l'"},
    {"fr-elision-digit-1", 1, "l'2020", "l'2020"},
    /* the longest elisions (apostrophe 6 bytes in), apostrophes of every kind, and long ASCII runs */
    {"fr-elision-12", 1, "presqu’île lorsqu'il puisqu\xca\xbcon quoiqu‘ils", "ile il on ils"},
    {"fr-elision-13", 0, "C'est l'ÉTAT, d'accord; t'as m'a s'il n'est", "est ETAT, accord; as a il est"},
    {"fr-elision-14", 1, "parlons-en: plan'", "parlons-en: plan'"},
    {"ascii-run-1", 1,
     "A Long Run Of Plain ASCII Words That Crosses The Copy Block: Alpha Beta Gamma Delta Epsilon Zeta Eta "
     "Theta Iota Kappa Lambda Mu Nu Xi Omicron Pi Rho Sigma Tau Upsilon Phi Chi Psi Omega, Then d'Accord. "
     "Again: Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda Mu Nu Xi Omicron Pi Rho.",
     "a long run of plain ascii words that crosses the copy block: alpha beta gamma delta epsilon zeta eta "
     "theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega, then accord. "
     "again: alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho."},
    {"en-apostrophe-1", 1, "don't", "don't"},
    {"en-apostrophe-2", 1, "nurse’s", "nurse's"},
    {"accent-1", 0, "École", "Ecole"},
    {"accent-2", 1, "École", "ecole"},
    {"accent-3", 0, "Québec", "Quebec"},
    {"accent-4", 1, "ÉTÉ", "ete"},
    {"accent-5", 1, "diplômes", "diplomes"},
    {"accent-6", 1, "Île-du-Prince-Édouard", "ile-du-prince-edouard"},
    {"accent-7", 1, "ça ç Ç", "ca c c"},
    /* Decomposed (NFD) accents, as pasted from macOS or some PDFs: a letter and a combining mark. */
    {"accent-nfd-1", 1, "e\xcc\x81valuation", "evaluation"},
    {"accent-nfd-2", 0, "Que\u0301bec", "Quebec"},
    {"accent-nfd-3", 1, "diplo\xcc\x82mes", "diplomes"},
    {"ligature-1", 1, "œuvre", "oeuvre"},
    {"ligature-2", 0, "Œuvre", "OEuvre"},
    {"ligature-3", 1, "Œuvre", "oeuvre"},
    {"ligature-4", 1, "cœur", "coeur"},
    {"case-kept-1", 0, "Nurses OR Doctors", "Nurses OR Doctors"},
    {"case-lower-1", 1, "Nurses OR Doctors", "nurses or doctors"},
    {"case-kept-2", 0, "NOC 31301", "NOC 31301"},
    {"nbsp-1", 1, "a\xc2\xa0:", "a :"},
    {"nbsp-2", 1, "a\xe2\x80\xaf;", "a ;"},
    {"invalid-byte-1", 1,
     "a\xff"
     "b",
     "a b"},
    {"empty-1", 1, "", ""},
    {"non-latin-kept-1", 1, "日本", "日本"},
};

struct valid_case {
    const char *id;
    const char *in;
    size_t len;
    int want;
};

#define S(x) x, sizeof(x) - 1
static const struct valid_case valid_cases[] = {
    {"utf8-ascii-1", S("abc"), 1},
    {"utf8-empty-1", S(""), 1},
    {"utf8-2byte-1", S("\xc3\xa9"), 1},
    {"utf8-3byte-1", S("\xe2\x82\xac"), 1},
    {"utf8-4byte-1", S("\xf0\x9f\x98\x80"), 1},
    {"utf8-max-1", S("\xf4\x8f\xbf\xbf"), 1},
    {"utf8-overlong-1", S("\xc0\xaf"), 0},
    {"utf8-overlong-2", S("\xc1\xbf"), 0},
    {"utf8-overlong-3", S("\xe0\x80\xaf"), 0},
    {"utf8-overlong-4", S("\xf0\x80\x80\xaf"), 0},
    {"utf8-surrogate-1", S("\xed\xa0\x80"), 0},
    {"utf8-surrogate-2", S("\xed\xbf\xbf"), 0},
    {"utf8-truncated-1", S("\xe2\x82"), 0},
    {"utf8-truncated-2", S("\xf0\x9f\x98"), 0},
    {"utf8-truncated-3", S("ab\xc3"), 0},
    {"utf8-continuation-1", S("\x80"), 0},
    {"utf8-too-big-1", S("\xf4\x90\x80\x80"), 0},
    {"utf8-f5-1", S("\xf5\x80\x80\x80"), 0},
    {"utf8-ff-1", S("\xff"), 0},
    {"utf8-nul-1", S("a\0b"), 0},
    {"utf8-nul-2", S("\0"), 0},
    {"utf8-mixed-1", S("l’évaluation des diplômes"), 1},
};

struct word_case {
    const char *id;
    const char *in;
    const char *want; /* words joined by '|' */
};

static const struct word_case word_cases[] = {
    {"word-1", "Hello, world!", "Hello|world"},
    {"word-2", "l'évaluation des diplômes", "l'évaluation|des|diplômes"},
    {"word-3", "l’évaluation", "l’évaluation"},
    {"word-4", "bridging-programs", "bridging|programs"},
    {"word-5", "   ", ""},
    {"word-6", "", ""},
    {"word-7", "end' x", "end|x"},
    {"word-8", "RN 2021", "RN|2021"},
    {"word-9", "«Québec»", "Québec"},
    {"word-10", "a — b", "a|b"},
    {"word-11", "<script>alert(1)</script>", "script|alert|1|script"},
    {"word-12", "'quoted'", "quoted"},
    /* ASCII and other letters mixed (the ASCII fast path hands over to decoding and back) */
    {"word-13", "caféS'x naïve", "caféS'x|naïve"},
    {"word-14", "x' 'y a'b'c", "x|y|a'b'c"},
    {"word-15", "\tab\ncd_ef", "ab|cd|ef"},
    {"word-16", "ÉTÉ2026 über’s", "ÉTÉ2026|über’s"},
    {"word-17", "é'x ’y", "é'x|y"},
};

static void test_fold(void)
{
    for (size_t i = 0; i < CHECK_NELEM(fold_cases); i++) {
        const struct fold_case *c = &fold_cases[i];
        struct iqn_buf b;
        iqn_buf_init(&b, 4096);
        int rc = iqn_text_fold(c->in, strlen(c->in), c->lower, &b);
        if (rc != 0) {
            check_report(c->id, 0, "iqn_text_fold returned an error");
        } else {
            check_str(c->id, c->want, b.data ? b.data : "");
        }
        iqn_buf_free(&b);
    }
    /* The output buffer's cap is honoured. */
    struct iqn_buf small;
    iqn_buf_init(&small, 4);
    int rc = iqn_text_fold("évaluations", strlen("évaluations"), 1, &small);
    CHECK("fold-cap-1", rc == -1 && small.toobig);
    iqn_buf_free(&small);
}

static void test_valid(void)
{
    for (size_t i = 0; i < CHECK_NELEM(valid_cases); i++) {
        const struct valid_case *c = &valid_cases[i];
        check_int(c->id, c->want, iqn_utf8_valid(c->in, c->len));
    }
    check_int("seqlen-1", 2, (long long)iqn_utf8_seq_len("\xc3\xa9", 2));
    check_int("seqlen-2", 3, (long long)iqn_utf8_seq_len("\xe2\x80\x99x", 4));
    check_int("seqlen-3", 0, (long long)iqn_utf8_seq_len("\xe2\x80", 2));
    check_int("seqlen-4", 0, (long long)iqn_utf8_seq_len("", 0));
    size_t n = 0;
    check_int("decode-1", 0x2019, iqn_utf8_decode("\xe2\x80\x99", 3, &n));
    check_int("decode-1-len", 3, (long long)n);
    check_int("decode-2", 0x1F600, iqn_utf8_decode("\xf0\x9f\x98\x80", 4, &n));
    check_int("decode-invalid-1", 0xFFFD, iqn_utf8_decode("\xff", 1, &n));
    check_int("decode-invalid-1-len", 1, (long long)n);
}

static void test_words(void)
{
    for (size_t i = 0; i < CHECK_NELEM(word_cases); i++) {
        const struct word_case *c = &word_cases[i];
        char got[512] = "";
        size_t used = 0, pos = 0, start = 0, wlen = 0, len = strlen(c->in);
        int guard = 0;
        while (iqn_text_next_word(c->in, len, &pos, &start, &wlen) && guard++ < 100) {
            int w = snprintf(got + used, sizeof got - used, "%s%.*s", used ? "|" : "", (int)wlen, c->in + start);
            if (w < 0 || (size_t)w >= sizeof got - used)
                break;
            used += (size_t)w;
        }
        check_str(c->id, c->want, got);
    }
    /* Offsets: the second word of "ab, cd" starts at 4 and is 2 bytes long. */
    size_t pos = 0, start = 0, wlen = 0;
    iqn_text_next_word("ab, cd", 6, &pos, &start, &wlen);
    int more = iqn_text_next_word("ab, cd", 6, &pos, &start, &wlen);
    CHECK("word-offsets-1", more == 1 && start == 4 && wlen == 2 && pos == 6);
    CHECK("word-end-1", iqn_text_next_word("ab, cd", 6, &pos, &start, &wlen) == 0 && pos == 6);
}

int main(void)
{
    test_fold();
    test_valid();
    test_words();
    return check_summary("test_text");
}
