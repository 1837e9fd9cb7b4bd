/* native.h - the native xenchan config file format (docs/HOST.md,
 * "Native config"): one item per line, `keyword args...`, `#` comments,
 * file contents inline between `<<TERM` and `TERM` or read from a file
 * named after `<`.
 */
#ifndef XC_NATIVE_H
#define XC_NATIVE_H

#include <stddef.h>

#include "host/hconf.h"

#define HN_LINE_MAX 8192

/* Parses text[0..len) (need not be NUL-terminated). name is used in error
 * messages ("name:line: ..."). basedir is where `< relative/path` files
 * are read from; NULL refuses `<` (used by the fuzzer). Returns 0 or -1
 * with c->err set. Does not call hc_finish(). */
int hn_parse(struct hc_config *c, const char *name, const char *text,
	     size_t len, const char *basedir);

/* Reads a whole file (at most max bytes) into a malloc'd buffer with a NUL
 * after it. Returns 0, or -1 with errno set (EFBIG when larger). */
int hn_read_file(const char *path, size_t max, char **out, size_t *len);

#endif
