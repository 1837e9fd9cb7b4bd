/* test_netlink.c - board/linux/netlink.c on hostile kernel replies: the
 * datagram walker (lengths of 0, past the end, truncated errors, other
 * sequence numbers, dumps split across datagrams) and the link and address
 * parsers (attributes too long, too short, zero length). Silent on
 * success; one closing line. */
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "board/linux/netlink.h"

static int passed, failed;

static void check(const char *name, int cond)
{
	if (cond) {
		passed++;
	} else {
		failed++;
		printf("FAIL %s\n", name);
	}
}

/* A datagram under construction. */
static union {
	struct nlmsghdr h;
	unsigned char b[4096];
} dg;
static size_t dlen;
static struct nlmsghdr *cur;

static void msg(int type, uint32_t seq, const void *body, size_t n)
{
	cur = (struct nlmsghdr *)(dg.b + dlen);
	memset(cur, 0, NLMSG_SPACE(n));
	cur->nlmsg_len = (uint32_t)NLMSG_LENGTH(n);
	cur->nlmsg_type = (uint16_t)type;
	cur->nlmsg_seq = seq;
	memcpy(NLMSG_DATA(cur), body, n);
	dlen += NLMSG_ALIGN(cur->nlmsg_len);
}

/* Appends an attribute to the current message. */
static void attr(int type, const void *d, size_t n, int rta_len)
{
	struct rtattr *a = (struct rtattr *)((unsigned char *)cur +
					     NLMSG_ALIGN(cur->nlmsg_len));
	a->rta_type = (unsigned short)type;
	a->rta_len =
	    (unsigned short)(rta_len >= 0 ? (size_t)rta_len : RTA_LENGTH(n));
	memcpy(RTA_DATA(a), d, n);
	cur->nlmsg_len = NLMSG_ALIGN(cur->nlmsg_len) + RTA_ALIGN(RTA_LENGTH(n));
	dlen =
	    (size_t)((unsigned char *)cur - dg.b) + NLMSG_ALIGN(cur->nlmsg_len);
}

static void reset(void)
{
	dlen = 0;
	memset(&dg, 0, sizeof dg);
}

static int calls;

static int count(void *ctx, const struct nlmsghdr *h)
{
	calls++;
	return ctx ? *(int *)ctx : 0;
}

static void link_msg(uint32_t seq, int index)
{
	struct ifinfomsg i = {.ifi_family = AF_UNSPEC, .ifi_index = index};
	msg(RTM_NEWLINK, seq, &i, sizeof i);
}

static void test_walk(void)
{
	struct nlmsgerr e = {0};
	int ret, stop = 5;

	reset();
	msg(RTM_NEWLINK, 7, "", 0);
	cur->nlmsg_len = 0;
	ret = 0;
	check("zero length is an error",
	      xn_walk(7, dg.b, dlen, count, NULL, &ret) == -EPROTO);

	reset();
	link_msg(7, 1);
	cur->nlmsg_len = 5000;
	check("length past the datagram",
	      xn_walk(7, dg.b, dlen, count, NULL, &ret) == -EPROTO);

	reset();
	msg(NLMSG_ERROR, 7, "", 0);
	ret = 0;
	check("truncated error",
	      xn_walk(7, dg.b, dlen, count, NULL, &ret) == -EPROTO);

	reset();
	msg(NLMSG_ERROR, 7, &e, sizeof e);
	ret = 0;
	check("ack", xn_walk(7, dg.b, dlen, count, NULL, &ret) == 1 && !ret);

	reset();
	e.error = -17;
	msg(NLMSG_ERROR, 7, &e, sizeof e);
	check("kernel error",
	      xn_walk(7, dg.b, dlen, count, NULL, &ret) == 1 && ret == -17);

	reset();
	calls = ret = 0;
	link_msg(7, 1);
	link_msg(7, 2);
	msg(NLMSG_DONE, 7, "\0\0\0\0", 4);
	check("dump in one datagram",
	      xn_walk(7, dg.b, dlen, count, NULL, &ret) == 1 && calls == 2);

	reset();
	calls = ret = 0;
	link_msg(7, 1);
	link_msg(7, 2);
	check("dump continues",
	      xn_walk(7, dg.b, dlen, count, NULL, &ret) == 0 && calls == 2);
	reset();
	link_msg(6, 1); /* late reply to an earlier request */
	msg(NLMSG_DONE, 7, "\0\0\0\0", 4);
	check("dump ends, other seq skipped",
	      xn_walk(7, dg.b, dlen, count, NULL, &ret) == 1 && calls == 2);

	reset();
	calls = ret = 0;
	link_msg(7, 1);
	link_msg(7, 2);
	msg(NLMSG_DONE, 7, "\0\0\0\0", 4);
	check("callback stops, dump read to its end",
	      xn_walk(7, dg.b, dlen, count, &stop, &ret) == 1 && calls == 1 &&
		  ret == 5);

	reset();
	calls = ret = 0;
	link_msg(7, 1);
	check("tail shorter than a header ignored",
	      xn_walk(7, dg.b, dlen + 8, count, NULL, &ret) == 0 && calls == 1);
	check("empty datagram", xn_walk(7, dg.b, 0, count, NULL, &ret) == 0);
}

static void test_parse(void)
{
	static const unsigned char mac[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
	struct ifaddrmsg am = {
	    .ifa_family = AF_INET, .ifa_prefixlen = 24, .ifa_index = 3};
	unsigned char v4a[4] = {192, 0, 2, 1}, v4b[4] = {198, 51, 100, 1};
	unsigned char v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	struct xn_link l;
	struct xn_addr x;
	uint32_t mtu = 1400;

	reset();
	link_msg(1, 4);
	attr(IFLA_IFNAME, "eth0", 5, -1);
	attr(IFLA_ADDRESS, mac, 6, -1);
	attr(IFLA_MTU, &mtu, 4, -1);
	check("link", xn_parse_link(cur, &l) == 1 && l.index == 4 &&
			  !strcmp(l.name, "eth0") && l.has_mac &&
			  !memcmp(l.mac, mac, 6) && l.mtu == 1400);

	reset();
	link_msg(1, 4);
	attr(IFLA_IFNAME, "abcdefghijklmnopqrst", 20, -1);
	attr(IFLA_ADDRESS, mac, 5, -1);
	attr(IFLA_MTU, &mtu, 2, -1);
	check("link: long name, short mac and mtu ignored",
	      xn_parse_link(cur, &l) == 1 && l.name[0] == 0 && !l.has_mac &&
		  l.mtu == 0);

	reset();
	link_msg(1, 4);
	attr(IFLA_IFNAME, "abcdefghijklmnop", 16, -1);
	check("link: unterminated name ends in NUL",
	      xn_parse_link(cur, &l) == 1 && strlen(l.name) == 15);

	reset();
	link_msg(1, 4);
	attr(IFLA_IFNAME, "eth0", 5, 0);
	attr(IFLA_MTU, &mtu, 4, -1);
	check("link: zero-length attribute stops the walk",
	      xn_parse_link(cur, &l) == 1 && l.mtu == 0 && l.name[0] == 0);

	reset();
	link_msg(1, 4);
	attr(IFLA_MTU, &mtu, 4, 200);
	check("link: attribute past the message ignored",
	      xn_parse_link(cur, &l) == 1 && l.mtu == 0);

	reset();
	link_msg(1, 4);
	cur->nlmsg_len = NLMSG_LENGTH(4);
	check("link: message shorter than ifinfomsg",
	      xn_parse_link(cur, &l) == 0);

	reset();
	msg(RTM_NEWADDR, 1, &am, sizeof am);
	attr(IFA_ADDRESS, v4b, 4, -1);
	attr(IFA_LOCAL, v4a, 4, -1);
	check("addr: IFA_LOCAL wins",
	      xn_parse_addr(cur, &x) == 1 && x.index == 3 && x.ip.family == 4 &&
		  x.ip.prefix == 24 && !memcmp(x.ip.a, v4a, 4));

	reset();
	am.ifa_prefixlen = 33;
	msg(RTM_NEWADDR, 1, &am, sizeof am);
	attr(IFA_LOCAL, v4a, 4, -1);
	check("addr: prefix 33 refused", xn_parse_addr(cur, &x) == 0);

	reset();
	am.ifa_prefixlen = 24;
	msg(RTM_NEWADDR, 1, &am, sizeof am);
	attr(IFA_LOCAL, v6, 16, -1);
	check("addr: v4 with 16 bytes refused", xn_parse_addr(cur, &x) == 0);

	reset();
	am.ifa_family = AF_INET6;
	am.ifa_prefixlen = 64;
	msg(RTM_NEWADDR, 1, &am, sizeof am);
	attr(IFA_ADDRESS, v6, 16, -1);
	check("addr: v6", xn_parse_addr(cur, &x) == 1 && x.ip.family == 6 &&
			      x.ip.prefix == 64 && !memcmp(x.ip.a, v6, 16));

	reset();
	am.ifa_family = AF_PACKET;
	msg(RTM_NEWADDR, 1, &am, sizeof am);
	attr(IFA_ADDRESS, v6, 16, -1);
	check("addr: other family", xn_parse_addr(cur, &x) == 0);

	reset();
	link_msg(1, 4);
	check("addr parser on a link message", xn_parse_addr(cur, &x) == 0);
}

int main(void)
{
	test_walk();
	test_parse();
	printf("apply-netlink: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
