/* fakeagent.c - see fakeagent.h. Test code: blocking I/O, simple. */
#include "fakeagent.h"

#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/frame.h"
#include "agent/sha256.h"
#include "host/chan.h"

#define FA_NOISE "\x01\x7f garbage AT\r ATZ\r\n\r\n+++"

struct fa {
	int fd;
	enum fa_script script;
	FILE *log;
	char nonce[17];
	char id[200];
	int hellos, commits, in_tx;
	uint32_t seq;
	struct xc_sha256 digest;
	/* the file whose DATA is arriving */
	char path[300];
	uint64_t size, got;
	struct xc_sha256 content;
	uint32_t item_seq[300];
	char item_kind[300][16];
	int nitems;
	uint64_t ready_at;
	char raw[XF_LINE_MAX * 2];
	size_t nraw;
};

static void put(struct fa *a, const void *p, size_t n)
{
	const char *b = p;
	while (n) {
		ssize_t w = write(a->fd, b, n);
		if (w <= 0)
			return;
		b += w;
		n -= (size_t)w;
	}
}

static void noise(struct fa *a)
{
	put(a, FA_NOISE, sizeof FA_NOISE - 1);
}

/* Sends TYPE and up to 6 string fields (NULL ends). */
static void frame(struct fa *a, const char *type, const char *f1,
		  const char *f2, const char *f3, const char *f4,
		  const char *f5, const char *f6)
{
	const char *f[6] = {f1, f2, f3, f4, f5, f6};
	char line[XF_LINE_MAX];
	struct xf_writer w;
	long n;
	int i;

	xf_begin(&w, line, sizeof line, type);
	for (i = 0; i < 6 && f[i]; i++)
		xf_add_str(&w, f[i]);
	n = xf_end(&w);
	if (n > 0)
		put(a, line, (size_t)n);
}

static void field(char *dst, size_t cap, const struct xf_frame *f, int i)
{
	size_t n = i < f->nfields ? f->len[i] : 0;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, i < f->nfields ? f->field[i] : "", n);
	dst[n] = 0;
}

static void log_fields(struct fa *a, const struct xf_frame *f, int from)
{
	int i;
	for (i = from; i < f->nfields; i++)
		fprintf(a->log, " %.*s", (int)f->len[i], f->field[i]);
	fprintf(a->log, "\n");
}

static void end_file(struct fa *a)
{
	uint8_t d[32];
	char hex[65];

	if (!a->path[0])
		return;
	xc_sha256_final(&a->content, d);
	xc_sha256_hex(d, hex);
	fprintf(a->log, "FILE %s %llu %s\n", a->path,
		(unsigned long long)a->got, hex);
	a->path[0] = 0;
}

static void results(struct fa *a, int fail)
{
	char seq[16];
	int i;

	for (i = 0; i < a->nitems; i++) {
		snprintf(seq, sizeof seq, "%u", a->item_seq[i]);
		noise(a);
		if (!fail)
			frame(a, "RESULT", seq, a->item_kind[i], "ok", 0, 0, 0);
		else if (i < 1)
			frame(a, "RESULT", seq, a->item_kind[i], "rolled-back",
			      0, 0, 0);
		else if (i == 1)
			frame(a, "RESULT", seq, a->item_kind[i], "failed",
			      "bad-hostname", 0, 0);
		else
			frame(a, "RESULT", seq, a->item_kind[i], "not-applied",
			      0, 0, 0);
	}
	noise(a);
	if (!fail) {
		frame(a, "DONE", a->id, "applied", 0, 0, 0, 0);
	} else {
		snprintf(seq, sizeof seq, "%u", a->item_seq[1]);
		frame(a, "DONE", a->id, "failed", seq, a->item_kind[1],
		      "bad-hostname", 0);
	}
}

/* One frame; raw is its body exactly as received. Returns 1 to stop. */
static int on_frame(struct fa *a, const struct xf_frame *f, const char *raw,
		    size_t rawlen)
{
	char s1[300], s2[300];
	uint64_t seq = 0;

	if (xf_is(f, "HELLO")) {
		a->hellos++;
		field(a->nonce, sizeof a->nonce, f, 1);
		fprintf(a->log, "HELLO %s\n", a->nonce);
		a->in_tx = 0;
		if (a->ready_at) {
			fprintf(
			    a->log, "READY-DELAY %llu\n",
			    (unsigned long long)(ch_now_ms() - a->ready_at));
			a->ready_at = 0;
		}
		if (a->script == FA_CLOSE)
			return 1;
		if (a->script == FA_SILENT)
			return 0;
		if (a->script == FA_READY && a->hellos == 1) {
			/* wait a little so the repeat timer is not the cause */
			usleep(100000);
			noise(a);
			frame(a, "READY", "boot-1", "1", "1", 0, 0, 0);
			a->ready_at = ch_now_ms();
			return 0;
		}
		if (a->script == FA_VERSION) {
			frame(a, "ERROR", a->nonce, "version", "2", "3", 0, 0);
			return 0;
		}
		noise(a);
		frame(a, "WELCOME", "00000000deadbeef", "1", "stale-boot",
		      "agent=old", "caps=config", "applied=");
		noise(a);
		frame(a, "WELCOME", a->nonce, "1", "boot-1", "agent=fake-1",
		      "caps=config,resident,net", "applied=old-id/1");
		return 0;
	}
	if (xf_is(f, "REQ")) {
		field(s1, sizeof s1, f, 1);
		fprintf(a->log, "REQ");
		log_fields(a, f, 1);
		noise(a);
		if (a->script == FA_REQ_ERROR) {
			frame(a, "REP", s1, "error", "no-such-user", "bob", 0,
			      0);
			return 0;
		}
		frame(a, "REP", "999", "ok", 0, 0, 0, 0); /* not our id */
		frame(a, "REP", s1, "more", "iface", "name=eth0",
		      "addr=192.0.2.10/24", "addr=2001:db8::10/64");
		noise(a);
		frame(a, "REP", s1, "more", "iface", "name=lo",
		      "addr=127.0.0.1/8", 0);
		frame(a, "REP", s1, "ok", "version=fake-1", "hostname=web1", 0,
		      0);
		return 0;
	}
	if (xf_is(f, "BEGIN")) {
		field(s1, sizeof s1, f, 1);
		field(a->id, sizeof a->id, f, 2);
		fprintf(a->log, "BEGIN %s %s\n", s1, a->id);
		if (strcmp(s1, a->nonce))
			return 0; /* stale: ignored, as section 4 says */
		a->in_tx = 1;
		a->seq = 1;
		a->nitems = 0;
		a->path[0] = 0;
		xc_sha256_init(&a->digest);
		xc_sha256_update(&a->digest, raw, rawlen);
		xc_sha256_update(&a->digest, "\n", 1);
		if (a->script == FA_ALREADY) {
			noise(a);
			frame(a, "DONE", a->id, "already", 0, 0, 0, 0);
			a->in_tx = 0;
		}
		return 0;
	}
	if (!a->in_tx || f->nfields < 2)
		return 0;
	xf_parse_u64(f->field[1], f->len[1], UINT32_MAX, &seq);
	if (seq != a->seq) {
		fprintf(a->log, "SEQ-ERROR %llu %u\n", (unsigned long long)seq,
			a->seq);
		a->in_tx = 0;
		return 0;
	}
	a->seq++;
	if (xf_is(f, "ITEM")) {
		end_file(a);
		fprintf(a->log, "ITEM");
		log_fields(a, f, 1);
		if (a->nitems < 300) {
			a->item_seq[a->nitems] = (uint32_t)seq;
			field(a->item_kind[a->nitems], 16, f, 2);
			a->nitems++;
		}
		field(s2, sizeof s2, f, 2);
		if (a->script == FA_RECV_FAIL && seq == 3) {
			noise(a);
			frame(a, "DONE", a->id, "failed", "3", s2,
			      "no-such-interface", 0);
			a->in_tx = 0;
			return 0;
		}
		if (!strcmp(s2, "file")) {
			const char *v = xf_find_kv(f, 4, "size", NULL);
			field(a->path, sizeof a->path, f, 3);
			a->size = v ? strtoull(v, NULL, 10) : 0;
			a->got = 0;
			xc_sha256_init(&a->content);
		}
	} else if (xf_is(f, "DATA")) {
		if (f->len[2] > XF_CHUNK_MAX)
			fprintf(a->log, "DATA-TOO-BIG %zu\n", f->len[2]);
		xc_sha256_update(&a->content, f->field[2], f->len[2]);
		a->got += f->len[2];
	} else if (xf_is(f, "COMMIT")) {
		uint8_t d[32];
		char hex[65];
		end_file(a);
		xc_sha256_final(&a->digest, d);
		xc_sha256_hex(d, hex);
		field(s1, sizeof s1, f, 2);
		fprintf(a->log, "COMMIT %llu digest=%s\n",
			(unsigned long long)seq,
			strcmp(hex, s1) ? "bad" : "ok");
		a->in_tx = 0;
		a->commits++;
		if (a->script == FA_SEQFAIL && a->commits == 1) {
			noise(a);
			frame(a, "DONE", a->id, "failed", "5", "frame", "seq",
			      0);
			return 0;
		}
		results(a, a->script == FA_FAIL_ITEM);
		return 0;
	}
	if (!xf_is(f, "COMMIT")) {
		xc_sha256_update(&a->digest, raw, rawlen);
		xc_sha256_update(&a->digest, "\n", 1);
	}
	return 0;
}

/* Splits the raw stream into lines; the text from the last '~' of a line
 * is a candidate frame, decoded by xf_feed and hashed as raw bytes. */
static int take(struct fa *a, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (a->nraw < sizeof a->raw)
			a->raw[a->nraw++] = p[i];
		if (p[i] != '\n')
			continue;
		{
			char *t = memrchr(a->raw, '~', a->nraw);
			struct xf_parser *ps = calloc(1, sizeof *ps);
			struct xf_frame f;
			size_t used;
			if (t && ps &&
			    xf_feed(ps, t, (size_t)(a->raw + a->nraw - t),
				    &used, &f) == 1) {
				const char *b =
				    memchr(t, ' ',
					   (size_t)(a->raw + a->nraw - t)) +
				    1;
				const char *e = a->raw + a->nraw - 1;
				if (e[-1] == '\r')
					e--;
				if (on_frame(a, &f, b, (size_t)(e - 9 - b))) {
					free(ps);
					return 1;
				}
			}
			free(ps);
			a->nraw = 0;
		}
	}
	return 0;
}

void fa_run(int fd, enum fa_script script, FILE *log)
{
	struct fa *a = calloc(1, sizeof *a);
	char buf[4096];
	uint64_t start = ch_now_ms();

	if (!a)
		return;
	a->fd = fd;
	a->script = script;
	a->log = log;
	noise(a); /* stale bytes before anything */
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;
		if (ch_now_ms() - start > 20000)
			break;
		if (poll(&p, 1, 200) <= 0)
			continue;
		n = read(fd, buf, script == FA_SLOW ? 97 : sizeof buf);
		if (n <= 0) {
			fprintf(log, "EOF\n");
			break;
		}
		if (take(a, buf, (size_t)n))
			break;
		if (script == FA_SLOW)
			usleep(200);
	}
	fflush(log);
	free(a);
}
