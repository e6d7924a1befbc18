/* bench_run.c - query files, the timed multi-threaded load loop and latency percentiles. */
#include "bench_run.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds used by this process and by its children that have been waited for. */
static double cpu_seconds(void)
{
    struct rusage self, kids;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) +
           (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) /
               1e6;
}

/* ---- query files ---- */

/* Cut s at the next tab: returns the rest after it, or NULL when there is none. */
static char *cut_tab(char *s)
{
    char *t = strchr(s, '\t');
    if (!t)
        return NULL;
    *t = '\0';
    return t + 1;
}

/* Parse the TSV fields of one line (in a private copy) into q. */
static int parse_query(char *copy, struct bench_query *q, char *err, size_t errlen)
{
    char *fields[4] = {copy, NULL, NULL, NULL};
    for (int i = 1; i < 4 && fields[i - 1]; i++)
        fields[i] = cut_tab(fields[i - 1]);
    q->text = fields[0];
    q->lang = fields[1] && *fields[1] ? fields[1] : "en";
    q->sort_date = fields[2] && strcmp(fields[2], "-date") == 0;
    q->nfilter = 0;
    char *p = fields[3];
    while (p && *p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        char *end = strchr(p, ' ');
        if (end)
            *end = '\0';
        char *colon = strchr(p, ':');
        if (!colon || colon == p || !colon[1] || q->nfilter >= BENCH_FILTER_MAX) {
            snprintf(err, errlen, "bad filter '%s' (want facet:code, at most %d)", p, BENCH_FILTER_MAX);
            return -1;
        }
        *colon = '\0';
        q->filter[q->nfilter].facet = p;
        q->filter[q->nfilter].code = colon + 1;
        q->nfilter++;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

/* Read a query file into out (see bench_run.h). */
int bench_queries_load(const char *path, struct bench_queries *out, char *err, size_t errlen)
{
    char line[BENCH_LINE_MAX + 2];
    size_t cap = 0, lineno = 0;
    FILE *f = fopen(path, "r");
    memset(out, 0, sizeof *out);
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len > BENCH_LINE_MAX) {
            snprintf(err, errlen, "%s:%zu: line longer than %d bytes", path, lineno, BENCH_LINE_MAX);
            goto fail;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!len)
            continue;
        if (out->n == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            struct bench_query *v = realloc(out->v, ncap * sizeof *v);
            if (!v)
                goto oom;
            out->v = v;
            char **lines = realloc(out->lines, ncap * 2 * sizeof *lines);
            if (!lines)
                goto oom;
            out->lines = lines;
            cap = ncap;
        }
        /* Two copies: the line as read, and one cut into fields. */
        char *whole = malloc(len + 1), *copy = malloc(len + 1);
        if (!whole || !copy) {
            free(whole);
            free(copy);
            goto oom;
        }
        memcpy(whole, line, len + 1);
        memcpy(copy, line, len + 1);
        out->lines[2 * out->n] = whole;
        out->lines[2 * out->n + 1] = copy;
        struct bench_query *q = &out->v[out->n];
        memset(q, 0, sizeof *q);
        q->line = whole;
        out->n++;
        char why[256];
        if (parse_query(copy, q, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s:%zu: %s", path, lineno, why);
            goto fail;
        }
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        goto fail;
    }
    fclose(f);
    if (out->n == 0) {
        snprintf(err, errlen, "%s: no queries", path);
        bench_queries_free(out);
        return -1;
    }
    return 0;
oom:
    snprintf(err, errlen, "%s: out of memory", path);
fail:
    fclose(f);
    bench_queries_free(out);
    return -1;
}

/* Free a query list (see bench_run.h). */
void bench_queries_free(struct bench_queries *qs)
{
    if (!qs)
        return;
    for (size_t i = 0; i < 2 * qs->n; i++)
        free(qs->lines[i]);
    free(qs->lines);
    free(qs->v);
    memset(qs, 0, sizeof *qs);
}

/* ---- options ---- */

/* Defaults (see bench_run.h). */
void bench_options_init(struct bench_options *o)
{
    memset(o, 0, sizeof *o);
    o->threads = 1;
    o->seconds = 10.0;
    o->warmup = 1.0;
    o->label = "run";
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

/* Take one of the common options (see bench_run.h). */
int bench_option(int argc, char **argv, int *i, struct bench_options *o, char *err, size_t errlen)
{
    static const char *const names[] = {"--threads", "--seconds", "--warmup", "--queries", "--label", NULL};
    const char *name = argv[*i];
    int k = 0;
    if (strcmp(name, "--once") == 0) {
        o->once = 1;
        *i += 1;
        return 1;
    }
    while (names[k] && strcmp(names[k], name) != 0)
        k++;
    if (!names[k])
        return 0;
    if (*i + 1 >= argc) {
        snprintf(err, errlen, "%s needs a value", name);
        return -1;
    }
    const char *v = argv[*i + 1];
    double d;
    switch (k) {
    case 0:
        if (parse_double(v, 1, 1024, &d) != 0 || d != floor(d))
            goto bad;
        o->threads = (int)d;
        break;
    case 1:
        if (parse_double(v, 0.01, 86400, &o->seconds) != 0)
            goto bad;
        break;
    case 2:
        if (parse_double(v, 0, 3600, &o->warmup) != 0)
            goto bad;
        break;
    case 3:
        o->queries = v;
        break;
    default:
        o->label = v;
        break;
    }
    *i += 2;
    return 1;
bad:
    snprintf(err, errlen, "%s: bad value '%s'", name, v);
    return -1;
}

long bench_count_after(const char *text, const char *marker)
{
    const char *m = strstr(text, marker);
    if (!m)
        return -1;
    m += strlen(marker);
    char *end;
    long n = strtol(m, &end, 10);
    return end == m || n < 0 ? -1 : n;
}

/* ---- the loop ---- */

struct shared {
    const struct bench_queries *qs;
    const struct bench_worker *w;
    pthread_barrier_t opened, go;
    double t0, t1; /* measured window, set between the two barriers */
    int failed;    /* some thread could not open its state */
};

struct thread_ctx {
    struct shared *sh;
    int index;
    size_t first;   /* query to start from, so threads do not march in step */
    double *lat;    /* milliseconds, measured queries only */
    size_t nlat, cap;
    unsigned long long errors, empty;
    double last_end;
    int oom;
};

static void record(struct thread_ctx *t, double ms)
{
    if (t->nlat == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 4096;
        double *v = realloc(t->lat, ncap * sizeof *v);
        if (!v) {
            t->oom = 1;
            return;
        }
        t->lat = v;
        t->cap = ncap;
    }
    t->lat[t->nlat++] = ms;
}

static void *thread_main(void *arg)
{
    struct thread_ctx *t = arg;
    struct shared *sh = t->sh;
    void *state = sh->w->open(sh->w->arg, t->index);
    if (!state)
        sh->failed = 1; /* read only after the barrier */
    pthread_barrier_wait(&sh->opened);
    pthread_barrier_wait(&sh->go);
    if (!state || sh->failed)
        goto out;
    size_t i = t->first;
    for (;;) {
        double start = bench_now();
        if (start >= sh->t1)
            break;
        long matches = sh->w->run(state, &sh->qs->v[i]);
        double end = bench_now();
        if (start >= sh->t0) {
            if (matches < 0)
                t->errors++;
            else if (matches == 0)
                t->empty++;
            record(t, (end - start) * 1000.0);
            t->last_end = end;
        }
        if (++i == sh->qs->n)
            i = 0;
    }
out:
    if (state)
        sh->w->close(state);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double percentile(const double *v, size_t n, double p)
{
    if (!n)
        return 0.0;
    size_t k = (size_t)ceil(p * (double)n);
    if (k < 1)
        k = 1;
    return v[k - 1];
}

/* Each query once, in order, on this thread: its number of matches (-1: error), the milliseconds
 * it took and the query (to find the slow ones). */
static int run_once(const struct bench_queries *qs, const struct bench_worker *w, const struct bench_options *o,
                    FILE *out)
{
    void *state = w->open(w->arg, 0);
    if (!state) {
        fprintf(stderr, "%s: could not open the database\n", o->label);
        return -1;
    }
    for (size_t i = 0; i < qs->n; i++) {
        double t0 = bench_now();
        long matches = w->run(state, &qs->v[i]);
        fprintf(out, "%ld\t%.3f\t%s\n", matches, (bench_now() - t0) * 1e3, qs->v[i].line);
    }
    w->close(state);
    fflush(out);
    return 0;
}

/* Run the loop and print the summary (see bench_run.h). */
int bench_run(const struct bench_queries *qs, const struct bench_worker *w, const struct bench_options *o, FILE *out)
{
    if (o->once)
        return run_once(qs, w, o, out);
    struct shared sh;
    int n = o->threads, started = 0, rc = -1;
    struct thread_ctx *ctx = calloc((size_t)n, sizeof *ctx);
    pthread_t *tid = calloc((size_t)n, sizeof *tid);
    double *all = NULL;
    memset(&sh, 0, sizeof sh);
    sh.qs = qs;
    sh.w = w;
    if (!ctx || !tid) {
        fprintf(stderr, "%s: out of memory\n", o->label);
        goto done;
    }
    pthread_barrier_init(&sh.opened, NULL, (unsigned)n + 1);
    pthread_barrier_init(&sh.go, NULL, (unsigned)n + 1);
    for (int i = 0; i < n; i++) {
        ctx[i].sh = &sh;
        ctx[i].index = i;
        ctx[i].first = qs->n * (size_t)i / (size_t)n;
        if (pthread_create(&tid[i], NULL, thread_main, &ctx[i]) != 0) {
            /* Threads already waiting on the barriers cannot be released safely: give up. */
            fprintf(stderr, "%s: cannot start thread %d\n", o->label, i);
            exit(2);
        }
        started++;
    }
    pthread_barrier_wait(&sh.opened);
    sh.t0 = bench_now() + o->warmup;
    sh.t1 = sh.t0 + o->seconds;
    pthread_barrier_wait(&sh.go);
    /* CPU time of the measured window (the threads' and the CGI children's). */
    struct timespec nap = {(time_t)o->warmup, (long)((o->warmup - floor(o->warmup)) * 1e9)};
    while (nanosleep(&nap, &nap) != 0 && errno == EINTR)
        ;
    double cpu0 = cpu_seconds();
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    double cpu = cpu_seconds() - cpu0;
    pthread_barrier_destroy(&sh.opened);
    pthread_barrier_destroy(&sh.go);
    if (sh.failed) {
        fprintf(stderr, "%s: a thread could not open its database\n", o->label);
        goto done;
    }

    size_t total = 0;
    unsigned long long errors = 0, empty = 0;
    double last = sh.t0;
    for (int i = 0; i < n; i++) {
        if (ctx[i].oom) {
            fprintf(stderr, "%s: out of memory recording latencies\n", o->label);
            goto done;
        }
        total += ctx[i].nlat;
        errors += ctx[i].errors;
        empty += ctx[i].empty;
        if (ctx[i].last_end > last)
            last = ctx[i].last_end;
    }
    all = malloc((total ? total : 1) * sizeof *all);
    if (!all) {
        fprintf(stderr, "%s: out of memory\n", o->label);
        goto done;
    }
    size_t k = 0;
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        for (size_t j = 0; j < ctx[i].nlat; j++) {
            all[k++] = ctx[i].lat[j];
            sum += ctx[i].lat[j];
        }
    qsort(all, total, sizeof *all, cmp_double);
    double secs = last > sh.t0 ? last - sh.t0 : o->seconds;
    fprintf(out,
            "%s threads=%d queries=%zu errors=%llu empty=%llu seconds=%.3f qps=%.2f mean_ms=%.3f p50_ms=%.3f "
            "p90_ms=%.3f p99_ms=%.3f max_ms=%.3f cpu_ms=%.3f\n",
            o->label, n, total, errors, empty, secs, (double)total / secs, total ? sum / (double)total : 0.0,
            percentile(all, total, 0.50), percentile(all, total, 0.90), percentile(all, total, 0.99),
            total ? all[total - 1] : 0.0, total ? cpu * 1000.0 / (double)total : 0.0);
    fflush(out);
    rc = 0;
done:
    for (int i = 0; ctx && i < n; i++)
        free(ctx[i].lat);
    free(all);
    free(ctx);
    free(tid);
    return rc;
}

/* The shared main() of the benchmark programs (see bench_run.h). */
int bench_main(int argc, char **argv, int first, const char *prog, const char *label,
               const struct bench_flag *flags, void (*usage)(FILE *), const struct bench_worker *w)
{
    struct bench_options o;
    struct bench_queries qs;
    char err[512];
    bench_options_init(&o);
    o.label = label;
    for (int i = first; i < argc;) {
        int r = bench_option(argc, argv, &i, &o, err, sizeof err);
        if (r < 0) {
            fprintf(stderr, "%s: %s\n", prog, err);
            return 2;
        }
        if (r > 0)
            continue;
        if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        }
        const struct bench_flag *f = flags;
        while (f->name && strcmp(f->name, argv[i]) != 0)
            f++;
        if (!f->name || i + 1 >= argc) {
            usage(stderr);
            return 2;
        }
        *f->value = argv[i + 1];
        i += 2;
    }
    for (const struct bench_flag *f = flags; f->name; f++)
        if (!*f->value) {
            fprintf(stderr, "%s: %s is required\n", prog, f->name);
            usage(stderr);
            return 2;
        }
    if (!o.queries) {
        fprintf(stderr, "%s: --queries is required\n", prog);
        usage(stderr);
        return 2;
    }
    if (bench_queries_load(o.queries, &qs, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        return 2;
    }
    int rc = bench_run(&qs, w, &o, stdout);
    bench_queries_free(&qs);
    return rc == 0 ? 0 : 1;
}
