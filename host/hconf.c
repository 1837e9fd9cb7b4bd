/* hconf.c - see hconf.h; item kinds from docs/PROTOCOL.md section 4.1. */
#include "host/hconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/frame.h"
#include "host/hvalid.h"

void hc_init(struct hc_config *c)
{
	memset(c, 0, sizeof *c);
}

void hc_free(struct hc_config *c)
{
	int i, j;

	for (i = 0; i < c->nitems; i++) {
		for (j = 0; j < c->item[i].nargs; j++)
			free(c->item[i].arg[j]);
		if (c->item[i].data) /* wipe secrets before giving them back */
			memset(c->item[i].data, 0, c->item[i].size);
		free(c->item[i].data);
	}
	for (i = 0; i < c->nundelivered; i++)
		free(c->undelivered[i]);
	memset(c, 0, sizeof *c);
}

int hc_error(struct hc_config *c, const char *src, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->failed)
		return -1;
	c->failed = 1;
	n = snprintf(c->err, sizeof c->err, "%s: ", src ? src : "config");
	if (n < 0 || (size_t)n >= sizeof c->err)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(c->err + n, sizeof c->err - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

void hc_undelivered(struct hc_config *c, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int i;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	for (i = 0; i < c->nundelivered; i++)
		if (!strcmp(c->undelivered[i], buf))
			return;
	if (c->nundelivered == HC_UNDELIV_MAX) {
		c->undelivered_dropped++;
		return;
	}
	c->undelivered[c->nundelivered] = strdup(buf);
	if (c->undelivered[c->nundelivered])
		c->nundelivered++;
	else
		c->undelivered_dropped++;
}

/* ---- small validators ---- */

static int given(const char *s)
{
	return s && *s;
}

/* ---- adding items ---- */

static struct hc_item *new_item(struct hc_config *c, const char *src,
				enum xc_item_kind kind)
{
	struct hc_item *it;

	if (c->nitems == XC_ITEMS_MAX) {
		hc_error(c, src, "more than %d items; split the configuration",
			 XC_ITEMS_MAX);
		return NULL;
	}
	it = &c->item[c->nitems];
	memset(it, 0, sizeof *it);
	it->kind = kind;
	snprintf(it->src, sizeof it->src, "%s", src ? src : "config");
	return it;
}

/* Appends a field to the item being built; fmt'ed. */
static int arg(struct hc_config *c, struct hc_item *it, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int arg(struct hc_config *c, struct hc_item *it, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0 || it->nargs == HC_ARGS_MAX)
		return hc_error(c, it->src, "out of memory");
	it->arg[it->nargs++] = s;
	return 0;
}

/* Commits the item built in c->item[c->nitems] if nothing failed. */
static int done(struct hc_config *c, struct hc_item *it, int r)
{
	int j;

	if (r == 0 && !c->failed) {
		c->nitems++;
		return 0;
	}
	for (j = 0; j < it->nargs; j++)
		free(it->arg[j]);
	free(it->data);
	memset(it, 0, sizeof *it);
	return -1;
}

int hc_set_instance_id(struct hc_config *c, const char *src, const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (n == 0 || n > HC_ID_MAX ||
	    strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		       "0123456789._:-") != n)
		return hc_error(
		    c, src, "bad instance-id (1 to %d of A-Z a-z 0-9 . _ : -)",
		    HC_ID_MAX);
	memcpy(c->instance_id, id, n + 1);
	snprintf(c->instance_src, sizeof c->instance_src, "%s", src);
	return 0;
}

static int add_name(struct hc_config *c, const char *src,
		    enum xc_item_kind kind, const char *name, size_t max,
		    const char *what)
{
	struct hc_item *it;

	if (!given(name) || !hv_is_dnsname(name, max))
		return hc_error(c, src,
				"bad %s \"%.64s\": use letters, digits and '-' "
				"in dot-separated labels, at most %zu bytes",
				what, name ? name : "", max);
	if (!(it = new_item(c, src, kind)))
		return -1;
	return done(c, it, arg(c, it, "%s", name));
}

int hc_add_hostname(struct hc_config *c, const char *src, const char *name)
{
	return add_name(c, src, XC_ITEM_HOSTNAME, name, 63, "hostname");
}

int hc_add_fqdn(struct hc_config *c, const char *src, const char *name)
{
	return add_name(c, src, XC_ITEM_FQDN, name, 253, "fqdn");
}

int hc_add_search(struct hc_config *c, const char *src, const char *domain)
{
	return add_name(c, src, XC_ITEM_SEARCH, domain, 253, "search domain");
}

int hc_add_iface(struct hc_config *c, const char *src, const char *ifid,
		 const char *mac, const char *ifname, uint32_t mtu)
{
	struct hc_item *it;
	int r, i;

	if (!given(ifid) || !hv_is_ifid(ifid))
		return hc_error(
		    c, src, "bad interface id \"%.32s\": 1 to 15 of a-z 0-9",
		    ifid ? ifid : "");
	if (given(mac) == given(ifname))
		return hc_error(c, src,
				"interface %s: give exactly one of "
				"mac= or name=",
				ifid);
	if (given(mac) && !hv_is_mac(mac))
		return hc_error(c, src,
				"interface %s: bad MAC \"%.32s\" "
				"(want 52:54:00:12:34:56)",
				ifid, mac);
	if (given(ifname) && !hv_is_ifname(ifname))
		return hc_error(c, src,
				"interface %s: bad interface name "
				"\"%.32s\"",
				ifid, ifname);
	if (mtu && (mtu < 68 || mtu > 65535))
		return hc_error(c, src, "interface %s: mtu %u out of 68..65535",
				ifid, mtu);
	for (i = 0; i < c->nitems; i++)
		if (c->item[i].kind == XC_ITEM_IFACE &&
		    !strcmp(c->item[i].arg[0], ifid))
			return hc_error(c, src,
					"interface %s declared twice "
					"(first at %s)",
					ifid, c->item[i].src);
	if (!(it = new_item(c, src, XC_ITEM_IFACE)))
		return -1;
	r = arg(c, it, "%s", ifid);
	if (given(mac)) {
		char low[18];
		for (i = 0; i < 18; i++)
			low[i] = (mac[i] >= 'A' && mac[i] <= 'F')
				     ? (char)(mac[i] + 32)
				     : mac[i];
		r = r ? r : arg(c, it, "mac=%s", low);
	} else {
		r = r ? r : arg(c, it, "name=%s", ifname);
	}
	if (mtu)
		r = r ? r : arg(c, it, "mtu=%u", mtu);
	return done(c, it, r);
}

int hc_add_addr(struct hc_config *c, const char *src, const char *ifid,
		const char *cidr)
{
	struct hc_item *it;
	int r;

	if (!given(ifid) || !hv_is_ifid(ifid))
		return hc_error(c, src, "bad interface id \"%.32s\"",
				ifid ? ifid : "");
	if (!given(cidr) || !hv_cidr_family(cidr))
		return hc_error(c, src,
				"bad address \"%.64s\": want ip/prefix, "
				"like 192.0.2.10/24 or 2001:db8::10/64",
				cidr ? cidr : "");
	if (!(it = new_item(c, src, XC_ITEM_ADDR)))
		return -1;
	r = arg(c, it, "%s", ifid);
	r = r ? r : arg(c, it, "%s", cidr);
	return done(c, it, r);
}

int hc_add_route(struct hc_config *c, const char *src, const char *ifid,
		 const char *dst, const char *via, uint32_t metric)
{
	struct hc_item *it;
	int fam = 0, vfam = 0, r;

	if (!given(ifid) || !hv_is_ifid(ifid))
		return hc_error(c, src, "bad interface id \"%.32s\"",
				ifid ? ifid : "");
	if (!given(dst))
		return hc_error(c, src, "route: missing destination");
	if (strcmp(dst, "default") && !(fam = hv_cidr_family(dst)) &&
	    !(fam = hv_ip_family(dst)))
		return hc_error(c, src,
				"bad route destination \"%.64s\": want "
				"default or ip/prefix",
				dst);
	if (given(via) && !(vfam = hv_ip_family(via)))
		return hc_error(c, src, "bad gateway \"%.64s\"", via);
	if (fam && vfam && fam != vfam)
		return hc_error(c, src, "route %s via %s mixes IPv4 and IPv6",
				dst, via);
	if (!(it = new_item(c, src, XC_ITEM_ROUTE)))
		return -1;
	r = arg(c, it, "%s", ifid);
	if (fam && !strchr(dst, '/'))
		r = r ? r : arg(c, it, "%s/%d", dst, fam == 4 ? 32 : 128);
	else
		r = r ? r : arg(c, it, "%s", dst);
	if (given(via))
		r = r ? r : arg(c, it, "via=%s", via);
	if (metric)
		r = r ? r : arg(c, it, "metric=%u", metric);
	return done(c, it, r);
}

int hc_add_nameserver(struct hc_config *c, const char *src, const char *ip)
{
	struct hc_item *it;

	if (!given(ip) || !hv_ip_family(ip))
		return hc_error(c, src,
				"bad nameserver \"%.64s\": want an IPv4 "
				"or IPv6 address",
				ip ? ip : "");
	if (!(it = new_item(c, src, XC_ITEM_NAMESERVER)))
		return -1;
	return done(c, it, arg(c, it, "%s", ip));
}

int hc_add_sshkey(struct hc_config *c, const char *src, const char *user,
		  const char *key)
{
	struct hc_item *it;
	int r;

	if (!given(user) || !hv_is_user(user))
		return hc_error(c, src, "bad user name \"%.40s\"",
				user ? user : "");
	if (!given(key) || !hv_is_key_line(key))
		return hc_error(c, src,
				"bad ssh key for %s: want one line "
				"\"[options] ssh-ed25519|ssh-rsa|ecdsa-... "
				"BASE64 [comment]\"",
				user);
	if (!(it = new_item(c, src, XC_ITEM_SSHKEY)))
		return -1;
	r = arg(c, it, "%s", user);
	r = r ? r : arg(c, it, "%s", key);
	return done(c, it, r);
}

int hc_add_file(struct hc_config *c, const char *src, const char *path,
		unsigned char *data, size_t size, long mode, const char *owner,
		const char *group, int secret)
{
	struct hc_item *it;
	int r;

	if (!given(path) || !hv_is_path(path)) {
		free(data);
		return hc_error(c, src,
				"bad file path \"%.64s\": want an "
				"absolute path without . or .. components",
				path ? path : "");
	}
	if (size > XC_FILE_MAX) {
		free(data);
		return hc_error(c, src,
				"file %s is %zu bytes, more than the "
				"limit of %u",
				path, size, XC_FILE_MAX);
	}
	if ((given(owner) && !hv_is_user(owner)) ||
	    (given(group) && !hv_is_user(group))) {
		free(data);
		return hc_error(c, src, "file %s: bad owner or group", path);
	}
	if (mode > 07777) {
		free(data);
		return hc_error(c, src, "file %s: bad mode", path);
	}
	if (!(it = new_item(c, src, XC_ITEM_FILE))) {
		free(data);
		return -1;
	}
	it->data = data;
	it->size = size;
	it->secret = secret;
	r = arg(c, it, "%s", path);
	r = r ? r : arg(c, it, "size=%zu", size);
	if (mode >= 0)
		r = r ? r : arg(c, it, "mode=%04lo", mode);
	if (given(owner))
		r = r ? r : arg(c, it, "owner=%s", owner);
	if (given(group))
		r = r ? r : arg(c, it, "group=%s", group);
	if (secret)
		r = r ? r : arg(c, it, "secret=1");
	return done(c, it, r);
}

int hc_add_password(struct hc_config *c, const char *src, const char *user,
		    const char *hash)
{
	struct hc_item *it;
	int r;

	if (!given(user) || !hv_is_user(user))
		return hc_error(c, src, "bad user name \"%.40s\"",
				user ? user : "");
	/* Never echo the value: it may be a plain-text password. */
	if (!given(hash) || !hv_is_hash(hash))
		return hc_error(c, src,
				"password for %s is not a crypt(3) "
				"hash; plain-text passwords are never sent. "
				"Make one with: mkpasswd -m sha-512",
				user);
	if (!(it = new_item(c, src, XC_ITEM_PASSWORD)))
		return -1;
	it->secret = 1;
	r = arg(c, it, "%s", user);
	r = r ? r : arg(c, it, "%s", hash);
	return done(c, it, r);
}

/* ---- whole-config checks ---- */

static const struct hc_item *find_iface(const struct hc_config *c, int before,
					const char *ifid)
{
	int i;

	for (i = 0; i < before; i++)
		if (c->item[i].kind == XC_ITEM_IFACE &&
		    !strcmp(c->item[i].arg[0], ifid))
			return &c->item[i];
	return NULL;
}

int hc_finish(struct hc_config *c)
{
	char line[XF_LINE_MAX];
	uint64_t total = 0;
	int i, j, files = 0;

	if (c->failed)
		return -1;
	if (!c->instance_id[0])
		return hc_error(c, NULL,
				"no instance-id: the config id is "
				"<instance-id>/<generation>; add one");
	for (i = 0; i < c->nitems; i++) {
		const struct hc_item *it = &c->item[i];
		struct xf_writer w;
		long n;

		if ((it->kind == XC_ITEM_ADDR || it->kind == XC_ITEM_ROUTE) &&
		    !find_iface(c, i, it->arg[0]))
			return hc_error(c, it->src,
					"interface %s is not "
					"declared before this line (add an "
					"iface line for it)",
					it->arg[0]);
		if (it->kind == XC_ITEM_FILE && ++files > XC_FILES_MAX)
			return hc_error(c, it->src, "more than %d files",
					XC_FILES_MAX);
		xf_begin(&w, line, sizeof line, "ITEM");
		xf_add_u64(&w, XC_ITEMS_MAX * 1000u); /* widest seq */
		xf_add_str(&w, xc_item_kind_name(it->kind));
		for (j = 0; j < it->nargs; j++)
			xf_add_str(&w, it->arg[j]);
		n = xf_end(&w);
		if (n < 0) {
			char d[160];
			hc_describe(it, d, sizeof d);
			return hc_error(c, it->src,
					"%s: too long for one frame "
					"(%d bytes encoded at most)",
					d, XF_BODY_MAX);
		}
		total += (uint64_t)n + it->size;
	}
	if (total > XC_CONFIG_MAX)
		return hc_error(c, NULL,
				"configuration is %llu bytes, more "
				"than the limit of %u; move large files out",
				(unsigned long long)total, XC_CONFIG_MAX);
	return 0;
}

void hc_config_id(const struct hc_config *c, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/%llu", c->instance_id,
		 (unsigned long long)(c->generation ? c->generation : 1));
}

void hc_describe(const struct hc_item *it, char *buf, size_t cap)
{
	const char *kind = xc_item_kind_name(it->kind);
	int n, j;

	switch (it->kind) {
	case XC_ITEM_PASSWORD:
		snprintf(buf, cap, "password %s (hash not shown)", it->arg[0]);
		return;
	case XC_ITEM_FILE:
		snprintf(buf, cap, "file %s (%zu bytes%s)", it->arg[0],
			 it->size, it->secret ? ", secret" : "");
		return;
	case XC_ITEM_SSHKEY: {
		/* user, key type and comment: not the options, not the blob */
		const char *w = it->arg[1], *type = NULL, *cm = NULL;
		size_t tl = 0;
		while (*w && !cm) {
			size_t wl = strcspn(w, " \t");
			if (type) {
				cm = w + wl; /* the blob ends here */
				cm += strspn(cm, " \t");
			} else if (!strncmp(w, "ssh-", 4) ||
				   !strncmp(w, "ecdsa-", 6) ||
				   !strncmp(w, "sk-", 3)) {
				type = w;
				tl = wl;
			}
			w += wl;
			w += strspn(w, " \t");
		}
		snprintf(buf, cap, "sshkey %s %.*s%s%.60s", it->arg[0], (int)tl,
			 type ? type : "", cm && *cm ? " " : "", cm ? cm : "");
		return;
	}
	default:
		n = snprintf(buf, cap, "%s", kind);
		for (j = 0; j < it->nargs && n >= 0 && (size_t)n < cap; j++)
			n += snprintf(buf + n, cap - (size_t)n, " %s",
				      it->arg[j]);
	}
}
