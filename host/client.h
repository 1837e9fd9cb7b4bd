/* client.h - the host's side of the channel protocol, as a sans-I/O engine.
 *
 * docs/PROTOCOL.md sections 3 (handshake), 4 (configuration transaction)
 * and 5 (requests). The caller (chan.h) runs the loop: it writes what
 * hx_output() gives and acknowledges it with hx_output_ack(), feeds every
 * byte read to hx_input(), and calls hx_tick() with a monotonic clock,
 * until hx_done() says the outcome is known. Input fed between
 * hx_output() and hx_output_ack() may replace the output (a WELCOME, a
 * retry); the ack of the old bytes is then ignored, so a loop may read and
 * write in any order.
 *
 * Handshake: HELLO with a fresh random nonce, repeated every HX_HELLO_MS
 * and at once when the agent says READY, until a WELCOME carries that
 * nonce; WELCOMEs for other nonces are stale and ignored. Provisioning then
 * streams BEGIN / ITEM / DATA / COMMIT from one prepared buffer and
 * collects RESULT and DONE. A transaction that lost a frame to noise
 * ("DONE <id> failed seq"), an agent that restarted (READY) and a result
 * that never came are retried with a new HELLO, up to `retries` times.
 */
#ifndef XC_CLIENT_H
#define XC_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "agent/frame.h"
#include "agent/item.h"
#include "host/hconf.h"

#define HX_HELLO_MS 500
#define HX_VMIN 1
#define HX_VMAX 1
#define HX_REASON_MAX 160
#define HX_REPLIES_MAX 256

enum hx_state {
	HX_HELLO = 0, /* HELLO sent (and repeated), waiting for WELCOME */
	HX_SEND,      /* streaming the transaction */
	HX_RESULT,    /* transaction sent, collecting RESULT and DONE */
	HX_REQUEST,   /* REQ sent, collecting REP frames */
	HX_DONE,      /* outcome known */
};

enum hx_outcome {
	HX_NONE = 0,
	HX_APPLIED,   /* DONE applied */
	HX_ALREADY,   /* DONE already */
	HX_FAILED,    /* DONE failed (after retries, for seq failures) */
	HX_VERSION,   /* ERROR version: no common protocol version */
	HX_REPLY_OK,  /* REP ok */
	HX_REPLY_ERR, /* REP error */
	HX_TIMEOUT,   /* the agent did not answer in time */
	HX_NOMEM,
};

struct hx_welcome {
	char version[16];
	char boot_id[64];
	char agent[64];
	char caps[128];
	char applied[192];
};

struct hx_result {
	char status[16]; /* "" (no answer), ok, failed, rolled-back... */
	char reason[HX_REASON_MAX];
};

/* One REP frame kept for the caller: its fields after "REP <id>". */
struct hx_reply {
	int nfields;
	char *field[XF_FIELDS_MAX];
};

struct hx_client {
	enum hx_state state;
	enum hx_outcome outcome;
	int provisioning;

	/* provisioning */
	const struct hc_config *cfg;
	char config_id[HC_ID_MAX + 32];
	char *tx; /* the whole transaction, frames back to back */
	size_t tx_len, tx_off, tx_cap;
	uint32_t item_seq[XC_ITEMS_MAX];
	struct hx_result result[XC_ITEMS_MAX];
	char reason[HX_REASON_MAX]; /* of a failed DONE, "seq kind reason" */

	/* requests */
	int nreq;
	const char *req[XF_FIELDS_MAX];
	char req_id[24];
	int nreplies;
	struct hx_reply reply[HX_REPLIES_MAX];

	/* timing and retries */
	uint64_t now, hello_at, deadline;
	uint32_t timeout_ms;
	int attempt, retries;
	char nonce[17];
	int have_welcome;
	struct hx_welcome welcome;
	uint32_t stale, readys; /* counters, for tests and --verbose */

	/* one small frame waiting to be sent (HELLO, REQ) */
	char line[XF_LINE_MAX];
	size_t line_len, line_off;
	/* bumped whenever the output is replaced; hx_output_ack() ignores an
	 * ack for output given before (out_given) */
	uint32_t out_gen, out_given;
	struct xf_parser parser;
};

/* Starts a provisioning of cfg (which must stay valid). Returns 0 or -1
 * (out of memory). */
int hx_start_provision(struct hx_client *x, const struct hc_config *cfg,
		       uint32_t timeout_ms, int retries, uint64_t now_ms);
/* 0 if words make a valid REQ frame (no empty word, fits in a frame). */
int hx_check_request(int nwords, const char **words);
/* Starts a request: words[0] is the verb, then its arguments; they must
 * stay valid. */
int hx_start_request(struct hx_client *x, int nwords, const char **words,
		     uint32_t timeout_ms, uint64_t now_ms);
void hx_free(struct hx_client *x);

const void *hx_output(struct hx_client *x, size_t *len);
void hx_output_ack(struct hx_client *x, size_t n);
void hx_input(struct hx_client *x, const void *p, size_t n);
void hx_tick(struct hx_client *x, uint64_t now_ms);
/* Milliseconds until hx_tick() has something to do. */
uint64_t hx_wait_ms(const struct hx_client *x);
int hx_done(const struct hx_client *x);

/* Transaction bytes sent so far and in all, for a progress line. */
void hx_progress(const struct hx_client *x, size_t *sent, size_t *total);

#endif
