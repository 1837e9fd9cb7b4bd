/* hv.h - the simulated hypervisor (xensim): grants are 4096-byte memfds,
 * an event channel is a pair of eventfds (simhyp.h). Every function
 * returns >= 0 or -errno. */
#ifndef XC_SIM_HV_H
#define XC_SIM_HV_H

#include <stdint.h>

uint64_t sim_now_ms(void);
/* owner grants a new page to grantee: *ref, and a descriptor of the page. */
int sim_gnt_share(int owner, int grantee, uint32_t *ref);
/* caller maps owner's grant ref: a descriptor of the page if it was
 * granted to caller. */
int sim_gnt_map(int caller, int owner, uint32_t ref);
void sim_gnt_end(int owner, uint32_t ref);
/* An unbound port of dom for remote; fds: [dom reads, dom notifies]. */
int sim_evt_alloc(int dom, int remote, uint32_t *port, int fds[2]);
/* caller binds remote's port: its own port, fds as above. */
int sim_evt_bind(int caller, int remote, uint32_t rport, uint32_t *port,
		 int fds[2]);

#endif
