/* hconf.h - the host's model of one VM configuration, and its checks.
 *
 * docs/PROTOCOL.md section 4.1 (item kinds and limits), docs/HOST.md. Both
 * input formats (native.h, cloudinit.h) fill a struct hc_config through the
 * hc_add_* functions, which validate each value the way the agent will, so
 * that a bad config is refused on the host with the file and line it came
 * from, not half-way through a transaction. Host code: it may allocate
 * (strings, file contents); hc_free() releases everything.
 *
 * Secrets (password hashes, files marked secret) are kept only in the item
 * arguments and data; hc_describe() and every error message leave them out.
 */
#ifndef XC_HCONF_H
#define XC_HCONF_H

#include <stddef.h>
#include <stdint.h>

#include "agent/item.h"

#define HC_ARGS_MAX 8	   /* wire fields after the kind word */
#define HC_UNDELIV_MAX 128 /* undelivered keys listed */
#define HC_ERR_MAX 512
#define HC_SRC_MAX 96 /* "file:line" */
#define HC_ID_MAX 128 /* instance id bytes */

struct hc_item {
	enum xc_item_kind kind;
	int nargs;
	char *arg[HC_ARGS_MAX]; /* fields after the kind, as on the wire */
	unsigned char *data;	/* file content (kind file) */
	size_t size;
	int secret;	      /* password, or file secret=1 */
	char src[HC_SRC_MAX]; /* where it was defined */
};

struct hc_config {
	char instance_id[HC_ID_MAX + 1];
	char instance_src[HC_SRC_MAX];
	uint64_t generation; /* 0: not given (defaults to 1) */
	int nitems;
	struct hc_item item[XC_ITEMS_MAX];
	int nundelivered;
	char *undelivered[HC_UNDELIV_MAX];
	int undelivered_dropped; /* more than HC_UNDELIV_MAX */
	int failed;
	char err[HC_ERR_MAX]; /* the first error */
};

void hc_init(struct hc_config *c);
void hc_free(struct hc_config *c);

/* Records an error "src: message" (the first one sticks). Returns -1. */
int hc_error(struct hc_config *c, const char *src, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Lists something the agent cannot deliver ("runcmd", "users[1].sudo"). */
void hc_undelivered(struct hc_config *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Adders: each validates, copies its strings and returns 0, or records an
 * error naming src and returns -1. NULL or "" means "not given". */
int hc_set_instance_id(struct hc_config *c, const char *src, const char *id);
int hc_add_hostname(struct hc_config *c, const char *src, const char *name);
int hc_add_fqdn(struct hc_config *c, const char *src, const char *name);
int hc_add_iface(struct hc_config *c, const char *src, const char *ifid,
		 const char *mac, const char *ifname, uint32_t mtu);
int hc_add_addr(struct hc_config *c, const char *src, const char *ifid,
		const char *cidr);
/* dst is "default" or "ip/prefix"; a bare "ip" means a host route. */
int hc_add_route(struct hc_config *c, const char *src, const char *ifid,
		 const char *dst, const char *via, uint32_t metric);
int hc_add_nameserver(struct hc_config *c, const char *src, const char *ip);
int hc_add_search(struct hc_config *c, const char *src, const char *domain);
int hc_add_sshkey(struct hc_config *c, const char *src, const char *user,
		  const char *key);
/* Takes ownership of data (malloc'd, may be NULL when size is 0), also on
 * failure. mode < 0: not given. */
int hc_add_file(struct hc_config *c, const char *src, const char *path,
		unsigned char *data, size_t size, long mode, const char *owner,
		const char *group, int secret);
int hc_add_password(struct hc_config *c, const char *src, const char *user,
		    const char *hash);

/* Final checks: instance id present, addr/route name a declared iface,
 * limits (items, files, bytes), every item fits in a frame. Returns 0 or
 * -1 with c->err set. */
int hc_finish(struct hc_config *c);

/* "<instance-id>/<generation>" into buf. */
void hc_config_id(const struct hc_config *c, char *buf, size_t cap);

/* A one-line description without secrets: "file /etc/motd (4096 bytes,
 * secret)", "password admin (hash not shown)". */
void hc_describe(const struct hc_item *it, char *buf, size_t cap);

#endif
