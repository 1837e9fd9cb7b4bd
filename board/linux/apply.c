/* apply.c - the applier's transaction: xs_ops begin/item/data/abort and
 * staging of every item kind (docs/PROTOCOL.md section 4.1). Each item is
 * checked with agent/config.h and against the guest (users in the root's
 * etc/passwd, interfaces by rtnetlink) as it arrives; file contents go to
 * the stage directory, everything else into the fixed tables of struct
 * xa_ctx. Committing is apply_commit.c. See apply.h, docs/APPLY.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "log.h"

void xa_reset(struct xa_ctx *a)
{
	int i;

	if (a->cur_fd >= 0)
		close(a->cur_fd);
	for (i = 0; i < a->nfiles; i++) {
		if (a->files[i].dirfd >= 0)
			close(a->files[i].dirfd);
		a->files[i].dirfd = -1;
	}
	/* the hashes are secrets: do not leave them behind */
	memset(a->users, 0, sizeof a->users);
	a->cur_fd = -1;
	a->cur_left = 0;
	a->hostname[0] = a->fqdn[0] = a->search[0] = 0;
	a->hostname_seq = a->fqdn_seq = a->resolv_seq = 0;
	a->nns = a->nifaces = a->naddrs = a->nroutes = a->nusers = 0;
	a->nfiles = a->ndirs = a->user_files = 0;
	a->host_set = 0;
}

static int fail(const char **reason, const char *word, int err)
{
	*reason = word;
	return err < 0 ? err : -EINVAL;
}

static int str_copy(char *dst, size_t cap, const struct xc_str *s)
{
	if (s->n >= cap)
		return -ENAMETOOLONG;
	memcpy(dst, s->p, s->n);
	dst[s->n] = 0;
	return 0;
}

/* ---- interfaces ---- */

struct find_link {
	const struct xc_item *it;
	uint8_t mac[6];
	struct xa_iface *f;
};

static int on_link(void *ctx, const struct xn_link *l)
{
	struct find_link *c = ctx;

	if (c->it->is_mac ? !l->has_mac || memcmp(l->mac, c->mac, 6)
			  : !xcc_eq(c->it->b.p, c->it->b.n, l->name))
		return 0;
	c->f->index = l->index;
	c->f->old_mtu = l->mtu;
	c->f->old_flags = l->flags;
	return 1;
}

static int find_iface(struct xa_ctx *a, const struct xc_str *ifid)
{
	int i;

	for (i = 0; i < a->nifaces; i++)
		if (xcc_eq(ifid->p, ifid->n, a->ifaces[i].ifid))
			return i;
	return -1;
}

static int stage_iface(struct xa_ctx *a, const struct xc_item *it,
		       const char **reason)
{
	struct xa_iface *f = &a->ifaces[a->nifaces];
	struct find_link c = {it, {0}, f};
	int r;

	if (xcc_ifid(it->a.p, it->a.n) < 0)
		return fail(reason, "bad-ifid", 0);
	if (find_iface(a, &it->a) >= 0)
		return fail(reason, "duplicate-ifid", 0);
	if (a->nifaces == XA_IFACES_MAX)
		return fail(reason, "too-many-interfaces", -E2BIG);
	if (it->is_mac ? xcc_mac(it->b.p, it->b.n, c.mac) < 0
		       : xcc_ifname(it->b.p, it->b.n) < 0)
		return fail(reason, it->is_mac ? "bad-mac" : "bad-ifname", 0);
	if (it->mtu && (it->mtu < 68 || it->mtu > 65535))
		return fail(reason, "bad-mtu", 0);
	if (a->nl.fd < 0 && (r = xn_open(&a->nl)) < 0)
		return fail(reason, "netlink-failed", r);
	memset(f, 0, sizeof *f);
	r = xn_links(&a->nl, on_link, &c);
	if (r < 0)
		return fail(reason, "netlink-failed", r);
	if (r == 0)
		return fail(reason, "no-such-interface", -ENODEV);
	str_copy(f->ifid, sizeof f->ifid, &it->a);
	f->mtu = it->mtu;
	f->seq = it->seq;
	a->nifaces++;
	return 0;
}

/* A destination has no bits set after its prefix (the kernel refuses
 * 10.1.2.3/16; say so now rather than at commit). */
static int net_only(const struct xcc_ip *ip)
{
	int i;

	for (i = ip->prefix; i < (ip->family == 4 ? 32 : 128); i++)
		if (ip->a[i / 8] & (0x80 >> (i % 8)))
			return 0;
	return 1;
}

static int stage_route(struct xa_ctx *a, const struct xc_item *it, int i,
		       const char **reason)
{
	struct xa_route *r = &a->routes[a->nroutes];

	if (a->nroutes == XA_ROUTES_MAX)
		return fail(reason, "too-many-routes", -E2BIG);
	memset(r, 0, sizeof *r);
	if (it->c.n && xcc_ip(it->c.p, it->c.n, &r->gw) < 0)
		return fail(reason, "bad-gateway", 0);
	r->has_gw = it->c.n > 0;
	if (xcc_eq(it->b.p, it->b.n, "default")) {
		if (!r->has_gw)
			return fail(reason, "default-needs-via", 0);
		r->dst.family = r->gw.family; /* ::/0 or 0.0.0.0/0 */
	} else if (xcc_ip_prefix(it->b.p, it->b.n, &r->dst) < 0 ||
		   !net_only(&r->dst)) {
		return fail(reason, "bad-route", 0);
	}
	if (r->has_gw && r->gw.family != r->dst.family)
		return fail(reason, "bad-gateway", 0);
	r->seq = it->seq;
	r->iface = (uint8_t)i;
	r->metric = it->metric;
	a->nroutes++;
	return 0;
}

/* ---- users ---- */

static struct xa_user *get_user(struct xa_ctx *a, const struct xc_str *name,
				const char **reason)
{
	struct xa_user *u;
	int i;

	if (xcc_user(name->p, name->n) < 0) {
		*reason = "bad-user";
		return NULL;
	}
	for (i = 0; i < a->nusers; i++)
		if (xcc_eq(name->p, name->n, a->users[i].name))
			return &a->users[i];
	if (a->nusers == XA_USERS_MAX) {
		*reason = "too-many-users";
		return NULL;
	}
	u = &a->users[a->nusers];
	memset(u, 0, sizeof *u);
	if (xa_getpw(a, name->p, name->n, u) < 0) {
		*reason = "no-such-user";
		return NULL;
	}
	a->nusers++;
	return u;
}

static int stage_key(struct xa_ctx *a, const struct xc_item *it,
		     const char **reason)
{
	struct xa_user *u = get_user(a, &it->a, reason);
	char name[16];
	int fd, r;

	if (!u)
		return -EINVAL;
	if (xcc_sshkey(it->b.p, it->b.n, NULL, NULL) < 0)
		return fail(reason, "bad-key", 0);
	snprintf(name, sizeof name, "k%d", (int)(u - a->users));
	fd = openat(a->stage_fd, name,
		    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(reason, "stage-failed", -errno);
	r = xa_write_all(fd, it->b.p, it->b.n);
	if (r == 0)
		r = xa_write_all(fd, "\n", 1);
	close(fd);
	if (r < 0)
		return fail(reason, "stage-failed", r);
	if (!u->key_seq)
		u->key_seq = it->seq;
	return 0;
}

/* ---- files ---- */

static int stage_file(struct xa_ctx *a, const struct xc_item *it,
		      const char **reason)
{
	struct xa_file *f = &a->files[a->nfiles];
	struct stat st;
	const char *name;
	char stage[16];
	uint32_t uid;
	int i, dfd, r;

	if (xcc_path(it->a.p, it->a.n) < 0)
		return fail(reason,
			    xcc_path_dotdot(it->a.p, it->a.n)
				? "path-escapes-root"
				: "bad-path",
			    0);
	if (a->user_files == XC_FILES_MAX)
		return fail(reason, "too-many-files", -E2BIG);
	if (it->size > XC_FILE_MAX)
		return fail(reason, "too-large", -EFBIG);
	for (i = 0; i < a->nfiles; i++)
		if (xcc_eq(it->a.p + 1, it->a.n - 1, a->files[i].path))
			return fail(reason, "duplicate-path", 0);
	memset(f, 0, sizeof *f);
	f->dirfd = -1;
	if (xa_getid(a, 0, &it->owner, 0, &uid) < 0)
		return fail(reason, "no-such-user", 0);
	f->uid = uid;
	if (xa_getid(a, 1, &it->group, 0, &f->gid) < 0)
		return fail(reason, "no-such-group", 0);
	f->mode = it->mode & 07777;
	f->seq = it->seq;
	f->kind = XC_ITEM_FILE;
	memcpy(f->path, it->a.p + 1, it->a.n - 1);
	f->path[it->a.n - 1] = 0;
	/* check the way now; missing directories are made at commit */
	dfd = xa_parent(a, f->path, NULL, &name);
	if (dfd < 0 && dfd != -ENOENT)
		return fail(reason, xa_path_reason(dfd), dfd);
	if (dfd >= 0) {
		r = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW);
		close(dfd);
		if (r == 0 && S_ISDIR(st.st_mode))
			return fail(reason, "is-a-directory", -EISDIR);
	}
	snprintf(stage, sizeof stage, "f%d", a->nfiles);
	unlinkat(a->stage_fd, stage, 0);
	a->cur_fd = openat(a->stage_fd, stage,
			   O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (a->cur_fd < 0)
		return fail(reason, "stage-failed", -errno);
	a->cur_left = it->size;
	if (!a->cur_left) {
		close(a->cur_fd);
		a->cur_fd = -1;
	}
	a->nfiles++;
	a->user_files++;
	return 0;
}

int xa_stage_item(struct xa_ctx *a, const struct xc_item *it,
		  const char **reason)
{
	struct xa_user *u;
	struct xcc_ip ip;
	int i;

	if (a->cur_fd >= 0)
		return fail(reason, "missing-data", 0);
	switch (it->kind) {
	case XC_ITEM_HOSTNAME:
		if (xcc_hostname(it->a.p, it->a.n) < 0)
			return fail(reason, "bad-hostname", 0);
		str_copy(a->hostname, sizeof a->hostname, &it->a);
		a->hostname_seq = it->seq;
		return 0;
	case XC_ITEM_FQDN:
		if (xcc_domain(it->a.p, it->a.n) < 0)
			return fail(reason, "bad-fqdn", 0);
		str_copy(a->fqdn, sizeof a->fqdn, &it->a);
		a->fqdn_seq = it->seq;
		return 0;
	case XC_ITEM_IFACE:
		return stage_iface(a, it, reason);
	case XC_ITEM_ADDR:
		if ((i = find_iface(a, &it->a)) < 0)
			return fail(reason, "unknown-ifid", 0);
		if (xcc_ip_prefix(it->b.p, it->b.n, &ip) < 0)
			return fail(reason, "bad-address", 0);
		if (a->naddrs == XA_ADDRS_MAX)
			return fail(reason, "too-many-addresses", -E2BIG);
		a->addrs[a->naddrs].seq = it->seq;
		a->addrs[a->naddrs].iface = (uint8_t)i;
		a->addrs[a->naddrs].added = 0;
		a->addrs[a->naddrs++].ip = ip;
		return 0;
	case XC_ITEM_ROUTE:
		if ((i = find_iface(a, &it->a)) < 0)
			return fail(reason, "unknown-ifid", 0);
		return stage_route(a, it, i, reason);
	case XC_ITEM_NAMESERVER:
		if (xcc_ip(it->a.p, it->a.n, &ip) < 0)
			return fail(reason, "bad-address", 0);
		if (a->nns == XA_NS_MAX)
			return fail(reason, "too-many-nameservers", -E2BIG);
		a->ns[a->nns++] = ip;
		if (!a->resolv_seq)
			a->resolv_seq = it->seq;
		return 0;
	case XC_ITEM_SEARCH:
		i = (int)strlen(a->search);
		if (xcc_domain(it->a.p, it->a.n) < 0)
			return fail(reason, "bad-domain", 0);
		if (i + 1 + it->a.n >= sizeof a->search)
			return fail(reason, "too-many-search-domains", -E2BIG);
		if (i)
			a->search[i++] = ' ';
		memcpy(a->search + i, it->a.p, it->a.n);
		a->search[i + it->a.n] = 0;
		if (!a->resolv_seq)
			a->resolv_seq = it->seq;
		return 0;
	case XC_ITEM_SSHKEY:
		return stage_key(a, it, reason);
	case XC_ITEM_PASSWORD:
		if (!(u = get_user(a, &it->a, reason)))
			return -EINVAL;
		if (xcc_hash(it->b.p, it->b.n) < 0)
			return fail(reason, "bad-hash", 0);
		str_copy(u->hash, sizeof u->hash, &it->b);
		u->pw_seq = it->seq;
		return 0;
	case XC_ITEM_FILE:
		return stage_file(a, it, reason);
	default:
		return fail(reason, "unknown-kind", 0);
	}
}

/* ---- xs_ops ---- */

static int op_applied_id(void *ctx, char *buf, size_t cap)
{
	return xa_read_applied(ctx, buf, cap);
}

static int op_begin(void *ctx, const char *config_id, const char **reason)
{
	struct xa_ctx *a = ctx;

	xa_reset(a);
	if (a->stage_fd < 0)
		return fail(reason, "root-not-writable", -EROFS);
	if (a->frozen)
		return fail(reason, "frozen", -EBUSY);
	xa_clear_stage(a);
	if (xcc_config_id(config_id, strlen(config_id)) < 0)
		return fail(reason, "bad-config-id", 0);
	return 0;
}

static int op_item(void *ctx, const struct xc_item *it, const char **reason)
{
	return xa_stage_item(ctx, it, reason);
}

static int op_data(void *ctx, const void *p, size_t n, const char **reason)
{
	struct xa_ctx *a = ctx;
	int r;

	if (a->cur_fd < 0 || n > a->cur_left)
		return fail(reason, "too-large", -EFBIG);
	r = xa_write_all(a->cur_fd, p, n);
	if (r < 0)
		return fail(reason, "stage-failed", r);
	a->cur_left -= n;
	if (!a->cur_left) {
		close(a->cur_fd);
		a->cur_fd = -1;
	}
	return 0;
}

static int op_commit(void *ctx, const char *config_id, uint32_t *failed_seq,
		     const char **reason)
{
	struct xa_ctx *a = ctx;
	int r;

	if (a->cur_fd >= 0) {
		*failed_seq = 0;
		return fail(reason, "missing-data", 0);
	}
	r = xa_commit(a, config_id, failed_seq, reason);
	xa_reset(a);
	xa_clear_stage(a);
	return r;
}

static void op_abort(void *ctx)
{
	xa_reset(ctx);
	xa_clear_stage(ctx);
}

const struct xs_ops xa_ops = {
    .applied_id = op_applied_id,
    .begin = op_begin,
    .item = op_item,
    .data = op_data,
    .commit = op_commit,
    .abort = op_abort,
    .request = xa_request,
};
