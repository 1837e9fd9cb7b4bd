/* pair.c - runs two commands joined by one socketpair, each seeing its end
 * as descriptor 3: `pair AGENT-CMD... -- HOST-CMD...`. Exits with the
 * second command's status once it ends; the first is then stopped. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t run(char **argv, int fd, int other)
{
	pid_t pid = fork();

	if (pid == 0) {
		close(other);
		if (fd != 3) {
			dup2(fd, 3);
			close(fd);
		}
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	return pid;
}

int main(int argc, char **argv)
{
	int sv[2], i, st = 0;
	pid_t a, h;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		;
	if (i == 1 || i >= argc - 1) {
		fprintf(stderr, "usage: pair CMD... -- CMD...\n");
		return 2;
	}
	argv[i] = 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 2;
	a = run(argv + 1, sv[0], sv[1]);
	h = run(argv + i + 1, sv[1], sv[0]);
	close(sv[0]);
	close(sv[1]);
	waitpid(h, &st, 0);
	kill(a, SIGTERM);
	{
		/* PAIR_RSS=FILE: the first command's peak RSS (KiB) */
		struct rusage ru;
		const char *f = getenv("PAIR_RSS");
		FILE *o;
		if (wait4(a, 0, 0, &ru) > 0 && f && (o = fopen(f, "a"))) {
			fprintf(o, "%ld\n", ru.ru_maxrss);
			fclose(o);
		}
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}
