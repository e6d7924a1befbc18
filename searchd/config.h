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
/* Free the strings of cfg (the struct itself belongs to the caller). */
void iqn_config_free(struct iqn_config *cfg);
/* Print usage and the table of settings with defaults and ranges. */
void iqn_config_print_help(FILE *out);

#endif
