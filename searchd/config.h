/* config.h - iqn-searchd settings: one table of names, defaults and ranges, read from a
 * `key = value` file and overridden by command-line flags. */
#ifndef IQN_CONFIG_H
#define IQN_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

struct iqn_config {
    char *db;                   /* index directory or stub file (required) */
    char *listen_host;          /* host part of --listen, without brackets */
    unsigned port;              /* 0 = any free port */
    char *web;                  /* web root */
    char *vocab;                /* vocabulary directory */
    char *config_file;          /* the file read, or NULL */
    unsigned threads;           /* MHD thread pool size (0 in the file = number of cores) */
    unsigned max_connections;
    unsigned connection_timeout; /* seconds */
    size_t connection_memory;   /* bytes per connection (request line and headers must fit) */
    unsigned max_export;        /* most hits one jsonl/csv export streams; 0 = all */
    int quiet;                  /* no access log */
    /* partners' API (docs/API.md) */
    char *keys_file;            /* API key store (iqn-searchd keys); NULL = no keys */
    int anonymous_deny;         /* anonymous = deny: /api/ needs a key */
    unsigned anon_rate, anon_burst;   /* token bucket per client address: requests/s, burst; rate 0 = no limit */
    unsigned read_rate, read_burst;   /* per read key */
    unsigned write_rate, write_burst; /* per write key */
    unsigned rate_table_max;    /* most buckets kept (idle ones are evicted first) */
    size_t max_body;            /* request body cap (bytes, as sent) -> 413 */
    size_t max_inflated;        /* cap on a gzip body once decompressed -> 413 */
    unsigned write_wait;        /* seconds a write waits for the index lock before 503 */
    unsigned request_timeout;   /* seconds a client has to send a whole request (slow clients are dropped) */
    char *cors_origins;         /* space- or comma-separated origins allowed cross-origin ("*" = any); NULL = none */
    int metrics;                /* serve /metrics */
    char *rate_exempt;          /* addresses (normalised, space-separated) without anonymous limits */
    char *trusted_proxies;      /* peers whose X-Forwarded-For names the client */
};

enum iqn_config_outcome {
    IQN_CONFIG_RUN,   /* settings are complete and valid */
    IQN_CONFIG_EXIT   /* --help or --version was printed: exit 0 */
};

/* Fill cfg from defaults, then the file named by --config, then the other flags.
 * Every value is checked against its range; errors say which setting, where it came from
 * (flag or file:line) and what is allowed. On error cfg is left freed. */
int iqn_config_load(int argc, char **argv, struct iqn_config *cfg, enum iqn_config_outcome *outcome,
                    struct iqn_error *err);
/* Defaults, then the file at path, without the checks of a complete daemon configuration (no db
 * needed): for `iqn-searchd keys --config FILE`. On error cfg is left freed. */
int iqn_config_load_file(const char *path, struct iqn_config *cfg, struct iqn_error *err);
/* Is origin (the Origin header) one of cfg->cors_origins? "*" allows any. */
int iqn_config_origin_allowed(const struct iqn_config *cfg, const char *origin);
/* Is addr (as inet_ntop writes it) in list (rate_exempt, trusted_proxies)? */
int iqn_config_addr_listed(const char *list, const char *addr);
/* Free the strings of cfg (the struct itself belongs to the caller). */
void iqn_config_free(struct iqn_config *cfg);
/* Print usage and the table of settings with defaults and ranges. */
void iqn_config_print_help(FILE *out);

#endif
