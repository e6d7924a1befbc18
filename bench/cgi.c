/* cgi.c - iqn-bench-cgi: runs a CGI program (Xapian Omega) once per query, as a web server would:
 * a new process with QUERY_STRING and REQUEST_METHOD=GET in its environment, its output read
 * through a pipe. N runners in parallel; per-query wall time from spawn to exit. The query file
 * has one QUERY_STRING a line; the CGI's output must contain "MSIZE=<n>" (the number of matches,
 * printed by the benchmark's Omega template). */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_run.h"

#define OUTPUT_MAX (4u * 1024 * 1024) /* bytes of CGI output kept per query */

extern char **environ;

struct cgi_args {
    const char *program;
    const char *config; /* OMEGA_CONFIG_FILE */
};

struct cgi_state {
    const struct cgi_args *a;
    char *out; /* output of the last run */
    size_t cap;
};

static void *cgi_open(void *arg, int thread)
{
    struct cgi_state *s = calloc(1, sizeof *s);
    (void)thread;
    if (!s)
        return NULL;
    s->a = arg;
    s->cap = 64 * 1024;
    s->out = malloc(s->cap);
    if (!s->out) {
        free(s);
        return NULL;
    }
    return s;
}

static void cgi_close(void *state)
{
    struct cgi_state *s = state;
    free(s->out);
    free(s);
}

/* Read all of fd into s->out (NUL-terminated, at most OUTPUT_MAX kept; the rest is drained). */
static size_t read_all(int fd, struct cgi_state *s)
{
    size_t n = 0;
    for (;;) {
        if (n + 1 >= s->cap && s->cap < OUTPUT_MAX) {
            size_t ncap = s->cap * 2 > OUTPUT_MAX ? OUTPUT_MAX : s->cap * 2;
            char *p = realloc(s->out, ncap);
            if (p) {
                s->out = p;
                s->cap = ncap;
            }
        }
        char sink[4096];
        int keep = n + 1 < s->cap;
        ssize_t r = keep ? read(fd, s->out + n, s->cap - 1 - n) : read(fd, sink, sizeof sink);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        if (keep)
            n += (size_t)r;
    }
    s->out[n] = '\0';
    return n;
}

static long cgi_run(void *state, const struct bench_query *q)
{
    struct cgi_state *s = state;
    char qs[BENCH_LINE_MAX + 32], conf[1024];
    char *envp[] = {qs,
                    "REQUEST_METHOD=GET",
                    "GATEWAY_INTERFACE=CGI/1.1",
                    "SERVER_PROTOCOL=HTTP/1.1",
                    "SCRIPT_NAME=/cgi-bin/omega",
                    conf,
                    NULL};
    char *argv[] = {(char *)s->a->program, NULL};
    int fds[2];
    pid_t pid;
    posix_spawn_file_actions_t fa;
    snprintf(qs, sizeof qs, "QUERY_STRING=%s", q->line);
    snprintf(conf, sizeof conf, "OMEGA_CONFIG_FILE=%s", s->a->config);
    /* Close-on-exec, so that a runner's pipe does not leak into another runner's child. */
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawn(&pid, s->a->program, &fa, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return -1;
    }
    read_all(fds[0], s);
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return bench_count_after(s->out, "MSIZE=");
}

static void usage(FILE *out)
{
    fputs("usage: iqn-bench-cgi --cgi PROGRAM --config OMEGA_CONF --queries FILE [--threads N] [--seconds S]\n"
          "                     [--warmup S] [--label L] [--once]\n"
          "\n"
          "Run PROGRAM once per query (QUERY_STRING from each line of FILE) on N parallel runners\n"
          "for S seconds and print one summary line: queries/s and latency percentiles in ms; with --once,\n"
          "each query once with its number of matches and milliseconds.\n",
          out);
}

int main(int argc, char **argv)
{
    struct cgi_args a = {NULL, NULL};
    const struct bench_flag flags[] = {{"--cgi", &a.program}, {"--config", &a.config}, {NULL, NULL}};
    struct bench_worker w = {cgi_open, cgi_run, cgi_close, &a};
    return bench_main(argc, argv, 1, "iqn-bench-cgi", "omega", flags, usage, &w);
}
