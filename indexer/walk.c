/* walk.c - expand files, directories (recursively, sorted) and "-" into a list of inputs. */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where the entries of one PATH argument are: rel of a child starts rel_off bytes into its path,
 * and its absolute form is abs_root + "/" + rel. */
struct root_ctx {
    size_t rel_off;
    const char *abs_root;
};

static int push(struct iqn_walk *w, enum iqn_walk_kind kind, const char *path, const char *reason,
                const struct stat *st, const struct root_ctx *root, struct iqn_error *err)
{
    char *p = NULL, *r = NULL, *a = NULL;
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        struct iqn_walk_entry *v = realloc(w->v, cap * sizeof *v);
        if (!v)
            goto fail;
        w->v = v;
        w->cap = cap;
    }
    p = strdup(path);
    if (!p)
        goto fail;
    if (reason) {
        r = strdup(reason);
        if (!r)
            goto fail;
    }
    size_t plen = strlen(path);
    size_t off = !root ? 0 : root->rel_off <= plen ? root->rel_off : plen; /* the root itself: rel "" */
    if (root && root->abs_root) {
        const char *rel = path + off;
        size_t alen = strlen(root->abs_root) + 1 + strlen(rel) + 1;
        int root_slash = rel[0] == '\0' || (root->abs_root[0] != '\0' &&
                                            root->abs_root[strlen(root->abs_root) - 1] == '/');
        a = malloc(alen);
        if (!a)
            goto fail;
        snprintf(a, alen, "%s%s%s", root->abs_root, root_slash ? "" : "/", rel);
    }
    struct iqn_walk_entry *e = &w->v[w->n];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->path = p;
    e->abs = a;
    e->rel = p + off;
    e->reason = r;
    if (st && S_ISREG(st->st_mode)) {
        e->size = (unsigned long long)st->st_size;
        e->mtime_ns = (long long)st->st_mtim.tv_sec * 1000000000LL + (long long)st->st_mtim.tv_nsec;
    }
    w->n++;
    return IQN_OK;
fail:
    free(p);
    free(r);
    free(a);
    return iqn_error_set(err, IQN_ENOMEM, "out of memory listing input files");
}

/* Push one named file (a PATH argument or a manifest row) whose rel starts off bytes into path;
 * abs (allocated) is taken: given to the entry, or freed. */
static int push_named(struct iqn_walk *w, enum iqn_walk_kind kind, const char *path, const char *reason,
                      const struct stat *st, size_t off, char *abs, struct iqn_error *err)
{
    struct root_ctx named = {off, NULL};
    int rc = push(w, kind, path, reason, st, &named, err);
    if (rc == IQN_OK)
        w->v[w->n - 1].abs = abs;
    else
        free(abs);
    return rc;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(struct iqn_walk *w, const char *dir, int depth, const struct root_ctx *root,
                    struct iqn_error *err);

/* One entry found inside a directory. */
static int walk_child(struct iqn_walk *w, const char *path, int depth, const struct root_ctx *root,
                      struct iqn_error *err)
{
    struct stat st;
    char reason[160];

    if (lstat(path, &st) != 0) {
        snprintf(reason, sizeof reason, "cannot examine: %s", strerror(errno));
        return push(w, IQN_WALK_ERROR, path, reason, NULL, root, err);
    }
    if (S_ISLNK(st.st_mode)) {
        if (stat(path, &st) != 0) {
            snprintf(reason, sizeof reason, "broken symbolic link: %s", strerror(errno));
            return push(w, IQN_WALK_ERROR, path, reason, NULL, root, err);
        }
        if (S_ISDIR(st.st_mode))
            return push(w, IQN_WALK_SKIP, path, "symbolic link to a directory, not followed", NULL, root, err);
    }
    if (S_ISDIR(st.st_mode))
        return walk_dir(w, path, depth + 1, root, err);
    if (S_ISREG(st.st_mode))
        return push(w, IQN_WALK_FILE, path, NULL, &st, root, err);
    return push(w, IQN_WALK_SKIP, path, "not a regular file", NULL, root, err);
}

/* Read the directory, sort its names, and walk each. */
static int walk_dir(struct iqn_walk *w, const char *dir, int depth, const struct root_ctx *root,
                    struct iqn_error *err)
{
    DIR *d = NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    char *path = NULL;
    char reason[160];
    int rc = IQN_OK;

    if (depth > IQN_WALK_DEPTH_MAX) {
        snprintf(reason, sizeof reason, "directory nested deeper than %d levels, not read",
                 IQN_WALK_DEPTH_MAX);
        return push(w, IQN_WALK_ERROR, dir, reason, NULL, root, err);
    }
    d = opendir(dir);
    if (!d) {
        snprintf(reason, sizeof reason, "cannot read directory: %s", strerror(errno));
        return push(w, IQN_WALK_ERROR, dir, reason, NULL, root, err);
    }
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) {
            if (errno != 0) {
                snprintf(reason, sizeof reason, "cannot read directory: %s", strerror(errno));
                rc = push(w, IQN_WALK_ERROR, dir, reason, NULL, root, err);
            }
            break;
        }
        if (e->d_name[0] == '.') /* ".", "..", and hidden files (.git, editor swap files) */
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            char **v = realloc(names, ncap * sizeof *v);
            if (!v)
                goto oom;
            names = v;
            cap = ncap;
        }
        names[n] = strdup(e->d_name);
        if (!names[n])
            goto oom;
        n++;
    }
    closedir(d);
    d = NULL;
    if (rc != IQN_OK)
        goto done;
    if (n > 1)
        qsort(names, n, sizeof *names, name_cmp);
    size_t dlen = strlen(dir);
    int slash = dlen > 0 && dir[dlen - 1] == '/';
    for (size_t i = 0; i < n; i++) {
        size_t plen = dlen + 1 + strlen(names[i]) + 1;
        path = malloc(plen);
        if (!path)
            goto oom;
        snprintf(path, plen, "%s%s%s", dir, slash ? "" : "/", names[i]);
        rc = walk_child(w, path, depth, root, err);
        free(path);
        path = NULL;
        if (rc != IQN_OK)
            goto done;
    }
    goto done;
oom:
    rc = iqn_error_set(err, IQN_ENOMEM, "out of memory listing %s", dir);
done:
    if (d)
        closedir(d);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(path);
    return rc;
}

/* Made absolute from the working directory, "." and ".." resolved by name; see walk.h. */
static char *lexical_abspath(const char *path)
{
    char cwd[4096];
    size_t plen = strlen(path);
    if (path[0] != '/' && !getcwd(cwd, sizeof cwd))
        snprintf(cwd, sizeof cwd, "/");
    size_t cap = (path[0] == '/' ? 0 : strlen(cwd)) + 1 + plen + 2;
    char *src = malloc(cap), *out = malloc(cap);
    if (!src || !out) {
        free(src);
        free(out);
        return NULL;
    }
    if (path[0] == '/')
        snprintf(src, cap, "%s", path);
    else
        snprintf(src, cap, "%s/%s", cwd, path);
    size_t o = 0;
    const char *p = src;
    while (*p) {
        while (*p == '/')
            p++;
        const char *q = p;
        while (*q && *q != '/')
            q++;
        size_t n = (size_t)(q - p);
        if (n == 0 || (n == 1 && p[0] == '.')) {
            /* nothing */
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--;
        } else {
            out[o++] = '/';
            memcpy(out + o, p, n);
            o += n;
        }
        p = q;
    }
    if (o == 0)
        out[o++] = '/';
    out[o] = '\0';
    free(src);
    return out;
}

/* The absolute form of path; see walk.h. */
char *iqn_walk_abspath(const char *path)
{
    char *r = realpath(path, NULL);
    if (r)
        return r;
    return lexical_abspath(path);
}

/* The name part of path (after the last '/', trailing slashes ignored) as an offset. */
static size_t base_off(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    size_t i = n;
    while (i > 0 && path[i - 1] != '/')
        i--;
    return i;
}

/* Expand one PATH argument; see walk.h. */
int iqn_walk_add(struct iqn_walk *w, const char *path, struct iqn_error *err)
{
    struct stat st;
    char reason[160];
    char *abs = NULL;
    int rc;

    if (strcmp(path, "-") == 0)
        return push(w, IQN_WALK_STDIN, "-", NULL, NULL, NULL, err);
    if (path[0] == '\0')
        return push(w, IQN_WALK_ERROR, path, "empty path", NULL, NULL, err);
    abs = iqn_walk_abspath(path);
    if (!abs)
        return iqn_error_set(err, IQN_ENOMEM, "out of memory listing input files");
    /* Arguments are taken as the user named them: links are followed, and a FIFO or a
     * /dev/fd path (shell process substitution) is read like a file. */
    if (stat(path, &st) != 0) {
        int missing = errno == ENOENT || errno == ENOTDIR;
        snprintf(reason, sizeof reason, "cannot open: %s", strerror(errno));
        rc = push_named(w, IQN_WALK_ERROR, path, reason, NULL, base_off(path), abs, err);
        if (rc == IQN_OK)
            w->v[w->n - 1].missing = missing; /* --prune removes what was imported from it */
        return rc;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (!S_ISREG(st.st_mode)) { /* a FIFO gives other content each time: no import state */
            free(abs);
            abs = NULL;
        }
        return push_named(w, IQN_WALK_FILE, path, NULL, &st, base_off(path), abs, err);
    }
    size_t plen = strlen(path);
    struct root_ctx dir_rc = {plen + (path[plen - 1] == '/' ? 0 : 1), abs};
    rc = walk_dir(w, path, 0, &dir_rc, err);
    free(abs);
    return rc;
}

/* Append a file named by a manifest row; see walk.h. */
int iqn_walk_add_file(struct iqn_walk *w, const char *path, const char *rel, struct iqn_error *err)
{
    struct stat st;
    char reason[160];
    char *abs = iqn_walk_abspath(path);
    if (!abs)
        return iqn_error_set(err, IQN_ENOMEM, "out of memory listing input files");
    size_t plen = strlen(path), rlen = strlen(rel);
    size_t off = rlen <= plen && strcmp(path + plen - rlen, rel) == 0 ? plen - rlen : base_off(path);
    if (stat(path, &st) != 0) {
        snprintf(reason, sizeof reason, "cannot open: %s", strerror(errno));
        return push_named(w, IQN_WALK_ERROR, path, reason, NULL, off, abs, err);
    }
    if (!S_ISREG(st.st_mode))
        return push_named(w, IQN_WALK_SKIP, path, "not a regular file", NULL, off, abs, err);
    return push_named(w, IQN_WALK_FILE, path, NULL, &st, off, abs, err);
}

/* Free the list; see walk.h. */
void iqn_walk_free(struct iqn_walk *w)
{
    for (size_t i = 0; i < w->n; i++) {
        free(w->v[i].path);
        free(w->v[i].abs);
        free(w->v[i].reason);
    }
    free(w->v);
    w->v = NULL;
    w->n = w->cap = 0;
}
