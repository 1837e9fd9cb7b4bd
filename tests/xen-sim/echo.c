/* echo.c - a stand-in agent for transport tests: opens the ring transport
 * exactly as xenchan-agent does (xt_open_ring, board/linux/xen_ring.c over
 * the simulation's board) and echoes every byte back, upper-casing
 * letters so that an echo cannot be mistaken for the socket looping back.
 * Exits 0 after reading a line "quit", 3 if the transport fails.
 *   XENSIM_DIR=... XENSIM_DOMID=N echo CHANNEL [SECONDS [sink|source N]]
 * sink N: reads N bytes, answers "!" (one-way host to guest, for benches);
 * source N: after one byte from the host writes N bytes, then exits
 * (one-way guest to host).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/xc_err.h"
#include "board/linux/log.h"
#include "board/linux/transport.h"

uint64_t xt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Waits for the ring (or a lost notification's timer) to move. */
static int wait_ring(struct xt *t)
{
	struct pollfd p = {t->fd, t->poll_in, 0};

	if (poll(&p, 1, 250) > 0 && t->ops->event)
		return t->ops->event(t);
	return 0;
}

static int oneway(struct xt *t, const char *mode, unsigned long long n)
{
	static char buf[8192];
	unsigned long long done = 0;
	long r = 0;

	memset(buf, 'A', sizeof buf);
	/* A source starts when the host says so (its first byte). */
	while (mode[1] == 'o' && (r = t->ops->read(t, buf, 1)) == 0)
		if (wait_ring(t) < 0)
			return 3;
	if (r < 0)
		return 3;
	memset(buf, 'A', sizeof buf);
	while (done < n) {
		size_t k = n - done < sizeof buf ? (size_t)(n - done)
						 : sizeof buf;

		r = mode[1] == 'i' ? t->ops->read(t, buf, k)
				   : t->ops->write(t, buf, k);
		if (r < 0)
			return 3;
		done += (unsigned long long)r;
		if (r == 0 && wait_ring(t) < 0)
			return 3;
	}
	if (mode[1] == 'i')
		while ((r = t->ops->write(t, "!", 1)) == 0)
			wait_ring(t);
	while (t->ops->flushed(t) > 0)
		wait_ring(t);
	t->ops->close(t);
	return 0;
}

int main(int argc, char **argv)
{
	struct xt_opts o = {.channel = argc > 1 ? argv[1] : "x", .fd = -1};
	static char buf[65536];
	size_t have = 0, off = 0;
	char tail[5] = {0};
	struct xt t;
	int rc;

	o.deadline_ms = xt_now_ms() + 1000 * (argc > 2 ? atoi(argv[2]) : 10);
	rc = xt_open_ring(&t, &o);
	if (rc < 0) {
		fprintf(stderr, "echo: xt_open_ring: %s\n", strerror(-rc));
		return 3;
	}
	fprintf(stderr, "echo: connected %s\n", t.path);
	if (argc > 4)
		return oneway(&t, argv[3], strtoull(argv[4], 0, 10));
	for (;;) {
		struct pollfd p = {t.fd, t.poll_in, 0};
		long n;

		if (poll(&p, 1, 250) > 0 && t.ops->event &&
		    (rc = t.ops->event(&t)) < 0) {
			fprintf(stderr, "echo: event: %s\n", strerror(-rc));
			return 3;
		}
		if (have == off) {
			have = off = 0;
			n = t.ops->read(&t, buf, sizeof buf);
			if (n < 0) {
				fprintf(stderr, "echo: read: %s\n",
					strerror((int)-n));
				return 3;
			}
			for (long i = 0; i < n; i++) {
				unsigned char ch = (unsigned char)buf[i];

				memmove(tail, tail + 1, 3);
				tail[3] = (char)ch;
				if (ch >= 'a' && ch <= 'z')
					buf[i] = (char)(ch - 32);
			}
			have = (size_t)n;
		}
		while (off < have) {
			n = t.ops->write(&t, buf + off, have - off);
			if (n < 0) {
				fprintf(stderr, "echo: write: %s\n",
					strerror((int)-n));
				return 3;
			}
			if (n == 0)
				break;
			off += (size_t)n;
		}
		if (off == have && !memcmp(tail, "quit", 4)) {
			while (t.ops->flushed(&t) > 0)
				poll(0, 0, 10);
			t.ops->close(&t);
			return 0;
		}
	}
}
