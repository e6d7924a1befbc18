/* stopwords.c - the English and French stop word lists (folded: no accents). */
#include "stopwords.h"

#include <string.h>

static const char *const en[] = {
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be",
    "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do",
    "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having",
    "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it",
    "its", "itself", "me", "more", "most", "my", "myself", "no", "nor", "not", "of", "off", "on", "once", "only",
    "or", "other", "ought", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so",
    "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these",
    "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what",
    "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours",
    "yourself", "yourselves", NULL};

static const char *const fr[] = {
    "a", "ai", "aie", "aient", "aies", "ait", "as", "au", "aura", "aurai", "auraient", "aurais", "aurait", "aux",
    "avaient", "avais", "avait", "avec", "avez", "aviez", "avions", "avons", "ayant", "c", "ce", "ceci", "cela",
    "ces", "cet", "cette", "d", "dans", "de", "des", "du", "elle", "elles", "en", "es", "est", "et", "etaient",
    "etais", "etait", "etant", "ete", "etes", "etiez", "etions", "etre", "eu", "eux", "furent", "fut", "il",
    "ils", "j", "je", "l", "la", "le", "les", "leur", "leurs", "lui", "m", "ma", "mais", "me", "meme", "mes",
    "moi", "mon", "n", "ne", "nos", "notre", "nous", "on", "ont", "ou", "par", "pas", "pour", "qu", "que", "qui",
    "s", "sa", "se", "ses", "son", "sont", "sur", "ta", "te", "tes", "toi", "ton", "tu", "un", "une", "vos",
    "votre", "vous", "y", NULL};

const char *const *iqn_stopwords(const char *lang)
{
    if (lang && strcmp(lang, "fr") == 0)
        return fr;
    return en;
}
