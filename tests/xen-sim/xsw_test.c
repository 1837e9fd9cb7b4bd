/* xsw_test.c - frontend/xsw.c, the xenstore client: request encoding,
 * replies split at every byte, wrong req_id, oversize lengths, error
 * strings, watch events around replies, timeouts, integer parsing. */
#include <stdint.h>
#include <string.h>

#include "agent/xc_err.h"
#include "frontend/xsw.h"
#include "t.h"

static struct xsw c;

/* Builds a message into buf; returns its length. */
static size_t msg(unsigned char *buf, uint32_t type, uint32_t id,
		  const void *p, uint32_t len)
{
	struct xsw_hdr h = {type, id, 0, len};

	memcpy(buf, &h, sizeof h);
	memcpy(buf + sizeof h, p, len);
	return sizeof h + len;
}

static int start(uint32_t type, const char *path)
{
	const void *parts[1] = {path};
	size_t lens[1] = {strlen(path) + 1};

	xsw_init(&c);
	return xsw_request(&c, type, 0, parts, lens, 1);
}

static void t_encode(void)
{
	const void *parts[2] = {"a/b", "v"};
	size_t lens[2] = {4, 1}, n;
	const unsigned char *o;
	struct xsw_hdr h;

	xsw_init(&c);
	T_CHECK(xsw_request(&c, XSW_WRITE, 7, parts, lens, 2) == 0);
	o = xsw_output(&c, &n);
	T_CHECK(n == 16 + 5);
	memcpy(&h, o, sizeof h);
	T_CHECK(h.type == XSW_WRITE && h.tx_id == 7 && h.len == 5);
	T_CHECK(memcmp(o + 16, "a/b\0v", 5) == 0);
	T_CHECK(xsw_request(&c, XSW_READ, 0, parts, lens, 1) == -XC_EBUSY);
	xsw_output_ack(&c, 3);
	o = xsw_output(&c, &n);
	T_CHECK(n == 18);
}

static void t_too_big(void)
{
	static char big[XSW_PAYLOAD_MAX + 1];
	const void *parts[1] = {big};
	size_t lens[1] = {sizeof big};

	xsw_init(&c);
	T_CHECK(xsw_request(&c, XSW_WRITE, 0, parts, lens, 1) == -XC_E2BIG);
	lens[0] = XSW_PAYLOAD_MAX;
	T_CHECK(xsw_request(&c, XSW_WRITE, 0, parts, lens, 1) == 0);
}

static void t_split_reply(void)
{
	unsigned char buf[64];
	const char *p;
	size_t n, len, i;

	T_CHECK(start(XSW_READ, "x") == 0);
	n = msg(buf, XSW_READ, c.wait_id, "value", 5);
	for (i = 0; i < n; i++) {
		T_CHECK(!c.have_reply);
		T_CHECK(xsw_input(&c, buf + i, 1) == 1);
	}
	T_CHECK(xsw_reply(&c, &p, &len) == 0);
	T_CHECK(len == 5 && memcmp(p, "value", 5) == 0);
	T_CHECK(xsw_reply(&c, &p, &len) == -XC_EAGAIN);
}

static void t_wrong_req_id(void)
{
	unsigned char buf[128];
	const char *p;
	size_t n, len;

	T_CHECK(start(XSW_READ, "x") == 0);
	n = msg(buf, XSW_READ, c.wait_id + 5, "old", 3);
	n += msg(buf + n, XSW_READ, c.wait_id, "new", 3);
	T_CHECK(xsw_input(&c, buf, n) == (long)n);
	T_CHECK(c.stale == 1);
	T_CHECK(xsw_reply(&c, &p, &len) == 0 && len == 3 &&
		memcmp(p, "new", 3) == 0);
}

static void t_oversize(void)
{
	struct xsw_hdr h = {XSW_READ, 1, 0, XSW_PAYLOAD_MAX + 1};
	const char *p;
	size_t len;

	T_CHECK(start(XSW_READ, "x") == 0);
	h.req_id = c.wait_id;
	T_CHECK(xsw_input(&c, &h, sizeof h) == -XC_EPROTO);
	T_CHECK(xsw_input(&c, "abc", 3) == -XC_EPROTO); /* sticky */
	T_CHECK(xsw_reply(&c, &p, &len) == -XC_EAGAIN);
	h.len = 0xffffffffu; /* would wrap a naive 16 + len */
	T_CHECK(start(XSW_READ, "x") == 0);
	T_CHECK(xsw_input(&c, &h, sizeof h) == -XC_EPROTO);
}

static void t_error_strings(void)
{
	static const struct {
		const char *s;
		int code;
	} tab[] = {
		{"EAGAIN", -XC_EAGAIN}, {"ENOENT", -XC_ENOENT},
		{"EACCES", -XC_EACCES}, {"EINVAL", -XC_EINVAL},
		{"E2BIG", -XC_E2BIG},	{"EPERM", -XC_EPERM},
		{"EROFS", -XC_EROFS},	{"EWHAT", -XC_EIO},
		{"EAGAINX", -XC_EIO},	{"EAGAI", -XC_EIO},
		{"", -XC_EIO},
	};
	unsigned char buf[64];
	const char *p;
	size_t i, n, len;

	for (i = 0; i < sizeof tab / sizeof tab[0]; i++) {
		T_CHECK(start(XSW_WRITE, "x") == 0);
		n = msg(buf, XSW_ERROR, c.wait_id, tab[i].s,
			(uint32_t)strlen(tab[i].s) + 1);
		xsw_input(&c, buf, n);
		if (xsw_reply(&c, &p, &len) != tab[i].code) {
			fprintf(stderr, "  error string '%s'\n", tab[i].s);
			T_CHECK(0);
		}
	}
	/* Without the NUL too. */
	T_CHECK(xsw_errno("ENOENT", 6) == -XC_ENOENT);
}

static void t_watch_event(void)
{
	unsigned char buf[256];
	const char *p;
	size_t n, len;

	T_CHECK(start(XSW_READ, "x") == 0);
	n = msg(buf, XSW_WATCH_EVENT, 0, "backend/s\0tok\0", 14);
	n += msg(buf + n, XSW_READ, c.wait_id, "4", 1);
	T_CHECK(xsw_input(&c, buf, n) == (long)n);
	T_CHECK(c.have_event && c.events == 1);
	T_CHECK(!strcmp(c.ev_path, "backend/s") && !strcmp(c.ev_token, "tok"));
	T_CHECK(xsw_reply(&c, &p, &len) == 0 && len == 1 && p[0] == '4');
	/* A malformed event (no NUL) still counts, with no path. */
	n = msg(buf, XSW_WATCH_EVENT, 0, "abc", 3);
	T_CHECK(xsw_input(&c, buf, n) == (long)n);
	T_CHECK(c.events == 2 && c.ev_path[0] == 0);
	/* A path longer than our buffer. */
	memset(buf + 16, 'a', 200);
	n = msg(buf, XSW_WATCH_EVENT, 0, buf + 16, 200);
	T_CHECK(xsw_input(&c, buf, n) == (long)n);
	T_CHECK(c.events == 3 && c.ev_path[0] == 0);
}

/* A scripted server for xsw_call(). */
static struct {
	unsigned char data[1024];
	size_t len, off;
	int chunk;
	unsigned char sent[XSW_HDR_LEN + XSW_PAYLOAD_MAX];
	size_t sent_len;
} srv;

static long fake_send(void *ctx, const void *p, size_t n)
{
	memcpy(srv.sent, p, n);
	srv.sent_len = n;
	return (long)n;
}

static long fake_recv(void *ctx, void *p, size_t n, uint64_t deadline)
{
	size_t k = srv.len - srv.off;

	if (k == 0)
		return 0; /* "timed out" */
	if (srv.chunk && k > (size_t)srv.chunk)
		k = (size_t)srv.chunk;
	if (k > n)
		k = n;
	memcpy(p, srv.data + srv.off, k);
	srv.off += k;
	return (long)k;
}

static const struct xsw_io fake_io = {fake_send, fake_recv, 0};

static void t_call(void)
{
	char out[64];
	struct xsw_hdr h;
	uint32_t tx;

	xsw_init(&c);
	memset(&srv, 0, sizeof srv);
	/* Reply then an event in the same read. */
	srv.len = msg(srv.data, XSW_READ, 1, "hello", 5);
	srv.len += msg(srv.data + srv.len, XSW_WATCH_EVENT, 0, "p\0t\0", 4);
	T_CHECK(xsw_read(&c, &fake_io, 0, "some/path", out, sizeof out, 1) ==
		5);
	T_CHECK(!strcmp(out, "hello"));
	T_CHECK(c.have_event && !strcmp(c.ev_path, "p"));
	memcpy(&h, srv.sent, sizeof h);
	T_CHECK(h.type == XSW_READ && h.len == 10 &&
		!memcmp(srv.sent + 16, "some/path", 10));
	/* Timeout, then the late reply is dropped as stale. */
	srv.len = srv.off = 0;
	T_CHECK(xsw_read(&c, &fake_io, 0, "a", out, sizeof out, 1) ==
		-XC_ETIMEDOUT);
	srv.off = 0;
	srv.len = msg(srv.data, XSW_READ, 2, "late", 4);
	srv.len += msg(srv.data + srv.len, XSW_TRANSACTION_START, 3, "17", 3);
	srv.chunk = 5;
	T_CHECK(xsw_tx_start(&c, &fake_io, &tx, 1) == 0 && tx == 17);
	T_CHECK(c.stale == 1);
	/* Reply bigger than the caller's buffer. */
	srv.off = 0;
	srv.len = msg(srv.data, XSW_READ, 4, "0123456789", 10);
	T_CHECK(xsw_read(&c, &fake_io, 0, "a", out, 4, 1) ==
		-XC_ENAMETOOLONG);
	/* EAGAIN from TRANSACTION_END. */
	srv.off = 0;
	srv.len = msg(srv.data, XSW_ERROR, 5, "EAGAIN", 7);
	T_CHECK(xsw_tx_end(&c, &fake_io, 17, true, 1) == -XC_EAGAIN);
	memcpy(&h, srv.sent, sizeof h);
	T_CHECK(h.tx_id == 17 && !memcmp(srv.sent + 16, "T", 2));
	/* Bad transaction id in the reply. */
	srv.off = 0;
	srv.len = msg(srv.data, XSW_TRANSACTION_START, 6, "x1", 3);
	T_CHECK(xsw_tx_start(&c, &fake_io, &tx, 1) == -XC_EPROTO);
}

static void t_parse_uint(void)
{
	uint32_t v = 99;

	T_CHECK(xsw_parse_uint("0", 1, 10, &v) == 0 && v == 0);
	T_CHECK(xsw_parse_uint("12", 2, 100, &v) == 0 && v == 12);
	T_CHECK(xsw_parse_uint("4294967295", 10, 0xffffffffu, &v) == 0 &&
		v == 0xffffffffu);
	T_CHECK(xsw_parse_uint("4294967296", 10, 0xffffffffu, &v) ==
		-XC_ERANGE);
	T_CHECK(xsw_parse_uint("99999999999", 11, 0xffffffffu, &v) ==
		-XC_EINVAL);
	T_CHECK(xsw_parse_uint("01", 2, 100, &v) == -XC_EINVAL);
	T_CHECK(xsw_parse_uint("1a", 2, 100, &v) == -XC_EINVAL);
	T_CHECK(xsw_parse_uint("-1", 2, 100, &v) == -XC_EINVAL);
	T_CHECK(xsw_parse_uint("", 0, 100, &v) == -XC_EINVAL);
	T_CHECK(xsw_parse_uint("101", 3, 100, &v) == -XC_ERANGE);
}

int main(void)
{
	static const struct t_case cases[] = {
		{"encode", t_encode},
		{"payload-bound", t_too_big},
		{"split-reply", t_split_reply},
		{"wrong-req-id", t_wrong_req_id},
		{"oversize-len", t_oversize},
		{"error-strings", t_error_strings},
		{"watch-event", t_watch_event},
		{"call", t_call},
		{"parse-uint", t_parse_uint},
	};

	return t_run("xen-sim-xsw", cases, sizeof cases / sizeof cases[0]);
}
