/* guard.c - per-connection request deadlines, enforced by a watchdog thread that shuts the
 * socket down (libmicrohttpd then sees the end of the stream and closes the connection itself).
 * The list is guarded by one mutex, which MHD's close notification also takes before MHD closes
 * the socket, so a descriptor is never shut down after it was closed and reused. */
#include "guard.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

struct tracked {
    struct tracked *prev, *next;
    int fd;
    double deadline; /* 0: none (a request is being answered) */
    int dropped;
};

struct iqn_guard {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    int running, stop;
    double seconds;
    struct tracked *head;
    unsigned long long dropped;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *watch(void *cls)
{
    struct iqn_guard *g = cls;
    pthread_mutex_lock(&g->mu);
    while (!g->stop) {
        struct timespec wake;
        clock_gettime(CLOCK_REALTIME, &wake);
        wake.tv_nsec += 250 * 1000000L;
        if (wake.tv_nsec >= 1000000000L) {
            wake.tv_sec++;
            wake.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g->cv, &g->mu, &wake);
        double t = now_s();
        for (struct tracked *c = g->head; c; c = c->next) {
            if (c->deadline > 0 && t > c->deadline && !c->dropped) {
                shutdown(c->fd, SHUT_RDWR);
                c->dropped = 1;
                g->dropped++;
            }
        }
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

/* Start; see guard.h. */
int iqn_guard_start(unsigned seconds, struct iqn_guard **out)
{
    struct iqn_guard *g = calloc(1, sizeof *g);
    *out = NULL;
    if (!g)
        return -1;
    g->seconds = seconds;
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->cv, NULL);
    if (pthread_create(&g->thread, NULL, watch, g) != 0) {
        pthread_cond_destroy(&g->cv);
        pthread_mutex_destroy(&g->mu);
        free(g);
        return -1;
    }
    g->running = 1;
    *out = g;
    return 0;
}

/* Stop; see guard.h. */
void iqn_guard_stop(struct iqn_guard *g)
{
    if (!g)
        return;
    if (g->running) {
        pthread_mutex_lock(&g->mu);
        g->stop = 1;
        pthread_cond_signal(&g->cv);
        pthread_mutex_unlock(&g->mu);
        pthread_join(g->thread, NULL);
    }
    while (g->head) { /* none after MHD stopped; be safe */
        struct tracked *c = g->head;
        g->head = c->next;
        free(c);
    }
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

/* Track connections; see guard.h. */
void iqn_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                      enum MHD_ConnectionNotificationCode code)
{
    struct iqn_guard *g = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct tracked *c = info ? calloc(1, sizeof *c) : NULL;
        *socket_context = c;
        if (!c)
            return; /* untracked: MHD's idle timeout still applies */
        c->fd = info->connect_fd;
        pthread_mutex_lock(&g->mu);
        c->deadline = now_s() + g->seconds;
        c->next = g->head;
        if (g->head)
            g->head->prev = c;
        g->head = c;
        pthread_mutex_unlock(&g->mu);
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        struct tracked *c = *socket_context;
        if (!c)
            return;
        pthread_mutex_lock(&g->mu);
        if (c->prev)
            c->prev->next = c->next;
        else
            g->head = c->next;
        if (c->next)
            c->next->prev = c->prev;
        pthread_mutex_unlock(&g->mu);
        free(c);
        *socket_context = NULL;
    }
}

static void set_deadline(struct iqn_guard *g, struct MHD_Connection *conn, double deadline)
{
    if (!g)
        return;
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct tracked *c = info ? info->socket_context : NULL;
    if (!c)
        return;
    pthread_mutex_lock(&g->mu);
    c->deadline = deadline;
    pthread_mutex_unlock(&g->mu);
}

/* A request arrived whole; see guard.h. */
void iqn_guard_received(struct iqn_guard *g, struct MHD_Connection *conn)
{
    set_deadline(g, conn, 0);
}

/* A response finished; see guard.h. */
void iqn_guard_completed(struct iqn_guard *g, struct MHD_Connection *conn)
{
    if (g)
        set_deadline(g, conn, now_s() + g->seconds);
}

/* Drops so far; see guard.h. */
unsigned long long iqn_guard_dropped(struct iqn_guard *g)
{
    if (!g)
        return 0;
    pthread_mutex_lock(&g->mu);
    unsigned long long n = g->dropped;
    pthread_mutex_unlock(&g->mu);
    return n;
}
