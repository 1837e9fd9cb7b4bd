/* virtio.c - the virtio-serial transport: a named port of a virtio console
 * device (QEMU `-device virtserialport,name=...`, libvirt `<channel
 * type='unix'><target type='virtio' name='...'/>`), as the Linux
 * virtio_console driver shows it: /sys/class/virtio-ports/vportNpM/name
 * holds the port's name, .../dev its "MAJOR:MINOR", /dev/vportNpM is the
 * character device.
 *
 * Early in boot there is no udev: the port is found by scanning sysfs
 * every XV_SCAN_MS until o->deadline_ms, and its node is created from
 * sysfs when /dev does not have it.
 *
 * Host side not connected (no client on QEMU's chardev socket): the
 * driver's read() returns 0, poll() reports POLLIN|POLLHUP at once, and
 * write() fails with EAGAIN; nothing is buffered for a host that is not
 * there. So a read of 0 with POLLHUP set naps XV_IDLE_MS and reports
 * "nothing now": a loop that polls this fd cannot spin while it waits for
 * the host. ENODEV means the port was unplugged: gone for good.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "agent/xc_err.h"
#include "board/linux/log.h"
#include "board/linux/transport.h"
#include "board/linux/virtio.h"

#define XV_PORTS_DIR "/sys/class/virtio-ports"
#define XV_SCAN_MS 50
#define XV_IDLE_MS 100
/* PCI ids of a virtio console (legacy and modern; virtio 1.2 §4.1.2),
 * and its virtio device id (§5.3). */
#define XV_PCI_VENDOR "0x1af4"
#define XV_PCI_LEGACY "0x1003"
#define XV_PCI_MODERN "0x1043"
#define XV_VIRTIO_CONSOLE "0x0003"


/* Whether a device name contains "virtio" (a plain loop: memmem would
 * link musl's two-way search, 1 KiB). */
static int has_virtio(const char *s)
{
	for (; *s; s++)
		if (!strncmp(s, "virtio", 6))
			return 1;
	return 0;
}

static void xv_nap(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Reads a small sysfs attribute without its trailing newline. */
int xv_read_attr(const char *dir, const char *entry, const char *attr,
		 char *out, size_t size)
{
	char path[XT_PATH_MAX];
	int fd, n;
	ssize_t r;

	n = snprintf(path, sizeof path, "%s/%s/%s", dir, entry, attr);
	if (n < 0 || (size_t)n >= sizeof path || size == 0)
		return -XC_ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = read(fd, out, size - 1);
	close(fd);
	if (r < 0)
		return -errno;
	out[r] = '\0';
	while (r > 0 && (out[r - 1] == '\n' || out[r - 1] == '\r'))
		out[--r] = '\0';
	return (int)r;
}

/* Is there a virtio console device at all? 1 yes, 0 no (sysfs shows
 * the PCI bus and none is on it), -1 cannot tell (no sysfs yet, or
 * virtio-mmio devices whose kind is unknown until their driver binds). */
static int xv_console_present(void)
{
	static const char *const buses[] = {"/sys/bus/virtio/devices",
					    "/sys/bus/pci/devices"};
	char v[16], d[16];
	int seen_pci = 0, unknown = 0;

	for (int b = 0; b < 2; b++) {
		DIR *dir = opendir(buses[b]);
		struct dirent *e;

		if (!dir)
			continue;
		seen_pci |= b == 1;
		while ((e = readdir(dir))) {
			if (e->d_name[0] == '.')
				continue;
			if (xv_read_attr(buses[b], e->d_name, "device", d,
					 sizeof d) < 0)
				continue;
			if (b == 0 && strcmp(d, XV_VIRTIO_CONSOLE) == 0) {
				closedir(dir);
				return 1;
			}
			if (b == 1 &&
			    xv_read_attr(buses[b], e->d_name, "vendor", v,
					 sizeof v) >= 0 &&
			    strcmp(v, XV_PCI_VENDOR) == 0 &&
			    (strcmp(d, XV_PCI_LEGACY) == 0 ||
			     strcmp(d, XV_PCI_MODERN) == 0)) {
				closedir(dir);
				return 1;
			}
		}
		closedir(dir);
	}
	{
		DIR *dir = opendir("/sys/bus/platform/devices");
		struct dirent *e;

		while (dir && (e = readdir(dir)))
			if (has_virtio(e->d_name)) /* virtio_mmio, virtio-mmio */
				unknown = 1;
		if (dir)
			closedir(dir);
	}
	return seen_pci && !unknown ? 0 : -1;
}

/* Looks for the port named `name`; on success copies its sysfs entry
 * ("vport0p1") to entry. Returns 0, -XC_ENOENT (not there yet). */
int xv_find_port(const char *ports_dir, const char *name, char *entry,
		 size_t size)
{
	DIR *dir = opendir(ports_dir);
	struct dirent *e;
	char got[XT_NAME_MAX + 2];
	int rc = -XC_ENOENT;

	if (!dir)
		return -XC_ENOENT;
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		if (xv_read_attr(ports_dir, e->d_name, "name", got,
				 sizeof got) < 0 ||
		    strcmp(got, name) != 0)
			continue;
		if (strlen(e->d_name) >= size) {
			rc = -XC_ENAMETOOLONG;
			break;
		}
		strcpy(entry, e->d_name);
		rc = 0;
		break;
	}
	closedir(dir);
	return rc;
}

int xv_node(const char *ports_dir, const char *dev_dir, const char *entry,
	    char *path, size_t size)
{
	char dev[32];
	unsigned maj, min;
	struct stat st;
	int n;

	n = snprintf(path, size, "%s/%s", dev_dir, entry);
	if (n < 0 || (size_t)n >= size)
		return -XC_ENAMETOOLONG;
	if (xv_read_attr(ports_dir, entry, "dev", dev, sizeof dev) < 0 ||
	    xt_parse_devnum(dev, &maj, &min) < 0) {
		xlog(XLOG_ERR, "virtio port %s: no device number in sysfs",
		     entry);
		return -XC_ENODEV;
	}
	if (stat(path, &st) == 0) {
		if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(maj, min))
			return 0;
		xlog(XLOG_ERR,
		     "%s is not the virtio port's device %u:%u: remove it "
		     "or mount devtmpfs on /dev",
		     path, maj, min);
		return -XC_EEXIST;
	}
	/* /dev without devtmpfs (or not populated yet): make the node */
	if (mknod(path, S_IFCHR | 0600, makedev(maj, min)) < 0 &&
	    errno != EEXIST) {
		n = errno;
		xlog(XLOG_ERR,
		     "cannot create %s (%u:%u): %s; mount devtmpfs "
		     "on /dev",
		     path, maj, min, strerror(n));
		return -n;
	}
	return 0;
}

static long xv_read(struct xt *t, void *buf, size_t n)
{
	ssize_t r = read(t->fd, buf, n);
	struct pollfd p = {.fd = t->fd, .events = 0};

	if (r > 0)
		return (long)r;
	if (r < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		if (errno == ENODEV)
			return -XC_EPIPE; /* unplugged */
		return -errno;
	}
	/* 0: no host connected, or it just went away. poll() would say
	 * "readable" again at once, so wait here a little. */
	if (poll(&p, 1, 0) == 1 && (p.revents & POLLHUP))
		xv_nap(XV_IDLE_MS);
	return 0;
}

static long xv_write(struct xt *t, const void *buf, size_t n)
{
	ssize_t w = write(t->fd, buf, n);

	if (w >= 0)
		return (long)w;
	if (errno == EAGAIN || errno == EINTR)
		return 0; /* full, or no host: its bytes would go nowhere */
	if (errno == ENODEV)
		return -XC_EPIPE;
	return -errno;
}

static void xv_close(struct xt *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

static const struct xt_ops xv_ops = {
    .read = xv_read,
    .write = xv_write,
    .event = NULL,
    .flushed = NULL,
    .close = xv_close,
};

int xt_open_virtio(struct xt *t, const struct xt_opts *o)
{
	char entry[64];
	int rc, present, warned = 0;

	if (!o->channel || !o->channel[0] || strlen(o->channel) >= XT_NAME_MAX)
		return -XC_EINVAL;
	present = xv_console_present();
	if (present == 0) {
		xlog(XLOG_DEBUG, "no virtio console device on this machine");
		return -XC_ENOENT;
	}
	for (;;) {
		rc =
		    xv_find_port(XV_PORTS_DIR, o->channel, entry, sizeof entry);
		if (rc == 0)
			break;
		if (rc != -XC_ENOENT)
			return rc;
		if (xt_now_ms() >= o->deadline_ms) {
			xlog(XLOG_DEBUG,
			     "no virtio-serial port named %s appeared in time",
			     o->channel);
			return -XC_ENOENT;
		}
		if (!warned && present < 0 && access(XV_PORTS_DIR, F_OK) < 0) {
			xlog(XLOG_DEBUG, "waiting for the virtio_console "
					 "driver (" XV_PORTS_DIR ")");
			warned = 1;
		}
		xv_nap(XV_SCAN_MS);
	}
	rc = xv_node(XV_PORTS_DIR, "/dev", entry, t->path, sizeof t->path);
	if (rc < 0)
		return rc;
	t->fd = open(t->path, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (t->fd < 0) {
		rc = errno;
		xlog(XLOG_ERR, "cannot open %s (virtio port %s): %s%s", t->path,
		     o->channel, strerror(rc),
		     rc == EBUSY ? "; another program has it open" : "");
		return -rc;
	}
	t->ops = &xv_ops;
	/* POLLHUP: no host yet; read() then naps instead of spinning */
	t->poll_in = POLLIN | POLLHUP;
	t->poll_out = POLLOUT;
	t->kind = "virtio";
	t->priv = NULL;
	xlog(XLOG_INFO, "virtio port %s is %s", o->channel, t->path);
	return 0;
}
