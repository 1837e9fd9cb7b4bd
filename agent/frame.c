/* frame.c - see frame.h and docs/PROTOCOL.md section 2. */
#include "frame.h"
#include "crc32.h"
#include "xc_err.h"

static const char hexdig[] = "0123456789abcdef";

void xf_parser_init(struct xf_parser *p)
{
	unsigned char *b = (unsigned char *)p;
	size_t i;

	for (i = 0; i < sizeof *p; i++)
		b[i] = 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A byte that may stand unescaped in a field. */
static int plain(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '~' && c != '%';
}

int xf_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return -XC_EINVAL;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9)
			return -XC_EINVAL;
		if (d > max || v > (max - d) / 10)
			return -XC_ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Decodes the body line[0..blen) into p->dec and fills *f.
 * Returns 0 or -1 for a malformed body. */
static int decode_body(struct xf_parser *p, const char *body, size_t blen,
		       struct xf_frame *f)
{
	size_t i = 0, o = 0;

	f->nfields = 0;
	while (i < blen) {
		if (f->nfields == XF_FIELDS_MAX)
			return -1;
		f->field[f->nfields] = p->dec + o;
		size_t start = o;
		while (i < blen && body[i] != ' ') {
			unsigned char c = (unsigned char)body[i];
			if (c == '%') {
				int h, l;
				if (blen - i < 3)
					return -1;
				h = hexval((unsigned char)body[i + 1]);
				l = hexval((unsigned char)body[i + 2]);
				if (h < 0 || l < 0)
					return -1;
				p->dec[o++] = (char)(h << 4 | l);
				i += 3;
			} else if (plain(c)) {
				p->dec[o++] = (char)c;
				i++;
			} else {
				return -1;
			}
		}
		if (o == start)
			return -1; /* empty field: two spaces, or edge space */
		f->len[f->nfields++] = o - start;
		p->dec[o++] = 0;
		if (i < blen) {
			i++; /* the separating space */
			if (i == blen)
				return -1;
		}
	}
	if (f->nfields == 0 || f->len[0] > XF_TYPE_MAX)
		return -1;
	for (i = 0; i < f->len[0]; i++)
		if (f->field[0][i] < 'A' || f->field[0][i] > 'Z')
			return -1;
	return 0;
}

/* Checks a complete line "<len> <body> <crc>" (without '~' and '\n'). */
static int check_line(struct xf_parser *p, struct xf_frame *f)
{
	char *s = p->line;
	size_t n = p->n, i, sp1;
	uint64_t blen;
	uint32_t crc = 0;

	if (n && s[n - 1] == '\r')
		n--;
	for (sp1 = 0; sp1 < n && sp1 < 5 && s[sp1] != ' '; sp1++)
		;
	if (sp1 == n || s[sp1] != ' ')
		return -1;
	if (xf_parse_u64(s, sp1, XF_BODY_MAX, &blen) < 0 || blen == 0)
		return -1;
	/* sp1 + 1 + blen + 1 + 8 must be the whole line */
	if (n != sp1 + 1 + blen + 1 + 8 || s[sp1 + 1 + blen] != ' ')
		return -1;
	for (i = 0; i < 8; i++) {
		int h = hexval((unsigned char)s[n - 8 + i]);
		if (h < 0 || (s[n - 8 + i] >= 'A' && s[n - 8 + i] <= 'F'))
			return -1;
		crc = crc << 4 | (uint32_t)h;
	}
	if (xc_crc32(0, s + sp1 + 1, blen) != crc)
		return -1;
	f->body = s + sp1 + 1;
	f->body_len = blen;
	return decode_body(p, s + sp1 + 1, blen, f);
}

int xf_feed(struct xf_parser *p, const void *in, size_t n, size_t *used,
	    struct xf_frame *out)
{
	const unsigned char *b = in;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = b[i];

		if (c == '~') {
			if (p->state == XF_LINE)
				p->stats.bad++; /* cut short by a new frame */
			p->state = XF_LINE;
			p->n = 0;
			continue;
		}
		switch (p->state) {
		case XF_HUNT:
			p->stats.garbage++;
			break;
		case XF_SKIP:
			if (c == '\n')
				p->state = XF_HUNT;
			break;
		case XF_LINE:
			if (c == '\n') {
				p->state = XF_HUNT;
				if (check_line(p, out) == 0) {
					p->stats.frames++;
					*used = i + 1;
					return 1;
				}
				p->stats.bad++;
			} else if (p->n == sizeof p->line) {
				p->stats.bad++;
				p->state = XF_SKIP;
			} else {
				p->line[p->n++] = (char)c;
			}
			break;
		}
	}
	*used = n;
	return 0;
}

/* ---- writer ---- */

static void put(struct xf_writer *w, char c)
{
	if (w->err)
		return;
	if (w->n >= w->cap) {
		w->err = -XC_EMSGSIZE;
		return;
	}
	w->buf[w->n++] = c;
}

void xf_begin(struct xf_writer *w, char *buf, size_t cap, const char *type)
{
	w->buf = buf;
	w->cap = cap;
	w->err = 0;
	w->nfields = 0;
	/* Leave room for "~NNNN " before the body; xf_end moves it in place. */
	w->n = w->body = 6;
	if (cap < XF_LINE_MAX)
		w->err = -XC_EINVAL;
	xf_add_str(w, type);
}

static void field_start(struct xf_writer *w)
{
	if (w->nfields == XF_FIELDS_MAX && !w->err)
		w->err = -XC_E2BIG;
	if (w->nfields++ > 0)
		put(w, ' ');
}

static void check_body(struct xf_writer *w)
{
	if (!w->err && w->n - w->body > XF_BODY_MAX)
		w->err = -XC_EMSGSIZE;
}

void xf_add(struct xf_writer *w, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	field_start(w);
	if (n == 0 && !w->err)
		w->err = -XC_EINVAL; /* empty fields do not exist */
	for (i = 0; i < n; i++) {
		if (plain(b[i])) {
			put(w, (char)b[i]);
		} else {
			put(w, '%');
			put(w, "0123456789ABCDEF"[b[i] >> 4]);
			put(w, "0123456789ABCDEF"[b[i] & 15]);
		}
	}
	check_body(w);
}

static size_t slen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

void xf_add_str(struct xf_writer *w, const char *s)
{
	xf_add(w, s, slen(s));
}

static size_t fmt_u64(char *d, uint64_t v)
{
	char t[20];
	size_t n = 0, i;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		d[i] = t[n - 1 - i];
	return n;
}

void xf_add_u64(struct xf_writer *w, uint64_t v)
{
	char d[20];
	xf_add(w, d, fmt_u64(d, v));
}

void xf_add_kv(struct xf_writer *w, const char *key, const char *value)
{
	size_t i, n = slen(value);

	field_start(w);
	for (i = 0; key[i]; i++)
		put(w, key[i]); /* keys are plain lowercase words */
	put(w, '=');
	w->nfields--; /* xf_add would count the value as another field */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)value[i];
		if (plain(c)) {
			put(w, (char)c);
		} else {
			put(w, '%');
			put(w, "0123456789ABCDEF"[c >> 4]);
			put(w, "0123456789ABCDEF"[c & 15]);
		}
	}
	w->nfields++;
	check_body(w);
}

void xf_add_kv_u64(struct xf_writer *w, const char *key, uint64_t v)
{
	char d[21];
	d[fmt_u64(d, v)] = 0;
	xf_add_kv(w, key, d);
}

long xf_end(struct xf_writer *w)
{
	size_t blen = w->n - w->body, i;
	uint32_t crc;
	char num[8];
	size_t nl;

	if (w->err)
		return w->err;
	if (w->n + 11 > w->cap)
		return w->err = -XC_EMSGSIZE;
	crc = xc_crc32(0, w->buf + w->body, blen);
	/* Prefix "~<len> " right before the body, then move the frame to the
	 * start of the buffer. */
	nl = fmt_u64(num, blen);
	w->buf[w->body - 1] = ' ';
	for (i = 0; i < nl; i++)
		w->buf[w->body - 1 - nl + i] = num[i];
	w->buf[w->body - 2 - nl] = '~';
	{
		size_t off = w->body - 2 - nl, j;
		for (j = 0; j < w->n - off; j++)
			w->buf[j] = w->buf[off + j];
		w->n -= off;
	}
	w->buf[w->n++] = ' ';
	for (i = 0; i < 8; i++)
		w->buf[w->n++] = hexdig[(crc >> (28 - 4 * i)) & 15];
	w->buf[w->n++] = '\n';
	return (long)w->n;
}

/* ---- readers' helpers ---- */

int xf_is(const struct xf_frame *f, const char *type)
{
	size_t n = slen(type), i;

	if (f->nfields < 1 || f->len[0] != n)
		return 0;
	for (i = 0; i < n; i++)
		if (f->field[0][i] != type[i])
			return 0;
	return 1;
}

const char *xf_kv(const struct xf_frame *f, int i, const char *key,
		  size_t *vlen)
{
	size_t k = slen(key), j;

	if (i < 0 || i >= f->nfields || f->len[i] <= k || f->field[i][k] != '=')
		return 0;
	for (j = 0; j < k; j++)
		if (f->field[i][j] != key[j])
			return 0;
	if (vlen)
		*vlen = f->len[i] - k - 1;
	return f->field[i] + k + 1;
}

const char *xf_find_kv(const struct xf_frame *f, int from, const char *key,
		       size_t *vlen)
{
	int i;

	for (i = from; i < f->nfields; i++) {
		const char *v = xf_kv(f, i, key, vlen);
		if (v)
			return v;
	}
	return 0;
}
