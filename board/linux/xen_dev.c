/* xen_dev.c - xen_dev.h over Linux's Xen device files (the default).
 *
 * /dev/xen/xenbus: xs_wire messages, one write per request, replies and
 * watch events read back (the kernel matches them to this file).
 * /dev/xen/gntalloc: IOCTL_GNTALLOC_ALLOC_GREF gives a grant reference and
 * an mmap offset for a fresh page (xen/sys/gntalloc.h).
 * /dev/xen/evtchn: IOCTL_EVTCHN_BIND_UNBOUND_PORT; read() gives pending
 * ports, write() of a port unmasks it (xen/sys/evtchn.h).
 * Built unless XC_XEN_LIBS selects xen_dev_libs.c.
 */
#ifndef XC_XEN_LIBS
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
typedef uint16_t domid_t; /* xen/sys/evtchn.h expects it from xen.h */
#include <xen/sys/evtchn.h>
#include <xen/sys/gntalloc.h>

#include "agent/xc_err.h"
#include "board/linux/xen_dev.h"
#include "board/linux/xen_sysfs.h"

int xd_gnt_share(struct xd_gnt *g, uint16_t domid)
{
	struct ioctl_gntalloc_alloc_gref a;
	void *p;

	memset(g, 0, sizeof *g);
	g->fd = open("/dev/xen/gntalloc", O_RDWR | O_CLOEXEC);
	if (g->fd < 0)
		return -errno;
	memset(&a, 0, sizeof a);
	a.domid = domid;
	a.flags = GNTALLOC_FLAG_WRITABLE;
	a.count = 1;
	if (ioctl(g->fd, IOCTL_GNTALLOC_ALLOC_GREF, &a) < 0)
		goto fail;
	p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, g->fd,
		 (off_t)a.index);
	if (p == MAP_FAILED)
		goto fail;
	memset(p, 0, 4096);
	g->page = p;
	g->ref = a.gref_ids[0];
	g->index = a.index;
	return 0;
fail:;
	int e = errno;
	close(g->fd);
	g->fd = -1;
	return -e;
}

void xd_gnt_end(struct xd_gnt *g)
{
	struct ioctl_gntalloc_dealloc_gref d = {.index = g->index, .count = 1};

	if (g->page)
		munmap(g->page, 4096);
	/* gntalloc frees the page only once the backend has unmapped it. */
	if (g->fd >= 0) {
		ioctl(g->fd, IOCTL_GNTALLOC_DEALLOC_GREF, &d);
		close(g->fd);
	}
	g->page = 0;
	g->fd = -1;
}

int xd_evtchn_alloc(struct xd_evtchn *e, uint16_t domid)
{
	struct ioctl_evtchn_bind_unbound_port b = {.remote_domain = domid};
	int port;

	memset(e, 0, sizeof *e);
	e->notify_fd = -1;
	e->fd = open("/dev/xen/evtchn", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (e->fd < 0)
		return -errno;
	port = ioctl(e->fd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &b);
	if (port < 0) {
		int err = errno;
		close(e->fd);
		e->fd = -1;
		return -err;
	}
	e->port = (uint32_t)port;
	return 0;
}

int xd_evtchn_notify(struct xd_evtchn *e)
{
	struct ioctl_evtchn_notify n = {.port = e->port};

	return ioctl(e->fd, IOCTL_EVTCHN_NOTIFY, &n) < 0 ? -errno : 0;
}

int xd_evtchn_consume(struct xd_evtchn *e)
{
	uint32_t ports[16];
	ssize_t n;
	int got = 0;

	while ((n = read(e->fd, ports, sizeof ports)) > 0)
		got += (int)(n / sizeof ports[0]);
	/* A port stays masked after it fired until we write it back. */
	if (got && write(e->fd, &e->port, sizeof e->port) < 0)
		return -errno;
	return got;
}

void xd_evtchn_close(struct xd_evtchn *e)
{
	struct ioctl_evtchn_unbind u = {.port = e->port};

	if (e->fd >= 0) {
		ioctl(e->fd, IOCTL_EVTCHN_UNBIND, &u);
		close(e->fd);
	}
	e->fd = -1;
}
#endif
