/* client.c - see client.h; docs/PROTOCOL.md sections 3, 4 and 5. */
#include "host/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "agent/sha256.h"

static void finish(struct hx_client *x, enum hx_outcome o)
{
	x->state = HX_DONE;
	x->outcome = o;
}

/* Copies field i (truncated to cap) with control bytes as '?': what the
 * agent says ends up on a terminal. */
static void copy_field(char *dst, size_t cap, const struct xf_frame *f, int i)
{
	size_t n = 0, j;

	if (i < f->nfields) {
		n = f->len[i] < cap - 1 ? f->len[i] : cap - 1;
		for (j = 0; j < n; j++) {
			unsigned char ch = (unsigned char)f->field[i][j];
			dst[j] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
		}
	}
	dst[n] = 0;
}

/* The value of key=value among fields 4.. (WELCOME's), copied like
 * copy_field(); "" if absent. */
static void copy_kv(char *dst, size_t cap, const struct xf_frame *f,
		    const char *key)
{
	struct xf_frame one;
	size_t n = 0;
	const char *v = xf_find_kv(f, 4, key, &n);

	one.nfields = 1;
	one.field[0] = v ? v : "";
	one.len[0] = v ? n : 0;
	copy_field(dst, cap, &one, 0);
}

static int field_is(const struct xf_frame *f, int i, const char *s)
{
	return i < f->nfields && f->len[i] == strlen(s) &&
	       !memcmp(f->field[i], s, f->len[i]);
}

/* Queues one small frame (HELLO, REQ); replaces a half-sent one, which the
 * agent's parser drops when it sees the new '~'. */
static void queue(struct hx_client *x, long n)
{
	x->line_len = n > 0 ? (size_t)n : 0;
	x->line_off = 0;
	x->out_gen++;
}

static void send_hello(struct hx_client *x)
{
	struct xf_writer w;

	xf_begin(&w, x->line, sizeof x->line, "HELLO");
	xf_add_str(&w, x->nonce);
	xf_add_u64(&w, HX_VMIN);
	xf_add_u64(&w, HX_VMAX);
	queue(x, xf_end(&w));
	x->hello_at = x->now + HX_HELLO_MS;
}

/* Appends one finished frame to the transaction buffer and, unless it is
 * the COMMIT, its body and a "\n" to the digest (section 4). */
static int tx_put(struct hx_client *x, struct xf_writer *w, struct xc_sha256 *d)
{
	long n = xf_end(w);
	const char *body;

	if (n < 0)
		return -1;
	if (x->tx_len + (size_t)n > x->tx_cap) {
		size_t cap = (x->tx_cap + (size_t)n) * 2;
		char *nb = realloc(x->tx, cap);
		if (!nb)
			return -1;
		x->tx = nb;
		x->tx_cap = cap;
	}
	memcpy(x->tx + x->tx_len, w->buf, (size_t)n);
	x->tx_len += (size_t)n;
	if (d) {
		/* "~<len> <body> <crc>\n": body after the first space */
		body = memchr(w->buf, ' ', (size_t)n) + 1;
		xc_sha256_update(d, body, (size_t)(w->buf + n - 10 - body));
		xc_sha256_update(d, "\n", 1);
	}
	return 0;
}

static int build_tx(struct hx_client *x)
{
	const struct hc_config *c = x->cfg;
	char line[XF_LINE_MAX], hex[65];
	struct xc_sha256 d;
	struct xf_writer w;
	uint8_t sum[32];
	uint32_t seq = 1;
	int i, j;

	x->tx_len = x->tx_off = 0;
	xc_sha256_init(&d);
	xf_begin(&w, line, sizeof line, "BEGIN");
	xf_add_str(&w, x->nonce);
	xf_add_str(&w, x->config_id);
	if (tx_put(x, &w, &d))
		return -1;
	for (i = 0; i < c->nitems; i++) {
		const struct hc_item *it = &c->item[i];
		size_t off;

		x->item_seq[i] = seq;
		xf_begin(&w, line, sizeof line, "ITEM");
		xf_add_u64(&w, seq++);
		xf_add_str(&w, xc_item_kind_name(it->kind));
		for (j = 0; j < it->nargs; j++)
			xf_add_str(&w, it->arg[j]);
		if (tx_put(x, &w, &d))
			return -1;
		for (off = 0; off < it->size; off += XF_CHUNK_MAX) {
			size_t n = it->size - off;
			xf_begin(&w, line, sizeof line, "DATA");
			xf_add_u64(&w, seq++);
			xf_add(&w, it->data + off,
			       n < XF_CHUNK_MAX ? n : XF_CHUNK_MAX);
			if (tx_put(x, &w, &d))
				return -1;
		}
	}
	xc_sha256_final(&d, sum);
	xc_sha256_hex(sum, hex);
	xf_begin(&w, line, sizeof line, "COMMIT");
	xf_add_u64(&w, seq);
	xf_add_str(&w, hex);
	return tx_put(x, &w, NULL);
}

/* A new attempt: new nonce, HELLO at once. */
static void start_attempt(struct hx_client *x)
{
	uint8_t r[8];
	size_t i;

	if (getrandom(r, sizeof r, 0) != sizeof r) {
		finish(x, HX_NOMEM);
		return;
	}
	for (i = 0; i < sizeof r; i++)
		snprintf(x->nonce + 2 * i, 3, "%02x", r[i]);
	x->attempt++;
	x->state = HX_HELLO;
	x->have_welcome = 0;
	x->tx_len = x->tx_off = 0;
	memset(x->result, 0, sizeof x->result);
	x->deadline = x->now + x->timeout_ms;
	send_hello(x);
}

/* Starts over, or gives up with `last` when no retry is left. */
static void retry(struct hx_client *x, const char *why, enum hx_outcome last)
{
	if (why != x->reason)
		snprintf(x->reason, sizeof x->reason, "%s", why);
	if (x->attempt > x->retries)
		finish(x, last);
	else
		start_attempt(x);
}

static void init(struct hx_client *x, uint32_t timeout_ms, uint64_t now)
{
	memset(x, 0, sizeof *x);
	x->timeout_ms = timeout_ms;
	x->now = now;
}

int hx_start_provision(struct hx_client *x, const struct hc_config *cfg,
		       uint32_t timeout_ms, int retries, uint64_t now_ms)
{
	init(x, timeout_ms, now_ms);
	x->provisioning = 1;
	x->cfg = cfg;
	x->retries = retries;
	hc_config_id(cfg, x->config_id, sizeof x->config_id);
	start_attempt(x);
	return x->outcome == HX_NOMEM ? -1 : 0;
}

/* REQ <id> <words...> into line; the line's length or a negative code. */
static long encode_req(char *line, size_t cap, const char *id, int nwords,
		       const char **words)
{
	struct xf_writer w;
	int i;

	xf_begin(&w, line, cap, "REQ");
	xf_add_str(&w, id);
	for (i = 0; i < nwords; i++)
		xf_add_str(&w, words[i]);
	return xf_end(&w);
}

int hx_check_request(int nwords, const char **words)
{
	char line[XF_LINE_MAX];

	if (nwords < 1 || nwords > XF_FIELDS_MAX - 2)
		return -1;
	/* the widest id: a request that fits with it always fits */
	return encode_req(line, sizeof line, "1000000000", nwords, words) < 0
		   ? -1
		   : 0;
}

int hx_start_request(struct hx_client *x, int nwords, const char **words,
		     uint32_t timeout_ms, uint64_t now_ms)
{
	uint32_t id;
	int i;

	init(x, timeout_ms, now_ms);
	if (hx_check_request(nwords, words))
		return -1;
	for (i = 0; i < nwords; i++)
		x->req[i] = words[i];
	x->nreq = nwords;
	/* a random id: a reply left over from an earlier run cannot match */
	if (getrandom(&id, sizeof id, 0) != sizeof id)
		return -1;
	snprintf(x->req_id, sizeof x->req_id, "%u", id % 1000000000u + 1);
	start_attempt(x);
	return x->outcome == HX_NOMEM ? -1 : 0;
}

void hx_free(struct hx_client *x)
{
	int i, j;

	free(x->tx);
	x->tx = NULL;
	x->tx_cap = 0;
	for (i = 0; i < x->nreplies; i++)
		for (j = 0; j < x->reply[i].nfields; j++)
			free(x->reply[i].field[j]);
	x->nreplies = 0;
}

static void on_welcome(struct hx_client *x, const struct xf_frame *f)
{
	if (x->state != HX_HELLO || !field_is(f, 1, x->nonce)) {
		x->stale++;
		return;
	}
	x->have_welcome = 1;
	copy_field(x->welcome.version, sizeof x->welcome.version, f, 2);
	copy_field(x->welcome.boot_id, sizeof x->welcome.boot_id, f, 3);
	copy_kv(x->welcome.agent, sizeof x->welcome.agent, f, "agent");
	copy_kv(x->welcome.caps, sizeof x->welcome.caps, f, "caps");
	copy_kv(x->welcome.applied, sizeof x->welcome.applied, f, "applied");
	x->line_len = x->line_off = 0; /* a pending repeat HELLO is moot */
	x->out_gen++;
	x->deadline = x->now + x->timeout_ms;
	if (x->provisioning) {
		if (build_tx(x) < 0) {
			finish(x, HX_NOMEM);
			return;
		}
		x->state = HX_SEND;
	} else {
		queue(x, encode_req(x->line, sizeof x->line, x->req_id, x->nreq,
				    x->req));
		x->state = HX_REQUEST;
	}
}

/* RESULT <seq> <kind> ok | rolled-back | not-applied | failed <reason> */
static void on_result(struct hx_client *x, const struct xf_frame *f)
{
	uint64_t seq;
	int i;

	if ((x->state != HX_SEND && x->state != HX_RESULT) || f->nfields < 4 ||
	    xf_parse_u64(f->field[1], f->len[1], UINT32_MAX, &seq))
		return;
	for (i = 0; i < x->cfg->nitems; i++) {
		if (x->item_seq[i] != seq)
			continue;
		copy_field(x->result[i].status, sizeof x->result[i].status, f,
			   3);
		copy_field(x->result[i].reason, sizeof x->result[i].reason, f,
			   4);
	}
	x->deadline = x->now + x->timeout_ms;
}

/* DONE <config-id> applied | already | failed <seq> <kind> <reason> ... */
static void on_done(struct hx_client *x, const struct xf_frame *f)
{
	char a[24], b[24], c[64];
	uint64_t seq;

	if ((x->state != HX_SEND && x->state != HX_RESULT) ||
	    !field_is(f, 1, x->config_id)) {
		x->stale++;
		return;
	}
	if (field_is(f, 2, "applied")) {
		finish(x, HX_APPLIED);
		return;
	}
	if (field_is(f, 2, "already")) {
		finish(x, HX_ALREADY);
		return;
	}
	copy_field(a, sizeof a, f, 3);
	copy_field(b, sizeof b, f, 4);
	copy_field(c, sizeof c, f, 5);
	snprintf(x->reason, sizeof x->reason, "%s%s%s%s%s", a, b[0] ? " " : "",
		 b, c[0] ? " " : "", c);
	/* a failure while receiving names the item's seq: mark that item */
	if (!xf_parse_u64(a, strlen(a), UINT32_MAX, &seq) &&
	    !field_is(f, 4, "frame")) {
		int i;
		for (i = 0; i < x->cfg->nitems; i++)
			if (x->item_seq[i] == seq && !x->result[i].status[0]) {
				snprintf(x->result[i].status,
					 sizeof x->result[i].status, "failed");
				snprintf(x->result[i].reason,
					 sizeof x->result[i].reason, "%s", c);
			}
	}
	/* "failed <n> frame seq" (or "failed seq expected=<n>", the first
	 * draft's words) */
	if (field_is(f, 3, "seq") ||
	    (field_is(f, 4, "frame") && field_is(f, 5, "seq"))) {
		/* a frame was lost to noise: the whole transaction again */
		retry(x, x->reason, HX_FAILED);
		return;
	}
	finish(x, HX_FAILED);
}

static void on_rep(struct hx_client *x, const struct xf_frame *f)
{
	struct hx_reply *r;
	int i;

	if (x->state != HX_REQUEST || !field_is(f, 1, x->req_id) ||
	    f->nfields < 3) {
		x->stale++;
		return;
	}
	x->deadline = x->now + x->timeout_ms;
	if (x->nreplies == HX_REPLIES_MAX) {
		finish(x, HX_NOMEM);
		return;
	}
	r = &x->reply[x->nreplies++];
	r->nfields = 0;
	for (i = 2; i < f->nfields; i++) {
		if (!(r->field[r->nfields] = malloc(f->len[i] + 1))) {
			finish(x, HX_NOMEM);
			return;
		}
		memcpy(r->field[r->nfields], f->field[i], f->len[i] + 1);
		r->nfields++;
	}
	if (field_is(f, 2, "ok"))
		finish(x, HX_REPLY_OK);
	else if (field_is(f, 2, "error"))
		finish(x, HX_REPLY_ERR);
}

static void on_frame(struct hx_client *x, const struct xf_frame *f)
{
	if (xf_is(f, "WELCOME")) {
		on_welcome(x, f);
	} else if (xf_is(f, "READY")) {
		x->readys++;
		if (x->state == HX_HELLO)
			send_hello(x); /* answer at once, not at the timer */
		else if (x->provisioning && x->state != HX_DONE)
			retry(x, "agent restarted",
			      HX_FAILED); /* our session is gone */
	} else if (xf_is(f, "ERROR")) {
		if (x->state == HX_HELLO && field_is(f, 1, x->nonce) &&
		    field_is(f, 2, "version")) {
			snprintf(
			    x->reason, sizeof x->reason,
			    "agent speaks "
			    "protocol versions %.8s..%.8s, we speak %d..%d",
			    f->nfields > 3 ? f->field[3] : "?",
			    f->nfields > 4 ? f->field[4] : "?", HX_VMIN,
			    HX_VMAX);
			finish(x, HX_VERSION);
		}
	} else if (xf_is(f, "RESULT")) {
		on_result(x, f);
	} else if (xf_is(f, "DONE")) {
		on_done(x, f);
	} else if (xf_is(f, "REP")) {
		on_rep(x, f);
	}
	/* other types: ignored (section 2, rule 5) */
}

void hx_input(struct hx_client *x, const void *p, size_t n)
{
	const char *b = p;
	struct xf_frame f;

	while (n && x->state != HX_DONE) {
		size_t used;
		int got = xf_feed(&x->parser, b, n, &used, &f);
		b += used;
		n -= used;
		if (got)
			on_frame(x, &f);
	}
}

const void *hx_output(struct hx_client *x, size_t *len)
{
	x->out_given = x->out_gen;
	if (x->state != HX_DONE && x->line_off < x->line_len) {
		*len = x->line_len - x->line_off;
		return x->line + x->line_off;
	}
	if (x->state == HX_SEND && x->tx_off < x->tx_len) {
		*len = x->tx_len - x->tx_off;
		return x->tx + x->tx_off;
	}
	*len = 0;
	return NULL;
}

void hx_output_ack(struct hx_client *x, size_t n)
{
	/* input since hx_output() replaced what it gave (a WELCOME ended the
	 * HELLOs, a retry started over): those bytes were of a superseded
	 * frame, which the next frame's '~' cuts off at the peer */
	if (x->out_given != x->out_gen)
		return;
	if (x->line_off < x->line_len) {
		x->line_off += n;
		return;
	}
	if (x->state != HX_SEND)
		return;
	x->tx_off += n;
	x->deadline = x->now + x->timeout_ms; /* the agent is reading */
	if (x->tx_off >= x->tx_len)
		x->state = HX_RESULT;
}

void hx_tick(struct hx_client *x, uint64_t now_ms)
{
	x->now = now_ms;
	if (x->state == HX_DONE)
		return;
	if (now_ms >= x->deadline) {
		if (x->state == HX_RESULT)
			retry(x, "no result from the agent", HX_TIMEOUT);
		else
			finish(x, HX_TIMEOUT);
		return;
	}
	if (x->state == HX_HELLO && now_ms >= x->hello_at)
		send_hello(x);
}

uint64_t hx_wait_ms(const struct hx_client *x)
{
	uint64_t t = x->deadline;

	if (x->state == HX_DONE)
		return 0;
	if (x->state == HX_HELLO && x->hello_at < t)
		t = x->hello_at;
	return t > x->now ? t - x->now : 0;
}

int hx_done(const struct hx_client *x)
{
	return x->state == HX_DONE;
}

void hx_progress(const struct hx_client *x, size_t *sent, size_t *total)
{
	*sent = x->tx_off;
	*total = x->tx_len;
}
