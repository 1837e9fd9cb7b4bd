/* runs.c - runs a command N times and prints one table row: the median
 * and the spread of wall time, and the median peak RSS of the command's
 * process tree as the kernel accounts it (wait4's ru_maxrss: the largest
 * single process).
 *
 * usage: runs N LABEL CMD...   (row: | LABEL | median ms | min | max | RSS KiB |)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	int n, i, bad = 0;
	double *ms, *rss;

	if (argc < 4 || (n = atoi(argv[1])) < 1) {
		fprintf(stderr, "usage: runs N LABEL CMD...\n");
		return 2;
	}
	ms = calloc((size_t)n, sizeof *ms);
	rss = calloc((size_t)n, sizeof *rss);
	for (i = 0; i < n; i++) {
		struct rusage ru;
		int st;
		double t0 = now();
		pid_t p = fork();
		if (p == 0) {
			execvp(argv[3], argv + 3);
			_exit(127);
		}
		if (wait4(p, &st, 0, &ru) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			bad++;
		ms[i] = now() - t0;
		rss[i] = (double)ru.ru_maxrss;
	}
	qsort(ms, (size_t)n, sizeof *ms, cmp);
	qsort(rss, (size_t)n, sizeof *rss, cmp);
	printf("| %-34s | %9.2f | %9.2f | %9.2f | %8.0f | %3d/%-3d |\n",
	       argv[2], ms[n / 2], ms[0], ms[n - 1], rss[n / 2], n - bad, n);
	return bad ? 1 : 0;
}
