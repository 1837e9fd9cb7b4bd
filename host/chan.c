/* chan.c - see chan.h. */
#include "host/chan.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define CH_READ_MAX 4096
#define CH_PROGRESS_BIG (64u * 1024u)

static int open_unix(const char *path, char *err, size_t cap)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa.sun_path) {
		snprintf(err, cap, "socket path %s is too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		snprintf(err, cap,
			 "cannot connect to %s: %s (is the VM running, "
			 "and is this its channel's path=?)",
			 path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int open_dev(const char *path, char *err, size_t cap)
{
	struct termios t;
	int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, cap, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (isatty(fd)) {
		/* raw: no echo, no line editing, no CR/LF translation */
		if (tcgetattr(fd, &t) == 0) {
			cfmakeraw(&t);
			tcsetattr(fd, TCSANOW, &t);
		}
	}
	return fd;
}

int ch_open(const char *spec, char *err, size_t cap)
{
	struct stat st;

	if (!strncmp(spec, "fd:", 3)) {
		char *end;
		long n = strtol(spec + 3, &end, 10);
		if (!spec[3] || *end || n < 0 || n > 65535 ||
		    fcntl((int)n, F_GETFD) < 0) {
			snprintf(err, cap, "%s: not an open file descriptor",
				 spec);
			return -1;
		}
		return (int)n;
	}
	if (!strncmp(spec, "unix:", 5))
		return open_unix(spec + 5, err, cap);
	if (!strncmp(spec, "pty:", 4))
		return open_dev(spec + 4, err, cap);
	if (stat(spec, &st) < 0) {
		snprintf(err, cap,
			 "%s: %s (want a channel's Unix socket, a "
			 "character device, pty:PATH or fd:N)",
			 spec, strerror(errno));
		return -1;
	}
	if (S_ISSOCK(st.st_mode))
		return open_unix(spec, err, cap);
	if (S_ISCHR(st.st_mode))
		return open_dev(spec, err, cap);
	snprintf(err, cap, "%s is neither a Unix socket nor a character device",
		 spec);
	return -1;
}

uint64_t ch_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct ch_meter {
	int on, tty;
	unsigned last; /* last quarter (or percent, on a tty) printed */
};

static void meter(struct ch_meter *m, const struct hx_client *x)
{
	size_t sent, total;
	unsigned pct;

	hx_progress(x, &sent, &total);
	if (!m->on || total == 0 || (!m->tty && total <= CH_PROGRESS_BIG))
		return;
	pct = (unsigned)(sent * 100 / total);
	if (m->tty ? pct == m->last : pct / 25 == m->last / 25)
		return;
	m->last = pct;
	fprintf(stderr, "%ssent %zu / %zu bytes (%u%%)%s", m->tty ? "\r" : "",
		sent, total, pct, m->tty ? (pct == 100 ? "\n" : "") : "\n");
}

int ch_run(int fd, struct hx_client *x, enum ch_progress progress, char *err,
	   size_t cap)
{
	struct ch_meter m = {progress == CH_PROGRESS_AUTO, isatty(2), 0};
	char buf[CH_READ_MAX];
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while (!hx_done(x)) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		const void *out;
		size_t len;
		uint64_t wait;
		ssize_t n;

		hx_tick(x, ch_now_ms());
		if (hx_done(x))
			break;
		out = hx_output(x, &len);
		if (len)
			p.events |= POLLOUT;
		wait = hx_wait_ms(x);
		if (poll(&p, 1, wait > 60000 ? 60000 : (int)wait + 1) < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, cap, "poll: %s", strerror(errno));
			return -1;
		}
		x->now = ch_now_ms();
		if (p.revents & POLLIN) {
			n = read(fd, buf, sizeof buf);
			if (n == 0 ||
			    (n < 0 && errno != EAGAIN && errno != EINTR)) {
				snprintf(err, cap, "the channel was closed%s%s",
					 n ? ": " : "",
					 n ? strerror(errno) : "");
				return -1;
			}
			if (n > 0)
				hx_input(x, buf, (size_t)n);
			continue; /* the input may have changed what to send */
		}
		if (p.revents & POLLOUT) {
			n = write(fd, out, len);
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				snprintf(err, cap, "writing to the channel: %s",
					 strerror(errno));
				return -1;
			}
			if (n > 0) {
				hx_output_ack(x, (size_t)n);
				meter(&m, x);
			}
		} else if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) {
			snprintf(err, cap, "the channel hung up");
			return -1;
		}
	}
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl);
	return 0;
}
