/* ring.c - see ring.h. Follows xen/io/console.h and the ordering Xen's
 * reference frontends use: read both indices once, fence, check, copy,
 * fence, publish the one index we own. */
#include "ring.h"

#include "../agent/xc_err.h"
#include "fence.h"

/* One direction of the page, seen from the end that is using it. */
struct xr_dir {
	volatile char *data;
	uint32_t size;
	volatile uint32_t *cons;
	volatile uint32_t *prod;
};

static void xr_dir(struct xr_ring *r, int receiving, struct xr_dir *d)
{
	volatile struct xr_page *p = r->page;
	int use_in = (r->side == XR_FRONT) == (receiving != 0);

	if (use_in) {
		d->data = p->in;
		d->size = XR_IN_SIZE;
		d->cons = &p->in_cons;
		d->prod = &p->in_prod;
	} else {
		d->data = p->out;
		d->size = XR_OUT_SIZE;
		d->cons = &p->out_cons;
		d->prod = &p->out_prod;
	}
}

static long xr_fail(struct xr_ring *r)
{
	if (!r->err)
		r->err = -XC_EPROTO;
	return r->err;
}

/* Copies n bytes starting at index `at`, in at most two pieces (the ring
 * wraps once at most: n <= size). The fences around the calls order them;
 * the bytes themselves need no volatile access. */
static void xr_copy_out(const struct xr_dir *d, uint32_t at, unsigned char *dst,
			size_t n)
{
	const char *data = (const char *)d->data;
	size_t off = at & (d->size - 1), first = d->size - off;

	if (first > n)
		first = n;
	__builtin_memcpy(dst, data + off, first);
	__builtin_memcpy(dst + first, data, n - first);
}

static void xr_copy_in(const struct xr_dir *d, uint32_t at,
		       const unsigned char *src, size_t n)
{
	char *data = (char *)d->data;
	size_t off = at & (d->size - 1), first = d->size - off;

	if (first > n)
		first = n;
	__builtin_memcpy(data + off, src, first);
	__builtin_memcpy(data, src + first, n - first);
}

void xr_init(struct xr_ring *r, void *page, enum xr_side side)
{
	r->page = page;
	r->side = side;
	r->err = 0;
	r->rx_bytes = r->tx_bytes = 0;
}

/* Snapshot of one direction: fill = prod - cons, checked. */
static long xr_snap(struct xr_ring *r, const struct xr_dir *d, uint32_t *cons,
		    uint32_t *prod)
{
	*cons = *d->cons;
	*prod = *d->prod;
	/* The indices are read before any data byte they cover. */
	XC_RMB();
	if (*prod - *cons > d->size)
		return xr_fail(r);
	return (long)(*prod - *cons);
}

long xr_recv(struct xr_ring *r, void *buf, size_t n)
{
	struct xr_dir d;
	uint32_t cons, prod;
	unsigned char *out = buf;
	long fill;

	if (r->err)
		return r->err;
	xr_dir(r, 1, &d);
	fill = xr_snap(r, &d, &cons, &prod);
	if (fill < 0)
		return fill;
	if ((size_t)fill < n)
		n = (size_t)fill;
	xr_copy_out(&d, cons, out, n);
	/* Our reads of the data finish before the peer may reuse the space. */
	XC_MB();
	*d.cons = cons + (uint32_t)n;
	r->rx_bytes += n;
	return (long)n;
}

long xr_send(struct xr_ring *r, const void *buf, size_t n)
{
	struct xr_dir d;
	uint32_t cons, prod;
	const unsigned char *in = buf;
	long fill;
	size_t space;

	if (r->err)
		return r->err;
	xr_dir(r, 0, &d);
	fill = xr_snap(r, &d, &cons, &prod);
	if (fill < 0)
		return fill;
	space = d.size - (size_t)fill;
	if (space < n)
		n = space;
	xr_copy_in(&d, prod, in, n);
	/* The data is visible before the index that publishes it. */
	XC_WMB();
	*d.prod = prod + (uint32_t)n;
	r->tx_bytes += n;
	return (long)n;
}

long xr_rx_avail(struct xr_ring *r)
{
	struct xr_dir d;
	uint32_t cons, prod;

	if (r->err)
		return r->err;
	xr_dir(r, 1, &d);
	return xr_snap(r, &d, &cons, &prod);
}

long xr_tx_unread(struct xr_ring *r)
{
	struct xr_dir d;
	uint32_t cons, prod;

	if (r->err)
		return r->err;
	xr_dir(r, 0, &d);
	return xr_snap(r, &d, &cons, &prod);
}
