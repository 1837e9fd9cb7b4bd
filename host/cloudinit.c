/* cloudinit.c - see cloudinit.h. Follows cloud-init's NoCloud data source,
 * its cloud-config modules (cc_set_hostname, cc_ssh, users_groups,
 * cc_write_files, cc_set_passwords) and netplan's version 2 format, as far
 * as a xenchan agent applies them (docs/HOST.md). YAML through libyaml's
 * document loader; the walk below follows a fixed shape, never a node's
 * own references, so an alias loop cannot make it recurse.
 */
#include "host/cloudinit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "host/native.h"

#define CI_NAMES_MAX 32 /* nameservers, search domains kept for dedup */

struct ci_doc {
	struct hc_config *c;
	const char *name;
	yaml_document_t doc;
	int loaded;
	char src[HC_SRC_MAX];
};

struct ci_state {
	struct hc_config *c;
	char default_user[64];
	int nns, nsearch;
	char ns[CI_NAMES_MAX][64];
	char search[CI_NAMES_MAX][256];
};

/* ---- YAML helpers ---- */

static const char *at(struct ci_doc *d, const yaml_node_t *n)
{
	snprintf(d->src, sizeof d->src, "%s:%lu", d->name,
		 n ? (unsigned long)n->start_mark.line + 1 : 0ul);
	return d->src;
}

/* Loads the first document of f; an empty file gives no root. */
static int load(struct hc_config *c, struct ci_doc *d, const struct ci_file *f)
{
	yaml_parser_t p;

	memset(d, 0, sizeof *d);
	d->c = c;
	d->name = f->name;
	if (!yaml_parser_initialize(&p))
		return hc_error(c, f->name, "out of memory");
	yaml_parser_set_input_string(&p, (const unsigned char *)f->text,
				     f->len);
	if (!yaml_parser_load(&p, &d->doc)) {
		hc_error(c, NULL, "%s:%lu:%lu: YAML error: %s%s%s", f->name,
			 (unsigned long)p.problem_mark.line + 1,
			 (unsigned long)p.problem_mark.column + 1,
			 p.problem ? p.problem : "malformed",
			 p.context ? " " : "", p.context ? p.context : "");
		yaml_parser_delete(&p);
		return -1;
	}
	yaml_parser_delete(&p);
	d->loaded = 1;
	return 0;
}

static void unload(struct ci_doc *d)
{
	if (d->loaded)
		yaml_document_delete(&d->doc);
	d->loaded = 0;
}

static yaml_node_t *node(struct ci_doc *d, int id)
{
	return yaml_document_get_node(&d->doc, id);
}

static yaml_node_t *root(struct ci_doc *d)
{
	return d->loaded ? yaml_document_get_root_node(&d->doc) : NULL;
}

/* A scalar's text, NULL if n is not a scalar or holds a NUL byte. */
static const char *scalar(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE ||
	    strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
		return NULL;
	return (const char *)n->data.scalar.value;
}

static int is_map(const yaml_node_t *n)
{
	return n && n->type == YAML_MAPPING_NODE;
}

static int is_seq(const yaml_node_t *n)
{
	return n && n->type == YAML_SEQUENCE_NODE;
}

static yaml_node_t *get(struct ci_doc *d, const yaml_node_t *map,
			const char *key)
{
	yaml_node_pair_t *p;

	if (!is_map(map))
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		const char *k = scalar(node(d, p->key));
		if (k && !strcmp(k, key))
			return node(d, p->value);
	}
	return NULL;
}

static int truthy(const yaml_node_t *n)
{
	const char *s = scalar(n);
	return s && (!strcmp(s, "true") || !strcmp(s, "True") ||
		     !strcmp(s, "yes") || !strcmp(s, "on") || !strcmp(s, "1"));
}

/* The scalar at key, or an error when present but not a scalar. */
static int str_at(struct ci_doc *d, const yaml_node_t *map, const char *key,
		  const char **out)
{
	yaml_node_t *v = get(d, map, key);

	*out = NULL;
	if (!v)
		return 0;
	if (!(*out = scalar(v)))
		return hc_error(d->c, at(d, v), "%s must be a string", key);
	return 0;
}

/* Lists every key of map not in known[] as "prefix.key". */
static void others(struct ci_doc *d, const yaml_node_t *map,
		   const char *const *known, const char *prefix)
{
	yaml_node_pair_t *p;
	int i;

	if (!is_map(map))
		return;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		const char *k = scalar(node(d, p->key));
		for (i = 0; k && known[i]; i++)
			if (!strcmp(k, known[i]))
				break;
		if (!k || !known[i])
			hc_undelivered(d->c, "%s%s%.60s", prefix,
				       *prefix ? "." : "", k ? k : "?");
	}
}

/* Calls fn for each item of a sequence (or for one scalar, when a single
 * string is allowed in place of a list). */
typedef int (*each_fn)(struct ci_state *s, struct ci_doc *d,
		       yaml_node_t *item, const char *arg);
static int each(struct ci_state *s, struct ci_doc *d, yaml_node_t *list,
		const char *what, each_fn fn, const char *arg)
{
	yaml_node_item_t *i;

	if (!list)
		return 0;
	if (list->type == YAML_SCALAR_NODE)
		return fn(s, d, list, arg);
	if (!is_seq(list))
		return hc_error(d->c, at(d, list), "%s must be a list", what);
	for (i = list->data.sequence.items.start;
	     i < list->data.sequence.items.top; i++)
		if (fn(s, d, node(d, *i), arg) < 0)
			return -1;
	return 0;
}

/* ---- meta-data and hostnames ---- */

static int add_key(struct ci_state *s, struct ci_doc *d, yaml_node_t *n,
		   const char *user)
{
	const char *k = scalar(n);

	if (!k)
		return hc_error(d->c, at(d, n), "ssh key must be a string");
	return hc_add_sshkey(s->c, at(d, n), user, k);
}

/* hostname / fqdn: a dotted hostname gives both (as cloud-init does). */
static int hostnames(struct ci_state *s, struct ci_doc *md,
		     struct ci_doc *ud)
{
	const yaml_node_t *hn = get(ud, root(ud), "hostname");
	const yaml_node_t *fq = get(ud, root(ud), "fqdn");
	const yaml_node_t *lh = get(md, root(md), "local-hostname");
	struct ci_doc *hd = hn ? ud : md;
	const char *h = scalar(hn ? hn : lh), *f = scalar(fq);
	char label[64];

	if ((hn || lh) && !h)
		return hc_error(s->c, at(hd, hn ? hn : lh),
				"hostname must be a string");
	if (fq && !f)
		return hc_error(s->c, at(ud, fq), "fqdn must be a string");
	if (h && strchr(h, '.') && !f) {
		f = h;
		fq = hn ? hn : lh;
	}
	if (!h && f) {
		h = f;
		hd = ud;
		hn = fq;
	}
	if (h) {
		snprintf(label, sizeof label, "%.*s", (int)strcspn(h, "."), h);
		if (hc_add_hostname(s->c, at(hd, hn ? hn : lh), label))
			return -1;
	}
	if (f && hc_add_fqdn(s->c, at(fq == lh ? md : ud, fq), f))
		return -1;
	return 0;
}

static int meta_data(struct ci_state *s, struct ci_doc *md)
{
	static const char *const known[] = {"instance-id", "local-hostname",
					    "public-keys", NULL};
	yaml_node_t *r = root(md), *id;

	if (!is_map(r))
		return hc_error(s->c, md->name, "meta-data must be a mapping "
				"with instance-id (and local-hostname)");
	id = get(md, r, "instance-id");
	if (!id)
		return hc_error(s->c, md->name, "no instance-id");
	if (hc_set_instance_id(s->c, at(md, id), scalar(id)))
		return -1;
	others(md, r, known, "meta-data");
	return 0;
}

/* ---- network-config version 2 ---- */

static int add_dns(struct ci_state *s, struct ci_doc *d, yaml_node_t *n,
		   const char *kind)
{
	const char *v = scalar(n);
	int search = !strcmp(kind, "search"), i;
	int *cnt = search ? &s->nsearch : &s->nns;

	if (!v)
		return hc_error(d->c, at(d, n), "nameservers.%s: want strings",
				search ? "search" : "addresses");
	for (i = 0; i < *cnt; i++)
		if (!strcmp(search ? s->search[i] : s->ns[i], v))
			return 0; /* the same server on two interfaces */
	if (*cnt == CI_NAMES_MAX)
		return hc_error(d->c, at(d, n), "more than %d %s", CI_NAMES_MAX,
				kind);
	snprintf(search ? s->search[*cnt] : s->ns[*cnt], search ? 256 : 64,
		 "%s", v);
	(*cnt)++;
	return search ? hc_add_search(s->c, at(d, n), v) :
			hc_add_nameserver(s->c, at(d, n), v);
}

static int add_addr(struct ci_state *s, struct ci_doc *d, yaml_node_t *n,
		    const char *ifid)
{
	if (!scalar(n)) {
		hc_undelivered(s->c, "network-config ethernets.%s.addresses "
			       "(address with options)", ifid);
		return 0;
	}
	return hc_add_addr(s->c, at(d, n), ifid, scalar(n));
}

static int add_route(struct ci_state *s, struct ci_doc *d, yaml_node_t *n,
		     const char *ifid)
{
	static const char *const known[] = {"to", "via", "metric", NULL};
	const char *to, *via, *metric;
	uint32_t m = 0;
	char pfx[80];

	if (!is_map(n))
		return hc_error(d->c, at(d, n), "a route must be a mapping "
				"with to, via, metric");
	if (str_at(d, n, "to", &to) || str_at(d, n, "via", &via) ||
	    str_at(d, n, "metric", &metric))
		return -1;
	if (metric && hc_parse_u32(metric, 0xffffffffu, &m))
		return hc_error(d->c, at(d, n), "bad route metric");
	if (to && (!strcmp(to, "0.0.0.0/0") || !strcmp(to, "::/0")))
		to = "default";
	snprintf(pfx, sizeof pfx, "network-config ethernets.%s.routes", ifid);
	others(d, n, known, pfx);
	return hc_add_route(s->c, at(d, n), ifid, to, via, m);
}

static int ethernet(struct ci_state *s, struct ci_doc *d, const char *key,
		    yaml_node_t *e, int index)
{
	static const char *const known[] = {
		"match", "set-name", "addresses", "gateway4", "gateway6",
		"routes", "nameservers", "mtu", "dhcp4", "dhcp6", NULL};
	static const char *const known_match[] = {"macaddress", "name", NULL};
	static const char *const known_ns[] = {"addresses", "search", NULL};
	yaml_node_t *match = get(d, e, "match"), *ns = get(d, e, "nameservers");
	const char *mac = NULL, *name = NULL, *mtu_s, *gw4, *gw6, *setname;
	char ifid[16], pfx[96];
	uint32_t mtu = 0;

	if (!is_map(e))
		return hc_error(d->c, at(d, e), "ethernets.%s must be a "
				"mapping", key);
	/* the key is the interface id when it is a valid one */
	if (strlen(key) <= 15 && strspn(key, "abcdefghijklmnopqrstuvwxyz"
					     "0123456789") == strlen(key))
		snprintf(ifid, sizeof ifid, "%s", key);
	else
		snprintf(ifid, sizeof ifid, "if%d", index);
	snprintf(pfx, sizeof pfx, "network-config ethernets.%s", key);
	if (match && (str_at(d, match, "macaddress", &mac) ||
		      str_at(d, match, "name", &name)))
		return -1;
	if (str_at(d, e, "mtu", &mtu_s) || str_at(d, e, "gateway4", &gw4) ||
	    str_at(d, e, "gateway6", &gw6) || str_at(d, e, "set-name", &setname))
		return -1;
	if (mac)
		name = NULL; /* the MAC identifies the link; name is redundant */
	else if (!match)
		name = key;
	if (name && strpbrk(name, "*?[")) {
		hc_undelivered(s->c, "%s (match.name pattern %.40s)", pfx, name);
		return 0;
	}
	if (mtu_s && hc_parse_u32(mtu_s, 65535, &mtu))
		return hc_error(d->c, at(d, get(d, e, "mtu")), "bad mtu");
	if (setname)
		hc_undelivered(s->c, "%s.set-name (interfaces are not renamed)",
			       pfx);
	if (truthy(get(d, e, "dhcp4")))
		hc_undelivered(s->c, "%s.dhcp4", pfx);
	if (truthy(get(d, e, "dhcp6")))
		hc_undelivered(s->c, "%s.dhcp6", pfx);
	others(d, e, known, pfx);
	snprintf(pfx, sizeof pfx, "network-config ethernets.%s.match", key);
	others(d, match, known_match, pfx);
	snprintf(pfx, sizeof pfx, "network-config ethernets.%s.nameservers",
		 key);
	others(d, ns, known_ns, pfx);
	if (ns && !is_map(ns))
		return hc_error(d->c, at(d, ns), "nameservers must be a mapping");
	/* an interface with nothing static to set (dhcp only) is not sent:
	 * declaring it would only make the agent look for it */
	if (!mtu && !gw4 && !gw6 && !get(d, e, "addresses") &&
	    !get(d, e, "routes"))
		return each(s, d, get(d, ns, "addresses"),
			    "nameservers.addresses", add_dns, "addresses") ||
		       each(s, d, get(d, ns, "search"), "nameservers.search",
			    add_dns, "search") ? -1 : 0;
	if (hc_add_iface(s->c, at(d, e), ifid, mac, name, mtu) ||
	    each(s, d, get(d, e, "addresses"), "addresses", add_addr, ifid))
		return -1;
	if (gw4 && hc_add_route(s->c, at(d, get(d, e, "gateway4")), ifid,
				"default", gw4, 0))
		return -1;
	if (gw6 && hc_add_route(s->c, at(d, get(d, e, "gateway6")), ifid,
				"default", gw6, 0))
		return -1;
	if (each(s, d, get(d, e, "routes"), "routes", add_route, ifid))
		return -1;
	return each(s, d, get(d, ns, "addresses"), "nameservers.addresses",
		    add_dns, "addresses") ||
	       each(s, d, get(d, ns, "search"), "nameservers.search", add_dns,
		    "search") ? -1 : 0;
}

static int network_config(struct ci_state *s, struct ci_doc *d)
{
	static const char *const known[] = {"version", "ethernets", NULL};
	yaml_node_t *r = root(d), *eth;
	yaml_node_pair_t *p;
	const char *ver;
	int index = 0;

	if (!r)
		return 0;
	if (get(d, r, "network"))
		r = get(d, r, "network"); /* the "network:" wrapper is optional */
	if (!is_map(r))
		return hc_error(s->c, at(d, r), "network-config must be a "
				"mapping");
	if (str_at(d, r, "version", &ver))
		return -1;
	if (!ver || strcmp(ver, "2")) {
		hc_undelivered(s->c, "network-config (version %s; only "
			       "version 2 is read)", ver ? ver : "missing");
		return 0;
	}
	others(d, r, known, "network-config");
	eth = get(d, r, "ethernets");
	if (!eth)
		return 0;
	if (!is_map(eth))
		return hc_error(s->c, at(d, eth), "ethernets must be a mapping");
	for (p = eth->data.mapping.pairs.start; p < eth->data.mapping.pairs.top;
	     p++, index++) {
		const char *k = scalar(node(d, p->key));
		if (!k)
			return hc_error(s->c, at(d, node(d, p->key)),
					"bad ethernets key");
		if (ethernet(s, d, k, node(d, p->value), index))
			return -1;
	}
	return 0;
}

/* ---- user-data ---- */

static int b64val(int ch)
{
	const char *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			"0123456789+/";
	const char *p = ch ? strchr(a, ch) : NULL;
	return p ? (int)(p - a) : -1;
}

/* Decodes base64 (whitespace ignored) into a malloc'd buffer. */
static int b64decode(const char *in, unsigned char **out, size_t *n)
{
	size_t len = strlen(in), o = 0;
	unsigned char *b = malloc(len / 4 * 3 + 3);
	unsigned acc = 0;
	int bits = 0, pad = 0;

	if (!b)
		return -1;
	for (; *in; in++) {
		int v = b64val((unsigned char)*in);
		if (*in == ' ' || *in == '\n' || *in == '\r' || *in == '\t')
			continue;
		if (*in == '=') {
			pad++;
			continue;
		}
		if (v < 0 || pad) {
			free(b);
			return -1;
		}
		acc = (acc << 6 | (unsigned)v) & 0xffffff;
		if ((bits += 6) >= 8) {
			bits -= 8;
			b[o++] = (unsigned char)(acc >> bits);
		}
	}
	if (pad > 2 || bits >= 6) {
		free(b);
		return -1;
	}
	*out = b;
	*n = o;
	return 0;
}

static int write_file(struct ci_state *s, struct ci_doc *d, yaml_node_t *n,
		      const char *unused)
{
	static const char *const known[] = {"path", "content", "encoding",
					    "permissions", "owner", "defer",
					    NULL};
	const char *path, *content, *enc, *perm, *owner;
	char user[40] = "", group[40] = "", pfx[160];
	unsigned char *data = NULL;
	size_t size = 0;
	long mode = -1;

	if (!is_map(n))
		return hc_error(d->c, at(d, n), "write_files entries must be "
				"mappings with path and content");
	if (str_at(d, n, "path", &path) || str_at(d, n, "content", &content) ||
	    str_at(d, n, "encoding", &enc) ||
	    str_at(d, n, "permissions", &perm) || str_at(d, n, "owner", &owner))
		return -1;
	if (!path)
		return hc_error(d->c, at(d, n), "write_files entry without path");
	snprintf(pfx, sizeof pfx, "write_files[%.100s]", path);
	if (truthy(get(d, n, "append")) || get(d, n, "source")) {
		hc_undelivered(s->c, "%s (%s; file not sent)", pfx,
			       get(d, n, "source") ? "source" : "append");
		return 0;
	}
	if (enc && strcmp(enc, "text/plain") && strcmp(enc, "b64") &&
	    strcmp(enc, "base64")) {
		hc_undelivered(s->c, "%s (encoding %.20s; file not sent)", pfx,
			       enc);
		return 0;
	}
	{
		static const char *const known_more[] = {"append", "source",
							 NULL};
		yaml_node_pair_t *p;
		for (p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++) {
			const char *k = scalar(node(d, p->key));
			int i, hit = 0;
			for (i = 0; k && known_more[i]; i++)
				hit |= !strcmp(k, known_more[i]);
			for (i = 0; k && known[i]; i++)
				hit |= !strcmp(k, known[i]);
			if (!hit)
				hc_undelivered(s->c, "%s.%.40s", pfx,
					       k ? k : "?");
		}
	}
	if (perm && (mode = hc_parse_mode(perm)) < 0)
		return hc_error(d->c, at(d, get(d, n, "permissions")),
				"%s: bad permissions \"%.10s\" (want octal "
				"like '0644')", path, perm);
	if (owner && sscanf(owner, "%39[^:]:%39s", user, group) < 1)
		return hc_error(d->c, at(d, get(d, n, "owner")),
				"%s: bad owner (want user or user:group)", path);
	if (enc && strcmp(enc, "text/plain")) {
		if (b64decode(content ? content : "", &data, &size))
			return hc_error(d->c, at(d, get(d, n, "content")),
					"%s: content is not valid base64", path);
	} else if (content && (size = strlen(content))) {
		if (!(data = malloc(size)))
			return hc_error(d->c, at(d, n), "out of memory");
		memcpy(data, content, size);
	}
	/* cloud-init has no secret flag: a file nobody else may read is. */
	return hc_add_file(s->c, at(d, n), path, data, size, mode, user, group,
			   mode >= 0 && !(mode & 077));
}

/* One "user:hash" of chpasswd.list. */
static int chpasswd_line(struct ci_state *s, struct ci_doc *d,
			 yaml_node_t *n, const char *line, size_t len)
{
	char user[40], hash[520];
	const char *colon = memchr(line, ':', len);

	if (!colon || colon == line || (size_t)(colon - line) >= sizeof user ||
	    len - (size_t)(colon - line) - 1 >= sizeof hash)
		return hc_error(d->c, at(d, n), "chpasswd.list: want "
				"user:hash lines");
	memcpy(user, line, (size_t)(colon - line));
	user[colon - line] = 0;
	memcpy(hash, colon + 1, len - (size_t)(colon - line) - 1);
	hash[len - (size_t)(colon - line) - 1] = 0;
	if (!strcmp(hash, "R") || !strcmp(hash, "RANDOM")) {
		hc_undelivered(s->c, "chpasswd.list %s:RANDOM", user);
		return 0;
	}
	return hc_add_password(s->c, at(d, n), user, hash);
}

static int chpasswd_item(struct ci_state *s, struct ci_doc *d, yaml_node_t *n,
			 const char *unused)
{
	const char *t = scalar(n);

	if (!t)
		return hc_error(d->c, at(d, n), "chpasswd.list: want strings");
	while (*t) {
		size_t l = strcspn(t, "\n");
		size_t sp = strspn(t, " \t");
		if (l > sp && chpasswd_line(s, d, n, t + sp, l - sp) < 0)
			return -1;
		t += l + (t[l] ? 1 : 0);
	}
	return 0;
}

static int chpasswd_user(struct ci_state *s, struct ci_doc *d, yaml_node_t *n,
			 const char *unused)
{
	const char *name, *pw, *type;

	if (!is_map(n) || str_at(d, n, "name", &name) ||
	    str_at(d, n, "password", &pw) || str_at(d, n, "type", &type))
		return d->c->failed ? -1 :
		       hc_error(d->c, at(d, n), "chpasswd.users entries are "
				"mappings with name, password, type");
	if (type && !strcmp(type, "RANDOM")) {
		hc_undelivered(s->c, "chpasswd.users %.40s type RANDOM",
			       name ? name : "?");
		return 0;
	}
	return hc_add_password(s->c, at(d, n), name, pw);
}

static int chpasswd(struct ci_state *s, struct ci_doc *d, yaml_node_t *n)
{
	static const char *const known[] = {"list", "users", "expire", NULL};

	if (!is_map(n))
		return hc_error(d->c, at(d, n), "chpasswd must be a mapping");
	if (get(d, n, "expire") && !truthy(get(d, n, "expire")) &&
	    scalar(get(d, n, "expire")))
		; /* expire: false is what xenchan does anyway */
	else if (get(d, n, "expire"))
		hc_undelivered(s->c, "chpasswd.expire");
	others(d, n, known, "chpasswd");
	return each(s, d, get(d, n, "list"), "chpasswd.list", chpasswd_item,
		    NULL) ||
	       each(s, d, get(d, n, "users"), "chpasswd.users", chpasswd_user,
		    NULL) ? -1 : 0;
}

static int user_entry(struct ci_state *s, struct ci_doc *d, yaml_node_t *n,
		      const char *unused)
{
	static const char *const known[] = {"name", "ssh_authorized_keys",
					    "ssh-authorized-keys", "passwd",
					    "hashed_passwd", NULL};
	const char *name, *pw, *hpw;
	char pfx[80];

	if (scalar(n) && !strcmp(scalar(n), "default"))
		return 0;
	if (!is_map(n))
		return hc_error(d->c, at(d, n), "users entries are \"default\" "
				"or mappings with a name");
	if (str_at(d, n, "name", &name) || str_at(d, n, "passwd", &pw) ||
	    str_at(d, n, "hashed_passwd", &hpw))
		return -1;
	if (!name)
		return hc_error(d->c, at(d, n), "users entry without name");
	if (get(d, n, "plain_text_passwd"))
		return hc_error(d->c, at(d, get(d, n, "plain_text_passwd")),
				"users[%.32s].plain_text_passwd: plain-text "
				"passwords are never sent; use passwd with a "
				"hash from mkpasswd -m sha-512", name);
	snprintf(pfx, sizeof pfx, "users[%.40s]", name);
	others(d, n, known, pfx);
	if (each(s, d, get(d, n, "ssh_authorized_keys"), "ssh_authorized_keys",
		 add_key, name) ||
	    each(s, d, get(d, n, "ssh-authorized-keys"), "ssh-authorized-keys",
		 add_key, name))
		return -1;
	if (pw && hc_add_password(s->c, at(d, get(d, n, "passwd")), name, pw))
		return -1;
	if (hpw && hc_add_password(s->c, at(d, get(d, n, "hashed_passwd")),
				   name, hpw))
		return -1;
	return 0;
}

/* The first line decides what user-data is; only #cloud-config is read. */
static int user_data_kind(struct ci_state *s, const struct ci_file *f)
{
	const char *t = f->text;
	size_t l = strcspn(t, "\r\n");

	if (f->len == 0 || strspn(t, " \t\r\n") == f->len)
		return 0;
	if (l >= 13 && !strncmp(t, "#cloud-config", 13) &&
	    strspn(t + 13, " \t") == l - 13)
		return 1;
	hc_undelivered(s->c, "user-data (%s; only #cloud-config is read)",
		       !strncmp(t, "#!", 2) ? "a script" :
		       !strncasecmp(t, "Content-Type", 12) ? "MIME multi-part" :
						      "not #cloud-config");
	return 0;
}

static int user_data(struct ci_state *s, struct ci_doc *d)
{
	static const char *const known[] = {
		"hostname", "fqdn", "ssh_authorized_keys", "users",
		"write_files", "chpasswd", "system_info", NULL};
	yaml_node_t *r = root(d), *si;
	const char *du;

	if (!r)
		return 0;
	if (!is_map(r))
		return hc_error(s->c, at(d, r), "#cloud-config must be a "
				"mapping");
	if (get(d, r, "password"))
		return hc_error(s->c, at(d, get(d, r, "password")),
				"password: plain-text passwords are never "
				"sent; use chpasswd or users[].passwd with a "
				"hash from mkpasswd -m sha-512");
	others(d, r, known, "");
	si = get(d, r, "system_info");
	if (si) {
		static const char *const known_si[] = {"default_user", NULL};
		others(d, si, known_si, "system_info");
		if (str_at(d, get(d, si, "default_user"), "name", &du))
			return -1;
		if (du)
			snprintf(s->default_user, sizeof s->default_user, "%s",
				 du);
		if (get(d, si, "default_user"))
			hc_undelivered(s->c, "system_info.default_user (only "
				       "its name is used)");
	}
	if (each(s, d, get(d, r, "ssh_authorized_keys"), "ssh_authorized_keys",
		 add_key, s->default_user) ||
	    each(s, d, get(d, r, "users"), "users", user_entry, NULL) ||
	    each(s, d, get(d, r, "write_files"), "write_files", write_file,
		 NULL))
		return -1;
	if (get(d, r, "chpasswd") && chpasswd(s, d, get(d, r, "chpasswd")))
		return -1;
	return 0;
}

int ci_parse_seed(struct hc_config *c, const struct ci_file *meta,
		  const struct ci_file *user, const struct ci_file *net,
		  const char *default_user)
{
	struct ci_state *s = calloc(1, sizeof *s);
	struct ci_doc md, ud, nd;
	int r = -1;

	memset(&md, 0, sizeof md);
	memset(&ud, 0, sizeof ud);
	memset(&nd, 0, sizeof nd);
	if (!s)
		return hc_error(c, NULL, "out of memory");
	s->c = c;
	snprintf(s->default_user, sizeof s->default_user, "%s",
		 default_user ? default_user : "root");
	if (!meta || !meta->text) {
		hc_error(c, NULL, "a NoCloud seed needs meta-data with an "
			 "instance-id");
		goto out;
	}
	if (load(c, &md, meta) || meta_data(s, &md))
		goto out;
	if (user && user->text && user_data_kind(s, user) && load(c, &ud, user))
		goto out;
	if (net && net->text && load(c, &nd, net))
		goto out;
	/* items in the order the agent best applies them */
	if (hostnames(s, &md, &ud) || network_config(s, &nd) ||
	    user_data(s, &ud))
		goto out;
	/* meta-data public-keys go to the default user, like cloud-init */
	if (each(s, &md, get(&md, root(&md), "public-keys"), "public-keys",
		 add_key, s->default_user))
		goto out;
	r = 0;
out:
	unload(&md);
	unload(&ud);
	unload(&nd);
	free(s);
	return c->failed ? -1 : r;
}

int ci_load_dir(struct hc_config *c, const char *dir, const char *default_user)
{
	static const char *const names[3] = {"meta-data", "user-data",
					     "network-config"};
	struct ci_file f[3];
	char path[3][4096];
	char *text[3] = {NULL, NULL, NULL};
	int i, r;

	for (i = 0; i < 3; i++) {
		size_t len = 0;
		snprintf(path[i], sizeof path[i], "%s/%s", dir, names[i]);
		f[i].name = path[i];
		f[i].text = NULL;
		f[i].len = 0;
		if (hn_read_file(path[i], 2 * XC_CONFIG_MAX, &text[i], &len)) {
			if (errno == ENOENT && i > 0)
				continue;
			r = hc_error(c, path[i], "cannot read: %s%s",
				     strerror(errno),
				     errno == ENOENT ?
					     " (a NoCloud seed needs it)" :
					     "");
			goto out;
		}
		f[i].text = text[i];
		f[i].len = len;
	}
	r = ci_parse_seed(c, &f[0], &f[1], &f[2], default_user);
out:
	for (i = 0; i < 3; i++)
		free(text[i]);
	return r;
}
