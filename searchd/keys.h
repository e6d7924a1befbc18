/* keys.h - partners' API keys: the key store file (secrets kept only as keyed BLAKE2b hashes),
 * checking a bearer token in constant time, re-reading the store when it changes, and the
 * `iqn-searchd keys create|list|revoke` admin command. */
#ifndef IQN_KEYS_H
#define IQN_KEYS_H

#include <stddef.h>

#include "error.h"

enum iqn_scope { IQN_SCOPE_NONE = 0, IQN_SCOPE_READ = 1, IQN_SCOPE_WRITE = 2 };

#define IQN_KEY_ID_LEN 12   /* hex characters of a key id */
#define IQN_KEY_NAME_MAX 64

/* What a valid key says about its holder. */
struct iqn_key_info {
    char id[IQN_KEY_ID_LEN + 1];
    char name[IQN_KEY_NAME_MAX + 1];
    enum iqn_scope scope;
};

enum iqn_key_check {
    IQN_KEY_VALID,
    IQN_KEY_UNKNOWN, /* malformed, or no such key, or wrong secret */
    IQN_KEY_REVOKED
};

struct iqn_keystore;

/* Open the store at path (NULL: a store with no keys). A missing file is an empty store (it is
 * picked up when created); a malformed one is an error. Call sodium_init() first. */
int iqn_keystore_open(const char *path, struct iqn_keystore **out, struct iqn_error *err);
void iqn_keystore_free(struct iqn_keystore *ks); /* accepts NULL */

/* Check a bearer token (len bytes, not NUL-terminated). The store file is re-read first if it
 * changed (so a revocation takes effect at the next request); an unreadable or malformed store
 * holds no keys until fixed. Thread-safe. On IQN_KEY_VALID, *info is filled. */
enum iqn_key_check iqn_keystore_check(struct iqn_keystore *ks, const char *token, size_t len,
                                      struct iqn_key_info *info);
/* Number of keys not revoked (for /metrics). */
size_t iqn_keystore_active(struct iqn_keystore *ks);

/* `iqn-searchd keys ...` (argv[0] is "keys"): returns the process exit status. */
int iqn_keys_main(int argc, char **argv);

#endif
