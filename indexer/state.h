/* state.h - what the index remembers about each imported file, kept as Xapian metadata so it
 * is committed atomically with the records it describes:
 *
 *   "src:" + absolute path  ->  "1 SIZE MTIME_NS HASH META DIRTY NIDS ID ID ...\tABSOLUTE PATH"
 *   "own:" + record id      ->  absolute path of the file the record came from
 *
 * SIZE and MTIME_NS are the file's at import time, HASH the 64-bit FNV-1a of its content, META
 * the hash of the metadata applied to it (flags, manifest row), DIRTY 1 when some of its records
 * failed (the file is then read again on every run). Paths longer than fit a Xapian key (245
 * bytes) are cut and end with "#" and their hash; the value always holds the whole path. */
#ifndef IQN_STATE_H
#define IQN_STATE_H

#include <stddef.h>

#include "buf.h"
#include "db.h"
#include "error.h"

#define IQN_STATE_KEY_MAX 240
#define IQN_STATE_PREFIX "src:"
#define IQN_OWNER_PREFIX "own:"

/* One file's state. ids are the record ids it produced, separated by single spaces. */
struct iqn_state {
    unsigned long long size;
    long long mtime_ns;
    unsigned long long hash;
    unsigned long long meta;
    int dirty;
    size_t nids;
    char *ids;  /* "" when none */
    char *path; /* absolute */
    int seen;   /* map only: the file is among this run's inputs */
};

/* The metadata key of the file at absolute path abs into out (at least IQN_STATE_KEY_MAX + 1). */
void iqn_state_key(const char *abs, char *out, size_t outlen);

/* Encode st as the stored value into out (reset first). Returns 0, or -1 if out overflowed. */
int iqn_state_encode(const struct iqn_state *st, struct iqn_buf *out);
/* Decode a stored value into st (new strings, free with iqn_state_clear). */
int iqn_state_decode(const char *value, struct iqn_state *st, struct iqn_error *err);
void iqn_state_clear(struct iqn_state *st);

/* The next id of a space-separated list: *pos moves past it; returns 0 at the end. */
int iqn_state_next_id(const char *ids, size_t *pos, size_t *start, size_t *len);
/* Is id (NUL-terminated) in the space-separated list ids? */
int iqn_state_has_id(const char *ids, const char *id);

/* Store st for its path (st->path); NULL st->path is an error. */
int iqn_state_put(struct iqn_db *db, const struct iqn_state *st, struct iqn_buf *scratch, struct iqn_error *err);
/* Forget the state of the file at abs. */
int iqn_state_drop(struct iqn_db *db, const char *abs, struct iqn_error *err);
/* The file that owns record id into *out (new string, "" when none). */
int iqn_owner_get(struct iqn_db *db, const char *id, char **out, struct iqn_error *err);
/* Make abs the owner of id (abs NULL: no owner). */
int iqn_owner_set(struct iqn_db *db, const char *id, const char *abs, struct iqn_error *err);

/* The states loaded from an index, by absolute path. */
struct iqn_state_map;

int iqn_state_map_new(struct iqn_state_map **out, struct iqn_error *err);
void iqn_state_map_free(struct iqn_state_map *m); /* accepts NULL */
/* Load every state stored in db for root (an absolute path: the file itself, or everything
 * below it when it is a folder). Loading the same file twice keeps the first. */
int iqn_state_map_load(struct iqn_state_map *m, struct iqn_db *db, const char *root, struct iqn_error *err);
/* The state of the file at abs, or NULL. The map must not change while others read it. */
struct iqn_state *iqn_state_map_get(const struct iqn_state_map *m, const char *abs);
/* Number of states, and the i-th one (in no particular order). */
size_t iqn_state_map_size(const struct iqn_state_map *m);
struct iqn_state *iqn_state_map_at(const struct iqn_state_map *m, size_t i);

#endif
