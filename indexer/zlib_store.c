/* zlib_store.c - iqn-index has Xapian store term lists and records as they are, not deflated.
 *
 * Xapian's glass backend deflates every document's term list, every stored record and every
 * spelling entry at zlib's default level, and has no setting for it. For items of a few kilobytes
 * most of that work is deflate preparing its tables: 12 % of the CPU of a first import of 2,000
 * HTML pages, 10 % at 10,000 (level 1 saves nothing; docs/BENCHMARKS.md). iqn-index defines
 * deflateInit2_, to which the dynamic linker binds Xapian's calls ahead of zlib's own (a program's
 * symbols come first), and asks zlib for level 0: deflate then only copies, the result is no
 * shorter than the item, and Xapian keeps the item as it was, marked as not compressed. Readers
 * are unaffected, and an index holds compressed and uncompressed items side by side. The price is
 * disk: 71 MB instead of 66 MB for 10,000 pages. Nothing else in iqn-index deflates (it only reads
 * gzip, DOCX and ODT); iqn-searchd's write API keeps zlib's default. */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

typedef int (*deflate_init2_fn)(z_streamp strm, int level, int method, int window_bits, int mem_level,
                                int strategy, const char *version, int stream_size);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static deflate_init2_fn zlib_deflate_init2;

static void find_zlib(void)
{
    zlib_deflate_init2 = (deflate_init2_fn)(uintptr_t)dlsym(RTLD_NEXT, "deflateInit2_");
    if (!zlib_deflate_init2) { /* cannot happen while libz is loaded; say so rather than crash */
        fprintf(stderr, "iqn-index: zlib's deflateInit2_ not found: %s\n", dlerror());
        abort();
    }
}

int deflateInit2_(z_streamp strm, int level, int method, int window_bits, int mem_level, int strategy,
                  const char *version, int stream_size)
{
    (void)level;
    pthread_once(&once, find_zlib);
    return zlib_deflate_init2(strm, Z_NO_COMPRESSION, method, window_bits, mem_level, strategy, version, stream_size);
}
