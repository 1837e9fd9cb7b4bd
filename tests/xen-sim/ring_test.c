/* ring_test.c - frontend/ring.c: both directions, empty, full, the 2^32
 * wrap, hostile indices, and the layout against xen/io/console.h. The page
 * sits right before a PROT_NONE page so an overrun faults even without
 * ASan. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xen/io/console.h>
#include <xen/io/xs_wire.h>

#include "agent/xc_err.h"
#include "frontend/ring.h"
#include "frontend/xsr.h"
#include "frontend/xsw.h"
#include "t.h"

static struct xr_page *page;

/* A fresh zeroed page followed by an inaccessible one. */
static struct xr_page *guarded_page(void)
{
	static char *base;
	long ps = sysconf(_SC_PAGESIZE);

	if (!base) {
		base = mmap(0, 2 * ps, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		mprotect(base + ps, ps, PROT_NONE);
	}
	memset(base, 0, ps);
	/* struct end flush against the guard page */
	return (struct xr_page *)(base + ps - sizeof(struct xr_page));
}

static void t_layout(void)
{
	T_CHECK(sizeof(struct xr_page) == sizeof(struct xencons_interface));
	T_CHECK(offsetof(struct xr_page, in) ==
		offsetof(struct xencons_interface, in));
	T_CHECK(offsetof(struct xr_page, out) ==
		offsetof(struct xencons_interface, out));
	T_CHECK(offsetof(struct xr_page, in_cons) ==
		offsetof(struct xencons_interface, in_cons));
	T_CHECK(offsetof(struct xr_page, in_prod) ==
		offsetof(struct xencons_interface, in_prod));
	T_CHECK(offsetof(struct xr_page, out_cons) ==
		offsetof(struct xencons_interface, out_cons));
	T_CHECK(offsetof(struct xr_page, out_prod) ==
		offsetof(struct xencons_interface, out_prod));
	T_CHECK(sizeof(struct xsr_page) ==
		sizeof(struct xenstore_domain_interface));
	T_CHECK(offsetof(struct xsr_page, rsp_prod) ==
		offsetof(struct xenstore_domain_interface, rsp_prod));
	T_CHECK(offsetof(struct xsr_page, error) ==
		offsetof(struct xenstore_domain_interface, error));
	T_CHECK(XSW_PAYLOAD_MAX == XENSTORE_PAYLOAD_MAX);
	T_CHECK(XSR_SIZE == XENSTORE_RING_SIZE);
	T_CHECK((int)XSW_WATCH_EVENT == (int)XS_WATCH_EVENT &&
		(int)XSW_ERROR == (int)XS_ERROR);
	T_CHECK((int)XSW_WRITE == (int)XS_WRITE && (int)XSW_RM == (int)XS_RM);
	T_CHECK((int)XSW_TRANSACTION_END == (int)XS_TRANSACTION_END);
}

static void t_empty(void)
{
	struct xr_ring f, b;
	char buf[16];

	page = guarded_page();
	xr_init(&f, page, XR_FRONT);
	xr_init(&b, page, XR_BACK);
	T_CHECK(xr_recv(&f, buf, sizeof buf) == 0);
	T_CHECK(xr_recv(&b, buf, sizeof buf) == 0);
	T_CHECK(xr_rx_avail(&f) == 0 && xr_tx_unread(&f) == 0);
	T_CHECK(page->in_cons == 0 && page->out_cons == 0);
}

static void t_both_directions(void)
{
	struct xr_ring f, b;
	char buf[64];

	page = guarded_page();
	xr_init(&f, page, XR_FRONT);
	xr_init(&b, page, XR_BACK);
	T_CHECK(xr_send(&f, "hello", 5) == 5);
	T_CHECK(page->out_prod == 5 && page->in_prod == 0);
	T_CHECK(memcmp(page->out, "hello", 5) == 0);
	T_CHECK(xr_recv(&b, buf, sizeof buf) == 5);
	T_CHECK(memcmp(buf, "hello", 5) == 0 && page->out_cons == 5);
	T_CHECK(xr_send(&b, "dom0!", 5) == 5);
	T_CHECK(memcmp(page->in, "dom0!", 5) == 0 && page->in_prod == 5);
	T_CHECK(xr_recv(&f, buf, 3) == 3 && memcmp(buf, "dom", 3) == 0);
	T_CHECK(xr_recv(&f, buf, 10) == 2 && memcmp(buf, "0!", 2) == 0);
	T_CHECK(page->in_cons == 5);
}

static void t_full(void)
{
	struct xr_ring f, b;
	static char big[4096], got[4096];
	size_t i;

	for (i = 0; i < sizeof big; i++)
		big[i] = (char)(i * 7);
	page = guarded_page();
	xr_init(&f, page, XR_FRONT);
	xr_init(&b, page, XR_BACK);
	T_CHECK(xr_send(&f, big, sizeof big) == XR_OUT_SIZE);
	T_CHECK(xr_send(&f, big, 1) == 0);
	T_CHECK(xr_tx_unread(&f) == XR_OUT_SIZE);
	T_CHECK(xr_send(&b, big, sizeof big) == XR_IN_SIZE);
	T_CHECK(xr_send(&b, big, 1) == 0);
	T_CHECK(xr_recv(&b, got, sizeof got) == XR_OUT_SIZE);
	T_CHECK(memcmp(got, big, XR_OUT_SIZE) == 0);
	T_CHECK(xr_recv(&f, got, sizeof got) == XR_IN_SIZE);
	T_CHECK(memcmp(got, big, XR_IN_SIZE) == 0);
	T_CHECK(xr_send(&f, big, 1) == 1);
}

/* Both directions across the 2^32 index wrap, in odd-sized pieces. */
static void t_wrap(void)
{
	struct xr_ring f, b;
	static char big[5000], got[5000];
	size_t i, sent = 0, recvd = 0;
	long n;

	for (i = 0; i < sizeof big; i++)
		big[i] = (char)(i * 13 + 1);
	page = guarded_page();
	page->in_cons = page->in_prod = 0xffffff00u;
	page->out_cons = page->out_prod = 0xfffffe11u;
	xr_init(&f, page, XR_FRONT);
	xr_init(&b, page, XR_BACK);
	while (recvd < sizeof big) {
		n = xr_send(&f, big + sent, sizeof big - sent < 333
						   ? sizeof big - sent
						   : 333);
		T_CHECK(n >= 0);
		sent += (size_t)n;
		n = xr_recv(&b, got + recvd, 200);
		T_CHECK(n >= 0);
		if (n < 0)
			return;
		recvd += (size_t)n;
	}
	T_CHECK(memcmp(got, big, sizeof big) == 0);
	T_CHECK(page->out_prod == (uint32_t)(0xfffffe11u + sizeof big));
	T_CHECK(page->out_cons == page->out_prod);
	sent = recvd = 0;
	while (recvd < sizeof big) {
		n = xr_send(&b, big + sent, sizeof big - sent);
		T_CHECK(n >= 0);
		sent += (size_t)n;
		n = xr_recv(&f, got + recvd, 777);
		T_CHECK(n >= 0);
		if (n < 0)
			return;
		recvd += (size_t)n;
	}
	T_CHECK(memcmp(got, big, sizeof big) == 0);
	T_CHECK(page->in_prod == (uint32_t)(0xffffff00u + sizeof big));
}

static void t_hostile(void)
{
	struct xr_ring f;
	char buf[4096];

	/* The backend claims more than the ring holds. */
	page = guarded_page();
	page->in_cons = 10;
	page->in_prod = 10 + XR_IN_SIZE + 1;
	xr_init(&f, page, XR_FRONT);
	T_CHECK(xr_recv(&f, buf, sizeof buf) == -XC_EPROTO);
	T_CHECK(page->in_cons == 10); /* nothing consumed */
	/* Sticky: even a good write now fails. */
	T_CHECK(xr_send(&f, "x", 1) == -XC_EPROTO);
	T_CHECK(page->out_prod == 0);
	/* cons ahead of prod is the same thing seen modulo 2^32. */
	page = guarded_page();
	page->in_cons = 100;
	page->in_prod = 50;
	xr_init(&f, page, XR_FRONT);
	T_CHECK(xr_rx_avail(&f) == -XC_EPROTO);
	/* The backend moves out_cons past our producer. */
	page = guarded_page();
	page->out_cons = 0x80000000u;
	xr_init(&f, page, XR_FRONT);
	T_CHECK(xr_send(&f, "abc", 3) == -XC_EPROTO);
	/* Exactly full is legal. */
	page = guarded_page();
	page->in_cons = 0xfffffc00u;
	page->in_prod = 0xfffffc00u + XR_IN_SIZE;
	xr_init(&f, page, XR_FRONT);
	T_CHECK(xr_recv(&f, buf, sizeof buf) == XR_IN_SIZE);
	T_CHECK(page->in_cons == 0);
}

static void t_xs_ring(void)
{
	static char store[2 * sizeof(struct xsr_page)];
	volatile struct xsr_page *r = (void *)store;
	char buf[2048];
	int i;

	memset(store, 0, sizeof store);
	r->req_prod = r->req_cons = 0xfffffff0u;
	for (i = 0; i < 3; i++) {
		T_CHECK(xsr_put(r, "0123456789abcdef0123", 20) == 20);
		T_CHECK(xsr_srv_get(r, buf, sizeof buf) == 20);
		T_CHECK(memcmp(buf, "0123456789abcdef0123", 20) == 0);
	}
	memset(buf, 'z', sizeof buf);
	T_CHECK(xsr_srv_put(r, buf, sizeof buf) == XSR_SIZE);
	T_CHECK(xsr_get(r, buf, 10) == 10);
	r->rsp_prod = r->rsp_cons + XSR_SIZE + 5;
	T_CHECK(xsr_get(r, buf, sizeof buf) == -XC_EPROTO);
}

int main(void)
{
	static const struct t_case cases[] = {
		{"layout", t_layout},	  {"empty", t_empty},
		{"both-directions", t_both_directions},
		{"full", t_full},	  {"wrap-2^32", t_wrap},
		{"hostile-indices", t_hostile},
		{"xenstore-ring", t_xs_ring},
	};

	return t_run("xen-sim-ring", cases, sizeof cases / sizeof cases[0]);
}
