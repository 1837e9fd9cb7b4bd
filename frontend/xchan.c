/* xchan.c - see xchan.h. */
#include "xchan.h"

#include "../agent/xc_err.h"

static size_t xch_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Appends s to buf (cap), keeping a NUL; returns -XC_ENAMETOOLONG. */
static int xch_cat(char *buf, size_t cap, const char *s)
{
	size_t n = xch_strlen(buf), k = xch_strlen(s);

	if (n + k + 1 > cap)
		return -XC_ENAMETOOLONG;
	__builtin_memcpy(buf + n, s, k + 1);
	return 0;
}

static int xch_path(char *buf, size_t cap, const char *dir, const char *leaf)
{
	buf[0] = 0;
	if (xch_cat(buf, cap, dir) || xch_cat(buf, cap, "/") ||
	    xch_cat(buf, cap, leaf))
		return -XC_ENAMETOOLONG;
	return 0;
}

int xch_init(struct xch *c, const char *name)
{
	size_t n = xch_strlen(name);

	__builtin_memset(c, 0, sizeof *c);
	if (n == 0 || n >= sizeof c->name)
		return -XC_ENAMETOOLONG;
	__builtin_memcpy(c->name, name, n + 1);
	return 0;
}

long xch_find(struct xsw *xs, const struct xsw_io *io, const char *name,
	      uint64_t deadline_ms)
{
	char list[XCH_DIR_MAX], path[64], val[XCH_NAME_MAX + 1];
	long len, vlen;
	size_t off, k;
	uint32_t id;

	len = xsw_directory(xs, io, "device/console", list, sizeof list,
			    deadline_ms);
	if (len < 0)
		return len;
	for (off = 0; off < (size_t)len; off += k + 1) {
		const char *ent = list + off;

		k = xch_strlen(ent);
		if (xsw_parse_uint(ent, k, 0xffff, &id) < 0)
			continue; /* not a device id: not ours */
		if (xch_path(path, sizeof path, "device/console", ent) ||
		    xch_cat(path, sizeof path, "/name"))
			continue;
		vlen = xsw_read(xs, io, 0, path, val, sizeof val, deadline_ms);
		if (vlen == -XC_ENOENT || vlen == -XC_ENAMETOOLONG)
			continue;
		if (vlen < 0)
			return vlen;
		if ((size_t)vlen == xch_strlen(name) &&
		    !__builtin_memcmp(val, name, (size_t)vlen))
			return (long)id;
	}
	return -XC_ENOENT;
}

/* Reads a decimal node; -XC_ENOENT if absent. */
static long xch_read_uint(const struct xch_env *e, const char *dir,
			  const char *leaf, uint32_t max, uint64_t deadline)
{
	char path[XSW_PATH_MAX + 16], val[16];
	uint32_t v;
	long n;

	if (xch_path(path, sizeof path, dir, leaf))
		return -XC_ENAMETOOLONG;
	n = xsw_read(e->xs, e->io, 0, path, val, sizeof val, deadline);
	if (n < 0)
		return n;
	if (xsw_parse_uint(val, (size_t)n, max, &v) < 0)
		return -XC_EPROTO;
	return (long)v;
}

static int xch_write(const struct xch_env *e, uint32_t tx, const char *dir,
		     const char *leaf, uint32_t v, uint64_t deadline)
{
	char path[XSW_PATH_MAX + 16], val[16];

	if (xch_path(path, sizeof path, dir, leaf))
		return -XC_ENAMETOOLONG;
	xsw_fmt_uint(val, v);
	return xsw_write(e->xs, e->io, tx, path, val, deadline);
}

static void xch_rm(const struct xch_env *e, const char *dir,
		   const char *leaf, uint64_t deadline)
{
	char path[XSW_PATH_MAX + 16];

	if (!xch_path(path, sizeof path, dir, leaf))
		xsw_rm(e->xs, e->io, 0, path, deadline); /* absent is fine */
}

/* Reads the backend's state; a vanished backend counts as Closed. */
static int xch_backend_state(struct xch *c, const struct xch_env *e,
			     uint64_t deadline)
{
	long s = xch_read_uint(e, c->be, "state", 7, deadline);

	if (s == -XC_ENOENT || s == -XC_EPROTO)
		s = XCH_XB_CLOSED;
	if (s >= 0)
		c->backend_state = (int)s;
	return (int)s;
}

static int xch_publish(struct xch *c, const struct xch_env *e,
		       uint64_t deadline)
{
	uint32_t tx;
	int rc;

	rc = xsw_tx_start(e->xs, e->io, &tx, deadline);
	if (rc < 0)
		return rc;
	rc = xch_write(e, tx, c->fe, "ring-ref", c->ref, deadline);
	if (!rc)
		rc = xch_write(e, tx, c->fe, "port", c->port, deadline);
	if (!rc)
		rc = xch_write(e, tx, c->fe, "state", XCH_XB_INITIALISED,
			       deadline);
	if (rc < 0) {
		xsw_tx_end(e->xs, e->io, tx, false, deadline);
		return rc;
	}
	return xsw_tx_end(e->xs, e->io, tx, true, deadline);
}

static int xch_fail(struct xch *c, int rc, const char *why)
{
	c->why = why;
	return rc;
}

int xch_step(struct xch *c, const struct xch_env *e, uint64_t deadline)
{
	char val[XSW_PATH_MAX];
	long n;
	int rc, s;

	switch (c->state) {
	case XCH_FIND:
		n = xch_find(e->xs, e->io, c->name, deadline);
		if (n == -XC_ENOENT)
			return XCH_WAIT;
		if (n < 0)
			return xch_fail(c, (int)n, "listing device/console");
		c->devid = (uint32_t)n;
		c->fe[0] = 0;
		xsw_fmt_uint(val, c->devid);
		if (xch_path(c->fe, sizeof c->fe, "device/console", val))
			return xch_fail(c, -XC_ENAMETOOLONG, "device path");
		c->state = XCH_BACKEND;
		return 0;
	case XCH_BACKEND:
		n = xch_read_uint(e, c->fe, "backend-id", 0x7fef, deadline);
		if (n < 0)
			return xch_fail(c, (int)n, "reading backend-id");
		c->backend_id = (uint16_t)n;
		if (xch_path(val, sizeof val, c->fe, "backend"))
			return xch_fail(c, -XC_ENAMETOOLONG, "backend path");
		n = xsw_read(e->xs, e->io, 0, val, c->be, sizeof c->be,
			     deadline);
		if (n <= 0)
			return xch_fail(c, n ? (int)n : -XC_EPROTO,
					"reading backend");
		/* Watch the backend's state; the watch fires once now. */
		if (xch_path(val, sizeof val, c->be, "state"))
			return xch_fail(c, -XC_ENAMETOOLONG, "backend path");
		rc = xsw_watch(e->xs, e->io, val, "xch-be", deadline);
		if (rc < 0 && rc != -XC_EEXIST)
			return xch_fail(c, rc, "watching the backend");
		c->state = XCH_SHARE;
		return 0;
	case XCH_SHARE:
		if (!c->shared) {
			rc = e->share(e->ctx, c->backend_id, &c->ref, &c->port);
			if (rc < 0)
				return xch_fail(c, rc, "sharing the ring page");
			c->shared = 1;
		}
		/* A backend still connected to an earlier frontend (a
		 * previous agent, the kernel's hvc_xen) maps ring-ref only
		 * when it is reset: close it down first. */
		s = xch_backend_state(c, e, deadline);
		if (s < 0)
			return xch_fail(c, s, "reading the backend state");
		c->state = s <= XCH_XB_INITWAIT	 ? XCH_PUBLISH
			   : s == XCH_XB_CLOSED ? XCH_CLOSED
						: XCH_CLOSING;
		c->stale = c->state != XCH_PUBLISH;
		c->said = 0;
		return 0;
	case XCH_PUBLISH:
		rc = xch_publish(c, e, deadline);
		if (rc == -XC_EAGAIN) {
			if (++c->tx_conflicts >= XCH_TX_TRIES)
				return xch_fail(c, rc,
						"publishing ring-ref and port "
						"(transaction kept conflicting)");
			return 0;
		}
		if (rc < 0)
			return xch_fail(c, rc, "publishing ring-ref and port");
		c->tx_conflicts = 0;
		c->restart_by = 0;
		c->state = XCH_WAIT_BACKEND;
		return 0;
	case XCH_WAIT_BACKEND:
		s = xch_backend_state(c, e, deadline);
		if (s < 0)
			return xch_fail(c, s, "reading the backend state");
		if (s == XCH_XB_CONNECTED) {
			c->restart_by = 0;
			rc = xch_write(e, 0, c->fe, "state", XCH_XB_CONNECTED,
				       deadline);
			if (rc < 0)
				return xch_fail(c, rc, "writing our state");
			c->state = XCH_CONNECTED;
			return 0;
		}
		if (s >= XCH_XB_CLOSING ||
		    (c->restart_by && e->now(e->ctx) > c->restart_by)) {
			/* Closed, or a new backend that did not take our
			 * ring as it was: the full reset. */
			c->state = XCH_CLOSING;
			c->said = 0;
			return 0;
		}
		return XCH_WAIT;
	case XCH_CONNECTED:
		s = xch_backend_state(c, e, deadline);
		if (s < 0)
			return xch_fail(c, s, "reading the backend state");
		if (s >= XCH_XB_CLOSING) {
			c->state = XCH_CLOSING;
			c->said = 0;
			return 0;
		}
		if (s <= XCH_XB_INITWAIT) {
			/* A new backend instance (QEMU restarted and its state
			 * reset by the toolstack): it maps our ring-ref again
			 * since we are Connected. Give it XCH_RESTART_MS. */
			c->restart_by = e->now(e->ctx) + XCH_RESTART_MS;
			c->reconnects++;
			c->state = XCH_WAIT_BACKEND;
			return 0;
		}
		return XCH_WAIT;
	case XCH_CLOSING:
		/* We say Closing; once the backend closes too, Closed. */
		if (!c->said) {
			rc = xch_write(e, 0, c->fe, "state", XCH_XB_CLOSING,
				       deadline);
			if (rc < 0)
				return xch_fail(c, rc, "writing our state");
			c->said = 1;
		}
		s = xch_backend_state(c, e, deadline);
		if (s < 0)
			return xch_fail(c, s, "reading the backend state");
		if (s >= XCH_XB_CLOSING || s <= XCH_XB_INITWAIT) {
			rc = xch_write(e, 0, c->fe, "state", XCH_XB_CLOSED,
				       deadline);
			if (rc < 0)
				return xch_fail(c, rc, "writing our state");
			c->state = XCH_CLOSED;
			c->said = 0;
			return 0;
		}
		return XCH_WAIT;
	case XCH_CLOSED:
		s = xch_backend_state(c, e, deadline);
		if (s < 0)
			return xch_fail(c, s, "reading the backend state");
		if (s <= XCH_XB_INITWAIT) {
			/* A fresh backend: same page and port, the ring's
			 * indices carry on. */
			c->reconnects++;
			c->state = XCH_PUBLISH;
			return 0;
		}
		if (s == XCH_XB_CLOSED && !c->said) {
			/* Initialising asks a closed backend to reset
			 * (xenbus: Closed -> Initialising -> InitWait). A
			 * ring-ref and port left by an earlier frontend go
			 * first: a reset backend must not map those. */
			if (c->stale) {
				xch_rm(e, c->fe, "ring-ref", deadline);
				xch_rm(e, c->fe, "port", deadline);
				c->stale = 0;
			}
			rc = xch_write(e, 0, c->fe, "state",
				       XCH_XB_INITIALISING, deadline);
			if (rc < 0)
				return xch_fail(c, rc, "writing our state");
			c->said = 1;
		}
		return XCH_WAIT;
	}
	return xch_fail(c, -XC_EINVAL, "bad state");
}

int xch_run(struct xch *c, const struct xch_env *e, enum xch_state goal,
	    uint64_t deadline)
{
	uint64_t now, until;
	int rc;

	while (c->state != goal) {
		rc = xch_step(c, e, deadline);
		if (rc < 0)
			return rc;
		if (rc != XCH_WAIT)
			continue;
		now = e->now(e->ctx);
		if (now >= deadline)
			return xch_fail(c, -XC_ETIMEDOUT,
					c->state == XCH_FIND
						? "waiting for the channel"
						: "waiting for the backend");
		until = now + XCH_POLL_MS < deadline ? now + XCH_POLL_MS
						     : deadline;
		e->wait(e->ctx, until);
	}
	return 0;
}

const char *xch_state_name(enum xch_state s)
{
	switch (s) {
	case XCH_FIND:
		return "find";
	case XCH_BACKEND:
		return "backend";
	case XCH_SHARE:
		return "share";
	case XCH_PUBLISH:
		return "publish";
	case XCH_WAIT_BACKEND:
		return "wait-backend";
	case XCH_CONNECTED:
		return "connected";
	case XCH_CLOSING:
		return "closing";
	case XCH_CLOSED:
		return "closed";
	}
	return "?";
}
