/* xtool.c - the simulator's control commands (see xtool.h): the
 * toolstack writing what libxl writes, inspection, and fault injection. */
#include "board/sim/xtool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct xsd *store_p;
static struct xbe **bes;
static int nbes;
#define store (*store_p)
#define MAX_BE nbes

static void node(const char *path, const char *val, int owner, char perm)
{
	xsd_write(&store, path, val);
	xsd_set_perm(&store, path, owner, perm);
}

static struct xbe *find_be(int dom, int devid)
{
	int i;

	for (i = 0; i < MAX_BE; i++)
		if (bes[i] && bes[i]->dom == dom && bes[i]->devid == devid)
			return bes[i];
	return 0;
}

/* The nodes libxl writes for channel `name` as device/console/<devid>. */
static int add_channel(int dom, int devid, const char *name,
		       const char *sock, char *out, size_t cap)
{
	char fe[128], be[128], p[256];
	int i;

	snprintf(fe, sizeof fe, "/local/domain/%d/device/console/%d", dom,
		 devid);
	snprintf(be, sizeof be, "/local/domain/0/backend/console/%d/%d", dom,
		 devid);
	node(be, "", 0, 'r');
#define BE(leaf, v) (snprintf(p, sizeof p, "%s/%s", be, leaf), \
		     node(p, v, 0, 'r'))
	BE("frontend", fe);
	snprintf(p + 200, 56, "%d", dom);
	BE("frontend-id", p + 200);
	BE("online", "1");
	BE("state", "1");
	BE("protocol", "vt100");
	BE("name", name);
	BE("connection", "socket");
	BE("path", sock);
#undef BE
	node(fe, "", dom, 'r');
#define FE(leaf, v, o) (snprintf(p, sizeof p, "%s/%s", fe, leaf), \
			node(p, v, o, o ? 'r' : 'r'))
	FE("backend", be, dom);
	FE("backend-id", "0", dom);
	FE("state", "1", dom);
	FE("protocol", "vt100", dom);
	FE("name", name, 0);
	FE("limit", "1048576", 0);
	FE("type", "ioemu", 0);
	FE("output", "", 0);
	FE("tty", "", 0);
#undef FE
	for (i = 0; i < MAX_BE && bes[i]; i++)
		;
	if (i == MAX_BE)
		return snprintf(out, cap, "error too many channels\n");
	bes[i] = calloc(1, sizeof *bes[i]);
	if (xbe_init(bes[i], &store, dom, devid, sock, 1048576) < 0) {
		xbe_fini(bes[i]);
		free(bes[i]);
		bes[i] = 0;
		return snprintf(out, cap, "error cannot listen on %s\n", sock);
	}
	return 0;
}

static int do_create(int argc, char **argv, char *out, size_t cap)
{
	int dom, i, devid = 1, debian = 1, first = 1;
	char p[128];

	if (argc < 2)
		return snprintf(out, cap, "error usage: create DOM ...\n");
	dom = atoi(argv[1]);
	snprintf(p, sizeof p, "/local/domain/%d", dom);
	node(p, "", dom, 'n');
	snprintf(p, sizeof p, "/local/domain/%d/name", dom);
	node(p, "guest", dom, 'n');
	snprintf(p, sizeof p, "/local/domain/%d/device", dom);
	node(p, "", dom, 'n');
	snprintf(p, sizeof p, "/local/domain/%d/device/console", dom);
	node(p, "", dom, 'n');
	for (i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!strcmp(argv[i], "--xl") && i + 1 < argc) {
			debian = !strcmp(argv[++i], "debian");
			continue;
		}
		if (!eq)
			return snprintf(out, cap, "error bad channel %s\n",
					argv[i]);
		*eq = 0;
		if (first && debian) {
			/* Debian's xl: devid 0, "Primary console has
			 * invalid configuration", dropped. */
			first = 0;
			continue;
		}
		first = 0;
		if (add_channel(dom, devid++, argv[i], eq + 1, out, cap))
			return (int)strlen(out);
	}
	return snprintf(out, cap, "ok\n");
}

static int do_fault(int argc, char **argv, char *out, size_t cap)
{
	struct xbe *b;
	int v;

	if (argc >= 4 && !strcmp(argv[1], "xs") &&
	    !strcmp(argv[2], "tx-eagain")) {
		store.fail_tx_end = atoi(argv[3]);
		return snprintf(out, cap, "ok\n");
	}
	if (argc < 4 || !(b = find_be(atoi(argv[1]), atoi(argv[2]))))
		return snprintf(out, cap, "error no such channel\n");
	v = argc > 4 ? atoi(argv[4]) : 0;
	if (!strcmp(argv[3], "lose"))
		b->lose = v;
	else if (!strcmp(argv[3], "dup"))
		b->dup = v;
	else if (!strcmp(argv[3], "late"))
		b->late_ms = v;
	else if (!strcmp(argv[3], "slow"))
		b->slow_ms = v;
	else if (!strcmp(argv[3], "drop"))
		b->drop = v;
	else if (!strcmp(argv[3], "corrupt"))
		xbe_corrupt(b);
	else if (!strcmp(argv[3], "restart"))
		xbe_restart(b, v ? v : 300);
	else if (!strcmp(argv[3], "kill"))
		xbe_kill(b, v ? v : 300);
	else
		return snprintf(out, cap, "error unknown fault %s\n", argv[3]);
	return snprintf(out, cap, "ok\n");
}

int xtool_cmd(struct xsd *s, struct xbe **tab, int n, int *quit_flag,
	      int argc, char **argv, char *out, size_t cap)
{
	store_p = s;
	bes = tab;
	nbes = n;
	struct xbe *b;
	const char *v;
	int i;

	if (!argc)
		return snprintf(out, cap, "error empty command\n");
	if (!strcmp(argv[0], "create"))
		return do_create(argc, argv, out, cap);
	if (!strcmp(argv[0], "fault"))
		return do_fault(argc, argv, out, cap);
	if (!strcmp(argv[0], "read") && argc == 2) {
		v = xsd_read(&store, argv[1]);
		return v ? snprintf(out, cap, "ok %s\n", v)
			 : snprintf(out, cap, "error ENOENT\n");
	}
	if (!strcmp(argv[0], "write") && argc >= 2) {
		xsd_write(&store, argv[1], argc > 2 ? argv[2] : "");
		return snprintf(out, cap, "ok\n");
	}
	if (!strcmp(argv[0], "rm") && argc == 2)
		return snprintf(out, cap, xsd_rm(&store, argv[1]) ? "error\n"
								   : "ok\n");
	if (!strcmp(argv[0], "stats") && argc == 3) {
		b = find_be(atoi(argv[1]), atoi(argv[2]));
		if (!b)
			return snprintf(out, cap, "error no such channel\n");
		return snprintf(out, cap,
				"ok connected=%d connects=%u to_host=%llu "
				"to_guest=%llu notify_in=%llu notify_out=%llu "
				"dropped=%llu buffered=%zu\n",
				b->connected, b->st.connects,
				(unsigned long long)b->st.to_host,
				(unsigned long long)b->st.to_guest,
				(unsigned long long)b->st.notify_in,
				(unsigned long long)b->st.notify_out,
				(unsigned long long)b->st.dropped, b->olen);
	}
	if (!strcmp(argv[0], "destroy") && argc == 2) {
		char p[64];

		for (i = 0; i < MAX_BE; i++)
			if (bes[i] && bes[i]->dom == atoi(argv[1])) {
				xbe_fini(bes[i]);
				free(bes[i]);
				bes[i] = 0;
			}
		snprintf(p, sizeof p, "/local/domain/%d", atoi(argv[1]));
		xsd_rm(&store, p);
		snprintf(p, sizeof p, "/local/domain/0/backend/console/%d",
			 atoi(argv[1]));
		xsd_rm(&store, p);
		return snprintf(out, cap, "ok\n");
	}
	if (!strcmp(argv[0], "quit")) {
		*quit_flag = 1;
		return snprintf(out, cap, "ok\n");
	}
	return snprintf(out, cap, "error unknown command %s\n", argv[0]);
}

