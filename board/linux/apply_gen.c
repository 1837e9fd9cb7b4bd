/* apply_gen.c - the files the applier generates from staged items, each
 * written to stage/f<k> and then committed like a file item:
 *   ~user/.ssh/authorized_keys  (sshd(8) AUTHORIZED_KEYS FILE FORMAT) the
 *       existing lines, then each new key whose blob is not there yet;
 *   etc/shadow  (shadow(5)) the same lines, the hash field replaced for
 *       the staged users, same mode and owner as before;
 *   etc/hostname  (hostname(5)) the name;
 *   etc/hosts  (hosts(5)) lines for 127.0.1.1 replaced by one
 *       "127.0.1.1 <fqdn> <hostname>" line (Debian's convention);
 *   etc/resolv.conf  (resolv.conf(5)) search and nameserver lines.
 * See apply.h. Never logs a hash.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"

/* Adds files[k] for path and returns the stage file, open for writing. */
static int add_file(struct xa_ctx *a, const char *path, uint8_t kind,
		    uint32_t seq, uint32_t mode, uint32_t uid, uint32_t gid,
		    const char **reason)
{
	struct xa_file *f = &a->files[a->nfiles];
	char stage[16];
	int i, fd;

	for (i = 0; i < a->nfiles; i++)
		if (!strcmp(a->files[i].path, path)) {
			*reason = "duplicate-path";
			return -EEXIST;
		}
	if (a->nfiles == XA_FILES_MAX || strlen(path) > XCC_PATH_MAX) {
		*reason = "too-many-files";
		return -E2BIG;
	}
	memset(f, 0, sizeof *f);
	f->dirfd = -1;
	f->kind = kind;
	f->seq = seq;
	f->mode = mode;
	f->uid = uid;
	f->gid = gid;
	strcpy(f->path, path);
	snprintf(stage, sizeof stage, "f%d", a->nfiles);
	fd = openat(a->stage_fd, stage, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0600);
	if (fd < 0) {
		*reason = "stage-failed";
		return -errno;
	}
	a->nfiles++;
	return fd;
}

static int put(int fd, const char *s)
{
	return xa_write_all(fd, s, strlen(s));
}

/* s[0..n) and a newline */
static int write_line(int fd, const char *s, size_t n)
{
	int r = xa_write_all(fd, s, n);

	return r ? r : put(fd, "\n");
}

/* a, b and a newline */
static int put_line(int fd, const char *a, const char *b)
{
	int r = put(fd, a);

	return r ? r : write_line(fd, b, strlen(b));
}

/* Does the file behind fd hold a key line with this blob? */
static int has_blob(struct xa_ctx *a, int fd, const char *blob, size_t bn)
{
	struct xa_lines *l = &a->lr[1];
	const char *s, *b;
	size_t n;
	long len;
	int found = 0;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	xa_lines_init(l, fd);
	/* lines too long to read are not keys we could have written */
	while (!found && ((len = xa_lines_next(l, &s)) >= 0 || len == -E2BIG))
		found = len >= 0 &&
			xcc_sshkey_blob(s, (size_t)len, &b, &n) == 0 &&
			n == bn && !memcmp(b, blob, bn);
	if (lseek(fd, 0, SEEK_END) < 0)
		return -errno;
	return found;
}

static int keys_path(const struct xa_user *u, char *path, uint8_t *own)
{
	const char *h = u->home;
	uint8_t depth = 0;

	if (strlen(h) + 22 > XCC_PATH_MAX)
		return -ENAMETOOLONG;
	snprintf(path, XCC_PATH_MAX + 1, "%.233s%s.ssh/authorized_keys", h,
		 *h ? "/" : "");
	/* the home directory and .ssh, if made, belong to the user */
	for (; *h; h++)
		depth += *h == '/';
	*own = (uint8_t)(u->home[0] ? depth + 1 : 0);
	return 0;
}

/* Opens the current authorized_keys into out, ending in '\n'. */
static int copy_old(struct xa_ctx *a, const char *path, int out)
{
	int in = xa_open_read(a, path), r;
	char last = '\n';

	if (in == -ENOENT)
		return 0;
	if (in < 0)
		return in;
	r = xa_copy(a, in, out);
	close(in);
	if (r == 0 && pread(out, &last, 1, lseek(out, 0, SEEK_END) - 1) == 1 &&
	    last != '\n')
		r = put(out, "\n");
	return r;
}

static int gen_keys(struct xa_ctx *a, int ui, const char **reason)
{
	struct xa_user *u = &a->users[ui];
	struct xa_lines *l = &a->lr[0];
	char path[XCC_PATH_MAX + 1], stage[16];
	const char *s, *b;
	size_t bn;
	long n;
	int out, in, r;
	uint8_t own;

	if (keys_path(u, path, &own) < 0) {
		*reason = "bad-home";
		return -ENAMETOOLONG;
	}
	out = add_file(a, path, XC_ITEM_SSHKEY, u->key_seq, 0600, u->uid,
		       u->gid, reason);
	if (out < 0)
		return out;
	a->files[a->nfiles - 1].own_from = own;
	r = copy_old(a, path, out);
	snprintf(stage, sizeof stage, "k%d", ui);
	in = openat(a->stage_fd, stage, O_RDONLY | O_CLOEXEC);
	if (!r && in < 0)
		r = -errno;
	if (in >= 0)
		xa_lines_init(l, in);
	while (!r && (n = xa_lines_next(l, &s)) >= 0) {
		if (xcc_sshkey(s, (size_t)n, &b, &bn) < 0)
			continue; /* checked when staged */
		r = has_blob(a, out, b, bn);
		if (r == 0) {
			r = write_line(out, s, (size_t)n);
		} else if (r > 0) {
			r = 0;
		}
	}
	if (in >= 0)
		close(in);
	close(out);
	if (r < 0)
		*reason = r == -ELOOP ? "path-escapes-root" : "keys-failed";
	return r;
}

static int gen_shadow(struct xa_ctx *a, uint32_t *failed_seq,
		      const char **reason)
{
	struct xa_lines *l = &a->lr[0];
	struct stat st;
	struct xc_str name, hash;
	const char *s;
	long n;
	int in, out, i, r = 0;
	unsigned done = 0;

	for (i = 0; i < a->nusers && !a->users[i].pw_seq; i++)
		;
	*failed_seq = a->users[i].pw_seq;
	in = xa_open_read(a, "etc/shadow");
	if (in < 0 || fstat(in, &st) < 0) {
		*reason = "no-shadow-file";
		if (in >= 0)
			close(in);
		return -ENOENT;
	}
	out = add_file(a, "etc/shadow", XC_ITEM_PASSWORD, *failed_seq,
		       st.st_mode & 07777, st.st_uid, st.st_gid, reason);
	if (out < 0) {
		close(in);
		return out;
	}
	xa_lines_init(l, in);
	while (!r && (n = xa_lines_next(l, &s)) >= 0) {
		for (i = 0; i < a->nusers; i++)
			if (a->users[i].pw_seq &&
			    xcc_field(s, (size_t)n, 0, &name) == 0 &&
			    xcc_field(s, (size_t)n, 1, &hash) == 0 &&
			    xcc_eq(name.p, name.n, a->users[i].name))
				break;
		if (i < a->nusers) {
			/* name ":" new hash, then the line from the old
			 * hash's end (":lastchg:...") */
			done |= 1u << i;
			r = xa_write_all(out, s, name.n + 1);
			if (!r)
				r = put(out, a->users[i].hash);
			if (!r)
				r = xa_write_all(
				    out, hash.p + hash.n,
				    (size_t)(s + n - hash.p - (long)hash.n));
		} else {
			r = xa_write_all(out, s, (size_t)n);
		}
		if (!r)
			r = put(out, "\n");
	}
	close(in);
	close(out);
	if (n < -1 && !r)
		r = (int)n;
	if (r < 0) {
		*reason = "shadow-failed";
		return r;
	}
	for (i = 0; i < a->nusers; i++)
		if (a->users[i].pw_seq && !(done & 1u << i)) {
			*failed_seq = a->users[i].pw_seq;
			*reason = "no-such-user"; /* no line in etc/shadow */
			return -ENOENT;
		}
	return 0;
}

/* A new host name alone (set-hostname) keeps the domain of the fqdn on
 * the old 127.0.1.1 line (its first name, if dotted). */
static const char *keep_domain(struct xa_ctx *a, const char *names, char *line,
			       size_t cap)
{
	size_t i = 0, n = 0;
	const char *dot;

	while (names[i] == ' ' || names[i] == '\t')
		i++;
	while (names[i + n] && names[i + n] != ' ' && names[i + n] != '\t')
		n++;
	dot = memchr(names + i, '.', n);
	if (a->fqdn[0] || !a->hostname[0] || !dot ||
	    xcc_domain(dot + 1, n - (size_t)(dot + 1 - names - i)) < 0)
		return line;
	snprintf(line, cap, "127.0.1.1\t%s.%.*s %s\n", a->hostname,
		 (int)(n - (size_t)(dot + 1 - names - i)), dot + 1,
		 a->hostname);
	return line;
}

static int gen_hosts(struct xa_ctx *a, const char **reason)
{
	struct xa_lines *l = &a->lr[0];
	char line[XCC_DOMAIN_MAX + XCC_LABEL_MAX + 16];
	const char *s, *host = a->hostname;
	char label[XCC_LABEL_MAX + 1];
	long n;
	int in, out, r = 0, placed = 0;

	if (!*host) {
		/* only an fqdn: its first label is the short name */
		const char *dot = strchr(a->fqdn, '.');
		snprintf(label, sizeof label, "%.*s",
			 dot ? (int)(dot - a->fqdn) : XCC_LABEL_MAX, a->fqdn);
		host = label;
	}
	snprintf(line, sizeof line, "127.0.1.1\t%s%s%s\n", a->fqdn,
		 *a->fqdn ? " " : "", host);
	out = add_file(a, "etc/hosts", XC_ITEM_HOSTNAME,
		       a->hostname_seq ? a->hostname_seq : a->fqdn_seq, 0644, 0,
		       0, reason);
	if (out < 0)
		return out;
	in = xa_open_read(a, "etc/hosts");
	if (in >= 0) {
		xa_lines_init(l, in);
		while (!r && (n = xa_lines_next(l, &s)) >= 0) {
			if (!strncmp(s, "127.0.1.1", 9) &&
			    (s[9] == ' ' || s[9] == '\t')) {
				if (!placed)
					r = put(out, keep_domain(a, s + 9, line,
								 sizeof line));
				placed = 1;
				continue;
			}
			r = write_line(out, s, (size_t)n);
		}
		if (n < -1 && !r)
			r = (int)n; /* a line too long: do not drop the rest */
		close(in);
	}
	if (!r && !placed)
		r = put(out, line);
	close(out);
	if (r < 0)
		*reason = "hosts-failed";
	return r;
}

static int gen_simple(struct xa_ctx *a, uint32_t *failed_seq,
		      const char **reason)
{
	char ip[XCC_IP_TEXT_MAX];
	int out, r = 0, i;

	if (a->hostname[0]) {
		*failed_seq = a->hostname_seq;
		out = add_file(a, "etc/hostname", XC_ITEM_HOSTNAME,
			       a->hostname_seq, 0644, 0, 0, reason);
		if (out < 0)
			return out;
		r = put_line(out, a->hostname, "");
		close(out);
	}
	if (!r && (a->hostname[0] || a->fqdn[0]))
		r = gen_hosts(a, reason);
	if (r || !a->resolv_seq)
		return r;
	*failed_seq = a->resolv_seq;
	out = add_file(a, "etc/resolv.conf", XC_ITEM_NAMESERVER, a->resolv_seq,
		       0644, 0, 0, reason);
	if (out < 0)
		return out;
	r = put(out, "# written by xenchan-agent\n");
	if (!r && a->search[0])
		r = put_line(out, "search ", a->search);
	for (i = 0; !r && i < a->nns; i++) {
		xcc_ip_format(&a->ns[i], ip);
		r = put_line(out, "nameserver ", ip);
	}
	close(out);
	return r;
}

int xa_gen_files(struct xa_ctx *a, uint32_t *failed_seq, const char **reason)
{
	int i, r, pw = 0;

	for (i = 0; i < a->nusers; i++) {
		pw |= a->users[i].pw_seq != 0;
		if (!a->users[i].key_seq)
			continue;
		*failed_seq = a->users[i].key_seq;
		if ((r = gen_keys(a, i, reason)) < 0)
			return r;
	}
	if (pw && (r = gen_shadow(a, failed_seq, reason)) < 0)
		return r;
	r = gen_simple(a, failed_seq, reason);
	if (r >= 0)
		*failed_seq = 0;
	else if (r != -EEXIST && !strcmp(*reason, "stage-failed"))
		*reason = "io-error";
	return r < 0 ? r : 0;
}

int xa_keys_remove(struct xa_ctx *a, struct xa_user *u, const char *blob,
		   size_t bn, int *removed)
{
	struct xa_lines *l = &a->lr[0];
	char path[XCC_PATH_MAX + 1];
	const char *s, *b, *reason;
	size_t n2;
	long n;
	int in, out, r = 0;
	uint8_t own;

	*removed = 0;
	if (keys_path(u, path, &own) < 0)
		return -ENAMETOOLONG;
	in = xa_open_read(a, path);
	if (in < 0)
		return in == -ENOENT ? 0 : in;
	out =
	    add_file(a, path, XC_ITEM_SSHKEY, 1, 0600, u->uid, u->gid, &reason);
	if (out < 0) {
		close(in);
		return out;
	}
	xa_lines_init(l, in);
	while (!r && (n = xa_lines_next(l, &s)) >= 0) {
		if (xcc_sshkey_blob(s, (size_t)n, &b, &n2) == 0 && n2 == bn &&
		    !memcmp(b, blob, bn)) {
			(*removed)++;
			continue;
		}
		r = write_line(out, s, (size_t)n);
	}
	if (n < -1 && !r)
		r = (int)n; /* a line too long: do not drop the rest */
	close(in);
	close(out);
	return r;
}
