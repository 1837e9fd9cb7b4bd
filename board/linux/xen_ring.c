/* xen_ring.c - the "ring" transport: our own Xen PV console frontend.
 *
 * Finds the channel by name in xenstore (frontend/xchan.c), shares a page
 * and an event channel with the backend (xen_dev.h), then moves bytes over
 * the ring (frontend/ring.c). The descriptor main.c polls is an epoll set
 * holding the event channel and the xenstore connection, so a notification
 * and a backend state change both wake the agent; event() sorts them out.
 * A 1 s timer in the same set makes a lost notification cost a delay, not
 * a hang.
 * See docs/XEN.md for when this transport is chosen.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "agent/xc_err.h"
#include "board/linux/log.h"
#include "board/linux/transport.h"
#include "board/linux/xen_dev.h"
#include "frontend/ring.h"
#include "frontend/xchan.h"
#include "frontend/xsw.h"

#define XRT_STEP_MS 2000 /* bound for xenstore work inside event() */

static struct xrt {
	struct xsw xs;
	struct xsw_io io;
	struct xch ch;
	struct xch_env env;
	struct xr_ring ring;
	struct xd_gnt gnt;
	struct xd_evtchn ev;
	int xb_fd, ep_fd;
	int tick_fd; /* periodic look at the ring: notifications get lost */
	int was_connected;
} xrt;

static long xrt_send(void *ctx, const void *p, size_t n)
{
	ssize_t w;

	do
		w = write(xrt.xb_fd, p, n);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	return (size_t)w == n ? (long)n : -XC_EIO;
}

/* Waits for xenstore bytes until deadline; 0 on timeout. */
static long xrt_recv(void *ctx, void *p, size_t n, uint64_t deadline)
{
	struct pollfd pfd = {.fd = xrt.xb_fd, .events = POLLIN};
	uint64_t now;
	ssize_t r;
	int rc;

	for (;;) {
		/* Looks at least once, even with the deadline passed. */
		now = xt_now_ms();
		rc = poll(&pfd, 1, now < deadline ? (int)(deadline - now) : 0);
		if (rc < 0 && errno != EINTR)
			return -errno;
		if (rc == 0 && now >= deadline)
			return 0;
		if (rc <= 0)
			continue;
		r = read(xrt.xb_fd, p, n);
		if (r > 0)
			return (long)r;
		if (r == 0)
			return -XC_EPIPE;
		if (errno != EINTR && errno != EAGAIN)
			return -errno;
	}
}

/* Takes whatever xenstore sent (watch events) without waiting. */
static void xrt_pump(uint64_t deadline)
{
	unsigned char buf[512];
	long n;

	while ((n = xrt_recv(0, buf, sizeof buf, deadline)) > 0) {
		if (xsw_input(&xrt.xs, buf, (size_t)n) < 0)
			return;
		deadline = xt_now_ms(); /* only what is already there */
	}
}

static void xrt_wait(void *ctx, uint64_t deadline)
{
	xrt_pump(deadline);
}

static uint64_t xrt_now(void *ctx)
{
	return xt_now_ms();
}

static int xrt_share(void *ctx, uint16_t domid, uint32_t *ref, uint32_t *port)
{
	int rc;

	rc = xd_gnt_share(&xrt.gnt, domid);
	if (rc < 0) {
		xlog(XLOG_ERR, "cannot share a page with domain %u: %s; load "
		     "xen-gntalloc (modprobe xen-gntalloc)", domid,
		     strerror(-rc));
		return rc;
	}
	rc = xd_evtchn_alloc(&xrt.ev, domid);
	if (rc < 0) {
		xlog(XLOG_ERR, "cannot allocate an event channel for domain "
		     "%u: %s; load xen-evtchn (modprobe xen-evtchn)", domid,
		     strerror(-rc));
		xd_gnt_end(&xrt.gnt);
		return rc;
	}
	xr_init(&xrt.ring, xrt.gnt.page, XR_FRONT);
	*ref = xrt.gnt.ref;
	*port = xrt.ev.port;
	return 0;
}

static int xrt_ring_error(long rc)
{
	xlog(XLOG_ERR, "the backend of channel %s broke the ring (indices "
	     "out of range): stopping; restart the channel's backend (or the "
	     "VM) and the agent", xrt.ch.name);
	return (int)rc;
}

static void xrt_notify(void)
{
	int rc = xd_evtchn_notify(&xrt.ev);

	if (rc < 0)
		xlog(XLOG_WARN, "notifying the backend failed: %s",
		     strerror(-rc));
}

static long xrt_read(struct xt *t, void *buf, size_t n)
{
	long r;

	if (xrt.ch.state != XCH_CONNECTED)
		return 0;
	r = xr_recv(&xrt.ring, buf, n);
	if (r < 0)
		return xrt_ring_error(r);
	if (r > 0)
		xrt_notify(); /* space freed: the backend may write more */
	return r;
}

static long xrt_write(struct xt *t, const void *buf, size_t n)
{
	long r;

	if (xrt.ch.state != XCH_CONNECTED)
		return 0;
	r = xr_send(&xrt.ring, buf, n);
	if (r < 0)
		return xrt_ring_error(r);
	if (r > 0)
		xrt_notify();
	return r;
}

/* Follows the backend's state after a xenstore watch fired. */
static int xrt_follow(void)
{
	uint64_t deadline = xt_now_ms() + XRT_STEP_MS;
	enum xch_state before;
	int rc, steps = 0;

	do {
		before = xrt.ch.state;
		rc = xch_step(&xrt.ch, &xrt.env, deadline);
		if (rc < 0) {
			xlog(XLOG_ERR, "channel %s: %s failed: %s",
			     xrt.ch.name, xrt.ch.why ? xrt.ch.why : "?",
			     strerror(-rc));
			return rc;
		}
		if (xrt.ch.state != before)
			xlog(XLOG_INFO, "channel %s: %s -> %s", xrt.ch.name,
			     xch_state_name(before),
			     xch_state_name(xrt.ch.state));
	} while (rc != XCH_WAIT && ++steps < 16);
	return 0;
}

static int xrt_event(struct xt *t)
{
	int rc;

	uint64_t ticks;

	xd_evtchn_consume(&xrt.ev);
	if (read(xrt.tick_fd, &ticks, sizeof ticks) < 0 && errno != EAGAIN)
		return -errno;
	xrt_pump(xt_now_ms());
	if (xrt.xs.err) {
		xlog(XLOG_ERR, "the xenstore connection broke: restart the "
		     "agent");
		return xrt.xs.err;
	}
	if (xrt.xs.have_event || xrt.ch.state != XCH_CONNECTED) {
		xrt.xs.have_event = false;
		rc = xrt_follow();
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int xrt_flushed(struct xt *t)
{
	long r;

	if (xrt.ch.state != XCH_CONNECTED)
		return 0;
	r = xr_tx_unread(&xrt.ring);
	return r < 0 ? (int)r : r > 0;
}

static void xrt_close(struct xt *t)
{
	uint64_t deadline = xt_now_ms() + 1000;

	if (xrt.ch.fe[0]) {
		char path[64];

		snprintf(path, sizeof path, "%s/state", xrt.ch.fe);
		xsw_write(&xrt.xs, &xrt.io, 0, path, "6", deadline);
	}
	xd_evtchn_close(&xrt.ev);
	xd_gnt_end(&xrt.gnt);
	if (xrt.ep_fd >= 0)
		close(xrt.ep_fd);
	if (xrt.tick_fd >= 0)
		close(xrt.tick_fd);
	xrt.tick_fd = -1;
	if (xrt.xb_fd >= 0)
		close(xrt.xb_fd);
	xrt.ep_fd = xrt.xb_fd = -1;
}

static const struct xt_ops xrt_ops = {
	.read = xrt_read,
	.write = xrt_write,
	.event = xrt_event,
	.flushed = xrt_flushed,
	.close = xrt_close,
};

/* The kernel's hvc_xen drives the console: step aside or take over. */
static int xrt_claim(const struct xt_opts *o, uint64_t deadline)
{
	long id;
	int rc;

	id = xch_find(&xrt.xs, &xrt.io, o->channel, deadline);
	if (id < 0)
		return 0; /* not there yet: xch_run waits for it */
	rc = xd_kernel_bound((uint32_t)id);
	if (rc <= 0)
		return 0;
	if (!o->unbind_hvc) {
		xlog(XLOG_ERR, "channel %s (console-%ld) is driven by the "
		     "kernel's hvc_xen: use --transport hvc, or --unbind-hvc "
		     "to take it over", o->channel, id);
		return -XC_EBUSY;
	}
	rc = xd_kernel_unbind((uint32_t)id);
	if (rc < 0) {
		xlog(XLOG_ERR, "cannot unbind console-%ld from hvc_xen: %s; "
		     "run as root with /sys mounted", id, strerror(-rc));
		return rc;
	}
	xlog(XLOG_INFO, "unbound console-%ld from the kernel's hvc_xen", id);
	/* Unbinding left the frontend Closed (6) with hvc_xen's ring-ref and
	 * port, and QEMU's backend follows it to Closed. xch_step() sees a
	 * backend that is not fresh: it removes those nodes, says
	 * Initialising, and publishes ours only once the backend is back in
	 * InitWait (seen on real Xen 4.17 with QEMU 7.2, tests/xen). */
	return 0;
}

int xt_open_ring(struct xt *t, const struct xt_opts *o)
{
	struct epoll_event ev = {.events = EPOLLIN};
	/* deadline_ms 0: one look (xt_open's auto), xenstore calls bounded;
	 * a channel that exists is still connected (backend wait bounded). */
	int look = o->deadline_ms == 0;
	uint64_t deadline = look ? xt_now_ms() + 5000 : o->deadline_ms;
	int rc;

	if (!xd_present())
		return -XC_ENOENT;
	memset(&xrt, 0, sizeof xrt);
	xrt.ep_fd = xrt.tick_fd = -1;
	xrt.ev.fd = xrt.gnt.fd = -1;
	xrt.xb_fd = xd_xenbus_open();
	if (xrt.xb_fd < 0) {
		xlog(XLOG_WARN, "Xen seen (%s) but xenstore cannot be opened: "
		     "%s; mount xenfs on /proc/xen or load xen-evtchn",
		     xd_where(), strerror(-xrt.xb_fd));
		return -XC_ENOENT;
	}
	xsw_init(&xrt.xs);
	xrt.io = (struct xsw_io){xrt_send, xrt_recv, 0};
	xrt.env = (struct xch_env){&xrt.xs, &xrt.io, xrt_share, xrt_wait,
				   xrt_now, 0};
	rc = xch_init(&xrt.ch, o->channel);
	if (rc < 0)
		goto fail;
	rc = xrt_claim(o, deadline);
	if (rc < 0)
		goto fail;
	if (look) {
		long id = xch_find(&xrt.xs, &xrt.io, o->channel, deadline);
		if (id < 0) {
			rc = id == -XC_ENOENT ? -XC_ENOENT : (int)id;
			goto fail;
		}
	}
	rc = xch_run(&xrt.ch, &xrt.env, XCH_CONNECTED, deadline);
	if (rc < 0) {
		if (rc == -XC_ETIMEDOUT && xrt.ch.state == XCH_FIND) {
			rc = -XC_ENOENT;
			xlog(XLOG_INFO, "no Xen channel named %s in "
			     "device/console", o->channel);
		} else {
			xlog(XLOG_ERR, "channel %s: %s failed: %s; check the "
			     "backend (xl console, the VM's channel config)",
			     o->channel, xrt.ch.why ? xrt.ch.why : "?",
			     strerror(-rc));
		}
		goto fail;
	}
	xrt.ep_fd = epoll_create1(EPOLL_CLOEXEC);
	ev.data.fd = xrt.ev.fd;
	if (xrt.ep_fd < 0 || epoll_ctl(xrt.ep_fd, EPOLL_CTL_ADD, xrt.ev.fd,
				       &ev) < 0) {
		rc = -errno;
		goto fail;
	}
	ev.data.fd = xrt.xb_fd;
	if (epoll_ctl(xrt.ep_fd, EPOLL_CTL_ADD, xrt.xb_fd, &ev) < 0) {
		rc = -errno;
		goto fail;
	}
	xrt.tick_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
							   TFD_CLOEXEC);
	ev.data.fd = xrt.tick_fd;
	if (xrt.tick_fd < 0 ||
	    timerfd_settime(xrt.tick_fd, 0,
			    &(struct itimerspec){{1, 0}, {1, 0}}, 0) < 0 ||
	    epoll_ctl(xrt.ep_fd, EPOLL_CTL_ADD, xrt.tick_fd, &ev) < 0) {
		rc = -errno;
		goto fail;
	}
	xlog(XLOG_INFO, "channel %s: ring connected (console-%u, backend "
	     "domain %u, ref %u, port %u)", o->channel, xrt.ch.devid,
	     xrt.ch.backend_id, xrt.ch.ref, xrt.ch.port);
	t->ops = &xrt_ops;
	t->fd = xrt.ep_fd;
	t->poll_in = POLLIN;
	t->poll_out = POLLIN; /* the backend notifies after it consumed */
	t->kind = "ring";
	snprintf(t->path, sizeof t->path, "%s", xrt.ch.fe);
	t->priv = &xrt;
	return 0;
fail:
	xrt_close(t);
	return rc;
}
