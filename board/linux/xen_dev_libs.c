/* xen_dev_libs.c - xen_dev.h through Debian's libxengnttab (xengntshr_*)
 * and libxenevtchn instead of our own ioctls (xen_dev.c). Compiled only
 * with XC_XEN_LIBS (make XEN_LIBS=1, or the agent-xenlibs target); those
 * libraries allocate, so this build is not the heap-free default. */
#ifdef XC_XEN_LIBS
#include <errno.h>
#include <string.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#include "agent/xc_err.h"
#include "board/linux/xen_dev.h"

int xd_gnt_share(struct xd_gnt *g, uint16_t domid)
{
	xengntshr_handle *h;
	void *p;

	memset(g, 0, sizeof *g);
	g->fd = -1;
	h = xengntshr_open(NULL, 0);
	if (!h)
		return errno ? -errno : -XC_ENODEV;
	p = xengntshr_share_pages(h, domid, 1, &g->ref, 1);
	if (!p) {
		int e = errno ? errno : XC_ENOMEM;
		xengntshr_close(h);
		return -e;
	}
	memset(p, 0, 4096);
	g->page = p;
	g->handle = h;
	return 0;
}

void xd_gnt_end(struct xd_gnt *g)
{
	if (g->handle) {
		if (g->page)
			xengntshr_unshare(g->handle, g->page, 1);
		xengntshr_close(g->handle);
	}
	g->handle = g->page = NULL;
}

int xd_evtchn_alloc(struct xd_evtchn *e, uint16_t domid)
{
	xenevtchn_handle *h;
	xenevtchn_port_or_error_t port;

	memset(e, 0, sizeof *e);
	e->fd = e->notify_fd = -1;
	h = xenevtchn_open(NULL, 0);
	if (!h)
		return errno ? -errno : -XC_ENODEV;
	port = xenevtchn_bind_unbound_port(h, domid);
	if (port < 0) {
		int err = errno ? errno : XC_EIO;
		xenevtchn_close(h);
		return -err;
	}
	e->handle = h;
	e->port = (uint32_t)port;
	e->fd = xenevtchn_fd(h);
	return 0;
}

int xd_evtchn_notify(struct xd_evtchn *e)
{
	return xenevtchn_notify(e->handle, e->port) < 0 ? -errno : 0;
}

int xd_evtchn_consume(struct xd_evtchn *e)
{
	xenevtchn_port_or_error_t p = xenevtchn_pending(e->handle);

	if (p < 0)
		return 0;
	xenevtchn_unmask(e->handle, (evtchn_port_t)p);
	return 1;
}

void xd_evtchn_close(struct xd_evtchn *e)
{
	if (e->handle) {
		xenevtchn_unbind(e->handle, e->port);
		xenevtchn_close(e->handle);
	}
	e->handle = NULL;
	e->fd = -1;
}
#else
typedef int xd_dev_libs_unused; /* the default build uses xen_dev.c */
#endif
