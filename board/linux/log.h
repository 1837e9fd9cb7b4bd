/* log.h - the Linux agent's log: stderr, and /dev/kmsg early in boot.
 *
 * Messages say what happened and what to do. Never pass a secret (password
 * hash, secret file content) to these functions. */
#ifndef XC_LOG_H
#define XC_LOG_H

enum { XLOG_ERR = 3, XLOG_WARN = 4, XLOG_INFO = 6, XLOG_DEBUG = 7 };

/* Messages above this level are dropped (default XLOG_INFO). */
extern int xlog_level;

/* Also write to /dev/kmsg ("xenchan-agent: ..." lines); returns 0 or -errno. */
int xlog_open_kmsg(void);

void xlog(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
