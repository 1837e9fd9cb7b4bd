/* xsd.c - the simulation's xenstore server: the store, permissions,
 * watches and connections (see xsd.h; messages in xsd_msg.c). */
#include "board/sim/xsd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/sim/xsd_int.h"

void *xsd_grow(void *p, size_t n, size_t size)
{
	void *q = realloc(p, (n + 1) * size);

	if (!q)
		abort();
	return q;
}

char *xsd_dup(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (!d)
		abort();
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

void xsd_init(struct xsd *s)
{
	memset(s, 0, sizeof *s);
	s->next_tx = 1;
	xsd_write(s, "/local", "");
	xsd_write(s, "/local/domain", "");
	xsd_set_perm(s, "/", 0, 'r');
	xsd_set_perm(s, "/local", 0, 'r');
	xsd_set_perm(s, "/local/domain", 0, 'r');
}

struct xsd_node *xsd_find(struct xsd *s, const char *path, int any)
{
	size_t i;

	for (i = 0; i < s->nnodes; i++)
		if (!strcmp(s->nodes[i].path, path) &&
		    (any || !s->nodes[i].deleted))
			return &s->nodes[i];
	return 0;
}

/* Parent path in buf ("/" for top-level). */
static void xsd_parent(const char *path, char *buf, size_t cap)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash && slash != path ? (size_t)(slash - path) : 1;

	if (n >= cap)
		n = cap - 1;
	memcpy(buf, path, n);
	buf[n] = 0;
}

int xsd_prefix(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "/"))
		return 1;
	return !strncmp(dir, path, n) && (path[n] == 0 || path[n] == '/');
}

/* The nearest existing node at or above path. */
struct xsd_node *xsd_nearest(struct xsd *s, const char *path)
{
	char cur[4096], up[4096];
	struct xsd_node *n;

	snprintf(cur, sizeof cur, "%s", path);
	for (;;) {
		n = xsd_find(s, cur, 0);
		if (n || !strcmp(cur, "/"))
			return n;
		xsd_parent(cur, up, sizeof up);
		strcpy(cur, up);
	}
}

int xsd_can(const struct xsd_node *n, int domid, int write)
{
	if (domid == 0 || !n || n->owner == domid)
		return 1;
	if (write)
		return n->perm == 'w' || n->perm == 'b';
	return n->perm == 'r' || n->perm == 'b';
}

static void xsd_changed(struct xsd *s, const char *path, int removed);

/* Creates or updates a node and missing parents (inheriting perms). */
void xsd_set(struct xsd *s, const char *path, const char *val,
		    size_t vlen, int creator)
{
	struct xsd_node *n = xsd_find(s, path, 1), *par;
	char up[4096];

	if (strcmp(path, "/")) {
		xsd_parent(path, up, sizeof up);
		if (!xsd_find(s, up, 0))
			xsd_set(s, up, "", 0, creator);
	}
	s->gen++;
	if (!n) {
		s->nodes = xsd_grow(s->nodes, s->nnodes, sizeof *s->nodes);
		n = &s->nodes[s->nnodes++];
		memset(n, 0, sizeof *n);
		n->path = xsd_dup(path, strlen(path));
		n->deleted = 1;
	}
	if (n->deleted) {
		xsd_parent(path, up, sizeof up);
		par = strcmp(path, "/") ? xsd_find(s, up, 0) : 0;
		n->owner = par ? par->owner : 0;
		n->perm = par ? par->perm : 'n';
		/* Like xenstored: a guest owns what it creates. */
		if (creator > 0)
			n->owner = creator;
		n->deleted = 0;
	}
	free(n->val);
	n->val = xsd_dup(val, vlen);
	n->vlen = vlen;
	n->gen = s->gen;
	xsd_changed(s, path, 0);
}

void xsd_remove(struct xsd *s, const char *path)
{
	size_t i;

	s->gen++;
	for (i = 0; i < s->nnodes; i++) {
		struct xsd_node *n = &s->nodes[i];

		if (!n->deleted && xsd_prefix(path, n->path)) {
			n->deleted = 1;
			n->gen = s->gen;
		}
	}
	xsd_changed(s, path, 1);
}

int xsd_write(struct xsd *s, const char *path, const char *val)
{
	xsd_set(s, path, val, strlen(val), 0);
	return 0;
}

const char *xsd_read(struct xsd *s, const char *path)
{
	struct xsd_node *n = xsd_find(s, path, 0);

	return n ? n->val : 0;
}

int xsd_rm(struct xsd *s, const char *path)
{
	if (!xsd_find(s, path, 0))
		return -ENOENT;
	xsd_remove(s, path);
	return 0;
}

int xsd_set_perm(struct xsd *s, const char *path, int owner, char perm)
{
	struct xsd_node *n = xsd_find(s, path, 0);

	if (!n && !strcmp(path, "/")) {
		xsd_set(s, "/", "", 0, 0);
		n = xsd_find(s, path, 0);
	}
	if (!n)
		return -ENOENT;
	n->owner = owner;
	n->perm = perm;
	return 0;
}

void xsd_send(struct xsd_conn *c, uint32_t type, uint32_t req,
		     uint32_t tx, const void *p, size_t n)
{
	struct xsw_hdr h = {type, req, tx, (uint32_t)n};

	if (c->out_len + sizeof h + n > c->out_cap) {
		c->out_cap = (c->out_len + sizeof h + n) * 2;
		c->out = realloc(c->out, c->out_cap);
		if (!c->out)
			abort();
	}
	memcpy(c->out + c->out_len, &h, sizeof h);
	memcpy(c->out + c->out_len + sizeof h, p, n);
	c->out_len += sizeof h + n;
}

void xsd_conn_sent(struct xsd_conn *c, size_t n)
{
	memmove(c->out, c->out + n, c->out_len - n);
	c->out_len -= n;
}

void xsd_event(struct xsd_watch *w, const char *abs)
{
	char buf[4200];
	const char *p = abs;
	size_t n, plen, home;
	char pre[48];

	/* A relative watch gets relative paths back. */
	if (w->path[0] != '/') {
		home = (size_t)snprintf(pre, sizeof pre, "/local/domain/%d/",
					w->conn->domid);
		if (!strncmp(abs, pre, home))
			p = abs + home;
	}
	plen = strlen(p);
	n = plen + 1 + strlen(w->token) + 1;
	if (n > sizeof buf)
		return;
	memcpy(buf, p, plen + 1);
	memcpy(buf + plen + 1, w->token, strlen(w->token) + 1);
	xsd_send(w->conn, XSD_WATCH_EVENT, 0, 0, buf, n);
}

static void xsd_changed(struct xsd *s, const char *path, int removed)
{
	size_t i;

	for (i = 0; i < s->nwatches; i++) {
		struct xsd_watch *w = &s->watches[i];

		if (xsd_prefix(w->abs, path) ||
		    (removed && xsd_prefix(path, w->abs)))
			xsd_event(w, path);
	}
	if (s->on_change)
		s->on_change(s, path, s->ctx);
}

struct xsd_conn *xsd_conn_new(struct xsd *s, int domid)
{
	struct xsd_conn *c = calloc(1, sizeof *c);

	if (!c)
		abort();
	c->srv = s;
	c->domid = domid;
	return c;
}

static void xsd_tx_free(struct xsd_tx *t)
{
	size_t i;

	for (i = 0; i < t->nops; i++) {
		free(t->ops[i].path);
		free(t->ops[i].val);
	}
	for (i = 0; i < t->ntouched; i++)
		free(t->touched[i]);
	free(t->ops);
	free(t->touched);
}

void xsd_tx_drop(struct xsd *s, size_t i)
{
	xsd_tx_free(&s->txs[i]);
	s->txs[i] = s->txs[--s->ntxs];
}

void xsd_conn_free(struct xsd_conn *c)
{
	struct xsd *s = c->srv;
	size_t i;

	for (i = 0; i < s->nwatches;) {
		if (s->watches[i].conn == c) {
			free(s->watches[i].path);
			free(s->watches[i].abs);
			free(s->watches[i].token);
			s->watches[i] = s->watches[--s->nwatches];
		} else {
			i++;
		}
	}
	for (i = 0; i < s->ntxs;) {
		if (s->txs[i].conn == c)
			xsd_tx_drop(s, i);
		else
			i++;
	}
	free(c->out);
	free(c);
}

void xsd_free(struct xsd *s)
{
	size_t i;

	for (i = 0; i < s->nnodes; i++) {
		free(s->nodes[i].path);
		free(s->nodes[i].val);
	}
	while (s->ntxs)
		xsd_tx_drop(s, 0);
	for (i = 0; i < s->nwatches; i++) {
		free(s->watches[i].path);
		free(s->watches[i].abs);
		free(s->watches[i].token);
	}
	free(s->nodes);
	free(s->txs);
	free(s->watches);
	memset(s, 0, sizeof *s);
}

