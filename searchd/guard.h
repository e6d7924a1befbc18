/* guard.h - drops clients that send a request too slowly (a header byte a second keeps
 * libmicrohttpd's idle timeout from ever firing): every connection gets a deadline for its whole
 * request, and a watchdog thread shuts down the sockets that pass it. */
#ifndef IQN_GUARD_H
#define IQN_GUARD_H

#include <microhttpd.h>

struct iqn_guard;

/* Start the watchdog: a request (headers and body) must arrive within seconds of the connection
 * opening or of the previous response. */
int iqn_guard_start(unsigned seconds, struct iqn_guard **out);
/* Stop the watchdog thread and free (after MHD is stopped). Accepts NULL. */
void iqn_guard_stop(struct iqn_guard *g);

/* MHD_OPTION_NOTIFY_CONNECTION callback (cls is the guard): tracks opened and closed connections. */
void iqn_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                      enum MHD_ConnectionNotificationCode code);
/* The request on conn has fully arrived: no deadline while it is answered. */
void iqn_guard_received(struct iqn_guard *g, struct MHD_Connection *conn);
/* The response on conn is done: the next request has a fresh deadline. */
void iqn_guard_completed(struct iqn_guard *g, struct MHD_Connection *conn);
/* Connections dropped so far. */
unsigned long long iqn_guard_dropped(struct iqn_guard *g);

#endif
