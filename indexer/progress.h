/* progress.h - the progress of an import on stderr: on a terminal one live line redrawn in
 * place (files done / total, files per second, MB/s, ETA), otherwise a plain line every 10 s. */
#ifndef IQN_PROGRESS_H
#define IQN_PROGRESS_H

enum iqn_progress_mode {
    IQN_PROGRESS_OFF,   /* --quiet */
    IQN_PROGRESS_LIVE,  /* a terminal: redraw one line */
    IQN_PROGRESS_LINES  /* a pipe or a file: a full line now and then */
};

struct iqn_progress {
    enum iqn_progress_mode mode;
    const char *prefix;          /* "" or "dry run: " */
    double start, last;
    unsigned long long total_files, total_bytes;
    unsigned long long files, bytes;   /* inputs finished, and their size on disk */
    unsigned long long read_bytes;     /* bytes actually read (unchanged files are not) */
    int shown;                   /* a live line is on the terminal */
};

void iqn_progress_init(struct iqn_progress *p, enum iqn_progress_mode mode, const char *prefix);
/* Seconds on a monotonic clock. */
double iqn_progress_now(void);
/* One input finished: size on disk, and whether it was read. Draws when one is due. */
void iqn_progress_file(struct iqn_progress *p, unsigned long long size, int was_read);
/* Draw now if one is due (force: now). */
void iqn_progress_tick(struct iqn_progress *p, int force);
/* Take a live line off the terminal (before other output). */
void iqn_progress_clear(struct iqn_progress *p);

#endif
