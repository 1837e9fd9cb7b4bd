/* item.h - one configuration item, as parsed from an ITEM frame.
 *
 * docs/PROTOCOL.md section 4.1. Parsing only splits and range-checks the
 * fields; the meaning checks (hostname syntax, addresses, key lines, paths)
 * are in config.h, and applying them is the board's job.
 */
#ifndef XC_ITEM_H
#define XC_ITEM_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

enum xc_item_kind {
	XC_ITEM_NONE = 0,
	XC_ITEM_HOSTNAME,
	XC_ITEM_FQDN,
	XC_ITEM_IFACE,
	XC_ITEM_ADDR,
	XC_ITEM_ROUTE,
	XC_ITEM_NAMESERVER,
	XC_ITEM_SEARCH,
	XC_ITEM_SSHKEY,
	XC_ITEM_FILE,
	XC_ITEM_PASSWORD,
};

#define XC_FILE_MAX (256u * 1024u)   /* bytes per file */
#define XC_CONFIG_MAX (1024u * 1024u) /* bytes per configuration */
#define XC_FILES_MAX 64
#define XC_ITEMS_MAX 256

/* A byte string inside a decoded frame (NUL-terminated there too). */
struct xc_str {
	const char *p;
	size_t n;
};

struct xc_item {
	enum xc_item_kind kind;
	uint32_t seq;
	/* hostname, fqdn, nameserver, search: a = the value.
	 * iface: a = ifid, b = mac or ifname (is_mac says which), mtu.
	 * addr: a = ifid, b = "ip/prefix".
	 * route: a = ifid, b = "dst/prefix" or "default", c = via (may be
	 *        empty), metric.
	 * sshkey, password: a = user, b = key line or hash.
	 * file: a = path, size, mode, owner/group as given (may be empty),
	 *       secret. */
	struct xc_str a, b, c;
	struct xc_str owner, group;
	int is_mac;
	int secret;
	uint32_t mtu;    /* 0: leave as is */
	uint32_t metric; /* 0: kernel default */
	uint32_t mode;   /* file mode, default 0644 (0600 when secret) */
	uint64_t size;   /* file size in bytes */
};

/* Name of a kind as on the wire ("hostname"...), "?" if none. */
const char *xc_item_kind_name(enum xc_item_kind k);

/* Parses an ITEM frame: field 1 is seq, 2 the kind, then arguments.
 * Returns 0, or a negative XC_E... code with *reason set to a wire reason
 * word ("bad-item", "unknown-kind", "bad-mode", "too-large"...). */
int xc_item_parse(const struct xf_frame *f, struct xc_item *it,
		  const char **reason);

#endif
