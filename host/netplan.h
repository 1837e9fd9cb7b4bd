/* netplan.h - a cloud-init network-config as xenchan items: version 2
 * (netplan: ethernets matched by MAC or name, addresses, gateway4/6,
 * routes, nameservers, mtu) and version 1 (physical interfaces with
 * static subnets, nameserver entries). docs/HOST.md has the mapping; what
 * cannot be applied is listed with hc_undelivered().
 */
#ifndef XC_NETPLAN_H
#define XC_NETPLAN_H

#include "host/hconf.h"
#include "host/yamlw.h"

/* Reads the loaded network-config d into c. Returns 0 or -1. */
int np_parse(struct hc_config *c, struct yw_doc *d);

#endif
