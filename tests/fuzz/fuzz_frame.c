/* fuzz_frame.c - libFuzzer: the frame parser, fed in random-sized pieces,
 * must never read out of bounds, and every frame it delivers must encode
 * back to a frame that parses to the same fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/frame.h"

static struct xf_parser p, q;
static char line[XF_LINE_MAX];

static void recheck(const struct xf_frame *f)
{
	struct xf_writer w;
	struct xf_frame g;
	size_t used;
	long n;
	int i;

	xf_begin(&w, line, sizeof line, f->field[0]);
	for (i = 1; i < f->nfields; i++)
		xf_add(&w, f->field[i], f->len[i]);
	n = xf_end(&w);
	if (n < 0)
		abort(); /* anything that parsed must re-encode */
	xf_parser_init(&q);
	if (xf_feed(&q, line, (size_t)n, &used, &g) != 1 ||
	    g.nfields != f->nfields)
		abort();
	for (i = 0; i < f->nfields; i++)
		if (g.len[i] != f->len[i] ||
		    memcmp(g.field[i], f->field[i], f->len[i]))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;

	xf_parser_init(&p);
	while (off < size) {
		/* piece sizes from the data itself: exercises every split */
		size_t piece = 1 + data[off] % 64, used;
		struct xf_frame f;

		if (piece > size - off)
			piece = size - off;
		while (piece) {
			int got = xf_feed(&p, data + off, piece, &used, &f);
			if (used > piece)
				abort();
			if (got) {
				struct xf_frame copy = f;
				recheck(&copy);
			}
			off += used;
			piece -= used;
		}
	}
	return 0;
}
