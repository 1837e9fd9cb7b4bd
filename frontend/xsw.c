/* xsw.c - see xsw.h. Follows xen/io/xs_wire.h and docs/misc/xenstore.txt. */
#include "xsw.h"

#include "../agent/xc_err.h"
#include "fence.h"

static void xsw_copy(void *d, const void *s, size_t n)
{
	__builtin_memcpy(d, s, n);
}

static size_t xsw_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

void xsw_init(struct xsw *c)
{
	__builtin_memset(c, 0, sizeof *c);
	c->next_id = 1;
}

int xsw_request(struct xsw *c, uint32_t type, uint32_t tx_id,
		const void *const *parts, const size_t *lens, int nparts)
{
	struct xsw_hdr h;
	size_t len = 0;
	int i;

	if (c->err)
		return c->err;
	if (c->waiting)
		return -XC_EBUSY;
	for (i = 0; i < nparts; i++) {
		if (lens[i] > XSW_PAYLOAD_MAX - len)
			return -XC_E2BIG;
		xsw_copy(c->out + XSW_HDR_LEN + len, parts[i], lens[i]);
		len += lens[i];
	}
	h.type = type;
	h.req_id = c->next_id++;
	h.tx_id = tx_id;
	h.len = (uint32_t)len;
	xsw_copy(c->out, &h, sizeof h);
	c->out_len = XSW_HDR_LEN + len;
	c->out_off = 0;
	c->wait_id = h.req_id;
	c->waiting = true;
	c->have_reply = false;
	return 0;
}

const void *xsw_output(struct xsw *c, size_t *len)
{
	*len = c->out_len - c->out_off;
	return c->out + c->out_off;
}

void xsw_output_ack(struct xsw *c, size_t n)
{
	if (n > c->out_len - c->out_off)
		n = c->out_len - c->out_off;
	c->out_off += n;
}

/* Copies the NUL-terminated string at p[*off..len) into dst (cap). */
static int xsw_take_str(const unsigned char *p, size_t len, size_t *off,
			char *dst, size_t cap)
{
	size_t i = 0;

	while (*off < len && p[*off]) {
		if (i + 1 >= cap)
			return -XC_ENAMETOOLONG;
		dst[i++] = (char)p[(*off)++];
	}
	if (*off >= len)
		return -XC_EPROTO;
	(*off)++;
	dst[i] = 0;
	return 0;
}

static void xsw_event(struct xsw *c, const struct xsw_hdr *h)
{
	const unsigned char *p = c->in + XSW_HDR_LEN;
	size_t off = 0;

	c->events++;
	/* A malformed or overlong event still says "something changed". */
	if (xsw_take_str(p, h->len, &off, c->ev_path, sizeof c->ev_path) ||
	    xsw_take_str(p, h->len, &off, c->ev_token, sizeof c->ev_token)) {
		c->ev_path[0] = 0;
		c->ev_token[0] = 0;
	}
	c->have_event = true;
}

long xsw_input(struct xsw *c, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t used = 0, want, take;
	struct xsw_hdr h;

	if (c->err)
		return c->err;
	while (used < n && !c->have_reply) {
		if (c->in_len < XSW_HDR_LEN) {
			want = XSW_HDR_LEN - c->in_len;
		} else {
			xsw_copy(&h, c->in, sizeof h);
			want = XSW_HDR_LEN + h.len - c->in_len;
		}
		take = n - used < want ? n - used : want;
		xsw_copy(c->in + c->in_len, p + used, take);
		c->in_len += take;
		used += take;
		if (take < want)
			break;
		xsw_copy(&h, c->in, sizeof h);
		if (h.len > XSW_PAYLOAD_MAX) {
			/* No way to find the next header: stop for good. */
			c->err = -XC_EPROTO;
			return c->err;
		}
		if (c->in_len < XSW_HDR_LEN + h.len)
			continue; /* header done, payload follows */
		c->in[c->in_len] = 0;
		c->in_len = 0;
		if (h.type == XSW_WATCH_EVENT) {
			xsw_event(c, &h);
		} else if (c->waiting && h.req_id == c->wait_id) {
			c->reply = h;
			c->have_reply = true;
			c->waiting = false;
			/* Keep the payload where xsw_reply() finds it. */
			c->in_len = 0;
		} else {
			c->stale++;
		}
	}
	return (long)used;
}

/* xenstored's error names (xsd_errors in xs_wire.h) and our codes, in
 * one packed table: "NAME\0" then the code byte. */
static const char xsw_errs[] =
	"EINVAL\0\x16" "EACCES\0\x0d" "EEXIST\0\x11" "EISDIR\0\x15"
	"ENOENT\0\x02" "ENOMEM\0\x0c" "ENOSPC\0\x1c" "EIO\0\x05"
	"ENOTEMPTY\0\x10" "ENOSYS\0\x26" "EROFS\0\x1e" "EBUSY\0\x10"
	"EAGAIN\0\x0b" "EISCONN\0\x10" "E2BIG\0\x07" "EPERM\0\x01";

int xsw_errno(const char *s, size_t n)
{
	const char *e = xsw_errs;
	size_t k;

	/* The string may or may not carry its NUL inside n. */
	while (n && s[n - 1] == 0)
		n--;
	while (*e) {
		for (k = 0; k < n && e[k] && e[k] == s[k]; k++)
			;
		if (k == n && !e[k])
			return -(int)(unsigned char)e[k + 1];
		while (*e)
			e++;
		e += 2; /* the NUL and the code */
	}
	return -XC_EIO;
}

int xsw_reply(struct xsw *c, const char **payload, size_t *len)
{
	const char *p = (const char *)c->in + XSW_HDR_LEN;

	if (!c->have_reply)
		return -XC_EAGAIN;
	c->have_reply = false;
	if (c->reply.type == XSW_ERROR)
		return xsw_errno(p, c->reply.len);
	*payload = p;
	*len = c->reply.len;
	return 0;
}

/* Takes the completed reply: copies it into buf and returns its length. */
static long xsw_take_reply(struct xsw *c, char *buf, size_t cap)
{
	const char *pl = 0;
	size_t plen = 0;
	int rc;

	rc = xsw_reply(c, &pl, &plen);
	if (rc < 0) {
		c->err_replies++;
		return rc;
	}
	if (buf) {
		if (plen >= cap)
			return -XC_ENAMETOOLONG;
		xsw_copy(buf, pl, plen);
		buf[plen] = 0;
	}
	return (long)plen;
}

long xsw_call(struct xsw *c, const struct xsw_io *io, uint32_t type,
	      uint32_t tx, const void *const *parts, const size_t *lens,
	      int nparts, char *buf, size_t cap, uint64_t deadline_ms)
{
	unsigned char tmp[512];
	const void *o;
	size_t olen;
	long r, used, off, result = -XC_EAGAIN;
	int rc, done = 0;

	rc = xsw_request(c, type, tx, parts, lens, nparts);
	if (rc < 0)
		return rc;
	o = xsw_output(c, &olen);
	r = io->send(io->ctx, o, olen);
	if (r < 0) {
		c->waiting = false;
		return r;
	}
	xsw_output_ack(c, olen);
	while (!done) {
		r = io->recv(io->ctx, tmp, sizeof tmp, deadline_ms);
		if (r <= 0) {
			/* A late reply will be dropped as stale. */
			c->waiting = false;
			return r == 0 ? -XC_ETIMEDOUT : r;
		}
		for (off = 0; off < r; off += used) {
			used = xsw_input(c, tmp + off, (size_t)(r - off));
			if (used < 0)
				return used;
			if (c->have_reply) {
				/* Take it now: bytes after it (watch events)
				 * reuse the input buffer. */
				result = xsw_take_reply(c, buf, cap);
				done = 1;
			}
		}
	}
	return result;
}

/* Path with its NUL as one part. */
#define XSW_P(s) ((const void *)(s))

long xsw_read(struct xsw *c, const struct xsw_io *io, uint32_t tx,
	      const char *path, char *buf, size_t cap, uint64_t deadline_ms)
{
	const void *parts[1] = {path};
	size_t lens[1] = {xsw_strlen(path) + 1};
	long r;

	r = xsw_call(c, io, XSW_READ, tx, parts, lens, 1, buf, cap,
		     deadline_ms);
	/* Values are not NUL-terminated on the wire; some servers add one. */
	while (buf && r > 0 && buf[r - 1] == 0)
		r--;
	return r;
}

int xsw_write(struct xsw *c, const struct xsw_io *io, uint32_t tx,
	      const char *path, const char *value, uint64_t deadline_ms)
{
	const void *parts[2] = {path, value};
	size_t lens[2] = {xsw_strlen(path) + 1, xsw_strlen(value)};
	long r = xsw_call(c, io, XSW_WRITE, tx, parts, lens, 2, 0, 0,
			  deadline_ms);
	return r < 0 ? (int)r : 0;
}

int xsw_rm(struct xsw *c, const struct xsw_io *io, uint32_t tx,
	   const char *path, uint64_t deadline_ms)
{
	const void *parts[1] = {path};
	size_t lens[1] = {xsw_strlen(path) + 1};
	long r = xsw_call(c, io, XSW_RM, tx, parts, lens, 1, 0, 0,
			  deadline_ms);
	return r < 0 ? (int)r : 0;
}

long xsw_directory(struct xsw *c, const struct xsw_io *io, const char *path,
		   char *buf, size_t cap, uint64_t deadline_ms)
{
	const void *parts[1] = {path};
	size_t lens[1] = {xsw_strlen(path) + 1};

	return xsw_call(c, io, XSW_DIRECTORY, 0, parts, lens, 1, buf, cap,
			deadline_ms);
}

static int xsw_watch_op(struct xsw *c, const struct xsw_io *io,
			uint32_t type, const char *path, const char *token,
			uint64_t deadline_ms)
{
	const void *parts[2] = {path, token};
	size_t lens[2] = {xsw_strlen(path) + 1, xsw_strlen(token) + 1};
	long r = xsw_call(c, io, type, 0, parts, lens, 2, 0, 0, deadline_ms);
	return r < 0 ? (int)r : 0;
}

int xsw_watch(struct xsw *c, const struct xsw_io *io, const char *path,
	      const char *token, uint64_t deadline_ms)
{
	return xsw_watch_op(c, io, XSW_WATCH, path, token, deadline_ms);
}

int xsw_unwatch(struct xsw *c, const struct xsw_io *io, const char *path,
		const char *token, uint64_t deadline_ms)
{
	return xsw_watch_op(c, io, XSW_UNWATCH, path, token, deadline_ms);
}

int xsw_tx_start(struct xsw *c, const struct xsw_io *io, uint32_t *tx,
		 uint64_t deadline_ms)
{
	const void *parts[1] = {""};
	size_t lens[1] = {1};
	char buf[16];
	long r;

	r = xsw_call(c, io, XSW_TRANSACTION_START, 0, parts, lens, 1, buf,
		     sizeof buf, deadline_ms);
	if (r < 0)
		return (int)r;
	while (r > 0 && buf[r - 1] == 0)
		r--;
	if (xsw_parse_uint(buf, (size_t)r, 0xffffffffu, tx) < 0 || *tx == 0)
		return -XC_EPROTO;
	return 0;
}

int xsw_tx_end(struct xsw *c, const struct xsw_io *io, uint32_t tx,
	       bool commit, uint64_t deadline_ms)
{
	const void *parts[1] = {commit ? "T" : "F"};
	size_t lens[1] = {2};
	long r = xsw_call(c, io, XSW_TRANSACTION_END, tx, parts, lens, 1, 0, 0,
			  deadline_ms);
	return r < 0 ? (int)r : 0;
}

int xsw_parse_uint(const char *s, size_t n, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 10 || (s[0] == '0' && n > 1))
		return -XC_EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -XC_EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -XC_ERANGE;
	*out = (uint32_t)v;
	return 0;
}

size_t xsw_fmt_uint(char *buf, uint32_t v)
{
	char tmp[10];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = 0;
	return n;
}
