/* netlink.c - rtnetlink client; see netlink.h. */
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "netlink.h"

/* A request: header, family message, room for a few attributes. */
struct xn_req {
	struct nlmsghdr h;
	union {
		struct ifinfomsg i;
		struct ifaddrmsg a;
		struct rtmsg r;
		struct rtgenmsg g;
	} u;
	unsigned char attrs[128];
};

int xn_open(struct xn *n)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	struct timeval tv = {XN_TIMEOUT_MS / 1000, XN_TIMEOUT_MS % 1000 * 1000};

	n->seq = 0;
	n->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (n->fd < 0)
		return -errno;
	if (setsockopt(n->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
	    bind(n->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = -errno;
		xn_close(n);
		return e;
	}
	return 0;
}

void xn_close(struct xn *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

static void put_attr(struct xn_req *q, int type, const void *d, size_t len)
{
	struct rtattr *a =
	    (struct rtattr *)((char *)q + NLMSG_ALIGN(q->h.nlmsg_len));

	/* callers add at most four small attributes: attrs[] holds them */
	a->rta_type = (unsigned short)type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), d, len);
	q->h.nlmsg_len = NLMSG_ALIGN(q->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

int xn_walk(uint32_t seq, const void *buf, size_t n,
	    int (*cb)(void *ctx, const struct nlmsghdr *h), void *ctx, int *ret)
{
	const unsigned char *b = buf;
	size_t left = n, len;

	while (left >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)b;

		len = h->nlmsg_len;
		if (len < sizeof *h || len > left)
			return -EPROTO; /* a 0 here would loop forever */
		if (h->nlmsg_seq != seq) {
			/* a late reply to an earlier request */
		} else if (h->nlmsg_type == NLMSG_DONE) {
			return 1;
		} else if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);
			if (len < NLMSG_LENGTH(sizeof *e))
				return -EPROTO;
			if (e->error)
				*ret = e->error;
			return 1;
		} else if (!*ret && cb) {
			*ret = cb(ctx, h);
		}
		len = NLMSG_ALIGN(len);
		if (len >= left)
			break;
		b += len;
		left -= len;
	}
	return 0;
}

/* Sends q and reads replies up to the ack or the end of the dump. */
static int xn_talk(struct xn *n, struct xn_req *q,
		   int (*cb)(void *ctx, const struct nlmsghdr *h), void *ctx)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	int ret = 0, done = 0;

	q->h.nlmsg_seq = ++n->seq;
	if (sendto(n->fd, q, q->h.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof sa) < 0)
		return -errno;
	while (!done) {
		ssize_t r = recv(n->fd, n->buf, sizeof n->buf, MSG_TRUNC);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if ((size_t)r > sizeof n->buf)
			return -EMSGSIZE;
		done = xn_walk(n->seq, n->buf, (size_t)r, cb, ctx, &ret);
		if (done < 0)
			return done;
	}
	return ret;
}

struct link_cb {
	int (*cb)(void *ctx, const struct xn_link *l);
	void *ctx;
};

int xn_parse_link(const struct nlmsghdr *h, struct xn_link *l)
{
	const struct ifinfomsg *i = NLMSG_DATA(h);
	const struct rtattr *a;
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof *i);

	if (h->nlmsg_type != RTM_NEWLINK || len < 0)
		return 0;
	memset(l, 0, sizeof *l);
	l->index = i->ifi_index;
	l->flags = i->ifi_flags;
	for (a = IFLA_RTA(i); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		size_t dl = RTA_PAYLOAD(a);
		if (a->rta_type == IFLA_IFNAME && dl > 0 &&
		    dl <= sizeof l->name)
			memcpy(l->name, RTA_DATA(a), dl);
		else if (a->rta_type == IFLA_ADDRESS && dl == 6) {
			memcpy(l->mac, RTA_DATA(a), 6);
			l->has_mac = 1;
		} else if (a->rta_type == IFLA_MTU && dl == 4)
			memcpy(&l->mtu, RTA_DATA(a), 4);
	}
	l->name[sizeof l->name - 1] = 0;
	return 1;
}

static int on_link(void *ctx, const struct nlmsghdr *h)
{
	const struct link_cb *c = ctx;
	struct xn_link l;

	return xn_parse_link(h, &l) ? c->cb(c->ctx, &l) : 0;
}

int xn_links(struct xn *n, int (*cb)(void *ctx, const struct xn_link *l),
	     void *ctx)
{
	struct xn_req q;
	struct link_cb c = {cb, ctx};

	memset(&q, 0, sizeof q);
	q.h.nlmsg_len = NLMSG_LENGTH(sizeof q.u.i);
	q.h.nlmsg_type = RTM_GETLINK;
	q.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	q.u.i.ifi_family = AF_UNSPEC;
	return xn_talk(n, &q, on_link, &c);
}

struct addr_cb {
	int (*cb)(void *ctx, const struct xn_addr *a);
	void *ctx;
};

int xn_parse_addr(const struct nlmsghdr *h, struct xn_addr *x)
{
	const struct ifaddrmsg *m = NLMSG_DATA(h);
	const struct rtattr *a;
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof *m), got = 0;
	size_t want;

	if (h->nlmsg_type != RTM_NEWADDR || len < 0 ||
	    (m->ifa_family != AF_INET && m->ifa_family != AF_INET6))
		return 0;
	memset(x, 0, sizeof *x);
	x->index = (int)m->ifa_index;
	x->ip.family = m->ifa_family == AF_INET ? 4 : 6;
	want = x->ip.family == 4 ? 4 : 16;
	if (m->ifa_prefixlen > want * 8)
		return 0;
	x->ip.prefix = m->ifa_prefixlen;
	/* IFA_LOCAL is our side of a point-to-point link; else IFA_ADDRESS */
	for (a = IFA_RTA(m); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (RTA_PAYLOAD(a) != want)
			continue;
		if (a->rta_type == IFA_LOCAL ||
		    (a->rta_type == IFA_ADDRESS && !got)) {
			memcpy(x->ip.a, RTA_DATA(a), want);
			got = 1;
		}
	}
	return got;
}

static int on_addr(void *ctx, const struct nlmsghdr *h)
{
	const struct addr_cb *c = ctx;
	struct xn_addr x;

	return xn_parse_addr(h, &x) ? c->cb(c->ctx, &x) : 0;
}

int xn_addrs(struct xn *n, int (*cb)(void *ctx, const struct xn_addr *a),
	     void *ctx)
{
	struct xn_req q;
	struct addr_cb c = {cb, ctx};

	memset(&q, 0, sizeof q);
	q.h.nlmsg_len = NLMSG_LENGTH(sizeof q.u.a);
	q.h.nlmsg_type = RTM_GETADDR;
	q.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	q.u.a.ifa_family = AF_UNSPEC;
	return xn_talk(n, &q, on_addr, &c);
}

struct route_cb {
	int (*cb)(void *ctx, const struct xn_route *r);
	void *ctx;
};

static int on_route(void *ctx, const struct nlmsghdr *h)
{
	const struct route_cb *c = ctx;
	const struct rtmsg *m = NLMSG_DATA(h);
	const struct rtattr *a;
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof *m);
	struct xn_route r;
	size_t want;

	if (h->nlmsg_type != RTM_NEWROUTE || len < 0 ||
	    m->rtm_table != RT_TABLE_MAIN || m->rtm_type != RTN_UNICAST ||
	    (m->rtm_family != AF_INET && m->rtm_family != AF_INET6))
		return 0;
	memset(&r, 0, sizeof r);
	r.dst.family = r.gw.family = m->rtm_family == AF_INET ? 4 : 6;
	want = r.dst.family == 4 ? 4 : 16;
	if (m->rtm_dst_len > want * 8)
		return 0;
	r.dst.prefix = m->rtm_dst_len;
	for (a = RTM_RTA(m); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		size_t dl = RTA_PAYLOAD(a);
		if (a->rta_type == RTA_DST && dl == want)
			memcpy(r.dst.a, RTA_DATA(a), want);
		else if (a->rta_type == RTA_GATEWAY && dl == want)
			memcpy(r.gw.a, RTA_DATA(a), want), r.gw.prefix = 1;
		else if (a->rta_type == RTA_OIF && dl == 4)
			memcpy(&r.index, RTA_DATA(a), 4);
		else if (a->rta_type == RTA_PRIORITY && dl == 4)
			memcpy(&r.metric, RTA_DATA(a), 4);
	}
	if (!r.gw.prefix)
		return 0; /* on-link routes follow from the addresses */
	r.gw.prefix = (uint8_t)(want * 8);
	return c->cb(c->ctx, &r);
}

int xn_routes(struct xn *n, int (*cb)(void *ctx, const struct xn_route *r),
	      void *ctx)
{
	struct xn_req q;
	struct route_cb c = {cb, ctx};

	memset(&q, 0, sizeof q);
	q.h.nlmsg_len = NLMSG_LENGTH(sizeof q.u.r);
	q.h.nlmsg_type = RTM_GETROUTE;
	q.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	q.u.r.rtm_family = AF_UNSPEC;
	return xn_talk(n, &q, on_route, &c);
}

int xn_link_set(struct xn *n, int index, uint32_t mtu, int up)
{
	struct xn_req q;

	memset(&q, 0, sizeof q);
	q.h.nlmsg_len = NLMSG_LENGTH(sizeof q.u.i);
	q.h.nlmsg_type = RTM_NEWLINK;
	q.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	q.u.i.ifi_family = AF_UNSPEC;
	q.u.i.ifi_index = index;
	if (up >= 0) {
		q.u.i.ifi_change = IFF_UP;
		q.u.i.ifi_flags = up ? IFF_UP : 0;
	}
	if (mtu)
		put_attr(&q, IFLA_MTU, &mtu, 4);
	return xn_talk(n, &q, NULL, NULL);
}

static size_t ip_len(const struct xcc_ip *ip)
{
	return ip->family == 4 ? 4 : 16;
}

int xn_addr(struct xn *n, int add, int index, const struct xcc_ip *ip)
{
	struct xn_req q;

	memset(&q, 0, sizeof q);
	q.h.nlmsg_len = NLMSG_LENGTH(sizeof q.u.a);
	q.h.nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	q.h.nlmsg_flags =
	    NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	q.u.a.ifa_family = ip->family == 4 ? AF_INET : AF_INET6;
	q.u.a.ifa_prefixlen = ip->prefix;
	q.u.a.ifa_index = (unsigned)index;
	/* provisioned addresses are ours: no duplicate detection delay */
	q.u.a.ifa_flags = ip->family == 6 ? IFA_F_NODAD : 0;
	put_attr(&q, IFA_LOCAL, ip->a, ip_len(ip));
	put_attr(&q, IFA_ADDRESS, ip->a, ip_len(ip));
	return xn_talk(n, &q, NULL, NULL);
}

int xn_route(struct xn *n, int add, int index, const struct xcc_ip *dst,
	     const struct xcc_ip *gw, uint32_t metric)
{
	struct xn_req q;
	uint32_t oif = (uint32_t)index;

	if (gw && gw->family != dst->family)
		return -EAFNOSUPPORT;
	memset(&q, 0, sizeof q);
	q.h.nlmsg_len = NLMSG_LENGTH(sizeof q.u.r);
	q.h.nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	q.h.nlmsg_flags =
	    NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	q.u.r.rtm_family = dst->family == 4 ? AF_INET : AF_INET6;
	q.u.r.rtm_dst_len = dst->prefix;
	q.u.r.rtm_table = RT_TABLE_MAIN;
	q.u.r.rtm_protocol = RTPROT_STATIC;
	q.u.r.rtm_scope = !add ? RT_SCOPE_NOWHERE
			  : gw ? RT_SCOPE_UNIVERSE
			       : RT_SCOPE_LINK;
	q.u.r.rtm_type = RTN_UNICAST;
	if (dst->prefix)
		put_attr(&q, RTA_DST, dst->a, ip_len(dst));
	if (gw)
		put_attr(&q, RTA_GATEWAY, gw->a, ip_len(gw));
	put_attr(&q, RTA_OIF, &oif, 4);
	if (metric)
		put_attr(&q, RTA_PRIORITY, &metric, 4);
	return xn_talk(n, &q, NULL, NULL);
}
