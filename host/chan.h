/* chan.h - the host's end of a channel: opening it and running a client
 * engine (client.h) over it with poll(2).
 *
 * A channel is named as on the command line (docs/HOST.md, "Channels"):
 * a Unix socket path (a Xen PV channel's path=, a virtio-serial socket),
 * unix:PATH, pty:PATH or any character device path (set to raw mode), or
 * fd:N for a descriptor the caller already holds (tests, socketpairs).
 * Writes are non-blocking and resume after EAGAIN and partial writes: a
 * Xen console ring holds only 1 KiB, so backpressure is the normal case.
 */
#ifndef XC_CHAN_H
#define XC_CHAN_H

#include <stddef.h>
#include <stdint.h>

#include "host/client.h"

enum ch_progress {
	CH_PROGRESS_OFF = 0,
	CH_PROGRESS_AUTO, /* a tty: one updating line; else lines for > 64 KiB
			   */
};

/* The monotonic clock the engine runs on, in milliseconds. */
uint64_t ch_now_ms(void);

/* Opens spec. Returns a descriptor, or -1 with a message in err. */
int ch_open(const char *spec, char *err, size_t cap);

/* Runs x over fd until hx_done(x). Returns 0, or -1 with a message in err
 * when the channel failed (closed, hung up, write error). */
int ch_run(int fd, struct hx_client *x, enum ch_progress progress, char *err,
	   size_t cap);

#endif
