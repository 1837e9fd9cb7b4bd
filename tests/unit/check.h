/* check.h - the tiny harness every unit test uses: named cases, silent on
 * success, every failure collected, one closing line "NAME: N passed, M
 * failed", exit status 1 if anything failed. */
#ifndef XC_CHECK_H
#define XC_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_pass, check_fail;
static const char *check_case = "";

#define CASE(name) (check_case = (name))
#define CHECK(cond)                                                          \
	do {                                                                 \
		if (cond) {                                                  \
			check_pass++;                                        \
		} else {                                                     \
			check_fail++;                                        \
			fprintf(stderr, "FAIL %s: %s:%d: %s\n", check_case,  \
				__FILE__, __LINE__, #cond);                  \
		}                                                            \
	} while (0)

static inline int check_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_pass, check_fail);
	return check_fail ? 1 : 0;
}

#endif
