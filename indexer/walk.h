/* walk.h - expand the PATH arguments of iqn-index into the list of inputs to read:
 * files as given, directories recursively in sorted order, "-" for standard input. */
#ifndef IQN_WALK_H
#define IQN_WALK_H

#include <stddef.h>

#include "error.h"

#define IQN_WALK_DEPTH_MAX 64 /* directory levels below a PATH argument */

enum iqn_walk_kind {
    IQN_WALK_FILE,  /* a file to read */
    IQN_WALK_STDIN, /* "-": standard input */
    IQN_WALK_SKIP,  /* not read, for the reason given (a symlink to a directory, a socket ...) */
    IQN_WALK_ERROR  /* could not be examined (missing, unreadable directory ...) */
};

struct iqn_walk_entry {
    enum iqn_walk_kind kind;
    char *path;   /* as it will be shown in messages ("-" for standard input) */
    char *abs;    /* absolute form (the key of its import state); NULL for standard input and FIFOs */
    const char *rel; /* inside path: the part below the PATH argument (a file argument: its name) */
    char *reason; /* for SKIP and ERROR, else NULL */
    int missing;  /* ERROR because the PATH argument itself does not exist */
    unsigned long long size; /* bytes on disk when known (for progress), else 0 */
    long long mtime_ns;      /* modification time in nanoseconds since the epoch, 0 if unknown */
};

struct iqn_walk {
    struct iqn_walk_entry *v;
    size_t n;
    size_t cap;
};

/* Append the inputs named by path to w. Directories are read recursively, entries in byte
 * order of their names; names starting with '.' are left out, symbolic links to directories are
 * not followed, and only regular files are taken from inside directories. A path that cannot
 * be examined becomes an IQN_WALK_ERROR entry, so the caller reports it with the rest.
 * Fails only when memory runs out. */
int iqn_walk_add(struct iqn_walk *w, const char *path, struct iqn_error *err);

/* Append one file named by a manifest: path as shown, rel its name relative to the manifest's
 * folder (the id is derived from it). A missing file becomes an IQN_WALK_ERROR entry. */
int iqn_walk_add_file(struct iqn_walk *w, const char *path, const char *rel, struct iqn_error *err);

/* The absolute form of path into a new string: realpath() when the path exists, else made
 * absolute from the working directory with "." and ".." removed. NULL when memory runs out. */
char *iqn_walk_abspath(const char *path);

/* Free every entry of w (accepts an empty list). */
void iqn_walk_free(struct iqn_walk *w);

#endif
