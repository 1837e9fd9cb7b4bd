/* fuzz_config.c - libFuzzer target for agent/config.c: every validator and
 * parser on hostile bytes (NULs included, no terminator past the end), and
 * the invariants between them: what parses must format back and parse to
 * the same bytes; an accepted key line has its blob inside it. */
#include <stdint.h>
#include <string.h>

#include "agent/config.h"

static void check(int cond)
{
	if (!cond)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *b;
	struct xcc_ip ip, ip2;
	struct xcc_pw pw;
	struct xc_str f;
	uint8_t mac[6];
	char txt[XCC_IP_TEXT_MAX], m[18];
	size_t bn, n;
	uint32_t v;

	xcc_hostname(s, size);
	xcc_domain(s, size);
	xcc_config_id(s, size);
	xcc_ifid(s, size);
	xcc_ifname(s, size);
	xcc_path(s, size);
	xcc_path_dotdot(s, size);
	xcc_hash(s, size);
	xcc_user(s, size);
	xcc_u32(s, size, 0xffffffffu, &v);
	xcc_field(s, size, 2, &f);
	xcc_group_line(s, size, &f, &v);
	if (xcc_passwd_line(s, size, &pw) == 0)
		check(pw.home.p >= s && pw.home.p + pw.home.n <= s + size);
	if (xcc_ip(s, size, &ip) == 0 || xcc_ip_prefix(s, size, &ip) == 0) {
		n = xcc_ip_format(&ip, txt);
		check(n < sizeof txt && strlen(txt) == n);
		check(xcc_ip(txt, n, &ip2) == 0 &&
		      !memcmp(ip.a, ip2.a, sizeof ip.a) &&
		      ip.family == ip2.family);
	}
	if (xcc_mac(s, size, mac) == 0) {
		xcc_mac_format(mac, m);
		check(xcc_mac(m, 17, mac) == 0);
	}
	if (xcc_sshkey(s, size, &b, &bn) == 0)
		check(b >= s && b + bn <= s + size &&
		      xcc_sshkey_blob(s, size, &b, &bn) == 0);
	if (xcc_sshkey_blob(s, size, &b, &bn) == 0)
		check(b >= s && b + bn <= s + size);
	return 0;
}
