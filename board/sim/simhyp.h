/* simhyp.h - the simulated hypervisor's call interface, shared by the
 * simulator (xensim.c) and the agent's sim board (sim_dev.c).
 *
 * A domain connects to DIR/hyp.sock (SOCK_SEQPACKET) and sends fixed-size
 * requests; replies carry file descriptors (SCM_RIGHTS):
 *   SH_HELLO      a = our domid                          -> rc
 *   SH_GNT_SHARE  a = grantee domid      -> v = grant ref, fd: the page
 *                                           (memfd, 4096 bytes)
 *   SH_GNT_MAP    a = granting domid, b = ref  -> fd: the page, if it was
 *                                           granted to the caller
 *   SH_GNT_END    b = ref
 *   SH_EVT_ALLOC  a = remote domid       -> v = port, fds: [ours, peer's]
 *   SH_EVT_BIND   a = remote domid, b = remote port -> v = port,
 *                                           fds: [ours, peer's]
 * An event channel is a pair of eventfds: each end reads its own and
 * notifies by writing the other's.
 * xenstore is DIR/xenbus.sock, a stream of xs_wire messages after a 4-byte
 * domid preamble (in a real guest the kernel knows who is asking).
 */
#ifndef XC_SIM_HYP_H
#define XC_SIM_HYP_H

#include <stdint.h>

enum sh_op {
	SH_HELLO = 1,
	SH_GNT_SHARE,
	SH_GNT_MAP,
	SH_GNT_END,
	SH_EVT_ALLOC,
	SH_EVT_BIND,
};

struct sh_req {
	uint32_t op, a, b;
};

struct sh_rep {
	int32_t rc; /* 0 or -errno */
	uint32_t v;
};

#define SH_PAGE 4096

#endif
