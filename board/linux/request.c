/* request.c - resident requests (docs/PROTOCOL.md section 5): ping, info,
 * net, set-hostname, sshkey-add, sshkey-remove, file-digest, poweroff,
 * reboot, halt, fsfreeze, thaw, set-time. Changes go through the same
 * staged, journalled path as a transaction (apply_commit.c) but record no
 * config id. Power requests only set a->pending: main acts once the reply
 * has left. See apply.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "agent/sha256.h"
#include "apply.h"
#include "log.h"

#define XR_LINKS_MAX 32
#define XR_OUT_SLACK 1024 /* output room kept for the final reply */

struct xr_req {
	struct xa_ctx *a;
	struct xs_session *s;
	const struct xf_frame *f;
};

static int arg(const struct xr_req *r, int i, struct xc_str *v)
{
	if (3 + i >= r->f->nfields)
		return -1;
	v->p = r->f->field[3 + i];
	v->n = r->f->len[3 + i];
	return 0;
}

static void ok(const struct xr_req *r)
{
	xs_reply_begin(r->s, r->f, "ok");
	xs_reply_end(r->s);
}

static void err(const struct xr_req *r, const char *code, const char *msg)
{
	xs_reply_error(r->s, r->f, code, msg);
}

/* ---- info ---- */

static void do_info(const struct xr_req *r)
{
	struct xf_writer *w;
	struct utsname un;
	struct sysinfo si;
	char boot[40], applied[XS_ID_MAX];
	int fd;
	ssize_t n = 0;

	if (uname(&un) < 0)
		memset(&un, 0, sizeof un);
	if (sysinfo(&si) < 0)
		si.uptime = 0;
	fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, boot, sizeof boot - 1);
		close(fd);
	}
	if (n > 0 && boot[n - 1] == '\n')
		n--;
	boot[n > 0 ? n : 0] = 0;
	xa_read_applied(r->a, applied, sizeof applied);
	w = xs_reply_begin(r->s, r->f, "ok");
	xf_add_kv(w, "version", XC_VERSION);
	xf_add_kv(w, "hostname", un.nodename);
	xf_add_kv(w, "kernel", un.release);
	xf_add_kv_u64(w, "uptime", (uint64_t)si.uptime);
	xf_add_kv(w, "boot-id", boot);
	xf_add_kv(w, "applied", applied);
	xs_reply_end(r->s);
}

/* ---- net ---- */

struct xr_net {
	const struct xr_req *r;
	struct xn_link links[XR_LINKS_MAX];
	int nlinks, cur, truncated;
	struct xf_writer *w;
};

static int on_link(void *ctx, const struct xn_link *l)
{
	struct xr_net *c = ctx;

	if (c->nlinks == XR_LINKS_MAX) {
		c->truncated = 1;
		return 0;
	}
	c->links[c->nlinks++] = *l;
	return 0;
}

static int room(const struct xs_session *s)
{
	return sizeof s->out - s->out_len >= XR_OUT_SLACK;
}

/* Starts a "more iface name=..." frame for links[cur]. */
static void net_frame(struct xr_net *c)
{
	c->w = xs_reply_begin(c->r->s, c->r->f, "more");
	xf_add_str(c->w, "iface");
	xf_add_kv(c->w, "name", c->links[c->cur].name);
}

/* Adds key=value to the link's frame, going on in another frame for the
 * same link when this one is full. */
static void net_field(struct xr_net *c, const char *key, const char *value)
{
	if (!c->w)
		return;
	if (c->w->nfields == XF_FIELDS_MAX) {
		xs_reply_end(c->r->s);
		c->w = NULL;
		if (!room(c->r->s)) {
			c->truncated = 1;
			return;
		}
		net_frame(c);
	}
	xf_add_kv(c->w, key, value);
}

static int on_addr(void *ctx, const struct xn_addr *x)
{
	struct xr_net *c = ctx;
	char ip[XCC_IP_TEXT_MAX + 4];
	size_t n;

	if (x->index != c->links[c->cur].index)
		return 0;
	n = xcc_ip_format(&x->ip, ip);
	snprintf(ip + n, sizeof ip - n, "/%u", x->ip.prefix);
	net_field(c, "addr", ip);
	return 0;
}

/* route=DST/LEN via GW [metric N], as ip-route(8) prints it */
static int on_route(void *ctx, const struct xn_route *x)
{
	struct xr_net *c = ctx;
	char v[2 * XCC_IP_TEXT_MAX + 32];
	size_t n;

	if (x->index != c->links[c->cur].index)
		return 0;
	if (x->dst.prefix) {
		n = xcc_ip_format(&x->dst, v);
		n += (size_t)snprintf(v + n, sizeof v - n, "/%u", x->dst.prefix);
	} else {
		n = (size_t)snprintf(v, sizeof v, "default");
	}
	n += (size_t)snprintf(v + n, sizeof v - n, " via ");
	n += xcc_ip_format(&x->gw, v + n);
	if (x->metric)
		snprintf(v + n, sizeof v - n, " metric %u", x->metric);
	net_field(c, "route", v);
	return 0;
}

static void do_net(const struct xr_req *r)
{
	static struct xr_net c; /* links[] is too big for a small stack */
	struct xa_ctx *a = r->a;
	char mac[18];
	int e;

	memset(&c, 0, sizeof c);
	c.r = r;
	if (a->nl.fd < 0 && (e = xn_open(&a->nl)) < 0)
		return err(r, "netlink-failed", strerror(-e));
	if ((e = xn_links(&a->nl, on_link, &c)) < 0)
		return err(r, "netlink-failed", strerror(-e));
	for (c.cur = 0; c.cur < c.nlinks; c.cur++) {
		const struct xn_link *l = &c.links[c.cur];
		if (!room(r->s)) {
			c.truncated = 1;
			break;
		}
		net_frame(&c);
		xcc_mac_format(l->mac, mac);
		xf_add_kv(c.w, "mac", l->has_mac ? mac : "");
		xf_add_kv_u64(c.w, "mtu", l->mtu);
		xf_add_kv(c.w, "state", l->flags & IFF_UP ? "up" : "down");
		e = xn_addrs(&a->nl, on_addr, &c);
		if (e >= 0)
			e = xn_routes(&a->nl, on_route, &c);
		if (c.w)
			xs_reply_end(r->s);
		c.w = NULL;
		if (e < 0)
			return err(r, "netlink-failed", strerror(-e));
	}
	c.w = xs_reply_begin(r->s, r->f, "ok");
	if (c.truncated)
		xf_add_kv(c.w, "truncated", "1");
	xs_reply_end(r->s);
}

/* ---- changes ---- */

/* Stages one item and applies it now, with no config id recorded. */
static void change(const struct xr_req *r, struct xc_item *it)
{
	struct xa_ctx *a = r->a;
	const char *reason = "io-error";
	uint32_t seq;

	xa_reset(a);
	xa_clear_stage(a);
	it->seq = 1;
	if (xa_stage_item(a, it, &reason) < 0 ||
	    xa_commit(a, NULL, &seq, &reason) < 0)
		err(r, reason, NULL);
	else
		ok(r);
	xa_reset(a);
	xa_clear_stage(a);
}

static void do_sshkey_remove(const struct xr_req *r, const struct xc_str *user,
			     const struct xc_str *blob)
{
	struct xa_ctx *a = r->a;
	struct xa_user u;
	struct xf_writer *w;
	const char *reason = "io-error";
	uint32_t seq;
	int removed = 0, e;

	xa_reset(a);
	xa_clear_stage(a);
	if (xcc_user(user->p, user->n) < 0)
		return err(r, "bad-user", NULL);
	if (xa_getpw(a, user->p, user->n, &u) < 0)
		return err(r, "no-such-user", "add the user to etc/passwd");
	e = xa_keys_remove(a, &u, blob->p, blob->n, &removed);
	if (e == 0 && removed && xa_commit(a, NULL, &seq, &reason) < 0)
		e = -EIO;
	xa_reset(a);
	xa_clear_stage(a);
	if (e < 0)
		return err(r, e == -EIO ? reason : xa_path_reason(e), NULL);
	w = xs_reply_begin(r->s, r->f, "ok");
	xf_add_kv_u64(w, "removed", (uint64_t)removed);
	xs_reply_end(r->s);
}

/* ---- queries of files ---- */

static void do_digest(const struct xr_req *r, const struct xc_str *path)
{
	struct xa_ctx *a = r->a;
	struct xc_sha256 h;
	struct xf_writer *w;
	struct stat st;
	uint8_t d[32];
	char hex[65], mode[8];
	ssize_t n;
	int fd;

	if (xcc_path(path->p, path->n) < 0)
		return err(r,
			   xcc_path_dotdot(path->p, path->n)
			       ? "path-escapes-root"
			       : "bad-path",
			   NULL);
	fd = xa_open_read(a, path->p + 1);
	if (fd < 0)
		return err(r,
			   fd == -ENOENT ? "no-such-file" : xa_path_reason(fd),
			   NULL);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err(r, "not-a-file", NULL);
	}
	xc_sha256_init(&h);
	while ((n = read(fd, a->io, sizeof a->io)) > 0)
		xc_sha256_update(&h, a->io, (size_t)n);
	close(fd);
	if (n < 0)
		return err(r, "io-error", NULL);
	xc_sha256_final(&h, d);
	xc_sha256_hex(d, hex);
	snprintf(mode, sizeof mode, "%04o", (unsigned)(st.st_mode & 07777));
	w = xs_reply_begin(r->s, r->f, "ok");
	xf_add_kv_u64(w, "size", (uint64_t)st.st_size);
	xf_add_kv(w, "mode", mode);
	xf_add_kv_u64(w, "uid", st.st_uid);
	xf_add_kv_u64(w, "gid", st.st_gid);
	xf_add_kv(w, "sha256", hex);
	xs_reply_end(r->s);
}

/* /proc/self/mounts escapes ' ', '\t', '\n', '\\' as \ooo. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++, o++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] &&
		    s[3]) {
			*o = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
				    (s[3] - '0'));
			s += 3;
		} else {
			*o = *s;
		}
	}
	*o = 0;
}

/* FIFREEZE / FITHAW every mounted block-device file system (pseudo file
 * systems have no /dev/ source), or only the one at `only`. */
static void do_freeze(const struct xr_req *r, int freeze,
		      const struct xc_str *only)
{
	struct xa_lines *l = &r->a->lr[0];
	struct xf_writer *w;
	const char *s;
	char *mnt, *sp;
	long n;
	int fd, count = 0;

	fd = open("/proc/self/mounts", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err(r, "no-proc", "mount /proc");
	xa_lines_init(l, fd);
	while ((n = xa_lines_next(l, &s)) >= 0 || n == -E2BIG) {
		int mfd, e;

		mnt = n < 0 ? NULL : strchr(s, ' ');
		if (!mnt || strncmp(s, "/dev/", 5))
			continue;
		mnt++;
		if (!(sp = strchr(mnt, ' ')))
			continue;
		*sp = 0;
		unescape(mnt);
		if (only && !xcc_eq(only->p, only->n, mnt))
			continue;
		mfd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (mfd < 0)
			continue;
		e = ioctl(mfd, freeze ? FIFREEZE : FITHAW, 0);
		close(mfd);
		if (e == 0)
			count++;
		else if (errno != EBUSY && errno != EINVAL &&
			 errno != EOPNOTSUPP)
			xlog(XLOG_WARN, "%s %s: %s", freeze ? "freeze" : "thaw",
			     mnt, strerror(errno));
	}
	close(fd);
	/* writing to a frozen file system would block: until a thaw, changes
	 * are refused (a thaw of one mount point clears it too: the host
	 * asked for writes to go on) */
	r->a->frozen = freeze ? r->a->frozen || count > 0 : 0;
	w = xs_reply_begin(r->s, r->f, "ok");
	xf_add_kv_u64(w, freeze ? "frozen" : "thawed", (uint64_t)count);
	xs_reply_end(r->s);
}

/* ---- dispatch ---- */

/* The verbs, in the order of enum xr_verb: one string, NUL-separated. */
static const char verbs[] = "ping\0info\0net\0file-digest\0poweroff\0"
			    "reboot\0halt\0fsfreeze\0thaw\0set-time\0"
			    "set-hostname\0sshkey-add\0sshkey-remove\0";
enum xr_verb {
	XR_PING,
	XR_INFO,
	XR_NET,
	XR_DIGEST,
	XR_POWEROFF,
	XR_REBOOT,
	XR_HALT,
	XR_FREEZE,
	XR_THAW,
	XR_SET_TIME,
	XR_SET_HOSTNAME,
	XR_KEY_ADD,
	XR_KEY_REMOVE,
	XR_UNKNOWN
};

static enum xr_verb verb(const struct xf_frame *f)
{
	const char *v = verbs;
	int i;

	for (i = 0; *v; i++, v += strlen(v) + 1)
		if (xcc_eq(f->field[2], f->len[2], v))
			break;
	return (enum xr_verb)i;
}

void xa_request(void *ctx, struct xs_session *s, const struct xf_frame *req)
{
	static const int power[] = {RB_POWER_OFF, RB_AUTOBOOT, RB_HALT_SYSTEM};
	struct xr_req r = {ctx, s, req};
	struct xc_item it;
	struct xc_str a0 = {"", 0}, a1 = {"", 0};
	int nargs = req->nfields - 3;
	enum xr_verb v = verb(req);
	uint64_t t;

	arg(&r, 0, &a0);
	arg(&r, 1, &a1);
	memset(&it, 0, sizeof it);
	switch (v) {
	case XR_PING:
		return ok(&r);
	case XR_INFO:
		return do_info(&r);
	case XR_NET:
		return do_net(&r);
	case XR_DIGEST:
		return nargs == 1 ? do_digest(&r, &a0)
				  : err(&r, "bad-request", "file-digest PATH");
	case XR_POWEROFF:
	case XR_REBOOT:
	case XR_HALT:
		r.a->pending = power[v - XR_POWEROFF];
		return ok(&r);
	case XR_FREEZE:
	case XR_THAW:
		return do_freeze(&r, v == XR_FREEZE, nargs ? &a0 : NULL);
	case XR_SET_TIME: {
		struct timespec ts = {0, 0};
		if (nargs != 1 || xf_parse_u64(a0.p, a0.n, 1ull << 40, &t) < 0)
			return err(&r, "bad-time", "unix seconds expected");
		ts.tv_sec = (time_t)t;
		if (clock_settime(CLOCK_REALTIME, &ts) < 0)
			return err(&r, "set-time-failed", strerror(errno));
		return ok(&r);
	}
	case XR_UNKNOWN:
		return; /* the engine answers unknown-verb */
	default:
		break;
	}
	/* the rest change files: not while a transaction is staged */
	if (s->state == XS_RECV)
		return err(&r, "busy", "a transaction is in progress");
	if (r.a->frozen)
		return err(&r, "frozen", "file systems are frozen: thaw first");
	it.a = a0;
	it.b = a1;
	if (v == XR_SET_HOSTNAME) {
		it.kind = XC_ITEM_HOSTNAME;
		return nargs == 1 ? change(&r, &it)
				  : err(&r, "bad-request", "set-hostname NAME");
	}
	if (nargs != 2)
		return err(&r, "bad-request", "USER KEY expected");
	if (v == XR_KEY_REMOVE)
		return do_sshkey_remove(&r, &a0, &a1);
	it.kind = XC_ITEM_SSHKEY;
	change(&r, &it);
}

int xa_pending_action(struct xa_ctx *a)
{
	int p = a->pending;

	a->pending = 0;
	return p;
}
