/* xsr.c - see xsr.h. Follows xen/io/xs_wire.h (struct
 * xenstore_domain_interface) and the ordering of Mini-OS's xenbus ring:
 * indices before data, data before the index that publishes it. */
#include "xsr.h"

#include "../agent/xc_err.h"
#include "fence.h"

/* The two rings of the xenstore page, as (data, cons, prod). */
static long xsr_copy_in(volatile char *data, volatile uint32_t *cons,
			     volatile uint32_t *prod, const void *src, size_t n)
{
	uint32_t c = *cons, p = *prod;
	const unsigned char *s = src;
	size_t i, space;

	/* Indices before data. */
	XC_MB();
	if (p - c > XSR_SIZE)
		return -XC_EPROTO;
	space = XSR_SIZE - (p - c);
	if (n > space)
		n = space;
	for (i = 0; i < n; i++)
		data[(p + i) & (XSR_SIZE - 1)] = (char)s[i];
	/* Data before the index that publishes it. */
	XC_WMB();
	*prod = p + (uint32_t)n;
	return (long)n;
}

static long xsr_copy_out(volatile char *data, volatile uint32_t *cons,
			      volatile uint32_t *prod, void *dst, size_t n)
{
	uint32_t c = *cons, p = *prod;
	unsigned char *d = dst;
	size_t i;

	/* Indices before data. */
	XC_RMB();
	if (p - c > XSR_SIZE)
		return -XC_EPROTO;
	if (n > p - c)
		n = p - c;
	for (i = 0; i < n; i++)
		d[i] = (unsigned char)data[(c + i) & (XSR_SIZE - 1)];
	/* Data read before the space is handed back. */
	XC_MB();
	*cons = c + (uint32_t)n;
	return (long)n;
}

long xsr_put(volatile struct xsr_page *r, const void *p, size_t n)
{
	return xsr_copy_in(r->req, &r->req_cons, &r->req_prod, p, n);
}

long xsr_get(volatile struct xsr_page *r, void *p, size_t n)
{
	return xsr_copy_out(r->rsp, &r->rsp_cons, &r->rsp_prod, p, n);
}

long xsr_srv_get(volatile struct xsr_page *r, void *p, size_t n)
{
	return xsr_copy_out(r->req, &r->req_cons, &r->req_prod, p, n);
}

long xsr_srv_put(volatile struct xsr_page *r, const void *p,
		      size_t n)
{
	return xsr_copy_in(r->rsp, &r->rsp_cons, &r->rsp_prod, p, n);
}
