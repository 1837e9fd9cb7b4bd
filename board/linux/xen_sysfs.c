/* xen_sysfs.c - see xen_sysfs.h and xen_dev.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent/xc_err.h"
#include "board/linux/xen_dev.h"
#include "board/linux/xen_sysfs.h"

static const char *xsy_seen = "nothing";

/* Without a xenbus device nothing Xen can be used, whatever
 * /sys/hypervisor says: the answer must come fast for `auto`. */
int xd_present(void)
{
	static const char *const paths[] = {"/dev/xen/xenbus",
					    "/proc/xen/xenbus"};
	unsigned i;

	for (i = 0; i < 2; i++)
		if (access(paths[i], F_OK) == 0) {
			xsy_seen = paths[i];
			return 1;
		}
	xsy_seen = "no /dev/xen/xenbus or /proc/xen/xenbus";
	return 0;
}

const char *xd_where(void)
{
	return xsy_seen;
}

int xd_xenbus_open(void)
{
	int fd = open("/dev/xen/xenbus", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fd = open("/proc/xen/xenbus", O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

void xsy_console_dir(char *buf, unsigned cap, uint32_t devid)
{
	snprintf(buf, cap, XSY_BUS "/console-%u", (unsigned)devid);
}

int xsy_console_exists(uint32_t devid)
{
	char p[96];

	xsy_console_dir(p, sizeof p, devid);
	return access(p, F_OK) == 0;
}

int xd_kernel_bound(uint32_t devid)
{
	char p[128];

	xsy_console_dir(p, sizeof p, devid);
	strcat(p, "/driver");
	if (access(p, F_OK) == 0)
		return 1;
	return errno == ENOENT ? 0 : -errno;
}

int xd_kernel_unbind(uint32_t devid)
{
	char p[128], name[32];
	int fd, n;

	xsy_console_dir(p, sizeof p, devid);
	strcat(p, "/driver/unbind");
	n = snprintf(name, sizeof name, "console-%u", (unsigned)devid);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno; /* nothing bound */
	if (write(fd, name, (size_t)n) != n) {
		int e = errno;
		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}
