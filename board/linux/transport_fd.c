/* transport_fd.c - plain descriptor transports (device, unix, fd) and the
 * chooser xt_open(), see transport.h and docs/XEN.md ("Transports").
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "agent/xc_err.h"
#include "log.h"
#include "transport.h"

uint64_t xt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static long fd_read(struct xt *t, void *buf, size_t n)
{
	ssize_t r = read(t->fd, buf, n);

	if (r > 0)
		return r;
	if (r == 0)
		return -XC_EPIPE; /* EOF: the peer closed */
	if (errno == EAGAIN || errno == EINTR)
		return 0;
	if (errno == EIO || errno == ECONNRESET)
		return -XC_EPIPE; /* pty master or virtio host side gone */
	return -errno;
}

static long fd_write(struct xt *t, const void *buf, size_t n)
{
	ssize_t r = write(t->fd, buf, n);

	if (r >= 0)
		return r;
	if (errno == EAGAIN || errno == EINTR)
		return 0;
	if (errno == EPIPE || errno == ECONNRESET || errno == EIO)
		return -XC_EPIPE;
	return -errno;
}

static int fd_flushed(struct xt *t)
{
	/* A tty keeps output in its queue; wait for it to leave. */
	if (isatty(t->fd))
		tcdrain(t->fd);
	return 0;
}

static void fd_close(struct xt *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

static const struct xt_ops fd_ops = {
	.read = fd_read,
	.write = fd_write,
	.flushed = fd_flushed,
	.close = fd_close,
};

static void set_path(struct xt *t, const char *p)
{
	size_t n = strlen(p);

	if (n >= sizeof t->path)
		n = sizeof t->path - 1;
	memcpy(t->path, p, n);
	t->path[n] = 0;
}

/* Raw mode on the open descriptor: a console echoes and maps "\n" to
 * "\r\n" until it is set (shared/notes, trap 5). */
static int make_raw(int fd)
{
	struct termios tio;

	if (!isatty(fd))
		return 0;
	if (tcgetattr(fd, &tio) < 0)
		return -errno;
	cfmakeraw(&tio);
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &tio) < 0)
		return -errno;
	tcflush(fd, TCIFLUSH);
	return 0;
}

int xt_open_fd(struct xt *t, int fd, const char *what)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	if (fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	t->ops = &fd_ops;
	t->fd = fd;
	t->poll_in = POLLIN;
	t->poll_out = POLLOUT;
	t->kind = "device";
	set_path(t, what);
	return make_raw(fd);
}

int xt_open_device(struct xt *t, const char *path)
{
	int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = xt_open_fd(t, fd, path);
	if (r < 0) {
		close(fd);
		return r;
	}
	return 0;
}

int xt_open_unix(struct xt *t, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, r;

	if (strlen(path) >= sizeof sa.sun_path)
		return -XC_ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	r = xt_open_fd(t, fd, path);
	t->kind = "unix";
	return r;
}

static int sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	return nanosleep(&ts, 0);
}

/* Explicit paths: retried until the deadline, as the node or socket may
 * appear later in boot. */
static int open_retry(struct xt *t, const struct xt_opts *o, int unix_sock)
{
	const char *p = unix_sock ? o->connect + 5 : o->device;
	int r, logged = 0;

	for (;;) {
		r = unix_sock ? xt_open_unix(t, p) : xt_open_device(t, p);
		if (r == 0)
			return 0;
		if (r != -ENOENT && r != -ECONNREFUSED && r != -ENXIO) {
			xlog(XLOG_ERR, "cannot open %s: %s", p, strerror(-r));
			return r;
		}
		if (xt_now_ms() >= o->deadline_ms)
			return -XC_ENOENT;
		if (!logged++)
			xlog(XLOG_INFO, "waiting for %s", p);
		sleep_ms(100);
	}
}

int xt_open(struct xt *t, const struct xt_opts *o)
{
	const char *k = o->transport ? o->transport : "auto";
	int r;

	t->fd = -1;
	if (o->fd >= 0)
		return xt_open_fd(t, o->fd, "fd");
	if (o->connect) {
		if (strncmp(o->connect, "unix:", 5) != 0) {
			xlog(XLOG_ERR, "--connect takes unix:PATH, not %s",
			     o->connect);
			return -XC_EINVAL;
		}
		return open_retry(t, o, 1);
	}
	if (o->device)
		return open_retry(t, o, 0);
	if (!strcmp(k, "ring"))
		return xt_open_ring(t, o);
	if (!strcmp(k, "hvc"))
		return xt_open_hvc(t, o);
	if (!strcmp(k, "virtio"))
		return xt_open_virtio(t, o);
	if (strcmp(k, "auto")) {
		xlog(XLOG_ERR, "unknown transport %s (auto, ring, hvc, virtio, "
			       "or --device/--connect/--fd)", k);
		return -XC_EINVAL;
	}
	/* auto (docs/XEN.md, "Which transport"): the kernel's hvc console when
	 * hvc_xen drives the named channel, else our own ring when the
	 * channel exists, else virtio-serial; each says -ENOENT at once where
	 * it cannot exist.
	 * Until the deadline, keep asking all of them: the device may show
	 * up later in boot. */
	for (;;) {
		struct xt_opts probe = *o;

		probe.deadline_ms = 0; /* one look each, no waiting */
		r = xt_open_hvc(t, &probe);
		if (r != -XC_ENOENT)
			return r;
		r = xt_open_ring(t, &probe);
		if (r != -XC_ENOENT)
			return r;
		r = xt_open_virtio(t, &probe);
		if (r != -XC_ENOENT)
			return r;
		if (xt_now_ms() >= o->deadline_ms)
			return -XC_ENOENT;
		sleep_ms(100);
	}
}
