/* xbe.c - see xbe.h. */
#include "board/sim/xbe.h"

#include "board/sim/hv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void xbe_node(struct xbe *b, char *buf, size_t cap, const char *dir,
		     const char *leaf)
{
	snprintf(buf, cap, "%s/%s", dir, leaf);
}

static void xbe_set_state(struct xbe *b, int s)
{
	char p[128], v[4];

	b->state = s;
	xbe_node(b, p, sizeof p, b->be, "state");
	snprintf(v, sizeof v, "%d", s);
	xsd_write(b->xs, p, v);
}

static int xbe_listen(struct xbe *b)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};

	snprintf(a.sun_path, sizeof a.sun_path, "%s", b->path);
	unlink(b->path);
	b->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (b->lfd < 0 || bind(b->lfd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(b->lfd, 4) < 0) {
		fprintf(stderr, "xensim: cannot listen on %s: %s\n", b->path,
			strerror(errno));
		return -errno;
	}
	return 0;
}

int xbe_init(struct xbe *b, struct xsd *xs, int dom, int devid,
	     const char *path, size_t limit)
{
	memset(b, 0, sizeof *b);
	b->xs = xs;
	b->dom = dom;
	b->devid = devid;
	b->limit = limit;
	b->cfd = b->rx = b->tx = -1;
	snprintf(b->fe, sizeof b->fe, "/local/domain/%d/device/console/%d",
		 dom, devid);
	snprintf(b->be, sizeof b->be, "/local/domain/0/backend/console/%d/%d",
		 dom, devid);
	snprintf(b->path, sizeof b->path, "%s", path);
	b->obuf = malloc(limit + 4096);
	if (!b->obuf)
		abort();
	if (xbe_listen(b) < 0)
		return -1;
	xbe_set_state(b, 2); /* InitWait */
	return 0;
}

static void xbe_disconnect(struct xbe *b)
{
	if (b->page)
		munmap(b->page, 4096);
	if (b->rx >= 0)
		close(b->rx);
	if (b->tx >= 0)
		close(b->tx);
	b->page = 0;
	b->rx = b->tx = -1;
	b->connected = 0;
}

void xbe_fini(struct xbe *b)
{
	xbe_disconnect(b);
	if (b->cfd >= 0)
		close(b->cfd);
	if (b->lfd >= 0)
		close(b->lfd);
	unlink(b->path);
	free(b->obuf);
	b->obuf = 0;
}

static void xbe_kick(struct xbe *b)
{
	uint64_t one = 1;

	if (b->tx < 0)
		return;
	if (b->lose > 0) {
		b->lose--;
		return;
	}
	if (b->late_ms) {
		if (!b->late_due)
			b->late_due = sim_now_ms() + (uint64_t)b->late_ms;
		return;
	}
	if (write(b->tx, &one, sizeof one) == sizeof one)
		b->st.notify_out++;
	if (b->dup > 0) {
		b->dup--;
		if (write(b->tx, &one, sizeof one) == sizeof one)
			b->st.notify_out++;
	}
}

static const char *xbe_fe(struct xbe *b, const char *leaf)
{
	char p[128];

	xbe_node(b, p, sizeof p, b->fe, leaf);
	return xsd_read(b->xs, p);
}

static void xbe_try_connect(struct xbe *b)
{
	const char *ref = xbe_fe(b, "ring-ref"), *port = xbe_fe(b, "port");
	const char *st = xbe_fe(b, "state");
	int fd, fds[2];
	uint32_t local;
	void *p;

	if (b->connected || b->restarting || !ref || !port || !st ||
	    (strcmp(st, "3") && strcmp(st, "4")))
		return;
	fd = sim_gnt_map(0, b->dom, (uint32_t)strtoul(ref, 0, 10));
	if (fd < 0) {
		/* QEMU logs "initialise() failed" and keeps waiting. */
		fprintf(stderr, "xensim: console-%d: cannot map ref %s\n",
			b->devid, ref);
		return;
	}
	p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return;
	if (sim_evt_bind(0, b->dom, (uint32_t)strtoul(port, 0, 10), &local,
			 fds) < 0) {
		fprintf(stderr, "xensim: console-%d: cannot bind port %s\n",
			b->devid, port);
		munmap(p, 4096);
		return;
	}
	b->page = p;
	b->rx = fds[0];
	b->tx = fds[1];
	fcntl(b->rx, F_SETFL, O_NONBLOCK);
	xr_init(&b->ring, p, XR_BACK);
	b->connected = 1;
	b->st.connects++;
	xbe_set_state(b, 4);
}

void xbe_changed(struct xbe *b, const char *path)
{
	const char *st;
	int fe;

	size_t n = strlen(b->fe);

	/* Ours: the frontend directory itself or a node below it. */
	if (strncmp(path, b->fe, n) || (path[n] && path[n] != '/') ||
	    b->restarting)
		return;
	st = xbe_fe(b, "state");
	fe = st ? atoi(st) : 0;
	if ((fe == 5 || fe == 6) && b->state != fe) {
		/* The frontend shuts down: unmap, and follow its state. */
		xbe_disconnect(b);
		xbe_set_state(b, fe);
		return;
	}
	if (fe == 1 && b->state == 6) {
		/* Closed -> Initialising -> InitWait: ready to reconnect. */
		xbe_set_state(b, 1);
		xbe_set_state(b, 2);
	}
	if (b->state == 2)
		xbe_try_connect(b);
}

/* Keeps the first half-limit and the newest bytes, like QEMU. */
static void xbe_keep(struct xbe *b)
{
	size_t half = b->limit / 2, over;

	if (b->olen <= b->limit)
		return;
	over = b->olen - b->limit;
	memmove(b->obuf + half, b->obuf + half + over, b->olen - half - over);
	b->olen -= over;
	b->st.dropped += over;
}

static int xbe_pump_once(struct xbe *b);

/* Moves bytes until nothing moves: flushing to the client makes room to
 * read the ring again, and nothing else would wake us for it. */
static void xbe_pump(struct xbe *b)
{
	int rounds = 0;

	while (xbe_pump_once(b) && ++rounds < 64)
		;
}

static int xbe_pump_once(struct xbe *b)
{
	size_t want;
	long n;
	int moved = 0, progress = 0;

	if (!b->connected)
		return 0;
	/* Guest to host. */
	want = b->limit + 4096 - b->olen;
	if (b->slow_ms) {
		uint64_t now = sim_now_ms();

		if (now < b->slow_next)
			want = 0;
		else if (want > 64)
			want = 64;
		if (want)
			b->slow_next = now + (uint64_t)b->slow_ms;
	}
	if (b->cfd < 0 || b->olen < 65536) {
		n = xr_recv(&b->ring, b->obuf + b->olen, want);
		if (n < 0) {
			fprintf(stderr, "xensim: console-%d: ring broken\n",
				b->devid);
			return 0;
		}
		b->olen += (size_t)n;
		b->st.to_host += (uint64_t)n;
		moved |= n > 0;
		if (b->cfd < 0)
			xbe_keep(b);
	}
	if (b->cfd >= 0 && b->olen) {
		ssize_t w = send(b->cfd, b->obuf, b->olen, MSG_NOSIGNAL);

		if (w > 0) {
			memmove(b->obuf, b->obuf + w, b->olen - (size_t)w);
			b->olen -= (size_t)w;
			progress = 1;
		}
	}
	/* Host to guest. */
	if (b->ilen) {
		n = xr_send(&b->ring, b->ibuf, b->ilen);
		if (n > 0) {
			memmove(b->ibuf, b->ibuf + n, b->ilen - (size_t)n);
			b->ilen -= (size_t)n;
			b->st.to_guest += (uint64_t)n;
			moved = 1;
		}
	}
	if (moved)
		xbe_kick(b);
	return moved || progress;
}

int xbe_pollfds(struct xbe *b, struct pollfd *p)
{
	int n = 0;

	if (b->lfd >= 0 && b->cfd < 0)
		p[n++] = (struct pollfd){.fd = b->lfd, .events = POLLIN};
	if (b->cfd >= 0)
		p[n++] = (struct pollfd){
			.fd = b->cfd,
			.events = (short)((b->ilen < sizeof b->ibuf ? POLLIN
								    : 0) |
					  (b->olen ? POLLOUT : 0))};
	if (b->rx >= 0)
		p[n++] = (struct pollfd){.fd = b->rx, .events = POLLIN};
	return n;
}

static void xbe_client_input(struct xbe *b)
{
	ssize_t r = read(b->cfd, b->ibuf + b->ilen, sizeof b->ibuf - b->ilen);

	if (r <= 0) {
		if (r < 0 && errno == EAGAIN)
			return;
		close(b->cfd);
		b->cfd = -1;
		return;
	}
	if (b->drop > 0 && r > 2) {
		/* Lose bytes from the middle of what arrived. */
		size_t k = (size_t)b->drop < (size_t)r - 2 ? (size_t)b->drop
							   : (size_t)r - 2;
		unsigned char *m = b->ibuf + b->ilen + 1;

		memmove(m, m + k, (size_t)r - 1 - k);
		r -= (ssize_t)k;
		b->drop -= (int)k;
		b->st.dropped += k;
	}
	b->ilen += (size_t)r;
}

void xbe_run(struct xbe *b, const struct pollfd *p, int n)
{
	uint64_t now = sim_now_ms(), cnt;
	int i;

	if (b->restarting && now >= b->restart_at) {
		b->restarting = 0;
		xbe_listen(b);
		xbe_set_state(b, 1);
		xbe_set_state(b, 2);
		xbe_try_connect(b);
	}
	if (b->late_due && now >= b->late_due) {
		uint64_t one = 1;

		b->late_due = 0;
		if (b->tx >= 0 && write(b->tx, &one, sizeof one) == sizeof one)
			b->st.notify_out++;
	}
	for (i = 0; i < n; i++) {
		if (!p[i].revents)
			continue;
		if (p[i].fd == b->lfd && b->cfd < 0) {
			b->cfd = accept4(b->lfd, 0, 0,
					 SOCK_NONBLOCK | SOCK_CLOEXEC);
		} else if (p[i].fd == b->cfd && b->cfd >= 0) {
			if (p[i].revents & (POLLIN | POLLHUP | POLLERR))
				xbe_client_input(b);
		} else if (p[i].fd == b->rx && b->rx >= 0) {
			if (read(b->rx, &cnt, sizeof cnt) == sizeof cnt)
				b->st.notify_in += cnt;
		}
	}
	xbe_pump(b);
}

int xbe_timeout(struct xbe *b)
{
	uint64_t now = sim_now_ms(), due = 0;

	if (b->restarting)
		due = b->restart_at;
	if (b->late_due && (!due || b->late_due < due))
		due = b->late_due;
	if (b->slow_ms && b->connected && (!due || b->slow_next < due))
		due = b->slow_next;
	if (!due)
		return -1;
	return due > now ? (int)(due - now) : 0;
}

void xbe_restart(struct xbe *b, int down_ms)
{
	/* QEMU going away: the socket closes, the mapping goes. */
	xbe_set_state(b, 5);
	xbe_disconnect(b);
	if (b->cfd >= 0)
		close(b->cfd);
	if (b->lfd >= 0)
		close(b->lfd);
	b->cfd = b->lfd = -1;
	b->olen = b->ilen = 0;
	xbe_set_state(b, 6);
	b->restarting = 1;
	b->restart_at = sim_now_ms() + (uint64_t)down_ms;
}

void xbe_kill(struct xbe *b, int down_ms)
{
	/* kill -9 of QEMU: no state change; the toolstack later resets the
	 * backend state to Initialising and starts a new one. */
	xbe_disconnect(b);
	if (b->cfd >= 0)
		close(b->cfd);
	if (b->lfd >= 0)
		close(b->lfd);
	b->cfd = b->lfd = -1;
	b->olen = b->ilen = 0;
	b->restarting = 1;
	b->restart_at = sim_now_ms() + (uint64_t)down_ms;
}

void xbe_corrupt(struct xbe *b)
{
	volatile struct xr_page *pg = b->page;

	if (!pg)
		return;
	/* Claims far more input than the 1024-byte ring can hold. */
	pg->in_prod = pg->in_cons + 0x10000;
	xbe_kick(b);
}
