/* pair.c - runs two commands joined by one socketpair, each seeing its end
 * as descriptor 3: `pair AGENT-CMD... -- HOST-CMD...`. Exits with the
 * second command's status once it ends; the first is then stopped. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t run(char **argv, int fd, int other, int traced)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (traced)
			ptrace(PTRACE_TRACEME, 0, 0, 0);
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

/* PAIR_RSS=FILE: appends the first command's peak RSS in KiB, as the
 * kernel reports it (VmHWM) when the process is about to exit. Its peak
 * from before exec (a copy of this program) does not count: VmHWM belongs
 * to the address space that exec made. */
static void trace_peak(pid_t a, pid_t h, const char *file, int *hst)
{
	int st, host_done = 0, a_done = 0;
	pid_t p;

	while (!(host_done && a_done) && (p = waitpid(-1, &st, 0)) > 0) {
		if (p == h) {
			host_done = 1;
			*hst = st;
			if (!a_done)
				kill(a, SIGTERM);
			continue;
		}
		if (p != a)
			continue;
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			a_done = 1;
		} else if (st >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
			char path[64], line[256];
			FILE *f;
			snprintf(path, sizeof path, "/proc/%d/status", (int)a);
			if ((f = fopen(path, "r"))) {
				while (fgets(line, sizeof line, f))
					if (!strncmp(line, "VmHWM:", 6)) {
						FILE *o = fopen(file, "a");
						if (o) {
							fprintf(o, "%ld\n",
								atol(line + 6));
							fclose(o);
						}
					}
				fclose(f);
			}
			ptrace(PTRACE_CONT, a, 0, 0);
		} else if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP) {
			/* stopped at exec: watch for its exit from here on */
			ptrace(PTRACE_SETOPTIONS, a, 0, PTRACE_O_TRACEEXIT);
			ptrace(PTRACE_CONT, a, 0, 0);
		} else if (WIFSTOPPED(st)) {
			ptrace(PTRACE_CONT, a, 0, WSTOPSIG(st));
		}
	}
}

int main(int argc, char **argv)
{
	int sv[2], i, st = 0;
	pid_t a, h;
	const char *rss;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		;
	if (i == 1 || i >= argc - 1) {
		fprintf(stderr, "usage: pair CMD... -- CMD...\n");
		return 2;
	}
	argv[i] = 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 2;
	rss = getenv("PAIR_RSS");
	a = run(argv + 1, sv[0], sv[1], rss != 0);
	h = run(argv + i + 1, sv[1], sv[0], 0);
	close(sv[0]);
	close(sv[1]);
	if (rss)
		trace_peak(a, h, rss, &st);
	else
		waitpid(h, &st, 0);
	kill(a, SIGTERM);
	waitpid(a, 0, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}
