/* xsr.h - the xenstore ring page (struct xenstore_domain_interface in
 * xen/io/xs_wire.h): two 1 KiB byte rings with free-running indices, for
 * boards that talk to xenstored without /dev/xen/xenbus (unikernels). The
 * bytes are xs_wire messages for the client in xsw.h; the board notifies
 * the xenstore event channel when a call moved bytes.
 */
#ifndef XC_XSR_H
#define XC_XSR_H

#include <stddef.h>
#include <stdint.h>

/* The xenstore ring page (struct xenstore_domain_interface), for boards
 * without /dev/xen/xenbus. Same layout as the header; the test checks it. */
#define XSR_SIZE 1024
struct xsr_page {
	char req[XSR_SIZE];
	char rsp[XSR_SIZE];
	uint32_t req_cons, req_prod;
	uint32_t rsp_cons, rsp_prod;
	uint32_t server_features;
	uint32_t connection;
	uint32_t error;
};

/* Client side: puts up to n request bytes / takes up to n reply bytes.
 * Returns bytes moved (notify the event channel if > 0) or -XC_EPROTO
 * when the server's index is out of range. */
long xsr_put(volatile struct xsr_page *r, const void *p, size_t n);
long xsr_get(volatile struct xsr_page *r, void *p, size_t n);
/* Server side (the simulation and tests). */
long xsr_srv_get(volatile struct xsr_page *r, void *p, size_t n);
long xsr_srv_put(volatile struct xsr_page *r, const void *p,
		      size_t n);

#endif
