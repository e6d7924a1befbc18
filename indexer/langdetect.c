/* langdetect.c - English or French by counting evidence: function words of each language
 * (weight 1), distinctive letter trigrams (weight 0.2) and words with French accents (0.5). */
#include "langdetect.h"

#include <stdint.h>
#include <string.h>

#include "extract.h"
#include "text.h"

#define WORD_MAX 32            /* longer "words" are not looked up */
#define W_STOP 1.0
#define W_TRIGRAM 0.2
#define W_ACCENT 0.5
#define MIN_EVIDENCE 2.0       /* less than this for the winner: cannot tell */
#define MIN_RATIO 1.3          /* the winner needs this much more evidence than the other */

/* Frequent words of one language that are rare in the other (words common to both, such as
 * "a", "on", "as", "plus", are left out). French elisions split at the apostrophe: l', d', qu'. */
static const char *const en_words[] = {
    "about", "after", "all", "also", "and", "any", "are", "at", "be", "because", "been", "by", "can",
    "could", "did", "do", "does", "each", "for", "from", "had", "has", "have", "he", "her", "him", "his",
    "how", "however", "i", "if", "in", "into", "is", "it", "its", "just", "may", "more", "most", "much",
    "must", "my", "not", "of", "often", "one", "only", "or", "other", "our", "out", "over", "should", "so",
    "some", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this",
    "those", "through", "to", "under", "up", "very", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "why", "will", "with", "within", "would", "you", "your", NULL};
static const char *const fr_words[] = {
    "\xc3\xa0", "afin", "ainsi", "alors", "au", "aucun", "aussi", "autre", "aux", "avec", "avoir", "avons",
    "c", "\xc3\xa7" "a", "ce", "cela", "celle", "celui", "ces", "cet", "cette", "chaque", "comme",
    "comment", "d", "dans", "de", "des", "deux", "dont", "du", "elle", "elles", "en", "encore", "entre",
    "est", "et", "\xc3\xa9t\xc3\xa9", "\xc3\xaatre", "eux", "fait", "faire", "il", "ils", "j", "je", "l",
    "la", "le", "les", "leur", "leurs", "lors", "lorsque", "mais", "m\xc3\xaame", "mes", "moins", "mon",
    "ne", "nos", "notre", "nous", "ou", "o\xc3\xb9", "par", "parce", "pas", "peu", "peut", "pour",
    "pourquoi", "qu", "quand", "que", "quel", "quelle", "quelles", "quels", "qui", "sa", "sans", "se",
    "selon", "ses", "si", "son", "sont", "sous", "sur", "tous", "tout", "toute", "toutes",
    "tr\xc3\xa8s", "un", "une", "vers", "votre", "vous", "y", NULL};

/* Letter trigrams with '_' for a word boundary. */
static const char *const en_trigrams[] = {"_th", "the", "he_", "ing", "ng_", "_wh", "and", "nd_", "hat",
                                          "ith", "_yo", "ght", "ly_", "ck_", "_sh", "ow_", "ay_", "ey_",
                                          "ew_", "_wa", "ive", NULL};
static const char *const fr_trigrams[] = {"_le", "es_", "_de", "de_", "_la", "que", "_qu", "ue_", "eur",
                                          "aux", "eau", "ou_", "_et", "et_", "ez_", "ait", "ais", "ons",
                                          "_au", "ux_", "_po", "_pa", "ie_", NULL};

static int in_list(const char *w, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (w[0] == list[i][0] && strcmp(w, list[i]) == 0)
            return 1;
    return 0;
}

/* The letter at s as lower-case UTF-8 into out (1 or 2 bytes); 0 if it is no letter. */
static size_t lower_letter(const char *s, size_t n, char *out, int *accent)
{
    unsigned char c = (unsigned char)s[0];
    *accent = 0;
    if (n == 1) {
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        if (c < 'a' || c > 'z')
            return 0;
        out[0] = (char)c;
        return 1;
    }
    if (n == 2 && (c == 0xC3 || c == 0xC5)) {
        uint32_t cp = ((uint32_t)(c & 0x1F) << 6) | ((unsigned char)s[1] & 0x3F);
        if (cp == 0xD7 || cp == 0xF7) /* x and division signs */
            return 0;
        if (cp >= 0xC0 && cp <= 0xDE)
            cp += 0x20;
        if (cp == 0x152) /* OE ligature */
            cp = 0x153;
        if (!((cp >= 0xDF && cp <= 0xFF) || cp == 0x153))
            return 0;
        *accent = cp == 0xE0 || cp == 0xE2 || cp == 0xE7 || (cp >= 0xE8 && cp <= 0xEB) || cp == 0xEE ||
                  cp == 0xEF || cp == 0xF4 || cp == 0xF9 || cp == 0xFB || cp == 0xFC || cp == 0x153;
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    return 0;
}

static void score_word(const char *w, size_t n, int accent, struct iqn_lang_scores *s)
{
    char b[WORD_MAX + 3];
    s->words++;
    if (in_list(w, en_words))
        s->en += W_STOP;
    if (in_list(w, fr_words))
        s->fr += W_STOP;
    if (accent)
        s->fr += W_ACCENT;
    /* Trigrams of "_word_" (ASCII letters only: accents are scored above). */
    b[0] = '_';
    memcpy(b + 1, w, n);
    b[n + 1] = '_';
    b[n + 2] = '\0';
    for (size_t i = 0; i + 3 <= n + 2; i++) {
        char tri[4] = {b[i], b[i + 1], b[i + 2], '\0'};
        if (in_list(tri, en_trigrams))
            s->en += W_TRIGRAM;
        if (in_list(tri, fr_trigrams))
            s->fr += W_TRIGRAM;
    }
}

void iqn_lang_score(const char *text, size_t len, struct iqn_lang_scores *s)
{
    char word[WORD_MAX + 1];
    size_t wlen = 0;
    int accent = 0, toolong = 0;

    memset(s, 0, sizeof *s);
    if (!text)
        return;
    if (len > IQN_LANG_SCAN_MAX)
        len = IQN_LANG_SCAN_MAX;
    for (size_t i = 0; i <= len;) {
        size_t n = i < len ? iqn_utf8_seq_len(text + i, len - i) : 0;
        char l[2];
        int acc = 0;
        size_t ln = n ? lower_letter(text + i, n, l, &acc) : 0;
        if (ln > 0) {
            if (wlen + ln <= WORD_MAX) {
                memcpy(word + wlen, l, ln);
                wlen += ln;
            } else {
                toolong = 1;
            }
            accent |= acc;
        } else {
            if (wlen > 0 && !toolong) {
                word[wlen] = '\0';
                score_word(word, wlen, accent, s);
            }
            wlen = 0;
            accent = toolong = 0;
        }
        i += n ? n : 1;
    }
}

/* Guess the language of text; see extract.h. */
const char *iqn_detect_lang(const char *text, size_t len)
{
    struct iqn_lang_scores s;
    iqn_lang_score(text, len, &s);
    double hi = s.en > s.fr ? s.en : s.fr;
    double lo = s.en > s.fr ? s.fr : s.en;
    if (hi < MIN_EVIDENCE || hi < lo * MIN_RATIO)
        return NULL;
    return s.en > s.fr ? "en" : "fr";
}
