/* test_native.c - the native config parser (host/native.c) and the checks
 * of host/hconf.c: a realistic file from tests/host/seeds/native, then a
 * table of bad inputs, each with the line and words its error must name.
 * Run from the top of the tree.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "host/native.h"

#define KEY                                                                    \
	"ssh-ed25519 "                                                         \
	"AAAAC3NzaC1lZDI1NTE5AAAAILWpeorGPuWa+m3Mk4F/"                         \
	"wQrgoFuNuZ22xJoExRmx198W a@b"
#define HASH "$6$salt$JNQmhMeGgHg6vcpicmY7XnEsl0nFn3/gb/78INo9DPqBet7dQ"

static struct hc_config cfg;

/* Parses text as a whole config (hc_finish too); returns 0 or -1. */
static int parse(const char *text, const char *basedir)
{
	hc_free(&cfg);
	hc_init(&cfg);
	if (hn_parse(&cfg, "t.conf", text, strlen(text), basedir))
		return -1;
	return hc_finish(&cfg);
}

static int has_item(enum xc_item_kind k, const char *a0, const char *a1)
{
	int i;

	for (i = 0; i < cfg.nitems; i++)
		if (cfg.item[i].kind == k && !strcmp(cfg.item[i].arg[0], a0) &&
		    (!a1 || (cfg.item[i].nargs > 1 &&
			     !strcmp(cfg.item[i].arg[1], a1))))
			return 1;
	return 0;
}

static void test_seed_file(void)
{
	char *text, id[200], d[200];
	size_t len, mlen;
	char *motd;
	int i;

	CASE("seed web1.conf");
	CHECK(hn_read_file("tests/host/seeds/native/web1.conf", 1 << 20, &text,
			   &len) == 0);
	hc_free(&cfg);
	hc_init(&cfg);
	CHECK(hn_parse(&cfg, "web1.conf", text, len,
		       "tests/host/seeds/native") == 0);
	CHECK(hc_finish(&cfg) == 0);
	free(text);
	hc_config_id(&cfg, id, sizeof id);
	CHECK(!strcmp(id, "i-0123456789abcdef/2"));
	CHECK(cfg.nitems == 18);
	CHECK(has_item(XC_ITEM_HOSTNAME, "web1", NULL));
	CHECK(has_item(XC_ITEM_FQDN, "web1.example.com", NULL));
	CHECK(has_item(XC_ITEM_IFACE, "eth0", "mac=52:54:00:12:34:56"));
	CHECK(has_item(XC_ITEM_IFACE, "lan", "name=ens4"));
	CHECK(has_item(XC_ITEM_ADDR, "eth0", "2001:db8::10/64"));
	CHECK(has_item(XC_ITEM_ROUTE, "eth0", "default"));
	CHECK(has_item(XC_ITEM_ROUTE, "eth0", "198.51.100.0/24"));
	CHECK(has_item(XC_ITEM_SEARCH, "corp.example.com", NULL));
	CHECK(has_item(XC_ITEM_SSHKEY, "admin", NULL));
	CHECK(has_item(XC_ITEM_PASSWORD, "admin", NULL));
	CHECK(hn_read_file("tests/host/seeds/native/files/motd", 1 << 20, &motd,
			   &mlen) == 0);
	for (i = 0; i < cfg.nitems; i++) {
		struct hc_item *it = &cfg.item[i];
		if (it->kind == XC_ITEM_FILE &&
		    !strcmp(it->arg[0], "/etc/motd")) {
			CHECK(it->size == mlen &&
			      !memcmp(it->data, motd, mlen));
			CHECK(!strcmp(it->arg[1], "size=53"));
			CHECK(!strcmp(it->arg[2], "mode=0644"));
			CHECK(!it->secret);
		}
		if (it->kind == XC_ITEM_FILE &&
		    !strcmp(it->arg[0], "/etc/app/token")) {
			CHECK(it->size == 19 &&
			      !memcmp(it->data, "s3cr3t-token-value\n", 19));
			CHECK(it->secret);
			CHECK(!strcmp(it->arg[it->nargs - 1], "secret=1"));
			hc_describe(it, d, sizeof d);
			CHECK(!strstr(d, "s3cr3t"));
		}
		if (it->kind == XC_ITEM_PASSWORD) {
			hc_describe(it, d, sizeof d);
			CHECK(!strstr(d, "$6$"));
			CHECK(it->secret);
		}
		if (it->kind == XC_ITEM_ROUTE && it->nargs == 4)
			CHECK(!strcmp(it->arg[3], "metric=100"));
	}
	free(motd);
}

static void test_good_forms(void)
{
	CASE("sshkey keeps the rest of the line, with options");
	CHECK(parse("instance-id x\nsshkey root  no-pty " KEY "  \n", NULL) ==
	      0);
	CHECK(cfg.nitems == 1 && !strcmp(cfg.item[0].arg[1], "no-pty " KEY));

	CASE("crlf lines, comments, blank lines");
	CHECK(parse("# c\r\n\r\n  instance-id x\r\nhostname h\r\n", NULL) == 0);
	CHECK(has_item(XC_ITEM_HOSTNAME, "h", NULL));

	CASE("generation default 1");
	CHECK(parse("instance-id abc\n", NULL) == 0);
	{
		char id[64];
		hc_config_id(&cfg, id, sizeof id);
		CHECK(!strcmp(id, "abc/1"));
	}

	CASE("host route gets a full prefix");
	CHECK(parse("instance-id x\niface e mac=52:54:00:AA:bb:cc\n"
		    "route e 192.0.2.7 via=192.0.2.1\n",
		    NULL) == 0);
	CHECK(has_item(XC_ITEM_ROUTE, "e", "192.0.2.7/32"));
	CHECK(has_item(XC_ITEM_IFACE, "e", "mac=52:54:00:aa:bb:cc"));

	CASE("empty heredoc gives an empty file");
	CHECK(parse("instance-id x\nfile /etc/empty <<E\nE\n", NULL) == 0);
	CHECK(cfg.nitems == 1 && cfg.item[0].size == 0);

	CASE("locked hash is a hash");
	CHECK(parse("instance-id x\npassword root !" HASH "\n", NULL) == 0);
}

struct bad {
	const char *name, *text;
	const char *want1, *want2; /* substrings of the error */
};

static const struct bad bads[] = {
    {"unknown keyword", "instance-id x\nfrobnicate 1\n",
     "t.conf:2:", "unknown keyword \"frobnicate\""},
    {"no instance-id", "hostname a\n", "no instance-id", NULL},
    {"bad instance-id", "instance-id a/b\n", "t.conf:1:", "instance-id"},
    {"generation 0", "instance-id x\ngeneration 0\n",
     "t.conf:2:", "generation"},
    {"bad hostname", "instance-id x\nhostname -bad\n",
     "t.conf:2:", "bad hostname \"-bad\""},
    {"hostname too long",
     "instance-id x\nhostname "
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
     "t.conf:2:", "bad hostname"},
    {"bad mac", "instance-id x\niface e mac=52:54:00:12:34\n",
     "t.conf:2:", "bad MAC"},
    {"mac and name",
     "instance-id x\niface e mac=52:54:00:12:34:56 "
     "name=eth0\n",
     "t.conf:2:", "exactly one"},
    {"bad ifid", "instance-id x\niface Eth0 name=eth0\n",
     "t.conf:2:", "bad interface id"},
    {"iface twice", "instance-id x\niface e name=a\niface e name=b\n",
     "t.conf:3:", "declared twice (first at t.conf:2)"},
    {"addr before iface",
     "instance-id x\naddr e 192.0.2.1/24\n"
     "iface e name=eth0\n",
     "t.conf:2:", "not declared"},
    {"bad cidr", "instance-id x\niface e name=a\naddr e 192.0.2.1/33\n",
     "t.conf:3:", "bad address"},
    {"route mixes families",
     "instance-id x\niface e name=a\n"
     "route e 10.0.0.0/8 via=2001:db8::1\n",
     "t.conf:3:", "mixes"},
    {"bad metric",
     "instance-id x\niface e name=a\n"
     "route e default via=10.0.0.1 metric=x\n",
     "t.conf:3:", "bad metric"},
    {"unknown option",
     "instance-id x\niface e name=a\n"
     "route e default vai=10.0.0.1\n",
     "t.conf:3:", "unknown option"},
    {"bad nameserver", "instance-id x\nnameserver 300.1.1.1\n",
     "t.conf:2:", "bad nameserver"},
    {"bad key", "instance-id x\nsshkey root ssh-ed25519\n",
     "t.conf:2:", "bad ssh key for root"},
    {"bad key user", "instance-id x\nsshkey Ro:ot " KEY "\n",
     "t.conf:2:", "bad user name"},
    {"path escapes", "instance-id x\nfile /etc/../x <<E\nE\n",
     "t.conf:2:", "bad file path"},
    {"relative path", "instance-id x\nfile etc/x <<E\nE\n",
     "t.conf:2:", "bad file path"},
    {"heredoc unterminated", "instance-id x\nfile /etc/x <<END\nabc\n",
     "t.conf:2:", "no line \"END\""},
    {"bad mode", "instance-id x\nfile /etc/x mode=0999 <<E\nE\n",
     "t.conf:2:", "bad mode"},
    {"include refused", "instance-id x\nfile /etc/x < y\n",
     "t.conf:2:", "not allowed"},
    {"file without content", "instance-id x\nfile /etc/x mode=0644\n",
     "t.conf:2:", "usage: file"},
    {"NUL byte", "instance-id x\nhost\0name a\n", "t.conf:2:", "NUL"},
    {"usage", "instance-id x\nhostname a b\n", "t.conf:2:", "usage: hostname"},
};

static void test_bad(void)
{
	size_t i;

	for (i = 0; i < sizeof bads / sizeof *bads; i++) {
		const struct bad *b = &bads[i];
		size_t len = strlen(b->text);
		CASE(b->name);
		if (!strcmp(b->name, "NUL byte"))
			len = 32;
		hc_free(&cfg);
		hc_init(&cfg);
		if (hn_parse(&cfg, "t.conf", b->text, len, NULL) == 0)
			hc_finish(&cfg);
		CHECK(cfg.failed);
		CHECK(strstr(cfg.err, b->want1) != NULL);
		CHECK(!b->want2 || strstr(cfg.err, b->want2) != NULL);
		if (!cfg.failed || !strstr(cfg.err, b->want1) ||
		    (b->want2 && !strstr(cfg.err, b->want2)))
			fprintf(stderr, "  got: %s\n", cfg.err);
	}
}

/* A plain-text password is refused and never echoed. */
static void test_password_secret(void)
{
	CASE("plain password refused, not echoed");
	CHECK(parse("instance-id x\npassword root hunter2hunter2\n", NULL) < 0);
	CHECK(strstr(cfg.err, "t.conf:2:") && strstr(cfg.err, "plain-text"));
	CHECK(!strstr(cfg.err, "hunter2"));
	CASE("password with two words: usage, not echoed");
	CHECK(parse("instance-id x\npassword root my secret\n", NULL) < 0);
	CHECK(!strstr(cfg.err, "secret") || strstr(cfg.err, "usage"));
	CHECK(!strstr(cfg.err, "my "));
}

static void test_limits(void)
{
	static char big[XC_FILE_MAX + 200];
	size_t n;
	int i;

	CASE("file over 256 KiB refused");
	n = (size_t)sprintf(big, "instance-id x\nfile /etc/big <<E\n");
	for (i = 0; n < XC_FILE_MAX + 100; i++)
		n += (size_t)sprintf(big + n, "%07d\n", i);
	n += (size_t)sprintf(big + n, "E\n");
	CHECK(parse(big, NULL) < 0);
	CHECK(strstr(cfg.err, "more than 262144") != NULL);

	CASE("more than 256 items refused");
	n = (size_t)sprintf(big, "instance-id x\n");
	for (i = 0; i < 300; i++)
		n += (size_t)sprintf(big + n, "nameserver 10.0.%d.%d\n",
				     i / 250, i % 250);
	CHECK(parse(big, NULL) < 0);
	CHECK(strstr(cfg.err, "t.conf:258:") && strstr(cfg.err, "256 items"));

	CASE("more than 1 MiB in all refused");
	n = (size_t)sprintf(big, "instance-id x\n");
	hc_free(&cfg);
	hc_init(&cfg);
	CHECK(hn_parse(&cfg, "t.conf", big, n, NULL) == 0);
	for (i = 0; i < 5; i++) {
		unsigned char *d = calloc(1, XC_FILE_MAX);
		char p[32];
		sprintf(p, "/etc/f%d", i);
		CHECK(hc_add_file(&cfg, "t", p, d, XC_FILE_MAX, -1, NULL, NULL,
				  0) == 0);
	}
	CHECK(hc_finish(&cfg) < 0 && strstr(cfg.err, "limit of 1048576"));
}

int main(void)
{
	hc_init(&cfg);
	test_seed_file();
	test_good_forms();
	test_bad();
	test_password_secret();
	test_limits();
	hc_free(&cfg);
	return check_done("host-native");
}
