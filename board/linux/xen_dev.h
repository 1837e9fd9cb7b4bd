/* xen_dev.h - the hypervisor services the ring transport needs: xenstore
 * as a byte stream, one shared page, one event channel.
 *
 * Three implementations, chosen at link time:
 *   xen_dev.c       /dev/xen/xenbus, /dev/xen/gntalloc, /dev/xen/evtchn
 *                   (static musl, the default)
 *   xen_dev_libs.c  the same through Debian's libxengnttab/libxenevtchn
 *                   (make XEN_LIBS=1 / make agent-xenlibs)
 *   board/sim/sim_dev.c  the simulated Xen's Unix sockets
 * Every function returns >= 0 or a negative XC_E... code.
 */
#ifndef XC_XEN_DEV_H
#define XC_XEN_DEV_H

#include <stdint.h>

struct xd_gnt {
	void *page;     /* 4096 bytes, shared with the grantee */
	uint32_t ref;   /* the grant reference to publish */
	int fd;
	uint64_t index; /* gntalloc's mmap offset */
	void *handle;   /* library handle (XEN_LIBS) */
};

struct xd_evtchn {
	int fd;          /* readable when the remote end notified */
	uint32_t port;   /* our local port, to publish */
	int notify_fd;   /* simulation only: the peer's eventfd */
	void *handle;    /* library handle (XEN_LIBS) */
};

/* 1 when this system runs on Xen (or the simulation is configured). */
int xd_present(void);
/* What xd_present() looked at, for messages. */
const char *xd_where(void);

/* A xenstore connection as a stream of xs_wire messages. */
int xd_xenbus_open(void);

/* Allocates a zeroed page and grants it to domid, writable. */
int xd_gnt_share(struct xd_gnt *g, uint16_t domid);
/* Drops our mapping. The kernel keeps the page until the backend unmaps. */
void xd_gnt_end(struct xd_gnt *g);

/* Allocates an unbound port for domid; e->fd to poll. */
int xd_evtchn_alloc(struct xd_evtchn *e, uint16_t domid);
int xd_evtchn_notify(struct xd_evtchn *e);
/* Takes pending events and unmasks; returns how many (0: none). */
int xd_evtchn_consume(struct xd_evtchn *e);
void xd_evtchn_close(struct xd_evtchn *e);

/* The kernel driver bound to console-<devid> (hvc_xen), if any: 1 bound,
 * 0 not, negative error. */
int xd_kernel_bound(uint32_t devid);
/* Unbinds it through sysfs so that we can drive the console. */
int xd_kernel_unbind(uint32_t devid);

#endif
