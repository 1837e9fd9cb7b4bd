/* test_interop.c - the host's client engine (host/client.c) against the
 * agent's real session engine (agent/session.c), both sans-I/O, joined in
 * memory on a simulated clock. The relay between them is hostile in both
 * directions: noise before and between frames, and, when asked, one frame
 * of the host's first transaction dropped, which the agent must notice
 * (DONE failed <n> frame seq) and the host must retry with a new HELLO.
 * The stub board records what the agent staged and committed; the checks
 * compare that with the configuration (the demo seed).
 */
#include <stdlib.h>
#include <string.h>

#include "agent/session.h"
#include "agent/sha256.h"
#include "check.h"
#include "host/client.h"
#include "host/cloudinit.h"

#define NOISE "AT\r ATZ\r\n\x01~junk\n"

/* ---- the stub board ---- */

struct board {
	char applied[XS_ID_MAX];
	int begins, items, commits, aborts;
	char kinds[4096];      /* staged kinds, space separated */
	struct xc_sha256 data; /* every DATA byte of the committed try */
	uint64_t data_bytes;
};

static int b_applied(void *ctx, char *buf, size_t cap)
{
	struct board *b = ctx;
	size_t n = strlen(b->applied);

	if (n >= cap)
		return 0;
	memcpy(buf, b->applied, n + 1);
	return (int)n;
}

static int b_begin(void *ctx, const char *id, const char **reason)
{
	struct board *b = ctx;

	b->begins++;
	b->kinds[0] = 0;
	b->data_bytes = 0;
	xc_sha256_init(&b->data);
	return 0;
}

static int b_item(void *ctx, const struct xc_item *it, const char **reason)
{
	struct board *b = ctx;
	size_t n = strlen(b->kinds);

	b->items++;
	snprintf(b->kinds + n, sizeof b->kinds - n, "%s%s", n ? " " : "",
		 xc_item_kind_name(it->kind));
	return 0;
}

static int b_data(void *ctx, const void *p, size_t n, const char **reason)
{
	struct board *b = ctx;

	xc_sha256_update(&b->data, p, n);
	b->data_bytes += n;
	return 0;
}

static int b_commit(void *ctx, const char *id, uint32_t *failed_seq,
		    const char **reason)
{
	struct board *b = ctx;

	b->commits++;
	snprintf(b->applied, sizeof b->applied, "%s", id);
	return 0;
}

static void b_abort(void *ctx)
{
	((struct board *)ctx)->aborts++;
}

static const struct xs_ops ops = {
    .applied_id = b_applied,
    .begin = b_begin,
    .item = b_item,
    .data = b_data,
    .commit = b_commit,
    .abort = b_abort,
};

/* ---- the relay ---- */

static struct hc_config cfg;
static struct hx_client cl;
static struct xs_session ag;
static struct board brd;

/* Host bytes are cut into lines so that one frame can be dropped. */
static char hline[XF_LINE_MAX * 2];
static size_t hlen;

static void to_agent(const char *p, size_t n)
{
	do {
		size_t used = xs_input(&ag, p, n);
		const char *out;
		size_t len;
		p += used;
		n -= used;
		/* the agent's output goes to the host with noise first */
		while ((out = xs_output(&ag, &len)) && len) {
			hx_input(&cl, NOISE, sizeof NOISE - 1);
			hx_input(&cl, out, len);
			xs_output_ack(&ag, len);
		}
	} while (n);
}

/* Runs until the host is done; drop_data > 0 drops that DATA frame (by
 * count) of the first transaction. Returns the simulated milliseconds. */
static uint64_t run(int drop_data, int retries)
{
	uint64_t now = 1000;
	int datas = 0, dropped = 0;

	hlen = 0;
	xs_init(&ag, &ops, &brd, "boot-interop", "interop-1");
	xs_tick(&ag, now);
	hx_free(&cl);
	hx_start_provision(&cl, &cfg, 5000, retries, now);
	while (!hx_done(&cl) && now < 600000) {
		const char *out;
		size_t len, i;

		now += 7;
		hx_tick(&cl, now);
		xs_tick(&ag, now);
		to_agent("", 0); /* READY and pending replies */
		out = hx_output(&cl, &len);
		if (!len)
			continue;
		/* a partial write: a third of what is offered, like a ring */
		len = len > 600 ? len / 3 : len;
		for (i = 0; i < len; i++) {
			if (hlen < sizeof hline)
				hline[hlen++] = out[i];
			if (out[i] != '\n')
				continue;
			if (strstr(hline, " DATA ") && ++datas == drop_data &&
			    !dropped) {
				dropped = 1; /* lost to noise */
			} else {
				to_agent(NOISE, sizeof NOISE - 1);
				to_agent(hline, hlen);
			}
			hlen = 0;
		}
		hx_output_ack(&cl, len);
	}
	return now;
}

static void check_committed(void)
{
	struct xc_sha256 want;
	uint8_t a[32], b[32];
	uint64_t bytes = 0;
	int i;

	xc_sha256_init(&want);
	for (i = 0; i < cfg.nitems; i++) {
		xc_sha256_update(&want, cfg.item[i].data, cfg.item[i].size);
		bytes += cfg.item[i].size;
	}
	xc_sha256_final(&want, a);
	xc_sha256_final(&brd.data, b);
	CHECK(brd.data_bytes == bytes && !memcmp(a, b, 32));
	CHECK(!strcmp(brd.kinds,
		      "hostname fqdn iface addr addr route nameserver "
		      "nameserver search sshkey sshkey sshkey sshkey password "
		      "file file file"));
}

int main(void)
{
	int i, ok;

	hc_init(&cfg);
	CASE("load demo seed");
	CHECK(ci_load_dir(&cfg, "tests/host/seeds/demo", "root") == 0 &&
	      hc_finish(&cfg) == 0);

	CASE("provision through noise and partial writes");
	memset(&brd, 0, sizeof brd);
	run(0, 3);
	CHECK(cl.outcome == HX_APPLIED && cl.attempt == 1);
	CHECK(brd.commits == 1 && !strcmp(brd.applied, "demo-0001/1"));
	check_committed();
	for (i = 0, ok = 1; i < cfg.nitems; i++)
		ok &= !strcmp(cl.result[i].status, "ok");
	CHECK(ok);
	CHECK(!strcmp(cl.welcome.agent, "interop-1") &&
	      !strcmp(cl.welcome.boot_id, "boot-interop"));

	CASE("the same id again: already");
	run(0, 3);
	CHECK(cl.outcome == HX_ALREADY && brd.commits == 1);
	CHECK(!strcmp(cl.welcome.applied, "demo-0001/1"));

	CASE("a DATA frame lost: agent says seq, host retries");
	memset(&brd, 0, sizeof brd);
	run(3, 3);
	CHECK(cl.outcome == HX_APPLIED && cl.attempt == 2);
	CHECK(brd.commits == 1 && brd.begins == 2);
	check_committed();

	CASE("a DATA frame lost, no retries: failed, nothing committed");
	memset(&brd, 0, sizeof brd);
	run(1, 0);
	CHECK(cl.outcome == HX_FAILED && brd.commits == 0);
	CHECK(strstr(cl.reason, "seq") != NULL);

	hx_free(&cl);
	hc_free(&cfg);
	return check_done("host-interop");
}
