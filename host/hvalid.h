/* hvalid.h - syntax checks for the values of configuration items, as the
 * agent will check them (docs/PROTOCOL.md section 4.1): host names
 * (RFC 1123 labels), IP literals and prefixes, MACs, interface ids and
 * names, user names, authorized_keys lines (sshd(8) AUTHORIZED_KEYS FILE
 * FORMAT), absolute paths without . or .., crypt(3) hashes, octal modes,
 * decimal numbers. Each returns non-zero (or the value) when s is good.
 */
#ifndef XC_HVALID_H
#define XC_HVALID_H

#include <stddef.h>
#include <stdint.h>

/* Checked decimal (no sign, no spaces); 0, or -1 if bad or > max. */
int hv_parse_u32(const char *s, uint32_t max, uint32_t *out);
/* An octal mode "0644", "644", "0o644"; -1 if bad or > 07777. */
long hv_parse_mode(const char *s);
int hv_is_mac(const char *s);  /* 52:54:00:12:34:56, either case */
int hv_is_hash(const char *s); /* $id$[params$]salt$hash, maybe '!' */
int hv_is_dnsname(const char *s, size_t max);
int hv_is_ifid(const char *s);	   /* [a-z0-9]{1,15} */
int hv_is_ifname(const char *s);   /* a Linux link name */
int hv_is_user(const char *s);	   /* a user/group name or a number */
int hv_ip_family(const char *s);   /* 4, 6, or 0 */
int hv_cidr_family(const char *s); /* "ip/prefix": 4, 6, or 0 */
int hv_is_key_line(const char *s);
int hv_is_path(const char *s);

#endif
