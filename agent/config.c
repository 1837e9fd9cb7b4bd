/* config.c - meaning checks for configuration values; see config.h. */
#include "config.h"

#include "xc_err.h"

#define BAD (-XC_EINVAL)

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hexval(int c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int xcc_eq(const char *s, size_t n, const char *z)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (z[i] != s[i] || !z[i])
			return 0;
	return z[n] == 0;
}

int xcc_u32(const char *s, size_t n, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 10 || (n > 1 && s[0] == '0'))
		return BAD;
	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return BAD;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -XC_ERANGE;
	*out = (uint32_t)v;
	return 0;
}

int xcc_hostname(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return BAD;
	if (n > XCC_LABEL_MAX)
		return -XC_ENAMETOOLONG;
	if (s[0] == '-' || s[n - 1] == '-')
		return BAD;
	for (i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-')
			return BAD;
	return 0;
}

int xcc_domain(const char *s, size_t n)
{
	size_t i = 0, j;
	int r;

	if (n > XCC_DOMAIN_MAX)
		return -XC_ENAMETOOLONG;
	for (;;) {
		for (j = i; j < n && s[j] != '.'; j++)
			;
		r = xcc_hostname(s + i, j - i);
		if (r < 0)
			return r;
		if (j == n)
			return 0;
		i = j + 1; /* a trailing '.' makes an empty label: refused */
	}
}

int xcc_mac(const char *s, size_t n, uint8_t mac[6])
{
	int i, hi, lo;

	if (n != 17)
		return BAD;
	for (i = 0; i < 6; i++) {
		hi = hexval(s[3 * i]);
		lo = hexval(s[3 * i + 1]);
		if (hi < 0 || lo < 0)
			return BAD;
		if (i < 5 && s[3 * i + 2] != ':' && s[3 * i + 2] != '-')
			return BAD;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static const char hexdig[] = "0123456789abcdef";

void xcc_mac_format(const uint8_t mac[6], char out[18])
{
	int i;

	for (i = 0; i < 6; i++) {
		out[3 * i] = hexdig[mac[i] >> 4];
		out[3 * i + 1] = hexdig[mac[i] & 15];
		out[3 * i + 2] = i < 5 ? ':' : 0;
	}
}

/* Dotted quad, exactly n bytes, no leading zeros (they mean octal to
 * some parsers). */
static int parse_v4(const char *s, size_t n, uint8_t out[4])
{
	size_t i = 0, st;
	unsigned v;
	int k;

	for (k = 0; k < 4; k++) {
		if (k > 0) {
			if (i >= n || s[i] != '.')
				return BAD;
			i++;
		}
		for (st = i, v = 0; i < n && is_digit(s[i]) && i - st < 3; i++)
			v = v * 10 + (unsigned)(s[i] - '0');
		if (i == st || v > 255 || (i - st > 1 && s[st] == '0'))
			return BAD;
		out[k] = (uint8_t)v;
	}
	return i == n ? 0 : BAD;
}

/* RFC 4291 section 2.2: groups of 1..4 hex digits, one "::", an optional
 * dotted quad in the last 32 bits. */
static int parse_v6(const char *s, size_t n, uint8_t out[16])
{
	uint16_t w[8];
	int nw = 0, gap = -1, k;
	size_t i = 0, st;
	unsigned v;
	uint8_t q[4];

	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	} else if (n == 0 || s[0] == ':') {
		return BAD;
	}
	while (i < n) {
		for (st = i, v = 0; i < n && hexval(s[i]) >= 0 && i - st < 4;
		     i++)
			v = v * 16 + (unsigned)hexval(s[i]);
		if (i < n && s[i] == '.') {
			if (nw > 6 || parse_v4(s + st, n - st, q) < 0)
				return BAD;
			w[nw++] = (uint16_t)(q[0] << 8 | q[1]);
			w[nw++] = (uint16_t)(q[2] << 8 | q[3]);
			break;
		}
		if (i == st || nw == 8)
			return BAD;
		w[nw++] = (uint16_t)v;
		if (i == n)
			break;
		if (s[i++] != ':' || i == n)
			return BAD;
		if (s[i] == ':') {
			if (gap >= 0)
				return BAD;
			gap = nw;
			i++;
		}
	}
	if (gap < 0 ? nw != 8 : nw > 7)
		return BAD;
	for (k = 0; k < 16; k++)
		out[k] = 0;
	for (k = 0; k < nw; k++) {
		int at = (gap >= 0 && k >= gap) ? 8 - nw + k : k;
		out[2 * at] = (uint8_t)(w[k] >> 8);
		out[2 * at + 1] = (uint8_t)w[k];
	}
	return 0;
}

int xcc_ip(const char *s, size_t n, struct xcc_ip *ip)
{
	size_t i;

	for (i = 0; i < n && s[i] != ':'; i++)
		;
	if (i == n) {
		ip->family = 4;
		ip->prefix = 32;
		for (i = 4; i < 16; i++)
			ip->a[i] = 0;
		return parse_v4(s, n, ip->a);
	}
	ip->family = 6;
	ip->prefix = 128;
	return parse_v6(s, n, ip->a);
}

int xcc_ip_prefix(const char *s, size_t n, struct xcc_ip *ip)
{
	size_t i;
	uint32_t p;
	int r;

	for (i = 0; i < n && s[i] != '/'; i++)
		;
	if (i == n)
		return BAD;
	r = xcc_ip(s, i, ip);
	if (r < 0)
		return r;
	r = xcc_u32(s + i + 1, n - i - 1, ip->prefix, &p);
	if (r < 0)
		return BAD;
	ip->prefix = (uint8_t)p;
	return 0;
}

static size_t put_u(char *o, unsigned v, unsigned base)
{
	char t[8];
	size_t n = 0, i;

	do {
		t[n++] = hexdig[v % base];
		v /= base;
	} while (v);
	for (i = 0; i < n; i++)
		o[i] = t[n - 1 - i];
	return n;
}

size_t xcc_ip_format(const struct xcc_ip *ip, char out[XCC_IP_TEXT_MAX])
{
	size_t o = 0;
	int k, best = -1, blen = 1, run;

	if (ip->family == 4) {
		for (k = 0; k < 4; k++) {
			if (k)
				out[o++] = '.';
			o += put_u(out + o, ip->a[k], 10);
		}
		out[o] = 0;
		return o;
	}
	/* RFC 5952 section 4.2: the longest run of two or more zero groups,
	 * the first one on a tie, becomes "::". */
	for (k = 0; k < 8; k += run ? run : 1) {
		for (run = 0; k + run < 8 && !ip->a[2 * (k + run)] &&
			      !ip->a[2 * (k + run) + 1];
		     run++)
			;
		if (run > blen) {
			best = k;
			blen = run;
		}
	}
	for (k = 0; k < 8; k++) {
		if (k == best) {
			out[o++] = ':';
			out[o++] = ':';
			k += blen - 1;
			continue;
		}
		if (k && k != best + blen)
			out[o++] = ':';
		o +=
		    put_u(out + o,
			  (unsigned)(ip->a[2 * k] << 8 | ip->a[2 * k + 1]), 16);
	}
	out[o] = 0;
	return o;
}

int xcc_config_id(const char *s, size_t n)
{
	size_t i;
	uint32_t gen;

	for (i = 0; i < n && s[i] != '/'; i++)
		if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' &&
		    s[i] != ':' && s[i] != '-')
			return BAD;
	if (i == 0 || i == n)
		return BAD;
	if (i > XCC_ID_MAX)
		return -XC_ENAMETOOLONG;
	return xcc_u32(s + i + 1, n - i - 1, 0xffffffffu, &gen);
}

int xcc_ifid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > XCC_IFID_MAX)
		return BAD;
	for (i = 0; i < n; i++)
		if (!is_digit(s[i]) && !(s[i] >= 'a' && s[i] <= 'z'))
			return BAD;
	return 0;
}

int xcc_ifname(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > XCC_IFID_MAX || xcc_eq(s, n, ".") ||
	    xcc_eq(s, n, ".."))
		return BAD;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '/' || s[i] == ':' ||
		    s[i] == 0x7f)
			return BAD;
	return 0;
}

/* ---- authorized_keys lines ---- */

/* Allowed key types, NUL separated, empty string last. */
static const char key_types[] = "ssh-ed25519\0ssh-rsa\0ecdsa-sha2-nistp256\0"
				"ecdsa-sha2-nistp384\0ecdsa-sha2-nistp521\0"
				"sk-ssh-ed25519@openssh.com\0"
				"sk-ecdsa-sha2-nistp256@openssh.com\0";

static int key_type_ok(const char *s, size_t n)
{
	const char *t = key_types;
	size_t l;

	while (*t) {
		if (xcc_eq(s, n, t))
			return 1;
		for (l = 0; t[l]; l++)
			;
		t += l + 1;
	}
	return 0;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (is_digit(c))
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Checks base64 (RFC 4648 section 4, padded) and that the decoded blob
 * starts with a string (uint32 length, bytes) equal to type. */
static int blob_ok(const char *s, size_t n, const char *type, size_t tn)
{
	uint8_t head[4 + 40];
	size_t i, out = 0, pad = 0;
	uint32_t acc = 0, len;
	int v, bits = 0;

	if (n == 0 || n % 4 != 0)
		return BAD;
	for (i = 0; i < n; i++) {
		if (s[i] == '=') {
			if (i + 2 < n || (i + 1 == n - 1 && s[n - 1] != '='))
				return BAD;
			pad++;
			continue;
		}
		v = b64val(s[i]);
		if (v < 0 || pad)
			return BAD;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (out < sizeof head)
				head[out] = (uint8_t)(acc >> bits);
			out++;
		}
	}
	if (out < 4)
		return BAD;
	len = (uint32_t)head[0] << 24 | (uint32_t)head[1] << 16 |
	      (uint32_t)head[2] << 8 | head[3];
	if (len != tn || tn > sizeof head - 4 || out < 4 + tn)
		return BAD;
	for (i = 0; i < tn; i++)
		if (head[4 + i] != (uint8_t)type[i])
			return BAD;
	return 0;
}

/* The next whitespace-separated token from *i; a '"' quotes spaces (and
 * '\"' inside quotes is a quote). Returns its length, sets *start; *open
 * is set if a quote is left unclosed. */
static size_t token(const char *s, size_t n, size_t *i, size_t *start,
		    int *open)
{
	int q = 0;
	size_t j;

	while (*i < n && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
	*start = *i;
	for (j = *i; j < n; j++) {
		if (!q && (s[j] == ' ' || s[j] == '\t'))
			break;
		if (s[j] == '\\' && q && j + 1 < n)
			j++;
		else if (s[j] == '"')
			q = !q;
	}
	*open = q;
	*i = j;
	return j - *start;
}

int xcc_sshkey(const char *s, size_t n, const char **blob, size_t *blob_n)
{
	size_t i = 0, ts, tn, bs, bn, j;
	int open;

	if (n == 0 || n > XCC_KEYLINE_MAX)
		return n ? -XC_ENAMETOOLONG : BAD;
	for (j = 0; j < n; j++)
		if (((unsigned char)s[j] < ' ' && s[j] != '\t') || s[j] == 0x7f)
			return BAD; /* NUL, CR, LF, other controls */
	tn = token(s, n, &i, &ts, &open);
	if (open || s[0] == '#')
		return BAD;
	if (!key_type_ok(s + ts, tn)) {
		/* options first: printable, quotes closed */
		for (j = ts; j < ts + tn; j++)
			if ((unsigned char)s[j] > 0x7e)
				return BAD;
		tn = token(s, n, &i, &ts, &open);
		if (open || !key_type_ok(s + ts, tn))
			return BAD;
	}
	bn = token(s, n, &i, &bs, &open);
	if (open || blob_ok(s + bs, bn, s + ts, tn) < 0)
		return BAD;
	if (blob) {
		*blob = s + bs;
		*blob_n = bn;
	}
	return 0;
}

int xcc_sshkey_blob(const char *s, size_t n, const char **blob, size_t *blob_n)
{
	size_t i = 0, ts, tn;
	int open, k;

	/* A key is a type-like token followed by a token that starts like a
	 * base64 blob ("AAAA": its length field's high bytes are zero). The
	 * options field, if any, comes before both. */
	for (k = 0; k < 3; k++) {
		tn = token(s, n, &i, &ts, &open);
		if (tn == 0 || s[ts] == '#')
			return BAD;
		if (k > 0 && tn >= 4 && s[ts] == 'A' && s[ts + 1] == 'A' &&
		    s[ts + 2] == 'A' && s[ts + 3] == 'A') {
			*blob = s + ts;
			*blob_n = tn;
			return 0;
		}
	}
	return BAD;
}

/* ---- paths, hashes, users, passwd ---- */

int xcc_path(const char *s, size_t n)
{
	size_t i, c = 0;

	if (n < 2 || s[0] != '/')
		return BAD;
	if (n > XCC_PATH_MAX)
		return -XC_ENAMETOOLONG;
	for (i = 1; i <= n; i++) {
		if (i == n || s[i] == '/') {
			/* the component is s[c+1 .. i) */
			size_t len = i - c - 1;
			if (len == 0 || (len == 1 && s[c + 1] == '.') ||
			    (len == 2 && s[c + 1] == '.' && s[c + 2] == '.'))
				return BAD;
			c = i;
		} else if ((unsigned char)s[i] < ' ' || s[i] == 0x7f) {
			return BAD;
		}
	}
	return 0;
}

int xcc_path_dotdot(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (s[i] == '.' && s[i + 1] == '.' && (!i || s[i - 1] == '/') &&
		    (i + 2 == n || s[i + 2] == '/'))
			return 1;
	return 0;
}

int xcc_hash(const char *s, size_t n)
{
	size_t i, dollars = 0;

	if (n > XCC_HASH_MAX)
		return -XC_ENAMETOOLONG;
	if (n && s[0] == '!') {
		s++;
		n--;
	}
	if (n == 0 || (n == 1 && s[0] == '*'))
		return 0;
	if (s[0] != '$')
		return BAD;
	for (i = 0; i < n; i++) {
		if (s[i] == '$')
			dollars++;
		else if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '/' &&
			 s[i] != '=' && s[i] != ',' && s[i] != '-')
			return BAD;
	}
	/* "$id$salt$hash", or "$id$param$salt$hash" */
	return dollars >= 3 && s[1] != '$' && s[n - 1] != '$' ? 0 : BAD;
}

int xcc_user(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > XCC_USER_MAX)
		return BAD;
	if (!(is_alnum(s[0]) && !is_digit(s[0])) && s[0] != '_')
		return BAD;
	for (i = 1; i < n; i++) {
		if (s[i] == '$' && i == n - 1)
			break;
		if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' &&
		    s[i] != '-')
			return BAD;
	}
	return 0;
}

int xcc_field(const char *s, size_t n, int i, struct xc_str *out)
{
	size_t j, st = 0;
	int k = 0;

	for (j = 0; j <= n; j++) {
		if (j == n || s[j] == ':') {
			if (k == i) {
				out->p = s + st;
				out->n = j - st;
				return 0;
			}
			k++;
			st = j + 1;
		}
	}
	return BAD;
}

int xcc_passwd_line(const char *s, size_t n, struct xcc_pw *pw)
{
	struct xc_str uid, gid, shell;

	if (xcc_field(s, n, 0, &pw->name) < 0 || xcc_field(s, n, 2, &uid) ||
	    xcc_field(s, n, 3, &gid) || xcc_field(s, n, 5, &pw->home) ||
	    xcc_field(s, n, 6, &shell) || xcc_field(s, n, 7, &shell) == 0)
		return BAD;
	if (xcc_user(pw->name.p, pw->name.n) < 0 ||
	    xcc_u32(uid.p, uid.n, 0xfffffffeu, &pw->uid) < 0 ||
	    xcc_u32(gid.p, gid.n, 0xfffffffeu, &pw->gid) < 0 ||
	    pw->home.n == 0 || pw->home.p[0] != '/')
		return BAD;
	return 0;
}

int xcc_group_line(const char *s, size_t n, struct xc_str *name, uint32_t *gid)
{
	struct xc_str g;

	if (xcc_field(s, n, 0, name) < 0 || xcc_field(s, n, 2, &g) < 0 ||
	    xcc_user(name->p, name->n) < 0)
		return BAD;
	return xcc_u32(g.p, g.n, 0xfffffffeu, gid);
}
