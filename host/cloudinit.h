/* cloudinit.h - a cloud-init NoCloud seed as a xenchan configuration.
 *
 * Reads the three files of a NoCloud seed (cloud-init's "NoCloud" data
 * source): meta-data (instance-id, local-hostname, public-keys),
 * user-data (#cloud-config: hostname, fqdn, ssh_authorized_keys, users,
 * write_files, chpasswd, system_info.default_user) and network-config
 * (netplan.h: version 2 or 1). What a xenchan agent can apply becomes
 * items; every other key is listed with hc_undelivered(), never dropped.
 * The mapping is documented in docs/HOST.md ("cloud-init seeds").
 */
#ifndef XC_CLOUDINIT_H
#define XC_CLOUDINIT_H

#include <stddef.h>

#include "host/hconf.h"

/* One seed file in memory; text NULL means absent. */
struct ci_file {
	const char *name; /* for messages, "seed/user-data" */
	const char *text;
	size_t len;
};

/* Parses a seed. default_user receives the top-level ssh_authorized_keys
 * and meta-data public-keys unless user-data names system_info's
 * default_user. Returns 0 or -1 with c->err set (file:line: message). */
int ci_parse_seed(struct hc_config *c, const struct ci_file *meta,
		  const struct ci_file *user, const struct ci_file *net,
		  const char *default_user);

/* Reads DIR/meta-data (required), DIR/user-data and DIR/network-config
 * (optional) and parses them. */
int ci_load_dir(struct hc_config *c, const char *dir, const char *default_user);

#endif
