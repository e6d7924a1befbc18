/* extract_zip.c - bounded reading of ZIP entries from memory through libzip. */
#include "extract_zip.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "extract_util.h"

struct iqn_ex_zip {
    zip_t *za;
    const char *fmt;
};

int iqn_ex_zip_open(const char *data, size_t len, const char *fmt, struct iqn_ex_zip **out,
                    struct iqn_error *err)
{
    zip_error_t ze;
    zip_source_t *src = NULL;
    struct iqn_ex_zip *z = NULL;
    int rc;

    *out = NULL;
    zip_error_init(&ze);
    z = calloc(1, sizeof *z);
    if (!z) {
        rc = iqn_error_set(err, IQN_ENOMEM, "out of memory opening the %s archive", fmt);
        goto fail;
    }
    z->fmt = fmt;
    src = zip_source_buffer_create(data, len, 0, &ze);
    if (!src) {
        rc = iqn_error_set(err, IQN_ENOMEM, "%s: cannot read the ZIP archive (%s)", fmt, zip_error_strerror(&ze));
        goto fail;
    }
    z->za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    if (!z->za) {
        int code = zip_error_code_zip(&ze);
        if (code == ZIP_ER_NOZIP || code == ZIP_ER_INCONS || code == ZIP_ER_EOF || code == ZIP_ER_READ)
            rc = iqn_error_set(err, IQN_EINVAL, "%s: damaged or truncated ZIP archive (%s)", fmt,
                               zip_error_strerror(&ze));
        else
            rc = iqn_error_set(err, IQN_EINVAL, "%s: cannot open the ZIP archive (%s)", fmt, zip_error_strerror(&ze));
        zip_source_free(src);
        goto fail;
    }
    zip_error_fini(&ze);
    *out = z;
    return IQN_OK;
fail:
    zip_error_fini(&ze);
    free(z);
    return rc;
}

int iqn_ex_zip_read(struct iqn_ex_zip *z, const char *name, char **out, size_t *outlen, struct iqn_error *err)
{
    zip_stat_t st;
    zip_file_t *zf = NULL;
    char *buf = NULL;
    int rc;

    *out = NULL;
    *outlen = 0;
    zip_int64_t idx = zip_name_locate(z->za, name, 0);
    if (idx < 0)
        return iqn_error_set(err, IQN_ENOTFOUND, "%s: no %s", z->fmt, name);
    zip_stat_init(&st);
    if (zip_stat_index(z->za, (zip_uint64_t)idx, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
        !(st.valid & ZIP_STAT_COMP_SIZE))
        return iqn_error_set(err, IQN_EINVAL, "%s: cannot read the directory entry of %s", z->fmt, name);
    /* The sizes come from the central directory: checked before inflating, and enforced while
     * inflating, since they may lie. */
    if (st.size > IQN_EX_ZIP_ENTRY_MAX)
        return iqn_error_set(err, IQN_EINVAL,
                             "ZIP entry too large (possible zip bomb): %s would expand to %llu MiB (limit %zu MiB)",
                             name, (unsigned long long)(st.size >> 20), IQN_EX_ZIP_ENTRY_MAX >> 20);
    if (st.size > 1024 * 1024 && (st.comp_size == 0 || st.size / st.comp_size > IQN_EX_ZIP_RATIO_MAX))
        return iqn_error_set(err, IQN_EINVAL,
                             "ZIP entry too large (possible zip bomb): %s is compressed %llu:1 (limit %d:1)", name,
                             (unsigned long long)(st.comp_size ? st.size / st.comp_size : st.size),
                             IQN_EX_ZIP_RATIO_MAX);
    size_t want = (size_t)st.size;
    buf = malloc(want + 1);
    if (!buf) {
        rc = iqn_error_set(err, IQN_ENOMEM, "out of memory reading %s", name);
        goto fail;
    }
    zf = zip_fopen_index(z->za, (zip_uint64_t)idx, 0);
    if (!zf) {
        zip_error_t *ze = zip_get_error(z->za);
        if (zip_error_code_zip(ze) == ZIP_ER_NOPASSWD || zip_error_code_zip(ze) == ZIP_ER_WRONGPASSWD)
            rc = iqn_error_set(err, IQN_EINVAL, "%s is encrypted", z->fmt);
        else
            rc = iqn_error_set(err, IQN_EINVAL, "%s: cannot read %s (%s)", z->fmt, name, zip_error_strerror(ze));
        goto fail;
    }
    size_t got = 0;
    for (;;) {
        /* Ask for one byte more than declared: getting it means the entry lied about its size. */
        char extra;
        zip_int64_t n = got < want ? zip_fread(zf, buf + got, want - got) : zip_fread(zf, &extra, 1);
        if (n < 0) {
            rc = iqn_error_set(err, IQN_EINVAL, "%s: damaged ZIP entry %s (%s)", z->fmt, name,
                               zip_error_strerror(zip_file_get_error(zf)));
            goto fail;
        }
        if (n == 0)
            break;
        if (got >= want) {
            rc = iqn_error_set(err, IQN_EINVAL, "ZIP entry too large (possible zip bomb): %s is larger than declared",
                               name);
            goto fail;
        }
        got += (size_t)n;
    }
    zip_fclose(zf);
    buf[got] = '\0';
    *out = buf;
    *outlen = got;
    return IQN_OK;
fail:
    if (zf)
        zip_fclose(zf);
    free(buf);
    return rc;
}

void iqn_ex_zip_close(struct iqn_ex_zip *z)
{
    if (!z)
        return;
    if (z->za)
        zip_discard(z->za);
    free(z);
}

int iqn_ex_zip_meta(struct iqn_ex_zip *z, const char *name, const struct iqn_ex_meta *map, size_t n,
                    struct iqn_extracted *out, struct iqn_error *err)
{
    struct iqn_ex_field f[16];
    char *xml = NULL;
    size_t len;
    if (n > sizeof f / sizeof f[0])
        return iqn_error_set(err, IQN_EINTERNAL, "too many metadata fields");
    int rc = iqn_ex_zip_read(z, name, &xml, &len, err);
    if (rc == IQN_ENOTFOUND)
        return IQN_OK;
    if (rc != IQN_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        f[i] = (struct iqn_ex_field){map[i].ns, map[i].local, NULL};
    rc = iqn_ex_xml_fields(xml, len, name, f, n, err);
    free(xml);
    for (size_t i = 0; i < n && rc == IQN_OK; i++) {
        char **slot[] = {&out->title, &out->author, &out->date, &out->lang, &out->summary};
        char **dest = slot[map[i].slot];
        if (*dest || !f[i].value)
            continue;
        if (map[i].slot == IQN_EX_DATE) {
            *dest = iqn_ex_iso_date(f[i].value);
        } else if (map[i].slot == IQN_EX_LANG) {
            const char *lang = iqn_ex_lang(f[i].value);
            *dest = lang ? strdup(lang) : NULL;
        } else {
            *dest = f[i].value;
            f[i].value = NULL;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(f[i].value);
    return rc;
}
