/* main.c - iqn-index: import IQN XML and JSON Lines records into the index (SPEC section 3). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "error.h"
#include "input.h"
#include "parse_jsonl.h"
#include "parse_xml.h"
#include "sink.h"
#include "vocab.h"
#include "walk.h"

#ifndef IQN_DEFAULT_VOCAB_DIR
#define IQN_DEFAULT_VOCAB_DIR "corpus/vocab"
#endif

#define EXIT_FAILED 1 /* some records or files failed */
#define EXIT_FATAL 2  /* usage error, or the index could not be opened or committed */
#define BATCH_MAX 10000000UL

static const char usage_line[] =
    "usage: iqn-index --db DIR [--vocab DIR] [--dry-run] [--batch N] [--quiet] [--delete ID ...] PATH...\n";

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

struct options {
    const char *db;
    const char *vocab;
    int dry_run;
    int quiet;
    unsigned long batch;
    struct iqn_input_limits limits;
    const char **paths; /* argv-borrowed */
    size_t npaths;
    const char **ids;
    size_t nids;
};

static void help(void)
{
    printf("%s", usage_line);
    printf("\n"
           "Import IQN records into the search index: IQN XML (<record> or <records>) and JSON Lines,\n"
           "either of them gzip-compressed. PATH is a file, a directory (read recursively, in sorted\n"
           "order, hidden names left out) or '-' for standard input. The format is told by the content\n"
           "(first non-blank byte '<' = XML, '{' = JSON Lines), the file name is a hint. Other formats are\n"
           "reported and skipped. Records are upserted by id: unchanged records are not rewritten.\n"
           "\n"
           "  --db DIR         the index (created if missing)\n"
           "  --vocab DIR      facet vocabularies (default %s)\n"
           "  --dry-run        validate and report what would change; write nothing\n"
           "  --batch N        commit after every N records (default %d); each commit is atomic\n"
           "  --quiet          no progress line\n"
           "  --delete ID ...  delete these records first (every argument up to the next option is an\n"
           "                   id; repeatable; put PATHs before --delete or after --)\n"
           "  --max-size BYTES largest input after decompression (default 512M; K, M, G suffixes);\n"
           "                   files on disk are also limited to 256M\n"
           "  --help           this text\n"
           "\n"
           "Errors go to stderr as 'path:line: reason'; the summary goes to stdout.\n"
           "Exit status: 0 all records stored, 1 some records or files failed (or ids not found),\n"
           "2 usage error, index unopenable, commit failed, or interrupted.\n",
           IQN_DEFAULT_VOCAB_DIR, IQN_SINK_BATCH_DEFAULT);
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "iqn-index: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage_line);
    return EXIT_FATAL;
}

/* A positive count with an optional K/M/G suffix (powers of 1024) into *out. */
static int parse_size(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end = NULL;
    if (s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s)
        return -1;
    unsigned long long mult = 1;
    if (*end == 'K' || *end == 'k')
        mult = 1024ULL;
    else if (*end == 'M' || *end == 'm')
        mult = 1024ULL * 1024;
    else if (*end == 'G' || *end == 'g')
        mult = 1024ULL * 1024 * 1024;
    if (mult != 1)
        end++;
    if (*end != '\0' || v == 0 || v > max / mult)
        return -1;
    *out = v * mult;
    return 0;
}

/* The value of an option given as "--opt VALUE" or "--opt=VALUE"; NULL if it is not this option. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, int *missing)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    *missing = 0;
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = 1;
        return NULL;
    }
    (*i)++;
    return argv[*i];
}

/* Parse the command line into o. Returns -1 to exit 0 (--help), 0 to go on, or an exit status. */
static int parse_args(int argc, char **argv, struct options *o)
{
    int in_delete = 0, only_paths = 0, missing;
    const char *v;

    memset(o, 0, sizeof *o);
    o->vocab = IQN_DEFAULT_VOCAB_DIR;
    o->batch = IQN_SINK_BATCH_DEFAULT;
    o->limits.raw_max = IQN_INPUT_RAW_MAX;
    o->limits.decoded_max = IQN_INPUT_DECODED_MAX;
    o->paths = calloc((size_t)argc, sizeof *o->paths);
    o->ids = calloc((size_t)argc, sizeof *o->ids);
    if (!o->paths || !o->ids) {
        fprintf(stderr, "iqn-index: out of memory\n");
        return EXIT_FATAL;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_paths || a[0] != '-' || strcmp(a, "-") == 0) {
            if (in_delete && !only_paths && strcmp(a, "-") != 0)
                o->ids[o->nids++] = a;
            else
                o->paths[o->npaths++] = a;
            if (strcmp(a, "-") == 0)
                in_delete = 0;
            continue;
        }
        in_delete = 0;
        if (strcmp(a, "--") == 0) {
            only_paths = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            help();
            return -1;
        } else if (strcmp(a, "--dry-run") == 0 || strcmp(a, "-n") == 0) {
            o->dry_run = 1;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            o->quiet = 1;
        } else if ((v = opt_value(argc, argv, &i, "--delete", &missing)) != NULL || missing) {
            if (missing)
                return usage_error("%s needs at least one id", "--delete");
            if (v[0] == '-')
                return usage_error("--delete needs an id, not '%s'", v);
            o->ids[o->nids++] = v;
            in_delete = 1;
        } else if ((v = opt_value(argc, argv, &i, "--db", &missing)) != NULL || missing) {
            if (missing || v[0] == '\0')
                return usage_error("%s needs a directory", "--db");
            o->db = v;
        } else if ((v = opt_value(argc, argv, &i, "--vocab", &missing)) != NULL || missing) {
            if (missing || v[0] == '\0')
                return usage_error("%s needs a directory", "--vocab");
            o->vocab = v;
        } else if ((v = opt_value(argc, argv, &i, "--batch", &missing)) != NULL || missing) {
            unsigned long long n;
            if (missing)
                return usage_error("%s needs a number", "--batch");
            if (parse_size(v, BATCH_MAX, &n) != 0)
                return usage_error("--batch: '%s' is not a number from 1 to 10000000", v);
            o->batch = (unsigned long)n;
        } else if ((v = opt_value(argc, argv, &i, "--max-size", &missing)) != NULL || missing) {
            unsigned long long n;
            if (missing)
                return usage_error("%s needs a size", "--max-size");
            if (parse_size(v, 1ULL << 31, &n) != 0)
                return usage_error("--max-size: '%s' is not a size from 1 to 2G", v);
            o->limits.decoded_max = (size_t)n;
            if (o->limits.raw_max > o->limits.decoded_max)
                o->limits.raw_max = o->limits.decoded_max;
        } else {
            return usage_error("unknown option '%s'", a);
        }
    }
    if (!o->db)
        return usage_error("%s is required", "--db");
    if (o->npaths == 0 && o->nids == 0)
        return usage_error("%s", "nothing to do: give a PATH to import or --delete ID");
    return 0;
}

/* Read one input and hand it to the parser its content calls for. */
static int do_input(struct iqn_sink *s, const char *path, const struct iqn_input_limits *limits,
                    struct iqn_error *err)
{
    struct iqn_input in;
    struct iqn_error e;
    int rc = IQN_OK;

    if (iqn_input_read(path, limits, &in, &e) != IQN_OK) {
        iqn_sink_file_failed(s, 0, "%s", e.message);
        return IQN_OK;
    }
    enum iqn_format f = iqn_input_detect(in.data, in.len, path);
    switch (f) {
    case IQN_FMT_XML:
        rc = iqn_parse_xml(s, in.data, in.len, err);
        break;
    case IQN_FMT_JSONL:
        rc = iqn_parse_jsonl(s, in.data, in.len, err);
        break;
    default:
        iqn_sink_file_skipped(s, "unsupported format (%s)", iqn_format_name(f));
        break;
    }
    iqn_input_free(&in);
    return rc;
}

/* Open the index: for writing (created if missing), or in a dry run read-only when it exists. */
static int open_index(const struct options *o, struct iqn_db **db)
{
    struct iqn_error e;
    struct stat st;

    *db = NULL;
    if (o->dry_run) {
        if (stat(o->db, &st) != 0 && errno == ENOENT)
            return 0; /* no index yet: everything would be added */
        if (iqn_db_open(o->db, IQN_DB_READ, db, &e) == IQN_OK)
            return 0;
        if (e.code == IQN_ENOTFOUND)
            return 0;
    } else if (iqn_db_open(o->db, IQN_DB_WRITE | IQN_DB_CREATE, db, &e) == IQN_OK) {
        return 0;
    }
    *db = NULL;
    fprintf(stderr, "iqn-index: cannot open index %s: %s\n", o->db,
            iqn_sink_index_reason(e.message, o->db));
    return -1;
}

/* Parse the command line, open the vocabularies and the index, apply --delete, then import every
 * input, commit, and print the summary. Exit status: 0, 1 (some failures) or 2 (fatal). */
int main(int argc, char **argv)
{
    struct options o;
    struct iqn_vocab *vocab = NULL;
    struct iqn_db *db = NULL;
    struct iqn_sink *s = NULL;
    struct iqn_walk w = {0};
    struct iqn_error e;
    int status = EXIT_FATAL;
    int xml_ready = 0;

    int prc = parse_args(argc, argv, &o);
    if (prc != 0) {
        status = prc < 0 ? 0 : prc;
        goto done;
    }
    iqn_parse_xml_init();
    xml_ready = 1;
    if (iqn_vocab_load(o.vocab, &vocab, &e) != IQN_OK) {
        fprintf(stderr, "iqn-index: cannot load vocabularies from %s: %s\n", o.vocab, e.message);
        goto done;
    }
    if (open_index(&o, &db) != 0)
        goto done;
    if (db)
        iqn_db_set_vocab(db, vocab); /* records are also found by their codes' EN and FR labels */

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    struct iqn_sink_config cfg = {
        .db = db,
        .vocab = vocab,
        .db_path = o.db,
        .dry_run = o.dry_run,
        .batch = o.batch,
        .progress = !o.quiet && isatty(STDERR_FILENO),
        .stop = &stop_flag,
    };
    if (iqn_sink_new(&cfg, &s, &e) != IQN_OK) {
        fprintf(stderr, "iqn-index: %s\n", e.message);
        goto done;
    }
    if (o.dry_run && !db && !o.quiet)
        iqn_sink_note(s, "dry run: index %s does not exist yet; every record would be added", o.db);

    int fatal = 0;
    for (size_t i = 0; i < o.nids && !fatal && !stop_flag; i++) {
        if (iqn_sink_delete(s, o.ids[i], &e) != IQN_OK) {
            iqn_sink_note(s, "%s", e.message);
            fatal = 1;
        }
    }
    for (size_t i = 0; i < o.npaths && !fatal; i++) {
        if (iqn_walk_add(&w, o.paths[i], &e) != IQN_OK) {
            iqn_sink_note(s, "%s", e.message);
            fatal = 1;
        }
    }
    unsigned long long total_bytes = 0;
    for (size_t i = 0; i < w.n; i++)
        total_bytes += w.v[i].size;
    iqn_sink_set_total(s, w.n, total_bytes);
    for (size_t i = 0; i < w.n && !fatal && !stop_flag; i++) {
        const struct iqn_walk_entry *we = &w.v[i];
        iqn_sink_begin_file(s, we->path, we->size);
        switch (we->kind) {
        case IQN_WALK_SKIP:
            iqn_sink_file_skipped(s, "%s", we->reason);
            break;
        case IQN_WALK_ERROR:
            iqn_sink_file_failed(s, 0, "%s", we->reason);
            break;
        case IQN_WALK_FILE:
        case IQN_WALK_STDIN:
            if (do_input(s, we->path, &o.limits, &e) != IQN_OK) {
                iqn_sink_note(s, "%s", e.message);
                fatal = 1;
            }
            break;
        }
        iqn_sink_end_file(s);
    }
    /* Even after a fatal error or a signal, keep what was done: every record is whole. */
    if (iqn_sink_finish(s, &e) != IQN_OK) {
        iqn_sink_note(s, "%s", e.message);
        fatal = 1;
    }
    if (stop_flag)
        iqn_sink_note(s, "interrupted; the records stored so far are committed, a re-run completes the job");
    iqn_sink_summary(s, stdout, o.npaths > 0, o.nids > 0);
    fflush(stdout);

    struct iqn_sink_counts c;
    iqn_sink_get_counts(s, &c);
    if (fatal || stop_flag)
        status = EXIT_FATAL;
    else if (c.failed > 0 || c.not_found > 0)
        status = EXIT_FAILED;
    else
        status = 0;
done:
    iqn_sink_free(s);
    iqn_db_close(db);
    iqn_vocab_free(vocab);
    iqn_walk_free(&w);
    free(o.paths);
    free(o.ids);
    if (xml_ready)
        iqn_parse_xml_cleanup();
    return status;
}
