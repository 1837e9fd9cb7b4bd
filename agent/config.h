/* config.h - meaning checks for configuration values, before staging.
 *
 * docs/PROTOCOL.md section 4.1. Pure functions over byte strings (which may
 * hold NUL bytes: every check is over the given length): host names after
 * RFC 1123 section 2.1, MAC addresses, IPv4/IPv6 addresses (RFC 4291
 * section 2.2 text forms) with prefixes, config ids, interface ids, OpenSSH
 * authorized_keys lines (sshd(8) "AUTHORIZED_KEYS FILE FORMAT", the key
 * blob per RFC 4253 section 6.6), target paths, crypt(3) hashes, user names
 * and etc/passwd lines (passwd(5)). No OS calls.
 *
 * Every check returns 0 if the value is acceptable, or a negative XC_E...
 * code (-XC_EINVAL, or -XC_ENAMETOOLONG / -XC_ERANGE for size limits).
 */
#ifndef XC_CONFIG_H
#define XC_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "item.h"

#define XCC_LABEL_MAX 63     /* bytes per host name label */
#define XCC_DOMAIN_MAX 253   /* bytes of a dotted name */
#define XCC_IFID_MAX 15	     /* bytes of an <ifid> or a Linux ifname */
#define XCC_USER_MAX 32	     /* bytes of a user name */
#define XCC_PATH_MAX 255     /* bytes of a target path */
#define XCC_HASH_MAX 255     /* bytes of a password hash */
#define XCC_KEYLINE_MAX 4000 /* bytes of an authorized_keys line */
#define XCC_ID_MAX 128	     /* bytes of the instance part of a config id */
#define XCC_IP_TEXT_MAX 46   /* INET6_ADDRSTRLEN, NUL included */

/* One label (a host name): 1..63 of [A-Za-z0-9-], no '-' at either end. */
int xcc_hostname(const char *s, size_t n);
/* A dotted name (fqdn, search domain): labels as above, <= 253 bytes, one
 * trailing '.' not allowed. A single label is accepted. */
int xcc_domain(const char *s, size_t n);

/* "52:54:00:12:34:56" (either case, ':' or '-' separators). */
int xcc_mac(const char *s, size_t n, uint8_t mac[6]);
/* Writes "52:54:00:12:34:56" and a NUL into out[18]. */
void xcc_mac_format(const uint8_t mac[6], char out[18]);

struct xcc_ip {
	uint8_t family; /* 4 or 6 */
	uint8_t prefix; /* 0..32 or 0..128 */
	uint8_t a[16];	/* network byte order; IPv4 in a[0..3] */
};

/* An address alone; prefix is set to the full length. */
int xcc_ip(const char *s, size_t n, struct xcc_ip *ip);
/* "<ip>/<prefix>"; the prefix is required. */
int xcc_ip_prefix(const char *s, size_t n, struct xcc_ip *ip);
/* Address only, canonical text (RFC 5952 for IPv6) into out (NUL ended);
 * returns its length. */
size_t xcc_ip_format(const struct xcc_ip *ip, char out[XCC_IP_TEXT_MAX]);

/* <instance-id>/<generation>: 1..128 of [A-Za-z0-9._:-], '/', digits. */
int xcc_config_id(const char *s, size_t n);
/* <ifid>: 1..15 of [a-z0-9]. */
int xcc_ifid(const char *s, size_t n);
/* A Linux interface name: 1..15 bytes, no '/', ':', space or control
 * byte, not "." or "..". */
int xcc_ifname(const char *s, size_t n);

/* An authorized_keys line: [options] <type> <base64 blob> [comment].
 * The type must be allowed (ed25519, rsa, ecdsa, the sk- variants), the
 * blob valid base64 whose embedded type string equals <type>. Options are
 * accepted when every quote is closed. On success *blob and *blob_n (if not
 * NULL) give the base64 text, the identity of the key. */
int xcc_sshkey(const char *s, size_t n, const char **blob, size_t *blob_n);
/* Finds the base64 blob of an existing line without judging it (for
 * de-duplication); returns 0, or -XC_EINVAL for comments and junk. */
int xcc_sshkey_blob(const char *s, size_t n, const char **blob, size_t *blob_n);

/* An absolute path: '/' then components separated by single '/', no ".",
 * "..", empty component, trailing '/', NUL, control byte or newline;
 * at most XCC_PATH_MAX bytes. "/" alone is refused. */
int xcc_path(const char *s, size_t n);

/* Whether a path has a ".." component (to name the reason for refusing
 * it: it tries to leave the root). */
int xcc_path_dotdot(const char *s, size_t n);

/* A crypt(3) hash for etc/shadow: "$id$..." of [A-Za-z0-9./$=,-], or a
 * locked form "!" / "*" / "!" followed by such a hash. */
int xcc_hash(const char *s, size_t n);

/* A user or group name: [A-Za-z_][A-Za-z0-9._-]* with an optional final
 * '$', 1..32 bytes. */
int xcc_user(const char *s, size_t n);

/* A decimal number <= max, no sign, no leading zeros except "0". */
int xcc_u32(const char *s, size_t n, uint32_t max, uint32_t *out);

/* Field i (0-based) of a ':'-separated line (passwd, group, shadow). */
int xcc_field(const char *s, size_t n, int i, struct xc_str *out);

/* name:passwd:uid:gid:gecos:home:shell. */
struct xcc_pw {
	struct xc_str name, home;
	uint32_t uid, gid;
};
int xcc_passwd_line(const char *s, size_t n, struct xcc_pw *pw);
/* name:passwd:gid:members - gives name and gid. */
int xcc_group_line(const char *s, size_t n, struct xc_str *name, uint32_t *gid);

/* s[0..n) equals the NUL-terminated z. */
int xcc_eq(const char *s, size_t n, const char *z);

#endif
