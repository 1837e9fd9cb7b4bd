/* small.c - leaner stand-ins for three corners of musl that the static
 * agent would otherwise link: printf-style formatting (musl's pulls in
 * floating point conversion, ~10 KiB) and the directory stream (musl's
 * opendir() calls calloc(), which would bring the whole allocator into a
 * binary that must have none).
 *
 * A static link takes these definitions instead of libc.a's members. Only
 * the agent links this file; the host tool and the tests use their libc.
 *
 * Formatting handles what the agent uses: %s %d %i %u %x %o %c %%, with
 * the l / ll / z / h length modifiers, a '-' or '0' flag, a width and a
 * precision (numbers or '*'). Anything else prints as '?', never reads an
 * argument it was not given, and never writes past the buffer.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct out {
	char *p;
	size_t cap, n; /* n counts every byte, as C requires */
};

static void put(struct out *o, char c)
{
	if (o->n + 1 < o->cap)
		o->p[o->n] = c;
	o->n++;
}

static void pad(struct out *o, int n, char c)
{
	while (n-- > 0)
		put(o, c);
}

static void emit(struct out *o, const char *s, size_t len, int width,
		 int left, char padc)
{
	int fill = width > (int)len ? width - (int)len : 0;
	size_t i;

	if (!left)
		pad(o, fill, padc);
	for (i = 0; i < len; i++)
		put(o, s[i]);
	if (left)
		pad(o, fill, ' ');
}

int vsnprintf(char *restrict buf, size_t cap, const char *restrict fmt,
	      va_list ap)
{
	struct out o = {buf, cap, 0};

	for (; *fmt; fmt++) {
		int left = 0, width = 0, prec = -1, lng = 0;
		char padc = ' ', num[24];
		unsigned long long u;
		int neg = 0, base = 10;
		size_t len;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = 1;
			else if (*fmt == '0')
				padc = '0';
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					prec = prec * 10 + (*fmt++ - '0');
			}
		}
		while (*fmt == 'l' || *fmt == 'z' || *fmt == 'h') {
			if (*fmt != 'h')
				lng++;
			fmt++;
		}
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			len = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
			emit(&o, s, len, width, left, ' ');
			continue;
		}
		case 'c':
			num[0] = (char)va_arg(ap, int);
			emit(&o, num, 1, width, left, ' ');
			continue;
		case '%':
			put(&o, '%');
			continue;
		case 'd':
		case 'i': {
			long long v = lng >= 2 ? va_arg(ap, long long)
				      : lng ? va_arg(ap, long)
					    : va_arg(ap, int);
			neg = v < 0;
			u = neg ? 0ull - (unsigned long long)v
				: (unsigned long long)v;
			break;
		}
		case 'x':
		case 'o':
		case 'u':
			base = *fmt == 'x' ? 16 : *fmt == 'o' ? 8 : 10;
			u = lng >= 2 ? va_arg(ap, unsigned long long)
			    : lng ? va_arg(ap, unsigned long)
				  : va_arg(ap, unsigned);
			break;
		case 0:
			fmt--; /* a lone '%' at the end */
			continue;
		default:
			put(&o, '?');
			continue;
		}
		len = sizeof num;
		do {
			num[--len] = "0123456789abcdef"[u % (unsigned)base];
			u /= (unsigned)base;
		} while (u);
		if (neg) {
			if (padc == '0' && !left) {
				put(&o, '-');
				width--;
			} else {
				num[--len] = '-';
			}
		}
		emit(&o, num + len, sizeof num - len, width, left,
		     left ? ' ' : padc);
	}
	if (cap)
		buf[o.n < cap ? o.n : cap - 1] = 0;
	return o.n > (size_t)INT32_MAX ? -1 : (int)o.n;
}

int snprintf(char *restrict buf, size_t cap, const char *restrict fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	return r;
}

/* ---- directory streams from a fixed pool ---- */

#define DIRS_MAX 4

struct __dirstream {
	int fd, used;
	size_t pos, len;
	char buf[2048];
};

static struct __dirstream dirs[DIRS_MAX];

DIR *opendir(const char *path)
{
	int i, fd;

	for (i = 0; i < DIRS_MAX && dirs[i].used; i++)
		;
	if (i == DIRS_MAX) {
		errno = EMFILE;
		return 0;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	dirs[i].fd = fd;
	dirs[i].used = 1;
	dirs[i].pos = dirs[i].len = 0;
	return &dirs[i];
}

struct dirent *readdir(DIR *d)
{
	struct dirent *e;

	if (d->pos >= d->len) {
		long n = syscall(SYS_getdents64, d->fd, d->buf, sizeof d->buf);
		if (n <= 0)
			return 0;
		d->len = (size_t)n;
		d->pos = 0;
	}
	/* The kernel's linux_dirent64 is musl's struct dirent. */
	e = (struct dirent *)(void *)(d->buf + d->pos);
	if (e->d_reclen == 0 || e->d_reclen > d->len - d->pos)
		return 0;
	d->pos += e->d_reclen;
	return e;
}

int closedir(DIR *d)
{
	int r = close(d->fd);

	d->used = 0;
	return r;
}

/* ---- strerror: the errors the agent can meet, in a compact table ---- */

/* musl's table names every errno (2 KiB). These are the ones the agent's
 * system calls return in practice; others print as "error N". */
static const struct {
	unsigned char num;
	char text[23];
} errs[] = {
	{EPERM, "not permitted"},
	{ENOENT, "no such file"},
	{EIO, "I/O error"},
	{ENXIO, "no such device"},
	{E2BIG, "too long"},
	{EBADF, "bad descriptor"},
	{EAGAIN, "try again"},
	{ENOMEM, "out of memory"},
	{EACCES, "permission denied"},
	{EBUSY, "busy"},
	{EEXIST, "exists"},
	{EXDEV, "cross-device link"},
	{ENODEV, "no such device"},
	{ENOTDIR, "not a directory"},
	{EISDIR, "is a directory"},
	{EINVAL, "invalid argument"},
	{EMFILE, "too many open files"},
	{ENOTTY, "not a tty"},
	{EFBIG, "file too large"},
	{ENOSPC, "no space left"},
	{EROFS, "read-only file system"},
	{EPIPE, "broken pipe"},
	{ERANGE, "out of range"},
	{ENAMETOOLONG, "name too long"},
	{ENOSYS, "not implemented"},
	{ELOOP, "symbolic link"},
	{EPROTO, "protocol error"},
	{EBADMSG, "bad message"},
	{EOVERFLOW, "overflow"},
	{EMSGSIZE, "message too long"},
	{EOPNOTSUPP, "not supported"},
	{EADDRNOTAVAIL, "address not available"},
	{ENETUNREACH, "network unreachable"},
	{ECONNRESET, "connection reset"},
	{ETIMEDOUT, "timed out"},
	{ECONNREFUSED, "connection refused"},
	{EHOSTUNREACH, "host unreachable"},
	{EALREADY, "already in progress"},
	{ECANCELED, "canceled"},
};

char *strerror(int e)
{
	static char other[16];
	size_t i;

	for (i = 0; i < sizeof errs / sizeof errs[0]; i++)
		if (errs[i].num == e)
			return (char *)errs[i].text;
	snprintf(other, sizeof other, "error %d", e);
	return other;
}
