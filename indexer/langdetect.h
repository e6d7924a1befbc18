/* langdetect.h - is a text English or French? (iqn_detect_lang is declared in extract.h) */
#ifndef IQN_LANGDETECT_H
#define IQN_LANGDETECT_H

#include <stddef.h>

/* Evidence gathered from a text, for tests and tuning. */
struct iqn_lang_scores {
    double en, fr;   /* weighted evidence for each language */
    size_t words;    /* words looked at */
};

/* Score text (only its first IQN_LANG_SCAN_MAX bytes are read). */
void iqn_lang_score(const char *text, size_t len, struct iqn_lang_scores *s);

#define IQN_LANG_SCAN_MAX ((size_t)64 * 1024)

#endif
