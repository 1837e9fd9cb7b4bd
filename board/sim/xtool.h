/* xtool.h - the simulator's control commands (xensim ctl DIR CMD...):
 *   create DOM [--xl debian|fixed] NAME=SOCKET...   (the toolstack)
 *   destroy DOM | read PATH | write PATH VALUE | rm PATH | stats DOM DEVID
 *   fault DOM DEVID lose N|dup N|late MS|slow MS|drop N|corrupt|restart MS|
 *       kill MS
 *   fault xs tx-eagain N | quit
 */
#ifndef XC_SIM_XTOOL_H
#define XC_SIM_XTOOL_H

#include <stddef.h>

#include "board/sim/xbe.h"
#include "board/sim/xsd.h"

/* Runs one command against the store and the backends table (n slots);
 * writes the reply ("ok ..." or "error ...", one line) into out and
 * returns its length. Sets *quit_flag on "quit". */
int xtool_cmd(struct xsd *s, struct xbe **b, int n, int *quit_flag,
	      int argc, char **argv, char *out, size_t cap);

#endif
