/* cloudinit.c - see cloudinit.h. Follows cloud-init's NoCloud data source
 * and its cloud-config modules (cc_set_hostname, cc_ssh, users_groups,
 * cc_write_files, cc_set_passwords) as far as a xenchan agent applies them
 * (docs/HOST.md); network-config is netplan.c's.
 */
#include "host/cloudinit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/hvalid.h"
#include "host/native.h"
#include "host/netplan.h"
#include "host/yamlw.h"

struct ci_state {
	struct hc_config *c;
	char default_user[64];
};

/* ---- meta-data and hostnames ---- */

static int add_key(void *ctx, struct yw_doc *d, yaml_node_t *n,
		   const char *user)
{
	struct ci_state *s = ctx;
	const char *k = yw_scalar(n);

	if (!k)
		return hc_error(d->c, yw_at(d, n), "ssh key must be a string");
	return hc_add_sshkey(s->c, yw_at(d, n), user, k);
}

/* hostname / fqdn: a dotted hostname gives both (as cloud-init does). */
static int hostnames(struct ci_state *s, struct yw_doc *md, struct yw_doc *ud)
{
	const yaml_node_t *hn = yw_get(ud, yw_root(ud), "hostname");
	const yaml_node_t *fq = yw_get(ud, yw_root(ud), "fqdn");
	const yaml_node_t *lh = yw_get(md, yw_root(md), "local-hostname");
	struct yw_doc *hd = hn ? ud : md;
	const char *h = yw_scalar(hn ? hn : lh), *f = yw_scalar(fq);
	char label[64];

	if ((hn || lh) && !h)
		return hc_error(s->c, yw_at(hd, hn ? hn : lh),
				"hostname must be a string");
	if (fq && !f)
		return hc_error(s->c, yw_at(ud, fq), "fqdn must be a string");
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
		if (hc_add_hostname(s->c, yw_at(hd, hn ? hn : lh), label))
			return -1;
	}
	if (f && hc_add_fqdn(s->c, yw_at(fq == lh ? md : ud, fq), f))
		return -1;
	return 0;
}

static int meta_data(struct ci_state *s, struct yw_doc *md)
{
	static const char *const known[] = {"instance-id", "local-hostname",
					    "public-keys", NULL};
	yaml_node_t *r = yw_root(md), *id;

	if (!yw_is_map(r))
		return hc_error(s->c, md->name,
				"meta-data must be a mapping "
				"with instance-id (and local-hostname)");
	id = yw_get(md, r, "instance-id");
	if (!id)
		return hc_error(s->c, md->name, "no instance-id");
	if (hc_set_instance_id(s->c, yw_at(md, id), yw_scalar(id)))
		return -1;
	yw_others(md, r, known, "meta-data");
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

static int write_file(void *ctx, struct yw_doc *d, yaml_node_t *n,
		      const char *unused)
{
	struct ci_state *s = ctx;
	static const char *const known[] = {
	    "path",  "content", "encoding", "permissions", "owner",
	    "defer", "append",	"source",   NULL};
	const char *path, *content, *enc, *perm, *owner;
	char user[40] = "", group[40] = "", pfx[160];
	unsigned char *data = NULL;
	size_t size = 0;
	long mode = -1;

	if (!yw_is_map(n))
		return hc_error(d->c, yw_at(d, n),
				"write_files entries must be "
				"mappings with path and content");
	if (yw_str_at(d, n, "path", &path) ||
	    yw_str_at(d, n, "content", &content) ||
	    yw_str_at(d, n, "encoding", &enc) ||
	    yw_str_at(d, n, "permissions", &perm) ||
	    yw_str_at(d, n, "owner", &owner))
		return -1;
	if (!path)
		return hc_error(d->c, yw_at(d, n),
				"write_files entry without path");
	snprintf(pfx, sizeof pfx, "write_files[%.100s]", path);
	if (yw_truthy(yw_get(d, n, "append")) || yw_get(d, n, "source")) {
		hc_undelivered(s->c, "%s (%s; file not sent)", pfx,
			       yw_get(d, n, "source") ? "source" : "append");
		return 0;
	}
	if (enc && strcmp(enc, "text/plain") && strcmp(enc, "b64") &&
	    strcmp(enc, "base64")) {
		hc_undelivered(s->c, "%s (encoding %.20s; file not sent)", pfx,
			       enc);
		return 0;
	}
	yw_others(d, n, known, pfx);
	if (perm && (mode = hv_parse_mode(perm)) < 0)
		return hc_error(d->c, yw_at(d, yw_get(d, n, "permissions")),
				"%s: bad permissions \"%.10s\" (want octal "
				"like '0644')",
				path, perm);
	if (owner && sscanf(owner, "%39[^:]:%39s", user, group) < 1)
		return hc_error(d->c, yw_at(d, yw_get(d, n, "owner")),
				"%s: bad owner (want user or user:group)",
				path);
	if (enc && strcmp(enc, "text/plain")) {
		if (b64decode(content ? content : "", &data, &size))
			return hc_error(d->c, yw_at(d, yw_get(d, n, "content")),
					"%s: content is not valid base64",
					path);
	} else if (content && (size = strlen(content))) {
		if (!(data = malloc(size)))
			return hc_error(d->c, yw_at(d, n), "out of memory");
		memcpy(data, content, size);
	}
	/* cloud-init has no secret flag: a file nobody else may read is. */
	return hc_add_file(s->c, yw_at(d, n), path, data, size, mode, user,
			   group, mode >= 0 && !(mode & 077));
}

/* One "user:hash" of chpasswd.list. */
static int chpasswd_line(struct ci_state *s, struct yw_doc *d, yaml_node_t *n,
			 const char *line, size_t len)
{
	char user[40], hash[520];
	const char *colon = memchr(line, ':', len);

	if (!colon || colon == line || (size_t)(colon - line) >= sizeof user ||
	    len - (size_t)(colon - line) - 1 >= sizeof hash)
		return hc_error(d->c, yw_at(d, n),
				"chpasswd.list: want "
				"user:hash lines");
	memcpy(user, line, (size_t)(colon - line));
	user[colon - line] = 0;
	memcpy(hash, colon + 1, len - (size_t)(colon - line) - 1);
	hash[len - (size_t)(colon - line) - 1] = 0;
	if (!strcmp(hash, "R") || !strcmp(hash, "RANDOM")) {
		hc_undelivered(s->c, "chpasswd.list %s:RANDOM", user);
		return 0;
	}
	return hc_add_password(s->c, yw_at(d, n), user, hash);
}

static int chpasswd_item(void *ctx, struct yw_doc *d, yaml_node_t *n,
			 const char *unused)
{
	struct ci_state *s = ctx;
	const char *t = yw_scalar(n);

	if (!t)
		return hc_error(d->c, yw_at(d, n),
				"chpasswd.list: want strings");
	while (*t) {
		size_t l = strcspn(t, "\n");
		size_t sp = strspn(t, " \t");
		if (l > sp && chpasswd_line(s, d, n, t + sp, l - sp) < 0)
			return -1;
		t += l + (t[l] ? 1 : 0);
	}
	return 0;
}

static int chpasswd_user(void *ctx, struct yw_doc *d, yaml_node_t *n,
			 const char *unused)
{
	struct ci_state *s = ctx;
	const char *name, *pw, *type;

	if (!yw_is_map(n) || yw_str_at(d, n, "name", &name) ||
	    yw_str_at(d, n, "password", &pw) || yw_str_at(d, n, "type", &type))
		return d->c->failed
			   ? -1
			   : hc_error(d->c, yw_at(d, n),
				      "chpasswd.users entries are "
				      "mappings with name, password, type");
	if (type && !strcmp(type, "RANDOM")) {
		hc_undelivered(s->c, "chpasswd.users %.40s type RANDOM",
			       name ? name : "?");
		return 0;
	}
	return hc_add_password(s->c, yw_at(d, n), name, pw);
}

static int chpasswd(struct ci_state *s, struct yw_doc *d, yaml_node_t *n)
{
	static const char *const known[] = {"list", "users", "expire", NULL};
	yaml_node_t *ex;

	if (!yw_is_map(n))
		return hc_error(d->c, yw_at(d, n),
				"chpasswd must be a mapping");
	/* expire: false is what xenchan does anyway */
	ex = yw_get(d, n, "expire");
	if (ex && (!yw_scalar(ex) || yw_truthy(ex)))
		hc_undelivered(s->c, "chpasswd.expire");
	yw_others(d, n, known, "chpasswd");
	return yw_each(s, d, yw_get(d, n, "list"), "chpasswd.list",
		       chpasswd_item, NULL) ||
		       yw_each(s, d, yw_get(d, n, "users"), "chpasswd.users",
			       chpasswd_user, NULL)
		   ? -1
		   : 0;
}

static int user_entry(void *ctx, struct yw_doc *d, yaml_node_t *n,
		      const char *unused)
{
	struct ci_state *s = ctx;
	static const char *const known[] = {
	    "name",   "ssh_authorized_keys", "ssh-authorized-keys",
	    "passwd", "hashed_passwd",	     NULL};
	const char *name, *pw, *hpw;
	char pfx[80];

	if (yw_scalar(n) && !strcmp(yw_scalar(n), "default"))
		return 0;
	if (!yw_is_map(n))
		return hc_error(d->c, yw_at(d, n),
				"users entries are \"default\" "
				"or mappings with a name");
	if (yw_str_at(d, n, "name", &name) || yw_str_at(d, n, "passwd", &pw) ||
	    yw_str_at(d, n, "hashed_passwd", &hpw))
		return -1;
	if (!name)
		return hc_error(d->c, yw_at(d, n), "users entry without name");
	if (yw_get(d, n, "plain_text_passwd"))
		return hc_error(d->c,
				yw_at(d, yw_get(d, n, "plain_text_passwd")),
				"users[%.32s].plain_text_passwd: plain-text "
				"passwords are never sent; use passwd with a "
				"hash from mkpasswd -m sha-512",
				name);
	snprintf(pfx, sizeof pfx, "users[%.40s]", name);
	yw_others(d, n, known, pfx);
	if (yw_each(s, d, yw_get(d, n, "ssh_authorized_keys"),
		    "ssh_authorized_keys", add_key, name) ||
	    yw_each(s, d, yw_get(d, n, "ssh-authorized-keys"),
		    "ssh-authorized-keys", add_key, name))
		return -1;
	if (pw &&
	    hc_add_password(s->c, yw_at(d, yw_get(d, n, "passwd")), name, pw))
		return -1;
	if (hpw &&
	    hc_add_password(s->c, yw_at(d, yw_get(d, n, "hashed_passwd")), name,
			    hpw))
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
		       !strncmp(t, "#!", 2) ? "a script"
		       : !strncasecmp(t, "Content-Type", 12)
			   ? "MIME multi-part"
			   : "not #cloud-config");
	return 0;
}

static int user_data(struct ci_state *s, struct yw_doc *d)
{
	static const char *const known[] = {
	    "hostname",	   "fqdn",     "ssh_authorized_keys", "users",
	    "write_files", "chpasswd", "system_info",	      NULL};
	yaml_node_t *r = yw_root(d), *si;
	const char *du;

	if (!r)
		return 0;
	if (!yw_is_map(r))
		return hc_error(s->c, yw_at(d, r),
				"#cloud-config must be a "
				"mapping");
	if (yw_get(d, r, "password"))
		return hc_error(s->c, yw_at(d, yw_get(d, r, "password")),
				"password: plain-text passwords are never "
				"sent; use chpasswd or users[].passwd with a "
				"hash from mkpasswd -m sha-512");
	yw_others(d, r, known, "");
	si = yw_get(d, r, "system_info");
	if (si) {
		static const char *const known_si[] = {"default_user", NULL};
		yw_others(d, si, known_si, "system_info");
		if (yw_str_at(d, yw_get(d, si, "default_user"), "name", &du))
			return -1;
		if (du)
			snprintf(s->default_user, sizeof s->default_user, "%s",
				 du);
		if (yw_get(d, si, "default_user"))
			hc_undelivered(s->c, "system_info.default_user (only "
					     "its name is used)");
	}
	if (yw_each(s, d, yw_get(d, r, "ssh_authorized_keys"),
		    "ssh_authorized_keys", add_key, s->default_user) ||
	    yw_each(s, d, yw_get(d, r, "users"), "users", user_entry, NULL) ||
	    yw_each(s, d, yw_get(d, r, "write_files"), "write_files",
		    write_file, NULL))
		return -1;
	if (yw_get(d, r, "chpasswd") &&
	    chpasswd(s, d, yw_get(d, r, "chpasswd")))
		return -1;
	return 0;
}

int ci_parse_seed(struct hc_config *c, const struct ci_file *meta,
		  const struct ci_file *user, const struct ci_file *net,
		  const char *default_user)
{
	struct ci_state *s = calloc(1, sizeof *s);
	struct yw_doc md, ud, nd;
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
		hc_error(c, NULL,
			 "a NoCloud seed needs meta-data with an "
			 "instance-id");
		goto out;
	}
	if (yw_load(c, &md, meta->name, meta->text, meta->len) ||
	    meta_data(s, &md))
		goto out;
	if (user && user->text && user_data_kind(s, user) &&
	    yw_load(c, &ud, user->name, user->text, user->len))
		goto out;
	if (net && net->text && yw_load(c, &nd, net->name, net->text, net->len))
		goto out;
	/* items in the order the agent best applies them */
	if (hostnames(s, &md, &ud) || np_parse(c, &nd) || user_data(s, &ud))
		goto out;
	/* meta-data public-keys go to the default user, like cloud-init */
	if (yw_each(s, &md, yw_get(&md, yw_root(&md), "public-keys"),
		    "public-keys", add_key, s->default_user))
		goto out;
	r = 0;
out:
	yw_unload(&md);
	yw_unload(&ud);
	yw_unload(&nd);
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
			r = hc_error(
			    c, path[i], "cannot read: %s%s", strerror(errno),
			    errno == ENOENT ? " (a NoCloud seed needs it)"
					    : "");
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
