/* main.c - iqn-searchd: read the settings, load the vocabularies, check the index, serve
 * until SIGTERM or SIGINT, then stop cleanly; or `iqn-searchd keys ...`, the key admin command. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "config.h"
#include "db.h"
#include "http.h"
#include "keys.h"
#include "parse_xml.h"
#include "vocab.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* Block SIGTERM and SIGINT (the MHD threads inherit the mask, so only the main thread, waiting in
 * sigsuspend, takes them); *waitmask is the mask to wait with. */
static int setup_signals(sigset_t *waitmask)
{
    struct sigaction sa;
    sigset_t block;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0)
        return -1;
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &sa, NULL) != 0)
        return -1;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    if (pthread_sigmask(SIG_BLOCK, &block, waitmask) != 0)
        return -1;
    sigdelset(waitmask, SIGTERM);
    sigdelset(waitmask, SIGINT);
    return 0;
}

int main(int argc, char **argv)
{
    struct iqn_config cfg;
    struct iqn_server srv;
    struct iqn_vocab *vocab = NULL;
    struct iqn_db *db = NULL;
    struct iqn_error err;
    enum iqn_config_outcome outcome;
    sigset_t waitmask;
    int status = 2, started = 0;
    iqn_error_clear(&err);
    memset(&srv, 0, sizeof srv);

    if (argc > 1 && strcmp(argv[1], "keys") == 0)
        return iqn_keys_main(argc - 1, argv + 1);
    if (iqn_config_load(argc, argv, &cfg, &outcome, &err) != IQN_OK) {
        fprintf(stderr, "iqn-searchd: %s\n", err.message);
        return 2;
    }
    if (outcome == IQN_CONFIG_EXIT) {
        iqn_config_free(&cfg);
        return 0;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "iqn-searchd: libsodium failed to initialise\n");
        goto done;
    }
    iqn_parse_xml_init(); /* the write API reads IQN XML: no network, no external entities */
    if (iqn_vocab_load(cfg.vocab, &vocab, &err) != IQN_OK) {
        fprintf(stderr, "iqn-searchd: cannot load vocabularies from %s: %s\n", cfg.vocab, err.message);
        goto done;
    }
    /* The index must open now; later requests reopen it on their own threads. */
    if (iqn_db_open(cfg.db, IQN_DB_READ, &db, &err) != IQN_OK) {
        fprintf(stderr, "iqn-searchd: cannot open index %s: %s\n", cfg.db, err.message);
        goto done;
    }
    iqn_db_close(db);
    if (setup_signals(&waitmask) != 0) {
        perror("iqn-searchd: signals");
        goto done;
    }
    if (iqn_server_start(&srv, &cfg, vocab, &err) != IQN_OK) {
        fprintf(stderr, "iqn-searchd: %s\n", err.message);
        goto done;
    }
    started = 1;
    int v6 = strchr(cfg.listen_host, ':') != NULL;
    printf("iqn-searchd: listening on http://%s%s%s:%u/\n", v6 ? "[" : "", cfg.listen_host, v6 ? "]" : "", srv.port);
    fflush(stdout);

    while (!stop_requested)
        sigsuspend(&waitmask); /* returns after a handler ran */
    if (!cfg.quiet)
        fprintf(stderr, "iqn-searchd: stopping\n");
    status = 0;
done:
    if (started || srv.mhd)
        iqn_server_stop(&srv);
    iqn_vocab_free(vocab);
    iqn_config_free(&cfg);
    iqn_parse_xml_cleanup();
    return status;
}
