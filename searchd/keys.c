/* keys.c - the API key store: a small text file of keyed BLAKE2b hashes, checked in constant
 * time, re-read when it changes, rewritten atomically by `iqn-searchd keys`.
 *
 * A key is "iqn_" ID "_" SECRET: ID is 12 hex digits (public, names the key in logs and the
 * store), SECRET is 32 bytes from randombytes_buf in hex. The store keeps, per key, BLAKE2b-256
 * of the secret keyed with a random per-store salt (crypto_generichash), never the secret.
 * A fast hash is the right tool here: password hashes (Argon2, scrypt) are slow on purpose to
 * make guessing low-entropy passwords expensive, but a 256-bit random secret cannot be guessed
 * at any speed, and a slow hash on every API request would only cost CPU (and invite denial of
 * service). The salt keeps the hashes of one store useless against another's. */
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "config.h"

#define STORE_MAX (4u * 1024 * 1024)
#define KEYS_MAX 100000
#define SECRET_BYTES 32
#define HASH_BYTES 32
#define SALT_BYTES 32
#define TOKEN_PREFIX "iqn_"
#define TOKEN_LEN (4 + IQN_KEY_ID_LEN + 1 + 2 * SECRET_BYTES)
#define STORE_HEADER "iqn-keys 1"

struct key_entry {
    char id[IQN_KEY_ID_LEN + 1];
    enum iqn_scope scope;
    long long created, revoked; /* Unix seconds; revoked 0 = active */
    unsigned char hash[HASH_BYTES];
    char name[IQN_KEY_NAME_MAX + 1];
};

struct store_data {
    unsigned char salt[SALT_BYTES];
    int has_salt;
    struct key_entry *v;
    size_t n, cap;
};

/* What identifies one version of the file: a rename gives a new inode, an edit a new mtime or size. */
struct file_sig {
    int present;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
};

struct iqn_keystore {
    char *path;                /* NULL: no store, no keys */
    pthread_rwlock_t lock;     /* guards d */
    pthread_mutex_t reload_mu; /* one reloader at a time; guards sig */
    struct store_data d;
    struct file_sig sig;
};

static void store_clear(struct store_data *d)
{
    free(d->v);
    memset(d, 0, sizeof *d);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Lower-case hex of exactly 2*n characters into n bytes. */
static int from_hex(const char *s, size_t slen, unsigned char *out, size_t n)
{
    if (slen != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (unsigned char)(hi * 16 + lo);
    }
    return 0;
}

static int valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > IQN_KEY_NAME_MAX || s[0] == ' ' || s[n - 1] == ' ')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr(" ._@:+-", c)))
            return 0;
    }
    return 1;
}

static int valid_id(const char *s, size_t n)
{
    if (n != IQN_KEY_ID_LEN)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (hex_value(s[i]) < 0)
            return 0;
    return 1;
}

/* One "key ID SCOPE CREATED REVOKED HASH NAME" line (after "key "). */
static int parse_key_line(char *l, struct key_entry *e)
{
    char *f[6];
    for (int i = 0; i < 6; i++) {
        f[i] = l;
        char *sp = strchr(l, ' ');
        if (!sp)
            return -1;
        *sp = '\0';
        l = sp + 1;
    }
    /* f[0] is "key" */
    char *end;
    if (!valid_id(f[1], strlen(f[1])))
        return -1;
    memcpy(e->id, f[1], IQN_KEY_ID_LEN + 1);
    if (strcmp(f[2], "read") == 0)
        e->scope = IQN_SCOPE_READ;
    else if (strcmp(f[2], "write") == 0)
        e->scope = IQN_SCOPE_WRITE;
    else
        return -1;
    errno = 0;
    e->created = strtoll(f[3], &end, 10);
    if (errno || *end || end == f[3])
        return -1;
    e->revoked = strtoll(f[4], &end, 10);
    if (errno || *end || end == f[4] || e->revoked < 0)
        return -1;
    if (from_hex(f[5], strlen(f[5]), e->hash, HASH_BYTES) != 0 || !valid_name(l))
        return -1;
    snprintf(e->name, sizeof e->name, "%s", l);
    return 0;
}

/* Parse the text of a store (data is modified). Errors name the line. */
static int parse_store(char *data, const char *path, struct store_data *d, struct iqn_error *err)
{
    unsigned long lineno = 0;
    int seen_header = 0;
    char *next;
    memset(d, 0, sizeof *d);
    for (char *line = data; line && *line; line = next) {
        lineno++;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (!seen_header) {
            if (strcmp(line, STORE_HEADER) != 0)
                goto bad;
            seen_header = 1;
        } else if (strncmp(line, "salt ", 5) == 0) {
            if (d->has_salt || from_hex(line + 5, strlen(line + 5), d->salt, SALT_BYTES) != 0)
                goto bad;
            d->has_salt = 1;
        } else if (strncmp(line, "key ", 4) == 0) {
            if (d->n == KEYS_MAX)
                goto bad;
            if (d->n == d->cap) {
                size_t ncap = d->cap ? d->cap * 2 : 16;
                struct key_entry *nv = realloc(d->v, ncap * sizeof *nv);
                if (!nv) {
                    store_clear(d);
                    return iqn_error_set(err, IQN_ENOMEM, "out of memory");
                }
                d->v = nv;
                d->cap = ncap;
            }
            if (parse_key_line(line, &d->v[d->n]) != 0)
                goto bad;
            for (size_t i = 0; i < d->n; i++)
                if (strcmp(d->v[i].id, d->v[d->n].id) == 0)
                    goto bad;
            d->n++;
        } else {
            goto bad;
        }
    }
    if (!seen_header || (d->n > 0 && !d->has_salt)) {
        store_clear(d);
        return iqn_error_set(err, IQN_EINVAL, "%s: not an iqn-searchd key store (no '%s' header or no salt)", path,
                             STORE_HEADER);
    }
    return IQN_OK;
bad:
    store_clear(d);
    return iqn_error_set(err, IQN_EINVAL, "%s:%lu: malformed key store line", path, lineno);
}

static void sig_of(const struct stat *st, struct file_sig *sig)
{
    memset(sig, 0, sizeof *sig);
    sig->present = 1;
    sig->dev = st->st_dev;
    sig->ino = st->st_ino;
    sig->size = st->st_size;
    sig->mtime = st->st_mtim;
}

static int sig_equal(const struct file_sig *a, const struct file_sig *b)
{
    if (a->present != b->present)
        return 0;
    return !a->present || (a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
                           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec);
}

/* Read and parse the store; a missing file is an empty store (sig->present = 0). */
static int read_store(const char *path, struct store_data *d, struct file_sig *sig, struct iqn_error *err)
{
    struct stat st;
    char *data = NULL;
    int rc = IQN_OK;
    memset(d, 0, sizeof *d);
    memset(sig, 0, sizeof *sig);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return IQN_OK;
        return iqn_error_set(err, IQN_EIO, "cannot read key store %s: %s", path, strerror(errno));
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)STORE_MAX) {
        rc = iqn_error_set(err, IQN_EINVAL, "key store %s: not a regular file of at most %u bytes", path, STORE_MAX);
        goto out;
    }
    sig_of(&st, sig);
    data = malloc((size_t)st.st_size + 1);
    if (!data) {
        rc = iqn_error_set(err, IQN_ENOMEM, "out of memory");
        goto out;
    }
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, data + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = iqn_error_set(err, IQN_EIO, "cannot read key store %s: %s", path, r < 0 ? strerror(errno) : "short read");
            goto out;
        }
        got += (size_t)r;
    }
    data[got] = '\0';
    if (memchr(data, '\0', got)) {
        rc = iqn_error_set(err, IQN_EINVAL, "key store %s contains a NUL byte", path);
        goto out;
    }
    rc = parse_store(data, path, d, err);
out:
    free(data);
    close(fd);
    return rc;
}

/* ---- the daemon's view ---- */

/* Open the store; see keys.h. */
int iqn_keystore_open(const char *path, struct iqn_keystore **out, struct iqn_error *err)
{
    struct iqn_keystore *ks = calloc(1, sizeof *ks);
    int rc;
    *out = NULL;
    if (!ks)
        return iqn_error_set(err, IQN_ENOMEM, "out of memory");
    pthread_rwlock_init(&ks->lock, NULL);
    pthread_mutex_init(&ks->reload_mu, NULL);
    if (path) {
        ks->path = strdup(path);
        if (!ks->path) {
            iqn_keystore_free(ks);
            return iqn_error_set(err, IQN_ENOMEM, "out of memory");
        }
        rc = read_store(path, &ks->d, &ks->sig, err);
        if (rc != IQN_OK) {
            iqn_keystore_free(ks);
            return rc;
        }
    }
    *out = ks;
    return IQN_OK;
}

/* Free the store; see keys.h. */
void iqn_keystore_free(struct iqn_keystore *ks)
{
    if (!ks)
        return;
    store_clear(&ks->d);
    pthread_rwlock_destroy(&ks->lock);
    pthread_mutex_destroy(&ks->reload_mu);
    free(ks->path);
    free(ks);
}

/* Re-read the file if it is not the version loaded. A bad file empties the store (fail closed). */
static void maybe_reload(struct iqn_keystore *ks)
{
    struct stat st;
    struct file_sig now;
    memset(&now, 0, sizeof now);
    if (stat(ks->path, &st) == 0)
        sig_of(&st, &now);
    pthread_mutex_lock(&ks->reload_mu);
    if (!sig_equal(&now, &ks->sig)) {
        struct store_data nd;
        struct file_sig nsig;
        struct iqn_error err;
        iqn_error_clear(&err);
        if (read_store(ks->path, &nd, &nsig, &err) != IQN_OK) {
            fprintf(stderr, "iqn-searchd: %s; no API key is accepted until it is fixed\n", err.message);
            memset(&nd, 0, sizeof nd);
            nsig = now;
        }
        pthread_rwlock_wrlock(&ks->lock);
        store_clear(&ks->d);
        ks->d = nd;
        pthread_rwlock_unlock(&ks->lock);
        ks->sig = nsig;
    }
    pthread_mutex_unlock(&ks->reload_mu);
}

/* Check a bearer token; see keys.h. */
enum iqn_key_check iqn_keystore_check(struct iqn_keystore *ks, const char *token, size_t len,
                                      struct iqn_key_info *info)
{
    unsigned char secret[SECRET_BYTES], hash[HASH_BYTES];
    enum iqn_key_check res = IQN_KEY_UNKNOWN;
    if (!ks->path || len != TOKEN_LEN || memcmp(token, TOKEN_PREFIX, 4) != 0 || token[4 + IQN_KEY_ID_LEN] != '_' ||
        !valid_id(token + 4, IQN_KEY_ID_LEN) ||
        from_hex(token + 5 + IQN_KEY_ID_LEN, 2 * SECRET_BYTES, secret, SECRET_BYTES) != 0)
        return IQN_KEY_UNKNOWN;
    maybe_reload(ks);
    pthread_rwlock_rdlock(&ks->lock);
    for (size_t i = 0; i < ks->d.n; i++) {
        const struct key_entry *e = &ks->d.v[i];
        if (memcmp(e->id, token + 4, IQN_KEY_ID_LEN) != 0)
            continue;
        crypto_generichash(hash, sizeof hash, secret, sizeof secret, ks->d.salt, sizeof ks->d.salt);
        if (sodium_memcmp(hash, e->hash, HASH_BYTES) != 0)
            break; /* right id, wrong secret */
        if (e->revoked) {
            res = IQN_KEY_REVOKED;
            break;
        }
        memcpy(info->id, e->id, sizeof info->id);
        memcpy(info->name, e->name, sizeof info->name);
        info->scope = e->scope;
        res = IQN_KEY_VALID;
        break;
    }
    pthread_rwlock_unlock(&ks->lock);
    sodium_memzero(secret, sizeof secret);
    return res;
}

/* Keys not revoked; see keys.h. */
size_t iqn_keystore_active(struct iqn_keystore *ks)
{
    size_t n = 0;
    if (ks->path)
        maybe_reload(ks);
    pthread_rwlock_rdlock(&ks->lock);
    for (size_t i = 0; i < ks->d.n; i++)
        n += ks->d.v[i].revoked == 0;
    pthread_rwlock_unlock(&ks->lock);
    return n;
}

/* ---- the admin command ---- */

static void to_hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Write the store to a temporary file beside it (0600), fsync, rename over it, fsync the directory. */
static int write_store(const char *path, const struct store_data *d, struct iqn_error *err)
{
    char tmp[PATH_MAX], hex[2 * HASH_BYTES + 1];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return iqn_error_set(err, IQN_EINVAL, "key store path too long");
    int fd = mkstemp(tmp);
    if (fd < 0)
        return iqn_error_set(err, IQN_EIO, "cannot create %s: %s", tmp, strerror(errno));
    FILE *f = fdopen(fd, "w");
    if (!f || fchmod(fd, 0600) != 0) {
        if (f)
            fclose(f);
        else
            close(fd);
        unlink(tmp);
        return iqn_error_set(err, IQN_EIO, "cannot write %s: %s", tmp, strerror(errno));
    }
    fprintf(f, "%s\n# iqn-searchd API keys: written by `iqn-searchd keys`; secrets are kept only as hashes.\n"
               "# key ID SCOPE CREATED REVOKED BLAKE2B(SALT, SECRET) NAME\n",
            STORE_HEADER);
    to_hex(d->salt, SALT_BYTES, hex);
    fprintf(f, "salt %s\n", hex);
    for (size_t i = 0; i < d->n; i++) {
        const struct key_entry *e = &d->v[i];
        to_hex(e->hash, HASH_BYTES, hex);
        fprintf(f, "key %s %s %lld %lld %s %s\n", e->id, e->scope == IQN_SCOPE_WRITE ? "write" : "read", e->created,
                e->revoked, hex, e->name);
    }
    int bad = fflush(f) != 0 || fsync(fd) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return iqn_error_set(err, IQN_EIO, "cannot write key store %s: %s", path, strerror(e));
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return IQN_OK;
}

/* Hold an exclusive lock on PATH.lock so two admin commands never lose each other's change. */
static int lock_store(const char *path, int *fd_out, struct iqn_error *err)
{
    char lock[PATH_MAX];
    int n = snprintf(lock, sizeof lock, "%s.lock", path);
    if (n < 0 || (size_t)n >= sizeof lock)
        return iqn_error_set(err, IQN_EINVAL, "key store path too long");
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || flock(fd, LOCK_EX) != 0) {
        if (fd >= 0)
            close(fd);
        return iqn_error_set(err, IQN_EIO, "cannot lock %s: %s", lock, strerror(errno));
    }
    *fd_out = fd;
    return IQN_OK;
}

static int keys_usage(void)
{
    fprintf(stderr, "usage: iqn-searchd keys create --name NAME --scope read|write [--keys FILE | --config FILE]\n"
                    "       iqn-searchd keys list [--keys FILE | --config FILE]\n"
                    "       iqn-searchd keys revoke ID [--keys FILE | --config FILE]\n"
                    "The store is --keys FILE, or keys_file of the --config file. `create` prints the new key\n"
                    "once on standard output: it is stored only as a hash and cannot be shown again.\n");
    return 2;
}

static int cmd_create(const char *path, struct store_data *d, const char *name, const char *scope)
{
    struct iqn_error err;
    unsigned char secret[SECRET_BYTES], idb[IQN_KEY_ID_LEN / 2];
    char secret_hex[2 * SECRET_BYTES + 1];
    if (!name || !valid_name(name)) {
        fprintf(stderr, "iqn-searchd keys: --name must be 1 to %d letters, digits, spaces or ._@:+- "
                        "(no leading or trailing space)\n", IQN_KEY_NAME_MAX);
        return 2;
    }
    if (!scope || (strcmp(scope, "read") != 0 && strcmp(scope, "write") != 0)) {
        fprintf(stderr, "iqn-searchd keys: --scope must be read or write\n");
        return 2;
    }
    if (d->n >= KEYS_MAX) {
        fprintf(stderr, "iqn-searchd keys: the store already holds %d keys\n", KEYS_MAX);
        return 1;
    }
    if (!d->has_salt) {
        randombytes_buf(d->salt, sizeof d->salt);
        d->has_salt = 1;
    }
    if (d->n == d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 16;
        struct key_entry *nv = realloc(d->v, ncap * sizeof *nv);
        if (!nv) {
            fprintf(stderr, "iqn-searchd keys: out of memory\n");
            return 1;
        }
        d->v = nv;
        d->cap = ncap;
    }
    struct key_entry *e = &d->v[d->n];
    memset(e, 0, sizeof *e);
    for (int unique = 0; !unique;) {
        randombytes_buf(idb, sizeof idb);
        to_hex(idb, sizeof idb, e->id);
        unique = 1;
        for (size_t i = 0; i < d->n && unique; i++)
            unique = strcmp(d->v[i].id, e->id) != 0;
    }
    randombytes_buf(secret, sizeof secret);
    crypto_generichash(e->hash, sizeof e->hash, secret, sizeof secret, d->salt, sizeof d->salt);
    e->scope = strcmp(scope, "write") == 0 ? IQN_SCOPE_WRITE : IQN_SCOPE_READ;
    e->created = (long long)time(NULL);
    snprintf(e->name, sizeof e->name, "%s", name);
    d->n++;
    iqn_error_clear(&err);
    if (write_store(path, d, &err) != IQN_OK) {
        sodium_memzero(secret, sizeof secret);
        fprintf(stderr, "iqn-searchd keys: %s\n", err.message);
        return 1;
    }
    to_hex(secret, sizeof secret, secret_hex);
    printf("%s%s_%s\n", TOKEN_PREFIX, e->id, secret_hex);
    fflush(stdout);
    sodium_memzero(secret, sizeof secret);
    sodium_memzero(secret_hex, sizeof secret_hex);
    fprintf(stderr, "iqn-searchd keys: created %s key %s for '%s' in %s; the key above is shown only now\n", scope,
            e->id, e->name, path);
    return 0;
}

static void format_time(long long t, char *out, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, len, "%lld", t);
}

static int cmd_list(const struct store_data *d)
{
    char created[32], revoked[40];
    printf("%-12s  %-5s  %-20s  %-28s  %s\n", "id", "scope", "created", "status", "name");
    for (size_t i = 0; i < d->n; i++) {
        const struct key_entry *e = &d->v[i];
        format_time(e->created, created, sizeof created);
        if (e->revoked) {
            char when[32];
            format_time(e->revoked, when, sizeof when);
            snprintf(revoked, sizeof revoked, "revoked %s", when);
        } else {
            snprintf(revoked, sizeof revoked, "active");
        }
        printf("%-12s  %-5s  %-20s  %-28s  %s\n", e->id, e->scope == IQN_SCOPE_WRITE ? "write" : "read", created,
               revoked, e->name);
    }
    return 0;
}

static int cmd_revoke(const char *path, struct store_data *d, const char *id)
{
    struct iqn_error err;
    for (size_t i = 0; id && i < d->n; i++) {
        if (strcmp(d->v[i].id, id) != 0)
            continue;
        if (d->v[i].revoked) {
            fprintf(stderr, "iqn-searchd keys: key %s was already revoked\n", id);
            return 0;
        }
        d->v[i].revoked = (long long)time(NULL);
        iqn_error_clear(&err);
        if (write_store(path, d, &err) != IQN_OK) {
            fprintf(stderr, "iqn-searchd keys: %s\n", err.message);
            return 1;
        }
        fprintf(stderr, "iqn-searchd keys: revoked key %s ('%s'); a running iqn-searchd refuses it from its next "
                        "request\n", id, d->v[i].name);
        return 0;
    }
    fprintf(stderr, "iqn-searchd keys: no key with id '%.40s' in %s\n", id ? id : "", path);
    return 1;
}

/* The admin command; see keys.h. */
int iqn_keys_main(int argc, char **argv)
{
    const char *cmd = NULL, *keys = NULL, *config = NULL, *name = NULL, *scope = NULL, *id = NULL;
    struct iqn_config cfg;
    struct store_data d;
    struct file_sig sig;
    struct iqn_error err;
    char *path = NULL;
    int status = 1, lockfd = -1;
    memset(&cfg, 0, sizeof cfg);
    memset(&d, 0, sizeof d);
    iqn_error_clear(&err);
    for (int i = 1; i < argc; i++) {
        const char **slot = strcmp(argv[i], "--keys") == 0     ? &keys
                            : strcmp(argv[i], "--config") == 0 ? &config
                            : strcmp(argv[i], "--name") == 0   ? &name
                            : strcmp(argv[i], "--scope") == 0  ? &scope
                                                               : NULL;
        if (slot) {
            if (i + 1 >= argc)
                return keys_usage();
            *slot = argv[++i];
        } else if (argv[i][0] == '-') {
            return keys_usage();
        } else if (!cmd) {
            cmd = argv[i];
        } else if (!id && strcmp(cmd, "revoke") == 0) {
            id = argv[i];
        } else {
            return keys_usage();
        }
    }
    if (!cmd || (strcmp(cmd, "create") != 0 && strcmp(cmd, "list") != 0 && strcmp(cmd, "revoke") != 0) ||
        (strcmp(cmd, "revoke") == 0 && !id))
        return keys_usage();
    if (sodium_init() < 0) {
        fprintf(stderr, "iqn-searchd keys: libsodium failed to initialise\n");
        return 1;
    }
    if (!keys && config) {
        if (iqn_config_load_file(config, &cfg, &err) != IQN_OK) {
            fprintf(stderr, "iqn-searchd keys: %s\n", err.message);
            return 2;
        }
        keys = cfg.keys_file;
    }
    if (!keys) {
        fprintf(stderr, "iqn-searchd keys: no key store: give --keys FILE, or --config FILE with keys_file set\n");
        status = 2;
        goto out;
    }
    path = strdup(keys);
    if (!path || lock_store(path, &lockfd, &err) != IQN_OK || read_store(path, &d, &sig, &err) != IQN_OK) {
        fprintf(stderr, "iqn-searchd keys: %s\n", path ? err.message : "out of memory");
        goto out;
    }
    if (strcmp(cmd, "create") == 0)
        status = cmd_create(path, &d, name, scope);
    else if (strcmp(cmd, "list") == 0)
        status = cmd_list(&d);
    else
        status = cmd_revoke(path, &d, id);
out:
    if (lockfd >= 0)
        close(lockfd);
    store_clear(&d);
    free(path);
    iqn_config_free(&cfg);
    return status;
}
