/* xensim.c - a simulated Xen on one Linux host, for tests and benches.
 *
 *   xensim daemon DIR     run the hypervisor, xenstored and backends;
 *                         DIR gets xenbus.sock, hyp.sock and ctl.sock
 *   xensim ctl DIR CMD... one command to a running daemon (exit 0 on "ok")
 *
 * Commands (ctl):
 *   create DOM [--xl debian|fixed] NAME=SOCKET...
 *       the toolstack: writes the nodes libxl writes for a PV domain with
 *       these channels and starts a QEMU-like backend for each. Debian's
 *       xl (the default here) drops the first channel; "fixed" numbers
 *       channel k as device/console/k+1.
 *   destroy DOM | read PATH | write PATH VALUE | rm PATH
 *   fault DOM DEVID lose N|dup N|late MS|slow MS|drop N|corrupt|restart MS
 *   fault xs tx-eagain N
 *   stats DOM DEVID      bytes and notifications of a channel's backend
 *
 * Grants are 4096-byte memfds handed out over hyp.sock; event channels are
 * eventfd pairs (simhyp.h). Simulation code: glibc, heap, not the agent.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "board/sim/simhyp.h"
#include "board/sim/xbe.h"
#include "board/sim/xsd.h"

#define MAX_CONNS 64
#define MAX_BE 16
#define MAX_GNT 256
#define MAX_EVT 256

struct gnt {
	int live, owner, grantee, fd;
	uint32_t ref;
};

struct evt {
	int live, dom, remote, bound;
	uint32_t port, rport;
	int fd_dom, fd_remote; /* eventfds read by dom / by remote */
};

enum conn_kind { C_XENBUS = 1, C_HYP, C_CTL };

struct conn {
	enum conn_kind kind;
	int fd, domid, have_pre;
	unsigned char pre[4];
	struct xsd_conn *xc;
	char line[1024];
	size_t llen;
};

static struct xsd store;
static struct gnt gnts[MAX_GNT];
static struct evt evts[MAX_EVT];
static struct xbe *bes[MAX_BE];
static struct conn conns[MAX_CONNS];
static uint32_t next_ref = 8, next_port[1024];
static int lfd[3], quit;

uint64_t sim_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint32_t alloc_port(int dom)
{
	uint32_t *n = &next_port[dom & 1023];

	if (*n == 0)
		*n = 1;
	return (*n)++;
}

int sim_gnt_map(int caller, int owner, uint32_t ref)
{
	int i;

	for (i = 0; i < MAX_GNT; i++)
		if (gnts[i].live && gnts[i].owner == owner &&
		    gnts[i].ref == ref && gnts[i].grantee == caller)
			return dup(gnts[i].fd);
	return -EPERM;
}

static int gnt_share(int owner, int grantee, uint32_t *ref)
{
	int i, fd;

	for (i = 0; i < MAX_GNT && gnts[i].live; i++)
		;
	if (i == MAX_GNT)
		return -ENOSPC;
	fd = memfd_create("xensim-grant", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, SH_PAGE) < 0)
		return -errno;
	gnts[i] = (struct gnt){1, owner, grantee, fd, next_ref++};
	*ref = gnts[i].ref;
	return dup(fd);
}

static void gnt_end(int owner, uint32_t ref)
{
	int i;

	/* The page lives on in whoever mapped it, as with gntalloc. */
	for (i = 0; i < MAX_GNT; i++)
		if (gnts[i].live && gnts[i].owner == owner &&
		    gnts[i].ref == ref) {
			close(gnts[i].fd);
			gnts[i].live = 0;
		}
}

static int evt_alloc(int dom, int remote, uint32_t *port, int fds[2])
{
	int i;

	for (i = 0; i < MAX_EVT && evts[i].live; i++)
		;
	if (i == MAX_EVT)
		return -ENOSPC;
	evts[i] = (struct evt){1, dom, remote, 0, alloc_port(dom), 0,
			       eventfd(0, EFD_CLOEXEC),
			       eventfd(0, EFD_CLOEXEC)};
	*port = evts[i].port;
	fds[0] = dup(evts[i].fd_dom);
	fds[1] = dup(evts[i].fd_remote);
	return 0;
}

int sim_evt_bind(int caller, int remote, uint32_t rport, uint32_t *port,
		 int fds[2])
{
	int i;

	for (i = 0; i < MAX_EVT; i++) {
		struct evt *e = &evts[i];

		if (!e->live || e->dom != remote || e->port != rport ||
		    e->remote != caller)
			continue;
		/* A restarted backend binds the same port again. */
		e->bound = 1;
		e->rport = *port = alloc_port(caller);
		fds[0] = dup(e->fd_remote);
		fds[1] = dup(e->fd_dom);
		return 0;
	}
	return -EINVAL;
}

static void on_change(struct xsd *s, const char *path, void *ctx)
{
	int i;

	for (i = 0; i < MAX_BE; i++)
		if (bes[i])
			xbe_changed(bes[i], path);
}

static int listen_on(const char *dir, const char *leaf, int type)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd;

	snprintf(a.sun_path, sizeof a.sun_path, "%s/%s", dir, leaf);
	unlink(a.sun_path);
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(fd, 16) < 0) {
		perror(a.sun_path);
		exit(1);
	}
	return fd;
}

static void reply_fds(int fd, int rc, uint32_t v, const int *fds, int nfd)
{
	struct sh_rep r = {rc, v};
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = {&r, sizeof r};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;
	int i;

	if (rc >= 0 && nfd) {
		m.msg_control = cbuf;
		m.msg_controllen = CMSG_SPACE(nfd * sizeof(int));
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfd * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfd * sizeof(int));
	}
	sendmsg(fd, &m, MSG_NOSIGNAL);
	for (i = 0; rc >= 0 && i < nfd; i++)
		close(fds[i]);
}

static void hyp_call(struct conn *c)
{
	struct sh_req q;
	int fds[2], rc;
	uint32_t v = 0;

	if (read(c->fd, &q, sizeof q) != sizeof q) {
		close(c->fd);
		c->kind = 0;
		return;
	}
	switch (q.op) {
	case SH_HELLO:
		c->domid = (int)q.a;
		return reply_fds(c->fd, 0, 0, 0, 0);
	case SH_GNT_SHARE:
		rc = gnt_share(c->domid, (int)q.a, &v);
		fds[0] = rc;
		return reply_fds(c->fd, rc < 0 ? rc : 0, v, fds, 1);
	case SH_GNT_MAP:
		rc = sim_gnt_map(c->domid, (int)q.a, q.b);
		fds[0] = rc;
		return reply_fds(c->fd, rc < 0 ? rc : 0, 0, fds, 1);
	case SH_GNT_END:
		gnt_end(c->domid, q.b);
		return reply_fds(c->fd, 0, 0, 0, 0);
	case SH_EVT_ALLOC:
		rc = evt_alloc(c->domid, (int)q.a, &v, fds);
		return reply_fds(c->fd, rc, v, fds, 2);
	case SH_EVT_BIND:
		rc = sim_evt_bind(c->domid, (int)q.a, q.b, &v, fds);
		return reply_fds(c->fd, rc, v, fds, 2);
	}
	reply_fds(c->fd, -ENOSYS, 0, 0, 0);
}


/* ---- the control socket: toolstack, inspection, faults ---- */

static void node(const char *path, const char *val, int owner, char perm)
{
	xsd_write(&store, path, val);
	xsd_set_perm(&store, path, owner, perm);
}

static struct xbe *find_be(int dom, int devid)
{
	int i;

	for (i = 0; i < MAX_BE; i++)
		if (bes[i] && bes[i]->dom == dom && bes[i]->devid == devid)
			return bes[i];
	return 0;
}

/* The nodes libxl writes for channel `name` as device/console/<devid>. */
static int add_channel(int dom, int devid, const char *name,
		       const char *sock, char *out, size_t cap)
{
	char fe[128], be[128], p[256];
	int i;

	snprintf(fe, sizeof fe, "/local/domain/%d/device/console/%d", dom,
		 devid);
	snprintf(be, sizeof be, "/local/domain/0/backend/console/%d/%d", dom,
		 devid);
	node(be, "", 0, 'r');
#define BE(leaf, v) (snprintf(p, sizeof p, "%s/%s", be, leaf), \
		     node(p, v, 0, 'r'))
	BE("frontend", fe);
	snprintf(p + 200, 56, "%d", dom);
	BE("frontend-id", p + 200);
	BE("online", "1");
	BE("state", "1");
	BE("protocol", "vt100");
	BE("name", name);
	BE("connection", "socket");
	BE("path", sock);
#undef BE
	node(fe, "", dom, 'r');
#define FE(leaf, v, o) (snprintf(p, sizeof p, "%s/%s", fe, leaf), \
			node(p, v, o, o ? 'r' : 'r'))
	FE("backend", be, dom);
	FE("backend-id", "0", dom);
	FE("state", "1", dom);
	FE("protocol", "vt100", dom);
	FE("name", name, 0);
	FE("limit", "1048576", 0);
	FE("type", "ioemu", 0);
	FE("output", "", 0);
	FE("tty", "", 0);
#undef FE
	for (i = 0; i < MAX_BE && bes[i]; i++)
		;
	if (i == MAX_BE)
		return snprintf(out, cap, "error too many channels\n");
	bes[i] = calloc(1, sizeof *bes[i]);
	if (xbe_init(bes[i], &store, dom, devid, sock, 1048576) < 0) {
		xbe_fini(bes[i]);
		free(bes[i]);
		bes[i] = 0;
		return snprintf(out, cap, "error cannot listen on %s\n", sock);
	}
	return 0;
}

static int do_create(int argc, char **argv, char *out, size_t cap)
{
	int dom, i, devid = 1, debian = 1, first = 1;
	char p[128];

	if (argc < 2)
		return snprintf(out, cap, "error usage: create DOM ...\n");
	dom = atoi(argv[1]);
	snprintf(p, sizeof p, "/local/domain/%d", dom);
	node(p, "", dom, 'n');
	snprintf(p, sizeof p, "/local/domain/%d/name", dom);
	node(p, "guest", dom, 'n');
	snprintf(p, sizeof p, "/local/domain/%d/device", dom);
	node(p, "", dom, 'n');
	snprintf(p, sizeof p, "/local/domain/%d/device/console", dom);
	node(p, "", dom, 'n');
	for (i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!strcmp(argv[i], "--xl") && i + 1 < argc) {
			debian = !strcmp(argv[++i], "debian");
			continue;
		}
		if (!eq)
			return snprintf(out, cap, "error bad channel %s\n",
					argv[i]);
		*eq = 0;
		if (first && debian) {
			/* Debian's xl: devid 0, "Primary console has
			 * invalid configuration", dropped. */
			first = 0;
			continue;
		}
		first = 0;
		if (add_channel(dom, devid++, argv[i], eq + 1, out, cap))
			return (int)strlen(out);
	}
	return snprintf(out, cap, "ok\n");
}

static int do_fault(int argc, char **argv, char *out, size_t cap)
{
	struct xbe *b;
	int v;

	if (argc >= 4 && !strcmp(argv[1], "xs") &&
	    !strcmp(argv[2], "tx-eagain")) {
		store.fail_tx_end = atoi(argv[3]);
		return snprintf(out, cap, "ok\n");
	}
	if (argc < 4 || !(b = find_be(atoi(argv[1]), atoi(argv[2]))))
		return snprintf(out, cap, "error no such channel\n");
	v = argc > 4 ? atoi(argv[4]) : 0;
	if (!strcmp(argv[3], "lose"))
		b->lose = v;
	else if (!strcmp(argv[3], "dup"))
		b->dup = v;
	else if (!strcmp(argv[3], "late"))
		b->late_ms = v;
	else if (!strcmp(argv[3], "slow"))
		b->slow_ms = v;
	else if (!strcmp(argv[3], "drop"))
		b->drop = v;
	else if (!strcmp(argv[3], "corrupt"))
		xbe_corrupt(b);
	else if (!strcmp(argv[3], "restart"))
		xbe_restart(b, v ? v : 300);
	else
		return snprintf(out, cap, "error unknown fault %s\n", argv[3]);
	return snprintf(out, cap, "ok\n");
}

static int do_cmd(int argc, char **argv, char *out, size_t cap)
{
	struct xbe *b;
	const char *v;
	int i;

	if (!argc)
		return snprintf(out, cap, "error empty command\n");
	if (!strcmp(argv[0], "create"))
		return do_create(argc, argv, out, cap);
	if (!strcmp(argv[0], "fault"))
		return do_fault(argc, argv, out, cap);
	if (!strcmp(argv[0], "read") && argc == 2) {
		v = xsd_read(&store, argv[1]);
		return v ? snprintf(out, cap, "ok %s\n", v)
			 : snprintf(out, cap, "error ENOENT\n");
	}
	if (!strcmp(argv[0], "write") && argc >= 2) {
		xsd_write(&store, argv[1], argc > 2 ? argv[2] : "");
		return snprintf(out, cap, "ok\n");
	}
	if (!strcmp(argv[0], "rm") && argc == 2)
		return snprintf(out, cap, xsd_rm(&store, argv[1]) ? "error\n"
								   : "ok\n");
	if (!strcmp(argv[0], "stats") && argc == 3) {
		b = find_be(atoi(argv[1]), atoi(argv[2]));
		if (!b)
			return snprintf(out, cap, "error no such channel\n");
		return snprintf(out, cap,
				"ok connected=%d connects=%u to_host=%llu "
				"to_guest=%llu notify_in=%llu notify_out=%llu "
				"dropped=%llu buffered=%zu\n",
				b->connected, b->st.connects,
				(unsigned long long)b->st.to_host,
				(unsigned long long)b->st.to_guest,
				(unsigned long long)b->st.notify_in,
				(unsigned long long)b->st.notify_out,
				(unsigned long long)b->st.dropped, b->olen);
	}
	if (!strcmp(argv[0], "destroy") && argc == 2) {
		char p[64];

		for (i = 0; i < MAX_BE; i++)
			if (bes[i] && bes[i]->dom == atoi(argv[1])) {
				xbe_fini(bes[i]);
				free(bes[i]);
				bes[i] = 0;
			}
		snprintf(p, sizeof p, "/local/domain/%d", atoi(argv[1]));
		xsd_rm(&store, p);
		snprintf(p, sizeof p, "/local/domain/0/backend/console/%d",
			 atoi(argv[1]));
		xsd_rm(&store, p);
		return snprintf(out, cap, "ok\n");
	}
	if (!strcmp(argv[0], "quit")) {
		quit = 1;
		return snprintf(out, cap, "ok\n");
	}
	return snprintf(out, cap, "error unknown command %s\n", argv[0]);
}

static void ctl_input(struct conn *c)
{
	char out[1024], *argv[32], *nl, *tok;
	ssize_t r = read(c->fd, c->line + c->llen, sizeof c->line - 1 - c->llen);
	int argc = 0, n;

	if (r <= 0) {
		close(c->fd);
		c->kind = 0;
		return;
	}
	c->llen += (size_t)r;
	c->line[c->llen] = 0;
	nl = strchr(c->line, '\n');
	if (!nl && c->llen < sizeof c->line - 1)
		return;
	if (nl)
		*nl = 0;
	for (tok = strtok(c->line, " "); tok && argc < 32;
	     tok = strtok(0, " "))
		argv[argc++] = tok;
	n = do_cmd(argc, argv, out, sizeof out);
	if (write(c->fd, out, (size_t)n) < 0)
		perror("xensim: ctl");
	close(c->fd);
	c->kind = 0;
}

static struct conn *new_conn(enum conn_kind k, int fd)
{
	int i;

	for (i = 0; i < MAX_CONNS; i++)
		if (!conns[i].kind) {
			memset(&conns[i], 0, sizeof conns[i]);
			conns[i].kind = k;
			conns[i].fd = fd;
			return &conns[i];
		}
	close(fd);
	return 0;
}

static void conn_close(struct conn *c)
{
	if (c->xc)
		xsd_conn_free(c->xc);
	close(c->fd);
	c->kind = 0;
	c->xc = 0;
}

static void xenbus_input(struct conn *c)
{
	unsigned char buf[4096];
	ssize_t n = read(c->fd, buf, sizeof buf), off = 0;

	if (n <= 0)
		return conn_close(c);
	while (!c->have_pre && off < n) {
		c->pre[c->llen++] = buf[off++];
		if (c->llen == 4) {
			memcpy(&c->domid, c->pre, 4);
			c->have_pre = 1;
			c->xc = xsd_conn_new(&store, c->domid);
		}
	}
	if (off < n && xsd_conn_input(c->xc, buf + off, (size_t)(n - off)) < 0)
		conn_close(c);
}

static void flush_xenbus(void)
{
	int i;

	for (i = 0; i < MAX_CONNS; i++) {
		struct conn *c = &conns[i];
		ssize_t w;

		if (c->kind != C_XENBUS || !c->xc || !c->xc->out_len)
			continue;
		w = send(c->fd, c->xc->out, c->xc->out_len, MSG_NOSIGNAL);
		if (w > 0)
			xsd_conn_sent(c->xc, (size_t)w);
	}
}

static int daemon_main(const char *dir)
{
	struct pollfd p[MAX_CONNS + 3 * MAX_BE + 3];
	int owner[MAX_CONNS + 3 * MAX_BE + 3];
	int i, n, k, timeout;

	signal(SIGPIPE, SIG_IGN);
	xsd_init(&store);
	store.on_change = on_change;
	lfd[0] = listen_on(dir, "xenbus.sock", SOCK_STREAM);
	lfd[1] = listen_on(dir, "hyp.sock", SOCK_SEQPACKET);
	lfd[2] = listen_on(dir, "ctl.sock", SOCK_STREAM);
	while (!quit) {
		flush_xenbus();
		n = 0;
		for (i = 0; i < 3; i++) {
			owner[n] = -1 - i;
			p[n++] = (struct pollfd){.fd = lfd[i], .events = POLLIN};
		}
		for (i = 0; i < MAX_CONNS; i++)
			if (conns[i].kind) {
				owner[n] = i;
				p[n++] = (struct pollfd){
					.fd = conns[i].fd,
					.events = (short)(POLLIN |
					    (conns[i].xc && conns[i].xc->out_len
						 ? POLLOUT : 0))};
			}
		timeout = 1000;
		for (i = 0; i < MAX_BE; i++) {
			int t;

			if (!bes[i])
				continue;
			k = xbe_pollfds(bes[i], p + n);
			while (k--)
				owner[n++] = 1000 + i;
			t = xbe_timeout(bes[i]);
			if (t >= 0 && t < timeout)
				timeout = t;
		}
		if (poll(p, (nfds_t)n, timeout) < 0 && errno != EINTR)
			return 1;
		for (i = 0; i < n; i++) {
			if (!p[i].revents || owner[i] >= 1000)
				continue;
			if (owner[i] < 0) {
				int fd = accept4(p[i].fd, 0, 0, SOCK_CLOEXEC);
				if (fd >= 0)
					new_conn((enum conn_kind)(-owner[i]),
						 fd);
				continue;
			}
			struct conn *c = &conns[owner[i]];
			if (!c->kind || c->fd != p[i].fd)
				continue;
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (c->kind == C_XENBUS)
				xenbus_input(c);
			else if (c->kind == C_HYP)
				hyp_call(c);
			else
				ctl_input(c);
		}
		for (k = 0; k < MAX_BE; k++) {
			int first = -1, cnt = 0;

			if (!bes[k])
				continue;
			for (i = 0; i < n; i++)
				if (owner[i] == 1000 + k) {
					if (first < 0)
						first = i;
					cnt++;
				}
			xbe_run(bes[k], first < 0 ? p : p + first, cnt);
		}
	}
	for (i = 0; i < MAX_BE; i++)
		if (bes[i])
			xbe_fini(bes[i]);
	return 0;
}

static int ctl_main(const char *dir, int argc, char **argv)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char buf[4096];
	size_t len = 0;
	ssize_t r;
	int fd, i, tries;

	for (i = 0; i < argc; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s",
					i ? " " : "", argv[i]);
	if (len + 2 > sizeof buf)
		return 2;
	buf[len++] = '\n';
	snprintf(a.sun_path, sizeof a.sun_path, "%s/ctl.sock", dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	for (tries = 0; connect(fd, (struct sockaddr *)&a, sizeof a) < 0;
	     tries++) {
		if (tries > 100) {
			perror(a.sun_path);
			return 2;
		}
		usleep(50000);
	}
	if (write(fd, buf, len) != (ssize_t)len)
		return 2;
	len = 0;
	while ((r = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)r;
	buf[len] = 0;
	fputs(buf, stdout);
	return strncmp(buf, "ok", 2) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "daemon"))
		return daemon_main(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "ctl"))
		return ctl_main(argv[2], argc - 3, argv + 3);
	fprintf(stderr, "usage: xensim daemon DIR | xensim ctl DIR CMD...\n");
	return 2;
}
