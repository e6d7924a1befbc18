/* bench_run.h - the load loop shared by the benchmark programs: the query list, N threads cycling
 * through it for a fixed time after a warm-up, per-query latencies and the one-line summary. */
#ifndef IQN_BENCH_RUN_H
#define IQN_BENCH_RUN_H

#include <stddef.h>
#include <stdio.h>

#define BENCH_FILTER_MAX 16
#define BENCH_LINE_MAX 4096

struct bench_filter {
    const char *facet; /* province, profession, topic, type, lang */
    const char *code;
};

/* One line of a query file: q <TAB> ui_lang <TAB> sort <TAB> facet:code facet:code ...
 * (missing fields are empty). Strings point into the query list's own storage. */
struct bench_query {
    const char *line;  /* the whole line as read (the CGI runner uses it as QUERY_STRING) */
    const char *text;
    const char *lang;  /* "en" or "fr"; "en" when empty */
    int sort_date;     /* field 3 is "-date": newest first */
    size_t nfilter;
    struct bench_filter filter[BENCH_FILTER_MAX];
};

struct bench_queries {
    struct bench_query *v;
    size_t n;
    char **lines; /* owned copies the queries point into */
};

/* Read a query file (one query a line, empty lines skipped, at most BENCH_LINE_MAX bytes each).
 * On failure returns -1 with a message in err. */
int bench_queries_load(const char *path, struct bench_queries *out, char *err, size_t errlen);
void bench_queries_free(struct bench_queries *qs); /* accepts a zeroed list */

/* What a benchmark program plugs into the loop. open() makes one thread's state (a database
 * handle: NULL on failure); run() performs one query and returns its number of matches, or -1
 * on error; close() frees the state. */
struct bench_worker {
    void *(*open)(void *arg, int thread);
    long (*run)(void *state, const struct bench_query *q);
    void (*close)(void *state);
    void *arg;
};

struct bench_options {
    int threads;       /* 1.. */
    double seconds;    /* measured time */
    double warmup;     /* seconds run before measuring, not recorded */
    const char *queries;
    const char *label; /* first word of the summary line */
    int once;          /* run each query once on one thread and print "matches<TAB>line" instead */
};

/* Defaults: 1 thread, 10 s, 1 s warm-up. */
void bench_options_init(struct bench_options *o);
/* Take --threads, --seconds, --warmup, --queries, --label (with a value) or --once from argv[*i].
 * Returns 1 if consumed (*i advanced past the value), 0 if not one of these, -1 on a bad value. */
int bench_option(int argc, char **argv, int *i, struct bench_options *o, char *err, size_t errlen);

/* Run the loop and print one line to out (with o->once: one line per query instead):
 *   LABEL threads=T queries=N errors=E empty=Z seconds=S qps=Q mean_ms=.. p50_ms=.. p90_ms=.. p99_ms=.. max_ms=..
 *   cpu_ms=..
 * (cpu_ms: CPU time of the process and its waited-for children per measured query, which a busy
 * machine changes much less than wall time). 
 * Returns 0, or -1 if a thread's state could not be opened (message on stderr). */
int bench_run(const struct bench_queries *qs, const struct bench_worker *w, const struct bench_options *o,
              FILE *out);

/* A program's own option with a value ("--db DIR"); required unless *value is set beforehand. */
struct bench_flag {
    const char *name;
    const char **value;
};

/* The whole main() of a benchmark program from argv[first] on: its flags (NULL-terminated by a
 * NULL name), the common options and --help (usage(stdout)); then load the queries, run w and
 * print the summary. Returns the exit status: 0, 1 (the run failed) or 2 (usage or query file). */
int bench_main(int argc, char **argv, int first, const char *prog, const char *label,
               const struct bench_flag *flags, void (*usage)(FILE *), const struct bench_worker *w);

/* The number written right after the first marker in text ("MSIZE=", "\"total\":"), or -1 when
 * there is no marker or no number after it: how the runners read a system's number of matches. */
long bench_count_after(const char *text, const char *marker);

/* Seconds on the monotonic clock. */
double bench_now(void);

#endif
