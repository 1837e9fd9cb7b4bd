/* xsd_int.h - what the two halves of the simulation's xenstore server
 * share: the store (xsd.c) and the message handling (xsd_msg.c). */
#ifndef XC_SIM_XSD_INT_H
#define XC_SIM_XSD_INT_H

#include <stddef.h>
#include <stdint.h>

#include "board/sim/xsd.h"
#include "frontend/xsw.h"

enum {
	XSD_DIRECTORY = 1, XSD_READ = 2, XSD_GET_PERMS = 3, XSD_WATCH = 4,
	XSD_UNWATCH = 5, XSD_TX_START = 6, XSD_TX_END = 7,
	XSD_GET_DOMAIN_PATH = 10, XSD_WRITE = 11, XSD_MKDIR = 12, XSD_RM = 13,
	XSD_SET_PERMS = 14, XSD_WATCH_EVENT = 15, XSD_ERROR = 16,
};

struct xsd_op {
	int rm;
	char *path;
	char *val;
	size_t vlen;
};

struct xsd_tx {
	uint32_t id;
	struct xsd_conn *conn;
	uint64_t start_gen;
	struct xsd_op *ops;
	size_t nops;
	char **touched;
	size_t ntouched;
};

struct xsd_watch {
	struct xsd_conn *conn;
	char *path; /* as the client gave it */
	char *abs;
	char *token;
};

void *xsd_grow(void *p, size_t n, size_t size);
char *xsd_dup(const char *s, size_t n);
/* The node at path; deleted ones (tombstones, for conflicts) if any. */
struct xsd_node *xsd_find(struct xsd *s, const char *path, int any);
/* The nearest existing node at or above path. */
struct xsd_node *xsd_nearest(struct xsd *s, const char *path);
/* path is dir or below it. */
int xsd_prefix(const char *dir, const char *path);
int xsd_can(const struct xsd_node *n, int domid, int write);
/* Creates or updates a node (and parents); creator > 0 owns new nodes. */
void xsd_set(struct xsd *s, const char *path, const char *val, size_t vlen,
	     int creator);
void xsd_remove(struct xsd *s, const char *path);
void xsd_send(struct xsd_conn *c, uint32_t type, uint32_t req, uint32_t tx,
	      const void *p, size_t n);
void xsd_event(struct xsd_watch *w, const char *abs);
void xsd_tx_drop(struct xsd *s, size_t i);

#endif
