/* xen_hvc.c - the "hvc" transport: the kernel's own console frontend
 * (drivers/tty/hvc/hvc_xen.c) driving our channel as /dev/hvcN.
 *
 * No udev is needed. The channel's devid N comes from xenstore (the
 * device/console/N whose `name` matches). hvc_xen gives each console it
 * probes the first free hvc slot, not its devid: hvc0 is the primary
 * console and secondary consoles take hvc1, hvc2... in probe order, which
 * is devid order at boot. So the slot is 1 + the number of consoles with a
 * smaller devid that hvc_xen drives. That holds while consoles are not hot
 * plugged and no other hvc driver shares the slots; docs/XEN.md says so,
 * and /dev/xen-channel/NAME (udev rule, board/linux/udev/) is preferred
 * whenever it exists.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "agent/xc_err.h"
#include "board/linux/log.h"
#include "board/linux/transport.h"
#include "board/linux/xen_dev.h"
#include "board/linux/xen_sysfs.h"
#include "frontend/xchan.h"
#include "frontend/xsw.h"

#define XHV_GRACE_MS 3000 /* for hvc_xen to probe a console it will take */

static struct {
	int fd;
	int xb_fd;
} xhv = {-1, -1};

static long xhv_send(void *ctx, const void *p, size_t n)
{
	ssize_t w = write(xhv.xb_fd, p, n);

	return w < 0 ? -errno : (size_t)w == n ? (long)n : -XC_EIO;
}

static long xhv_recv(void *ctx, void *p, size_t n, uint64_t deadline)
{
	struct pollfd pfd = {.fd = xhv.xb_fd, .events = POLLIN};
	uint64_t now = xt_now_ms();
	ssize_t r;

	if (now >= deadline ||
	    poll(&pfd, 1, (int)(deadline - now)) <= 0)
		return 0;
	r = read(xhv.xb_fd, p, n);
	return r > 0 ? (long)r : r == 0 ? -XC_EPIPE : -errno;
}

static void xhv_sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, 0);
}

/* devids hvc_xen drives, smaller than ours. */
static int xhv_slot(uint32_t devid)
{
	DIR *d = opendir(XSY_BUS);
	struct dirent *e;
	uint32_t id;
	int before = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		const char *num;

		if (strncmp(e->d_name, "console-", 8))
			continue;
		num = e->d_name + 8;
		if (xsw_parse_uint(num, strlen(num), 0xffff, &id) < 0)
			continue;
		if (id < devid && xd_kernel_bound(id) == 1)
			before++;
	}
	closedir(d);
	return 1 + before;
}

/* Opens /dev/hvcN, creating the node from sysfs when /dev lacks it. */
static int xhv_open_node(int slot, char *path, size_t cap)
{
	char sys[64], buf[32];
	unsigned maj, min;
	int fd, sfd;
	ssize_t n;

	snprintf(path, cap, "/dev/hvc%d", slot);
	fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT)
		return fd < 0 ? -errno : fd;
	snprintf(sys, sizeof sys, "/sys/class/tty/hvc%d/dev", slot);
	sfd = open(sys, O_RDONLY | O_CLOEXEC);
	if (sfd < 0)
		return -XC_ENOENT;
	n = read(sfd, buf, sizeof buf - 1);
	close(sfd);
	if (n <= 0)
		return -XC_EIO;
	buf[n] = 0;
	if (xt_parse_devnum(buf, &maj, &min) < 0)
		return -XC_EPROTO;
	if (mknod(path, S_IFCHR | 0600, makedev(maj, min)) < 0 &&
	    errno != EEXIST)
		return -errno;
	xlog(XLOG_INFO, "created %s (%u:%u): /dev was not populated", path,
	     maj, min);
	fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static long xhv_read(struct xt *t, void *buf, size_t n)
{
	ssize_t r = read(t->fd, buf, n);

	if (r > 0)
		return (long)r;
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return r == 0 || errno == EIO ? -XC_EPIPE : -errno;
}

static long xhv_write(struct xt *t, const void *buf, size_t n)
{
	ssize_t w = write(t->fd, buf, n);

	if (w >= 0)
		return (long)w;
	return errno == EAGAIN || errno == EINTR ? 0 : -errno;
}

static int xhv_flushed(struct xt *t)
{
	return tcdrain(t->fd) < 0 ? -errno : 0;
}

static void xhv_close(struct xt *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

static const struct xt_ops xhv_ops = {
	.read = xhv_read,
	.write = xhv_write,
	.flushed = xhv_flushed,
	.close = xhv_close,
};

static int xhv_finish(struct xt *t, int fd, const char *path)
{
	struct termios tio;

	/* A tty echoes and maps \n to \r\n until it is raw. */
	if (tcgetattr(fd, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(fd, TCSANOW, &tio);
	}
	t->ops = &xhv_ops;
	t->fd = fd;
	t->poll_in = POLLIN;
	t->poll_out = POLLOUT;
	t->kind = "hvc";
	snprintf(t->path, sizeof t->path, "%s", path);
	t->priv = 0;
	return 0;
}

int xt_open_hvc(struct xt *t, const struct xt_opts *o)
{
	/* deadline_ms 0: one look (xt_open's auto), xenstore calls bounded. */
	int look = o->deadline_ms == 0;
	uint64_t deadline = look ? xt_now_ms() + 2000 : o->deadline_ms;
	uint64_t grace;
	char path[XT_PATH_MAX];
	struct xsw xs;
	struct xsw_io io = {xhv_send, xhv_recv, 0};
	long id;
	int fd, slot;

	if (!xd_present())
		return -XC_ENOENT;
	snprintf(path, sizeof path, "/dev/xen-channel/%s", o->channel);
	fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0)
		return xhv_finish(t, fd, path);
	xhv.xb_fd = xd_xenbus_open();
	if (xhv.xb_fd < 0)
		return -XC_ENOENT;
	xsw_init(&xs);
	for (;;) {
		id = xch_find(&xs, &io, o->channel, deadline);
		if (id != -XC_ENOENT || look || xt_now_ms() >= deadline)
			break;
		xhv_sleep_ms(200);
	}
	close(xhv.xb_fd);
	xhv.xb_fd = -1;
	if (id < 0) {
		if (id != -XC_ENOENT)
			xlog(XLOG_ERR, "reading xenstore device/console: %s",
			     strerror((int)-id));
		return id == -XC_ETIMEDOUT ? -XC_ENOENT : (int)id;
	}
	/* hvc_xen probes at boot; give it a moment, no more. */
	grace = look ? 0 : xt_now_ms() + XHV_GRACE_MS;
	if (grace > deadline)
		grace = deadline;
	while (xd_kernel_bound((uint32_t)id) != 1 && xt_now_ms() < grace)
		xhv_sleep_ms(100);
	if (xd_kernel_bound((uint32_t)id) != 1) {
		/* -XC_ENOENT: auto goes on to the ring transport. */
		xlog(XLOG_INFO, "channel %s is console-%ld but no kernel "
		     "driver (hvc_xen) drives it", o->channel, id);
		return -XC_ENOENT;
	}
	slot = xhv_slot((uint32_t)id);
	if (slot < 0)
		return slot;
	fd = xhv_open_node(slot, path, sizeof path);
	if (fd < 0) {
		xlog(XLOG_ERR, "channel %s: cannot open %s: %s", o->channel,
		     path, strerror(-fd));
		return fd;
	}
	xlog(XLOG_INFO, "channel %s: console-%ld is %s (hvc_xen)", o->channel,
	     id, path);
	return xhv_finish(t, fd, path);
}
