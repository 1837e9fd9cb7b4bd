/* apply_commit.c - applying a staged transaction, and undoing it.
 *
 * docs/APPLY.md is the design; in short, commit runs
 *   1. generate: authorized_keys, shadow, hostname, hosts, resolv.conf are
 *      written to the stage directory like file items;
 *   2. journal: each target's directory is opened (made if missing) and a
 *      line "f <k> <had-old> <path>" goes to stage/journal, then fsync;
 *   3. prepare: stage/f<k> becomes <dir>/.xc-<k>.tmp (rename, or a copy
 *      across file systems), owner and mode set, fsync;
 *   4. swap: the old target is hard linked to <dir>/.xc-<k>.bak, the tmp
 *      renamed over it, the directory synced;
 *   5. kernel: sethostname, links up and MTU, addresses, routes;
 *   6. record: var/lib/xenchan/applied written atomically, LAST;
 *   7. finish: backups and the journal removed.
 * A failure in 2-6 undoes everything done so far. After a crash, xa_init()
 * reads the journal: if the applied id equals the journal's, it finishes
 * (7), otherwise it rolls the files back. See apply.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "apply.h"
#include "log.h"

static void names(int k, char tmp[24], char bak[24])
{
	snprintf(tmp, 24, ".xc-%d.tmp", k);
	snprintf(bak, 24, ".xc-%d.bak", k);
}

static const char *last_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* Undoes (forward = 0) or finishes (forward = 1) files[k], judging from
 * what is on disk, so that it works after a crash as well: a tmp still
 * there means the swap did not happen. */
static void file_undo(struct xa_ctx *a, int k, int forward)
{
	struct xa_file *f = &a->files[k];
	const char *name = last_name(f->path);
	char tmp[24], bak[24];
	struct stat st;
	int dfd = f->dirfd;

	if (dfd < 0 && (dfd = xa_parent(a, f->path, NULL, &name)) < 0)
		return;
	names(k, tmp, bak);
	if (forward || fstatat(dfd, tmp, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		unlinkat(dfd, tmp, 0);
		unlinkat(dfd, bak, 0);
	} else if (f->had_old) {
		renameat(dfd, bak, dfd, name);
	} else {
		unlinkat(dfd, name, 0);
	}
	fsync(dfd);
	if (dfd != f->dirfd)
		close(dfd);
}

static void journal_close(struct xa_ctx *a)
{
	if (a->journal_fd >= 0)
		close(a->journal_fd);
	a->journal_fd = -1;
	unlinkat(a->stage_fd, "journal", 0);
	fsync(a->stage_fd);
}

static void rollback_files(struct xa_ctx *a)
{
	int k;

	for (k = a->nfiles - 1; k >= 0; k--)
		if (a->files[k].state >= XA_F_JOURNALED)
			file_undo(a, k, 0);
	for (k = a->ndirs - 1; k >= 0; k--)
		unlinkat(a->root_fd, a->dirs[k], AT_REMOVEDIR);
	a->ndirs = 0;
	journal_close(a);
}

void xa_finish_files(struct xa_ctx *a)
{
	int k;

	for (k = 0; k < a->nfiles; k++)
		if (a->files[k].state >= XA_F_JOURNALED)
			file_undo(a, k, 1);
	journal_close(a);
}

/* One journal line: "id <config-id>" (k < 0) or "f <k> <had> <path>". */
static int journal(struct xa_ctx *a, int k, int had, const char *s)
{
	char line[XCC_PATH_MAX + XS_ID_MAX + 32];
	int n = k < 0 ? snprintf(line, sizeof line, "id %s\n", s)
		      : snprintf(line, sizeof line, "f %d %d /%s\n", k, had, s);

	return xa_write_all(a->journal_fd, line, (size_t)n);
}

static int prepare(struct xa_ctx *a, int k)
{
	struct xa_file *f = &a->files[k];
	char tmp[24], bak[24], stage[16];
	int fd, in, r = 0;

	names(k, tmp, bak);
	snprintf(stage, sizeof stage, "f%d", k);
	unlinkat(f->dirfd, tmp, 0);
	unlinkat(f->dirfd, bak, 0);
	if (renameat(a->stage_fd, stage, f->dirfd, tmp) == 0) {
		fd = openat(f->dirfd, tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	} else if (errno == EXDEV) {
		/* the target is on another file system: copy */
		fd = openat(f->dirfd, tmp,
			    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		in = openat(a->stage_fd, stage, O_RDONLY | O_CLOEXEC);
		if (in < 0)
			r = -errno;
		else if (fd >= 0)
			r = xa_copy(a, in, fd);
		if (in >= 0)
			close(in);
	} else {
		return -errno;
	}
	if (fd < 0)
		return r < 0 ? r : -errno;
	/* chown first: it clears set-id bits that fchmod then sets */
	if (!r && (fchown(fd, f->uid, f->gid) < 0 || fchmod(fd, f->mode) < 0 ||
		   fsync(fd) < 0))
		r = -errno;
	close(fd);
	if (!r)
		f->state = XA_F_PREPARED;
	return r;
}

static int swap(struct xa_ctx *a, int k)
{
	struct xa_file *f = &a->files[k];
	const char *name = last_name(f->path);
	char tmp[24], bak[24];

	names(k, tmp, bak);
	if (f->had_old && linkat(f->dirfd, name, f->dirfd, bak, 0) < 0)
		return -errno;
	if (renameat(f->dirfd, tmp, f->dirfd, name) < 0)
		return -errno;
	f->state = XA_F_SWAPPED;
	return fsync(f->dirfd) < 0 ? -errno : 0;
}

int xa_apply_files(struct xa_ctx *a, uint32_t *failed_seq, const char **reason)
{
	struct xa_file *f;
	struct stat st;
	const char *name;
	int k, r;

	r = xa_gen_files(a, failed_seq, reason);
	if (r < 0 || a->nfiles == 0)
		return r;
	a->journal_fd = openat(a->stage_fd, "journal",
			       O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (a->journal_fd < 0 || journal(a, -1, 0, a->config_id) < 0) {
		*failed_seq = a->files[0].seq;
		*reason = "journal-failed";
		return -EIO;
	}
	for (k = 0; k < a->nfiles; k++) {
		f = &a->files[k];
		r = xa_parent(a, f->path, f, &name);
		if (r < 0) {
			*reason = xa_path_reason(r);
			goto fail;
		}
		f->dirfd = r;
		r = fstatat(f->dirfd, name, &st, AT_SYMLINK_NOFOLLOW);
		if (r == 0 && S_ISDIR(st.st_mode)) {
			*reason = "is-a-directory";
			r = -EISDIR;
			goto fail;
		}
		f->had_old = r == 0;
		f->state = XA_F_JOURNALED;
		r = journal(a, k, f->had_old, f->path);
		if (r < 0) {
			*reason = "journal-failed";
			goto fail;
		}
	}
	if (fsync(a->journal_fd) < 0) {
		r = -errno;
		k = 0;
		*reason = "journal-failed";
		goto fail;
	}
	for (k = 0; k < a->nfiles; k++)
		if ((r = prepare(a, k)) < 0) {
			*reason = xa_path_reason(r);
			goto fail;
		}
	for (k = 0; k < a->nfiles; k++)
		if ((r = swap(a, k)) < 0) {
			*reason = xa_path_reason(r);
			goto fail;
		}
	return 0;
fail:
	*failed_seq = a->files[k < a->nfiles ? k : 0].seq;
	xlog(XLOG_ERR, "applying %s failed: %s (%s); rolling back",
	     a->files[k < a->nfiles ? k : 0].path, *reason, strerror(-r));
	rollback_files(a);
	return r;
}

/* ---- kernel state ---- */

static void rollback_kernel(struct xa_ctx *a)
{
	int i;

	for (i = a->nroutes - 1; i >= 0; i--)
		if (a->routes[i].added)
			xn_route(&a->nl, 0, a->ifaces[a->routes[i].iface].index,
				 &a->routes[i].dst,
				 a->routes[i].has_gw ? &a->routes[i].gw : NULL,
				 a->routes[i].metric);
	for (i = a->naddrs - 1; i >= 0; i--)
		if (a->addrs[i].added)
			xn_addr(&a->nl, 0, a->ifaces[a->addrs[i].iface].index,
				&a->addrs[i].ip);
	for (i = 0; i < a->nifaces; i++)
		if (a->ifaces[i].touched)
			xn_link_set(&a->nl, a->ifaces[i].index,
				    a->ifaces[i].mtu ? a->ifaces[i].old_mtu : 0,
				    !!(a->ifaces[i].old_flags & IFF_UP));
	if (a->host_set)
		sethostname(a->old_host, strlen(a->old_host));
	a->host_set = 0;
}

static int apply_kernel(struct xa_ctx *a, uint32_t *failed_seq,
			const char **reason)
{
	struct utsname un;
	int i, r;

	if (a->hostname[0]) {
		if (uname(&un) < 0)
			un.nodename[0] = 0;
		snprintf(a->old_host, sizeof a->old_host, "%s", un.nodename);
		if (sethostname(a->hostname, strlen(a->hostname)) < 0) {
			*failed_seq = a->hostname_seq;
			*reason = "sethostname-failed";
			return -errno;
		}
		a->host_set = 1;
	}
	for (i = 0; i < a->nifaces; i++) {
		struct xa_iface *f = &a->ifaces[i];
		r = xn_link_set(&a->nl, f->index, f->mtu, 1);
		if (r < 0) {
			*failed_seq = f->seq;
			*reason = f->mtu ? "bad-mtu" : "link-failed";
			return r;
		}
		f->touched = 1;
	}
	for (i = 0; i < a->naddrs; i++) {
		struct xa_addr *x = &a->addrs[i];
		r = xn_addr(&a->nl, 1, a->ifaces[x->iface].index, &x->ip);
		if (r < 0 && r != -EEXIST) {
			*failed_seq = x->seq;
			*reason = "address-failed";
			return r;
		}
		x->added = r == 0;
	}
	for (i = 0; i < a->nroutes; i++) {
		struct xa_route *x = &a->routes[i];
		r = xn_route(&a->nl, 1, a->ifaces[x->iface].index, &x->dst,
			     x->has_gw ? &x->gw : NULL, x->metric);
		if (r < 0 && r != -EEXIST) {
			*failed_seq = x->seq;
			*reason = r == -ENETUNREACH ? "gateway-unreachable"
						    : "route-failed";
			return r;
		}
		x->added = r == 0;
	}
	return 0;
}

int xa_commit(struct xa_ctx *a, const char *config_id, uint32_t *failed_seq,
	      const char **reason)
{
	char line[XS_ID_MAX + 1];
	int r;

	*failed_seq = 0;
	/* NULL: a resident request; "-" never equals a recorded id, so a
	 * crash halfway is rolled back */
	snprintf(a->config_id, sizeof a->config_id, "%s",
		 config_id ? config_id : "-");
	r = xa_apply_files(a, failed_seq, reason);
	if (r < 0)
		return r;
	r = apply_kernel(a, failed_seq, reason);
	if (r == 0 && config_id) {
		snprintf(line, sizeof line, "%s\n", config_id);
		r = xa_write_atomic(a, XA_STATE_DIR, "applied", line,
				    strlen(line));
		if (r < 0)
			*reason = "record-failed";
	}
	if (r < 0) {
		xlog(XLOG_ERR,
		     "applying %s failed at item %u: %s (%s); "
		     "rolled back",
		     a->config_id, *failed_seq, *reason, strerror(-r));
		rollback_kernel(a);
		rollback_files(a);
		return r;
	}
	xa_finish_files(a);
	xlog(XLOG_INFO, "applied %s", config_id ? config_id : "a request");
	return 0;
}

/* ---- state, recovery ---- */

int xa_read_applied(struct xa_ctx *a, char *buf, size_t cap)
{
	int fd;
	ssize_t n;

	if (cap)
		buf[0] = 0; /* none recorded, unless read below */
	fd = xa_open_read(a, XA_STATE_DIR "/applied");
	if (fd < 0 || cap < 2) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n <= 0 || xcc_config_id(buf, (size_t)n) < 0)
		n = 0;
	buf[n] = 0;
	return (int)n;
}

/* "f <k> <0|1> <path>" */
static int parse_f(const char *s, size_t n, int *k, int *had, int *off)
{
	uint32_t v;
	size_t i;

	if (n < 8 || s[0] != 'f' || s[1] != ' ')
		return -EINVAL;
	for (i = 2; i < n && s[i] != ' '; i++)
		;
	if (xcc_u32(s + 2, i - 2, XA_FILES_MAX - 1, &v) < 0 || i + 3 > n ||
	    (s[i + 1] != '0' && s[i + 1] != '1') || s[i + 2] != ' ' ||
	    xcc_path(s + i + 3, n - i - 3) < 0)
		return -EINVAL;
	*k = (int)v;
	*had = s[i + 1] == '1';
	*off = (int)i + 3;
	return 0;
}

static void recover(struct xa_ctx *a)
{
	struct xa_lines *l = &a->lr[0];
	char applied[XS_ID_MAX];
	const char *s;
	long n;
	int fd, forward, k, had, off;

	fd = openat(a->stage_fd, "journal", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	xa_reset(a);
	a->config_id[0] = 0;
	xa_lines_init(l, fd);
	while ((n = xa_lines_next(l, &s)) >= 0) {
		if (n > 3 && !memcmp(s, "id ", 3)) {
			snprintf(a->config_id, sizeof a->config_id, "%s",
				 s + 3);
		} else if (n > 2 && !memcmp(s, "d ", 2) &&
			   a->ndirs < XA_DIRS_MAX && n - 2 <= XCC_PATH_MAX) {
			memcpy(a->dirs[a->ndirs++], s + 2, (size_t)n - 1);
		} else if (parse_f(s, (size_t)n, &k, &had, &off) == 0) {
			memset(&a->files[k], 0, sizeof a->files[k]);
			a->files[k].dirfd = -1;
			a->files[k].had_old = had == 1;
			a->files[k].state = XA_F_JOURNALED;
			/* skip the '/' */
			memcpy(a->files[k].path, s + off + 1,
			       (size_t)(n - off));
			if (k >= a->nfiles)
				a->nfiles = k + 1;
		}
	}
	close(fd);
	forward = a->config_id[0] &&
		  xa_read_applied(a, applied, sizeof applied) > 0 &&
		  !strcmp(applied, a->config_id);
	xlog(XLOG_WARN, "an earlier run stopped while applying %s: %s",
	     a->config_id, forward ? "finishing it" : "rolling it back");
	if (forward)
		xa_finish_files(a);
	else
		rollback_files(a);
	xa_reset(a);
}

int xa_init(struct xa_ctx *a, const char *root, int root_fd)
{
	struct xa_file mk;
	const char *name;
	int i;

	a->cur_fd = a->stage_fd = a->journal_fd = a->nl.fd = a->root_fd = -1;
	a->nfiles = 0;
	for (i = 0; i < XA_FILES_MAX; i++)
		a->files[i].dirfd = -1;
	snprintf(a->root, sizeof a->root, "%s", root);
	if (root_fd < 0)
		root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0) {
		i = errno;
		xlog(XLOG_ERR,
		     "cannot open the target root %s: %s; check --root", root,
		     strerror(i));
		return -i;
	}
	a->root_fd = root_fd;
	memset(&mk, 0, sizeof mk);
	i = xa_parent(a, XA_STAGE_DIR "/x", &mk, &name);
	a->ndirs = 0;
	if (i < 0) {
		xlog(XLOG_ERR,
		     "cannot make %s/%s: %s; is the root writable? "
		     "(requests are still served)",
		     root, XA_STAGE_DIR, strerror(-i));
		return i;
	}
	a->stage_fd = i;
	fchmod(a->stage_fd, 0700); /* staged files may hold secrets */
	recover(a);
	xa_clear_stage(a);
	return 0;
}

void xa_fini(struct xa_ctx *a)
{
	xa_reset(a);
	xn_close(&a->nl);
	if (a->stage_fd >= 0)
		close(a->stage_fd);
	if (a->root_fd >= 0)
		close(a->root_fd);
	a->stage_fd = a->root_fd = -1;
}
