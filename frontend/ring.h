/* ring.h - the Xen PV console ring (xen/io/console.h), both ends.
 *
 * The page holds two byte rings and four free-running 32-bit indices:
 *   in[1024]   backend to frontend (dom0 to guest)
 *   out[2048]  frontend to backend (guest to dom0)
 *   in_cons, in_prod, out_cons, out_prod
 * A ring holds prod - cons bytes (unsigned, so correct across the 2^32
 * wrap); byte i lives at i & (size - 1). Indices are never compared with
 * '<'. The other side writes half of the indices and can write any value:
 * each index is read once into a local, and prod - cons > size is reported
 * as -XC_EPROTO (sticky), never used to address memory.
 *
 * xr_recv()/xr_send() return the bytes moved; the caller notifies the other
 * end (event channel) only when that is > 0. The same code serves the
 * frontend (the agent) and the backend (the simulation's QEMU), chosen by
 * `side`.
 */
#ifndef XC_RING_H
#define XC_RING_H

#include <stddef.h>
#include <stdint.h>

#define XR_IN_SIZE 1024
#define XR_OUT_SIZE 2048

/* Same layout as struct xencons_interface in xen/io/console.h; the unit
 * test checks every offset against the real header. */
struct xr_page {
	char in[XR_IN_SIZE];
	char out[XR_OUT_SIZE];
	uint32_t in_cons, in_prod;
	uint32_t out_cons, out_prod;
};

enum xr_side {
	XR_FRONT = 0, /* reads in[], writes out[] */
	XR_BACK,      /* reads out[], writes in[] */
};

struct xr_ring {
	volatile struct xr_page *page;
	enum xr_side side;
	int err; /* first error, sticky */
	uint64_t rx_bytes, tx_bytes;
};

void xr_init(struct xr_ring *r, void *page, enum xr_side side);

/* Copies up to n received bytes into buf and frees their ring space.
 * Returns bytes copied (0: ring empty) or -XC_EPROTO. */
long xr_recv(struct xr_ring *r, void *buf, size_t n);

/* Copies up to n bytes into the ring. Returns bytes accepted (0: full) or
 * -XC_EPROTO. */
long xr_send(struct xr_ring *r, const void *buf, size_t n);

/* Bytes waiting to be received / bytes the peer has not consumed yet, or
 * -XC_EPROTO. */
long xr_rx_avail(struct xr_ring *r);
long xr_tx_unread(struct xr_ring *r);

#endif
