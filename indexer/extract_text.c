/* extract_text.c - plain text: decoded to UTF-8, line endings normalised, paragraphs on blank lines. */
#include "extract_text.h"

#include <stdlib.h>
#include <string.h>

#include "extract_util.h"

/* 1 if s[0..n) holds only white space. */
static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\f' && s[i] != '\v')
            return 0;
    return 1;
}

int iqn_ex_text(const char *data, size_t len, struct iqn_extracted *out, struct iqn_error *err)
{
    struct iqn_textb t;
    char *utf8 = NULL;
    size_t ulen;
    int rc = iqn_ex_to_utf8(data, len, NULL, &utf8, &ulen, err);
    if (rc != IQN_OK)
        return rc;
    iqn_textb_init(&t, IQN_EXTRACT_TEXT_MAX);
    for (size_t i = 0; i < ulen && !t.truncated;) {
        size_t e = i;
        while (e < ulen && utf8[e] != '\n' && utf8[e] != '\r')
            e++;
        if (blank(utf8 + i, e - i)) {
            iqn_textb_break(&t, IQN_EX_PARA);
        } else {
            iqn_textb_add(&t, utf8 + i, e - i, 0);
            iqn_textb_break(&t, IQN_EX_LINE);
        }
        /* One line ending: LF, CR LF or a lone CR. */
        if (e < ulen && utf8[e] == '\r' && e + 1 < ulen && utf8[e + 1] == '\n')
            e++;
        i = e + 1;
    }
    free(utf8);
    return iqn_textb_take(&t, &out->text, &out->text_len, err);
}
