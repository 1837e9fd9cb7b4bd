/* netplan.c - see netplan.h. Version 2 follows netplan's YAML reference
 * ("ethernets"); version 1 follows cloud-init's "Networking config
 * Version 1" (physical interfaces, static subnets, nameserver entries).
 */
#include "host/netplan.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/hvalid.h"

#define NP_NAMES_MAX 32 /* nameservers, search domains kept for dedup */

struct np_state {
	struct hc_config *c;
	int nns, nsearch, nifaces;
	char ns[NP_NAMES_MAX][64];
	char search[NP_NAMES_MAX][256];
};

/* The interface id: the name when it is a valid one, else "if<N>". */
static void make_ifid(char out[16], const char *name, int index)
{
	if (name && strlen(name) <= 15 && hv_is_ifid(name))
		snprintf(out, 16, "%s", name);
	else
		snprintf(out, 16, "if%d", index);
}

static int add_dns(void *ctx, struct yw_doc *d, yaml_node_t *n,
		   const char *kind)
{
	struct np_state *s = ctx;
	const char *v = yw_scalar(n);
	int search = !strcmp(kind, "search"), i;
	int *cnt = search ? &s->nsearch : &s->nns;

	if (!v)
		return hc_error(d->c, yw_at(d, n),
				"nameservers.%s: want strings",
				search ? "search" : "addresses");
	for (i = 0; i < *cnt; i++)
		if (!strcmp(search ? s->search[i] : s->ns[i], v))
			return 0; /* the same server on two interfaces */
	if (*cnt == NP_NAMES_MAX)
		return hc_error(d->c, yw_at(d, n), "more than %d %s",
				NP_NAMES_MAX, kind);
	snprintf(search ? s->search[*cnt] : s->ns[*cnt], search ? 256 : 64,
		 "%s", v);
	(*cnt)++;
	return search ? hc_add_search(s->c, yw_at(d, n), v)
		      : hc_add_nameserver(s->c, yw_at(d, n), v);
}

static int add_addr(void *ctx, struct yw_doc *d, yaml_node_t *n,
		    const char *ifid)
{
	struct np_state *s = ctx;
	if (!yw_scalar(n)) {
		hc_undelivered(s->c,
			       "network-config ethernets.%s.addresses "
			       "(address with options)",
			       ifid);
		return 0;
	}
	return hc_add_addr(s->c, yw_at(d, n), ifid, yw_scalar(n));
}

static int add_route(void *ctx, struct yw_doc *d, yaml_node_t *n,
		     const char *ifid)
{
	struct np_state *s = ctx;
	static const char *const known[] = {"to", "via", "metric", NULL};
	const char *to, *via, *metric;
	uint32_t m = 0;
	char pfx[80];

	if (!yw_is_map(n))
		return hc_error(d->c, yw_at(d, n),
				"a route must be a mapping "
				"with to, via, metric");
	if (yw_str_at(d, n, "to", &to) || yw_str_at(d, n, "via", &via) ||
	    yw_str_at(d, n, "metric", &metric))
		return -1;
	if (metric && hv_parse_u32(metric, 0xffffffffu, &m))
		return hc_error(d->c, yw_at(d, n), "bad route metric");
	if (to && (!strcmp(to, "0.0.0.0/0") || !strcmp(to, "::/0")))
		to = "default";
	snprintf(pfx, sizeof pfx, "network-config ethernets.%s.routes", ifid);
	yw_others(d, n, known, pfx);
	return hc_add_route(s->c, yw_at(d, n), ifid, to, via, m);
}

static int ethernet(struct np_state *s, struct yw_doc *d, const char *key,
		    yaml_node_t *e, int index)
{
	static const char *const known[] = {
	    "match",	"set-name", "addresses",   "gateway4",
	    "gateway6", "routes",   "nameservers", "mtu",
	    "dhcp4",	"dhcp6",    NULL};
	static const char *const known_match[] = {"macaddress", "name", NULL};
	static const char *const known_ns[] = {"addresses", "search", NULL};
	yaml_node_t *match = yw_get(d, e, "match"),
		    *ns = yw_get(d, e, "nameservers");
	const char *mac = NULL, *name = NULL, *mtu_s, *gw4, *gw6, *setname;
	char ifid[16], pfx[96];
	uint32_t mtu = 0;

	if (!yw_is_map(e))
		return hc_error(d->c, yw_at(d, e),
				"ethernets.%s must be a "
				"mapping",
				key);
	make_ifid(ifid, key, index);
	snprintf(pfx, sizeof pfx, "network-config ethernets.%s", key);
	if (match && (yw_str_at(d, match, "macaddress", &mac) ||
		      yw_str_at(d, match, "name", &name)))
		return -1;
	if (yw_str_at(d, e, "mtu", &mtu_s) ||
	    yw_str_at(d, e, "gateway4", &gw4) ||
	    yw_str_at(d, e, "gateway6", &gw6) ||
	    yw_str_at(d, e, "set-name", &setname))
		return -1;
	if (mac)
		name =
		    NULL; /* the MAC identifies the link; name is redundant */
	else if (!match)
		name = key;
	if (name && strpbrk(name, "*?[")) {
		hc_undelivered(s->c, "%s (match.name pattern %.40s)", pfx,
			       name);
		return 0;
	}
	if (mtu_s && hv_parse_u32(mtu_s, 65535, &mtu))
		return hc_error(d->c, yw_at(d, yw_get(d, e, "mtu")), "bad mtu");
	if (setname)
		hc_undelivered(s->c, "%s.set-name (interfaces are not renamed)",
			       pfx);
	if (yw_truthy(yw_get(d, e, "dhcp4")))
		hc_undelivered(s->c, "%s.dhcp4", pfx);
	if (yw_truthy(yw_get(d, e, "dhcp6")))
		hc_undelivered(s->c, "%s.dhcp6", pfx);
	yw_others(d, e, known, pfx);
	snprintf(pfx, sizeof pfx, "network-config ethernets.%s.match", key);
	yw_others(d, match, known_match, pfx);
	snprintf(pfx, sizeof pfx, "network-config ethernets.%s.nameservers",
		 key);
	yw_others(d, ns, known_ns, pfx);
	if (ns && !yw_is_map(ns))
		return hc_error(d->c, yw_at(d, ns),
				"nameservers must be a mapping");
	/* an interface with nothing static to set (dhcp only) is not sent:
	 * declaring it would only make the agent look for it */
	if (mtu || gw4 || gw6 || yw_get(d, e, "addresses") ||
	    yw_get(d, e, "routes")) {
		if (hc_add_iface(s->c, yw_at(d, e), ifid, mac, name, mtu) ||
		    yw_each(s, d, yw_get(d, e, "addresses"), "addresses",
			    add_addr, ifid) ||
		    (gw4 &&
		     hc_add_route(s->c, yw_at(d, yw_get(d, e, "gateway4")),
				  ifid, "default", gw4, 0)) ||
		    (gw6 &&
		     hc_add_route(s->c, yw_at(d, yw_get(d, e, "gateway6")),
				  ifid, "default", gw6, 0)) ||
		    yw_each(s, d, yw_get(d, e, "routes"), "routes", add_route,
			    ifid))
			return -1;
	}
	return yw_each(s, d, yw_get(d, ns, "addresses"),
		       "nameservers.addresses", add_dns, "addresses") ||
		       yw_each(s, d, yw_get(d, ns, "search"),
			       "nameservers.search", add_dns, "search")
		   ? -1
		   : 0;
}

/* ---- version 1 ---- */

/* "a.b.c.d" netmask or a prefix length, to a prefix length; -1 if bad. */
static int prefix_of(const char *mask)
{
	unsigned char b[4];
	uint32_t m, pfx;
	int n = 0;

	if (!hv_parse_u32(mask, 128, &pfx))
		return (int)pfx;
	if (inet_pton(AF_INET, mask, b) != 1)
		return -1;
	m = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
	    b[3];
	while (m & 0x80000000u) {
		m <<= 1;
		n++;
	}
	return m ? -1 : n; /* ones, then only zeros */
}

/* address [+ netmask] to "ip/prefix" in out. */
static int v1_cidr(struct yw_doc *d, yaml_node_t *sub, const char *key,
		   const char *mask_key, char *out, size_t cap)
{
	const char *a, *mask;
	int pfx;

	if (yw_str_at(d, sub, key, &a) || yw_str_at(d, sub, mask_key, &mask))
		return -1;
	if (!a)
		return hc_error(d->c, yw_at(d, sub),
				"a static subnet needs "
				"%s",
				key);
	if (strchr(a, '/') || !mask) {
		snprintf(out, cap, "%s%s", a,
			 strchr(a, '/')		? ""
			 : hv_ip_family(a) == 6 ? "/128"
						: "/32");
		return 0;
	}
	if ((pfx = prefix_of(mask)) < 0)
		return hc_error(d->c, yw_at(d, sub), "bad %s \"%.40s\"",
				mask_key, mask);
	snprintf(out, cap, "%s/%d", a, pfx);
	return 0;
}

static int v1_route(void *ctx, struct yw_doc *d, yaml_node_t *n,
		    const char *ifid)
{
	static const char *const known[] = {"network", "destination", "netmask",
					    "gateway", "metric",      NULL};
	struct np_state *s = ctx;
	const char *gw, *metric;
	char dst[80];
	uint32_t m = 0;

	if (!yw_is_map(n))
		return hc_error(d->c, yw_at(d, n), "a route must be a mapping");
	yw_others(d, n, known, "network-config routes");
	if (yw_str_at(d, n, "gateway", &gw) ||
	    yw_str_at(d, n, "metric", &metric) ||
	    v1_cidr(d, n, yw_get(d, n, "network") ? "network" : "destination",
		    "netmask", dst, sizeof dst))
		return -1;
	if (metric && hv_parse_u32(metric, 0xffffffffu, &m))
		return hc_error(d->c, yw_at(d, n), "bad route metric");
	if (!strcmp(dst, "0.0.0.0/0") || !strcmp(dst, "::/0"))
		snprintf(dst, sizeof dst, "default");
	return hc_add_route(s->c, yw_at(d, n), ifid, dst, gw, m);
}

static int v1_subnet(void *ctx, struct yw_doc *d, yaml_node_t *sub,
		     const char *ifid)
{
	static const char *const known[] = {
	    "type",	  "address", "netmask", "gateway", "dns_nameservers",
	    "dns_search", "routes",  NULL};
	struct np_state *s = ctx;
	const char *type, *gw;
	char cidr[80];

	if (!yw_is_map(sub))
		return hc_error(d->c, yw_at(d, sub),
				"subnets entries must be "
				"mappings");
	if (yw_str_at(d, sub, "type", &type) ||
	    yw_str_at(d, sub, "gateway", &gw))
		return -1;
	if (!type || (strcmp(type, "static") && strcmp(type, "static6"))) {
		hc_undelivered(s->c, "network-config %s subnet type %.20s",
			       ifid, type ? type : "missing");
		return 0;
	}
	yw_others(d, sub, known, "network-config subnets");
	if (v1_cidr(d, sub, "address", "netmask", cidr, sizeof cidr) ||
	    hc_add_addr(s->c, yw_at(d, sub), ifid, cidr))
		return -1;
	if (gw && hc_add_route(s->c, yw_at(d, sub), ifid, "default", gw, 0))
		return -1;
	return yw_each(s, d, yw_get(d, sub, "routes"), "routes", v1_route,
		       ifid) ||
		       yw_each(s, d, yw_get(d, sub, "dns_nameservers"),
			       "dns_nameservers", add_dns, "addresses") ||
		       yw_each(s, d, yw_get(d, sub, "dns_search"), "dns_search",
			       add_dns, "search")
		   ? -1
		   : 0;
}

static int has_static(struct yw_doc *d, const yaml_node_t *subnets)
{
	yaml_node_item_t *i;

	if (!yw_is_seq(subnets))
		return 0;
	for (i = subnets->data.sequence.items.start;
	     i < subnets->data.sequence.items.top; i++) {
		const char *t = yw_scalar(yw_get(d, yw_node(d, *i), "type"));
		if (t && (!strcmp(t, "static") || !strcmp(t, "static6")))
			return 1;
	}
	return 0;
}

static int v1_entry(void *ctx, struct yw_doc *d, yaml_node_t *e,
		    const char *unused)
{
	static const char *const known_phys[] = {
	    "type", "name", "mac_address", "mtu", "subnets", NULL};
	struct np_state *s = ctx;
	const char *type, *name, *mac, *mtu_s;
	uint32_t mtu = 0;
	char ifid[16];

	if (!yw_is_map(e) || yw_str_at(d, e, "type", &type) || !type)
		return s->c->failed ? -1
				    : hc_error(d->c, yw_at(d, e),
					       "config entries are "
					       "mappings with a type");
	if (!strcmp(type, "nameserver"))
		return yw_each(s, d, yw_get(d, e, "address"), "address",
			       add_dns, "addresses") ||
			       yw_each(s, d, yw_get(d, e, "search"), "search",
				       add_dns, "search")
			   ? -1
			   : 0;
	if (strcmp(type, "physical")) {
		hc_undelivered(s->c, "network-config config type %.20s", type);
		return 0;
	}
	if (yw_str_at(d, e, "name", &name) ||
	    yw_str_at(d, e, "mac_address", &mac) ||
	    yw_str_at(d, e, "mtu", &mtu_s))
		return -1;
	if (mtu_s && hv_parse_u32(mtu_s, 65535, &mtu))
		return hc_error(d->c, yw_at(d, yw_get(d, e, "mtu")), "bad mtu");
	yw_others(d, e, known_phys, "network-config physical");
	make_ifid(ifid, name, s->nifaces++);
	if (!has_static(d, yw_get(d, e, "subnets")) && !mtu) {
		/* nothing static to set: the subnets are still listed */
		return yw_each(s, d, yw_get(d, e, "subnets"), "subnets",
			       v1_subnet, ifid);
	}
	if (hc_add_iface(s->c, yw_at(d, e), ifid, mac, mac ? NULL : name, mtu))
		return -1;
	return yw_each(s, d, yw_get(d, e, "subnets"), "subnets", v1_subnet,
		       ifid);
}

/* ---- both ---- */

int np_parse(struct hc_config *c, struct yw_doc *d)
{
	static const char *const known2[] = {"version", "ethernets", NULL};
	static const char *const known1[] = {"version", "config", NULL};
	struct np_state *s;
	yaml_node_t *r = yw_root(d), *eth;
	yaml_node_pair_t *p;
	const char *ver;
	int index = 0, ret = -1;

	if (!r)
		return 0;
	if (yw_get(d, r, "network"))
		r = yw_get(d, r,
			   "network"); /* the "network:" wrapper is optional */
	if (!yw_is_map(r))
		return hc_error(c, yw_at(d, r),
				"network-config must be a "
				"mapping");
	if (yw_str_at(d, r, "version", &ver))
		return -1;
	if (!ver || (strcmp(ver, "1") && strcmp(ver, "2"))) {
		hc_undelivered(c, "network-config (version %s)",
			       ver ? ver : "missing");
		return 0;
	}
	if (!(s = calloc(1, sizeof *s)))
		return hc_error(c, d->name, "out of memory");
	s->c = c;
	if (!strcmp(ver, "1")) {
		yw_others(d, r, known1, "network-config");
		ret = yw_each(s, d, yw_get(d, r, "config"), "config", v1_entry,
			      NULL);
		goto out;
	}
	yw_others(d, r, known2, "network-config");
	eth = yw_get(d, r, "ethernets");
	ret = 0;
	if (!eth)
		goto out;
	ret = -1;
	if (!yw_is_map(eth)) {
		hc_error(c, yw_at(d, eth), "ethernets must be a mapping");
		goto out;
	}
	for (p = eth->data.mapping.pairs.start; p < eth->data.mapping.pairs.top;
	     p++, index++) {
		const char *k = yw_scalar(yw_node(d, p->key));
		if (!k) {
			hc_error(c, yw_at(d, yw_node(d, p->key)),
				 "bad ethernets key");
			goto out;
		}
		if (ethernet(s, d, k, yw_node(d, p->value), index))
			goto out;
	}
	ret = 0;
out:
	free(s);
	return ret;
}
