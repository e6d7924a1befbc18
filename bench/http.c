/* http.c - iqn-bench-http: the HTTP load client of bench/run. N connections, one a thread, each
 * sending GETs one after the other on a keep-alive connection (HTTP/1.1, TCP_NODELAY) and timing
 * each request from the first byte sent to the last byte of the response read, through the same
 * loop and percentiles as the floor and the peers (bench_run.c). Unlike wrk, which adds synthetic
 * samples to its latency histogram for coordinated omission before a script sees it, every
 * latency recorded here is one request's own. The query file has one request path a line; a
 * search's number of matches is read from the "total" of its JSON answer. */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "bench_run.h"

#define HEAD_MAX (64u * 1024)          /* bytes of response headers */
#define BODY_MAX (64u * 1024 * 1024)   /* bytes of a response body */
#define IO_TIMEOUT_SECONDS 30

struct http_args {
    const char *host;
    const char *port;
};

struct http_state {
    const struct http_args *a;
    int fd;       /* -1 when not connected */
    char *buf;    /* headers, then the body */
    size_t cap;
    size_t have;  /* bytes in buf */
};

static void drop(struct http_state *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    s->have = 0;
}

static int connect_to(struct http_state *s)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(s->a->host, s->a->port, &hints, &res) != 0 || !res)
        return -1;
    int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
    if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return -1;
    int one = 1;
    struct timeval tv = {IO_TIMEOUT_SECONDS, 0};
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    s->fd = fd;
    s->have = 0;
    return 0;
}

static void *http_open(void *arg, int thread)
{
    struct http_state *s = calloc(1, sizeof *s);
    (void)thread;
    if (!s)
        return NULL;
    s->a = arg;
    s->fd = -1;
    s->cap = 256 * 1024;
    s->buf = malloc(s->cap);
    if (!s->buf || connect_to(s) != 0) {
        fprintf(stderr, "iqn-bench-http: cannot connect to %s:%s: %s\n", s->a->host, s->a->port, strerror(errno));
        free(s->buf);
        free(s);
        return NULL;
    }
    return s;
}

static void http_close(void *state)
{
    struct http_state *s = state;
    drop(s);
    free(s->buf);
    free(s);
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read until buf holds at least want bytes (growing it up to limit). */
static int fill(struct http_state *s, size_t want, size_t limit)
{
    if (want > limit)
        return -1;
    if (want + 1 > s->cap) {
        size_t ncap = s->cap;
        while (ncap < want + 1)
            ncap *= 2;
        char *p = realloc(s->buf, ncap);
        if (!p)
            return -1;
        s->buf = p;
        s->cap = ncap;
    }
    while (s->have < want) {
        ssize_t r = recv(s->fd, s->buf + s->have, s->cap - 1 - s->have, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        s->have += (size_t)r;
    }
    return 0;
}

/* The value of header name in the header block head (NUL-terminated), or NULL. */
static const char *header(const char *head, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = strstr(head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
        if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':') {
            const char *v = p + 3 + n;
            while (*v == ' ')
                v++;
            return v;
        }
    }
    return NULL;
}

/* One request and its whole response on the thread's connection: the response's status, with the
 * body at s->buf + *body (NUL-terminated); -1 when the connection failed. */
static int exchange(struct http_state *s, const char *path, size_t *body)
{
    char req[BENCH_LINE_MAX + 128];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: application/json\r\n\r\n", path,
                     s->a->host);
    if (n < 0 || (size_t)n >= sizeof req || send_all(s->fd, req, (size_t)n) != 0)
        return -1;
    s->have = 0;
    char *end = NULL;
    while (!end) {
        if (fill(s, s->have + 1, HEAD_MAX) != 0)
            return -1;
        s->buf[s->have] = '\0';
        end = strstr(s->buf, "\r\n\r\n");
    }
    size_t head_len = (size_t)(end - s->buf) + 4;
    *end = '\0';
    int status = 0;
    if (sscanf(s->buf, "HTTP/1.%*d %d", &status) != 1)
        return -1;
    const char *cl = header(s->buf, "Content-Length");
    const char *conn = header(s->buf, "Connection");
    int close_after = conn && strncasecmp(conn, "close", 5) == 0;
    if (!cl) /* this client reads only Content-Length bodies, which is what iqn-searchd sends */
        return -1;
    char *e;
    unsigned long long len = strtoull(cl, &e, 10);
    if (e == cl || len > BODY_MAX || fill(s, head_len + (size_t)len, head_len + BODY_MAX) != 0)
        return -1;
    s->buf[head_len + len] = '\0';
    *body = head_len;
    if (close_after)
        drop(s);
    return status;
}

static long http_run(void *state, const struct bench_query *q)
{
    struct http_state *s = state;
    size_t body = 0;
    if (s->fd < 0 && connect_to(s) != 0)
        return -1;
    int status = exchange(s, q->line, &body);
    if (status < 0) {
        drop(s);
        return -1;
    }
    return status == 200 ? bench_count_after(s->buf + body, "\"total\":") : -1;
}

static void usage(FILE *out)
{
    fputs("usage: iqn-bench-http --port PORT --queries FILE [--host HOST] [--threads N] [--seconds S]\n"
          "                      [--warmup S] [--label L] [--once]\n"
          "\n"
          "Send each request path of FILE (one a line) as a GET to HOST:PORT (default 127.0.0.1) on N\n"
          "keep-alive connections, one a thread, for S seconds after a warm-up, and print one summary\n"
          "line: queries/s and latency percentiles in ms, every latency one request's own. A search's\n"
          "number of matches is the \"total\" of its JSON answer; any status but 200 is an error.\n",
          out);
}

int main(int argc, char **argv)
{
    struct http_args a = {"127.0.0.1", NULL};
    const struct bench_flag flags[] = {{"--port", &a.port}, {"--host", &a.host}, {NULL, NULL}};
    struct bench_worker w = {http_open, http_run, http_close, &a};
    return bench_main(argc, argv, 1, "iqn-bench-http", "http", flags, usage, &w);
}
