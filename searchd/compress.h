/* compress.h - gzip for HTTP: whether a client accepts it, which types are worth it,
 * compressing a response (whole or streamed), and inflating a request body under a size cap. */
#ifndef IQN_COMPRESS_H
#define IQN_COMPRESS_H

#include <stddef.h>

#include <zlib.h>

#include "buf.h"
#include "error.h"

struct MHD_Connection;

#define IQN_GZIP_MIN 1024 /* bodies smaller than this are sent as they are */

/* Does the request's Accept-Encoding allow gzip (gzip, x-gzip or *, with q above 0)? */
int iqn_gzip_accepted(struct MHD_Connection *conn);
/* Is a body of this content type worth compressing (text, JSON, JS, CSS, XML, SVG, CSV)? */
int iqn_gzip_compressible(const char *content_type);

/* Compress in as one gzip member into a new buffer (*out, caller frees). 0 or -1 (out of memory). */
int iqn_gzip(const char *in, size_t len, char **out, size_t *outlen);

/* Inflate a gzip (or zlib) body, members concatenated allowed, into a new buffer of at most cap
 * bytes (*out, caller frees, NUL-terminated). IQN_ENOMEM when the result would pass cap,
 * IQN_EINVAL when the data is not valid gzip. */
int iqn_gunzip(const char *in, size_t len, size_t cap, char **out, size_t *outlen, struct iqn_error *err);

/* A gzip stream for responses produced in pieces (exports). */
struct iqn_gzip_stream {
    z_stream z;
    int ready;
};
int iqn_gzip_stream_init(struct iqn_gzip_stream *gs);
/* Compress len bytes of in (and, with finish, end the stream), appending to out. 0 or -1. */
int iqn_gzip_stream_write(struct iqn_gzip_stream *gs, const char *in, size_t len, int finish, struct iqn_buf *out);
void iqn_gzip_stream_end(struct iqn_gzip_stream *gs);

#endif
