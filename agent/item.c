/* item.c - ITEM frame to struct xc_item (docs/PROTOCOL.md section 4.1).
 *
 * Only the shape is checked here: argument counts, known keys, numbers in
 * range. Whether a hostname or an address is valid is config.c's business.
 */
#include "item.h"
#include "xc_err.h"

/* The kind names in enum xc_item_kind's order, from XC_ITEM_NONE ("?"):
 * one string, NUL-separated. */
static const char kind_names[] = "?\0hostname\0fqdn\0iface\0addr\0route\0"
				 "nameserver\0search\0sshkey\0file\0password";
#define NKINDS (XC_ITEM_PASSWORD + 1)

const char *xc_item_kind_name(enum xc_item_kind k)
{
	const char *p = kind_names;
	unsigned i;

	if ((unsigned)k >= NKINDS)
		return "?";
	for (i = 0; i < (unsigned)k; i++)
		while (*p++)
			;
	return p;
}

static int same(const char *a, size_t n, const char *b)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!b[i] || a[i] != b[i])
			return 0;
	return b[n] == 0;
}

static void set(struct xc_str *s, const struct xf_frame *f, int i)
{
	s->p = f->field[i];
	s->n = f->len[i];
}

static int parse_octal(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;
	size_t i;

	if (n == 0 || n > 4)
		return -XC_EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '7')
			return -XC_EINVAL;
		v = v * 8 + (uint32_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Optional k=v fields from index `from`; anything else is an error. */
enum {
	OPT_MTU = 1, OPT_METRIC = 2, OPT_VIA = 4, OPT_MAC = 8, OPT_NAME = 16,
	OPT_SIZE = 32, OPT_MODE = 64, OPT_OWNER = 128, OPT_GROUP = 256,
	OPT_SECRET = 512,
};

static const char *const opt_names[] = {
	"mtu", "metric", "via", "mac", "name",
	"size", "mode", "owner", "group", "secret",
};

/* Optional k=v fields from index `from`: each at most once, and only
 * those in `allowed`. */
static int options(const struct xf_frame *f, int from, unsigned allowed,
		   struct xc_item *it, const char **reason)
{
	unsigned seen = 0;
	int i;

	for (i = from; i < f->nfields; i++) {
		const char *v = 0;
		size_t n;
		uint64_t u;
		unsigned o;

		for (o = 0; o < sizeof opt_names / sizeof opt_names[0]; o++)
			if ((v = xf_kv(f, i, opt_names[o], &n)))
				break;
		if (!v || !(allowed & 1u << o))
			return *reason = "unknown-option", -XC_EINVAL;
		if (seen & 1u << o)
			return *reason = "repeated-option", -XC_EINVAL;
		seen |= 1u << o;
		switch (1u << o) {
		case OPT_MTU:
			if (xf_parse_u64(v, n, 65535, &u) < 0 || u < 68)
				return *reason = "bad-mtu", -XC_EINVAL;
			it->mtu = (uint32_t)u;
			break;
		case OPT_METRIC:
			if (xf_parse_u64(v, n, 0xffffffffu, &u) < 0)
				return *reason = "bad-metric", -XC_EINVAL;
			it->metric = (uint32_t)u;
			break;
		case OPT_VIA:
			it->c.p = v;
			it->c.n = n;
			break;
		case OPT_MAC:
		case OPT_NAME:
			it->b.p = v;
			it->b.n = n;
			it->is_mac = 1u << o == OPT_MAC;
			break;
		case OPT_SIZE:
			if (xf_parse_u64(v, n, ~(uint64_t)0, &u) < 0)
				return *reason = "bad-size", -XC_EINVAL;
			if (u > XC_FILE_MAX)
				return *reason = "too-large", -XC_EFBIG;
			it->size = u;
			break;
		case OPT_MODE:
			if (parse_octal(v, n, &it->mode) < 0 ||
			    it->mode > 07777)
				return *reason = "bad-mode", -XC_EINVAL;
			break;
		case OPT_OWNER:
			it->owner.p = v;
			it->owner.n = n;
			break;
		case OPT_GROUP:
			it->group.p = v;
			it->group.n = n;
			break;
		case OPT_SECRET:
			if (!same(v, n, "1") && !same(v, n, "0"))
				return *reason = "bad-item", -XC_EINVAL;
			it->secret = v[0] == '1';
			break;
		}
	}
	return 0;
}

/* Positional argument counts per kind (after seq and kind). */
static const struct {
	uint8_t args;   /* required positional arguments */
	uint16_t opts;  /* k=v options allowed (OPT_...) */
} shape[] = {
	[XC_ITEM_HOSTNAME] = {1, 0},   [XC_ITEM_FQDN] = {1, 0},
	[XC_ITEM_IFACE] = {1, OPT_MAC | OPT_NAME | OPT_MTU},
	[XC_ITEM_ADDR] = {2, 0},
	[XC_ITEM_ROUTE] = {2, OPT_VIA | OPT_METRIC},
	[XC_ITEM_NAMESERVER] = {1, 0},
	[XC_ITEM_SEARCH] = {1, 0},
	[XC_ITEM_SSHKEY] = {2, 0},
	[XC_ITEM_FILE] = {1, OPT_SIZE | OPT_MODE | OPT_OWNER | OPT_GROUP |
				 OPT_SECRET},
	[XC_ITEM_PASSWORD] = {2, 0},
};

int xc_item_parse(const struct xf_frame *f, struct xc_item *it,
		  const char **reason)
{
	static const struct xc_item zero;
	uint64_t seq;
	unsigned k;
	int r;

	*it = zero;
	*reason = "bad-item";
	if (!xf_is(f, "ITEM") || f->nfields < 3)
		return -XC_EINVAL;
	if (xf_parse_u64(f->field[1], f->len[1], 0xffffffffu, &seq) < 0)
		return -XC_EINVAL;
	it->seq = (uint32_t)seq;
	for (k = 1; k < NKINDS; k++)
		if (same(f->field[2], f->len[2], xc_item_kind_name(k)))
			break;
	if (k == NKINDS)
		return *reason = "unknown-kind", -XC_EINVAL;
	it->kind = (enum xc_item_kind)k;
	if (f->nfields < 3 + shape[k].args)
		return -XC_EINVAL;
	set(&it->a, f, 3);
	if (shape[k].args > 1)
		set(&it->b, f, 4);
	it->mode = 0644;
	r = options(f, 3 + shape[k].args, shape[k].opts, it, reason);
	if (r < 0)
		return r;
	if (k == XC_ITEM_IFACE &&
	    (it->b.n == 0 || (xf_find_kv(f, 4, "mac", 0) &&
			      xf_find_kv(f, 4, "name", 0))))
		return *reason = "iface-needs-mac-or-name", -XC_EINVAL;
	if (k == XC_ITEM_FILE) {
		if (!xf_find_kv(f, 4, "size", 0))
			return *reason = "file-needs-size", -XC_EINVAL;
		if (it->secret && !xf_find_kv(f, 4, "mode", 0))
			it->mode = 0600;
	}
	*reason = 0;
	return 0;
}
