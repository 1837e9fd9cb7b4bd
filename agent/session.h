/* session.h - the agent's side of the protocol, as a sans-I/O engine.
 *
 * docs/PROTOCOL.md sections 3-5. The board feeds received bytes with
 * xs_input(), sends what xs_output() gives and acknowledges it with
 * xs_output_ack(), and calls xs_tick() with the time so the engine can
 * repeat READY. Applying and answering requests is delegated to the
 * board through struct xs_ops, called synchronously from xs_input().
 */
#ifndef XC_SESSION_H
#define XC_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "item.h"
#include "sha256.h"

#define XS_OUT_MAX 16384 /* room for a "net" reply of many frames */
#define XS_ID_MAX 160 /* config id bytes, NUL included */
#define XS_READY_MS 2000

struct xs_session;

/* What the board does for the engine. ctx is the board's. Every function
 * returns >= 0 or a negative XC_E... code; on failure it sets *reason to a
 * wire reason word (docs/PROTOCOL.md section 6) that names no secret. */
struct xs_ops {
	/* Copies the config id recorded in the target root into buf (NUL
	 * terminated); returns its length, 0 if none is recorded. */
	int (*applied_id)(void *ctx, char *buf, size_t cap);
	/* A transaction begins: drop anything staged before. */
	int (*begin)(void *ctx, const char *config_id, const char **reason);
	/* Validates and stages one item. A file's content follows in data()
	 * calls that add up to it->size. */
	int (*item)(void *ctx, const struct xc_item *it, const char **reason);
	int (*data)(void *ctx, const void *p, size_t n, const char **reason);
	/* Applies everything staged, durably, then records config_id. On
	 * failure rolls back what it applied and sets *failed_seq. */
	int (*commit)(void *ctx, const char *config_id, uint32_t *failed_seq,
		      const char **reason);
	/* Drops everything staged (transaction aborted). */
	void (*abort)(void *ctx);
	/* A resident request. The board answers with xs_reply_*(); if it
	 * does not, the engine answers "error unknown-verb". May be NULL. */
	void (*request)(void *ctx, struct xs_session *s,
			const struct xf_frame *req);
};

enum xs_state {
	XS_WAIT = 0, /* no session: READY is repeated */
	XS_IDLE,     /* handshake done, no transaction */
	XS_RECV,     /* receiving items of a transaction */
	XS_DISCARD,  /* transaction failed or already applied: skip to BEGIN */
};

/* Events the board may want to know about (xs_events()). */
#define XS_EV_HELLO 1u    /* a host said HELLO */
#define XS_EV_APPLIED 2u  /* a transaction was applied */
#define XS_EV_ALREADY 4u  /* a transaction was already applied */
#define XS_EV_FAILED 8u   /* a transaction failed */

struct xs_item_rec {
	uint32_t seq;
	uint8_t kind;
};

struct xs_session {
	enum xs_state state;
	const struct xs_ops *ops;
	void *ctx;
	const char *boot_id;
	const char *agent_version;
	uint64_t now_ms, ready_at_ms;
	unsigned events;

	char nonce[17];
	char config_id[XS_ID_MAX];
	uint32_t next_seq;
	uint64_t total;     /* bytes of items and data in this transaction */
	uint64_t data_left; /* bytes still owed to the current file */
	struct xc_item file; /* only kind/seq/size are kept between frames */
	struct xc_sha256 digest;
	uint32_t nitems;
	struct xs_item_rec items[XC_ITEMS_MAX];

	/* RESULT frames still to emit after a commit: items[result_next..]. */
	uint32_t result_next, result_count;
	int result_failed;
	uint32_t failed_seq;
	const char *failed_reason;

	struct xf_parser parser;
	struct xf_writer reply;
	char out[XS_OUT_MAX];
	size_t out_len;
	char line[XF_LINE_MAX];
};

/* Initialises s. boot_id and agent_version must outlive the session. */
void xs_init(struct xs_session *s, const struct xs_ops *ops, void *ctx,
	     const char *boot_id, const char *agent_version);

/* Feeds received bytes. Returns the number consumed (all of them unless
 * the output buffer is too full to take a reply: then the board must send
 * output first and feed the rest again). */
size_t xs_input(struct xs_session *s, const void *p, size_t n);

/* Advances time (milliseconds, monotonic). */
void xs_tick(struct xs_session *s, uint64_t now_ms);

/* Bytes waiting to be sent, and acknowledging n of them as sent. */
const char *xs_output(struct xs_session *s, size_t *len);
void xs_output_ack(struct xs_session *s, size_t n);

/* Events since the last call, cleared by the call. */
unsigned xs_events(struct xs_session *s);

/* Answering a request, from xs_ops.request: begin "REP <id> <status>"
 * (status is "more", "ok" or "error"), add fields to the writer, end. */
struct xf_writer *xs_reply_begin(struct xs_session *s,
				 const struct xf_frame *req,
				 const char *status);
int xs_reply_end(struct xs_session *s);
/* Shorthand: "REP <id> error <code> [message]". */
int xs_reply_error(struct xs_session *s, const struct xf_frame *req,
		   const char *code, const char *message);

#endif
