/* hosttest.h - small helpers shared by the host tests. */
#ifndef XC_HOSTTEST_H
#define XC_HOSTTEST_H

#include <string.h>

/* How many times needle occurs in hay (overlaps counted). */
static inline int count(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

#endif
