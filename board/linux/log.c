/* log.c - see log.h. One write(2) per message so lines never interleave. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

int xlog_level = XLOG_INFO;
static int kmsg_fd = -1;

int xlog_open_kmsg(void)
{
	if (kmsg_fd < 0)
		kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	return kmsg_fd < 0 ? -errno : 0;
}

void xlog(int level, const char *fmt, ...)
{
	char line[512];
	int n, h;
	va_list ap;

	if (level > xlog_level)
		return;
	h = snprintf(line, sizeof line, "<%d>xenchan-agent: ", level);
	va_start(ap, fmt);
	n = vsnprintf(line + h, sizeof line - h - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n += h;
	if (n > (int)sizeof line - 2)
		n = sizeof line - 2;
	line[n++] = '\n';
	/* Early in boot stderr is the console, where the kernel log shows
	 * too: a line goes to one of them, stderr only if kmsg refuses it. */
	if (kmsg_fd >= 0 && write(kmsg_fd, line, n) == n)
		return;
	/* stderr without the "<N>" priority prefix */
	if (write(2, line + 3, n - 3) < 0) {
	}
}
