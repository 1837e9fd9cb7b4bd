/* sim_dev.c - xen_dev.h for the simulated Xen (board/sim/xensim): the
 * agent built with this file instead of board/linux/xen_dev.c and
 * xen_sysfs.c is $(O)/xenchan-agent-sim; everything else is the
 * production agent. XENSIM_DIR names the simulator's directory and
 * XENSIM_DOMID our domain. No heap, like the rest of the agent. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/xc_err.h"
#include "board/linux/transport.h"
#include "board/linux/xen_dev.h"
#include "board/sim/simhyp.h"

static int sd_hyp = -1;

static int sd_connect(const char *leaf, int type)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	const char *dir = getenv("XENSIM_DIR");
	int fd;

	if (!dir)
		return -XC_ENOENT;
	snprintf(a.sun_path, sizeof a.sun_path, "%s/%s", dir, leaf);
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static uint32_t sd_domid(void)
{
	const char *d = getenv("XENSIM_DOMID");

	return d ? (uint32_t)strtoul(d, 0, 10) : 1;
}

int xd_present(void)
{
	return getenv("XENSIM_DIR") != NULL;
}

const char *xd_where(void)
{
	return "XENSIM_DIR (simulated Xen)";
}

int xd_xenbus_open(void)
{
	uint32_t dom = sd_domid();
	int fd = sd_connect("xenbus.sock", SOCK_STREAM);

	if (fd >= 0 && write(fd, &dom, sizeof dom) != sizeof dom) {
		close(fd);
		return -XC_EIO;
	}
	return fd;
}

/* One call; fds[] receives up to two descriptors. */
static int sd_call(uint32_t op, uint32_t a, uint32_t b, uint32_t *v,
		   int fds[2])
{
	struct sh_req rq = {op, a, b};
	struct sh_rep rp;
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = {&rp, sizeof rp};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1,
			   .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	struct cmsghdr *c;

	if (sd_hyp < 0) {
		struct sh_req hello = {SH_HELLO, sd_domid(), 0};

		sd_hyp = sd_connect("hyp.sock", SOCK_SEQPACKET);
		if (sd_hyp < 0)
			return sd_hyp;
		if (write(sd_hyp, &hello, sizeof hello) != sizeof hello ||
		    read(sd_hyp, &rp, sizeof rp) != sizeof rp || rp.rc < 0)
			return -XC_EIO;
	}
	if (write(sd_hyp, &rq, sizeof rq) != sizeof rq)
		return -XC_EIO;
	if (recvmsg(sd_hyp, &m, MSG_CMSG_CLOEXEC) != sizeof rp)
		return -XC_EIO;
	if (rp.rc < 0)
		return rp.rc;
	if (v)
		*v = rp.v;
	c = CMSG_FIRSTHDR(&m);
	if (fds && c && c->cmsg_type == SCM_RIGHTS)
		memcpy(fds, CMSG_DATA(c), c->cmsg_len - CMSG_LEN(0));
	return 0;
}

int xd_gnt_share(struct xd_gnt *g, uint16_t domid)
{
	int fds[2] = {-1, -1}, rc;
	void *p;

	memset(g, 0, sizeof *g);
	g->fd = -1;
	rc = sd_call(SH_GNT_SHARE, domid, 0, &g->ref, fds);
	if (rc < 0)
		return rc;
	p = mmap(0, SH_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fds[0], 0);
	if (p == MAP_FAILED) {
		close(fds[0]);
		return -errno;
	}
	g->fd = fds[0];
	g->page = p;
	return 0;
}

void xd_gnt_end(struct xd_gnt *g)
{
	if (g->page) {
		munmap(g->page, SH_PAGE);
		sd_call(SH_GNT_END, 0, g->ref, 0, 0);
	}
	if (g->fd >= 0)
		close(g->fd);
	g->page = 0;
	g->fd = -1;
}

int xd_evtchn_alloc(struct xd_evtchn *e, uint16_t domid)
{
	int fds[2] = {-1, -1}, rc;

	memset(e, 0, sizeof *e);
	e->fd = e->notify_fd = -1;
	rc = sd_call(SH_EVT_ALLOC, domid, 0, &e->port, fds);
	if (rc < 0)
		return rc;
	e->fd = fds[0];
	e->notify_fd = fds[1];
	fcntl(e->fd, F_SETFL, O_NONBLOCK);
	return 0;
}

int xd_evtchn_notify(struct xd_evtchn *e)
{
	uint64_t one = 1;

	return write(e->notify_fd, &one, sizeof one) < 0 ? -errno : 0;
}

int xd_evtchn_consume(struct xd_evtchn *e)
{
	uint64_t n = 0;

	if (read(e->fd, &n, sizeof n) != sizeof n)
		return 0;
	return (int)n;
}

void xd_evtchn_close(struct xd_evtchn *e)
{
	if (e->fd >= 0)
		close(e->fd);
	if (e->notify_fd >= 0)
		close(e->notify_fd);
	e->fd = e->notify_fd = -1;
}

int xd_kernel_bound(uint32_t devid)
{
	return 0; /* no kernel frontend in the simulation */
}

int xd_kernel_unbind(uint32_t devid)
{
	return 0;
}

int xt_open_hvc(struct xt *t, const struct xt_opts *o)
{
	return -XC_ENOENT; /* the simulation has no hvc_xen */
}
