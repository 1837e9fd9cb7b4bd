/* netlink.h - a small rtnetlink client: link and address dumps, link
 * MTU/up, addresses and routes added or deleted, every request acked.
 *
 * Follows rtnetlink(7) and netlink(7) (<linux/rtnetlink.h>). One socket,
 * one fixed receive buffer in the caller-owned struct xn; every length the
 * kernel sends is checked before it is read (a 0 nlmsg_len is an error, not
 * an endless loop), every receive has a timeout.
 */
#ifndef XC_NETLINK_H
#define XC_NETLINK_H

#include <stddef.h>
#include <stdint.h>

#include "agent/config.h"

#define XN_BUF_MAX 8192 /* one receive; the kernel sizes dumps to it */
#define XN_TIMEOUT_MS 2000

struct xn {
	int fd;
	uint32_t seq;
	unsigned char buf[XN_BUF_MAX];
};

struct xn_link {
	int index;
	char name[16];
	uint8_t mac[6];
	int has_mac;
	uint32_t mtu;
	unsigned flags; /* IFF_* */
};

struct xn_addr {
	int index;
	struct xcc_ip ip;
};

/* A unicast route of the main table with a gateway. */
struct xn_route {
	int index;
	struct xcc_ip dst, gw; /* dst.prefix 0: default */
	uint32_t metric;
};

/* Opens the socket (n->fd = -1 first is fine). Returns 0 or -errno. */
int xn_open(struct xn *n);
void xn_close(struct xn *n);

/* Dumps; cb is called for each entry and returns 0 to go on. The dump is
 * always read to its end. Returns 0, cb's first non-zero value, or -errno.
 * cb must not use n. */
int xn_links(struct xn *n, int (*cb)(void *ctx, const struct xn_link *l),
	     void *ctx);
int xn_addrs(struct xn *n, int (*cb)(void *ctx, const struct xn_addr *a),
	     void *ctx);
/* Dumps the routes through a gateway of the main table. */
int xn_routes(struct xn *n, int (*cb)(void *ctx, const struct xn_route *r),
	      void *ctx);

/* Sets the MTU (0: unchanged) and IFF_UP (up < 0: unchanged). */
int xn_link_set(struct xn *n, int index, uint32_t mtu, int up);
/* add: 1 adds (-EEXIST if present), 0 deletes. */
int xn_addr(struct xn *n, int add, int index, const struct xcc_ip *ip);
/* dst with its prefix (prefix 0: default); gw NULL for an on-link route;
 * metric 0: kernel default. */
int xn_route(struct xn *n, int add, int index, const struct xcc_ip *dst,
	     const struct xcc_ip *gw, uint32_t metric);

/* For tests: one received datagram for request seq. Calls cb for each
 * data message while *ret is 0 (cb's non-zero result goes to *ret), and
 * puts a kernel error into *ret. Returns 1 when the reply is complete
 * (ack, error or end of dump), 0 when more datagrams follow, -EPROTO for
 * a malformed one. */
struct nlmsghdr;
int xn_walk(uint32_t seq, const void *buf, size_t n,
	    int (*cb)(void *ctx, const struct nlmsghdr *h), void *ctx,
	    int *ret);
/* An RTM_NEWLINK / RTM_NEWADDR message; 1 if it gave an entry. */
int xn_parse_link(const struct nlmsghdr *h, struct xn_link *l);
int xn_parse_addr(const struct nlmsghdr *h, struct xn_addr *a);

#endif
