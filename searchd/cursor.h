/* cursor.h - deep paging: an opaque cursor holding the offset of the next page and a fingerprint
 * of the search it belongs to, so it cannot be replayed against another search. */
#ifndef IQN_CURSOR_H
#define IQN_CURSOR_H

#include "db.h"

#define IQN_CURSOR_LEN 22          /* base64url of 16 bytes, no padding */
#define IQN_CURSOR_OFFSET_MAX 100000000ull

/* The fingerprint of what a search is: text, analysis language, filters (order of values within a
 * facet does not matter), dates and sort; not its offset or page size. */
unsigned long long iqn_cursor_fingerprint(const struct iqn_query *q);
/* The cursor of offset for the search with fingerprint fp (out holds IQN_CURSOR_LEN + 1 bytes). */
void iqn_cursor_encode(unsigned long long offset, unsigned long long fp, char *out);
/* Read a cursor: 0 with *offset; -1 when it is not a cursor at all; -2 when it belongs to another
 * search (fingerprint differs); -3 when its offset is beyond IQN_CURSOR_OFFSET_MAX. */
int iqn_cursor_decode(const char *s, unsigned long long fp, unsigned long long *offset);

#endif
