/* main.c - the `xenchan` command line (docs/HOST.md): provision a VM over
 * its channel, query or signal its agent, check a config offline.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "host/chan.h"
#include "host/client.h"
#include "host/cloudinit.h"
#include "host/hconf.h"
#include "host/hvalid.h"
#include "host/native.h"
#include "host/report.h"

/* Exit codes, documented in docs/HOST.md and --help. */
enum {
	EX_OK = 0,	 /* applied, already applied, request answered ok */
	EX_INTERNAL = 1, /* out of memory, random source failed */
	EX_USAGE = 2,	 /* bad command line or bad config */
	EX_TIMEOUT = 3,	 /* no agent answered in time */
	EX_AGENT = 4,	 /* the agent refused or failed */
	EX_CHANNEL = 5,	 /* cannot open the channel, or it closed */
};

static const char usage_text[] =
    "usage:\n"
    "  xenchan provision SOCKET CONFIG [options]\n"
    "  xenchan query SOCKET ping|info|net|file-digest PATH [options]\n"
    "  xenchan signal SOCKET poweroff|reboot|halt|fsfreeze [MNT]|"
    "thaw [MNT]|\n"
    "         set-hostname NAME|sshkey-add USER KEY|sshkey-remove USER "
    "BLOB|\n"
    "         set-time [SECONDS] [options]\n"
    "  xenchan check CONFIG [options]       validate and list, send "
    "nothing\n"
    "\n"
    "SOCKET  the channel's Unix socket (path=), unix:PATH, pty:PATH or a\n"
    "        character device, or fd:N\n"
    "CONFIG  a native config file, or a cloud-init NoCloud seed "
    "directory\n"
    "        (meta-data, user-data, network-config); see docs/HOST.md\n"
    "\n"
    "options:\n"
    "  --timeout S        give up after S seconds without an answer "
    "(60)\n"
    "  --retries N        retry a transaction that lost a frame N times "
    "(3)\n"
    "  --generation N     config generation (default: the file's, or 1)\n"
    "  --default-user U   user for top-level ssh_authorized_keys (root)\n"
    "  --json             one JSON object on stdout\n"
    "  --quiet            print errors only\n"
    "\n"
    "exit codes:\n"
    "  0  applied, already applied, or the request succeeded\n"
    "  1  internal error (out of memory, no random source)\n"
    "  2  bad command line or bad config (file:line says where)\n"
    "  3  timeout: no agent answered, or no result came\n"
    "  4  the agent refused or failed the config or the request\n"
    "  5  the channel cannot be opened, or it closed\n";

struct opts {
	const char *cmd;
	const char *pos[8];
	int npos;
	uint32_t timeout_ms;
	int retries;
	uint64_t generation;
	const char *default_user;
	int json, quiet;
};

static int usage(const char *msg)
{
	if (msg)
		fprintf(stderr, "xenchan: %s\n", msg);
	fputs(usage_text, stderr);
	return EX_USAGE;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	int i;

	memset(o, 0, sizeof *o);
	o->timeout_ms = 60000;
	o->retries = 3;
	o->default_user = "root";
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		uint32_t v;
		if (!strcmp(a, "--json")) {
			o->json = 1;
		} else if (!strcmp(a, "--quiet")) {
			o->quiet = 1;
		} else if (!strcmp(a, "--timeout") || !strcmp(a, "--retries") ||
			   !strcmp(a, "--generation") ||
			   !strcmp(a, "--default-user")) {
			if (++i == argc)
				return usage("option needs a value");
			if (!strcmp(a, "--default-user")) {
				o->default_user = argv[i];
				continue;
			}
			if (hv_parse_u32(argv[i], 1000000000u, &v) ||
			    (v == 0 && strcmp(a, "--retries")))
				return usage("bad number");
			if (!strcmp(a, "--timeout")) {
				if (v > 86400)
					return usage(
					    "--timeout: at most 86400");
				o->timeout_ms = v * 1000u;
			} else if (!strcmp(a, "--retries")) {
				o->retries = (int)(v > 100 ? 100 : v);
			} else {
				o->generation = v;
			}
		} else if (a[0] == '-' && a[1] == '-') {
			fprintf(stderr, "xenchan: unknown option %s\n", a);
			return usage(NULL);
		} else if (!o->cmd) {
			o->cmd = a;
		} else if (o->npos < 8) {
			o->pos[o->npos++] = a;
		} else {
			return usage("too many arguments");
		}
	}
	return -1;
}

/* ---- configs ---- */

static int load_config(struct hc_config *c, const struct opts *o,
		       const char *path)
{
	struct stat st;
	char *text, dir[4096];
	size_t len;
	int r;

	hc_init(c);
	if (stat(path, &st) < 0) {
		hc_error(c, path, "%s", strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		r = ci_load_dir(c, path, o->default_user);
	} else {
		const char *slash = strrchr(path, '/');
		if (hn_read_file(path, 2 * XC_CONFIG_MAX + 65536, &text,
				 &len)) {
			hc_error(c, path, "cannot read: %s", strerror(errno));
			return -1;
		}
		snprintf(dir, sizeof dir, "%.*s",
			 slash ? (int)(slash - path) : 1, slash ? path : ".");
		if (slash == path)
			snprintf(dir, sizeof dir, "/");
		r = hn_parse(c, path, text, len, dir);
		free(text);
	}
	if (r == 0 && o->generation)
		c->generation = o->generation;
	return r ? r : hc_finish(c);
}

static int cmd_check(const struct opts *o)
{
	struct hc_config *c = malloc(sizeof *c);
	if (!c)
		return EX_INTERNAL;
	if (o->npos != 1) {
		free(c);
		return usage("check needs CONFIG");
	}
	if (load_config(c, o, o->pos[0])) {
		hr_error(o->json, "check", "bad-config", EX_USAGE, c->err);
		hc_free(c);
		free(c);
		return EX_USAGE;
	}
	hr_check(o->json, o->quiet, c);
	hc_free(c);
	free(c);
	return EX_OK;
}

static int open_channel(const struct opts *o, const char *command)
{
	char err[512];
	int fd = ch_open(o->pos[0], err, sizeof err);

	if (fd < 0)
		hr_error(o->json, command, "channel-error", EX_CHANNEL, err);
	return fd;
}

static int outcome_exit(enum hx_outcome o)
{
	switch (o) {
	case HX_APPLIED:
	case HX_ALREADY:
	case HX_REPLY_OK:
		return EX_OK;
	case HX_FAILED:
	case HX_VERSION:
	case HX_REPLY_ERR:
		return EX_AGENT;
	case HX_TIMEOUT:
		return EX_TIMEOUT;
	default:
		return EX_INTERNAL;
	}
}

static int cmd_provision(const struct opts *o)
{
	struct hc_config *c = malloc(sizeof *c);
	struct hx_client *x = calloc(1, sizeof *x);
	char err[512];
	int fd, rc, r;

	if (!c || !x) {
		free(c);
		free(x);
		return EX_INTERNAL;
	}
	if (o->npos != 2) {
		free(c);
		free(x);
		return usage("provision needs SOCKET and CONFIG");
	}
	if (load_config(c, o, o->pos[1])) {
		hr_error(o->json, "provision", "bad-config", EX_USAGE, c->err);
		rc = EX_USAGE;
		goto out;
	}
	if (!o->quiet)
		hr_undelivered(c);
	if ((fd = open_channel(o, "provision")) < 0) {
		rc = EX_CHANNEL;
		goto out;
	}
	if (hx_start_provision(x, c, o->timeout_ms, o->retries, ch_now_ms())) {
		rc = EX_INTERNAL;
		goto out_fd;
	}
	r = ch_run(fd, x,
		   o->quiet || o->json ? CH_PROGRESS_OFF : CH_PROGRESS_AUTO,
		   err, sizeof err);
	rc = r ? EX_CHANNEL : outcome_exit(x->outcome);
	hr_provision(o->json, o->quiet, c, x, rc, r ? err : NULL);
out_fd:
	if (strncmp(o->pos[0], "fd:", 3))
		close(fd);
out:
	hx_free(x);
	hc_free(c);
	free(x);
	free(c);
	return rc;
}

/* ---- query and signal ---- */

struct verb {
	const char *name;
	int min, max; /* arguments */
	int query;    /* 1: query, 0: signal */
};

static const struct verb verbs[] = {
    {"ping", 0, 0, 1},	     {"info", 0, 0, 1},
    {"net", 0, 0, 1},	     {"file-digest", 1, 1, 1},
    {"poweroff", 0, 0, 0},   {"reboot", 0, 0, 0},
    {"halt", 0, 0, 0},	     {"fsfreeze", 0, 1, 0},
    {"thaw", 0, 1, 0},	     {"set-hostname", 1, 1, 0},
    {"sshkey-add", 2, 2, 0}, {"sshkey-remove", 2, 2, 0},
    {"set-time", 0, 1, 0},
};

static int cmd_request(const struct opts *o, int query)
{
	struct hx_client *x = calloc(1, sizeof *x);
	const struct verb *v = NULL;
	const char *words[XF_FIELDS_MAX];
	char err[512], now[24];
	int nw, i, fd, rc, r;

	if (!x)
		return EX_INTERNAL;
	if (o->npos < 2) {
		free(x);
		return usage(query ? "query needs SOCKET and a verb"
				   : "signal needs SOCKET and a verb");
	}
	for (i = 0; i < (int)(sizeof verbs / sizeof *verbs); i++)
		if (!strcmp(verbs[i].name, o->pos[1]) &&
		    verbs[i].query == query)
			v = &verbs[i];
	nw = o->npos - 1;
	if (!v || nw - 1 < v->min || nw - 1 > v->max) {
		free(x);
		return usage(!v ? "unknown verb" : "wrong number of arguments");
	}
	for (i = 0; i < nw; i++)
		words[i] = o->pos[1 + i];
	if (!strcmp(v->name, "set-time") && nw == 1) {
		snprintf(now, sizeof now, "%lld", (long long)time(NULL));
		words[nw++] = now;
	}
	if (hx_check_request(nw, words)) {
		free(x);
		return usage("empty argument, or the request is longer than a "
			     "frame");
	}
	if ((fd = open_channel(o, query ? "query" : "signal")) < 0) {
		free(x);
		return EX_CHANNEL;
	}
	if (hx_start_request(x, nw, words, o->timeout_ms, ch_now_ms())) {
		rc = EX_INTERNAL;
		goto out;
	}
	r = ch_run(fd, x, CH_PROGRESS_OFF, err, sizeof err);
	rc = r ? EX_CHANNEL : outcome_exit(x->outcome);
	hr_request(o->json, o->quiet, query, v->name, x, rc, r ? err : NULL);
out:
	if (strncmp(o->pos[0], "fd:", 3))
		close(fd);
	hx_free(x);
	free(x);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	int r;

	signal(SIGPIPE, SIG_IGN); /* a closed channel is an EPIPE, not death */
	if (argc == 2 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage_text, stdout);
		return EX_OK;
	}
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("xenchan %s\n", XC_VERSION);
		return EX_OK;
	}
	if ((r = parse_args(argc, argv, &o)) >= 0)
		return r;
	if (!o.cmd)
		return usage("no command");
	if (!strcmp(o.cmd, "provision"))
		return cmd_provision(&o);
	if (!strcmp(o.cmd, "query"))
		return cmd_request(&o, 1);
	if (!strcmp(o.cmd, "signal"))
		return cmd_request(&o, 0);
	if (!strcmp(o.cmd, "check"))
		return cmd_check(&o);
	return usage("unknown command");
}
