/* static.c - the web UI's files, served from the web root: no path outside it, no hidden
 * files, nothing over IQN_STATIC_FILE_MAX; revalidation by ETag. */
#include "static.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compress.h"
#include "http.h"
#include "text.h"

#define URL_PATH_MAX 1024

struct type_map {
    const char *ext;
    const char *type;
};

static const struct type_map types[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"ico", "image/x-icon"},
    {"xml", "application/xml; charset=utf-8"},
    {"txt", "text/plain; charset=utf-8"},
    {"woff2", "font/woff2"},
    {"webmanifest", "application/manifest+json"},
};

static const char *content_type(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    if (dot)
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcmp(dot + 1, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

/* The URL path is well formed UTF-8 with no "." or ".." segment, no hidden name and no backslash. */
static int safe_url(const char *url)
{
    size_t len = strlen(url);
    if (url[0] != '/' || len > URL_PATH_MAX || !iqn_utf8_valid(url, len) || strchr(url, '\\'))
        return 0;
    for (const char *seg = url + 1; *seg; seg++) {
        if (seg[-1] == '/' && seg[0] == '.')
            return 0; /* ".", "..", ".git", ".env" */
    }
    return 1;
}

/* Open path if it resolves to a regular file or directory inside root; -1 (errno) otherwise. */
static int open_inside(const char *root, const char *path, struct stat *st, char **resolved)
{
    size_t rlen = strlen(root);
    char *real = realpath(path, NULL);
    *resolved = NULL;
    if (!real)
        return -1;
    if (strncmp(real, root, rlen) != 0 || (real[rlen] != '/' && real[rlen] != '\0')) {
        free(real);
        errno = EACCES;
        return -1;
    }
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK); /* a FIFO must not block us */
    if (fd < 0 || fstat(fd, st) != 0 || (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode))) {
        if (fd >= 0)
            close(fd);
        free(real);
        errno = EACCES;
        return -1;
    }
    *resolved = real;
    return fd;
}

/* Like open_inside, but only a regular file will do. */
static int open_regular(const char *root, const char *path, struct stat *st, char **resolved)
{
    int fd = open_inside(root, path, st, resolved);
    if (fd >= 0 && !S_ISREG(st->st_mode)) {
        close(fd);
        free(*resolved);
        *resolved = NULL;
        fd = -1;
    }
    return fd;
}

/* The file for url: the path itself, DIR/index.html, or (no extension) path.html. */
static int find_file(const char *root, const char *url, struct stat *st, char **resolved)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s%s%s", root, url, url[strlen(url) - 1] == '/' ? "index.html" : "");
    if (n < 0 || (size_t)n >= sizeof path - 16)
        return -1;
    int fd = open_inside(root, path, st, resolved);
    if (fd >= 0 && S_ISDIR(st->st_mode)) {
        close(fd);
        free(*resolved);
        snprintf(path + n, sizeof path - (size_t)n, "/index.html");
        return open_regular(root, path, st, resolved);
    }
    const char *last = strrchr(url, '/');
    if (fd < 0 && last && last[1] && !strchr(last, '.')) {
        snprintf(path + n, sizeof path - (size_t)n, ".html");
        fd = open_regular(root, path, st, resolved);
    }
    return fd;
}

/* Text files are read whole (they are small) so they can be sent gzip-compressed. Closes fd. */
static struct MHD_Response *compressible_response(struct iqn_request *req, int fd, size_t size, const char *type)
{
    char *data = malloc(size ? size : 1);
    size_t got = 0;
    while (data && got < size) {
        ssize_t r = read(fd, data + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (!data)
        return NULL;
    return iqn_http_body_response(req, data, got, type);
}

/* Serve one file of the web root, or 404. */
enum MHD_Result iqn_static_serve(struct iqn_request *req, const char *url)
{
    struct stat st;
    char *resolved = NULL;
    if (!safe_url(url))
        return iqn_http_error(req, MHD_HTTP_NOT_FOUND, "not_found", NULL, "no such page");
    int fd = find_file(req->srv->web_root, url, &st, &resolved);
    if (fd < 0)
        return iqn_http_error(req, MHD_HTTP_NOT_FOUND, "not_found", NULL, "no such page");
    if (st.st_size > (off_t)IQN_STATIC_FILE_MAX) {
        close(fd);
        free(resolved);
        return iqn_http_error(req, MHD_HTTP_NOT_FOUND, "not_found", NULL, "no such page (file too large to serve)");
    }
    const char *type = content_type(resolved);
    free(resolved);

    char etag[64];
    snprintf(etag, sizeof etag, "\"%llx-%llx-%lx\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtim.tv_sec, (unsigned long)st.st_mtim.tv_nsec);
    const char *inm = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    struct MHD_Response *resp;
    unsigned status = MHD_HTTP_OK;
    char etag_gz[72]; /* the tag of the gzip-compressed representation */
    snprintf(etag_gz, sizeof etag_gz, "%.*s-gz\"", (int)strlen(etag) - 1, etag);
    const char *tag = etag;
    if (inm && (strstr(inm, etag) || strstr(inm, etag_gz))) {
        tag = strstr(inm, etag) ? etag : etag_gz;
        close(fd);
        status = MHD_HTTP_NOT_MODIFIED;
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    } else if (iqn_gzip_compressible(type)) {
        resp = compressible_response(req, fd, (size_t)st.st_size, type); /* closes fd */
        if (resp && MHD_get_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING))
            tag = etag_gz;
    } else {
        resp = MHD_create_response_from_fd((size_t)st.st_size, fd); /* MHD closes fd */
        if (!resp)
            close(fd);
    }
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, tag);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    return iqn_http_queue(req, status, resp, type);
}
