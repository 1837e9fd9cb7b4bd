/* peer.c - the dom0 side of the transport tests: connects to a channel's
 * backend socket, streams N bytes of a pattern, and checks that what comes
 * back is that pattern upper-cased (tests/xen-sim/echo.c). Prints one line
 * with bytes, time and MiB/s; exits 0 only if every byte came back right.
 *   peer SOCKET N [--quit] [--timeout S] [--expect-short]
 * --send: only sends, then waits for one "!" (tests/xen-sim/echo.c sink);
 * --recv: sends "g", then only receives N bytes (echo source). Times one
 * direction.
 * --bound: no socket; measures memcpy of 1 KiB chunks with an eventfd
 * write and read per chunk, the ceiling any ring transport can reach. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char pat(size_t i)
{
	return (char)('a' + (i * 7 + i / 26) % 26);
}

static int bound(size_t n)
{
	static char src[1024], ring[2048];
	int efd = eventfd(0, 0);
	uint64_t v = 1;
	size_t done = 0, at = 0;
	double t0 = now_s(), dt;

	memset(src, 'x', sizeof src);
	while (done < n) {
		memcpy(ring + at, src, sizeof src);
		at = (at + sizeof src) % sizeof ring;
		if (write(efd, &v, sizeof v) != sizeof v ||
		    read(efd, &v, sizeof v) != sizeof v)
			return 1;
		done += sizeof src;
	}
	dt = now_s() - t0;
	printf("bound: %zu bytes in %.0f ms (%.1f MiB/s)\n", n, dt * 1e3,
	       (double)n / dt / 1048576.0);
	return 0;
}

static int oneway(int fd, int mode, size_t n, double t0, double limit)
{
	static char buf[65536];
	size_t done = 0;
	double dt;
	ssize_t r;

	memset(buf, 'a', sizeof buf);
	if (mode == 'r' && write(fd, "g", 1) != 1)
		return 1;
	t0 = now_s();
	while (done < n && now_s() - t0 < limit) {
		struct pollfd p = {fd, mode == 's' ? POLLOUT : POLLIN, 0};

		if (poll(&p, 1, 100) <= 0)
			continue;
		if (mode == 's')
			r = write(fd, buf, n - done < sizeof buf ? n - done
								 : sizeof buf);
		else
			r = read(fd, buf, sizeof buf);
		if (r <= 0)
			return 1;
		done += (size_t)r;
	}
	if (mode == 's') {
		struct pollfd p = {fd, POLLIN, 0};

		if (poll(&p, 1, (int)(limit * 1000)) <= 0 ||
		    read(fd, buf, 1) != 1)
			return 1;
	}
	dt = now_s() - t0;
	printf("peer: %s %zu bytes in %.0f ms (%.2f MiB/s)\n",
	       mode == 's' ? "sent" : "received", done, dt * 1e3,
	       (double)done / dt / 1048576.0);
	return done == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	static char out[4096], in[4096];
	size_t n, sent = 0, got = 0, bad = 0;
	int fd, i, quit = 0, tries, expect_short = 0, mode = 0;
	double t0, limit = 20, dt;

	if (argc >= 3 && !strcmp(argv[1], "--bound"))
		return bound(strtoul(argv[2], 0, 10));
	if (argc < 3) {
		fprintf(stderr, "usage: peer SOCKET N [--quit] [--timeout S]\n");
		return 2;
	}
	n = strtoul(argv[2], 0, 10);
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--quit"))
			quit = 1;
		else if (!strcmp(argv[i], "--send"))
			mode = 's';
		else if (!strcmp(argv[i], "--recv"))
			mode = 'r';
		else if (!strcmp(argv[i], "--expect-short"))
			expect_short = 1;
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
			limit = atof(argv[++i]);
	}
	snprintf(a.sun_path, sizeof a.sun_path, "%s", argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	for (tries = 0; connect(fd, (struct sockaddr *)&a, sizeof a) < 0;
	     tries++) {
		if (tries > 100) {
			perror(argv[1]);
			return 2;
		}
		usleep(50000);
		close(fd);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
	}
	t0 = now_s();
	if (mode)
		return oneway(fd, mode, n, t0, limit);
	while (got < n && now_s() - t0 < limit) {
		struct pollfd p = {fd, POLLIN | (sent < n ? POLLOUT : 0), 0};
		ssize_t r;

		if (poll(&p, 1, 100) <= 0)
			continue;
		if (p.revents & POLLOUT) {
			size_t k = n - sent < sizeof out ? n - sent : sizeof out;
			for (size_t j = 0; j < k; j++)
				out[j] = pat(sent + j);
			r = send(fd, out, k, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (r > 0)
				sent += (size_t)r;
		}
		if (p.revents & (POLLIN | POLLHUP)) {
			r = read(fd, in, sizeof in);
			if (r <= 0)
				break;
			for (ssize_t j = 0; j < r; j++)
				if (in[j] != pat(got + (size_t)j) - 32)
					bad++;
			got += (size_t)r;
		}
	}
	dt = now_s() - t0;
	if (quit && send(fd, "quit", 4, MSG_NOSIGNAL) == 4)
		usleep(200000);
	printf("peer: sent %zu, received %zu (%zu wrong) in %.0f ms "
	       "(%.2f MiB/s)\n", sent, got, bad, dt * 1e3,
	       (double)got / dt / 1048576.0);
	close(fd);
	if (expect_short)
		return got < n || bad ? 0 : 1;
	return got == n && !bad ? 0 : 1;
}
