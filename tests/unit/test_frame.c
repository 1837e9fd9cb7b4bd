/* test_frame.c - agent/frame.c: round trips, resynchronisation, limits. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "agent/crc32.h"
#include "agent/frame.h"
#include "agent/xc_err.h"
#include "check.h"

static struct xf_parser p;
static char line[XF_LINE_MAX];

/* Feeds a whole buffer; collects the TYPE and first field of each frame
 * into out (joined by ','). Returns the number of frames. */
static int feed_all(const char *in, size_t n, char *out, size_t cap)
{
	size_t off = 0, used, o = 0;
	struct xf_frame f;
	int frames = 0;

	out[0] = 0;
	while (off < n) {
		if (xf_feed(&p, in + off, n - off, &used, &f)) {
			int k;
			frames++;
			for (k = 0; k < f.nfields && k < 2; k++)
				o += (size_t)snprintf(out + o, cap - o, "%s%s",
						      o ? (k ? " " : ",") : "",
						      f.field[k]);
		}
		off += used;
	}
	return frames;
}

static long make(const char *type, const char *a, const char *b)
{
	struct xf_writer w;
	xf_begin(&w, line, sizeof line, type);
	if (a)
		xf_add_str(&w, a);
	if (b)
		xf_add_str(&w, b);
	return xf_end(&w);
}

static void test_roundtrip(void)
{
	struct xf_writer w;
	struct xf_frame f;
	unsigned char all[256];
	size_t used;
	long n;
	int i;

	CASE("roundtrip-all-bytes");
	for (i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	xf_begin(&w, line, sizeof line, "DATA");
	xf_add_u64(&w, 42);
	xf_add(&w, all, sizeof all);
	xf_add_kv(&w, "k", "a b~c%");
	n = xf_end(&w);
	CHECK(n > 0 && line[0] == '~' && line[n - 1] == '\n');
	/* nothing outside 0x20..0x7e but the final newline */
	for (i = 0; i < n - 1; i++)
		CHECK(line[i] >= 0x20 && line[i] < 0x7f);
	/* a '~' only at the start */
	CHECK(memchr(line + 1, '~', (size_t)n - 1) == NULL);
	xf_parser_init(&p);
	CHECK(xf_feed(&p, line, (size_t)n, &used, &f) == 1);
	CHECK(used == (size_t)n);
	CHECK(f.nfields == 4 && xf_is(&f, "DATA"));
	CHECK(f.len[1] == 2 && !memcmp(f.field[1], "42", 2));
	CHECK(f.len[2] == 256 && !memcmp(f.field[2], all, 256));
	CHECK(xf_kv(&f, 3, "k", &used) && used == 6 &&
	      !memcmp(xf_kv(&f, 3, "k", 0), "a b~c%", 6));

	CASE("roundtrip-byte-at-a-time");
	{
		size_t k, u;
		int got = 0;
		xf_parser_init(&p);
		for (k = 0; k < (size_t)n; k++) {
			got += xf_feed(&p, line + k, 1, &u, &f);
			CHECK(u == 1);
		}
		CHECK(got == 1 && f.len[2] == 256);
	}

	CASE("empty-kv-value");
	xf_begin(&w, line, sizeof line, "WELCOME");
	xf_add_kv(&w, "applied", "");
	n = xf_end(&w);
	xf_parser_init(&p);
	CHECK(xf_feed(&p, line, (size_t)n, &used, &f) == 1);
	CHECK(xf_kv(&f, 1, "applied", &used) && used == 0);
}

static void test_resync(void)
{
	char buf[8192], got[512];
	size_t o = 0;
	long n;

	CASE("garbage-and-at-probes");
	o += (size_t)snprintf(buf + o, sizeof buf - o, "AT\r\nATZ\r+++\x01\xff");
	n = make("HELLO", "one", NULL);
	memcpy(buf + o, line, (size_t)n), o += (size_t)n;
	o += (size_t)snprintf(buf + o, sizeof buf - o, "ATE0\r\n\r\n");
	n = make("PING", "two", NULL);
	memcpy(buf + o, line, (size_t)n), o += (size_t)n;
	xf_parser_init(&p);
	CHECK(feed_all(buf, o, got, sizeof got) == 2);
	CHECK(!strcmp(got, "HELLO one,PING two"));
	CHECK(p.stats.garbage > 10);

	CASE("truncated-then-valid");
	o = 0;
	n = make("ITEM", "cut", "short");
	memcpy(buf + o, line, (size_t)n / 2), o += (size_t)n / 2;
	n = make("ITEM", "whole", NULL);
	memcpy(buf + o, line, (size_t)n), o += (size_t)n;
	xf_parser_init(&p);
	CHECK(feed_all(buf, o, got, sizeof got) == 1);
	CHECK(!strcmp(got, "ITEM whole"));
	CHECK(p.stats.bad == 1);

	CASE("corrupt-crc-length-escape");
	{
		static const char *const bad[] = {
			"~5 HELLO 00000000\n",      /* crc */
			"~6 HELLO 3e8f8ee0\n",      /* length */
			"~8 HELLO %G 00000000\n",   /* escape */
			"~05 HELLO 00000000\n",     /* leading zero */
			"~0  00000000\n",           /* empty */
			"~7 hello x 00000000\n",    /* lowercase type */
		};
		size_t k;
		for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
			xf_parser_init(&p);
			CHECK(feed_all(bad[k], strlen(bad[k]), got,
				       sizeof got) == 0);
		}
		/* the one valid spelling of that frame */
		n = make("HELLO", NULL, NULL);
		xf_parser_init(&p);
		CHECK(feed_all(line, (size_t)n, got, sizeof got) == 1);
	}

	CASE("flipped-bit-anywhere");
	{
		long k;
		n = make("ITEM", "7", "hostname");
		for (k = 1; k < n - 1; k++) {
			char copy[128];
			memcpy(copy, line, (size_t)n);
			copy[k] ^= 0x04;
			xf_parser_init(&p);
			CHECK(feed_all(copy, (size_t)n, got, sizeof got) == 0);
		}
	}

	CASE("overlong-line-skipped");
	{
		static char big[XF_LINE_MAX * 2 + 64];
		size_t k;
		big[0] = '~';
		for (k = 1; k < sizeof big - 64; k++)
			big[k] = 'A';
		k = sizeof big - 64;
		n = make("OK", NULL, NULL);
		big[k++] = '\n';
		memcpy(big + k, line, (size_t)n);
		xf_parser_init(&p);
		CHECK(feed_all(big, k + (size_t)n, got, sizeof got) == 1);
		CHECK(!strcmp(got, "OK"));
	}
}

static void test_writer_limits(void)
{
	struct xf_writer w;
	static char big[XF_BODY_MAX];
	int i;

	CASE("writer-empty-field");
	xf_begin(&w, line, sizeof line, "X");
	xf_add(&w, "", 0);
	CHECK(xf_end(&w) == -XC_EINVAL);

	CASE("writer-too-many-fields");
	xf_begin(&w, line, sizeof line, "X");
	for (i = 0; i < XF_FIELDS_MAX; i++)
		xf_add_str(&w, "f");
	CHECK(xf_end(&w) == -XC_E2BIG);

	CASE("writer-body-too-long");
	memset(big, 0xff, sizeof big);
	xf_begin(&w, line, sizeof line, "DATA");
	xf_add(&w, big, XF_CHUNK_MAX);
	CHECK(xf_end(&w) > 0); /* a full chunk of worst-case bytes fits */
	xf_begin(&w, line, sizeof line, "DATA");
	xf_add(&w, big, sizeof big);
	CHECK(xf_end(&w) == -XC_EMSGSIZE);

	CASE("writer-small-buffer");
	xf_begin(&w, line, 100, "X");
	CHECK(xf_end(&w) == -XC_EINVAL);
}

static void test_u64(void)
{
	uint64_t v = 0;

	CASE("parse-u64");
	CHECK(xf_parse_u64("0", 1, 10, &v) == 0 && v == 0);
	CHECK(xf_parse_u64("10", 2, 10, &v) == 0 && v == 10);
	CHECK(xf_parse_u64("11", 2, 10, &v) == -XC_ERANGE);
	CHECK(xf_parse_u64("9", 1, 7, &v) == -XC_ERANGE);
	CHECK(xf_parse_u64("7", 1, 7, &v) == 0 && v == 7);
	CHECK(xf_parse_u64("01", 2, 10, &v) == -XC_EINVAL);
	CHECK(xf_parse_u64("-1", 2, 10, &v) == -XC_EINVAL);
	CHECK(xf_parse_u64("", 0, 10, &v) == -XC_EINVAL);
	CHECK(xf_parse_u64("18446744073709551615", 20, ~(uint64_t)0, &v) ==
		      0 &&
	      v == ~(uint64_t)0);
	CHECK(xf_parse_u64("18446744073709551616", 20, ~(uint64_t)0, &v) ==
	      -XC_ERANGE);
}

/* Input that ends right before an unmapped page: any read past the end
 * faults (picohttpparser's trick). */
static void test_guard_page(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(0, (size_t)pg * 2, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct xf_frame f;
	size_t used;
	long n, cut;

	CASE("guard-page");
	if (m == MAP_FAILED) {
		CHECK(0);
		return;
	}
	mprotect(m + pg, (size_t)pg, PROT_NONE);
	n = make("REQ", "1", "ping");
	for (cut = 1; cut <= n; cut++) {
		memcpy(m + pg - cut, line, (size_t)cut);
		xf_parser_init(&p);
		CHECK(xf_feed(&p, m + pg - cut, (size_t)cut, &used, &f) ==
		      (cut == n));
	}
	munmap(m, (size_t)pg * 2);
}

static void test_crc(void)
{
	CASE("crc32-check-value");
	CHECK(xc_crc32(0, "123456789", 9) == 0xcbf43926u);
	CHECK(xc_crc32(xc_crc32(0, "1234", 4), "56789", 5) == 0xcbf43926u);
}

int main(void)
{
	test_crc();
	test_roundtrip();
	test_resync();
	test_writer_limits();
	test_u64();
	test_guard_page();
	return check_done("unit-frame");
}
