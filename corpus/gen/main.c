/* main.c - iqn-gen: writes N deterministic synthetic IQN records (IQN XML or JSON Lines) for load and benchmark work. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "gen_buf.h"
#include "gen_model.h"
#include "gen_record.h"

#ifndef IQN_GEN_VOCAB_DIR
#define IQN_GEN_VOCAB_DIR "corpus/vocab"
#endif

#define MAX_RECORDS 1000000000000ULL /* 10^12 */
#define MAX_PER_FILE 100000000ULL    /* 10^8 */
#define DEFAULT_PER_FILE 1000ULL
#define FLUSH_AT (256u * 1024u)
#define OUT_CAP (64u * 1024u * 1024u)
#define EXIT_USAGE 2

struct options {
    enum iqn_gen_format fmt;
    uint64_t seed;
    const char *vocab;
    uint64_t per_file; /* 0 = not given */
    const char *out_dir;
    uint64_t n;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: iqn-gen [--format xml|jsonl] [--seed S] [--vocab DIR] [--per-file K --out DIR] N\n"
            "\n"
            "Write N synthetic IQN records (ids gen-<seed>-1 .. gen-<seed>-N) for load and benchmark work.\n"
            "The output depends only on the seed, N and the vocabulary files: the same arguments give\n"
            "byte-identical output, and the first M records of a run of N are a run of M.\n"
            "\n"
            "  --format xml|jsonl  IQN XML (one <records> collection) or JSON Lines (default xml)\n"
            "  --seed S            unsigned 64-bit seed (default 1)\n"
            "  --vocab DIR         vocabulary directory (default %s)\n"
            "  --out DIR           write files DIR/gen-000001.xml|.jsonl ... instead of standard output;\n"
            "                      DIR is created if missing (not its parents); files of the same\n"
            "                      names are overwritten, other files are left alone\n"
            "  --per-file K        records per file with --out, 1..%llu (default %llu)\n"
            "  --help              show this help\n"
            "\n"
            "N is 0..%llu. Errors go to standard error with exit status 2.\n",
            IQN_GEN_VOCAB_DIR, MAX_PER_FILE, DEFAULT_PER_FILE, MAX_RECORDS);
}

/* Parse a decimal in [lo, hi]: digits only, no sign, no spaces. */
static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    char *end = NULL;
    unsigned long long v;

    if (s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

/* Apply option `name` (one of those taking a value) with value v; -1 after a message. */
static int set_option(struct options *o, const char *name, const char *v)
{
    if (strcmp(name, "--format") == 0) {
        if (strcmp(v, "xml") == 0) {
            o->fmt = IQN_GEN_XML;
        } else if (strcmp(v, "jsonl") == 0) {
            o->fmt = IQN_GEN_JSONL;
        } else {
            fprintf(stderr, "iqn-gen: --format: expected xml or jsonl, got \"%.40s\"\n", v);
            return -1;
        }
    } else if (strcmp(name, "--seed") == 0) {
        if (parse_u64(v, 0, UINT64_MAX, &o->seed) != 0) {
            fprintf(stderr, "iqn-gen: --seed: expected an unsigned 64-bit integer, got \"%.40s\"\n", v);
            return -1;
        }
    } else if (strcmp(name, "--per-file") == 0) {
        if (parse_u64(v, 1, MAX_PER_FILE, &o->per_file) != 0) {
            fprintf(stderr, "iqn-gen: --per-file: expected an integer 1..%llu, got \"%.40s\"\n", MAX_PER_FILE, v);
            return -1;
        }
    } else if (v[0] == '\0') {
        fprintf(stderr, "iqn-gen: %s: empty directory name\n", name);
        return -1;
    } else if (strcmp(name, "--vocab") == 0) {
        o->vocab = v;
    } else {
        o->out_dir = v;
    }
    return 0;
}

/* 0 = run, 1 = --help shown, -1 = usage error (message printed). Options take their value
 * as "--name V" or "--name=V"; exactly one positional argument, N. */
static int parse_args(int argc, char **argv, struct options *o)
{
    static const char *const valued[] = {"--format", "--seed", "--vocab", "--per-file", "--out"};
    const char *n_arg = NULL;
    int i;

    o->fmt = IQN_GEN_XML;
    o->seed = 1;
    o->vocab = IQN_GEN_VOCAB_DIR;
    o->per_file = 0;
    o->out_dir = NULL;
    o->n = 0;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *name = NULL;
        const char *v = NULL;
        size_t k;

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 1;
        }
        for (k = 0; k < sizeof valued / sizeof valued[0] && name == NULL; k++) {
            size_t n = strlen(valued[k]);

            if (strncmp(a, valued[k], n) == 0 && (a[n] == '\0' || a[n] == '=')) {
                name = valued[k];
                v = a[n] == '=' ? a + n + 1 : (i + 1 < argc ? argv[++i] : NULL);
            }
        }
        if (name != NULL) {
            if (v == NULL) {
                fprintf(stderr, "iqn-gen: %s needs a value\n", name);
                return -1;
            }
            if (set_option(o, name, v) != 0)
                return -1;
            continue;
        }
        if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "iqn-gen: unknown option \"%.40s\" (see --help)\n", a);
            return -1;
        }
        if (n_arg != NULL) {
            fprintf(stderr, "iqn-gen: more than one N (\"%.40s\" and \"%.40s\")\n", n_arg, a);
            return -1;
        }
        n_arg = a;
    }
    if (n_arg == NULL) {
        fprintf(stderr, "iqn-gen: missing N, the number of records (see --help)\n");
        return -1;
    }
    if (parse_u64(n_arg, 0, MAX_RECORDS, &o->n) != 0) {
        fprintf(stderr, "iqn-gen: N: expected an integer 0..%llu, got \"%.40s\"\n", MAX_RECORDS, n_arg);
        return -1;
    }
    if (o->per_file != 0 && o->out_dir == NULL) {
        fprintf(stderr, "iqn-gen: --per-file needs --out DIR\n");
        return -1;
    }
    if (o->out_dir != NULL && o->per_file == 0)
        o->per_file = DEFAULT_PER_FILE;
    return 0;
}

static int flush_buf(FILE *f, struct iqn_gen_buf *b, const char *what)
{
    if (b->len > 0 && fwrite(b->data, 1, b->len, f) != b->len) {
        fprintf(stderr, "iqn-gen: %s: write error: %s\n", what, strerror(errno));
        return -1;
    }
    iqn_gen_buf_reset(b);
    return 0;
}

/* Records first..last (inclusive, 1-based) to f, wrapped in <records> for XML. */
static int write_stream(FILE *f, const char *what, const struct iqn_gen_model *m, const struct options *o,
                        uint64_t first, uint64_t last, struct iqn_gen_buf *b)
{
    struct iqn_gen_error err;
    uint64_t i;

    iqn_gen_buf_reset(b);
    if (o->fmt == IQN_GEN_XML)
        iqn_gen_buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<records>\n");
    for (i = first; i <= last; i++) {
        if (iqn_gen_record(m, o->seed, i, o->fmt, b, &err) != 0) {
            fprintf(stderr, "iqn-gen: %s\n", err.message);
            return -1;
        }
        if (b->len >= FLUSH_AT && flush_buf(f, b, what) != 0)
            return -1;
    }
    if (o->fmt == IQN_GEN_XML)
        iqn_gen_buf_adds(b, "</records>\n");
    if (b->failed) {
        fprintf(stderr, "iqn-gen: out of memory\n");
        return -1;
    }
    if (flush_buf(f, b, what) != 0)
        return -1;
    if (fflush(f) != 0 || ferror(f)) {
        fprintf(stderr, "iqn-gen: %s: write error: %s\n", what, strerror(errno));
        return -1;
    }
    return 0;
}

static int make_dir(const char *dir)
{
    struct stat st;

    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "iqn-gen: --out %s: %s\n", dir, strerror(errno));
        return -1;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "iqn-gen: --out %s: not a directory\n", dir);
        return -1;
    }
    return 0;
}

/* One file per K records: DIR/gen-000001.EXT, DIR/gen-000002.EXT ... */
static int write_files(const struct iqn_gen_model *m, const struct options *o, struct iqn_gen_buf *b)
{
    const char *ext = o->fmt == IQN_GEN_XML ? "xml" : "jsonl";
    uint64_t first;
    uint64_t fileno = 0;

    if (make_dir(o->out_dir) != 0)
        return -1;
    for (first = 1; first <= o->n; first += o->per_file) {
        uint64_t last = o->n - first + 1 > o->per_file ? first + o->per_file - 1 : o->n;
        char path[4096];
        FILE *f;
        int n;
        int rc;

        fileno++;
        n = snprintf(path, sizeof path, "%s/gen-%06llu.%s", o->out_dir, (unsigned long long)fileno, ext);
        if (n < 0 || (size_t)n >= sizeof path) {
            fprintf(stderr, "iqn-gen: --out %s: path too long\n", o->out_dir);
            return -1;
        }
        f = fopen(path, "wb");
        if (f == NULL) {
            fprintf(stderr, "iqn-gen: %s: %s\n", path, strerror(errno));
            return -1;
        }
        rc = write_stream(f, path, m, o, first, last, b);
        if (fclose(f) != 0 && rc == 0) {
            fprintf(stderr, "iqn-gen: %s: %s\n", path, strerror(errno));
            rc = -1;
        }
        if (rc != 0)
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct options o;
    struct iqn_gen_model *m = NULL;
    struct iqn_gen_error err;
    struct iqn_gen_buf b;
    int rc;

    rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc > 0 ? 0 : EXIT_USAGE;
    if (iqn_gen_model_new(o.vocab, &m, &err) != 0) {
        fprintf(stderr, "iqn-gen: %s\n", err.message);
        return EXIT_USAGE;
    }
    iqn_gen_buf_init(&b, OUT_CAP);
    if (o.out_dir != NULL)
        rc = write_files(m, &o, &b);
    else
        rc = write_stream(stdout, "standard output", m, &o, 1, o.n, &b);
    iqn_gen_buf_free(&b);
    iqn_gen_model_free(m);
    return rc == 0 ? 0 : EXIT_USAGE;
}
