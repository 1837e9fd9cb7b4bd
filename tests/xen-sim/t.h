/* t.h - the tiny harness the xen-sim unit tests share: a table of named
 * cases, silent on success, every failure collected, one closing line
 * "NAME: N passed, M failed". */
#ifndef XC_XT_TEST_H
#define XC_XT_TEST_H

#include <stdio.h>

static int t_fail_count;
static const char *t_case;

#define T_CHECK(cond)                                                       \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "%s: %s:%d: failed: %s\n", t_case,  \
				__FILE__, __LINE__, #cond);                 \
			t_fail_count++;                                     \
		}                                                           \
	} while (0)

struct t_case {
	const char *name;
	void (*fn)(void);
};

static inline int t_run(const char *prog, const struct t_case *cases, int n)
{
	int pass = 0, fail = 0, i, before;

	for (i = 0; i < n; i++) {
		t_case = cases[i].name;
		before = t_fail_count;
		cases[i].fn();
		if (t_fail_count == before)
			pass++;
		else
			fail++;
	}
	printf("%s: %d passed, %d failed\n", prog, pass, fail);
	return fail ? 1 : 0;
}

#endif
