/* xsd.h - the simulation's xenstore server (xen/io/xs_wire.h,
 * docs/misc/xenstore.txt), enough of it to run real frontends unchanged:
 * READ, WRITE, MKDIR, RM, DIRECTORY, GET_PERMS/SET_PERMS (owner and one
 * permission for every other domain), WATCH/UNWATCH with the initial event,
 * TRANSACTION_START/END with EAGAIN when a node the transaction touched
 * changed meanwhile, GET_DOMAIN_PATH. Paths not starting with '/' are
 * relative to /local/domain/<domid> of the connection.
 *
 * Simulation code (glibc, heap allowed): never linked into the agent.
 */
#ifndef XC_SIM_XSD_H
#define XC_SIM_XSD_H

#include <stddef.h>
#include <stdint.h>

struct xsd;

struct xsd_conn {
	struct xsd *srv;
	int domid;
	unsigned char *out; /* bytes to send to the client */
	size_t out_len, out_cap;
	unsigned char in[16 + 4096];
	size_t in_len;
	void *user;
};

struct xsd_node {
	char *path;
	char *val;
	size_t vlen;
	int owner;
	char perm; /* for other domains: 'n', 'r', 'w', 'b' */
	int deleted;
	uint64_t gen;
};

struct xsd {
	struct xsd_node *nodes;
	size_t nnodes;
	struct xsd_tx *txs;
	size_t ntxs;
	struct xsd_watch *watches;
	size_t nwatches;
	uint64_t gen;
	uint32_t next_tx;
	/* Fault: fail this many guest TRANSACTION_END commits with EAGAIN. */
	int fail_tx_end;
	uint64_t tx_conflicts, tx_commits;
	/* Called after every change (the daemon's backends and tests). */
	void (*on_change)(struct xsd *s, const char *path, void *ctx);
	void *ctx;
};

void xsd_init(struct xsd *s);
struct xsd_conn *xsd_conn_new(struct xsd *s, int domid);
/* Feeds client bytes; replies are appended to c->out. -1: the client broke
 * the protocol (oversize message): close it. */
int xsd_conn_input(struct xsd_conn *c, const void *p, size_t n);
/* Drops c's watches and transactions and frees it. */
void xsd_conn_free(struct xsd_conn *c);
/* Marks n bytes of c->out as sent. */
void xsd_conn_sent(struct xsd_conn *c, size_t n);

/* Direct access for dom0 code in the simulator (no permission checks). */
int xsd_write(struct xsd *s, const char *path, const char *val);
/* Returns the value (NUL-terminated, owned by the store) or NULL. */
const char *xsd_read(struct xsd *s, const char *path);
int xsd_rm(struct xsd *s, const char *path);
int xsd_set_perm(struct xsd *s, const char *path, int owner, char perm);
/* Frees the store (connections must be freed first). */
void xsd_free(struct xsd *s);

#endif
