/* small.c - leaner stand-ins for corners of musl that the static agent
 * would otherwise link: printf-style formatting (musl's pulls in floating
 * point conversion, ~10 KiB), the directory stream (musl's opendir() calls
 * calloc(), which would bring the whole allocator into a binary that must
 * have none), strerror, and plain system call wrappers where musl's carry
 * fallbacks for old kernels or the vDSO lookup (~3 KiB together).
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
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
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
 * system calls return in practice; others print as "error N". One string:
 * each entry is the number as an octal escape (Linux x86_64 values, all
 * below 128; checked below), its text and a NUL. */
static const char errs[] =
	"\001" "not permitted\0" /* EPERM */
	"\002" "no such file\0" /* ENOENT */
	"\005" "I/O error\0" /* EIO */
	"\006" "no such device\0" /* ENXIO */
	"\007" "too long\0" /* E2BIG */
	"\011" "bad descriptor\0" /* EBADF */
	"\013" "try again\0" /* EAGAIN */
	"\014" "out of memory\0" /* ENOMEM */
	"\015" "permission denied\0" /* EACCES */
	"\020" "busy\0" /* EBUSY */
	"\021" "exists\0" /* EEXIST */
	"\022" "cross-device link\0" /* EXDEV */
	"\023" "no such device\0" /* ENODEV */
	"\024" "not a directory\0" /* ENOTDIR */
	"\025" "is a directory\0" /* EISDIR */
	"\026" "invalid argument\0" /* EINVAL */
	"\030" "too many open files\0" /* EMFILE */
	"\031" "not a tty\0" /* ENOTTY */
	"\033" "file too large\0" /* EFBIG */
	"\034" "no space left\0" /* ENOSPC */
	"\036" "read-only file system\0" /* EROFS */
	"\040" "broken pipe\0" /* EPIPE */
	"\042" "out of range\0" /* ERANGE */
	"\044" "name too long\0" /* ENAMETOOLONG */
	"\046" "not implemented\0" /* ENOSYS */
	"\050" "symbolic link\0" /* ELOOP */
	"\107" "protocol error\0" /* EPROTO */
	"\112" "bad message\0" /* EBADMSG */
	"\113" "overflow\0" /* EOVERFLOW */
	"\132" "message too long\0" /* EMSGSIZE */
	"\137" "not supported\0" /* EOPNOTSUPP */
	"\143" "address not available\0" /* EADDRNOTAVAIL */
	"\145" "network unreachable\0" /* ENETUNREACH */
	"\150" "connection reset\0" /* ECONNRESET */
	"\156" "timed out\0" /* ETIMEDOUT */
	"\157" "connection refused\0" /* ECONNREFUSED */
	"\161" "host unreachable\0" /* EHOSTUNREACH */
	"\162" "already in progress\0" /* EALREADY */
	"\175" "canceled\0" /* ECANCELED */
	;
_Static_assert(EPERM == 1 && ENOENT == 2 && EIO == 5 && ENXIO == 6 &&
	       E2BIG == 7 && EBADF == 9 && EAGAIN == 11 && ENOMEM == 12 &&
	       EACCES == 13 && EBUSY == 16 && EEXIST == 17 && EXDEV == 18 &&
	       ENODEV == 19 && ENOTDIR == 20 && EISDIR == 21 && EINVAL == 22 &&
	       EMFILE == 24 && ENOTTY == 25 && EFBIG == 27 && ENOSPC == 28 &&
	       EROFS == 30 && EPIPE == 32 && ERANGE == 34 &&
	       ENAMETOOLONG == 36 && ENOSYS == 38 && ELOOP == 40 &&
	       EPROTO == 71 && EBADMSG == 74 && EOVERFLOW == 75 &&
	       EMSGSIZE == 90 && EOPNOTSUPP == 95 && EADDRNOTAVAIL == 99 &&
	       ENETUNREACH == 101 && ECONNRESET == 104 && ETIMEDOUT == 110 &&
	       ECONNREFUSED == 111 && EHOSTUNREACH == 113 && EALREADY == 114 &&
	       ECANCELED == 125,
	       "errs[] holds Linux x86_64 numbers");

char *strerror(int e)
{
	static char other[16];
	const char *p;

	for (p = errs; *p; p += strlen(p) + 1)
		if (*p == e)
			return (char *)p + 1;
	snprintf(other, sizeof other, "error %d", e);
	return other;
}

/* ---- system calls without musl's compatibility layers ---- */

/* musl's fallbacks (fstat through /proc/self/fd on kernels before 2.6.39,
 * fchmod/fchown on O_PATH descriptors) serve cases the agent never has: it
 * opens what it changes, without O_PATH. On x86_64 the kernel's struct
 * stat is musl's. The clock is read by a system call, not the vDSO: the
 * agent reads it a few times a second at most. */
int fstatat(int fd, const char *restrict path, struct stat *restrict st,
	    int flag)
{
	return (int)syscall(SYS_newfstatat, fd, path, st, flag);
}

int fstat(int fd, struct stat *st)
{
	return (int)syscall(SYS_fstat, fd, st);
}

int stat(const char *restrict path, struct stat *restrict st)
{
	return fstatat(AT_FDCWD, path, st, 0);
}

int fchmod(int fd, mode_t mode)
{
	return (int)syscall(SYS_fchmod, fd, mode);
}

int fchown(int fd, uid_t uid, gid_t gid)
{
	return (int)syscall(SYS_fchown, fd, uid, gid);
}

/* The agent uses F_GETFL and F_SETFL. Like musl, the argument is always
 * fetched; the kernel ignores it where the command takes none. */
int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	return (int)syscall(SYS_fcntl, fd, cmd, arg);
}

/* The mode argument exists only with O_CREAT or O_TMPFILE. */
int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	int mode = 0;

	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) {
		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	return (int)syscall(SYS_openat, dirfd, path, flags, mode);
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	int mode = 0;

	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) {
		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	return openat(AT_FDCWD, path, flags, mode);
}

int socket(int domain, int type, int proto)
{
	return (int)syscall(SYS_socket, domain, type, proto);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

int nanosleep(const struct timespec *want, struct timespec *left)
{
	return (int)syscall(SYS_nanosleep, want, left);
}

int tcdrain(int fd)
{
	return ioctl(fd, TCSBRK, 1); /* 1: wait for output, send no break */
}

int clock_gettime(clockid_t clk, struct timespec *ts)
{
	return (int)syscall(SYS_clock_gettime, clk, ts);
}

#ifdef __x86_64__
/* signal() without musl's sigaction (its locks and signal-mask dance are
 * for threads the agent does not have). A handler returns through the
 * restorer, which must be exactly the rt_sigreturn system call. */
void xsm_restore(void);
__asm__(".text\n"
	".type xsm_restore,@function\n"
	"xsm_restore:\n"
	"\tmov $15, %eax\n" /* SYS_rt_sigreturn */
	"\tsyscall\n");

void (*signal(int sig, void (*fn)(int)))(int)
{
	struct {
		void (*fn)(int);
		unsigned long flags;
		void (*restorer)(void);
		unsigned long mask;
	} sa = {fn, 0x04000000 /* SA_RESTORER */ | SA_RESTART, xsm_restore,
		0},
	  old;

	if (syscall(SYS_rt_sigaction, sig, &sa, &old, sizeof sa.mask) < 0)
		return SIG_ERR;
	return old.fn;
}
#endif

/* ---- strings: plain loops (musl's word-at-a-time versions are larger and
 * the agent's strings are short) ---- */

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return 0;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = 0;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n && *a && *a == *b; n--, a++, b++)
		;
	return n ? (unsigned char)*a - (unsigned char)*b : 0;
}

int strcmp(const char *a, const char *b)
{
	for (; *a && *a == *b; a++, b++)
		;
	return (unsigned char)*a - (unsigned char)*b;
}

char *strcpy(char *restrict d, const char *restrict s)
{
	char *r = d;

	while ((*d++ = *s++))
		;
	return r;
}

char *strcat(char *restrict d, const char *restrict s)
{
	strcpy(d + strlen(d), s);
	return d;
}

int isatty(int fd)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0)
		return 1;
	if (errno != EBADF)
		errno = ENOTTY;
	return 0;
}
