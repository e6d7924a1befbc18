/* config.c - the table of iqn-searchd settings, the config file reader and the flag parser. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef IQN_WEB_DIR
#define IQN_WEB_DIR "web"
#endif
#ifndef IQN_VOCAB_DIR
#define IQN_VOCAB_DIR "corpus/vocab"
#endif
#ifndef IQN_VERSION
#define IQN_VERSION "0.1.0"
#endif

#define CONFIG_FILE_MAX (64u * 1024)
#define VALUE_MAX 4096

enum kind { K_PATH, K_LISTEN, K_UINT, K_SIZE, K_BOOL, K_ANON, K_ORIGINS, K_ADDRS };

struct setting {
    const char *name;    /* key in the file; the flag is --name with '_' written '-' */
    enum kind kind;
    const char *def;     /* default as text; NULL = no default */
    unsigned long long min, max;
    size_t offset;       /* field of struct iqn_config */
    const char *help;
};

#define OFF(field) offsetof(struct iqn_config, field)

static const struct setting settings[] = {
    {"db", K_PATH, NULL, 0, 0, OFF(db), "index directory (or Xapian stub file) to search; required"},
    {"listen", K_LISTEN, "127.0.0.1:8080", 0, 65535, 0, "address and port to listen on; port 0 picks a free port"},
    {"web", K_PATH, IQN_WEB_DIR, 0, 0, OFF(web), "web root served for paths outside /api/ (must be a directory)"},
    {"vocab", K_PATH, IQN_VOCAB_DIR, 0, 0, OFF(vocab), "directory of the facet vocabularies (*.tsv)"},
    {"threads", K_UINT, "0", 0, 256, OFF(threads), "worker threads; 0 = one per CPU core"},
    {"max_connections", K_UINT, "512", 1, 100000, OFF(max_connections), "most concurrent connections"},
    {"connection_timeout", K_UINT, "30", 1, 3600, OFF(connection_timeout), "seconds an idle connection is kept"},
    {"connection_memory", K_SIZE, "64k", 8192, 1024 * 1024, OFF(connection_memory),
     "memory per connection for the request line and headers (bytes, k or m suffix)"},
    {"max_export", K_UINT, "0", 0, 100000000, OFF(max_export), "most hits a format=jsonl/csv export streams; 0 = all"},
    {"quiet", K_BOOL, "no", 0, 1, OFF(quiet), "no access log on stderr (yes/no)"},
    {"keys_file", K_PATH, NULL, 0, 0, OFF(keys_file), "API key store (made by `iqn-searchd keys`); unset = no keys"},
    {"anonymous", K_ANON, "allow", 0, 1, OFF(anonymous_deny), "requests to /api/ without a key: allow or deny"},
    {"anon_rate", K_UINT, "20", 0, 1000000, OFF(anon_rate), "requests/s per client address without a key; 0 = no limit"},
    {"anon_burst", K_UINT, "200", 1, 1000000, OFF(anon_burst), "burst per client address without a key"},
    {"read_rate", K_UINT, "50", 0, 1000000, OFF(read_rate), "requests/s per read key; 0 = no limit"},
    {"read_burst", K_UINT, "500", 1, 1000000, OFF(read_burst), "burst per read key"},
    {"write_rate", K_UINT, "20", 0, 1000000, OFF(write_rate), "requests/s per write key; 0 = no limit"},
    {"write_burst", K_UINT, "100", 1, 1000000, OFF(write_burst), "burst per write key"},
    {"rate_table_max", K_UINT, "100000", 100, 10000000, OFF(rate_table_max),
     "most rate-limit buckets kept in memory (idle ones are evicted first)"},
    {"max_body", K_SIZE, "32m", 1024, 1024ull * 1024 * 1024, OFF(max_body),
     "largest request body accepted, as sent (bytes, k, m or g suffix); larger: 413"},
    {"max_inflated", K_SIZE, "256m", 1024, 4ull * 1024 * 1024 * 1024, OFF(max_inflated),
     "largest gzip request body once decompressed; larger: 413"},
    {"write_wait", K_UINT, "10", 0, 600, OFF(write_wait),
     "seconds a write waits for the index lock (iqn-index writing) before answering 503"},
    {"request_timeout", K_UINT, "30", 1, 3600, OFF(request_timeout),
     "seconds a client has to send a whole request (headers and body); slower clients are dropped"},
    {"cors_origins", K_ORIGINS, "", 0, 0, OFF(cors_origins),
     "origins allowed to call the API from a browser (space-separated https://host[:port], or *)"},
    {"metrics", K_BOOL, "yes", 0, 1, OFF(metrics), "serve /metrics in the Prometheus text format (yes/no)"},
    {"rate_exempt", K_ADDRS, "127.0.0.1 ::1", 0, 0, OFF(rate_exempt),
     "client addresses without the anonymous rate limit (space-separated IPs; \"\" = none)"},
    {"trusted_proxies", K_ADDRS, "", 0, 0, OFF(trusted_proxies),
     "reverse proxies whose X-Forwarded-For gives the client address (space-separated IPs)"},
};

#define NSETTINGS (sizeof settings / sizeof settings[0])

/* Settings by name; '-' and '_' are the same. */
static const struct setting *find_setting(const char *name, size_t len)
{
    for (size_t i = 0; i < NSETTINGS; i++) {
        const char *s = settings[i].name;
        size_t j = 0;
        for (; j < len && s[j]; j++) {
            char c = name[j] == '-' ? '_' : name[j];
            if (c != s[j])
                break;
        }
        if (j == len && s[j] == '\0')
            return &settings[i];
    }
    return NULL;
}

/* Strict unsigned decimal with an optional k/m suffix (sizes only). */
static int parse_number(const char *v, int allow_suffix, unsigned long long *out)
{
    if (!isdigit((unsigned char)v[0]))
        return -1;
    errno = 0;
    char *end = NULL;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno != 0)
        return -1;
    if (allow_suffix && *end && strchr("kKmMgG", *end)) {
        unsigned long long mul = (*end == 'k' || *end == 'K') ? 1024ull
                                 : (*end == 'm' || *end == 'M') ? 1024ull * 1024
                                                                : 1024ull * 1024 * 1024;
        if (n > ~0ull / mul)
            return -1;
        n *= mul;
        end++;
    }
    if (*end != '\0')
        return -1;
    *out = n;
    return 0;
}

static int parse_bool(const char *v, int *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(v, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcmp(v, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

/* HOST:PORT or [IPV6]:PORT. */
static int parse_listen(struct iqn_config *cfg, const char *v, const char *origin, struct iqn_error *err)
{
    const char *colon = strrchr(v, ':');
    const char *host = v, *host_end = colon;
    if (v[0] == '[') {
        const char *close = strchr(v, ']');
        if (!close || close[1] != ':')
            return iqn_error_set(err, IQN_EINVAL, "%s: expected HOST:PORT or [IPV6]:PORT, got '%.100s'", origin, v);
        host = v + 1;
        host_end = close;
        colon = close + 1;
    }
    unsigned long long port;
    if (!colon || host_end == host || (size_t)(host_end - host) > 255 || parse_number(colon + 1, 0, &port) != 0 ||
        port > 65535)
        return iqn_error_set(err, IQN_EINVAL, "%s: expected HOST:PORT with a port from 0 to 65535, got '%.100s'",
                             origin, v);
    for (const char *p = host; p < host_end; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != ':' && *p != '%' && *p != '_')
            return iqn_error_set(err, IQN_EINVAL, "%s: '%.*s' is not a host name or address", origin,
                                 (int)(host_end - host), host);
    char *h = strndup(host, (size_t)(host_end - host));
    if (!h)
        return iqn_error_set(err, IQN_ENOMEM, "out of memory");
    free(cfg->listen_host);
    cfg->listen_host = h;
    cfg->port = (unsigned)port;
    return IQN_OK;
}

/* One origin as a browser sends it: scheme://host[:port], nothing else. */
static int valid_origin(const char *o, size_t len)
{
    size_t skip = len > 8 && strncmp(o, "https://", 8) == 0 ? 8 : len > 7 && strncmp(o, "http://", 7) == 0 ? 7 : 0;
    if (!skip || len > 255)
        return 0;
    for (size_t i = skip; i < len; i++)
        if (!isalnum((unsigned char)o[i]) && o[i] != '.' && o[i] != '-' && o[i] != ':' && o[i] != '[' && o[i] != ']')
            return 0;
    return 1;
}

/* cors_origins: "*" alone, or origins separated by spaces or commas; stored separated by single spaces. */
static int parse_origins(struct iqn_config *cfg, const char *v, const char *origin, struct iqn_error *err)
{
    char *out = malloc(strlen(v) + 1);
    size_t o = 0;
    if (!out)
        return iqn_error_set(err, IQN_ENOMEM, "out of memory");
    for (const char *p = v; *p;) {
        size_t n = strcspn(p, " ,\t");
        if (n == 0) {
            p++;
            continue;
        }
        if (!(n == 1 && p[0] == '*') && !valid_origin(p, n)) {
            free(out);
            return iqn_error_set(err, IQN_EINVAL, "%s: '%.*s' is not an origin (https://host[:port] or *)", origin,
                                 (int)(n > 100 ? 100 : n), p);
        }
        if (o)
            out[o++] = ' ';
        memcpy(out + o, p, n);
        o += n;
        p += n;
    }
    out[o] = '\0';
    free(cfg->cors_origins);
    cfg->cors_origins = out;
    return IQN_OK;
}

/* A list of IP addresses, each written back as inet_ntop writes it (IPv4-mapped IPv6 as IPv4). */
static int parse_addrs(struct iqn_config *cfg, char **slot, const char *v, const char *origin, struct iqn_error *err)
{
    size_t cap = strlen(v) * (INET6_ADDRSTRLEN + 1) + 1, o = 0;
    char *out = malloc(cap), tok[INET6_ADDRSTRLEN + 1], norm[INET6_ADDRSTRLEN];
    (void)cfg;
    if (!out)
        return iqn_error_set(err, IQN_ENOMEM, "out of memory");
    out[0] = '\0';
    for (const char *p = v; *p;) {
        size_t n = strcspn(p, " ,\t");
        if (n == 0) {
            p++;
            continue;
        }
        unsigned char a[16];
        snprintf(tok, sizeof tok, "%.*s", (int)(n < sizeof tok - 1 ? n : sizeof tok - 1), p);
        if (n >= sizeof tok) {
            tok[0] = '\0';
        } else if (inet_pton(AF_INET, tok, a) == 1) {
            inet_ntop(AF_INET, a, norm, sizeof norm);
        } else if (inet_pton(AF_INET6, tok, a) == 1) {
            static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
            if (memcmp(a, mapped, 12) == 0)
                inet_ntop(AF_INET, a + 12, norm, sizeof norm);
            else
                inet_ntop(AF_INET6, a, norm, sizeof norm);
        } else {
            tok[0] = '\0';
        }
        if (!tok[0]) {
            free(out);
            return iqn_error_set(err, IQN_EINVAL, "%s: '%.*s' is not an IP address", origin, (int)(n > 100 ? 100 : n),
                                 p);
        }
        o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? " " : "", norm);
        p += n;
    }
    free(*slot);
    *slot = out;
    return IQN_OK;
}

/* Is addr one of the list's addresses? */
int iqn_config_addr_listed(const char *list, const char *addr)
{
    size_t alen = strlen(addr);
    for (const char *p = list ? list : ""; *p;) {
        size_t n = strcspn(p, " ");
        if (n == alen && memcmp(p, addr, n) == 0)
            return 1;
        p += n;
        if (*p)
            p++;
    }
    return 0;
}

/* Is origin listed in cfg->cors_origins (exactly, or "*")? */
int iqn_config_origin_allowed(const struct iqn_config *cfg, const char *origin)
{
    const char *list = cfg->cors_origins;
    size_t olen = origin ? strlen(origin) : 0;
    if (!list || !olen)
        return 0;
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, " ");
        if ((n == 1 && p[0] == '*') || (n == olen && memcmp(p, origin, n) == 0))
            return 1;
        p += n;
        if (*p)
            p++;
    }
    return 0;
}

/* Check value against the setting's kind and range, and store it. origin names the flag, or file:line and key. */
static int apply(struct iqn_config *cfg, const struct setting *s, const char *v, const char *origin,
                 struct iqn_error *err)
{
    char *base = (char *)cfg;
    unsigned long long n = 0;
    int b = 0;
    switch (s->kind) {
    case K_PATH: {
        if (v[0] == '\0')
            return iqn_error_set(err, IQN_EINVAL, "%s: must not be empty", origin);
        char *copy = strdup(v);
        if (!copy)
            return iqn_error_set(err, IQN_ENOMEM, "out of memory");
        char **slot = (char **)(base + s->offset);
        free(*slot);
        *slot = copy;
        return IQN_OK;
    }
    case K_LISTEN:
        return parse_listen(cfg, v, origin, err);
    case K_UINT:
    case K_SIZE:
        if (parse_number(v, s->kind == K_SIZE, &n) != 0 || n < s->min || n > s->max)
            return iqn_error_set(err, IQN_EINVAL, "%s: must be %s from %llu to %llu, got '%.100s'", origin,
                                 s->kind == K_SIZE ? "a size in bytes" : "an integer", s->min, s->max, v);
        if (s->kind == K_SIZE)
            *(size_t *)(base + s->offset) = (size_t)n;
        else
            *(unsigned *)(base + s->offset) = (unsigned)n;
        return IQN_OK;
    case K_BOOL:
        if (parse_bool(v, &b) != 0)
            return iqn_error_set(err, IQN_EINVAL, "%s: must be yes or no, got '%.100s'", origin, v);
        *(int *)(base + s->offset) = b;
        return IQN_OK;
    case K_ANON:
        if (strcmp(v, "allow") != 0 && strcmp(v, "deny") != 0)
            return iqn_error_set(err, IQN_EINVAL, "%s: must be allow or deny, got '%.100s'", origin, v);
        *(int *)(base + s->offset) = strcmp(v, "deny") == 0;
        return IQN_OK;
    case K_ORIGINS:
        return parse_origins(cfg, v, origin, err);
    case K_ADDRS:
        return parse_addrs(cfg, (char **)(base + s->offset), v, origin, err);
    }
    return iqn_error_set(err, IQN_EINTERNAL, "%s: unknown setting kind", s->name);
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* Read `key = value` lines; '#' starts a comment (at the start of a line, or after a blank); a value
 * in double quotes is taken as it is. */
static int load_file(struct iqn_config *cfg, const char *path, struct iqn_error *err)
{
    char *data = NULL;
    int rc = IQN_OK;
    FILE *f = fopen(path, "rb");
    if (!f)
        return iqn_error_set(err, IQN_ENOTFOUND, "cannot read config file %s: %s", path, strerror(errno));
    data = malloc(CONFIG_FILE_MAX + 1);
    size_t len = data ? fread(data, 1, CONFIG_FILE_MAX + 1, f) : 0;
    if (!data) {
        rc = iqn_error_set(err, IQN_ENOMEM, "out of memory");
        goto fail;
    }
    if (ferror(f)) {
        rc = iqn_error_set(err, IQN_EIO, "cannot read config file %s", path);
        goto fail;
    }
    if (len > CONFIG_FILE_MAX) {
        rc = iqn_error_set(err, IQN_EINVAL, "%s: config file larger than %u bytes", path, CONFIG_FILE_MAX);
        goto fail;
    }
    data[len] = '\0';
    if (memchr(data, '\0', len)) {
        rc = iqn_error_set(err, IQN_EINVAL, "%s: config file contains a NUL byte", path);
        goto fail;
    }
    unsigned long lineno = 0;
    char *next;
    for (char *line = data; line && *line; line = next) {
        lineno++;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *l = trim(line);
        if (*l == '\0' || *l == '#')
            continue;
        char origin[4400];
        char *eq = strchr(l, '=');
        if (!eq) {
            rc = iqn_error_set(err, IQN_EINVAL, "%s:%lu: expected `key = value`", path, lineno);
            goto fail;
        }
        *eq = '\0';
        char *key = trim(l), *value = trim(eq + 1);
        size_t vlen = strlen(value);
        if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
            value[vlen - 1] = '\0';
            value++;
        } else {
            for (char *c = value; *c; c++) {
                if (*c == '#' && c > value && (c[-1] == ' ' || c[-1] == '\t')) {
                    *c = '\0'; /* "value  # comment" */
                    value = trim(value);
                    break;
                }
            }
        }
        snprintf(origin, sizeof origin, "%s:%lu: %.64s", path, lineno, key);
        const struct setting *s = find_setting(key, strlen(key));
        if (!s) {
            rc = iqn_error_set(err, IQN_EINVAL, "%s:%lu: unknown setting '%.64s' (see iqn-searchd --help)", path, lineno, key);
            goto fail;
        }
        rc = apply(cfg, s, value, origin, err);
        if (rc != IQN_OK)
            goto fail;
    }
fail:
    free(data);
    fclose(f);
    return rc;
}

/* One flag at argv[*i]: its setting and value (from "--name=value" or the next argument). */
static int flag_value(int argc, char **argv, int *i, const struct setting **s, const char **value, int *is_config,
                      struct iqn_error *err)
{
    const char *arg = argv[*i];
    if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
        return iqn_error_set(err, IQN_EINVAL, "unexpected argument '%.200s' (see iqn-searchd --help)", arg);
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
    *is_config = nlen == 6 && memcmp(name, "config", 6) == 0;
    *s = *is_config ? NULL : find_setting(name, nlen);
    if (!*is_config && !*s)
        return iqn_error_set(err, IQN_EINVAL, "unknown option '%.200s' (see iqn-searchd --help)", arg);
    if (eq) {
        *value = eq + 1;
    } else if (*s && (*s)->kind == K_BOOL) {
        *value = "yes";
    } else if (*i + 1 < argc) {
        *value = argv[++*i];
    } else {
        return iqn_error_set(err, IQN_EINVAL, "option '%.200s' needs a value", arg);
    }
    if (strlen(*value) > VALUE_MAX)
        return iqn_error_set(err, IQN_EINVAL, "option '%.200s': value longer than %d bytes", arg, VALUE_MAX);
    return IQN_OK;
}

static long cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : n;
}

/* Defaults, then the --config file, then the flags; see config.h. */
int iqn_config_load(int argc, char **argv, struct iqn_config *cfg, enum iqn_config_outcome *outcome,
                    struct iqn_error *err)
{
    const struct setting *s;
    const char *value;
    int is_config, rc = IQN_OK;
    memset(cfg, 0, sizeof *cfg);
    *outcome = IQN_CONFIG_RUN;
    /* Pass 1: --help, --version, --config and the syntax of every flag. */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            iqn_config_print_help(stdout);
            *outcome = IQN_CONFIG_EXIT;
            return IQN_OK;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("iqn-searchd %s\n", IQN_VERSION);
            *outcome = IQN_CONFIG_EXIT;
            return IQN_OK;
        }
    }
    for (int i = 1; i < argc; i++) {
        rc = flag_value(argc, argv, &i, &s, &value, &is_config, err);
        if (rc != IQN_OK)
            goto fail;
        if (is_config) {
            char *copy = strdup(value);
            if (!copy) {
                rc = iqn_error_set(err, IQN_ENOMEM, "out of memory");
                goto fail;
            }
            free(cfg->config_file);
            cfg->config_file = copy;
        }
    }
    /* Defaults, then the file, then the flags. */
    for (size_t k = 0; k < NSETTINGS; k++) {
        if (!settings[k].def)
            continue;
        rc = apply(cfg, &settings[k], settings[k].def, settings[k].name, err);
        if (rc != IQN_OK)
            goto fail;
    }
    if (cfg->config_file) {
        rc = load_file(cfg, cfg->config_file, err);
        if (rc != IQN_OK)
            goto fail;
    }
    for (int i = 1; i < argc; i++) {
        char origin[80];
        snprintf(origin, sizeof origin, "%.60s", argv[i]);
        char *eq = strchr(origin, '=');
        if (eq)
            *eq = '\0';
        rc = flag_value(argc, argv, &i, &s, &value, &is_config, err);
        if (rc == IQN_OK && s)
            rc = apply(cfg, s, value, origin, err);
        if (rc != IQN_OK)
            goto fail;
    }
    if (!cfg->db) {
        rc = iqn_error_set(err, IQN_EINVAL, "no index given: use --db PATH (or `db = PATH` in the config file)");
        goto fail;
    }
    if (cfg->threads == 0)
        cfg->threads = (unsigned)cpu_count();
    if (cfg->anonymous_deny && !cfg->keys_file) {
        rc = iqn_error_set(err, IQN_EINVAL, "anonymous = deny needs keys_file: without keys nobody could use the API");
        goto fail;
    }
    return IQN_OK;
fail:
    iqn_config_free(cfg);
    return rc;
}

/* Defaults and one file; see config.h. */
int iqn_config_load_file(const char *path, struct iqn_config *cfg, struct iqn_error *err)
{
    int rc = IQN_OK;
    memset(cfg, 0, sizeof *cfg);
    for (size_t k = 0; k < NSETTINGS && rc == IQN_OK; k++)
        if (settings[k].def)
            rc = apply(cfg, &settings[k], settings[k].def, settings[k].name, err);
    if (rc == IQN_OK)
        rc = load_file(cfg, path, err);
    if (rc != IQN_OK)
        iqn_config_free(cfg);
    return rc;
}

/* Free cfg's strings and zero it. */
void iqn_config_free(struct iqn_config *cfg)
{
    free(cfg->db);
    free(cfg->listen_host);
    free(cfg->web);
    free(cfg->vocab);
    free(cfg->config_file);
    free(cfg->keys_file);
    free(cfg->cors_origins);
    free(cfg->rate_exempt);
    free(cfg->trusted_proxies);
    memset(cfg, 0, sizeof *cfg);
}

static void range_text(const struct setting *s, char *out, size_t len)
{
    switch (s->kind) {
    case K_UINT:
    case K_SIZE: snprintf(out, len, "%llu..%llu", s->min, s->max); break;
    case K_BOOL: snprintf(out, len, "yes|no"); break;
    case K_LISTEN: snprintf(out, len, "HOST:PORT"); break;
    case K_PATH: snprintf(out, len, "path"); break;
    case K_ANON: snprintf(out, len, "allow|deny"); break;
    case K_ORIGINS: snprintf(out, len, "origins"); break;
    case K_ADDRS: snprintf(out, len, "addresses"); break;
    }
}

/* Usage and the settings table, with defaults and allowed values. */
void iqn_config_print_help(FILE *out)
{
    int wdef = 7;
    for (size_t i = 0; i < NSETTINGS; i++)
        if (settings[i].def && (int)strlen(settings[i].def) > wdef)
            wdef = (int)strlen(settings[i].def);
    fprintf(out,
            "Usage: iqn-searchd --db PATH [--listen HOST:PORT] [--web DIR] [--vocab DIR] [--threads N]\n"
            "                   [--config FILE] [--quiet] [--help] [--version]\n"
            "       iqn-searchd keys create --name NAME --scope read|write [--keys FILE | --config FILE]\n"
            "       iqn-searchd keys list|revoke ID [--keys FILE | --config FILE]\n"
            "Serve the IQN Search JSON API (/api/v1/), /healthz and the web UI.\n"
            "\n"
            "Each setting is a flag (--name VALUE or --name=VALUE; '_' may be written '-') or a line\n"
            "`name = value` in the --config file; flags override the file.\n"
            "\n"
            "  %-19s %-*s  %-16s %s\n",
            "setting", wdef, "default", "allowed", "meaning");
    for (size_t i = 0; i < NSETTINGS; i++) {
        char range[48];
        range_text(&settings[i], range, sizeof range);
        fprintf(out, "  %-19s %-*s  %-16s %s\n", settings[i].name, wdef, settings[i].def ? settings[i].def : "(none)",
                range, settings[i].help);
    }
    fprintf(out, "\nOn SIGTERM or SIGINT the daemon finishes and exits 0. Exit 2: bad settings or no index.\n");
}
