/* session.c - the agent's protocol engine (docs/PROTOCOL.md sections 3-5).
 *
 * States: WAIT (no host yet: READY repeats) -> IDLE (after HELLO) -> RECV
 * (a transaction is streaming in) -> IDLE after COMMIT, or DISCARD after a
 * failure or an "already applied" until the next BEGIN or HELLO.
 *
 * Every frame produces at most one reply frame, except COMMIT (a RESULT per
 * item, emitted lazily by pump() as the output buffer drains) and REQ (the
 * board's replies; a REQ is only taken with an empty output buffer).
 */
#include "session.h"
#include "xc_err.h"

#define PROTO_MIN 1
#define PROTO_MAX 1
#define CAPS "config,resident,net,files,password,fsfreeze"

static size_t slen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

static int eq(const char *a, size_t n, const char *b)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!b[i] || a[i] != b[i])
			return 0;
	return b[n] == 0;
}

void xs_init(struct xs_session *s, const struct xs_ops *ops, void *ctx,
	     const char *boot_id, const char *agent_version)
{
	unsigned char *b = (unsigned char *)s;
	size_t i;

	for (i = 0; i < sizeof *s; i++)
		b[i] = 0;
	s->ops = ops;
	s->ctx = ctx;
	s->boot_id = boot_id;
	s->agent_version = agent_version;
}

/* ---- output ---- */

static void begin(struct xs_session *s, const char *type)
{
	xf_begin(&s->reply, s->line, sizeof s->line, type);
}

/* Moves the frame in s->line to the output buffer. The caller made sure
 * there is room (room()); a frame that does not fit is dropped. */
static int end(struct xs_session *s)
{
	long n = xf_end(&s->reply);
	size_t i;

	if (n < 0)
		return (int)n;
	if ((size_t)n > sizeof s->out - s->out_len)
		return -XC_ENOSPC;
	for (i = 0; i < (size_t)n; i++)
		s->out[s->out_len + i] = s->line[i];
	s->out_len += (size_t)n;
	return 0;
}

static int room(const struct xs_session *s)
{
	return sizeof s->out - s->out_len >= XF_LINE_MAX;
}

const char *xs_output(struct xs_session *s, size_t *len)
{
	*len = s->out_len;
	return s->out;
}

static void pump(struct xs_session *s);

void xs_output_ack(struct xs_session *s, size_t n)
{
	size_t i;

	if (n > s->out_len)
		n = s->out_len;
	for (i = n; i < s->out_len; i++)
		s->out[i - n] = s->out[i];
	s->out_len -= n;
	pump(s);
}

unsigned xs_events(struct xs_session *s)
{
	unsigned e = s->events;
	s->events = 0;
	return e;
}

static void send_ready(struct xs_session *s)
{
	begin(s, "READY");
	xf_add_str(&s->reply, s->boot_id);
	xf_add_u64(&s->reply, PROTO_MIN);
	xf_add_u64(&s->reply, PROTO_MAX);
	end(s);
}

void xs_tick(struct xs_session *s, uint64_t now_ms)
{
	s->now_ms = now_ms;
	if (s->state == XS_WAIT && now_ms >= s->ready_at_ms && room(s)) {
		send_ready(s);
		s->ready_at_ms = now_ms + XS_READY_MS;
	}
}

/* ---- transactions ---- */

static void done(struct xs_session *s, const char *status)
{
	begin(s, "DONE");
	xf_add_str(&s->reply, s->config_id);
	xf_add_str(&s->reply, status);
}

/* Fails the transaction in progress while it is being received. */
static void fail(struct xs_session *s, uint32_t seq, int kind,
		 const char *reason)
{
	s->ops->abort(s->ctx);
	done(s, "failed");
	xf_add_u64(&s->reply, seq);
	xf_add_str(&s->reply, kind ? xc_item_kind_name(kind) : "frame");
	xf_add_str(&s->reply, reason ? reason : "error");
	end(s);
	s->state = XS_DISCARD;
	s->events |= XS_EV_FAILED;
}

/* Emits pending RESULT frames, then the DONE frame, as room allows. */
static void pump(struct xs_session *s)
{
	while (s->result_next < s->result_count && room(s)) {
		const struct xs_item_rec *r = &s->items[s->result_next++];
		begin(s, "RESULT");
		xf_add_u64(&s->reply, r->seq);
		xf_add_str(&s->reply, xc_item_kind_name(r->kind));
		if (!s->result_failed) {
			xf_add_str(&s->reply, "ok");
		} else if (r->seq < s->failed_seq) {
			xf_add_str(&s->reply, "rolled-back");
		} else if (r->seq == s->failed_seq) {
			xf_add_str(&s->reply, "failed");
			xf_add_str(&s->reply, s->failed_reason);
		} else {
			xf_add_str(&s->reply, "not-applied");
		}
		end(s);
	}
	if (s->result_count && s->result_next == s->result_count && room(s)) {
		if (!s->result_failed) {
			done(s, "applied");
		} else {
			uint32_t i;
			int kind = 0;
			for (i = 0; i < s->nitems; i++)
				if (s->items[i].seq == s->failed_seq)
					kind = s->items[i].kind;
			done(s, "failed");
			xf_add_u64(&s->reply, s->failed_seq);
			xf_add_str(&s->reply,
				   kind ? xc_item_kind_name(kind) : "commit");
			xf_add_str(&s->reply, s->failed_reason);
		}
		end(s);
		s->result_count = s->result_next = 0;
	}
}

static int valid_id(const char *p, size_t n)
{
	size_t i, slash = 0, nslash = 0;

	if (n == 0 || n >= XS_ID_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = p[i];
		if (c == '/') {
			slash = i;
			nslash++;
		} else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c == '.' || c == '_' ||
			     c == ':' || c == '-')) {
			return 0;
		}
	}
	if (nslash != 1 || slash == 0 || slash == n - 1)
		return 0;
	for (i = slash + 1; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

static void digest_frame(struct xs_session *s, const struct xf_frame *f)
{
	xc_sha256_update(&s->digest, f->body, f->body_len);
	xc_sha256_update(&s->digest, "\n", 1);
}

static void on_begin(struct xs_session *s, const struct xf_frame *f)
{
	char applied[XS_ID_MAX];
	const char *reason = 0;
	size_t i;
	int r;

	if (s->state == XS_WAIT || f->nfields != 3 ||
	    !eq(f->field[1], f->len[1], s->nonce))
		return; /* not for this session */
	if (s->state == XS_RECV)
		s->ops->abort(s->ctx);
	s->result_count = s->result_next = 0;
	if (!valid_id(f->field[2], f->len[2])) {
		s->config_id[0] = '?';
		s->config_id[1] = 0;
		fail(s, 0, 0, "bad-config-id");
		return;
	}
	for (i = 0; i <= f->len[2]; i++)
		s->config_id[i] = f->field[2][i];
	r = s->ops->applied_id(s->ctx, applied, sizeof applied);
	if (r > 0 && eq(s->config_id, slen(s->config_id), applied)) {
		done(s, "already");
		end(s);
		s->state = XS_DISCARD;
		s->events |= XS_EV_ALREADY;
		return;
	}
	if (s->ops->begin(s->ctx, s->config_id, &reason) < 0) {
		fail(s, 0, 0, reason);
		return;
	}
	s->state = XS_RECV;
	s->next_seq = 1;
	s->total = 0;
	s->data_left = 0;
	s->nitems = 0;
	s->file.kind = XC_ITEM_NONE;
	xc_sha256_init(&s->digest);
	digest_frame(s, f);
}

/* Checks the sequence number in field 1; fails the transaction if off. */
static int check_seq(struct xs_session *s, const struct xf_frame *f)
{
	uint64_t seq;

	if (f->nfields < 2 ||
	    xf_parse_u64(f->field[1], f->len[1], 0xffffffffu, &seq) < 0 ||
	    seq != s->next_seq) {
		fail(s, s->next_seq, 0, "seq"); /* DONE ... failed N frame seq */
		return -1;
	}
	s->next_seq++;
	return 0;
}

static void on_item(struct xs_session *s, const struct xf_frame *f)
{
	struct xc_item it;
	const char *reason = 0;

	if (check_seq(s, f) < 0)
		return;
	if (s->data_left)
		return fail(s, s->file.seq, XC_ITEM_FILE, "data-missing");
	if (xc_item_parse(f, &it, &reason) < 0)
		return fail(s, s->next_seq - 1, it.kind, reason);
	s->total += f->body_len;
	if (s->nitems == XC_ITEMS_MAX || s->total > XC_CONFIG_MAX)
		return fail(s, it.seq, it.kind, "too-large");
	if (s->ops->item(s->ctx, &it, &reason) < 0)
		return fail(s, it.seq, it.kind, reason);
	s->items[s->nitems].seq = it.seq;
	s->items[s->nitems].kind = (uint8_t)it.kind;
	s->nitems++;
	if (it.kind == XC_ITEM_FILE) {
		s->file = it;
		s->data_left = it.size;
	}
	digest_frame(s, f);
}

static void on_data(struct xs_session *s, const struct xf_frame *f)
{
	const char *reason = 0;

	if (check_seq(s, f) < 0)
		return;
	if (f->nfields != 3 || f->len[2] > XF_CHUNK_MAX)
		return fail(s, s->next_seq - 1, 0, "bad-data");
	if (f->len[2] > s->data_left)
		return fail(s, s->file.seq, XC_ITEM_FILE, "data-overrun");
	s->total += f->len[2];
	if (s->total > XC_CONFIG_MAX)
		return fail(s, s->file.seq, XC_ITEM_FILE, "too-large");
	if (s->ops->data(s->ctx, f->field[2], f->len[2], &reason) < 0)
		return fail(s, s->file.seq, XC_ITEM_FILE, reason);
	s->data_left -= f->len[2];
	digest_frame(s, f);
}

static int hex_eq(const uint8_t d[32], const char *p, size_t n)
{
	char h[65];
	xc_sha256_hex(d, h);
	return eq(p, n, h);
}

static void on_commit(struct xs_session *s, const struct xf_frame *f)
{
	uint8_t d[32];
	const char *reason = 0;
	uint32_t failed_seq = 0;

	if (check_seq(s, f) < 0)
		return;
	if (s->data_left)
		return fail(s, s->file.seq, XC_ITEM_FILE, "data-missing");
	xc_sha256_final(&s->digest, d);
	if (f->nfields != 3 || !hex_eq(d, f->field[2], f->len[2]))
		return fail(s, s->next_seq - 1, 0, "digest-mismatch");
	s->state = XS_IDLE;
	s->result_next = 0;
	s->result_count = s->nitems;
	if (s->ops->commit(s->ctx, s->config_id, &failed_seq, &reason) < 0) {
		s->result_failed = 1;
		s->failed_seq = failed_seq;
		s->failed_reason = reason ? reason : "error";
		s->events |= XS_EV_FAILED;
	} else {
		s->result_failed = 0;
		s->events |= XS_EV_APPLIED;
	}
	if (s->result_count == 0) {
		/* an empty transaction: only DONE */
		if (!s->result_failed) {
			done(s, "applied");
		} else {
			done(s, "failed");
			xf_add_u64(&s->reply, 0);
			xf_add_str(&s->reply, "commit");
			xf_add_str(&s->reply, s->failed_reason);
		}
		end(s);
		return;
	}
	pump(s);
}

/* ---- handshake and requests ---- */

static int is_hex16(const char *p, size_t n)
{
	size_t i;
	if (n != 16)
		return 0;
	for (i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		      (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	return 1;
}

static void on_hello(struct xs_session *s, const struct xf_frame *f)
{
	uint64_t vmin, vmax;
	char applied[XS_ID_MAX];
	size_t i;

	if (f->nfields != 4 || !is_hex16(f->field[1], f->len[1]) ||
	    xf_parse_u64(f->field[2], f->len[2], 65535, &vmin) < 0 ||
	    xf_parse_u64(f->field[3], f->len[3], 65535, &vmax) < 0)
		return;
	if (s->state == XS_RECV)
		s->ops->abort(s->ctx);
	s->result_count = s->result_next = 0;
	for (i = 0; i < 16; i++)
		s->nonce[i] = f->field[1][i];
	s->nonce[16] = 0;
	s->state = XS_IDLE;
	s->events |= XS_EV_HELLO;
	if (vmax < PROTO_MIN || vmin > PROTO_MAX || vmin > vmax) {
		begin(s, "ERROR");
		xf_add_str(&s->reply, s->nonce);
		xf_add_str(&s->reply, "version");
		xf_add_u64(&s->reply, PROTO_MIN);
		xf_add_u64(&s->reply, PROTO_MAX);
		end(s);
		return;
	}
	if (s->ops->applied_id(s->ctx, applied, sizeof applied) <= 0)
		applied[0] = 0;
	begin(s, "WELCOME");
	xf_add_str(&s->reply, s->nonce);
	xf_add_u64(&s->reply, vmax < PROTO_MAX ? vmax : PROTO_MAX);
	xf_add_str(&s->reply, s->boot_id);
	xf_add_kv(&s->reply, "agent", s->agent_version);
	xf_add_kv(&s->reply, "caps", CAPS);
	xf_add_kv(&s->reply, "applied", applied);
	end(s);
}

struct xf_writer *xs_reply_begin(struct xs_session *s,
				 const struct xf_frame *req,
				 const char *status)
{
	begin(s, "REP");
	xf_add(&s->reply, req->field[1], req->len[1]);
	xf_add_str(&s->reply, status);
	return &s->reply;
}

int xs_reply_end(struct xs_session *s)
{
	return end(s);
}

int xs_reply_error(struct xs_session *s, const struct xf_frame *req,
		   const char *code, const char *message)
{
	xs_reply_begin(s, req, "error");
	xf_add_str(&s->reply, code);
	if (message && *message)
		xf_add_str(&s->reply, message);
	return end(s);
}

static void on_req(struct xs_session *s, const struct xf_frame *f)
{
	uint64_t id;
	size_t before = s->out_len;

	if (f->nfields < 3 ||
	    xf_parse_u64(f->field[1], f->len[1], 0xffffffffu, &id) < 0)
		return;
	if (s->ops->request)
		s->ops->request(s->ctx, s, f);
	if (s->out_len == before) {
		char verb[32];
		size_t n = f->len[2] < sizeof verb - 1 ? f->len[2]
						       : sizeof verb - 1, i;
		for (i = 0; i < n; i++)
			verb[i] = f->field[2][i];
		verb[n] = 0;
		xs_reply_error(s, f, "unknown-verb", verb);
	}
}

/* ---- input ---- */

static void dispatch(struct xs_session *s, const struct xf_frame *f)
{
	if (xf_is(f, "HELLO")) {
		on_hello(s, f);
	} else if (xf_is(f, "REQ")) {
		on_req(s, f);
	} else if (xf_is(f, "BEGIN")) {
		on_begin(s, f);
	} else if (xf_is(f, "ABORT")) {
		if (s->state == XS_RECV) {
			s->ops->abort(s->ctx);
			s->state = XS_IDLE;
		}
	} else if (s->state == XS_RECV) {
		if (xf_is(f, "ITEM"))
			on_item(s, f);
		else if (xf_is(f, "DATA"))
			on_data(s, f);
		else if (xf_is(f, "COMMIT"))
			on_commit(s, f);
	}
	/* other frames (our own echoed back, unknown types) are ignored */
}

size_t xs_input(struct xs_session *s, const void *p, size_t n)
{
	const char *b = p;
	size_t off = 0;

	while (off < n) {
		struct xf_frame f;
		size_t used;

		/* A reply must fit; results of a commit must have drained
		 * (they are emitted in order before anything else). */
		if (!room(s) || s->result_count)
			break;
		if (!xf_feed(&s->parser, b + off, n - off, &used, &f)) {
			off = n;
			break;
		}
		off += used;
		dispatch(s, &f);
	}
	return off;
}
