/* test_cloudinit.c - cloud-init NoCloud seeds (host/cloudinit.c): the demo
 * and the realistic "full" seed under tests/host/seeds, then small seeds
 * for each mapping rule and a table of bad seeds with the file:line and
 * words their errors must name. Run from the top of the tree.
 */
#include <stdlib.h>
#include <string.h>

#include "agent/sha256.h"
#include "check.h"
#include "host/cloudinit.h"
#include "hosttest.h"

static struct hc_config cfg;

static int seed(const char *meta, const char *user, const char *net)
{
	struct ci_file m = {"meta-data", meta, meta ? strlen(meta) : 0};
	struct ci_file u = {"user-data", user, user ? strlen(user) : 0};
	struct ci_file n = {"network-config", net, net ? strlen(net) : 0};

	hc_free(&cfg);
	hc_init(&cfg);
	if (ci_parse_seed(&cfg, &m, &u, &n, "root"))
		return -1;
	return hc_finish(&cfg);
}

/* The items' descriptions, one per line, for whole-list comparisons. */
static const char *described(void)
{
	static char all[16384];
	size_t n = 0;
	int i;

	all[0] = 0;
	for (i = 0; i < cfg.nitems && n < sizeof all - 300; i++) {
		hc_describe(&cfg.item[i], all + n, 256);
		n += strlen(all + n);
		all[n++] = '\n';
		all[n] = 0;
	}
	return all;
}

static int undelivered(const char *s)
{
	int i;

	for (i = 0; i < cfg.nundelivered; i++)
		if (!strcmp(cfg.undelivered[i], s))
			return 1;
	return 0;
}

static const struct hc_item *file_item(const char *path)
{
	int i;

	for (i = 0; i < cfg.nitems; i++)
		if (cfg.item[i].kind == XC_ITEM_FILE &&
		    !strcmp(cfg.item[i].arg[0], path))
			return &cfg.item[i];
	return NULL;
}

static void test_demo(void)
{
	static const char want[] =
	    "hostname web1\n"
	    "fqdn web1.example.com\n"
	    "iface eth0 mac=52:54:00:12:34:56\n"
	    "addr eth0 192.0.2.10/24\n"
	    "addr eth0 2001:db8::10/64\n"
	    "route eth0 default via=192.0.2.1\n"
	    "nameserver 192.0.2.53\n"
	    "nameserver 2001:db8::53\n"
	    "search example.com\n"
	    "sshkey root ssh-ed25519 root1@example.com\n"
	    "sshkey root ssh-ed25519 root2@example.com\n"
	    "sshkey admin ssh-ed25519 admin1@example.com\n"
	    "sshkey admin ssh-ed25519 admin2@example.com\n"
	    "password admin (hash not shown)\n"
	    "file /etc/motd (4096 bytes)\n"
	    "file /etc/xenchan-demo/app.conf (4096 bytes)\n"
	    "file /etc/xenchan-demo/secret.key (4096 bytes, secret)\n";
	const struct hc_item *f;
	unsigned char sec[4096];
	char id[64];
	int i;

	CASE("demo seed");
	hc_free(&cfg);
	hc_init(&cfg);
	CHECK(ci_load_dir(&cfg, "tests/host/seeds/demo", "root") == 0);
	CHECK(hc_finish(&cfg) == 0);
	if (cfg.failed)
		fprintf(stderr, "  %s\n", cfg.err);
	CHECK(!strcmp(described(), want));
	CHECK(cfg.nundelivered == 0);
	hc_config_id(&cfg, id, sizeof id);
	CHECK(!strcmp(id, "demo-0001/1"));
	/* the secret file is sha256("xenchan-demo-secret-<i>"), i < 128 */
	for (i = 0; i < 128; i++) {
		struct xc_sha256 c;
		char in[40];
		int n = sprintf(in, "xenchan-demo-secret-%d", i);
		xc_sha256_init(&c);
		xc_sha256_update(&c, in, (size_t)n);
		xc_sha256_final(&c, sec + 32 * i);
	}
	f = file_item("/etc/xenchan-demo/secret.key");
	CHECK(f && f->size == 4096 && !memcmp(f->data, sec, 4096));
	CHECK(f && !strcmp(f->arg[2], "mode=0600") &&
	      !strcmp(f->arg[3], "owner=admin") &&
	      !strcmp(f->arg[4], "group=admin"));
	f = file_item("/etc/motd");
	CHECK(
	    f && f->size == 4096 &&
	    !memcmp(f->data, "web1.example.com: provisioned by xenchan", 40) &&
	    f->data[4095] == '\n');
}

static void test_full(void)
{
	static const char *const want_undelivered[] = {
	    "meta-data.dsmode",
	    "network-config.renderer",
	    "network-config.bonds",
	    "network-config ethernets.id0.set-name (interfaces are not "
	    "renamed)",
	    "network-config ethernets.mgmt.dhcp4",
	    "network-config ethernets.wild (match.name pattern enp*)",
	    "packages",
	    "runcmd",
	    "bootcmd",
	    "package_update",
	    "timezone",
	    "users[deploy].sudo",
	    "users[deploy].groups",
	    "write_files[/etc/compressed.bin] (encoding gz+b64; file not "
	    "sent)",
	    "write_files[/var/log/provision.log] (append; file not sent)",
	};
	const char *d;
	size_t i;

	CASE("full seed");
	hc_free(&cfg);
	hc_init(&cfg);
	CHECK(ci_load_dir(&cfg, "tests/host/seeds/full", "root") == 0);
	CHECK(hc_finish(&cfg) == 0);
	d = described();
	CHECK(strstr(d, "hostname web2\nfqdn web2.example.net\n"));
	CHECK(strstr(d, "iface id0 mac=52:54:00:ab:cd:ef mtu=9000\n"));
	CHECK(strstr(d, "route id0 default via=2001:db8:100::1\n"));
	CHECK(strstr(d, "route id0 203.0.113.0/24 via=198.51.100.254 "
			"metric=200\n"));
	/* 198.51.100.53 named on two interfaces, sent once */
	CHECK(count(d, "nameserver 198.51.100.53\n") == 1);
	CHECK(strstr(d, "iface storage0 name=ens5\naddr storage0 "
			"10.10.0.20/16\n"));
	CHECK(!strstr(d, "mgmt") && !strstr(d, "wild"));
	/* default user from system_info, meta-data public-keys too */
	CHECK(strstr(d, "sshkey debian ssh-ed25519 root2@example.com\n"));
	CHECK(strstr(d, "sshkey debian ssh-rsa rsa@example.com\n"));
	CHECK(strstr(d, "sshkey debian ssh-ed25519 extra@example.com\n"));
	CHECK(strstr(d, "sshkey backup ssh-ed25519 admin2@example.com\n"));
	CHECK(strstr(d, "password deploy (hash not shown)\n"));
	CHECK(strstr(d, "password root (hash not shown)\n"));
	CHECK(strstr(d, "file /etc/ssl/private/web2.key (87 bytes, secret)\n"));
	CHECK(strstr(d, "file /etc/deferred.conf (8 bytes)\n"));
	CHECK(!file_item("/etc/compressed.bin") &&
	      !file_item("/var/log/provision.log"));
	CHECK(file_item("/etc/nginx/conf.d/web2.conf") &&
	      !memcmp(file_item("/etc/nginx/conf.d/web2.conf")->data,
		      "server {\n    listen 80;\n", 24));
	for (i = 0; i < sizeof want_undelivered / sizeof *want_undelivered;
	     i++) {
		CHECK(undelivered(want_undelivered[i]));
		if (!undelivered(want_undelivered[i]))
			fprintf(stderr, "  missing: %s\n", want_undelivered[i]);
	}
	/* nothing delivered is also listed */
	CHECK(!undelivered("write_files") && !undelivered("users") &&
	      !undelivered("chpasswd.expire"));
}

#define META "instance-id: i-1\n"
#define KEY                                                                    \
	"ssh-ed25519 "                                                         \
	"AAAAC3NzaC1lZDI1NTE5AAAAILWpeorGPuWa+m3Mk4F/"                         \
	"wQrgoFuNuZ22xJoExRmx198W k@x"
#define HASH "$6$s$JNQmhMeGgHg6vcpicmY7XnEsl0nFn3/gb/78INo9DPqBet7dQ"

static void test_rules(void)
{
	CASE("dotted local-hostname gives hostname and fqdn");
	CHECK(seed(META "local-hostname: a.b.example\n", NULL, NULL) == 0);
	CHECK(!strcmp(described(), "hostname a\nfqdn a.b.example\n"));

	CASE("user-data hostname wins over meta-data");
	CHECK(seed(META "local-hostname: m\n", "#cloud-config\nhostname: u\n",
		   NULL) == 0);
	CHECK(!strcmp(described(), "hostname u\n"));

	CASE("fqdn alone gives the hostname");
	CHECK(seed(META, "#cloud-config\nfqdn: f.example\n", NULL) == 0);
	CHECK(!strcmp(described(), "hostname f\nfqdn f.example\n"));

	CASE("not #cloud-config: listed, not an error");
	CHECK(seed(META, "#!/bin/sh\necho hi\n", NULL) == 0);
	CHECK(cfg.nitems == 0 &&
	      undelivered("user-data (a script; only #cloud-config is read)"));

	CASE("network-config version 1");
	CHECK(seed(META, NULL,
		   "network:\n  version: 1\n  config:\n"
		   "  - type: physical\n    name: eth0\n"
		   "    mac_address: '52:54:00:12:34:56'\n    mtu: 1400\n"
		   "    subnets:\n"
		   "    - type: static\n      address: 192.0.2.10\n"
		   "      netmask: 255.255.255.0\n      gateway: 192.0.2.1\n"
		   "      dns_nameservers: [192.0.2.53]\n"
		   "      routes:\n      - network: 10.0.0.0\n"
		   "        netmask: 255.0.0.0\n        gateway: 192.0.2.254\n"
		   "    - type: static6\n      address: 2001:db8::10/64\n"
		   "    - type: dhcp6\n"
		   "  - type: physical\n    name: eth1\n"
		   "    subnets: [{type: dhcp}]\n"
		   "  - type: nameserver\n    address: [192.0.2.53, "
		   "192.0.2.54]\n    search: [example.com]\n"
		   "  - type: bond\n    name: bond0\n") == 0);
	CHECK(!strcmp(described(), "iface eth0 mac=52:54:00:12:34:56 mtu=1400\n"
				   "addr eth0 192.0.2.10/24\n"
				   "route eth0 default via=192.0.2.1\n"
				   "route eth0 10.0.0.0/8 via=192.0.2.254\n"
				   "nameserver 192.0.2.53\n"
				   "addr eth0 2001:db8::10/64\n"
				   "nameserver 192.0.2.54\n"
				   "search example.com\n"));
	CHECK(undelivered("network-config eth0 subnet type dhcp6"));
	CHECK(undelivered("network-config eth1 subnet type dhcp"));
	CHECK(undelivered("network-config config type bond"));

	CASE("network-config version 3 listed");
	CHECK(seed(META, NULL, "version: 3\n") == 0);
	CHECK(cfg.nitems == 0 && undelivered("network-config (version 3)"));

	CASE("chpasswd list string, RANDOM listed");
	CHECK(seed(META,
		   "#cloud-config\nchpasswd:\n  list: |\n    root:" HASH
		   "\n    bob:RANDOM\n  expire: false\n",
		   NULL) == 0);
	CHECK(!strcmp(described(), "password root (hash not shown)\n"));
	CHECK(undelivered("chpasswd.list bob:RANDOM"));
	CHECK(!undelivered("chpasswd.expire"));

	CASE("chpasswd expire true listed");
	CHECK(seed(META, "#cloud-config\nchpasswd: {expire: true}\n", NULL) ==
	      0);
	CHECK(undelivered("chpasswd.expire"));

	CASE("base64 file, permissions, secret by mode");
	CHECK(seed(META,
		   "#cloud-config\nwrite_files:\n- path: /a\n"
		   "  encoding: base64\n  content: aGVsbG8K\n"
		   "  permissions: '0640'\n- path: /b\n  permissions: '0400'\n"
		   "  content: x\n",
		   NULL) == 0);
	CHECK(file_item("/a") && file_item("/a")->size == 6 &&
	      !memcmp(file_item("/a")->data, "hello\n", 6) &&
	      !file_item("/a")->secret);
	CHECK(file_item("/b") && file_item("/b")->secret);

	CASE("unknown write_files key listed, file still sent");
	CHECK(seed(META,
		   "#cloud-config\nwrite_files:\n- path: /c\n"
		   "  content: x\n  append: false\n  frob: 1\n",
		   NULL) == 0);
	CHECK(file_item("/c") && undelivered("write_files[/c].frob") &&
	      cfg.nundelivered == 1);

	CASE("interface by name, gateway4 and mtu");
	CHECK(
	    seed(META, NULL,
		 "version: 2\nethernets:\n  eth1:\n    mtu: 1400\n"
		 "    addresses: [192.0.2.5/24]\n    gateway4: 192.0.2.1\n") ==
	    0);
	CHECK(!strcmp(described(), "iface eth1 name=eth1 mtu=1400\n"
				   "addr eth1 192.0.2.5/24\n"
				   "route eth1 default via=192.0.2.1\n"));

	CASE("uppercase key gets a generated interface id");
	CHECK(seed(META, NULL,
		   "version: 2\nethernets:\n  LAN-A:\n"
		   "    match: {macaddress: '52:54:00:00:00:01'}\n"
		   "    addresses: [192.0.2.5/24]\n") == 0);
	CHECK(!strcmp(described(), "iface if0 mac=52:54:00:00:00:01\n"
				   "addr if0 192.0.2.5/24\n"));

	CASE("users with hashed_passwd and ssh-authorized-keys");
	CHECK(seed(META,
		   "#cloud-config\nusers:\n- name: bob\n  hashed_passwd: "
		   "'" HASH "'\n  ssh-authorized-keys: ['" KEY "']\n",
		   NULL) == 0);
	CHECK(!strcmp(described(), "sshkey bob ssh-ed25519 k@x\n"
				   "password bob (hash not shown)\n"));
}

struct bad {
	const char *name, *meta, *user, *net;
	const char *want1, *want2;
};

static const struct bad bads[] = {
    {"no meta-data", NULL, NULL, NULL, "meta-data", "instance-id"},
    {"no instance-id", "local-hostname: a\n", NULL, NULL, "meta-data",
     "no instance-id"},
    {"meta-data not a map", "- a\n", NULL, NULL, "meta-data", "mapping"},
    {"YAML syntax", META, "#cloud-config\nhostname: [a\nfqdn: b\n", NULL,
     "user-data:", "YAML error"},
    {"bad instance-id", "instance-id: 'a b'\n", NULL, NULL, "meta-data:1",
     "instance-id"},
    {"plain password top", META, "#cloud-config\npassword: hunter2\n", NULL,
     "user-data:2", "plain-text"},
    {"plain_text_passwd", META,
     "#cloud-config\nusers:\n- name: bob\n"
     "  plain_text_passwd: hunter2\n",
     NULL, "user-data:4", "plain-text"},
    {"chpasswd plain list", META,
     "#cloud-config\nchpasswd:\n  list:\n"
     "    - root:hunter2\n",
     NULL, "user-data:4", "not a crypt(3) hash"},
    {"chpasswd users text", META,
     "#cloud-config\nchpasswd:\n  users:\n"
     "  - {name: root, password: hunter2, type: text}\n",
     NULL, "user-data:4", "not a crypt(3) hash"},
    {"passwd plain", META,
     "#cloud-config\nusers:\n- name: bob\n"
     "  passwd: hunter2\n",
     NULL, "user-data:4", "plain-text"},
    {"bad base64", META,
     "#cloud-config\nwrite_files:\n- path: /x\n"
     "  encoding: b64\n  content: '@@@'\n",
     NULL, "user-data:5", "not valid base64"},
    {"bad permissions", META,
     "#cloud-config\nwrite_files:\n- path: /x\n"
     "  permissions: rw-r--r--\n",
     NULL, "user-data:4", "bad permissions"},
    {"write_files not a list", META, "#cloud-config\nwrite_files: /x\n", NULL,
     "user-data:2", "write_files entries"},
    {"file path escapes", META,
     "#cloud-config\nwrite_files:\n"
     "- path: /etc/../../x\n",
     NULL, "user-data:3", "bad file path"},
    {"user without name", META, "#cloud-config\nusers:\n- groups: [a]\n", NULL,
     "user-data:3", "without name"},
    {"bad key", META, "#cloud-config\nssh_authorized_keys: [nonsense]\n", NULL,
     "user-data:2", "bad ssh key for root"},
    {"bad address", META, NULL,
     "version: 2\nethernets:\n  e:\n"
     "    addresses: [192.0.2.300/24]\n",
     "network-config:4", "bad address"},
    {"bad gateway", META, NULL,
     "version: 2\nethernets:\n  e:\n"
     "    gateway4: nope\n",
     "network-config:4", "bad gateway"},
    {"bad mac", META, NULL,
     "version: 2\nethernets:\n  e:\n"
     "    match: {macaddress: 'zz'}\n    mtu: 1500\n",
     "network-config:4", "bad MAC"},
    {"ethernets not a map", META, NULL, "version: 2\nethernets: [a]\n",
     "network-config:2", "mapping"},
    {"route not a map", META, NULL,
     "version: 2\nethernets:\n  e:\n"
     "    routes: [default]\n",
     "network-config:4", "route must be"},
    {"bad hostname", META, "#cloud-config\nhostname: 'web_1'\n", NULL,
     "user-data:2", "bad hostname"},
};

static void test_bad(void)
{
	size_t i;

	for (i = 0; i < sizeof bads / sizeof *bads; i++) {
		const struct bad *b = &bads[i];
		int ok;
		CASE(b->name);
		CHECK(seed(b->meta, b->user, b->net) < 0);
		ok = strstr(cfg.err, b->want1) && strstr(cfg.err, b->want2);
		CHECK(ok);
		if (!ok)
			fprintf(stderr, "  got: %s\n", cfg.err);
		/* a password never shows up in an error */
		CHECK(!strstr(cfg.err, "hunter2"));
	}
}

int main(void)
{
	hc_init(&cfg);
	test_demo();
	test_full();
	test_rules();
	test_bad();
	hc_free(&cfg);
	return check_done("host-cloudinit");
}
