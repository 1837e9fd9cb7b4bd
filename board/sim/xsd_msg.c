/* xsd_msg.c - the simulation's xenstore server: one xs_wire message at a
 * time, with transactions (see xsd.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/sim/xsd_int.h"

static struct xsd_tx *xsd_tx(struct xsd *s, struct xsd_conn *c, uint32_t id)
{
	size_t i;

	for (i = 0; i < s->ntxs; i++)
		if (s->txs[i].id == id && s->txs[i].conn == c)
			return &s->txs[i];
	return 0;
}

static void xsd_touch(struct xsd_tx *t, const char *path)
{
	t->touched = xsd_grow(t->touched, t->ntouched, sizeof *t->touched);
	t->touched[t->ntouched++] = xsd_dup(path, strlen(path));
}

/* A read inside a transaction sees the transaction's own writes. */
static const struct xsd_op *xsd_tx_lookup(struct xsd_tx *t, const char *path)
{
	size_t i = t->nops;

	while (i--) {
		const struct xsd_op *o = &t->ops[i];

		if (o->rm ? xsd_prefix(o->path, path) : !strcmp(o->path, path))
			return o;
	}
	return 0;
}

static void xsd_err(struct xsd_conn *c, const struct xsw_hdr *h, int e)
{
	const char *name = e == ENOENT	 ? "ENOENT"
			   : e == EACCES ? "EACCES"
			   : e == EAGAIN ? "EAGAIN"
			   : e == E2BIG	 ? "E2BIG"
			   : e == EEXIST ? "EEXIST"
					 : "EINVAL";

	xsd_send(c, XSD_ERROR, h->req_id, h->tx_id, name, strlen(name) + 1);
}

static void xsd_ok(struct xsd_conn *c, const struct xsw_hdr *h)
{
	xsd_send(c, h->type, h->req_id, h->tx_id, "OK", 3);
}

static int xsd_tx_end(struct xsd *s, struct xsd_conn *c, struct xsd_tx *t,
		      int commit)
{
	size_t i;

	if (!commit)
		return 0;
	if (c->domid != 0 && s->fail_tx_end > 0) {
		s->fail_tx_end--;
		s->tx_conflicts++;
		return -EAGAIN;
	}
	for (i = 0; i < t->ntouched; i++) {
		struct xsd_node *n = xsd_find(s, t->touched[i], 1);

		if (n && n->gen > t->start_gen) {
			s->tx_conflicts++;
			return -EAGAIN;
		}
	}
	for (i = 0; i < t->nops; i++) {
		const struct xsd_op *o = &t->ops[i];

		if (o->rm) {
			if (xsd_find(s, o->path, 0))
				xsd_remove(s, o->path);
		} else {
			xsd_set(s, o->path, o->val, o->vlen, c->domid);
		}
	}
	s->tx_commits++;
	return 0;
}

static void xsd_handle(struct xsd_conn *c, const struct xsw_hdr *h,
		       const char *p)
{
	struct xsd *s = c->srv;
	struct xsd_tx *t = 0;
	struct xsd_node *n;
	const struct xsd_op *op;
	char path[4096], buf[4096];
	size_t plen, i, len = 0;
	const char *arg;

	if (h->tx_id) {
		t = xsd_tx(s, c, h->tx_id);
		if (!t)
			return xsd_err(c, h, ENOENT);
	}
	/* First string: a path (or a token, a domid...). */
	plen = strnlen(p, h->len);
	if (plen == h->len && h->type != XSD_TX_START)
		return xsd_err(c, h, EINVAL);
	if (p[0] == '/' || h->type == XSD_TX_START || h->type == XSD_TX_END ||
	    h->type == XSD_GET_DOMAIN_PATH)
		snprintf(path, sizeof path, "%.*s", (int)plen, p);
	else
		snprintf(path, sizeof path, "/local/domain/%d/%.*s", c->domid,
			 (int)plen, p);
	if (plen > 3072)
		return xsd_err(c, h, E2BIG);
	arg = p + plen + 1;

	switch (h->type) {
	case XSD_READ:
		if (t) {
			xsd_touch(t, path);
			op = xsd_tx_lookup(t, path);
			if (op && op->rm)
				return xsd_err(c, h, ENOENT);
			if (op) {
				n = xsd_nearest(s, path);
				if (!xsd_can(n, c->domid, 0))
					return xsd_err(c, h, EACCES);
				xsd_send(c, h->type, h->req_id, h->tx_id,
					 op->val, op->vlen);
				return;
			}
		}
		n = xsd_find(s, path, 0);
		if (!n)
			return xsd_err(c, h, ENOENT);
		if (!xsd_can(n, c->domid, 0))
			return xsd_err(c, h, EACCES);
		xsd_send(c, h->type, h->req_id, h->tx_id, n->val, n->vlen);
		return;
	case XSD_WRITE:
	case XSD_MKDIR:
		n = xsd_nearest(s, path);
		if (!xsd_can(n, c->domid, 1))
			return xsd_err(c, h, EACCES);
		if (h->type == XSD_MKDIR) {
			if (!xsd_find(s, path, 0))
				xsd_set(s, path, "", 0, c->domid);
			return xsd_ok(c, h);
		}
		len = plen < h->len ? h->len - plen - 1 : 0;
		if (t) {
			xsd_touch(t, path);
			t->ops = xsd_grow(t->ops, t->nops, sizeof *t->ops);
			t->ops[t->nops++] = (struct xsd_op){
				0, xsd_dup(path, strlen(path)),
				xsd_dup(arg, len), len};
			return xsd_ok(c, h);
		}
		xsd_set(s, path, arg, len, c->domid);
		return xsd_ok(c, h);
	case XSD_RM:
		n = xsd_find(s, path, 0);
		if (!n)
			return xsd_err(c, h, ENOENT);
		if (!xsd_can(n, c->domid, 1))
			return xsd_err(c, h, EACCES);
		if (t) {
			xsd_touch(t, path);
			t->ops = xsd_grow(t->ops, t->nops, sizeof *t->ops);
			t->ops[t->nops++] = (struct xsd_op){
				1, xsd_dup(path, strlen(path)), 0, 0};
			return xsd_ok(c, h);
		}
		xsd_remove(s, path);
		return xsd_ok(c, h);
	case XSD_DIRECTORY:
		n = xsd_find(s, path, 0);
		if (!n)
			return xsd_err(c, h, ENOENT);
		if (!xsd_can(n, c->domid, 0))
			return xsd_err(c, h, EACCES);
		if (t)
			xsd_touch(t, path);
		for (i = 0; i < s->nnodes; i++) {
			const char *q = s->nodes[i].path, *rest;
			size_t k = strlen(path);

			if (s->nodes[i].deleted || !strcmp(q, "/"))
				continue;
			if (!strcmp(path, "/"))
				k = 0;
			else if (strncmp(q, path, k) || q[k] != '/')
				continue;
			rest = q + k + 1;
			if (strchr(rest, '/'))
				continue;
			if (len + strlen(rest) + 1 > sizeof buf)
				return xsd_err(c, h, E2BIG);
			memcpy(buf + len, rest, strlen(rest) + 1);
			len += strlen(rest) + 1;
		}
		xsd_send(c, h->type, h->req_id, h->tx_id, buf, len);
		return;
	case XSD_GET_PERMS:
		n = xsd_find(s, path, 0);
		if (!n)
			return xsd_err(c, h, ENOENT);
		len = (size_t)snprintf(buf, sizeof buf, "%c%d", n->perm,
				       n->owner) + 1;
		xsd_send(c, h->type, h->req_id, h->tx_id, buf, len);
		return;
	case XSD_SET_PERMS:
		/* "path\0<p><owner>\0..." : we keep the first entry only. */
		n = xsd_find(s, path, 0);
		if (!n)
			return xsd_err(c, h, ENOENT);
		if (c->domid != 0 && n->owner != c->domid)
			return xsd_err(c, h, EACCES);
		if (plen + 2 >= h->len || !strchr("nrwb", arg[0]))
			return xsd_err(c, h, EINVAL);
		n->owner = atoi(arg + 1);
		n->perm = arg[0];
		return xsd_ok(c, h);
	case XSD_WATCH: {
		struct xsd_watch *w;

		if (plen + 1 >= h->len)
			return xsd_err(c, h, EINVAL);
		for (i = 0; i < s->nwatches; i++)
			if (s->watches[i].conn == c &&
			    !strcmp(s->watches[i].abs, path) &&
			    !strcmp(s->watches[i].token, arg))
				return xsd_err(c, h, EEXIST);
		s->watches = xsd_grow(s->watches, s->nwatches,
				      sizeof *s->watches);
		w = &s->watches[s->nwatches++];
		w->conn = c;
		w->path = xsd_dup(p, plen);
		w->abs = xsd_dup(path, strlen(path));
		w->token = xsd_dup(arg, strnlen(arg, h->len - plen - 1));
		xsd_ok(c, h);
		xsd_event(w, path); /* the initial event */
		return;
	}
	case XSD_UNWATCH:
		for (i = 0; i < s->nwatches; i++) {
			struct xsd_watch *w = &s->watches[i];

			if (w->conn == c && !strcmp(w->abs, path) &&
			    plen + 1 < h->len && !strcmp(w->token, arg)) {
				free(w->path);
				free(w->abs);
				free(w->token);
				*w = s->watches[--s->nwatches];
				return xsd_ok(c, h);
			}
		}
		return xsd_err(c, h, ENOENT);
	case XSD_TX_START:
		if (t)
			return xsd_err(c, h, EINVAL);
		s->txs = xsd_grow(s->txs, s->ntxs, sizeof *s->txs);
		t = &s->txs[s->ntxs++];
		memset(t, 0, sizeof *t);
		t->id = s->next_tx++;
		t->conn = c;
		t->start_gen = s->gen;
		len = (size_t)snprintf(buf, sizeof buf, "%u", t->id) + 1;
		xsd_send(c, h->type, h->req_id, 0, buf, len);
		return;
	case XSD_TX_END: {
		int rc;

		if (!t)
			return xsd_err(c, h, ENOENT);
		rc = xsd_tx_end(s, c, t, p[0] == 'T');
		for (i = 0; i < s->ntxs; i++)
			if (&s->txs[i] == t)
				xsd_tx_drop(s, i);
		if (rc < 0)
			return xsd_err(c, h, -rc);
		return xsd_ok(c, h);
	}
	case XSD_GET_DOMAIN_PATH:
		len = (size_t)snprintf(buf, sizeof buf, "/local/domain/%s",
				       path) + 1;
		xsd_send(c, h->type, h->req_id, h->tx_id, buf, len);
		return;
	}
	xsd_err(c, h, EINVAL);
}

int xsd_conn_input(struct xsd_conn *c, const void *data, size_t n)
{
	const unsigned char *p = data;
	struct xsw_hdr h;
	size_t want, take;

	while (n) {
		if (c->in_len < 16) {
			want = 16 - c->in_len;
		} else {
			memcpy(&h, c->in, sizeof h);
			want = 16 + h.len - c->in_len;
		}
		take = n < want ? n : want;
		memcpy(c->in + c->in_len, p, take);
		c->in_len += take;
		p += take;
		n -= take;
		if (c->in_len < 16)
			return 0;
		memcpy(&h, c->in, sizeof h);
		if (h.len > 4096)
			return -1;
		if (c->in_len < 16 + h.len)
			continue;
		{
			char body[4097];

			memcpy(body, c->in + 16, h.len);
			body[h.len] = 0;
			c->in_len = 0;
			xsd_handle(c, &h, body);
		}
	}
	return 0;
}

