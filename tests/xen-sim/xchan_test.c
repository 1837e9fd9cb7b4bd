/* xchan_test.c - frontend/xchan.c against the simulation's xenstore
 * server (board/sim/xsd.c) in-process: discovery by name with multi-digit
 * ids, read-only nodes, the connect state machine, EAGAIN retries, the
 * backend closing and coming back, bounded waits. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "agent/xc_err.h"
#include "board/sim/xsd.h"
#include "frontend/xchan.h"
#include "frontend/xsr.h"
#include "frontend/xsw.h"
#include "t.h"

static struct xsd srv;
static struct xsd_conn *conn;
static struct xsw xs;
static uint64_t clock_ms;
static int shares;

static long io_send(void *ctx, const void *p, size_t n)
{
	return xsd_conn_input(conn, p, n) < 0 ? -XC_EPROTO : (long)n;
}

static long io_recv(void *ctx, void *p, size_t n, uint64_t deadline)
{
	size_t k = conn->out_len < n ? conn->out_len : n;

	if (!k)
		return 0;
	/* Hand replies over in small pieces to exercise reassembly. */
	if (k > 7)
		k = 7;
	memcpy(p, conn->out, k);
	xsd_conn_sent(conn, k);
	return (long)k;
}

static const struct xsw_io io = {io_send, io_recv, 0};

static int share(void *ctx, uint16_t domid, uint32_t *ref, uint32_t *port)
{
	shares++;
	*ref = 8;
	*port = 33;
	return domid == 0 ? 0 : -XC_EINVAL;
}

static void wait_fn(void *ctx, uint64_t deadline)
{
	unsigned char buf[64];

	while (io_recv(0, buf, sizeof buf, 0) > 0)
		;
	clock_ms = deadline;
}

static uint64_t now_fn(void *ctx)
{
	return clock_ms;
}

static const struct xch_env env = {&xs, &io, share, wait_fn, now_fn, 0};

/* Domain 5 with channels the way libxl writes them. */
static void setup(void)
{
	static const char *names[] = {"dummy", "other", "org.xenchan.agent.0"};
	static const int ids[] = {1, 3, 12};
	char p[128];
	int i;

	if (conn)
		xsd_conn_free(conn);
	xsd_free(&srv);
	xsd_init(&srv);
	xsd_write(&srv, "/local/domain/5", "");
	xsd_set_perm(&srv, "/local/domain/5", 5, 'n');
	xsd_write(&srv, "/local/domain/5/device/console", "");
	xsd_set_perm(&srv, "/local/domain/5/device/console", 5, 'n');
	xsd_write(&srv, "/local/domain/5/device/console/x", ""); /* junk */
	for (i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "/local/domain/5/device/console/%d",
			 ids[i]);
		xsd_write(&srv, p, "");
		xsd_set_perm(&srv, p, 5, 'r');
		snprintf(p, sizeof p, "/local/domain/5/device/console/%d/name",
			 ids[i]);
		xsd_write(&srv, p, names[i]);
		xsd_set_perm(&srv, p, 0, 'r');
		snprintf(p, sizeof p,
			 "/local/domain/5/device/console/%d/backend-id", ids[i]);
		xsd_write(&srv, p, "0");
		snprintf(p, sizeof p,
			 "/local/domain/5/device/console/%d/backend", ids[i]);
		xsd_write(&srv, p, ids[i] == 12 ? "/local/domain/0/backend/"
						  "console/5/12"
						: "/nowhere");
	}
	xsd_write(&srv, "/local/domain/0/backend/console/5/12/state", "2");
	conn = xsd_conn_new(&srv, 5);
	xsw_init(&xs);
	clock_ms = 0;
	shares = 0;
}

static const char *fe(const char *leaf)
{
	static char p[128];

	snprintf(p, sizeof p, "/local/domain/5/device/console/12/%s", leaf);
	return xsd_read(&srv, p);
}

static void be_state(const char *v)
{
	xsd_write(&srv, "/local/domain/0/backend/console/5/12/state", v);
}

static void t_find(void)
{
	setup();
	T_CHECK(xch_find(&xs, &io, "org.xenchan.agent.0", 1) == 12);
	T_CHECK(xch_find(&xs, &io, "dummy", 1) == 1);
	T_CHECK(xch_find(&xs, &io, "org.xenchan.agent", 1) == -XC_ENOENT);
	T_CHECK(xch_find(&xs, &io, "org.xenchan.agent.00", 1) == -XC_ENOENT);
	/* No device/console at all. */
	xsd_rm(&srv, "/local/domain/5/device");
	T_CHECK(xch_find(&xs, &io, "dummy", 1) == -XC_ENOENT);
}

static void t_read_only(void)
{
	setup();
	T_CHECK(xsw_write(&xs, &io, 0, "device/console/12/name", "evil", 1) ==
		-XC_EACCES);
	T_CHECK(!strcmp(fe("name"), "org.xenchan.agent.0"));
	T_CHECK(xsw_write(&xs, &io, 0, "device/console/12/ring-ref", "1",
			  1) == 0);
	T_CHECK(xsw_read(&xs, &io, 0, "/local/domain/6/x", 0, 0, 1) ==
		-XC_ENOENT);
}

static void t_connect(void)
{
	int rc;

	setup();
	T_CHECK(xch_init(&(struct xch){0}, "") == -XC_ENAMETOOLONG);
	struct xch c;
	T_CHECK(xch_init(&c, "org.xenchan.agent.0") == 0);
	rc = xch_run(&c, &env, XCH_WAIT_BACKEND, 1000);
	T_CHECK(rc == 0);
	T_CHECK(c.devid == 12 && c.backend_id == 0 && shares == 1);
	T_CHECK(fe("ring-ref") && !strcmp(fe("ring-ref"), "8"));
	T_CHECK(fe("port") && !strcmp(fe("port"), "33"));
	T_CHECK(fe("state") && !strcmp(fe("state"), "3"));
	T_CHECK(xch_step(&c, &env, 1000) == XCH_WAIT);
	be_state("4");
	T_CHECK(xch_run(&c, &env, XCH_CONNECTED, 1000) == 0);
	T_CHECK(!strcmp(fe("state"), "4"));
	T_CHECK(xch_step(&c, &env, 1000) == XCH_WAIT);
	/* The backend closes: we follow, then reset it and reconnect. */
	be_state("5");
	T_CHECK(xch_step(&c, &env, 1000) == 0 && c.state == XCH_CLOSING);
	T_CHECK(xch_step(&c, &env, 1000) == 0 && c.state == XCH_CLOSED);
	T_CHECK(!strcmp(fe("state"), "6"));
	T_CHECK(xch_step(&c, &env, 1000) == XCH_WAIT);
	T_CHECK(!strcmp(fe("state"), "6")); /* no reset while it closes */
	be_state("6");
	T_CHECK(xch_step(&c, &env, 1000) == XCH_WAIT);
	T_CHECK(!strcmp(fe("state"), "1")); /* Initialising: reset please */
	be_state("2");
	xsd_rm(&srv, "/local/domain/5/device/console/12/ring-ref");
	T_CHECK(xch_run(&c, &env, XCH_WAIT_BACKEND, 1000) == 0);
	T_CHECK(c.reconnects == 1 && shares == 1);
	T_CHECK(fe("ring-ref") && !strcmp(fe("ring-ref"), "8"));
	T_CHECK(!strcmp(fe("state"), "3"));
	be_state("4");
	T_CHECK(xch_run(&c, &env, XCH_CONNECTED, 1000) == 0);
	/* The backend vanishes altogether. */
	xsd_rm(&srv, "/local/domain/0/backend/console/5/12");
	T_CHECK(xch_run(&c, &env, XCH_CLOSED, 1000) == 0);
}

/* The backend still serves an earlier frontend (a previous agent, the
 * kernel's hvc_xen before it was unbound): close it, reset it, publish. */
static void t_stale_backend(void)
{
	struct xch c;

	setup();
	be_state("4");
	xsd_write(&srv, "/local/domain/5/device/console/12/ring-ref", "77");
	xsd_write(&srv, "/local/domain/5/device/console/12/port", "9");
	xch_init(&c, "org.xenchan.agent.0");
	T_CHECK(xch_run(&c, &env, XCH_CLOSING, 1000) == 0);
	T_CHECK(xch_step(&c, &env, 1000) == XCH_WAIT);
	T_CHECK(!strcmp(fe("state"), "5"));
	be_state("5");
	T_CHECK(xch_run(&c, &env, XCH_CLOSED, 1000) == 0);
	T_CHECK(!strcmp(fe("state"), "6"));
	be_state("6");
	T_CHECK(xch_step(&c, &env, 1000) == XCH_WAIT);
	T_CHECK(!strcmp(fe("state"), "1"));
	/* The earlier frontend's ring is gone before the reset. */
	T_CHECK(fe("ring-ref") == NULL && fe("port") == NULL);
	be_state("2");
	T_CHECK(xch_run(&c, &env, XCH_WAIT_BACKEND, 1000) == 0);
	T_CHECK(!strcmp(fe("state"), "3") && !strcmp(fe("port"), "33"));
	/* A closed backend at the start goes straight to the reset. */
	setup();
	be_state("6");
	xch_init(&c, "org.xenchan.agent.0");
	T_CHECK(xch_run(&c, &env, XCH_CLOSED, 1000) == 0);
	T_CHECK(xch_step(&c, &env, 1000) == XCH_WAIT);
	T_CHECK(!strcmp(fe("state"), "1"));
}

/* The unikernel path: the same client over the xenstore ring page
 * (struct xenstore_domain_interface) instead of a byte stream. The
 * "server" moves bytes between the page and the xenstore server. */
static struct xsr_page xring;

static void ring_server(void)
{
	unsigned char buf[256];
	long n;

	while ((n = xsr_srv_get(&xring, buf, sizeof buf)) > 0)
		xsd_conn_input(conn, buf, (size_t)n);
	while (conn->out_len &&
	       (n = xsr_srv_put(&xring, conn->out, conn->out_len)) > 0)
		xsd_conn_sent(conn, (size_t)n);
}

static long ring_send(void *ctx, const void *p, size_t n)
{
	size_t off = 0;
	long k;

	while (off < n) {
		k = xsr_put(&xring, (const char *)p + off, n - off);
		if (k < 0)
			return k;
		off += (size_t)k;
		ring_server(); /* the event channel kick */
	}
	return (long)n;
}

static long ring_recv(void *ctx, void *p, size_t n, uint64_t deadline)
{
	ring_server();
	return xsr_get(&xring, p, n);
}

static void t_xenstore_ring(void)
{
	static const struct xsw_io rio = {ring_send, ring_recv, 0};
	char big[3000];
	long n;

	setup();
	memset(&xring, 0, sizeof xring);
	xring.req_prod = xring.req_cons = 0xfffffe00u; /* wraps soon */
	xring.rsp_prod = xring.rsp_cons = 0xffffff00u;
	T_CHECK(xch_find(&xs, &rio, "org.xenchan.agent.0", 1) == 12);
	/* Messages larger than the 1 KiB rings, both ways. */
	memset(big, 'v', sizeof big - 1);
	big[sizeof big - 1] = 0;
	T_CHECK(xsw_write(&xs, &rio, 0, "data/big", big, 1) == 0);
	n = xsw_read(&xs, &rio, 0, "data/big", big, sizeof big, 1);
	T_CHECK(n == (long)sizeof big - 1 && big[0] == 'v' && big[n - 1] == 'v');
	T_CHECK(xsw_write(&xs, &rio, 0, "device/console/12/name", "x", 1) ==
		-XC_EACCES);
	/* A server index out of range is an error, not an overrun. */
	xring.rsp_prod = xring.rsp_cons + 5000;
	T_CHECK(xsw_read(&xs, &rio, 0, "data/big", big, sizeof big, 1) ==
		-XC_EPROTO);
}

static void t_backend_instance(void)
{
	struct xch c;

	setup();
	xch_init(&c, "org.xenchan.agent.0");
	T_CHECK(xch_run(&c, &env, XCH_WAIT_BACKEND, 1000) == 0);
	be_state("4");
	T_CHECK(xch_run(&c, &env, XCH_CONNECTED, 1000) == 0);
	/* A new backend instance (QEMU killed, restarted, its state reset):
	 * it takes our ring as it is; we only wait for it. */
	be_state("1");
	T_CHECK(xch_step(&c, &env, 1000) == 0 && c.state == XCH_WAIT_BACKEND);
	T_CHECK(!strcmp(fe("state"), "4") && !strcmp(fe("ring-ref"), "8"));
	be_state("4");
	T_CHECK(xch_step(&c, &env, 1000) == 0 && c.state == XCH_CONNECTED);
	T_CHECK(c.reconnects == 1 && shares == 1);
	/* One that does not take it within XCH_RESTART_MS: full reset. */
	be_state("2");
	T_CHECK(xch_step(&c, &env, 1000) == 0 && c.state == XCH_WAIT_BACKEND);
	T_CHECK(xch_step(&c, &env, 1000) == XCH_WAIT);
	clock_ms += XCH_RESTART_MS + 1;
	T_CHECK(xch_step(&c, &env, 1000 + clock_ms) == 0 &&
		c.state == XCH_CLOSING);
	T_CHECK(xch_run(&c, &env, XCH_CONNECTED, 10000 + clock_ms) ==
		-XC_ETIMEDOUT); /* the backend never moves here */
}

static void t_tx_eagain(void)
{
	struct xch c;

	setup();
	xch_init(&c, "org.xenchan.agent.0");
	srv.fail_tx_end = 3;
	T_CHECK(xch_run(&c, &env, XCH_WAIT_BACKEND, 1000) == 0);
	T_CHECK(srv.tx_conflicts == 3 && srv.tx_commits == 1);
	T_CHECK(fe("port") && !strcmp(fe("port"), "33"));
	/* Always conflicting: a clear error after XCH_TX_TRIES, and nothing
	 * was written. */
	setup();
	xch_init(&c, "org.xenchan.agent.0");
	srv.fail_tx_end = 1000;
	T_CHECK(xch_run(&c, &env, XCH_WAIT_BACKEND, 1000) == -XC_EAGAIN);
	T_CHECK(c.why && strstr(c.why, "conflict"));
	T_CHECK(srv.tx_conflicts == XCH_TX_TRIES);
	T_CHECK(fe("ring-ref") == NULL && fe("port") == NULL);
}

static void t_real_conflict(void)
{
	uint32_t tx;

	setup();
	/* A transaction that read a node someone else then changed. */
	T_CHECK(xsw_tx_start(&xs, &io, &tx, 1) == 0);
	char v[64];
	T_CHECK(xsw_read(&xs, &io, tx, "device/console/12/name", v, sizeof v,
			 1) == 19);
	xsw_write(&xs, &io, tx, "device/console/12/port", "1", 1);
	xsd_write(&srv, "/local/domain/5/device/console/12/port", "2");
	T_CHECK(xsw_tx_end(&xs, &io, tx, true, 1) == -XC_EAGAIN);
	T_CHECK(!strcmp(fe("port"), "2"));
}

static void t_bounded(void)
{
	struct xch c;

	setup();
	xch_init(&c, "org.xenchan.agent.0");
	T_CHECK(xch_run(&c, &env, XCH_CONNECTED, 5000) == -XC_ETIMEDOUT);
	T_CHECK(c.state == XCH_WAIT_BACKEND && clock_ms == 5000);
	xch_init(&c, "no.such.channel");
	clock_ms = 0;
	T_CHECK(xch_run(&c, &env, XCH_CONNECTED, 3000) == -XC_ETIMEDOUT);
	T_CHECK(c.state == XCH_FIND);
	/* A backend in another domain: share() refuses it here. */
	setup();
	xsd_write(&srv, "/local/domain/5/device/console/12/backend-id", "7");
	xch_init(&c, "org.xenchan.agent.0");
	T_CHECK(xch_run(&c, &env, XCH_CONNECTED, 3000) == -XC_EINVAL);
	xsd_write(&srv, "/local/domain/5/device/console/12/backend-id", "x7");
	xch_init(&c, "org.xenchan.agent.0");
	T_CHECK(xch_run(&c, &env, XCH_CONNECTED, 3000) == -XC_EPROTO);
}

int main(void)
{
	static const struct t_case cases[] = {
		{"find-by-name", t_find},
		{"read-only-nodes", t_read_only},
		{"connect-close-reconnect", t_connect},
		{"stale-backend", t_stale_backend},
		{"backend-new-instance", t_backend_instance},
		{"xenstore-ring-page", t_xenstore_ring},
		{"transaction-eagain", t_tx_eagain},
		{"transaction-conflict", t_real_conflict},
		{"bounded-waits", t_bounded},
	};

	int rc = t_run("xen-sim-xchan", cases, sizeof cases / sizeof cases[0]);

	xsd_conn_free(conn);
	xsd_free(&srv);
	return rc;
}
