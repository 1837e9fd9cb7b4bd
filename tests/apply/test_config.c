/* test_config.c - unit tests for agent/config.c: a table of named cases
 * per validator, silent on success, every failure collected. */
#include <stdio.h>
#include <string.h>

#include "agent/config.h"

static int passed, failed;

static void check(const char *name, int cond)
{
	if (cond) {
		passed++;
	} else {
		failed++;
		printf("FAIL %s\n", name);
	}
}

#define ED                                                                     \
	"AAAAC3NzaC1lZDI1NTE5AAAAIGcRUfRODF3YjxIt1PWjHFdhauqKo+ZLoEN1XPayxN6C"
#define EC                                                                     \
	"AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBFqdqoHtQaFsS2RO" \
	"CR"                                                                   \
	"4FdvQPtN4ICya8V2zpsmS3Mn5IXq0Sa3MrluRrOAh7O58pOKYjPdUaD8GfnxaQGZ8FLq" \
	"M="

enum fn {
	HOST,
	DOMAIN,
	MAC,
	IP,
	IPP,
	CID,
	IFID,
	IFNAME,
	KEY,
	PATH_,
	HASH,
	USER
};

struct vcase {
	const char *name;
	enum fn fn;
	const char *in;
	int ok;
};

static const struct vcase vcases[] = {
    {"host simple", HOST, "web-01", 1},
    {"host digits", HOST, "0abc", 1},
    {"host 63", HOST,
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1},
    {"host 64", HOST,
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0},
    {"host empty", HOST, "", 0},
    {"host dash start", HOST, "-a", 0},
    {"host dash end", HOST, "a-", 0},
    {"host dot", HOST, "a.b", 0},
    {"host underscore", HOST, "a_b", 0},
    {"host space", HOST, "a b", 0},
    {"domain ok", DOMAIN, "web-01.example.org", 1},
    {"domain label", DOMAIN, "localdomain", 1},
    {"domain trailing dot", DOMAIN, "a.example.", 0},
    {"domain empty label", DOMAIN, "a..b", 0},
    {"domain leading dot", DOMAIN, ".a", 0},
    {"mac ok", MAC, "52:54:00:12:34:56", 1},
    {"mac upper dash", MAC, "52-54-00-AB-CD-EF", 1},
    {"mac short", MAC, "52:54:00:12:34:5", 0},
    {"mac junk", MAC, "52:54:00:12:34:5g", 0},
    {"mac sep", MAC, "52.54.00.12.34.56", 0},
    {"ip4", IP, "192.0.2.1", 1},
    {"ip4 zero", IP, "0.0.0.0", 1},
    {"ip4 256", IP, "192.0.2.256", 0},
    {"ip4 leading zero", IP, "192.0.02.1", 0},
    {"ip4 three", IP, "192.0.2", 0},
    {"ip4 five", IP, "1.2.3.4.5", 0},
    {"ip4 trailing dot", IP, "1.2.3.4.", 0},
    {"ip6 full", IP, "2001:db8:0:0:0:0:0:1", 1},
    {"ip6 compressed", IP, "2001:db8::1", 1},
    {"ip6 any", IP, "::", 1},
    {"ip6 loopback", IP, "::1", 1},
    {"ip6 trailing ::", IP, "fe80::", 1},
    {"ip6 v4 tail", IP, "::ffff:192.0.2.1", 1},
    {"ip6 two gaps", IP, "1::2::3", 0},
    {"ip6 too many", IP, "1:2:3:4:5:6:7:8:9", 0},
    {"ip6 gap full", IP, "1:2:3:4::5:6:7:8", 0},
    {"ip6 five digits", IP, "12345::1", 0},
    {"ip6 leading colon", IP, ":1::2", 0},
    {"ip6 trailing colon", IP, "1::2:", 0},
    {"ip6 seven", IP, "1:2:3:4:5:6:7", 0},
    {"ip6 bad hex", IP, "2001:db8::g", 0},
    {"ip empty", IP, "", 0},
    {"ipp v4", IPP, "192.0.2.10/24", 1},
    {"ipp v6", IPP, "2001:db8::10/64", 1},
    {"ipp no prefix", IPP, "192.0.2.10", 0},
    {"ipp v4 33", IPP, "192.0.2.10/33", 0},
    {"ipp v6 129", IPP, "2001:db8::1/129", 0},
    {"ipp empty prefix", IPP, "10.0.0.1/", 0},
    {"ipp sign", IPP, "10.0.0.1/+8", 0},
    {"cid ok", CID, "i-abc.1_x:y-z/7", 1},
    {"cid no gen", CID, "i-abc", 0},
    {"cid empty gen", CID, "i-abc/", 0},
    {"cid empty inst", CID, "/1", 0},
    {"cid bad char", CID, "i abc/1", 0},
    {"cid gen sign", CID, "a/-1", 0},
    {"ifid ok", IFID, "net0", 1},
    {"ifid upper", IFID, "Net0", 0},
    {"ifid long", IFID, "abcdefghijklmnop", 0},
    {"ifname ok", IFNAME, "eth0.100", 1},
    {"ifname slash", IFNAME, "a/b", 0},
    {"ifname dotdot", IFNAME, "..", 0},
    {"key ed25519", KEY, "ssh-ed25519 " ED " a@b", 1},
    {"key no comment", KEY, "ssh-ed25519 " ED, 1},
    {"key ecdsa", KEY, "ecdsa-sha2-nistp256 " EC " root@vm", 1},
    {"key options", KEY, "no-pty,command=\"echo a b\" ssh-ed25519 " ED, 1},
    {"key unclosed quote", KEY, "command=\"echo ssh-ed25519 " ED, 0},
    {"key type mismatch", KEY, "ssh-rsa " ED " x", 0},
    {"key dss refused", KEY, "ssh-dss " ED, 0},
    {"key bad base64", KEY, "ssh-ed25519 AAAAC3Nza!1lZDI1NTE5 x", 0},
    {"key short base64", KEY, "ssh-ed25519 AAAAC3N", 0},
    {"key newline", KEY, "ssh-ed25519 " ED " a\nssh-rsa", 0},
    {"key cr", KEY, "ssh-ed25519 " ED "\r", 0},
    {"key comment line", KEY, "# ssh-ed25519 " ED, 0},
    {"key empty", KEY, "", 0},
    {"key no blob", KEY, "ssh-ed25519", 0},
    {"path ok", PATH_, "/etc/motd", 1},
    {"path deep", PATH_, "/a/b.c/d-e/f", 1},
    {"path relative", PATH_, "etc/motd", 0},
    {"path root", PATH_, "/", 0},
    {"path dotdot", PATH_, "/../etc/x", 0},
    {"path inner dotdot", PATH_, "/etc/../x", 0},
    {"path dot", PATH_, "/etc/./x", 0},
    {"path double slash", PATH_, "/etc//x", 0},
    {"path trailing slash", PATH_, "/etc/", 0},
    {"path newline", PATH_, "/etc/a\nb", 0},
    {"path dotfile", PATH_, "/etc/.hidden", 1},
    {"path dots name", PATH_, "/etc/...", 1},
    {"hash sha512", HASH, "$6$salt$abcdefABCDEF0123./", 1},
    {"hash rounds", HASH, "$6$rounds=5000$salt$abc", 1},
    {"hash yescrypt", HASH, "$y$j9T$salt$hash", 1},
    {"hash locked", HASH, "!", 1},
    {"hash star", HASH, "*", 1},
    {"hash locked hash", HASH, "!$6$salt$abc", 1},
    {"hash colon", HASH, "$6$sa:lt$abc", 0},
    {"hash newline", HASH, "$6$salt$ab\nc", 0},
    {"hash plain", HASH, "secret", 0},
    {"hash two dollars", HASH, "$6$salt", 0},
    {"user ok", USER, "alice", 1},
    {"user machine", USER, "host1$", 1},
    {"user underscore", USER, "_apt", 1},
    {"user digit start", USER, "1abc", 0},
    {"user colon", USER, "a:b", 0},
    {"user slash", USER, "../x", 0},
    {"user long", USER, "abcdefghijklmnopqrstuvwxyz0123456", 0},
};

static int run(const struct vcase *c)
{
	size_t n = strlen(c->in);
	struct xcc_ip ip;
	uint8_t mac[6];

	switch (c->fn) {
	case HOST:
		return xcc_hostname(c->in, n);
	case DOMAIN:
		return xcc_domain(c->in, n);
	case MAC:
		return xcc_mac(c->in, n, mac);
	case IP:
		return xcc_ip(c->in, n, &ip);
	case IPP:
		return xcc_ip_prefix(c->in, n, &ip);
	case CID:
		return xcc_config_id(c->in, n);
	case IFID:
		return xcc_ifid(c->in, n);
	case IFNAME:
		return xcc_ifname(c->in, n);
	case KEY:
		return xcc_sshkey(c->in, n, NULL, NULL);
	case PATH_:
		return xcc_path(c->in, n);
	case HASH:
		return xcc_hash(c->in, n);
	case USER:
		return xcc_user(c->in, n);
	}
	return -1;
}

/* Round trips: parse then format gives the canonical text. */
static const struct {
	const char *in, *out;
	int prefix;
} ipcases[] = {
    {"192.0.2.1/24", "192.0.2.1", 24},
    {"2001:db8:0:0:0:0:0:1/64", "2001:db8::1", 64},
    {"2001:0db8:0:0:1:0:0:1/128", "2001:db8::1:0:0:1", 128},
    {"::/0", "::", 0},
    {"fe80::/10", "fe80::", 10},
    {"1:0:0:2:0:0:0:3/7", "1:0:0:2::3", 7},
    {"1:0:2:3:4:5:6:7/1", "1:0:2:3:4:5:6:7", 1},
    {"::ffff:192.0.2.1/96", "::ffff:c000:201", 96},
};

int main(void)
{
	size_t i;
	char buf[XCC_IP_TEXT_MAX], m[18];
	struct xcc_ip ip;
	uint8_t mac[6];
	struct xcc_pw pw;
	struct xc_str s;
	uint32_t gid;
	const char *b;
	size_t bn;

	for (i = 0; i < sizeof vcases / sizeof vcases[0]; i++)
		check(vcases[i].name, (run(&vcases[i]) == 0) == vcases[i].ok);
	for (i = 0; i < sizeof ipcases / sizeof ipcases[0]; i++) {
		int r =
		    xcc_ip_prefix(ipcases[i].in, strlen(ipcases[i].in), &ip);
		xcc_ip_format(&ip, buf);
		check(ipcases[i].in, r == 0 && !strcmp(buf, ipcases[i].out) &&
					 ip.prefix == ipcases[i].prefix);
	}
	check("v4 bytes", xcc_ip("10.1.2.3", 8, &ip) == 0 && ip.family == 4 &&
			      ip.a[0] == 10 && ip.a[3] == 3);
	check("mac bytes", xcc_mac("52:54:00:ab:CD:ef", 17, mac) == 0 &&
			       mac[3] == 0xab && mac[5] == 0xef);
	xcc_mac_format(mac, m);
	check("mac format", !strcmp(m, "52:54:00:ab:cd:ef"));
	check("nul inside",
	      xcc_hostname("ab\0c", 4) < 0 && xcc_path("/a\0b", 4) < 0 &&
		  xcc_sshkey("ssh-ed25519 " ED "\0", 81, 0, 0) < 0);

	check("passwd line",
	      xcc_passwd_line("alice:x:1000:1001:Alice,,,:/home/alice:/bin/sh",
			      46, &pw) == 0 &&
		  pw.uid == 1000 && pw.gid == 1001 && pw.home.n == 11 &&
		  !memcmp(pw.home.p, "/home/alice", 11) && pw.name.n == 5);
	check("passwd empty shell",
	      xcc_passwd_line("r:x:0:0::/root:", 15, &pw) == 0);
	check("passwd 6 fields",
	      xcc_passwd_line("r:x:0:0::/root", 14, &pw) < 0);
	check("passwd 8 fields",
	      xcc_passwd_line("r:x:0:0::/root:/bin/sh:x", 24, &pw) < 0);
	check("passwd bad uid",
	      xcc_passwd_line("r:x:-1:0::/root:", 16, &pw) < 0);
	check("passwd rel home",
	      xcc_passwd_line("r:x:0:0::root:", 14, &pw) < 0);
	check("group line",
	      xcc_group_line("wheel:x:10:alice", 16, &s, &gid) == 0 &&
		  gid == 10 && s.n == 5);
	check("group bad", xcc_group_line("wheel:x", 7, &s, &gid) < 0);
	check("field 1",
	      xcc_field("a:bc:d", 6, 1, &s) == 0 && s.n == 2 && s.p[0] == 'b');
	check("field missing", xcc_field("a:bc:d", 6, 3, &s) < 0);

	b = NULL;
	check("key blob",
	      xcc_sshkey("ssh-ed25519 " ED " c", 82, &b, &bn) == 0 &&
		  bn == strlen(ED) && !memcmp(b, ED, bn));
	check("existing blob options",
	      xcc_sshkey_blob("from=\"10.0.0.1\" ssh-dss AAAAB3x y", 33, &b,
			      &bn) == 0 &&
		  bn == 7 && !memcmp(b, "AAAAB3x", 7));
	check("existing blob comment", xcc_sshkey_blob("# x", 3, &b, &bn) < 0);
	check("dotdot found", xcc_path_dotdot("/a/../b", 7) &&
				  xcc_path_dotdot("/..", 3) &&
				  xcc_path_dotdot("/a/..", 5));
	check("dotdot not found", !xcc_path_dotdot("/a/..b/c", 8) &&
				      !xcc_path_dotdot("/a../b", 6) &&
				      !xcc_path_dotdot("/a/.", 4));
	check("u32 max", xcc_u32("4294967295", 10, 0xffffffffu, &gid) == 0 &&
			     gid == 0xffffffffu);
	check("u32 over", xcc_u32("4294967296", 10, 0xffffffffu, &gid) < 0);
	check("u32 leading zero", xcc_u32("01", 2, 10, &gid) < 0);

	printf("apply-config: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
