/* fuzz_session.c - libFuzzer: the agent's session engine (and through it
 * the item parser) on hostile input, against a board that accepts
 * everything. Output is drained in random amounts. The engine must never
 * read or write out of bounds, and must never emit a malformed frame. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/session.h"

static int f_applied(void *c, char *buf, size_t cap)
{
	memcpy(buf, "i-0/1", 6);
	return 5;
}
static int f_begin(void *c, const char *id, const char **r)
{
	return 0;
}
static int f_item(void *c, const struct xc_item *it, const char **r)
{
	/* the parser's output must stay inside the frame */
	if (it->a.n && !it->a.p)
		abort();
	return 0;
}
static int f_data(void *c, const void *p, size_t n, const char **r)
{
	return 0;
}
static int f_commit(void *c, const char *id, uint32_t *seq, const char **r)
{
	return 0;
}
static void f_abort(void *c)
{
}

static const struct xs_ops ops = {f_applied, f_begin, f_item, f_data,
				  f_commit, f_abort, 0};
static struct xs_session s;
static struct xf_parser check;

static void drain(size_t max)
{
	size_t n, used;
	const char *p = xs_output(&s, &n);
	struct xf_frame f;

	if (n > max)
		n = max;
	/* Every emitted byte is part of a valid frame. */
	while (n) {
		xf_feed(&check, p, n, &used, &f);
		xs_output_ack(&s, used);
		p = xs_output(&s, &n);
		if (n > max)
			n = max;
		max -= used < max ? used : max;
		if (!max)
			break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;
	uint64_t t = 0;

	xs_init(&s, &ops, 0, "boot", "fuzz");
	xf_parser_init(&check);
	while (off < size) {
		size_t piece = 1 + data[off] % 200;
		if (piece > size - off)
			piece = size - off;
		off += xs_input(&s, data + off, piece);
		xs_tick(&s, t += 700);
		drain(data[off - 1 < size ? off - 1 : 0] * 64u + 1);
	}
	drain((size_t)-1);
	if (check.stats.bad || check.stats.garbage)
		abort();
	return 0;
}
