/* xsw.h - xenstore client for the xs_wire protocol (xen/io/xs_wire.h).
 *
 * A message is a 16-byte header {type, req_id, tx_id, len} (host byte
 * order, u32 each) and len <= XENSTORE_PAYLOAD_MAX (4096) payload bytes,
 * usually NUL-separated strings. Errors come back as type XS_ERROR with
 * an errno name ("EAGAIN") as payload; watch events (XS_WATCH_EVENT,
 * "path\0token\0") may arrive at any time, between replies.
 *
 * The engine does no I/O. One request is outstanding at a time:
 * xsw_request() builds it, the board sends xsw_output() bytes and calls
 * xsw_output_ack(), then feeds what it reads to xsw_input() until
 * xsw_reply() reports the answer. Replies whose req_id is not the one
 * awaited (late answers to a request that timed out) are counted and
 * dropped; a length over the bound makes the stream unusable (-XC_EPROTO,
 * sticky). Watch events are kept in one slot: a newer event replaces an
 * older one and `events` counts them, since every watcher here re-reads
 * the node it watches anyway.
 *
 * xsw_call() and the helpers below run that loop through struct xsw_io,
 * which the board provides (Linux: /dev/xen/xenbus; a unikernel: the
 * xenstore ring page, see xsr.h). Every call has a deadline.
 */
#ifndef XC_XSW_H
#define XC_XSW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XSW_PAYLOAD_MAX 4096 /* XENSTORE_PAYLOAD_MAX */
#define XSW_HDR_LEN 16
#define XSW_PATH_MAX 256     /* our own paths and watch paths */
#define XSW_TOKEN_MAX 32

/* Message types used here (enum xsd_sockmsg_type). */
enum xsw_type {
	XSW_DIRECTORY = 1,
	XSW_READ = 2,
	XSW_WATCH = 4,
	XSW_UNWATCH = 5,
	XSW_TRANSACTION_START = 6,
	XSW_TRANSACTION_END = 7,
	XSW_WRITE = 11,
	XSW_RM = 13,
	XSW_WATCH_EVENT = 15,
	XSW_ERROR = 16,
};

struct xsw_hdr {
	uint32_t type, req_id, tx_id, len;
};

struct xsw {
	uint32_t next_id;
	bool waiting;       /* a request is outstanding */
	bool have_reply;
	uint32_t wait_id;
	unsigned char out[XSW_HDR_LEN + XSW_PAYLOAD_MAX];
	size_t out_len, out_off;
	unsigned char in[XSW_HDR_LEN + XSW_PAYLOAD_MAX + 1];
	size_t in_len;
	struct xsw_hdr reply; /* payload in in[XSW_HDR_LEN..], NUL after */
	/* Last watch event. */
	bool have_event;
	char ev_path[XSW_PATH_MAX];
	char ev_token[XSW_TOKEN_MAX];
	uint32_t events, stale, err_replies;
	int err; /* sticky stream error */
};

void xsw_init(struct xsw *c);

/* Builds a request whose payload is the concatenation of `parts` (each
 * with its length; callers include the NULs the command needs). Returns 0,
 * -XC_EBUSY if one is outstanding, -XC_E2BIG over the payload bound. */
int xsw_request(struct xsw *c, uint32_t type, uint32_t tx_id,
		const void *const *parts, const size_t *lens, int nparts);

const void *xsw_output(struct xsw *c, size_t *len);
void xsw_output_ack(struct xsw *c, size_t n);

/* Feeds bytes read from the server. Returns bytes consumed; stops right
 * after a message that completes the awaited reply. Negative: stream error. */
long xsw_input(struct xsw *c, const void *p, size_t n);

/* After a complete reply: its payload and length (>= 0), or the code its
 * XS_ERROR string maps to. Clears the reply. */
int xsw_reply(struct xsw *c, const char **payload, size_t *len);

/* Maps an xenstore error string ("EACCES") to -XC_E...; unknown: -XC_EIO. */
int xsw_errno(const char *s, size_t n);

/* The board's I/O. send: writes all of p or fails. recv: reads what is
 * there, waiting until deadline_ms; 0 when the deadline passed. */
struct xsw_io {
	long (*send)(void *ctx, const void *p, size_t n);
	long (*recv)(void *ctx, void *p, size_t n, uint64_t deadline_ms);
	void *ctx;
};

/* One request and its reply. The reply payload is copied into buf (cap
 * bytes, NUL-terminated, so at most cap - 1 bytes) when buf is not NULL.
 * Returns the payload length, or a negative code (-XC_ETIMEDOUT). */
long xsw_call(struct xsw *c, const struct xsw_io *io, uint32_t type,
	      uint32_t tx, const void *const *parts, const size_t *lens,
	      int nparts, char *buf, size_t cap, uint64_t deadline_ms);

long xsw_read(struct xsw *c, const struct xsw_io *io, uint32_t tx,
	      const char *path, char *buf, size_t cap, uint64_t deadline_ms);
int xsw_write(struct xsw *c, const struct xsw_io *io, uint32_t tx,
	      const char *path, const char *value, uint64_t deadline_ms);
int xsw_rm(struct xsw *c, const struct xsw_io *io, uint32_t tx,
	   const char *path, uint64_t deadline_ms);
/* Directory listing as NUL-separated names; returns its length. */
long xsw_directory(struct xsw *c, const struct xsw_io *io, const char *path,
		   char *buf, size_t cap, uint64_t deadline_ms);
int xsw_watch(struct xsw *c, const struct xsw_io *io, const char *path,
	      const char *token, uint64_t deadline_ms);
int xsw_unwatch(struct xsw *c, const struct xsw_io *io, const char *path,
		const char *token, uint64_t deadline_ms);
/* Starts a transaction; its id in *tx. */
int xsw_tx_start(struct xsw *c, const struct xsw_io *io, uint32_t *tx,
		 uint64_t deadline_ms);
/* Ends it: commit (true) or abort. -XC_EAGAIN: it conflicted, retry. */
int xsw_tx_end(struct xsw *c, const struct xsw_io *io, uint32_t tx,
	       bool commit, uint64_t deadline_ms);

/* Checked decimal parse of a whole string (no sign, no leading zeros
 * except "0"), value <= max. Returns 0, -XC_EINVAL or -XC_ERANGE. */
int xsw_parse_uint(const char *s, size_t n, uint32_t max, uint32_t *out);
/* Writes v in decimal with a NUL; returns its length. buf >= 11 bytes. */
size_t xsw_fmt_uint(char *buf, uint32_t v);

#endif
