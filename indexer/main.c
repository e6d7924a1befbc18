/* main.c - iqn-index: import IQN records and documents into the index (SPEC section 3). */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "document.h"
#include "error.h"
#include "input.h"
#include "manifest.h"
#include "parse_xml.h"
#include "pipeline.h"
#include "report.h"
#include "sink.h"
#include "state.h"
#include "text.h"
#include "vocab.h"
#include "walk.h"

#ifndef IQN_DEFAULT_VOCAB_DIR
#define IQN_DEFAULT_VOCAB_DIR "corpus/vocab"
#endif

#define EXIT_FAILED 1 /* some records or files failed */
#define BULK_PARTS_MAX 16 /* part indexes of a first import, at most (one thread each) */
#define EXIT_FATAL 2  /* usage error, or the index could not be opened or committed */
#define BATCH_MAX 10000000UL
#define FLAG_VALUES_MAX 1024 /* bytes of the ';'-joined codes of one facet flag */

static const char usage_line[] =
    "usage: iqn-index --db DIR [options] [--delete ID ...] PATH...\n";

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

struct options {
    const char *db;
    const char *vocab;
    const char *manifest;
    const char *report;
    int dry_run;
    int quiet;
    int prune;
    int force;
    int in_place; /* --in-place: no bulk build of an empty index */
    enum iqn_isolate isolate;
    unsigned jobs;
    unsigned long batch;
    unsigned shards;    /* --shards N: make (or check) a sharded index; 0 = plain */
    unsigned extract_seconds;
    struct iqn_input_limits limits;
    const char **paths; /* argv-borrowed */
    size_t npaths;
    const char **ids;
    size_t nids;
    /* Document metadata flags as given (checked once the vocabularies are loaded). */
    const char *type, *lang, *organization;
    const char **facet_args[3]; /* --province, --profession, --topic: every occurrence */
    size_t nfacet_args[3];
};

static const enum iqn_field flag_fields[3] = {IQN_F_PROVINCE, IQN_F_PROFESSION, IQN_F_TOPIC};

static void help(void)
{
    printf("%s", usage_line);
    printf("\n"
           "Import into the search index: IQN XML records (<record> or <records>), JSON Lines records,\n"
           "and documents (HTML/XHTML, DOCX, ODT, PDF, plain text), any of them gzip-compressed.\n"
           "PATH is a file, a directory (read recursively, in sorted order, hidden names left out) or '-'\n"
           "for records on standard input. The format is told by the content. Other formats (images,\n"
           "spreadsheets, ...) are reported and skipped. A document becomes one record: its title, author,\n"
           "date, language and description come from its own metadata, the rest from --manifest and the\n"
           "flags below; its id is derived from its path (docs/IMPORT.md). Files unchanged since the last\n"
           "import (size, time, content) are not read again. See docs/IMPORT.md.\n"
           "\n"
           "  --db DIR            the index (created if missing)\n"
           "  --vocab DIR         facet vocabularies (default %s)\n"
           "  --manifest FILE     CSV metadata for documents, one row per file (columns: path,id,type,lang,\n"
           "                      title,province,profession,topic,date,organization,author,url,summary,...);\n"
           "                      without PATH, the files it lists are imported\n"
           "  --type CODE         type of documents without one (default report)\n"
           "  --lang en|fr        language of documents that do not say (default: detected)\n"
           "  --province CODES    facet codes for documents (repeatable or comma-separated);\n"
           "  --profession CODES    the manifest's cells win over these\n"
           "  --topic CODES\n"
           "  --organization TEXT organization of documents without one\n"
           "  --jobs N            extraction threads, and indexing threads of a first import\n"
           "                      (default: the number of processors)\n"
           "  --prune             remove the records of files that are gone (under the PATHs given)\n"
           "  --force             read every file again, even unchanged ones\n"
           "  --in-place          fill an empty index in place, searchable at each commit, rather\n"
           "                      than build it in parts and publish it whole when the run ends\n"
           "  --report FILE       write every failure and skip to FILE: CSV, or JSON if FILE ends in .json\n"
           "  --dry-run           validate and report what would change; write nothing\n"
           "  --shards N          the index is split into N shards (created so when new; an existing\n"
           "                      index must have N shards); see docs/DESIGN.md\n"
           "  --batch N           commit after every N records changed (default %d); each commit\n"
           "                      is atomic and holds whole files\n"
           "  --quiet             no progress lines\n"
           "  --delete ID ...     delete these records first (every argument up to the next option is an\n"
           "                      id; repeatable; put PATHs before --delete or after --)\n"
           "  --max-size BYTES    largest input after decompression (default 512M; K, M, G suffixes);\n"
           "                      files on disk are also limited to 256M\n"
           "  --extract-timeout S seconds one document's extraction may take (default 30)\n"
           "  --isolate MODE      extract documents in a child process with time and memory limits:\n"
           "                      auto (default: PDF, DOCX, ODT), all, or none\n"
           "  --help              this text\n"
           "\n"
           "Errors go to stderr as 'path:line: reason' ('path: skipped: reason' for unsupported files);\n"
           "the summary goes to stdout. Exit status: 0 everything given was imported (unsupported files\n"
           "skipped), 1 some records, documents or manifest rows failed (or ids not found), 2 usage\n"
           "error, index unopenable, commit failed, or interrupted.\n",
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

enum opt_id {
    OPT_HELP, OPT_DRY_RUN, OPT_QUIET, OPT_PRUNE, OPT_FORCE, OPT_IN_PLACE, OPT_ONLY_PATHS, OPT_DB, OPT_VOCAB, OPT_MANIFEST,
    OPT_REPORT, OPT_TYPE, OPT_LANG, OPT_ORGANIZATION, OPT_PROVINCE, OPT_PROFESSION, OPT_TOPIC, OPT_JOBS,
    OPT_EXTRACT_TIMEOUT, OPT_BATCH, OPT_SHARDS, OPT_MAX_SIZE, OPT_ISOLATE, OPT_DELETE
};

/* The options: name, short alias, what the value is (NULL: a flag without value). */
static const struct option_info {
    const char *name, *alias, *value;
    enum opt_id id;
} option_table[] = {
    {"--help", "-h", NULL, OPT_HELP},
    {"--dry-run", "-n", NULL, OPT_DRY_RUN},
    {"--quiet", "-q", NULL, OPT_QUIET},
    {"--prune", NULL, NULL, OPT_PRUNE},
    {"--force", NULL, NULL, OPT_FORCE},
    {"--in-place", NULL, NULL, OPT_IN_PLACE},
    {"--", NULL, NULL, OPT_ONLY_PATHS},
    {"--db", NULL, "a directory", OPT_DB},
    {"--vocab", NULL, "a directory", OPT_VOCAB},
    {"--manifest", NULL, "a file", OPT_MANIFEST},
    {"--report", NULL, "a file", OPT_REPORT},
    {"--type", NULL, "a code", OPT_TYPE},
    {"--lang", NULL, "en or fr", OPT_LANG},
    {"--organization", NULL, "a name", OPT_ORGANIZATION},
    {"--province", NULL, "one or more codes", OPT_PROVINCE},
    {"--profession", NULL, "one or more codes", OPT_PROFESSION},
    {"--topic", NULL, "one or more codes", OPT_TOPIC},
    {"--jobs", NULL, "a number", OPT_JOBS},
    {"--extract-timeout", NULL, "a number of seconds", OPT_EXTRACT_TIMEOUT},
    {"--batch", NULL, "a number", OPT_BATCH},
    {"--shards", NULL, "a number", OPT_SHARDS},
    {"--max-size", NULL, "a size", OPT_MAX_SIZE},
    {"--isolate", NULL, "all, auto or none", OPT_ISOLATE},
    {"--delete", NULL, "at least one id", OPT_DELETE},
};

/* The option argv[*i] names ("--opt", "--opt=VALUE" or its alias), or NULL; *value is its value
 * (from after '=' or the next argument, which *i then moves past; NULL when missing). */
static const struct option_info *find_option(int argc, char **argv, int *i, const char **value)
{
    const char *a = argv[*i];
    *value = NULL;
    for (size_t k = 0; k < sizeof option_table / sizeof option_table[0]; k++) {
        const struct option_info *o = &option_table[k];
        size_t n = strlen(o->name);
        if (o->alias && strcmp(a, o->alias) == 0)
            return o;
        if (strncmp(a, o->name, n) != 0 || (a[n] != '\0' && (a[n] != '=' || !o->value)))
            continue;
        if (a[n] == '=')
            *value = a + n + 1;
        else if (o->value && *i + 1 < argc)
            *value = argv[++*i];
        return o;
    }
    return NULL;
}

/* A number from 1 to max (K/M/G suffixes allowed) into *out, or a usage error. */
static int number_arg(const char *name, const char *v, unsigned long long max, const char *what,
                      unsigned long long *out)
{
    char msg[160];
    if (parse_size(v, max, out) == 0)
        return 0;
    snprintf(msg, sizeof msg, "%s: '%%s' is not %s", name, what);
    return usage_error(msg, v);
}

/* Apply one option with its value (checked to be there when the option takes one). */
static int apply_option(struct options *o, const struct option_info *opt, const char *v, int *in_delete,
                        int *only_paths)
{
    unsigned long long n;
    switch (opt->id) {
    case OPT_HELP: help(); return -1;
    case OPT_DRY_RUN: o->dry_run = 1; break;
    case OPT_QUIET: o->quiet = 1; break;
    case OPT_PRUNE: o->prune = 1; break;
    case OPT_FORCE: o->force = 1; break;
    case OPT_IN_PLACE: o->in_place = 1; break;
    case OPT_ONLY_PATHS: *only_paths = 1; break;
    case OPT_DB: o->db = v; break;
    case OPT_VOCAB: o->vocab = v; break;
    case OPT_MANIFEST: o->manifest = v; break;
    case OPT_REPORT: o->report = v; break;
    case OPT_TYPE: o->type = v; break;
    case OPT_LANG: o->lang = v; break;
    case OPT_ORGANIZATION: o->organization = v; break;
    case OPT_PROVINCE:
    case OPT_PROFESSION:
    case OPT_TOPIC: {
        int k = opt->id - OPT_PROVINCE;
        o->facet_args[k][o->nfacet_args[k]++] = v;
        break;
    }
    case OPT_JOBS:
        if (number_arg("--jobs", v, IQN_PIPELINE_JOBS_MAX, "a number from 1 to 256", &n) != 0)
            return EXIT_FATAL;
        o->jobs = (unsigned)n;
        break;
    case OPT_EXTRACT_TIMEOUT:
        if (number_arg("--extract-timeout", v, 3600, "a number of seconds from 1 to 3600", &n) != 0)
            return EXIT_FATAL;
        o->extract_seconds = (unsigned)n;
        break;
    case OPT_BATCH:
        if (number_arg("--batch", v, BATCH_MAX, "a number from 1 to 10000000", &n) != 0)
            return EXIT_FATAL;
        o->batch = (unsigned long)n;
        break;
    case OPT_SHARDS:
        if (number_arg("--shards", v, IQN_SHARDS_MAX, "a number from 1 to 256", &n) != 0)
            return EXIT_FATAL;
        o->shards = (unsigned)n;
        break;
    case OPT_MAX_SIZE:
        if (number_arg("--max-size", v, 1ULL << 31, "a size from 1 to 2G", &n) != 0)
            return EXIT_FATAL;
        o->limits.decoded_max = (size_t)n;
        if (o->limits.raw_max > o->limits.decoded_max)
            o->limits.raw_max = o->limits.decoded_max;
        break;
    case OPT_ISOLATE:
        if (strcmp(v, "all") == 0)
            o->isolate = IQN_ISOLATE_ALL;
        else if (strcmp(v, "auto") == 0)
            o->isolate = IQN_ISOLATE_AUTO;
        else if (strcmp(v, "none") == 0)
            o->isolate = IQN_ISOLATE_NONE;
        else
            return usage_error("--isolate: '%s' is not all, auto or none", v);
        break;
    case OPT_DELETE:
        if (v[0] == '-')
            return usage_error("--delete needs an id, not '%s'", v);
        o->ids[o->nids++] = v;
        *in_delete = 1;
        break;
    }
    return 0;
}

/* Parse the command line into o. Returns -1 to exit 0 (--help), 0 to go on, or an exit status. */
static int parse_args(int argc, char **argv, struct options *o)
{
    int in_delete = 0, only_paths = 0;
    char msg[160];

    memset(o, 0, sizeof *o);
    o->vocab = IQN_DEFAULT_VOCAB_DIR;
    o->batch = IQN_SINK_BATCH_DEFAULT;
    o->isolate = IQN_ISOLATE_AUTO;
    o->extract_seconds = 30;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    o->jobs = ncpu < 1 ? 1 : ncpu > IQN_PIPELINE_JOBS_MAX ? IQN_PIPELINE_JOBS_MAX : (unsigned)ncpu;
    o->limits.raw_max = IQN_INPUT_RAW_MAX;
    o->limits.decoded_max = IQN_INPUT_DECODED_MAX;
    o->paths = calloc((size_t)argc, sizeof *o->paths);
    o->ids = calloc((size_t)argc, sizeof *o->ids);
    for (int k = 0; k < 3; k++)
        o->facet_args[k] = calloc((size_t)argc, sizeof *o->facet_args[k]);
    if (!o->paths || !o->ids || !o->facet_args[0] || !o->facet_args[1] || !o->facet_args[2]) {
        fprintf(stderr, "iqn-index: out of memory\n");
        return EXIT_FATAL;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
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
        const struct option_info *opt = find_option(argc, argv, &i, &v);
        if (!opt)
            return usage_error("unknown option '%s'", a);
        if (opt->value && (!v || v[0] == '\0')) {
            snprintf(msg, sizeof msg, "%%s needs %s", opt->value);
            return usage_error(msg, opt->name);
        }
        int rc = apply_option(o, opt, v, &in_delete, &only_paths);
        if (rc != 0)
            return rc;
    }
    if (!o->db)
        return usage_error("%s is required", "--db");
    if (o->npaths == 0 && o->nids == 0 && !o->manifest)
        return usage_error("%s", "nothing to do: give a PATH to import, a --manifest or --delete ID");
    return 0;
}

/* The flags' values, checked against the vocabularies, into meta (strings in store). */
static int check_flags(const struct options *o, const struct iqn_vocab *vocab, struct iqn_doc_meta *meta,
                       char store[3][FLAG_VALUES_MAX], unsigned long long *hash)
{
    const struct iqn_vocab_entry *ve;
    memset(meta, 0, sizeof *meta);
    if (o->type) {
        ve = iqn_vocab_find(vocab, IQN_FACET_TYPE, o->type);
        if (!ve)
            return usage_error("--type: unknown code '%s'", o->type);
        meta->val[IQN_F_TYPE] = ve->code;
    }
    if (o->lang) {
        ve = iqn_vocab_find(vocab, IQN_FACET_LANG, o->lang);
        if (!ve)
            return usage_error("--lang: unknown code '%s' (en or fr)", o->lang);
        meta->val[IQN_F_LANG] = ve->code;
    }
    if (o->organization) {
        if (!iqn_utf8_valid(o->organization, strlen(o->organization)) ||
            strlen(o->organization) > iqn_fields[IQN_F_ORGANIZATION].max_len)
            return usage_error("--organization: '%s' is not valid UTF-8 of at most 1 KiB", o->organization);
        meta->val[IQN_F_ORGANIZATION] = o->organization;
    }
    for (int k = 0; k < 3; k++) {
        size_t len = 0;
        int facet = iqn_fields[flag_fields[k]].vocab;
        store[k][0] = '\0';
        for (size_t i = 0; i < o->nfacet_args[k]; i++) {
            const char *p = o->facet_args[k][i];
            while (*p) {
                size_t n = strcspn(p, ",;");
                char code[128];
                while (n > 0 && *p == ' ') {
                    p++;
                    n--;
                }
                size_t m = n;
                while (m > 0 && p[m - 1] == ' ')
                    m--;
                if (m > 0) {
                    snprintf(code, sizeof code, "%.*s", (int)(m < sizeof code ? m : sizeof code - 1), p);
                    ve = iqn_vocab_find(vocab, facet, code);
                    if (!ve) {
                        char opt[160];
                        snprintf(opt, sizeof opt, "--%s: unknown code '%s'", iqn_fields[flag_fields[k]].name, code);
                        return usage_error("%s", opt);
                    }
                    int w = snprintf(store[k] + len, FLAG_VALUES_MAX - len, "%s%s", len ? ";" : "", ve->code);
                    if (w < 0 || (size_t)w >= FLAG_VALUES_MAX - len)
                        return usage_error("--%s: too many codes", iqn_fields[flag_fields[k]].name);
                    len += (size_t)w;
                }
                p += n;
                if (*p)
                    p++;
            }
        }
        if (len > 0)
            meta->val[flag_fields[k]] = store[k];
    }
    unsigned long long h = iqn_hash64("flags", 5, 0);
    for (int f = 0; f < IQN_F_COUNT; f++) {
        const char *val = meta->val[f] ? meta->val[f] : "";
        h = iqn_hash64(val, strlen(val) + 1, h);
    }
    *hash = h;
    return 0;
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
    } else if (o->shards && iqn_db_create_sharded(o->db, o->shards, &e) != IQN_OK) {
        fprintf(stderr, "iqn-index: cannot open index %s: %s\n", o->db, e.message);
        return -1;
    } else if (iqn_db_open(o->db, IQN_DB_WRITE | IQN_DB_CREATE, db, &e) == IQN_OK) {
        if (o->shards && (unsigned)iqn_db_shard_count(*db) != o->shards) {
            fprintf(stderr, "iqn-index: cannot open index %s: it has %d shard(s), not %u\n", o->db,
                    iqn_db_shard_count(*db), o->shards);
            iqn_db_close(*db);
            *db = NULL;
            return -1;
        }
        return 0;
    }
    *db = NULL;
    fprintf(stderr, "iqn-index: cannot open index %s: %s\n", o->db,
            iqn_sink_index_reason(e.message, o->db));
    return -1;
}

struct manifest_ctx {
    struct iqn_sink *sink;
    const char *path;
};

static void on_manifest_error(void *ctx, long line, const char *reason)
{
    struct manifest_ctx *mc = ctx;
    iqn_sink_manifest_failed(mc->sink, mc->path, line, reason);
}

/* The inputs: the PATH arguments, or without any, the files of the manifest's good rows; and
 * the state stored for them. */
static int list_inputs(const struct options *o, const struct iqn_manifest *m, struct iqn_db *db,
                       struct iqn_walk *w, struct iqn_state_map *states, struct iqn_error *err)
{
    int rc;
    for (size_t i = 0; i < o->npaths; i++) {
        rc = iqn_walk_add(w, o->paths[i], err);
        if (rc != IQN_OK)
            return rc;
        if (db && strcmp(o->paths[i], "-") != 0) {
            char *root = iqn_walk_abspath(o->paths[i]);
            if (!root)
                return iqn_error_set(err, IQN_ENOMEM, "out of memory");
            rc = iqn_state_map_load(states, db, root, err);
            free(root);
            if (rc != IQN_OK)
                return rc;
        }
    }
    if (o->npaths == 0 && m) {
        for (size_t i = 0; i < iqn_manifest_size(m); i++) {
            const struct iqn_manifest_row *row = iqn_manifest_at(m, i);
            if (row->bad)
                continue;
            rc = iqn_walk_add_file(w, row->path, row->rel, err);
            if (rc == IQN_OK && db)
                rc = iqn_state_map_load(states, db, row->abs, err);
            if (rc != IQN_OK)
                return rc;
        }
        if (db && o->prune) { /* gone files listed in the manifest's folder */
            char *root = iqn_walk_abspath(o->manifest);
            char *slash = root ? strrchr(root, '/') : NULL;
            if (!root)
                return iqn_error_set(err, IQN_ENOMEM, "out of memory");
            if (slash)
                slash[slash == root ? 1 : 0] = '\0';
            rc = iqn_state_map_load(states, db, root, err);
            free(root);
            if (rc != IQN_OK)
                return rc;
        }
    }
    for (size_t i = 0; i < w->n; i++) {
        struct iqn_state *st = w->v[i].abs ? iqn_state_map_get(states, w->v[i].abs) : NULL;
        if (st)
            st->seen = 1;
    }
    return IQN_OK;
}

/* Parse the command line, open the vocabularies and the index, apply --delete, then import every
 * input, prune, commit, and print the summary. Exit status: 0, 1 (some failures) or 2 (fatal). */
int main(int argc, char **argv)
{
    struct options o;
    struct iqn_vocab *vocab = NULL;
    struct iqn_db *db = NULL;
    struct iqn_sink *s = NULL;
    struct iqn_report *report = NULL;
    struct iqn_manifest *manifest = NULL;
    struct iqn_state_map *states = NULL;
    struct iqn_walk w = {0};
    struct iqn_error e;
    struct iqn_doc_meta flags;
    char flag_store[3][FLAG_VALUES_MAX];
    unsigned long long flags_hash = 0;
    int status = EXIT_FATAL;
    int xml_ready = 0;

#ifdef __GLIBC__
    /* glibc hands memory freed at the top of a heap back to the system from 128 KiB on, and the
     * bulk parts free their whole Xapian batch at every commit only to fault it in again for the
     * next: keep up to 128 MiB free, and grow heaps 16 MiB at a time. Peak RSS is the same (27 MiB
     * for 2,000 pages); about 2 % of an import's CPU (docs/BENCHMARKS.md). */
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
#endif
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
    prc = check_flags(&o, vocab, &flags, flag_store, &flags_hash);
    if (prc != 0) {
        status = prc;
        goto done;
    }
    if (o.report && iqn_report_open(o.report, &report, &e) != IQN_OK) {
        fprintf(stderr, "iqn-index: %s\n", e.message);
        goto done;
    }
    if (open_index(&o, &db) != 0)
        goto done;
    if (db)
        iqn_db_set_vocab(db, vocab); /* records are also found by their codes' EN and FR labels */
    if (db && !o.dry_run && !o.in_place) {
        /* A first import builds the index in parts at once, published when it ends (db.h). */
        int bulk;
        if (iqn_db_bulk(db, o.jobs < BULK_PARTS_MAX ? o.jobs : BULK_PARTS_MAX, &bulk, &e) != IQN_OK) {
            fprintf(stderr, "iqn-index: %s\n", e.message);
            goto done;
        }
    }

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
        .progress = o.quiet ? IQN_PROGRESS_OFF : isatty(STDERR_FILENO) ? IQN_PROGRESS_LIVE : IQN_PROGRESS_LINES,
        .report = report,
        .stop = &stop_flag,
    };
    if (iqn_sink_new(&cfg, &s, &e) != IQN_OK || iqn_state_map_new(&states, &e) != IQN_OK) {
        fprintf(stderr, "iqn-index: %s\n", e.message);
        goto done;
    }
    if (o.dry_run && !db && !o.quiet)
        iqn_sink_note(s, "dry run: index %s does not exist yet; every record would be added", o.db);
    if (o.manifest) {
        struct manifest_ctx mc = {s, o.manifest};
        if (iqn_manifest_load(o.manifest, vocab, on_manifest_error, &mc, &manifest, &e) != IQN_OK) {
            iqn_sink_note(s, "%s", e.message);
            goto done;
        }
    }

    int fatal = 0;
    for (size_t i = 0; i < o.nids && !fatal && !stop_flag; i++) {
        if (iqn_sink_delete(s, o.ids[i], &e) != IQN_OK) {
            iqn_sink_note(s, "%s", e.message);
            fatal = 1;
        }
    }
    if (!fatal && list_inputs(&o, manifest, db, &w, states, &e) != IQN_OK) {
        iqn_sink_note(s, "%s", e.message);
        fatal = 1;
    }
    unsigned long long total_bytes = 0;
    for (size_t i = 0; i < w.n; i++)
        total_bytes += w.v[i].size;
    iqn_sink_set_total(s, w.n, total_bytes);
    struct iqn_extract_limits xlim = {o.extract_seconds, (size_t)1024 * 1024 * 1024};
    struct iqn_pipeline_config pc = {
        .sink = s,
        .db = db,
        .vocab = vocab,
        .walk = &w,
        .states = db ? states : NULL,
        .manifest = manifest,
        .manifest_path = o.manifest,
        .flags = &flags,
        .flags_hash = flags_hash,
        .limits = o.limits,
        .extract_limits = &xlim,
        .jobs = o.jobs,
        .dry_run = o.dry_run,
        .force = o.force,
        .isolate = o.isolate,
        .prune = o.prune,
        .stop = &stop_flag,
    };
    if (!fatal && !stop_flag && iqn_pipeline_run(&pc, &e) != IQN_OK) {
        iqn_sink_note(s, "%s", e.message);
        fatal = 1;
    }
    if (!fatal && !stop_flag && o.prune && iqn_pipeline_prune(&pc, &e) != IQN_OK) {
        iqn_sink_note(s, "%s", e.message);
        fatal = 1;
    }
    /* Even after a fatal error or a signal, keep what was done: every record is whole. */
    if (iqn_sink_finish(s, &e) != IQN_OK) {
        iqn_sink_note(s, "%s", e.message);
        fatal = 1;
    } else if (db && iqn_db_finish(db, &e) != IQN_OK) {
        iqn_sink_note(s, "cannot publish the new index %s: %s; it is left as it was, and a re-run starts again", o.db,
                      e.message);
        fatal = 1;
    }
    if (stop_flag)
        iqn_sink_note(s, "interrupted; the records stored so far are committed, a re-run completes the job");
    iqn_sink_summary(s, stdout, o.npaths > 0 || o.manifest, o.nids > 0);
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
    if (report && iqn_report_close(report, &e) != IQN_OK) {
        fprintf(stderr, "iqn-index: %s\n", e.message);
        status = EXIT_FATAL;
    }
    iqn_manifest_free(manifest);
    iqn_state_map_free(states);
    iqn_sink_free(s);
    iqn_db_close(db);
    iqn_vocab_free(vocab);
    iqn_walk_free(&w);
    free(o.paths);
    free(o.ids);
    for (int k = 0; k < 3; k++)
        free(o.facet_args[k]);
    if (xml_ready)
        iqn_parse_xml_cleanup();
    return status;
}
