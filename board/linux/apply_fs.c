/* apply_fs.c - file system helpers of the applier: paths resolved beneath
 * the target root one component at a time (openat with O_NOFOLLOW, so a
 * symlink can never lead out of it), users from the root's etc/passwd and
 * etc/group (passwd(5), group(5); no NSS), a fixed-buffer line reader, and
 * atomic writes (temp, fsync, rename, fsync dir). See apply.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "apply.h"

const char *xa_path_reason(int err)
{
	switch (err) {
	case -ELOOP:
		return "path-escapes-root"; /* a symlink on the way */
	case -ENOTDIR:
		return "not-a-directory";
	case -EISDIR:
		return "is-a-directory";
	case -EROFS:
		return "read-only";
	case -ENOSPC:
	case -EDQUOT:
		return "no-space";
	case -ENAMETOOLONG:
		return "bad-path";
	default:
		return "io-error";
	}
}

/* After openat(..., O_NOFOLLOW | O_DIRECTORY) failed: was it a symlink? */
static int why(int dirfd, const char *name, int err)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode))
		return -ELOOP;
	return -err;
}

int xa_parent(struct xa_ctx *a, const char *path, const struct xa_file *mk,
	      const char **name)
{
	char comp[XCC_PATH_MAX + 1];
	const char *p = path, *e;
	int fd, nfd, depth = 0;

	fd = openat(a->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		size_t n;
		int own;

		e = strchr(p, '/');
		if (!e) {
			*name = p;
			return fd;
		}
		n = (size_t)(e - p);
		if (n == 0 || n > XCC_PATH_MAX) {
			close(fd);
			return -EINVAL;
		}
		memcpy(comp, p, n);
		comp[n] = 0;
		nfd = openat(fd, comp,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		own = mk && mk->own_from && depth + 1 >= mk->own_from;
		if (nfd < 0 && errno == ENOENT && mk) {
			mode_t m = own && !strchr(e + 1, '/') ? 0700 : 0755;

			if (a->ndirs == XA_DIRS_MAX) {
				close(fd);
				return -EMLINK;
			}
			/* journalled first: a kill right after mkdirat must
			 * not leave a directory that recovery does not know */
			if (a->journal_fd >= 0) {
				xa_write_all(a->journal_fd, "d ", 2);
				xa_write_all(a->journal_fd, path,
					     (size_t)(e - path));
				xa_write_all(a->journal_fd, "\n", 1);
			}
			if (mkdirat(fd, comp, m) < 0) {
				nfd = -errno;
				close(fd);
				return nfd;
			}
			memcpy(a->dirs[a->ndirs], path, (size_t)(e - path));
			a->dirs[a->ndirs++][e - path] = 0;
			nfd = openat(fd, comp,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					 O_CLOEXEC);
			/* owner, and a mode the umask does not decide */
			if (nfd >= 0 &&
			    ((own && fchown(nfd, mk->uid, mk->gid) < 0) ||
			     fchmod(nfd, m) < 0)) {
				close(nfd);
				nfd = -1;
			}
			fsync(fd);
		}
		if (nfd < 0) {
			nfd = why(fd, comp, errno);
			close(fd);
			return nfd;
		}
		close(fd);
		fd = nfd;
		p = e + 1;
		depth++;
	}
}

int xa_open_read(struct xa_ctx *a, const char *path)
{
	const char *name;
	int dfd = xa_parent(a, path, NULL, &name), fd;

	if (dfd < 0)
		return dfd;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		fd = why(dfd, name, errno);
	close(dfd);
	return fd;
}

void xa_lines_init(struct xa_lines *l, int fd)
{
	l->fd = fd;
	l->len = l->pos = 0;
	l->skip = 0;
}

long xa_lines_next(struct xa_lines *l, const char **line)
{
	for (;;) {
		char *s = l->buf + l->pos, *nl;
		size_t have = l->len - l->pos;
		ssize_t r;

		nl = memchr(s, '\n', have);
		if (nl && l->skip) {
			/* the end of a line that was too long */
			l->skip = 0;
			l->pos += (size_t)(nl - s) + 1;
			continue;
		}
		if (nl) {
			*nl = 0;
			l->pos += (size_t)(nl - s) + 1;
			*line = s;
			return nl - s;
		}
		if (l->skip)
			have = 0;
		memmove(l->buf, s, have);
		l->len = have;
		l->pos = 0;
		if (have == sizeof l->buf - 1) {
			l->len = 0;
			l->skip = 1;
			return -E2BIG;
		}
		r = read(l->fd, l->buf + have, sizeof l->buf - 1 - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0) {
			if (have == 0)
				return -1;
			/* a last line without '\n' */
			l->buf[have] = 0;
			l->pos = l->len;
			*line = l->buf;
			return (long)have;
		}
		l->len += (size_t)r;
	}
}

int xa_getpw(struct xa_ctx *a, const char *name, size_t n, struct xa_user *u)
{
	int fd = xa_open_read(a, "etc/passwd"), ret = -ENOENT;
	struct xa_lines *l = &a->lr[1];
	struct xcc_pw pw;
	const char *s;
	long len;

	if (fd < 0)
		return fd;
	xa_lines_init(l, fd);
	while ((len = xa_lines_next(l, &s)) >= 0 || len == -E2BIG) {
		if (len < 0 || xcc_passwd_line(s, (size_t)len, &pw) < 0 ||
		    pw.name.n != n || memcmp(pw.name.p, name, n) ||
		    pw.home.n > XCC_PATH_MAX)
			continue;
		memcpy(u->name, name, n);
		u->name[n] = 0;
		/* home without its leading '/' ("/" itself gives "") */
		memcpy(u->home, pw.home.p + 1, pw.home.n - 1);
		u->home[pw.home.n - 1] = 0;
		u->uid = pw.uid;
		u->gid = pw.gid;
		ret = 0;
		break;
	}
	close(fd);
	return ret;
}

int xa_getid(struct xa_ctx *a, int group, const struct xc_str *s, uint32_t dflt,
	     uint32_t *id)
{
	struct xa_lines *l = &a->lr[1];
	struct xc_str name;
	struct xa_user u;
	const char *line;
	long len;
	int fd, ret = -ENOENT;

	if (s->n == 0) {
		*id = dflt;
		return 0;
	}
	if (xcc_u32(s->p, s->n, 0xfffffffeu, id) == 0)
		return 0;
	if (xcc_user(s->p, s->n) < 0)
		return -EINVAL;
	if (!group) {
		ret = xa_getpw(a, s->p, s->n, &u);
		*id = u.uid;
		return ret;
	}
	fd = xa_open_read(a, "etc/group");
	if (fd < 0)
		return fd;
	xa_lines_init(l, fd);
	while (ret && ((len = xa_lines_next(l, &line)) >= 0 || len == -E2BIG))
		if (len >= 0 &&
		    xcc_group_line(line, (size_t)len, &name, id) == 0 &&
		    name.n == s->n && !memcmp(name.p, s->p, s->n))
			ret = 0;
	close(fd);
	return ret;
}

int xa_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t r = write(fd, c, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

int xa_copy(struct xa_ctx *a, int in, int out)
{
	for (;;) {
		ssize_t r = read(in, a->io, sizeof a->io);
		int e;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : 0;
		e = xa_write_all(out, a->io, (size_t)r);
		if (e < 0)
			return e;
	}
}

void xa_clear_stage(struct xa_ctx *a)
{
	/* getdents64 into a fixed buffer: opendir() would allocate */
	char buf[1024];
	long n, i;
	int again = 1;

	while (again) {
		again = 0;
		if (lseek(a->stage_fd, 0, SEEK_SET) < 0)
			return;
		while ((n = syscall(SYS_getdents64, a->stage_fd, buf,
				    sizeof buf)) > 0) {
			for (i = 0; i < n;) {
				unsigned short reclen;
				const char *name = buf + i + 19;
				memcpy(&reclen, buf + i + 16, 2);
				if (reclen < 20 || i + reclen > n)
					return;
				if (strcmp(name, ".") && strcmp(name, "..") &&
				    unlinkat(a->stage_fd, name, 0) == 0)
					again = 1;
				i += reclen;
			}
		}
	}
	fsync(a->stage_fd);
}

int xa_write_atomic(struct xa_ctx *a, const char *dir, const char *name,
		    const void *p, size_t n)
{
	int dfd, fd, e;
	char tmp[64];
	const char *last;
	char path[XCC_PATH_MAX + 1];

	/* dir + "/x" so that xa_parent opens dir itself */
	if (strlen(dir) + 3 > sizeof path || strlen(name) + 6 > sizeof tmp)
		return -ENAMETOOLONG;
	strcpy(path, dir);
	strcat(path, "/x");
	dfd = xa_parent(a, path, NULL, &last);
	if (dfd < 0)
		return dfd;
	strcpy(tmp, name);
	strcat(tmp, ".tmp");
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	e = fd < 0 ? -errno : xa_write_all(fd, p, n);
	if (e == 0 && fsync(fd) < 0)
		e = -errno;
	if (fd >= 0)
		close(fd);
	if (e == 0 && renameat(dfd, tmp, dfd, name) < 0)
		e = -errno;
	if (e == 0 && fsync(dfd) < 0)
		e = -errno;
	if (e < 0)
		unlinkat(dfd, tmp, 0);
	close(dfd);
	return e;
}
