/* native.c - see native.h and docs/HOST.md ("Native config"). */
#include "host/native.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/hvalid.h"

#define HN_WORDS_MAX 16

int hn_read_file(const char *path, size_t max, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t r;
		if (!buf || n == cap) {
			char *nb;
			if (buf)
				cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				close(fd);
				errno = ENOMEM;
				return -1;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			free(buf);
			close(fd);
			errno = EFBIG;
			return -1;
		}
	}
	close(fd);
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}

struct hn_ctx {
	struct hc_config *c;
	const char *name, *basedir;
	const char *text;
	size_t len, pos;
	unsigned lineno;
	char src[HC_SRC_MAX];
	char line[HN_LINE_MAX];
	char work[HN_LINE_MAX]; /* the line being parsed: a heredoc reads on */
};

/* Next line into x->line, without "\n" or "\r\n". Returns 0, 1 at end,
 * -1 on error. */
static int next_line(struct hn_ctx *x)
{
	const char *s = x->text + x->pos, *nl;
	size_t n;

	if (x->pos >= x->len)
		return 1;
	nl = memchr(s, '\n', x->len - x->pos);
	n = nl ? (size_t)(nl - s) : x->len - x->pos;
	x->pos += n + (nl ? 1 : 0);
	x->lineno++;
	snprintf(x->src, sizeof x->src, "%s:%u", x->name, x->lineno);
	if (n && s[n - 1] == '\r')
		n--;
	if (n >= sizeof x->line)
		return hc_error(x->c, x->src, "line longer than %d bytes",
				HN_LINE_MAX - 1);
	if (memchr(s, 0, n))
		return hc_error(x->c, x->src, "NUL byte in line");
	memcpy(x->line, s, n);
	x->line[n] = 0;
	return 0;
}

static int split(char *s, char **w, int max)
{
	int n = 0;

	for (;;) {
		s += strspn(s, " \t");
		if (!*s)
			return n;
		if (n == max)
			return -1;
		w[n++] = s;
		s += strcspn(s, " \t");
		if (*s)
			*s++ = 0;
	}
}

/* Value of "key=value" among words[from..n), or NULL. Marks it used by
 * clearing the word's first byte, so leftovers can be reported. */
static const char *opt(char **w, int n, int from, const char *key)
{
	size_t k = strlen(key);
	int i;

	for (i = from; i < n; i++)
		if (w[i][0] && !strncmp(w[i], key, k) && w[i][k] == '=') {
			const char *v = w[i] + k + 1;
			w[i][0] = 0;
			return v;
		}
	return NULL;
}

static int leftovers(struct hn_ctx *x, const char *at, char **w, int n,
		     int from)
{
	int i;

	for (i = from; i < n; i++)
		if (w[i][0])
			return hc_error(x->c, at,
					"%s: unknown option "
					"\"%.40s\"",
					w[0], w[i]);
	return 0;
}

static int want(struct hn_ctx *x, int n, int lo, int hi, const char *usage)
{
	if (n < lo || n > hi)
		return hc_error(x->c, x->src, "usage: %s", usage);
	return 0;
}

static int number(struct hn_ctx *x, const char *what, const char *s,
		  uint32_t max, uint32_t *out)
{
	*out = 0;
	if (s && hv_parse_u32(s, max, out))
		return hc_error(x->c, x->src, "bad %s \"%.20s\" (0..%u)", what,
				s, max);
	return 0;
}

/* Reads a heredoc body up to a line equal to term. */
static int heredoc(struct hn_ctx *x, const char *term, unsigned char **data,
		   size_t *size)
{
	char start[HC_SRC_MAX];
	size_t cap = 0, n = 0;
	unsigned char *buf = NULL;

	snprintf(start, sizeof start, "%s", x->src);
	for (;;) {
		size_t l;
		int r = next_line(x);
		if (r < 0)
			break;
		if (r > 0) {
			hc_error(x->c, start,
				 "no line \"%s\" ends this file "
				 "content",
				 term);
			break;
		}
		if (!strcmp(x->line, term)) {
			*data = buf;
			*size = n;
			return 0;
		}
		l = strlen(x->line);
		if (n + l + 1 > XC_FILE_MAX) {
			hc_error(x->c, start,
				 "file content is more than %u "
				 "bytes",
				 XC_FILE_MAX);
			break;
		}
		if (n + l + 1 > cap) {
			unsigned char *nb;
			cap = (n + l + 1) * 2;
			if (!(nb = realloc(buf, cap))) {
				hc_error(x->c, start, "out of memory");
				break;
			}
			buf = nb;
		}
		memcpy(buf + n, x->line, l);
		buf[n + l] = '\n';
		n += l + 1;
	}
	free(buf);
	return -1;
}

static int include(struct hn_ctx *x, const char *rel, unsigned char **data,
		   size_t *size)
{
	char path[4096];
	char *buf;

	if (!x->basedir)
		return hc_error(x->c, x->src,
				"file contents from '<' are not "
				"allowed here");
	if (rel[0] == '/')
		snprintf(path, sizeof path, "%s", rel);
	else
		snprintf(path, sizeof path, "%s/%s", x->basedir, rel);
	if (hn_read_file(path, XC_FILE_MAX, &buf, size) < 0)
		return hc_error(x->c, x->src, "cannot read %s: %s%s", path,
				strerror(errno),
				errno == EFBIG ? " (limit 256 KiB)" : "");
	*data = (unsigned char *)buf;
	return 0;
}

static int file_line(struct hn_ctx *x, char **w, int n)
{
	const char *mode_s, *owner, *group, *secret;
	unsigned char *data = NULL;
	size_t size = 0;
	char at[HC_SRC_MAX];
	long mode = -1;
	int i, r;

	/* errors name the "file" line, not where its heredoc ended */
	memcpy(at, x->src, sizeof at);

	/* file PATH [k=v...] (< SRC | <<TERM) */
	for (i = 2; i < n && w[i][0] != '<'; i++)
		;
	if (n < 3 || i == n)
		return hc_error(
		    x->c, x->src,
		    "usage: file PATH [mode=0644] "
		    "[owner=U] [group=G] [secret=1] (< SRC | <<END)");
	if (!strcmp(w[i], "<") && i + 2 == n)
		r = include(x, w[i + 1], &data, &size);
	else if (!strncmp(w[i], "<<", 2) && w[i][2] && i + 1 == n)
		r = heredoc(x, w[i] + 2, &data, &size);
	else
		return hc_error(x->c, x->src,
				"file: want \"< SRC\" or \"<<END\" "
				"last on the line");
	if (r < 0)
		return -1;
	n = i;
	mode_s = opt(w, n, 2, "mode");
	owner = opt(w, n, 2, "owner");
	group = opt(w, n, 2, "group");
	secret = opt(w, n, 2, "secret");
	if (mode_s && (mode = hv_parse_mode(mode_s)) < 0)
		r = hc_error(x->c, at,
			     "bad mode \"%.10s\": want octal like "
			     "0644",
			     mode_s);
	if (!r && secret && strcmp(secret, "1") && strcmp(secret, "0"))
		r = hc_error(x->c, at, "secret= takes 1 or 0");
	if (!r)
		r = leftovers(x, at, w, n, 2);
	if (r) {
		free(data);
		return -1;
	}
	return hc_add_file(x->c, at, w[1], data, size, mode, owner, group,
			   secret && !strcmp(secret, "1"));
}

static int one_line(struct hn_ctx *x)
{
	struct hc_config *c = x->c;
	char *w[HN_WORDS_MAX];
	const char *k;
	uint32_t a, b;
	int n;

	memcpy(x->work, x->line, sizeof x->work);
	k = x->work + strspn(x->work, " \t");
	if (*k == '#' || !*k)
		return 0;
	if (!strncmp(k, "sshkey", 6) && (k[6] == ' ' || k[6] == '\t')) {
		/* sshkey USER rest-of-line: the key line keeps its spaces */
		char *user = (char *)k + 6, *key;
		user += strspn(user, " \t");
		key = user + strcspn(user, " \t");
		if (*key)
			*key++ = 0;
		key += strspn(key, " \t");
		n = (int)strlen(key);
		while (n && (key[n - 1] == ' ' || key[n - 1] == '\t'))
			key[--n] = 0;
		return hc_add_sshkey(c, x->src, user, key);
	}
	n = split((char *)k, w, HN_WORDS_MAX);
	if (n < 0)
		return hc_error(c, x->src, "too many words");
	if (!strcmp(w[0], "instance-id")) {
		if (want(x, n, 2, 2, "instance-id ID"))
			return -1;
		return hc_set_instance_id(c, x->src, w[1]);
	} else if (!strcmp(w[0], "generation")) {
		uint64_t g;
		if (want(x, n, 2, 2, "generation N"))
			return -1;
		if (xf_parse_u64(w[1], strlen(w[1]), 1000000000000ull, &g) ||
		    g == 0)
			return hc_error(c, x->src,
					"bad generation \"%.20s\": "
					"want a number from 1",
					w[1]);
		c->generation = g;
		return 0;
	} else if (!strcmp(w[0], "hostname")) {
		return want(x, n, 2, 2, "hostname NAME")
			   ? -1
			   : hc_add_hostname(c, x->src, w[1]);
	} else if (!strcmp(w[0], "fqdn")) {
		return want(x, n, 2, 2, "fqdn NAME")
			   ? -1
			   : hc_add_fqdn(c, x->src, w[1]);
	} else if (!strcmp(w[0], "iface")) {
		const char *mac, *name, *mtu;
		if (want(x, n, 3, 4, "iface ID mac=MAC|name=IFNAME [mtu=N]"))
			return -1;
		mac = opt(w, n, 2, "mac");
		name = opt(w, n, 2, "name");
		mtu = opt(w, n, 2, "mtu");
		if (number(x, "mtu", mtu, 65535, &a) ||
		    leftovers(x, x->src, w, n, 2))
			return -1;
		return hc_add_iface(c, x->src, w[1], mac, name, a);
	} else if (!strcmp(w[0], "addr")) {
		return want(x, n, 3, 3, "addr ID IP/PREFIX")
			   ? -1
			   : hc_add_addr(c, x->src, w[1], w[2]);
	} else if (!strcmp(w[0], "route")) {
		const char *via, *metric;
		if (want(x, n, 3, 5,
			 "route ID default|IP/PREFIX [via=IP] "
			 "[metric=N]"))
			return -1;
		via = opt(w, n, 3, "via");
		metric = opt(w, n, 3, "metric");
		if (number(x, "metric", metric, 0xffffffffu, &b) ||
		    leftovers(x, x->src, w, n, 3))
			return -1;
		return hc_add_route(c, x->src, w[1], w[2], via, b);
	} else if (!strcmp(w[0], "nameserver")) {
		return want(x, n, 2, 2, "nameserver IP")
			   ? -1
			   : hc_add_nameserver(c, x->src, w[1]);
	} else if (!strcmp(w[0], "search")) {
		int i;
		if (want(x, n, 2, HN_WORDS_MAX, "search DOMAIN..."))
			return -1;
		for (i = 1; i < n; i++)
			if (hc_add_search(c, x->src, w[i]))
				return -1;
		return 0;
	} else if (!strcmp(w[0], "password")) {
		if (n != 3) /* the value is never echoed */
			return hc_error(c, x->src,
					"usage: password USER HASH "
					"(a crypt(3) hash, one word)");
		return hc_add_password(c, x->src, w[1], w[2]);
	} else if (!strcmp(w[0], "file")) {
		return file_line(x, w, n);
	} else if (!strcmp(w[0], "sshkey")) {
		return hc_error(c, x->src, "usage: sshkey USER KEY-LINE");
	}
	return hc_error(c, x->src,
			"unknown keyword \"%.40s\" (see "
			"docs/HOST.md)",
			w[0]);
}

int hn_parse(struct hc_config *c, const char *name, const char *text,
	     size_t len, const char *basedir)
{
	struct hn_ctx *x = calloc(1, sizeof *x);
	int r;

	if (!x)
		return hc_error(c, name, "out of memory");
	x->c = c;
	x->name = name;
	x->basedir = basedir;
	x->text = text;
	x->len = len;
	while ((r = next_line(x)) == 0)
		if (one_line(x) < 0 || c->failed)
			break;
	free(x);
	return c->failed ? -1 : 0;
}
