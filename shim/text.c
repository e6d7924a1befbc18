/* text.c - UTF-8 validation, accent folding, French elision stripping, a word tokenizer. */
#include "text.h"

#include <string.h>

size_t iqn_utf8_seq_len(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    if (len == 0)
        return 0;
    if (s[0] < 0x80)
        return s[0] ? 1 : 0;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        return (len >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
    if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        if (len < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (s[0] == 0xE0 && s[1] < 0xA0)
            return 0; /* overlong */
        if (s[0] == 0xED && s[1] >= 0xA0)
            return 0; /* surrogate */
        return 3;
    }
    if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        if (len < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        if (s[0] == 0xF0 && s[1] < 0x90)
            return 0;
        if (s[0] == 0xF4 && s[1] >= 0x90)
            return 0;
        return 4;
    }
    return 0;
}

int iqn_utf8_valid(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if ((unsigned char)s[i] < 0x80) {
            if (!s[i])
                return 0;
            i++;
            continue;
        }
        size_t n = iqn_utf8_seq_len(s + i, len - i);
        if (!n)
            return 0;
        i += n;
    }
    return 1;
}

uint32_t iqn_utf8_decode(const char *str, size_t len, size_t *n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t l = iqn_utf8_seq_len(str, len);
    *n = l ? l : 1;
    switch (l) {
    case 1: return s[0];
    case 2: return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    case 3: return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    case 4:
        return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
               ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    default: return 0xFFFD;
    }
}

/* ASCII folding of U+00C0..U+017F; NULL keeps the character as it is. */
static const char *const fold_latin[0x180 - 0xC0] = {
    /* C0 */ "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
    /* D0 */ "D", "N", "O", "O", "O", "O", "O", NULL, "O", "U", "U", "U", "U", "Y", "TH", "ss",
    /* E0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    /* F0 */ "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y",
    /* 100 */ "A", "a", "A", "a", "A", "a", "C", "c", "C", "c", "C", "c", "C", "c", "D", "d",
    /* 110 */ "D", "d", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "G", "g", "G", "g",
    /* 120 */ "G", "g", "G", "g", "H", "h", "H", "h", "I", "i", "I", "i", "I", "i", "I", "i",
    /* 130 */ "I", "i", "IJ", "ij", "J", "j", "K", "k", "k", "L", "l", "L", "l", "L", "l", "L",
    /* 140 */ "l", "L", "l", "N", "n", "N", "n", "N", "n", "n", "N", "n", "O", "o", "O", "o",
    /* 150 */ "O", "o", "OE", "oe", "R", "r", "R", "r", "R", "r", "S", "s", "S", "s", "S", "s",
    /* 160 */ "S", "s", "T", "t", "T", "t", "T", "t", "U", "u", "U", "u", "U", "u", "U", "u",
    /* 170 */ "U", "u", "U", "u", "W", "w", "Y", "y", "Y", "Z", "z", "Z", "z", "Z", "z", "s",
};

static int is_apostrophe(uint32_t cp)
{
    return cp == '\'' || cp == 0x2019 || cp == 0x2018 || cp == 0x02BC;
}

/* Elided French words (lower case, without the apostrophe). */
static const char *const elisions[] = {"l", "d", "qu", "j", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu", "quoiqu", "presqu"};

static int is_word_cp(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
    if (cp < 0xC0)
        return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
    if (cp == 0xD7 || cp == 0xF7)
        return 0;
    if (cp >= 0x2000 && cp <= 0x2BFF)
        return 0; /* punctuation, symbols, arrows, dingbats */
    if (cp >= 0x3000 && cp <= 0x303F)
        return 0;
    if (cp == 0xFEFF || (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF0F))
        return 0;
    return 1;
}

static int ascii_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* Length of an elided prefix at the start of a word at s ("l'", "qu’"), including the
 * apostrophe, when a letter follows; 0 otherwise. */
static size_t elision_len(const char *s, size_t len)
{
    /* Quick refusal, as most words are not elided: every elision starts with one of these
     * letters, and its apostrophe (', or the first byte of U+2018, U+2019 or U+02BC) comes
     * within its first 7 bytes. */
    if (!strchr("ldqjnscmtp", s[0] | 0x20))
        return 0;
    size_t k = 1, lim = len < 8 ? len : 8;
    while (k < lim && s[k] != '\'' && (unsigned char)s[k] != 0xE2 && (unsigned char)s[k] != 0xCA)
        k++;
    if (k == lim)
        return 0;
    for (size_t e = 0; e < sizeof elisions / sizeof elisions[0]; e++) {
        size_t el = strlen(elisions[e]);
        if (len <= el)
            continue;
        size_t k = 0;
        while (k < el && (s[k] | 0x20) == elisions[e][k])
            k++;
        if (k < el)
            continue;
        size_t an;
        uint32_t ap = iqn_utf8_decode(s + el, len - el, &an);
        if (!is_apostrophe(ap) || el + an >= len)
            continue;
        size_t ln;
        uint32_t next = iqn_utf8_decode(s + el + an, len - el - an, &ln);
        if (is_word_cp(next) && !(next >= '0' && next <= '9'))
            return el + an;
    }
    return 0;
}

int iqn_text_fold(const char *s, size_t len, int lower, struct iqn_buf *out)
{
    size_t i = 0;
    int prev_word = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (!prev_word && c < 0x80 && ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
            size_t el = elision_len(s + i, len - i);
            if (el) {
                i += el;
                continue;
            }
        }
        if (c < 0x80) {
            /* A run of ASCII, copied a block at a time. */
            char run[256];
            size_t n = 0;
            while (i < len && (c = (unsigned char)s[i]) < 0x80) {
                if (!prev_word && ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
                    size_t el = elision_len(s + i, len - i);
                    if (el) {
                        i += el;
                        break; /* what follows the apostrophe may not be ASCII */
                    }
                }
                char ch = (char)c;
                if (lower && ch >= 'A' && ch <= 'Z')
                    ch = (char)(ch + 32);
                run[n++] = ch;
                if (n == sizeof run) {
                    iqn_buf_add(out, run, n);
                    n = 0;
                }
                prev_word = ascii_alnum(c) || c == '\'';
                i++;
            }
            if (n)
                iqn_buf_add(out, run, n);
            continue;
        }
        size_t n;
        uint32_t cp = iqn_utf8_decode(s + i, len - i, &n);
        if (cp >= 0xC0 && cp < 0x180 && fold_latin[cp - 0xC0]) {
            const char *f = fold_latin[cp - 0xC0];
            if (lower) {
                for (; *f; f++)
                    iqn_buf_addc(out, (char)((*f >= 'A' && *f <= 'Z') ? *f + 32 : *f));
            } else {
                iqn_buf_adds(out, f);
            }
        } else if (cp >= 0x300 && cp <= 0x36F) {
            /* combining accent of a decomposed letter (e + U+0301): dropped, like a precomposed accent */
        } else if (is_apostrophe(cp)) {
            iqn_buf_addc(out, '\'');
        } else if (cp == 0xA0 || cp == 0x202F || cp == 0x2009) {
            iqn_buf_addc(out, ' '); /* no-break spaces, used before French punctuation */
        } else if (cp == 0xFFFD && iqn_utf8_seq_len(s + i, len - i) == 0) {
            iqn_buf_addc(out, ' '); /* invalid byte */
        } else {
            iqn_buf_add(out, s + i, n);
        }
        prev_word = is_word_cp(cp) || is_apostrophe(cp);
        i += n;
    }
    if (!out->data)
        iqn_buf_add(out, "", 0);
    return iqn_buf_failed(out) ? -1 : 0;
}

int iqn_text_next_word(const char *s, size_t len, size_t *pos, size_t *start, size_t *wlen)
{
    size_t i = *pos, n;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) { /* ASCII without decoding: most of the text */
            if (ascii_alnum(c))
                break;
            i++;
            continue;
        }
        uint32_t cp = iqn_utf8_decode(s + i, len - i, &n);
        if (is_word_cp(cp))
            break;
        i += n;
    }
    if (i >= len) {
        *pos = len;
        return 0;
    }
    *start = i;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80 && ascii_alnum(c)) {
            i++;
            continue;
        }
        if (c < 0x80 && c != '\'')
            break;
        uint32_t cp = iqn_utf8_decode(s + i, len - i, &n);
        if (is_word_cp(cp)) {
            i += n;
            continue;
        }
        if (is_apostrophe(cp) && i + n < len) {
            size_t m;
            uint32_t next = iqn_utf8_decode(s + i + n, len - i - n, &m);
            if (is_word_cp(next)) {
                i += n;
                continue;
            }
        }
        break;
    }
    *wlen = i - *start;
    *pos = i;
    return 1;
}
