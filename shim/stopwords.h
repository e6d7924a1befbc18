/* stopwords.h - English and French stop words: left out of stemmed ranking terms and of queries
 * (outside phrases), kept in the positional index so that phrases still match them. */
#ifndef IQN_STOPWORDS_H
#define IQN_STOPWORDS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* NULL-terminated lists of folded, lower-case words; lang "en" or "fr". */
const char *const *iqn_stopwords(const char *lang);

#ifdef __cplusplus
}
#endif
#endif
