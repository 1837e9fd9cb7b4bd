/* xbe.h - the simulation's console backend, behaving like QEMU's
 * hw/char/xen_console.c for a channel with connection=socket:
 *
 * - it listens on the channel's `path` from the start (server, no wait);
 * - it sets its state to InitWait (2) and waits until the frontend has
 *   written ring-ref and port and is Initialised (3) or Connected (4);
 * - it maps the granted page, binds the event channel, sets Connected (4);
 * - when the frontend goes Closing (5) or Closed (6) it unmaps and follows;
 *   from Closed, the frontend's Initialising (1) resets it to InitWait;
 * - guest output is copied to the socket client; while no client is
 *   connected it is kept, up to the channel's `limit` bytes, and past that
 *   the middle is dropped (the oldest half-limit and newest data stay);
 * - client input goes into the ring as space allows (backpressure);
 * - it notifies the guest after moving bytes either way.
 *
 * Faults (xensim ctl ... fault): lost, duplicated or late notifications,
 * a slow consumer, bytes dropped in the bridge, corrupted ring indices, a
 * clean restart or a kill mid-transfer.
 */
#ifndef XC_SIM_XBE_H
#define XC_SIM_XBE_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "board/sim/xsd.h"
#include "frontend/ring.h"

struct xbe_stats {
	uint64_t to_host, to_guest;   /* bytes bridged */
	uint64_t notify_in, notify_out; /* notifications received / sent */
	uint64_t dropped;             /* bytes dropped (limit or fault) */
	unsigned connects;
};

struct xbe {
	struct xsd *xs;
	int dom, devid;
	char fe[96], be[96];
	char path[108];
	size_t limit;
	int connected, restarting;
	int state; /* our xenbus state, as written to xenstore */
	int lfd, cfd;
	void *page;
	struct xr_ring ring;
	int rx, tx; /* event channel: our eventfd, the guest's */
	unsigned char *obuf;
	size_t olen;
	unsigned char ibuf[4096];
	size_t ilen;
	/* faults */
	int lose, dup, late_ms, slow_ms, drop;
	uint64_t late_due, slow_next, restart_at;
	struct xbe_stats st;
};

int xbe_init(struct xbe *b, struct xsd *xs, int dom, int devid,
	     const char *path, size_t limit);
void xbe_fini(struct xbe *b);
/* A xenstore node changed. */
void xbe_changed(struct xbe *b, const char *path);
/* Descriptors to poll (at most 3) and what to do after poll. */
int xbe_pollfds(struct xbe *b, struct pollfd *p);
void xbe_run(struct xbe *b, const struct pollfd *p, int n);
/* Milliseconds until the backend needs xbe_run() without an event, or -1. */
int xbe_timeout(struct xbe *b);
/* A clean restart: Closing, Closed, then a new instance after down_ms. */
void xbe_restart(struct xbe *b, int down_ms);
/* kill -9: gone without a state change; a new instance after down_ms
 * (the toolstack resetting its state, as it must on real Xen). */
void xbe_kill(struct xbe *b, int down_ms);
void xbe_corrupt(struct xbe *b);

#endif
