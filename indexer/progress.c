/* progress.c - live or periodic progress lines with rate and ETA. */
#include "progress.h"

#include <stdio.h>
#include <time.h>

#define LIVE_EVERY 0.5   /* seconds between redraws on a terminal */
#define LINES_EVERY 10.0 /* seconds between plain lines */

/* Monotonic seconds; see progress.h. */
double iqn_progress_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Start; see progress.h. */
void iqn_progress_init(struct iqn_progress *p, enum iqn_progress_mode mode, const char *prefix)
{
    *p = (struct iqn_progress){0};
    p->mode = mode;
    p->prefix = prefix ? prefix : "";
    p->start = iqn_progress_now();
    p->last = p->start;
}

/* "12 s", "3 min 20 s", "1 h 05 min". */
static void fmt_duration(double s, char *out, size_t outlen)
{
    unsigned long long t = (unsigned long long)(s + 0.5);
    if (t < 60)
        snprintf(out, outlen, "%llu s", t);
    else if (t < 3600)
        snprintf(out, outlen, "%llu min %02llu s", t / 60, t % 60);
    else
        snprintf(out, outlen, "%llu h %02llu min", t / 3600, (t % 3600) / 60);
}

/* Draw if due; see progress.h. */
void iqn_progress_tick(struct iqn_progress *p, int force)
{
    if (p->mode == IQN_PROGRESS_OFF)
        return;
    double t = iqn_progress_now();
    double every = p->mode == IQN_PROGRESS_LIVE ? LIVE_EVERY : LINES_EVERY;
    if (!force && t - p->last < every)
        return;
    p->last = t;
    double el = t - p->start;
    char eta[48] = "";
    /* By bytes when sizes are known (big files weigh more), else by files. */
    double part = (double)p->bytes, whole = (double)p->total_bytes;
    if (whole <= 0) {
        part = (double)p->files;
        whole = (double)p->total_files;
    }
    if (part > 0 && whole > part && el >= 1.0) {
        char d[32];
        fmt_duration(el * (whole - part) / part, d, sizeof d);
        snprintf(eta, sizeof eta, ", ETA %s", d);
    }
    double fps = el > 0 ? (double)p->files / el : 0;
    double mbs = el > 0 ? (double)p->read_bytes / el / 1e6 : 0;
    fprintf(stderr, "%siqn-index: %s%llu/%llu files, %.0f files/s, %.1f MB/s%s%s",
            p->mode == IQN_PROGRESS_LIVE ? "\r\033[K" : "", p->prefix, p->files, p->total_files, fps, mbs, eta,
            p->mode == IQN_PROGRESS_LIVE ? "" : "\n");
    fflush(stderr);
    p->shown = p->mode == IQN_PROGRESS_LIVE;
}

/* One input done; see progress.h. */
void iqn_progress_file(struct iqn_progress *p, unsigned long long size, int was_read)
{
    p->files++;
    p->bytes += size;
    if (was_read)
        p->read_bytes += size;
    iqn_progress_tick(p, 0);
}

/* Clear the live line; see progress.h. */
void iqn_progress_clear(struct iqn_progress *p)
{
    if (p->shown) {
        fputs("\r\033[K", stderr);
        p->shown = 0;
    }
}
