/* relay.c - a channel backend for end-to-end tests, shaped like QEMU's:
 * it listens on AGENT_SOCK for the agent (which stays connected, as the
 * guest side of a console does) and on HOST_SOCK for host tools, one at a
 * time, and copies bytes both ways. It can make the channel hostile:
 *
 *   --noise      before the first frame and after every frame the host
 *                sends, write modem probes and garbage to the agent
 *   --cut N      after the Nth frame counted from BEGIN (BEGIN = 1), drop
 *                the host connection (a host disconnect at that boundary)
 *   --once       exit after the first host connection ends
 *
 * AGENT_SOCK may be pty:LINK: the relay then holds a pty master and links
 * LINK to its slave, for an agent on a tty (--device LINK).
 *
 * usage: relay [--noise] [--cut N] [--once] AGENT_SOCK HOST_SOCK
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <termios.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const char noise[] = "AT\r\nATZ\r\n+++\x01\x7f\xff garbage ~x\r\n";

static int listen_on(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(fd, 4) < 0) {
		perror(path);
		exit(2);
	}
	return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int noisy = 0, once = 0, cut = 0, i;
	int la, lh, agent, host = -1;
	char line[8192];
	size_t ll = 0;
	int counting = 0, frames = 0;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--noise"))
			noisy = 1;
		else if (!strcmp(argv[i], "--once"))
			once = 1;
		else if (!strcmp(argv[i], "--cut") && i + 1 < argc)
			cut = atoi(argv[++i]);
		else
			break;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: relay [--noise] [--cut N] [--once] "
				"AGENT_SOCK HOST_SOCK\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (!strncmp(argv[i], "pty:", 4)) {
		struct termios tio;
		agent = posix_openpt(O_RDWR | O_NOCTTY);
		if (agent < 0 || grantpt(agent) || unlockpt(agent) ||
		    tcgetattr(agent, &tio))
			return 2;
		cfmakeraw(&tio);
		tcsetattr(agent, TCSANOW, &tio);
		unlink(argv[i] + 4);
		if (symlink(ptsname(agent), argv[i] + 4))
			return 2;
		lh = listen_on(argv[i + 1]);
	} else {
		la = listen_on(argv[i]);
		lh = listen_on(argv[i + 1]);
		agent = accept(la, 0, 0);
		if (agent < 0)
			return 2;
	}
	for (;;) {
		struct pollfd p[2] = {{agent, POLLIN, 0},
				      {host >= 0 ? host : lh, POLLIN, 0}};
		char buf[4096];
		ssize_t n;

		if (poll(p, 2, -1) < 0)
			continue;
		if (p[0].revents) {
			n = read(agent, buf, sizeof buf);
			if (n < 0 && errno == EIO) {
				/* pty: no slave open yet, or it was closed */
				usleep(50000);
				continue;
			}
			if (n <= 0)
				return 0; /* the agent left */
			if (host >= 0 && write_all(host, buf, (size_t)n) < 0) {
				close(host);
				host = -1;
			}
			/* with no host connected, guest output is dropped */
		}
		if (!p[1].revents)
			continue;
		if (host < 0) {
			host = accept(lh, 0, 0);
			ll = 0;
			counting = frames = 0;
			if (host >= 0 && noisy)
				write_all(agent, noise, sizeof noise - 1);
			continue;
		}
		n = read(host, buf, sizeof buf);
		if (n <= 0)
			goto host_gone;
		/* Copy line by line so that noise and cuts fall on frame
		 * boundaries. */
		for (i = 0; i < n; i++) {
			if (ll < sizeof line - 1)
				line[ll++] = buf[i];
			line[ll] = 0;
			if (buf[i] != '\n')
				continue;
			if (strstr(line, " BEGIN ") && memchr(line, '~', ll))
				counting = 1, frames = 0;
			write_all(agent, line, ll);
			if (counting)
				frames++;
			ll = 0;
			if (noisy)
				write_all(agent, noise, sizeof noise - 1);
			if (cut && counting && frames == cut)
				goto host_gone;
		}
		continue;
host_gone:
		close(host);
		host = -1;
		if (once)
			return 0;
	}
}
