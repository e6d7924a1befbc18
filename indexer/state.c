/* state.c - per-file import state and record ownership kept as index metadata. */
#include "state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

#define STATE_VERSION 1

/* The key for abs; see state.h. */
void iqn_state_key(const char *abs, char *out, size_t outlen)
{
    size_t plen = strlen(IQN_STATE_PREFIX);
    size_t n = strlen(abs);
    if (plen + n <= IQN_STATE_KEY_MAX) {
        snprintf(out, outlen, "%s%s", IQN_STATE_PREFIX, abs);
        return;
    }
    /* Cut, then '#' and 16 hex digits of the whole path's hash. */
    size_t keep = IQN_STATE_KEY_MAX - plen - 17;
    snprintf(out, outlen, "%s%.*s#%016llx", IQN_STATE_PREFIX, (int)keep, abs, iqn_hash64(abs, n, 0));
}

/* Encode; see state.h. */
int iqn_state_encode(const struct iqn_state *st, struct iqn_buf *out)
{
    iqn_buf_reset(out);
    iqn_buf_addf(out, "%d %llu %lld %016llx %016llx %d %zu ", STATE_VERSION, st->size, st->mtime_ns, st->hash,
                 st->meta, st->dirty ? 1 : 0, st->nids);
    iqn_buf_adds(out, st->ids ? st->ids : "");
    iqn_buf_addc(out, '\t');
    iqn_buf_adds(out, st->path ? st->path : "");
    return iqn_buf_failed(out) ? -1 : 0;
}

/* Parse one unsigned number ending at a space; base 10 or 16. */
static int number(const char **p, int base, unsigned long long *out)
{
    char *end = NULL;
    if (**p < '0' || (**p > '9' && base == 10))
        return -1;
    errno = 0;
    unsigned long long v = strtoull(*p, &end, base);
    if (errno != 0 || end == *p || *end != ' ')
        return -1;
    *out = v;
    *p = end + 1;
    return 0;
}

/* Decode; see state.h. */
int iqn_state_decode(const char *value, struct iqn_state *st, struct iqn_error *err)
{
    unsigned long long version, mtime, dirty, nids;
    const char *p = value;
    memset(st, 0, sizeof *st);
    if (number(&p, 10, &version) != 0 || version != STATE_VERSION || number(&p, 10, &st->size) != 0 ||
        number(&p, 10, &mtime) != 0 || number(&p, 16, &st->hash) != 0 || number(&p, 16, &st->meta) != 0 ||
        number(&p, 10, &dirty) != 0 || number(&p, 10, &nids) != 0)
        return iqn_error_set(err, IQN_EINDEX, "unreadable import state");
    const char *tab = strchr(p, '\t');
    if (!tab)
        return iqn_error_set(err, IQN_EINDEX, "unreadable import state");
    st->mtime_ns = (long long)mtime;
    st->dirty = dirty != 0;
    st->nids = (size_t)nids;
    st->ids = strndup(p, (size_t)(tab - p));
    st->path = strdup(tab + 1);
    if (!st->ids || !st->path) {
        iqn_state_clear(st);
        return iqn_error_set(err, IQN_ENOMEM, "out of memory");
    }
    return IQN_OK;
}

/* Free the strings of st; see state.h. */
void iqn_state_clear(struct iqn_state *st)
{
    free(st->ids);
    free(st->path);
    st->ids = NULL;
    st->path = NULL;
    st->nids = 0;
}

/* Walk a space-separated id list; see state.h. */
int iqn_state_next_id(const char *ids, size_t *pos, size_t *start, size_t *len)
{
    size_t i = *pos;
    while (ids[i] == ' ')
        i++;
    if (ids[i] == '\0') {
        *pos = i;
        return 0;
    }
    *start = i;
    while (ids[i] != '\0' && ids[i] != ' ')
        i++;
    *len = i - *start;
    *pos = i;
    return 1;
}

/* Membership; see state.h. */
int iqn_state_has_id(const char *ids, const char *id)
{
    size_t pos = 0, start, len, n = strlen(id);
    if (!ids)
        return 0;
    while (iqn_state_next_id(ids, &pos, &start, &len))
        if (len == n && memcmp(ids + start, id, n) == 0)
            return 1;
    return 0;
}

/* Store; see state.h. */
int iqn_state_put(struct iqn_db *db, const struct iqn_state *st, struct iqn_buf *scratch, struct iqn_error *err)
{
    char key[IQN_STATE_KEY_MAX + 1];
    if (!st->path)
        return iqn_error_set(err, IQN_EINVAL, "import state without a path");
    iqn_state_key(st->path, key, sizeof key);
    if (iqn_state_encode(st, scratch) != 0) {
        iqn_buf_free(scratch);
        return iqn_error_set(err, IQN_ENOMEM, "import state of %s too large", st->path);
    }
    return iqn_db_set_meta(db, key, scratch->data, err);
}

/* Forget; see state.h. */
int iqn_state_drop(struct iqn_db *db, const char *abs, struct iqn_error *err)
{
    char key[IQN_STATE_KEY_MAX + 1];
    iqn_state_key(abs, key, sizeof key);
    return iqn_db_set_meta(db, key, "", err); /* Xapian deletes a key set to "" */
}

/* Owner of a record; see state.h. */
int iqn_owner_get(struct iqn_db *db, const char *id, char **out, struct iqn_error *err)
{
    char key[IQN_ID_MAX + 8];
    snprintf(key, sizeof key, "%s%s", IQN_OWNER_PREFIX, id);
    return iqn_db_get_meta(db, key, out, err);
}

/* Set the owner of a record; see state.h. */
int iqn_owner_set(struct iqn_db *db, const char *id, const char *abs, struct iqn_error *err)
{
    char key[IQN_ID_MAX + 8];
    snprintf(key, sizeof key, "%s%s", IQN_OWNER_PREFIX, id);
    return iqn_db_set_meta(db, key, abs ? abs : "", err);
}

/* ---- the map: open addressing on the absolute path ---- */

struct iqn_state_map {
    struct iqn_state **slot; /* hash table of pointers into items */
    size_t cap;              /* power of two */
    struct iqn_state **items;
    size_t n, items_cap;
};

/* New empty map; see state.h. */
int iqn_state_map_new(struct iqn_state_map **out, struct iqn_error *err)
{
    struct iqn_state_map *m = calloc(1, sizeof *m);
    if (!m)
        return iqn_error_set(err, IQN_ENOMEM, "out of memory");
    *out = m;
    return IQN_OK;
}

/* Free the map; see state.h. */
void iqn_state_map_free(struct iqn_state_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        iqn_state_clear(m->items[i]);
        free(m->items[i]);
    }
    free(m->items);
    free(m->slot);
    free(m);
}

static size_t slot_of(const struct iqn_state_map *m, const char *abs)
{
    return (size_t)iqn_hash64(abs, strlen(abs), 0) & (m->cap - 1);
}

/* Grow the table so that it stays at most half full. */
static int grow(struct iqn_state_map *m)
{
    if (m->n + 1 <= m->cap / 2)
        return 0;
    size_t ncap = m->cap ? m->cap * 2 : 256;
    struct iqn_state **ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    struct iqn_state **old = m->slot;
    size_t ocap = m->cap;
    m->slot = ns;
    m->cap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        if (!old[i])
            continue;
        size_t h = slot_of(m, old[i]->path);
        while (m->slot[h])
            h = (h + 1) & (m->cap - 1);
        m->slot[h] = old[i];
    }
    free(old);
    return 0;
}

/* Lookup; see state.h. */
struct iqn_state *iqn_state_map_get(const struct iqn_state_map *m, const char *abs)
{
    if (m->cap == 0)
        return NULL;
    size_t h = slot_of(m, abs);
    while (m->slot[h]) {
        if (strcmp(m->slot[h]->path, abs) == 0)
            return m->slot[h];
        h = (h + 1) & (m->cap - 1);
    }
    return NULL;
}

/* Take st (its strings move into the map) unless its path is there already. */
static int insert(struct iqn_state_map *m, struct iqn_state *st)
{
    if (iqn_state_map_get(m, st->path)) {
        iqn_state_clear(st);
        return 0;
    }
    if (grow(m) != 0)
        return -1;
    if (m->n == m->items_cap) {
        size_t ncap = m->items_cap ? m->items_cap * 2 : 256;
        struct iqn_state **v = realloc(m->items, ncap * sizeof *v);
        if (!v)
            return -1;
        m->items = v;
        m->items_cap = ncap;
    }
    struct iqn_state *copy = malloc(sizeof *copy);
    if (!copy)
        return -1;
    *copy = *st;
    memset(st, 0, sizeof *st);
    m->items[m->n++] = copy;
    size_t h = slot_of(m, copy->path);
    while (m->slot[h])
        h = (h + 1) & (m->cap - 1);
    m->slot[h] = copy;
    return 0;
}

struct load_ctx {
    struct iqn_state_map *m;
    const char *root;
    size_t root_len;
    int failed;
    struct iqn_error *err;
};

/* Is path root itself or below it? */
static int under(const char *path, const char *root, size_t root_len)
{
    if (strncmp(path, root, root_len) != 0)
        return 0;
    if (path[root_len] == '\0' || path[root_len] == '/')
        return 1;
    return root_len > 0 && root[root_len - 1] == '/';
}

static int load_one(void *ctx, const char *key, const char *value)
{
    struct load_ctx *c = ctx;
    struct iqn_state st;
    struct iqn_error e;
    (void)key;
    if (iqn_state_decode(value, &st, &e) != IQN_OK) {
        if (e.code == IQN_ENOMEM) {
            c->failed = 1;
            iqn_error_set(c->err, IQN_ENOMEM, "out of memory loading the import state");
            return 1;
        }
        return 0; /* a value we cannot read is ignored: its file is simply read again */
    }
    if (!under(st.path, c->root, c->root_len)) {
        iqn_state_clear(&st);
        return 0;
    }
    if (insert(c->m, &st) != 0) {
        iqn_state_clear(&st);
        c->failed = 1;
        iqn_error_set(c->err, IQN_ENOMEM, "out of memory loading the import state");
        return 1;
    }
    return 0;
}

/* Load the states below root; see state.h. */
int iqn_state_map_load(struct iqn_state_map *m, struct iqn_db *db, const char *root, struct iqn_error *err)
{
    char prefix[IQN_STATE_KEY_MAX + 1];
    size_t rlen = strlen(root);
    /* The key of a long path is cut: search by the part every key below root shares. */
    size_t keep = IQN_STATE_KEY_MAX - strlen(IQN_STATE_PREFIX) - 17;
    snprintf(prefix, sizeof prefix, "%s%.*s", IQN_STATE_PREFIX, (int)(rlen < keep ? rlen : keep), root);
    struct load_ctx c = {m, root, rlen, 0, err};
    int rc = iqn_db_meta_list(db, prefix, load_one, &c, err);
    if (rc != IQN_OK)
        return rc;
    return c.failed ? IQN_ENOMEM : IQN_OK;
}

/* Size; see state.h. */
size_t iqn_state_map_size(const struct iqn_state_map *m)
{
    return m->n;
}

/* The i-th state; see state.h. */
struct iqn_state *iqn_state_map_at(const struct iqn_state_map *m, size_t i)
{
    return i < m->n ? m->items[i] : NULL;
}
