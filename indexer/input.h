/* input.h - read one input (a file or standard input) into memory, bounded, gunzipped when
 * compressed, and guess its format from its content with the file name as a hint. */
#ifndef IQN_INPUT_H
#define IQN_INPUT_H

#include <stddef.h>

#include "error.h"

#define IQN_INPUT_RAW_MAX ((size_t)256 * 1024 * 1024)     /* bytes read from disk */
#define IQN_INPUT_DECODED_MAX ((size_t)512 * 1024 * 1024) /* bytes after gunzip */

/* Size caps for one input. */
struct iqn_input_limits {
    size_t raw_max;     /* bytes read from the file or stdin */
    size_t decoded_max; /* bytes after decompression */
};

/* One input in memory. data is NUL-terminated (data[len] == 0) for the parsers' convenience. */
struct iqn_input {
    char *data;
    size_t len;
    size_t raw_len;  /* bytes read, before decompression */
    int gzipped;     /* 1 if the content was gzip-compressed */
};

/* Formats we can recognise. XML and JSONL hold records (parse_xml.c, parse_jsonl.c); HTML, PDF,
 * DOCX, ODT and TEXT are documents for the extractors (extract.h). */
enum iqn_format {
    IQN_FMT_UNKNOWN,
    IQN_FMT_XML,   /* IQN XML records */
    IQN_FMT_JSONL, /* JSON Lines records */
    IQN_FMT_HTML,
    IQN_FMT_PDF,
    IQN_FMT_DOCX,
    IQN_FMT_ODT,
    IQN_FMT_ZIP,   /* a zip archive that is neither DOCX nor ODT */
    IQN_FMT_TEXT,
    IQN_FMT_BINARY /* anything else that is not text */
};

/* Read path ("-" = standard input) into in. Files bigger than limits->raw_max, gzip content
 * expanding past limits->decoded_max, and corrupt gzip streams are refused with a reason in err.
 * On failure in is left empty. */
int iqn_input_read(const char *path, const struct iqn_input_limits *limits, struct iqn_input *in,
                   struct iqn_error *err);

/* Release the memory of in (accepts an empty input). */
void iqn_input_free(struct iqn_input *in);

/* Decide the format of data from its first bytes; name (may be NULL or "-") is the hint used
 * when the content does not decide (an empty file, a zip archive, plain text, text that starts
 * with a brace but not like a JSON object, such as a page template's "{% raw %}"; a tag atop a file
 * named as text, .md or .rst, without an XML declaration). */
enum iqn_format iqn_input_detect(const char *data, size_t len, const char *name);

/* A short human name for a format ("IQN XML", "PDF"). */
const char *iqn_format_name(enum iqn_format f);

#endif
