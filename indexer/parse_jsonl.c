/* parse_jsonl.c - JSON Lines records, line by line; a bad line never stops the rest. */
#include "parse_jsonl.h"

#include <string.h>

#include "record.h"

static int blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            return 0;
    return 1;
}

/* Parse JSON Lines; see parse_jsonl.h. */
int iqn_parse_jsonl(struct iqn_sink *s, const char *data, size_t len, struct iqn_error *err)
{
    struct iqn_record *r = iqn_record_new();
    struct iqn_error e;
    size_t pos = 0;
    long line = 0;
    int rc = IQN_OK;

    if (!r)
        return iqn_error_set(err, IQN_ENOMEM, "out of memory");
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        pos = 3; /* a UTF-8 byte order mark */
    while (pos < len && rc == IQN_OK && !iqn_sink_stopping(s)) {
        const char *start = data + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - start) : len - pos;
        pos += n + (nl ? 1 : 0);
        line++;
        if (n > 0 && start[n - 1] == '\r')
            n--;
        if (blank(start, n))
            continue;
        if (n > IQN_JSONL_LINE_MAX) {
            iqn_sink_record_failed(s, line, NULL, "line too long (%zu bytes, limit %zu MiB)", n,
                                   IQN_JSONL_LINE_MAX / (1024 * 1024));
            continue;
        }
        iqn_record_clear(r);
        iqn_error_clear(&e);
        if (iqn_record_from_json(r, start, n, &e) != IQN_OK) {
            iqn_sink_record_failed(s, line, iqn_record_get(r, IQN_F_ID), "%s", e.message);
            continue;
        }
        iqn_sink_file_progress(s, (double)pos / (double)len);
        rc = iqn_sink_record(s, r, line, err);
    }
    iqn_record_free(r);
    return rc;
}
