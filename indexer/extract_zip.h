/* extract_zip.h - reading single entries out of a ZIP archive in memory (DOCX, ODT), with each
 * entry's uncompressed size and compression ratio checked before it is inflated (zip bombs). */
#ifndef IQN_EXTRACT_ZIP_H
#define IQN_EXTRACT_ZIP_H

#include <stddef.h>

#include "error.h"
#include "extract.h"

#define IQN_EX_ZIP_ENTRY_MAX ((size_t)256 * 1024 * 1024) /* uncompressed bytes of one entry */
#define IQN_EX_ZIP_RATIO_MAX 200                          /* uncompressed / compressed, for entries > 1 MiB */

struct iqn_ex_zip;

/* Open the archive data[0..len) (not copied: it must outlive the archive). fmt names the format in
 * messages ("DOCX"). */
int iqn_ex_zip_open(const char *data, size_t len, const char *fmt, struct iqn_ex_zip **out,
                    struct iqn_error *err);

/* Read entry name into a new NUL-terminated buffer (caller frees). A missing entry gives
 * IQN_ENOTFOUND with "<fmt>: no <name>"; an entry too large or too compressed is refused with
 * "ZIP entry too large (possible zip bomb): ...". */
int iqn_ex_zip_read(struct iqn_ex_zip *z, const char *name, char **out, size_t *outlen, struct iqn_error *err);

void iqn_ex_zip_close(struct iqn_ex_zip *z); /* accepts NULL */

/* Which field of struct iqn_extracted a metadata element fills. */
enum iqn_ex_slot { IQN_EX_TITLE, IQN_EX_AUTHOR, IQN_EX_DATE, IQN_EX_LANG, IQN_EX_SUMMARY };

/* One metadata element of a package's properties part, and the field it fills. */
struct iqn_ex_meta {
    const char *ns;
    const char *local;
    enum iqn_ex_slot slot;
};

/* Fill out's metadata from the XML entry name (docProps/core.xml, meta.xml): each field gets the
 * value of the earliest entry of map that the document has; dates become ISO, languages "en"/"fr".
 * A missing entry is no error. */
int iqn_ex_zip_meta(struct iqn_ex_zip *z, const char *name, const struct iqn_ex_meta *map, size_t n,
                    struct iqn_extracted *out, struct iqn_error *err);

#endif
