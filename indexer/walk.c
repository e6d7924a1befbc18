/* walk.c - expand files, directories (recursively, sorted) and "-" into a list of inputs. */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int push(struct iqn_walk *w, enum iqn_walk_kind kind, const char *path, const char *reason,
                unsigned long long size, struct iqn_error *err)
{
    char *p = NULL, *r = NULL;
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
    w->v[w->n].kind = kind;
    w->v[w->n].path = p;
    w->v[w->n].reason = r;
    w->v[w->n].size = size;
    w->n++;
    return IQN_OK;
fail:
    free(p);
    free(r);
    return iqn_error_set(err, IQN_ENOMEM, "out of memory listing input files");
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(struct iqn_walk *w, const char *dir, int depth, struct iqn_error *err);

/* One entry found inside a directory. */
static int walk_child(struct iqn_walk *w, const char *path, int depth, struct iqn_error *err)
{
    struct stat st;
    char reason[160];

    if (lstat(path, &st) != 0) {
        snprintf(reason, sizeof reason, "cannot examine: %s", strerror(errno));
        return push(w, IQN_WALK_ERROR, path, reason, 0, err);
    }
    if (S_ISLNK(st.st_mode)) {
        if (stat(path, &st) != 0) {
            snprintf(reason, sizeof reason, "broken symbolic link: %s", strerror(errno));
            return push(w, IQN_WALK_ERROR, path, reason, 0, err);
        }
        if (S_ISDIR(st.st_mode))
            return push(w, IQN_WALK_SKIP, path, "symbolic link to a directory, not followed", 0, err);
    }
    if (S_ISDIR(st.st_mode))
        return walk_dir(w, path, depth + 1, err);
    if (S_ISREG(st.st_mode))
        return push(w, IQN_WALK_FILE, path, NULL, (unsigned long long)st.st_size, err);
    return push(w, IQN_WALK_SKIP, path, "not a regular file", 0, err);
}

/* Read the directory, sort its names, and walk each. */
static int walk_dir(struct iqn_walk *w, const char *dir, int depth, struct iqn_error *err)
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
        return push(w, IQN_WALK_ERROR, dir, reason, 0, err);
    }
    d = opendir(dir);
    if (!d) {
        snprintf(reason, sizeof reason, "cannot read directory: %s", strerror(errno));
        return push(w, IQN_WALK_ERROR, dir, reason, 0, err);
    }
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (!e) {
            if (errno != 0) {
                snprintf(reason, sizeof reason, "cannot read directory: %s", strerror(errno));
                rc = push(w, IQN_WALK_ERROR, dir, reason, 0, err);
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
        rc = walk_child(w, path, depth, err);
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

/* Expand one PATH argument; see walk.h. */
int iqn_walk_add(struct iqn_walk *w, const char *path, struct iqn_error *err)
{
    struct stat st;
    char reason[160];

    if (strcmp(path, "-") == 0)
        return push(w, IQN_WALK_STDIN, "-", NULL, 0, err);
    if (path[0] == '\0')
        return push(w, IQN_WALK_ERROR, path, "empty path", 0, err);
    /* Arguments are taken as the user named them: links are followed, and a FIFO or a
     * /dev/fd path (shell process substitution) is read like a file. */
    if (stat(path, &st) != 0) {
        snprintf(reason, sizeof reason, "cannot open: %s", strerror(errno));
        return push(w, IQN_WALK_ERROR, path, reason, 0, err);
    }
    if (S_ISDIR(st.st_mode))
        return walk_dir(w, path, 0, err);
    return push(w, IQN_WALK_FILE, path, NULL, S_ISREG(st.st_mode) ? (unsigned long long)st.st_size : 0, err);
}

/* Free the list; see walk.h. */
void iqn_walk_free(struct iqn_walk *w)
{
    for (size_t i = 0; i < w->n; i++) {
        free(w->v[i].path);
        free(w->v[i].reason);
    }
    free(w->v);
    w->v = NULL;
    w->n = w->cap = 0;
}
