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
 *   fault DOM DEVID lose N|dup N|late MS|slow MS|drop N|corrupt|restart MS|kill MS
 *   fault xs tx-eagain N
 *   stats DOM DEVID      bytes and notifications of a channel's backend
 *
 * Grants are 4096-byte memfds handed out over hyp.sock; event channels are
 * eventfd pairs (simhyp.h, hv.c); the commands are in xtool.c.
 * Simulation code: glibc, heap, not the agent.
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

#include "board/sim/hv.h"
#include "board/sim/simhyp.h"
#include "board/sim/xbe.h"
#include "board/sim/xsd.h"
#include "board/sim/xtool.h"

#define MAX_CONNS 64
#define MAX_BE 128

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
static struct xbe *bes[MAX_BE];
static struct conn conns[MAX_CONNS];
static int lfd[3], quit;

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
		rc = sim_gnt_share(c->domid, (int)q.a, &v);
		fds[0] = rc;
		return reply_fds(c->fd, rc < 0 ? rc : 0, v, fds, 1);
	case SH_GNT_MAP:
		rc = sim_gnt_map(c->domid, (int)q.a, q.b);
		fds[0] = rc;
		return reply_fds(c->fd, rc < 0 ? rc : 0, 0, fds, 1);
	case SH_GNT_END:
		sim_gnt_end(c->domid, q.b);
		return reply_fds(c->fd, 0, 0, 0, 0);
	case SH_EVT_ALLOC:
		rc = sim_evt_alloc(c->domid, (int)q.a, &v, fds);
		return reply_fds(c->fd, rc, v, fds, 2);
	case SH_EVT_BIND:
		rc = sim_evt_bind(c->domid, (int)q.a, q.b, &v, fds);
		return reply_fds(c->fd, rc, v, fds, 2);
	}
	reply_fds(c->fd, -ENOSYS, 0, 0, 0);
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
	n = xtool_cmd(&store, bes, MAX_BE, &quit, argc, argv, out, sizeof out);
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
