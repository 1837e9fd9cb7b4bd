/* test_client.c - the host's protocol client (host/client.c over
 * host/chan.c) against a scripted fake agent (fakeagent.c) on a
 * socketpair, and then the real `xenchan` binary ($XENCHAN) the same way,
 * through fd:3, checking its exit codes and its --json output. The fake
 * agent logs what actually crossed the channel; the checks read that log.
 * Run from the top of the tree.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/sha256.h"
#include "check.h"
#include "fakeagent.h"
#include "host/chan.h"
#include "host/cloudinit.h"
#include "host/native.h"
#include "hosttest.h"

static struct hc_config cfg;
static struct hx_client cl;
static char logbuf[1 << 20];

static char *slurp(FILE *f)
{
	size_t n;

	fflush(f);
	rewind(f);
	n = fread(logbuf, 1, sizeof logbuf - 1, f);
	logbuf[n] = 0;
	fclose(f);
	return logbuf;
}

/* Runs the client (a provision of cfg, or a request of words) against the
 * fake agent in a child process. Returns ch_run's result; *log gets the
 * agent's log. */
static int run(enum fa_script script, int nwords, const char **words,
	       uint32_t timeout_ms, int retries, int small_buffers, char **log)
{
	FILE *lf = tmpfile();
	char err[256];
	int sv[2], r;
	pid_t pid;

	if (!lf || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		*log = "";
		return -2;
	}
	if (small_buffers) {
		int sz = 2048; /* about a Xen ring: backpressure all along */
		setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
		setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	}
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		fa_run(sv[1], script, lf);
		_exit(0);
	}
	close(sv[1]);
	hx_free(&cl);
	if (nwords)
		r = hx_start_request(&cl, nwords, words, timeout_ms,
				     ch_now_ms());
	else
		r = hx_start_provision(&cl, &cfg, timeout_ms, retries,
				       ch_now_ms());
	if (r == 0)
		r = ch_run(sv[0], &cl, CH_PROGRESS_OFF, err, sizeof err);
	close(sv[0]);
	waitpid(pid, NULL, 0);
	*log = slurp(lf);
	return r;
}

/* sha256 hex of a file item's content, as the fake agent logs it. */
static void file_line(const struct hc_item *it, char *out, size_t cap)
{
	struct xc_sha256 c;
	uint8_t d[32];
	char hex[65];

	xc_sha256_init(&c);
	xc_sha256_update(&c, it->data, it->size);
	xc_sha256_final(&c, d);
	xc_sha256_hex(d, hex);
	snprintf(out, cap, "FILE %s %zu %s\n", it->arg[0], it->size, hex);
}

static void check_all_items_sent(const char *log, int times)
{
	char want[600];
	int i;

	for (i = 0; i < cfg.nitems; i++) {
		const struct hc_item *it = &cfg.item[i];
		if (it->kind == XC_ITEM_FILE) {
			file_line(it, want, sizeof want);
			CHECK(count(log, want) == times);
		}
	}
	CHECK(count(log, "\nITEM ") == times * cfg.nitems);
}

static void test_apply(void)
{
	char *log, want[128];

	CASE("apply: stale WELCOME ignored, noise everywhere");
	CHECK(run(FA_APPLY, 0, NULL, 5000, 3, 0, &log) == 0);
	CHECK(cl.outcome == HX_APPLIED);
	CHECK(cl.stale >= 1);
	CHECK(cl.attempt == 1);
	/* BEGIN carries the nonce of our HELLO, not the stale one */
	snprintf(want, sizeof want, "HELLO %s\n", cl.nonce);
	CHECK(strstr(log, want) != NULL);
	snprintf(want, sizeof want, "BEGIN %s demo-0001/1\n", cl.nonce);
	CHECK(count(log, want) == 1);
	CHECK(count(log, "digest=ok") == 1 && !strstr(log, "SEQ-ERROR"));
	CHECK(!strstr(log, "DATA-TOO-BIG"));
	check_all_items_sent(log, 1);
	CHECK(strstr(log, "ITEM 1 hostname web1\n") != NULL);
	CHECK(strstr(log, "ITEM 3 iface eth0 mac=52:54:00:12:34:56\n"));
	CHECK(strstr(log, "ITEM 6 route eth0 default via=192.0.2.1\n"));
	/* every item answered ok */
	{
		int i, ok = 1;
		for (i = 0; i < cfg.nitems; i++)
			ok &= !strcmp(cl.result[i].status, "ok");
		CHECK(ok);
	}
	CHECK(!strcmp(cl.welcome.agent, "fake-1") &&
	      !strcmp(cl.welcome.boot_id, "boot-1") &&
	      !strcmp(cl.welcome.applied, "old-id/1"));

	CASE("apply over a 2 KiB socket buffer, slow reader");
	CHECK(run(FA_SLOW, 0, NULL, 5000, 3, 1, &log) == 0);
	CHECK(cl.outcome == HX_APPLIED);
	CHECK(count(log, "digest=ok") == 1);
	check_all_items_sent(log, 1);
}

static void test_ready(void)
{
	char *log, *d;

	CASE("READY gets a HELLO at once, not at the 500 ms timer");
	CHECK(run(FA_READY, 0, NULL, 5000, 3, 0, &log) == 0);
	CHECK(cl.outcome == HX_APPLIED && cl.readys == 1);
	d = strstr(log, "READY-DELAY ");
	CHECK(d && atoi(d + 12) < 250);
}

static void test_seq_retry(void)
{
	char *log, *h1, *h2;

	CASE("DONE failed seq: retried with a new HELLO and nonce");
	CHECK(run(FA_SEQFAIL, 0, NULL, 5000, 3, 0, &log) == 0);
	CHECK(cl.outcome == HX_APPLIED);
	CHECK(cl.attempt == 2);
	CHECK(count(log, "digest=ok") == 2);
	check_all_items_sent(log, 2);
	h1 = strstr(log, "HELLO ");
	h2 = h1 ? strstr(strstr(log, "COMMIT"), "HELLO ") : NULL;
	CHECK(h1 && h2 && strncmp(h1, h2, 22) != 0);

	CASE("DONE failed seq with no retries left");
	CHECK(run(FA_SEQFAIL, 0, NULL, 5000, 0, 0, &log) == 0);
	CHECK(cl.outcome == HX_FAILED && cl.attempt == 1);
	CHECK(!strcmp(cl.reason, "5 frame seq"));
}

static void test_outcomes(void)
{
	char *log;
	int i;

	CASE("already applied");
	CHECK(run(FA_ALREADY, 0, NULL, 5000, 3, 0, &log) == 0);
	CHECK(cl.outcome == HX_ALREADY);

	CASE("an item fails: per-item statuses");
	CHECK(run(FA_FAIL_ITEM, 0, NULL, 5000, 3, 0, &log) == 0);
	CHECK(cl.outcome == HX_FAILED && cl.attempt == 1);
	CHECK(!strcmp(cl.result[0].status, "rolled-back"));
	CHECK(!strcmp(cl.result[1].status, "failed") &&
	      !strcmp(cl.result[1].reason, "bad-hostname"));
	for (i = 2; i < cfg.nitems; i++)
		CHECK(!strcmp(cl.result[i].status, "not-applied"));
	CHECK(!strcmp(cl.reason, "2 fqdn bad-hostname"));

	CASE("silent agent: timeout, HELLO repeated");
	CHECK(run(FA_SILENT, 0, NULL, 1200, 3, 0, &log) == 0);
	CHECK(cl.outcome == HX_TIMEOUT && !cl.have_welcome);
	CHECK(count(log, "HELLO ") >= 3); /* 0, 500, 1000 ms */
	/* one nonce for the whole handshake */
	CHECK(count(log, cl.nonce) == count(log, "HELLO "));

	CASE("version mismatch");
	CHECK(run(FA_VERSION, 0, NULL, 5000, 3, 0, &log) == 0);
	CHECK(cl.outcome == HX_VERSION && strstr(cl.reason, "2..3"));

	CASE("agent closes: channel error");
	CHECK(run(FA_CLOSE, 0, NULL, 5000, 3, 0, &log) == -1);
}

static void test_request(void)
{
	const char *net[] = {"net"};
	const char *add[] = {"sshkey-add", "bob", "ssh-ed25519 AAAA x@y"};
	char *log, want[128];

	CASE("request: REP more, more, ok; foreign id ignored");
	CHECK(run(FA_REQUEST, 1, net, 5000, 0, 0, &log) == 0);
	CHECK(cl.outcome == HX_REPLY_OK);
	snprintf(want, sizeof want, "REQ %s net\n", cl.req_id);
	CHECK(strstr(log, want) != NULL);
	CHECK(cl.nreplies == 3);
	CHECK(cl.nreplies == 3 && cl.reply[0].nfields == 5 &&
	      !strcmp(cl.reply[0].field[0], "more") &&
	      !strcmp(cl.reply[0].field[4], "addr=2001:db8::10/64"));
	CHECK(cl.nreplies == 3 && !strcmp(cl.reply[2].field[0], "ok") &&
	      !strcmp(cl.reply[2].field[2], "hostname=web1"));

	CASE("request: a key line is one field");
	CHECK(run(FA_REQ_ERROR, 3, add, 5000, 0, 0, &log) == 0);
	CHECK(cl.outcome == HX_REPLY_ERR);
	snprintf(want, sizeof want,
		 "REQ %s sshkey-add bob ssh-ed25519 AAAA "
		 "x@y\n",
		 cl.req_id);
	CHECK(strstr(log, want) != NULL);
}

/* ---- the real binary ---- */

/* Runs $XENCHAN args... with fd 3 on the fake agent; returns the exit
 * status, stdout in out, stderr in err. */
static int cli(enum fa_script script, const char *const *args, char *out,
	       size_t ocap, char *err, size_t ecap, char **log)
{
	const char *bin = getenv("XENCHAN");
	FILE *lf = tmpfile(), *of = tmpfile(), *ef = tmpfile();
	char *argv[16];
	int sv[2], st = -1, i;
	size_t n;
	pid_t pid;

	out[0] = err[0] = 0;
	if (!bin || !lf || !of || !ef)
		return -1;
	argv[0] = (char *)bin;
	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = (char *)args[i];
	argv[i + 1] = NULL;
	if (!strcmp(args[1], "PTY")) {
		/* the agent on the master, xenchan opens pty:<slave> */
		static char spec[64];
		sv[0] = posix_openpt(O_RDWR | O_NOCTTY);
		if (sv[0] < 0 || grantpt(sv[0]) || unlockpt(sv[0]))
			return -1;
		snprintf(spec, sizeof spec, "pty:%s", ptsname(sv[0]));
		argv[2] = spec;
		sv[1] = open("/dev/null", O_RDONLY);
	} else if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		dup2(sv[1], 3);
		dup2(fileno(of), 1);
		dup2(fileno(ef), 2);
		execv(bin, argv);
		_exit(127);
	}
	close(sv[1]);
	fa_run(sv[0], script, lf);
	close(sv[0]);
	waitpid(pid, &st, 0);
	*log = slurp(lf);
	rewind(of);
	n = fread(out, 1, ocap - 1, of);
	out[n] = 0;
	rewind(ef);
	n = fread(err, 1, ecap - 1, ef);
	err[n] = 0;
	fclose(of);
	fclose(ef);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_cli(void)
{
	static char out[65536], err[65536];
	const char *demo[] = {"provision", "fd:3", "tests/host/seeds/demo",
			      "--json", NULL};
	const char *native[] = {"provision", "fd:3",
				"tests/host/seeds/native/web1.conf", NULL};
	const char *quick[] = {"provision", "fd:3", "tests/host/seeds/demo",
			       "--timeout", "1",    NULL};
	const char *net[] = {"query", "fd:3", "net", "--json", NULL};
	const char *info[] = {"query", "fd:3", "info", NULL};
	const char *add[] = {
	    "signal", "fd:3", "sshkey-add", "bob", "ssh-ed25519 AAAA x@y",
	    NULL};
	char *log;

	if (!getenv("XENCHAN")) {
		CASE("XENCHAN set");
		CHECK(!"XENCHAN names the xenchan binary");
		return;
	}
	CASE("cli provision --json applied");
	CHECK(cli(FA_APPLY, demo, out, sizeof out, err, sizeof err, &log) == 0);
	CHECK(strstr(out, "\"status\":\"applied\",\"exit\":0,"
			  "\"config_id\":\"demo-0001/1\"") != NULL);
	CHECK(strstr(out, "{\"seq\":1,\"item\":\"hostname web1\","
			  "\"status\":\"ok\"}"));
	CHECK(strstr(out, "\"undelivered\":[]"));
	CHECK(count(out, "\n") == 1 && out[0] == '{');
	/* secrets never printed: the hash, the secret file's bytes */
	CHECK(!strstr(out, "$6$") && !strstr(err, "$6$"));
	CHECK(strstr(log, "ITEM 14 password admin $6$xenchandemo0001$"));
	CHECK(count(log, "digest=ok") == 1);

	CASE("cli provision native, human output");
	CHECK(cli(FA_APPLY, native, out, sizeof out, err, sizeof err, &log) ==
	      0);
	CHECK(strstr(out, "applied i-0123456789abcdef/2 (18 items)\n"));
	CHECK(strstr(out, "] file /etc/app/token (19 bytes, secret): ok\n"));
	CHECK(!strstr(out, "s3cr3t") && !strstr(err, "s3cr3t"));
	CHECK(!strstr(out, "$6$"));

	CASE("cli progress lines for a large transfer");
	{
		char dir[] = "/tmp/xenchan-big.XXXXXX", path[64];
		const char *big[] = {"provision", "fd:3", path, NULL};
		FILE *f;
		int i, j;
		if (mkdtemp(dir)) {
			snprintf(path, sizeof path, "%s/big.conf", dir);
			f = fopen(path, "w");
			fprintf(f, "instance-id big\n");
			for (i = 0; i < 3; i++) {
				fprintf(f, "file /srv/f%d <<E\n", i);
				for (j = 0; j < 3000; j++) /* 3000 * 33 bytes */
					fprintf(f, "%031d~\n", j * (i + 1));
				fprintf(f, "E\n");
			}
			fclose(f);
			CHECK(cli(FA_SLOW, big, out, sizeof out, err,
				  sizeof err, &log) == 0);
			/* at most one line per quarter, the last at 100% */
			CHECK(count(err, "sent ") >= 2 &&
			      count(err, "sent ") <= 4);
			CHECK(count(err, " / 340433 bytes (") ==
			      count(err, "sent "));
			CHECK(
			    strstr(err, "sent 340433 / 340433 bytes (100%)\n"));
			CHECK(count(log, "digest=ok") == 1);
			CHECK(count(log, " 99000 ") == 3); /* FILE path size */
			unlink(path);
			rmdir(dir);
		}
	}

	CASE("cli provision over a pty");
	{
		const char *pty[] = {"provision", "PTY",
				     "tests/host/seeds/demo", "--quiet", NULL};
		CHECK(cli(FA_APPLY, pty, out, sizeof out, err, sizeof err,
			  &log) == 0);
		CHECK(count(log, "digest=ok") == 1);
		check_all_items_sent(log, 1);
		CHECK(out[0] == 0 && err[0] == 0);
	}

	CASE("cli item failure: exit 4");
	CHECK(cli(FA_FAIL_ITEM, native, out, sizeof out, err, sizeof err,
		  &log) == 4);
	CHECK(strstr(out, "fqdn web1.example.com: failed bad-hostname\n"));
	CHECK(strstr(err, "the agent failed i-0123456789abcdef/2"));

	CASE("cli failure while receiving: the item to blame, exit 4");
	CHECK(cli(FA_RECV_FAIL, native, out, sizeof out, err, sizeof err,
		  &log) == 4);
	CHECK(strstr(out, "  [  3] iface eth0 mac=52:54:00:12:34:56 mtu=1500: "
			  "failed no-such-interface\n"));
	CHECK(count(out, "] ") == 1);
	CHECK(strstr(err, "failed i-0123456789abcdef/2: 3 iface "
			  "no-such-interface"));

	CASE("cli already: exit 0");
	CHECK(cli(FA_ALREADY, native, out, sizeof out, err, sizeof err, &log) ==
	      0);
	CHECK(strstr(out, "already applied i-0123456789abcdef/2"));

	CASE("cli timeout: exit 3");
	CHECK(cli(FA_SILENT, quick, out, sizeof out, err, sizeof err, &log) ==
	      3);
	CHECK(strstr(err, "no agent answered after 1 s"));

	CASE("cli channel closed: exit 5");
	CHECK(cli(FA_CLOSE, quick, out, sizeof out, err, sizeof err, &log) ==
	      5);
	CHECK(strstr(err, "closed"));

	CASE("cli query net --json");
	CHECK(cli(FA_REQUEST, net, out, sizeof out, err, sizeof err, &log) ==
	      0);
	CHECK(strstr(out, "\"more\":[{\"words\":[\"iface\"],"
			  "\"name\":\"eth0\",\"addr\":[\"192.0.2.10/24\","
			  "\"2001:db8::10/64\"]},{\"words\":[\"iface\"],"
			  "\"name\":\"lo\",\"addr\":[\"127.0.0.1/8\"]}]"));
	CHECK(strstr(out, "\"result\":{\"words\":[],\"version\":"
			  "\"fake-1\",\"hostname\":\"web1\"}"));

	CASE("cli query info, human");
	CHECK(cli(FA_REQUEST, info, out, sizeof out, err, sizeof err, &log) ==
	      0);
	CHECK(strstr(out, "version=fake-1\nhostname=web1\n"));

	CASE("cli signal error: exit 4");
	CHECK(cli(FA_REQ_ERROR, add, out, sizeof out, err, sizeof err, &log) ==
	      4);
	CHECK(strstr(err, "no-such-user bob"));
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	hc_init(&cfg);
	CASE("load demo seed");
	CHECK(ci_load_dir(&cfg, "tests/host/seeds/demo", "root") == 0 &&
	      hc_finish(&cfg) == 0);
	test_apply();
	test_ready();
	test_seq_retry();
	test_outcomes();
	test_request();
	test_cli();
	hx_free(&cl);
	hc_free(&cfg);
	return check_done("host-client");
}
