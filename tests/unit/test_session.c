/* test_session.c - agent/session.c against a recording fake board. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "agent/session.h"
#include "agent/xc_err.h"
#include "check.h"

/* ---- the fake board ---- */
static struct {
	char applied[XS_ID_MAX];
	char log[4096];
	size_t data;
	int fail_item_kind; /* item() fails for this kind */
	int fail_commit;    /* commit() fails at this seq */
} fb;

static void note(const char *s)
{
	strncat(fb.log, s, sizeof fb.log - strlen(fb.log) - 1);
}

static int f_applied(void *c, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s", fb.applied);
	return (int)strlen(buf);
}
static int f_begin(void *c, const char *id, const char **r)
{
	note("begin;");
	fb.data = 0;
	return 0;
}
static int f_item(void *c, const struct xc_item *it, const char **r)
{
	char s[64];
	if ((int)it->kind == fb.fail_item_kind)
		return *r = "bad-thing", -XC_EINVAL;
	snprintf(s, sizeof s, "%s;", xc_item_kind_name(it->kind));
	note(s);
	return 0;
}
static int f_data(void *c, const void *p, size_t n, const char **r)
{
	fb.data += n;
	return 0;
}
static int f_commit(void *c, const char *id, uint32_t *seq, const char **r)
{
	if (fb.fail_commit) {
		*seq = (uint32_t)fb.fail_commit;
		*r = "apply-failed";
		note("rollback;");
		return -XC_EIO;
	}
	snprintf(fb.applied, sizeof fb.applied, "%s", id);
	note("commit;");
	return 0;
}
static void f_abort(void *c)
{
	note("abort;");
}
static void f_request(void *c, struct xs_session *s, const struct xf_frame *q)
{
	if (q->len[2] == 4 && !memcmp(q->field[2], "ping", 4)) {
		xs_reply_begin(s, q, "ok");
		xs_reply_end(s);
	}
}

static const struct xs_ops ops = {f_applied, f_begin, f_item, f_data,
				  f_commit, f_abort, f_request};

/* ---- driving ---- */
static struct xs_session s;
static char out[65536];
static struct xc_sha256 dig;
static uint32_t seq;

static void reset(void)
{
	memset(&fb, 0, sizeof fb);
	xs_init(&s, &ops, 0, "boot-1", "t");
	out[0] = 0;
}

/* Takes all output into `out` (appended). */
static void drain(void)
{
	size_t n;
	const char *p;
	while ((p = xs_output(&s, &n)) && n) {
		strncat(out, p, n < sizeof out - strlen(out) - 1
					? n
					: sizeof out - strlen(out) - 1);
		xs_output_ack(&s, n);
	}
}

static void send_line(const char *l, size_t n, int digest)
{
	size_t off = 0;
	if (digest) {
		/* body: after "~<len> ", before " <crc>\n" */
		const char *b = memchr(l, ' ', n) + 1;
		xc_sha256_update(&dig, b, (size_t)(l + n - 10 - b));
		xc_sha256_update(&dig, "\n", 1);
	}
	while (off < n) {
		off += xs_input(&s, l + off, n - off);
		drain();
	}
}

static void frame(int digest, const char *type, int nf, const char **f)
{
	static char line[XF_LINE_MAX];
	struct xf_writer w;
	long n;
	int i;
	xf_begin(&w, line, sizeof line, type);
	for (i = 0; i < nf; i++)
		xf_add_str(&w, f[i]);
	n = xf_end(&w);
	CHECK(n > 0);
	send_line(line, (size_t)n, digest);
}

#define NONCE "0123456789abcdef"

static void hello(void)
{
	const char *f[] = {NONCE, "1", "1"};
	frame(0, "HELLO", 3, f);
}

static void begin_txn(const char *id)
{
	const char *f[] = {NONCE, id};
	xc_sha256_init(&dig);
	seq = 0;
	frame(1, "BEGIN", 2, f);
}

static void item(const char *kind, const char *a, const char *b)
{
	char sq[16];
	const char *f[] = {sq, kind, a, b};
	snprintf(sq, sizeof sq, "%u", ++seq);
	frame(1, "ITEM", b ? 4 : 3, f);
}

static void data(const char *bytes)
{
	char sq[16];
	const char *f[] = {sq, bytes};
	snprintf(sq, sizeof sq, "%u", ++seq);
	frame(1, "DATA", 2, f);
}

static void commit(int corrupt)
{
	char sq[16], hex[65];
	uint8_t d[32];
	const char *f[] = {sq, hex};
	xc_sha256_final(&dig, d);
	xc_sha256_hex(d, hex);
	if (corrupt)
		hex[0] = hex[0] == '0' ? '1' : '0';
	snprintf(sq, sizeof sq, "%u", ++seq);
	frame(0, "COMMIT", 2, f);
}

static void test_flow(void)
{
	CASE("ready-before-hello");
	reset();
	xs_tick(&s, 5);
	drain();
	CHECK(strstr(out, " READY boot-1 1 1 ") != NULL);
	out[0] = 0;
	xs_tick(&s, 6); /* not again until 2 s later */
	drain();
	CHECK(out[0] == 0);
	xs_tick(&s, 5 + XS_READY_MS);
	drain();
	CHECK(strstr(out, "READY") != NULL);

	CASE("hello-welcome");
	hello();
	CHECK(strstr(out, "WELCOME " NONCE " 1 boot-1 agent=t caps=") != NULL);
	CHECK(strstr(out, "applied= ") != NULL);
	CHECK(xs_events(&s) & XS_EV_HELLO);

	CASE("full-transaction");
	out[0] = 0;
	begin_txn("i-1/1");
	item("hostname", "web1", NULL);
	item("file", "/etc/motd", "size=5");
	data("hel");
	data("lo");
	item("nameserver", "192.0.2.53", NULL);
	commit(0);
	CHECK(!strcmp(fb.log, "begin;hostname;file;nameserver;commit;"));
	CHECK(fb.data == 5);
	CHECK(strstr(out, "RESULT 1 hostname ok") != NULL);
	CHECK(strstr(out, "RESULT 2 file ok") != NULL);
	CHECK(strstr(out, "RESULT 5 nameserver ok") != NULL);
	CHECK(strstr(out, "DONE i-1/1 applied") != NULL);
	CHECK(xs_events(&s) & XS_EV_APPLIED);

	CASE("already-applied");
	out[0] = 0;
	fb.log[0] = 0;
	begin_txn("i-1/1");
	item("hostname", "other", NULL);
	commit(0);
	CHECK(strstr(out, "DONE i-1/1 already") != NULL);
	CHECK(strstr(out, "RESULT") == NULL);
	CHECK(fb.log[0] == 0); /* nothing staged, nothing applied */

	CASE("welcome-reports-applied");
	out[0] = 0;
	hello();
	CHECK(strstr(out, "applied=i-1/1 ") != NULL);
}

static void test_failures(void)
{
	CASE("stale-nonce-begin-ignored");
	reset();
	hello();
	out[0] = 0;
	{
		const char *f[] = {"ffffffffffffffff", "i-2/1"};
		frame(0, "BEGIN", 2, f);
	}
	CHECK(out[0] == 0 && fb.log[0] == 0);

	CASE("seq-gap");
	begin_txn("i-2/1");
	item("hostname", "a", NULL);
	seq++; /* a frame lost to noise */
	item("nameserver", "192.0.2.1", NULL);
	commit(0);
	CHECK(strstr(out, "DONE i-2/1 failed 2 frame seq") != NULL);
	CHECK(strstr(fb.log, "abort;") != NULL);
	CHECK(strstr(fb.log, "commit;") == NULL);

	CASE("digest-mismatch");
	reset();
	hello();
	begin_txn("i-3/1");
	item("hostname", "a", NULL);
	commit(1);
	CHECK(strstr(out, "DONE i-3/1 failed 2 frame digest-mismatch") !=
	      NULL);
	CHECK(strstr(fb.log, "commit;") == NULL);

	CASE("bad-item-named");
	reset();
	hello();
	fb.fail_item_kind = XC_ITEM_SSHKEY;
	begin_txn("i-4/1");
	item("hostname", "a", NULL);
	item("sshkey", "root", "ssh-ed25519 AAAA");
	CHECK(strstr(out, "DONE i-4/1 failed 2 sshkey bad-thing") != NULL);
	out[0] = 0;
	item("search", "example.com", NULL); /* discarded */
	commit(0);
	CHECK(out[0] == 0);

	CASE("commit-fails-rolls-back");
	reset();
	hello();
	fb.fail_commit = 2;
	begin_txn("i-5/1");
	item("hostname", "a", NULL);
	item("nameserver", "192.0.2.1", NULL);
	item("search", "example.com", NULL);
	commit(0);
	CHECK(strstr(out, "RESULT 1 hostname rolled-back") != NULL);
	CHECK(strstr(out, "RESULT 2 nameserver failed apply-failed") != NULL);
	CHECK(strstr(out, "RESULT 3 search not-applied") != NULL);
	CHECK(strstr(out, "DONE i-5/1 failed 2 nameserver apply-failed") !=
	      NULL);
	CHECK(fb.applied[0] == 0);

	CASE("data-overrun-and-missing");
	reset();
	hello();
	begin_txn("i-6/1");
	item("file", "/x", "size=2");
	data("abc");
	CHECK(strstr(out, "DONE i-6/1 failed 1 file data-overrun") != NULL);
	out[0] = 0;
	begin_txn("i-6/1");
	item("file", "/x", "size=2");
	item("hostname", "a", NULL);
	CHECK(strstr(out, "DONE i-6/1 failed 1 file data-missing") != NULL);

	CASE("hello-aborts-transaction");
	reset();
	hello();
	begin_txn("i-7/1");
	item("hostname", "a", NULL);
	fb.log[0] = 0;
	hello();
	CHECK(!strcmp(fb.log, "abort;"));
	commit(0); /* the old transaction is gone: COMMIT ignored */
	CHECK(fb.applied[0] == 0);

	CASE("bad-config-id");
	reset();
	hello();
	out[0] = 0;
	begin_txn("no-generation");
	CHECK(strstr(out, "failed 0 frame bad-config-id") != NULL);

	CASE("unknown-kind");
	reset();
	hello();
	begin_txn("i-8/1");
	item("runcmd", "rm", NULL);
	CHECK(strstr(out, "DONE i-8/1 failed 1 frame unknown-kind") != NULL);
}

static void test_requests(void)
{
	const char *ping[] = {"7", "ping"};
	const char *bad[] = {"8", "launch-missiles"};

	CASE("request-before-hello");
	reset();
	frame(0, "REQ", 2, ping);
	CHECK(strstr(out, "REP 7 ok") != NULL);

	CASE("unknown-verb");
	out[0] = 0;
	frame(0, "REQ", 2, bad);
	CHECK(strstr(out, "REP 8 error unknown-verb launch-missiles") !=
	      NULL);
}

int main(void)
{
	test_flow();
	test_failures();
	test_requests();
	return check_done("unit-session");
}
