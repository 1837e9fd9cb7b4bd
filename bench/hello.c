/* hello.c - the smallest host: sends HELLO on descriptor 3 and waits for
 * the WELCOME with its nonce (5 s at most). Exit 0 when it came. */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent/frame.h"

int main(void)
{
	static char line[XF_LINE_MAX], buf[4096];
	static struct xf_parser p;
	struct xf_writer w;
	long n;
	int waited = 0;

	xf_begin(&w, line, sizeof line, "HELLO");
	xf_add_str(&w, "0123456789abcdef");
	xf_add_str(&w, "1");
	xf_add_str(&w, "1");
	n = xf_end(&w);
	if (n < 0 || write(3, line, (size_t)n) != n)
		return 1;
	while (waited < 5000) {
		struct pollfd pf = {3, POLLIN, 0};
		size_t off = 0, used;
		ssize_t r;

		if (poll(&pf, 1, 100) <= 0) {
			waited += 100;
			continue;
		}
		r = read(3, buf, sizeof buf);
		if (r <= 0)
			return 1;
		while (off < (size_t)r) {
			struct xf_frame f;
			if (xf_feed(&p, buf + off, (size_t)r - off, &used, &f) &&
			    xf_is(&f, "WELCOME") &&
			    !strcmp(f.field[1], "0123456789abcdef"))
				return 0;
			off += used;
		}
	}
	return 1;
}
