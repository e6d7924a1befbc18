/* extract_main.c - iqn-extract: print the text and metadata of one document as JSON (for people
 * and tests), and the helper process behind iqn_extract_isolated (--child). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "extract.h"
#include "input.h"

static const char usage[] =
    "usage: iqn-extract [--isolated] [--seconds N] [--memory MIB] [--format FMT] FILE\n"
    "Print {title, author, date, lang, detected_lang, summary, text} of FILE (\"-\" = stdin; .gz\n"
    "read transparently) as JSON. FMT: html, pdf, docx, odt, text (default: detected).\n"
    "--isolated runs the extractor in a separate process with the time and memory limits.\n"
    "On a document that cannot be read: \"FILE: skipped: reason\" on stderr, exit status 1.\n";

/* Parse a positive integer argument no larger than max; -1 if it is not one. */
static long long parse_num(const char *s, long long max)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v <= 0 || v > max)
        return -1;
    return v;
}

static enum iqn_format parse_format(const char *s)
{
    static const struct {
        const char *name;
        enum iqn_format fmt;
    } names[] = {{"html", IQN_FMT_HTML}, {"xhtml", IQN_FMT_HTML}, {"pdf", IQN_FMT_PDF},
                 {"docx", IQN_FMT_DOCX}, {"odt", IQN_FMT_ODT},    {"text", IQN_FMT_TEXT},
                 {"txt", IQN_FMT_TEXT}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i].name) == 0)
            return names[i].fmt;
    return IQN_FMT_UNKNOWN;
}

/* iqn-extract --child FORMAT SECONDS MEMORY NAME: the document on stdin, the reply on stdout. */
static int child_main(int argc, char **argv)
{
    struct iqn_extract_limits lim;
    if (argc != 6)
        return 2;
    long long fmt = parse_num(argv[2], 100), sec = parse_num(argv[3], 1000000),
              mem = parse_num(argv[4], (long long)1 << 50);
    if (fmt < 0 || sec < 0 || mem < 0)
        return 2;
    lim.seconds = (unsigned)sec;
    lim.memory = (size_t)mem;
    return iqn_extract_serve(STDIN_FILENO, STDOUT_FILENO, (enum iqn_format)fmt, argv[5], &lim) == 0 ? 0 : 3;
}

static int print_json(const char *path, enum iqn_format fmt, const struct iqn_extracted *x)
{
    struct iqn_buf b;
    iqn_buf_init(&b, IQN_EXTRACT_TEXT_MAX * 2 + 1024 * 1024);
    const char *detected = iqn_detect_lang(x->text, x->text_len);
    iqn_buf_adds(&b, "{\"file\":");
    iqn_buf_json_strz(&b, path);
    iqn_buf_adds(&b, ",\"format\":");
    iqn_buf_json_strz(&b, iqn_format_name(fmt));
    const char *keys[] = {"title", "author", "date", "lang", "detected_lang", "summary"};
    const char *vals[] = {x->title, x->author, x->date, x->lang, detected, x->summary};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        iqn_buf_addf(&b, ",\"%s\":", keys[i]);
        iqn_buf_json_strz(&b, vals[i]);
    }
    iqn_buf_adds(&b, ",\"text\":");
    iqn_buf_json_str(&b, x->text ? x->text : "", x->text_len);
    iqn_buf_adds(&b, "}\n");
    if (iqn_buf_failed(&b)) {
        iqn_buf_free(&b);
        fprintf(stderr, "iqn-extract: out of memory writing the result\n");
        return 1;
    }
    int rc = fwrite(b.data, 1, b.len, stdout) == b.len && fflush(stdout) == 0 ? 0 : 1;
    iqn_buf_free(&b);
    return rc;
}

int main(int argc, char **argv)
{
    struct iqn_input_limits ilim = {IQN_INPUT_RAW_MAX, IQN_INPUT_DECODED_MAX};
    struct iqn_extract_limits lim = {0, 0};
    struct iqn_input in;
    struct iqn_extracted x;
    struct iqn_error err;
    enum iqn_format fmt = IQN_FMT_UNKNOWN;
    int isolated = 0, i;

    if (argc >= 2 && strcmp(argv[1], "--child") == 0)
        return child_main(argc, argv);
    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        const char *opt = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : "";
        long long v = -1;
        if (strcmp(opt, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(opt, "--isolated") == 0) {
            isolated = 1;
            continue;
        }
        if (strcmp(opt, "--seconds") == 0) {
            v = parse_num(val, 86400);
            lim.seconds = (unsigned)(v > 0 ? v : 0);
        } else if (strcmp(opt, "--memory") == 0) {
            v = parse_num(val, 1 << 20);
            lim.memory = (size_t)(v > 0 ? v : 0) * 1024 * 1024;
        } else if (strcmp(opt, "--format") == 0) {
            fmt = parse_format(val);
            v = fmt == IQN_FMT_UNKNOWN ? -1 : 1;
        }
        if (v <= 0) {
            fprintf(stderr, "iqn-extract: bad option %s %s\n%s", opt, val, usage);
            return 2;
        }
        i++;
    }
    if (i + 1 != argc) {
        fputs(usage, stderr);
        return 2;
    }
    const char *path = argv[i];
    if (iqn_input_read(path, &ilim, &in, &err) != IQN_OK) {
        fprintf(stderr, "%s: skipped: %s\n", path, err.message);
        return 1;
    }
    if (fmt == IQN_FMT_UNKNOWN)
        fmt = iqn_input_detect(in.data, in.len, path);
    int rc = isolated ? iqn_extract_isolated(fmt, in.data, in.len, path, &lim, &x, &err)
                      : iqn_extract(fmt, in.data, in.len, path, &x, &err);
    iqn_input_free(&in);
    if (rc != IQN_OK) {
        fprintf(stderr, "%s: skipped: %s\n", path, err.message);
        return 1;
    }
    rc = print_json(path, fmt, &x);
    iqn_extracted_free(&x);
    return rc;
}
