/* hv.c - the simulated hypervisor: grant table and event channels
 * (see hv.h). */
#include "board/sim/hv.h"

#include <errno.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "board/sim/simhyp.h"

#define MAX_GNT 256
#define MAX_EVT 256

struct gnt {
	int live, owner, grantee, fd;
	uint32_t ref;
};

struct evt {
	int live, dom, remote, bound;
	uint32_t port, rport;
	int fd_dom, fd_remote; /* eventfds read by dom / by remote */
};

static struct gnt gnts[MAX_GNT];
static struct evt evts[MAX_EVT];
static uint32_t next_ref = 8, next_port[1024];

uint64_t sim_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint32_t alloc_port(int dom)
{
	uint32_t *n = &next_port[dom & 1023];

	if (*n == 0)
		*n = 1;
	return (*n)++;
}

int sim_gnt_map(int caller, int owner, uint32_t ref)
{
	int i;

	for (i = 0; i < MAX_GNT; i++)
		if (gnts[i].live && gnts[i].owner == owner &&
		    gnts[i].ref == ref && gnts[i].grantee == caller)
			return dup(gnts[i].fd);
	return -EPERM;
}

int sim_gnt_share(int owner, int grantee, uint32_t *ref)
{
	int i, fd;

	for (i = 0; i < MAX_GNT && gnts[i].live; i++)
		;
	if (i == MAX_GNT)
		return -ENOSPC;
	fd = memfd_create("xensim-grant", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, SH_PAGE) < 0)
		return -errno;
	gnts[i] = (struct gnt){1, owner, grantee, fd, next_ref++};
	*ref = gnts[i].ref;
	return dup(fd);
}

void sim_gnt_end(int owner, uint32_t ref)
{
	int i;

	/* The page lives on in whoever mapped it, as with gntalloc. */
	for (i = 0; i < MAX_GNT; i++)
		if (gnts[i].live && gnts[i].owner == owner &&
		    gnts[i].ref == ref) {
			close(gnts[i].fd);
			gnts[i].live = 0;
		}
}

int sim_evt_alloc(int dom, int remote, uint32_t *port, int fds[2])
{
	int i;

	for (i = 0; i < MAX_EVT && evts[i].live; i++)
		;
	if (i == MAX_EVT)
		return -ENOSPC;
	evts[i] = (struct evt){1, dom, remote, 0, alloc_port(dom), 0,
			       eventfd(0, EFD_CLOEXEC),
			       eventfd(0, EFD_CLOEXEC)};
	*port = evts[i].port;
	fds[0] = dup(evts[i].fd_dom);
	fds[1] = dup(evts[i].fd_remote);
	return 0;
}

int sim_evt_bind(int caller, int remote, uint32_t rport, uint32_t *port,
		 int fds[2])
{
	int i;

	for (i = 0; i < MAX_EVT; i++) {
		struct evt *e = &evts[i];

		if (!e->live || e->dom != remote || e->port != rport ||
		    e->remote != caller)
			continue;
		/* A restarted backend binds the same port again. */
		e->bound = 1;
		e->rport = *port = alloc_port(caller);
		fds[0] = dup(e->fd_remote);
		fds[1] = dup(e->fd_dom);
		return 0;
	}
	return -EINVAL;
}

