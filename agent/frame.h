/* frame.h - the xenchan wire frame: encoder and resynchronising parser.
 *
 * Follows docs/PROTOCOL.md section 2 ("Frames"). A frame is one line:
 *
 *     ~<len> <body> <crc>\n
 *
 * <body> is a TYPE word and fields separated by single spaces, each field
 * percent-escaped so that it holds no byte outside 0x21..0x7e and no '~' or
 * '%'. <len> is the decimal length of <body>, <crc> the CRC-32 (IEEE) of
 * <body> in 8 lowercase hex digits. A '~' can only start a frame and a '\n'
 * can only end one, so after any garbage the parser is back in step at the
 * next '~' and never loses a valid frame that follows.
 *
 * Both halves are sans-I/O: the parser takes bytes and gives frames, the
 * writer fills a caller-owned line buffer.
 */
#ifndef XC_FRAME_H
#define XC_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define XF_BODY_MAX 4096 /* encoded body bytes, documented limit */
#define XF_LINE_MAX (XF_BODY_MAX + 24) /* '~', len, spaces, crc, CR LF */
#define XF_FIELDS_MAX 12 /* including the TYPE word */
#define XF_TYPE_MAX 15   /* letters in a TYPE word */
#define XF_CHUNK_MAX 1024 /* raw bytes a sender puts in one DATA field */

/* A decoded frame. field[0] is the TYPE word. Fields point into the
 * parser's decode buffer, stay valid until the next xf_feed() call, and are
 * NUL-terminated (a field may also contain NUL bytes: use len). */
struct xf_frame {
	const char *body; /* the encoded body, as received (for digests) */
	size_t body_len;
	int nfields;
	const char *field[XF_FIELDS_MAX];
	size_t len[XF_FIELDS_MAX];
};

struct xf_stats {
	uint32_t frames;    /* valid frames delivered */
	uint32_t garbage;   /* bytes outside any frame */
	uint32_t bad;       /* frames dropped: crc, length, syntax, size */
};

enum xf_state {
	XF_HUNT = 0, /* outside a frame: skip to the next '~' */
	XF_LINE,     /* inside a frame: collect up to '\n' */
	XF_SKIP,     /* frame too long: drop up to the next '~' or '\n' */
};

struct xf_parser {
	enum xf_state state;
	size_t n;
	char line[XF_LINE_MAX];
	char dec[XF_BODY_MAX + XF_FIELDS_MAX];
	struct xf_stats stats;
};

/* A zeroed parser is ready; xf_parser_init() zeroes one. */
void xf_parser_init(struct xf_parser *p);

/* Feeds bytes. Consumes input up to and including the end of the first
 * valid frame found and stores the count consumed in *used. Returns 1 when
 * *out holds a frame, 0 when all input was consumed without completing
 * one. Never fails: bad input is counted in p->stats and skipped. */
int xf_feed(struct xf_parser *p, const void *in, size_t n, size_t *used,
	    struct xf_frame *out);

/* Frame writer over a caller-owned buffer. The first error sticks; xf_end
 * returns it. */
struct xf_writer {
	char *buf;
	size_t cap;
	size_t n;    /* bytes written into buf */
	size_t body; /* offset of the body in buf */
	int nfields;
	int err;
};

void xf_begin(struct xf_writer *w, char *buf, size_t cap, const char *type);
void xf_add(struct xf_writer *w, const void *p, size_t n);
void xf_add_str(struct xf_writer *w, const char *s);
void xf_add_u64(struct xf_writer *w, uint64_t v);
/* One field "key=value" (value escaped). */
void xf_add_kv(struct xf_writer *w, const char *key, const char *value);
void xf_add_kv_u64(struct xf_writer *w, const char *key, uint64_t v);
/* Closes the frame. Returns its length in buf (a complete line ending in
 * '\n') or a negative XC_E... code. */
long xf_end(struct xf_writer *w);

/* Helpers for readers of frames. */
int xf_is(const struct xf_frame *f, const char *type);
/* If field i is "key=value" with the given key, returns value (and its
 * length in *vlen if not NULL); otherwise NULL. */
const char *xf_kv(const struct xf_frame *f, int i, const char *key,
		  size_t *vlen);
/* Finds the first field from index `from` that is "key=value". */
const char *xf_find_kv(const struct xf_frame *f, int from, const char *key,
		       size_t *vlen);
/* Checked decimal parse of a whole field: no sign, no spaces, <= max.
 * Returns 0 or -XC_EINVAL / -XC_ERANGE. */
int xf_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out);

#endif
