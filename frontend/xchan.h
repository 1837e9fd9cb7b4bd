/* xchan.h - finding a Xen PV channel by name and connecting its ring.
 *
 * Follows the console frontend protocol of xen/io/console.h as libxl,
 * QEMU's xen_console backend and Linux's hvc_xen use it (see docs/XEN.md):
 * a channel is device/console/<N> in the guest's xenstore home, with
 * `name` (read-only for the guest), `backend` and `backend-id`. N may have
 * several digits, and with Debian's xl the first channel is dropped, so the
 * channel is found by `name`, never by position.
 *
 * Connecting (explicit state machine, one transition per xch_step()):
 *
 *   FIND -> BACKEND -> SHARE -> PUBLISH -> WAIT_BACKEND <-> CONNECTED
 *                        |        ^                 |            |
 *                        |        | backend <= 2    | backend    | backend
 *                        v        |                 v 5/6        v 5/6
 *                      CLOSED <------------------ CLOSING <------+
 *
 *   SHARE goes to CLOSED or CLOSING when the backend is not fresh. In
 *   CLOSING we write 5, then 6 once the backend closes too; in CLOSED we
 *   write 1 (Initialising) when the backend is 6, which resets it.
 *   CONNECTED goes back to WAIT_BACKEND when a new backend instance
 *   appears (state <= 2: QEMU restarted); it maps our ring again, or after
 *   XCH_RESTART_MS we take it through CLOSING.
 *
 * SHARE asks the board to grant the (zeroed) ring page to backend-id and to
 * allocate an unbound event channel for it; PUBLISH writes ring-ref, port
 * and state=3 in one transaction, retried on EAGAIN at most XCH_TX_TRIES
 * times. A backend that is not fresh (Connected to an earlier frontend,
 * Closed) is taken through Closing/Closed and reset with Initialising,
 * as QEMU's backend expects (xen/io/xenbus.h states). Nothing here
 * waits: when a step needs the backend to move, xch_step() returns XCH_WAIT and the board waits for a xenstore watch
 * event (or XCH_POLL_MS, since watch events may be late) before calling it
 * again. xch_run() is that loop, bounded by a deadline.
 */
#ifndef XC_XCHAN_H
#define XC_XCHAN_H

#include <stdint.h>

#include "xsw.h"

#define XCH_NAME_MAX 128
#define XCH_TX_TRIES 8
#define XCH_POLL_MS 500
#define XCH_RESTART_MS 3000 /* a restarted backend's time to take our ring */
#define XCH_DIR_MAX 1024 /* bytes of the device/console listing */
#define XCH_WAIT 1

enum xch_state {
	XCH_FIND = 0,
	XCH_BACKEND,
	XCH_SHARE,
	XCH_PUBLISH,
	XCH_WAIT_BACKEND,
	XCH_CONNECTED,
	XCH_CLOSING,
	XCH_CLOSED,
};

/* xenbus states (xen/io/xenbus.h) */
enum {
	XCH_XB_INITIALISING = 1,
	XCH_XB_INITWAIT = 2,
	XCH_XB_INITIALISED = 3,
	XCH_XB_CONNECTED = 4,
	XCH_XB_CLOSING = 5,
	XCH_XB_CLOSED = 6,
};

struct xch_env {
	struct xsw *xs;
	const struct xsw_io *io;
	/* Grants the ring page to domid and allocates an unbound event
	 * channel for it. Called once per connection attempt. */
	int (*share)(void *ctx, uint16_t domid, uint32_t *ref,
		     uint32_t *port);
	/* Waits until xenstore has bytes (feeding them to xs with
	 * xsw_input) or until deadline_ms. */
	void (*wait)(void *ctx, uint64_t deadline_ms);
	uint64_t (*now)(void *ctx);
	void *ctx;
};

struct xch {
	enum xch_state state;
	char name[XCH_NAME_MAX];
	uint32_t devid;
	uint16_t backend_id;
	char fe[48];              /* device/console/<N> */
	char be[XSW_PATH_MAX];    /* the backend's directory */
	uint32_t ref, port;
	int shared;               /* share() done */
	int backend_state;        /* last read, 0 if unknown */
	unsigned tx_conflicts;    /* EAGAINs seen publishing */
	unsigned reconnects;
	int said;                 /* our state for this step is written */
	int stale;                /* ring-ref/port may be an earlier frontend's */
	uint64_t restart_by;      /* a new backend instance: connect by then */
	const char *why;          /* what the last error was about */
};

/* Prepares c to find the channel `name` (truncated names fail later). */
int xch_init(struct xch *c, const char *name);

/* Lists device/console and returns the devid whose name is `name`,
 * -XC_ENOENT if there is none, or another error. */
long xch_find(struct xsw *xs, const struct xsw_io *io, const char *name,
	      uint64_t deadline_ms);

/* One transition. 0: progressed, call again; XCH_WAIT: waiting for the
 * backend or the channel; negative: error (c->why says what). */
int xch_step(struct xch *c, const struct xch_env *e, uint64_t deadline_ms);

/* Steps until c->state == goal or the deadline. -XC_ETIMEDOUT then. */
int xch_run(struct xch *c, const struct xch_env *e, enum xch_state goal,
	    uint64_t deadline_ms);

const char *xch_state_name(enum xch_state s);

#endif
