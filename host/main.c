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
#include "host/json.h"
#include "host/native.h"

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

static void print_undelivered(const struct hc_config *c, const struct opts *o)
{
	int i;

	if (o->quiet || !c->nundelivered)
		return;
	fprintf(stderr, "xenchan: not delivered (the agent does not apply "
			"these):\n");
	for (i = 0; i < c->nundelivered; i++)
		fprintf(stderr, "  %s\n", c->undelivered[i]);
	if (c->undelivered_dropped)
		fprintf(stderr, "  ... and %d more\n", c->undelivered_dropped);
}

static void json_undelivered(struct hj *j, const struct hc_config *c)
{
	int i;

	hj_begin_array(j, "undelivered");
	for (i = 0; i < c->nundelivered; i++)
		hj_string(j, NULL, c->undelivered[i]);
	hj_end_array(j);
}

static void json_agent(struct hj *j, const struct hx_client *x)
{
	if (!x->have_welcome) {
		hj_null(j, "agent");
		return;
	}
	hj_begin_object(j, "agent");
	hj_string(j, "version", x->welcome.agent);
	hj_string(j, "protocol", x->welcome.version);
	hj_string(j, "boot_id", x->welcome.boot_id);
	hj_string(j, "caps", x->welcome.caps);
	hj_string(j, "applied", x->welcome.applied);
	hj_end_object(j);
}

static int cmd_check(const struct opts *o)
{
	struct hc_config *c = malloc(sizeof *c);
	char id[HC_ID_MAX + 32], d[256];
	struct hj j;
	int i;

	if (!c)
		return EX_INTERNAL;
	if (o->npos != 1) {
		free(c);
		return usage("check needs CONFIG");
	}
	if (load_config(c, o, o->pos[0])) {
		fprintf(stderr, "xenchan: %s\n", c->err);
		hc_free(c);
		free(c);
		return EX_USAGE;
	}
	hc_config_id(c, id, sizeof id);
	if (o->json) {
		hj_init(&j, stdout);
		hj_begin_object(&j, NULL);
		hj_string(&j, "command", "check");
		hj_string(&j, "config_id", id);
		hj_begin_array(&j, "items");
		for (i = 0; i < c->nitems; i++) {
			hc_describe(&c->item[i], d, sizeof d);
			hj_string(&j, NULL, d);
		}
		hj_end_array(&j);
		json_undelivered(&j, c);
		hj_end_object(&j);
	} else if (!o->quiet) {
		printf("config %s: %d items\n", id, c->nitems);
		for (i = 0; i < c->nitems; i++) {
			hc_describe(&c->item[i], d, sizeof d);
			printf("  %s\n", d);
		}
	}
	print_undelivered(c, o);
	hc_free(c);
	free(c);
	return EX_OK;
}

static int open_channel(const char *spec, const struct opts *o)
{
	char err[512];
	int fd = ch_open(spec, err, sizeof err);

	if (fd < 0)
		fprintf(stderr, "xenchan: %s\n", err);
	return fd;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static const char *outcome_word(enum hx_outcome o)
{
	switch (o) {
	case HX_APPLIED:
		return "applied";
	case HX_ALREADY:
		return "already";
	case HX_FAILED:
		return "failed";
	case HX_VERSION:
		return "version-mismatch";
	case HX_REPLY_OK:
		return "ok";
	case HX_REPLY_ERR:
		return "error";
	case HX_TIMEOUT:
		return "timeout";
	default:
		return "internal-error";
	}
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

static void report_provision(const struct opts *o, const struct hc_config *c,
			     const struct hx_client *x, int rc,
			     const char *chan_err)
{
	const char *word =
	    chan_err ? "channel-error" : outcome_word(x->outcome);
	char d[256];
	struct hj j;
	int i;

	if (o->json) {
		hj_init(&j, stdout);
		hj_begin_object(&j, NULL);
		hj_string(&j, "command", "provision");
		hj_string(&j, "status", word);
		hj_int(&j, "exit", rc);
		hj_string(&j, "config_id", x->config_id);
		hj_int(&j, "attempts", x->attempt);
		json_agent(&j, x);
		hj_begin_array(&j, "items");
		for (i = 0; i < c->nitems; i++) {
			const struct hx_result *r = &x->result[i];
			hc_describe(&c->item[i], d, sizeof d);
			hj_begin_object(&j, NULL);
			hj_int(&j, "seq", x->item_seq[i]);
			hj_string(&j, "item", d);
			hj_string(&j, "status",
				  r->status[0] ? r->status : "unknown");
			if (r->reason[0])
				hj_string(&j, "reason", r->reason);
			hj_end_object(&j);
		}
		hj_end_array(&j);
		json_undelivered(&j, c);
		if (chan_err || (rc && x->reason[0]))
			hj_string(&j, "error", chan_err ? chan_err : x->reason);
		hj_end_object(&j);
		return;
	}
	if (!o->quiet && x->have_welcome)
		printf(
		    "agent %s (protocol %s, boot id %s), previously applied: "
		    "%s\n",
		    x->welcome.agent[0] ? x->welcome.agent : "?",
		    x->welcome.version, x->welcome.boot_id,
		    x->welcome.applied[0] ? x->welcome.applied : "none");
	for (i = 0; i < c->nitems && !o->quiet; i++) {
		const struct hx_result *r = &x->result[i];
		/* per item only when the agent answered per item (a failure
		 * while receiving names its item in the error line) */
		if ((x->outcome != HX_APPLIED && x->outcome != HX_FAILED) ||
		    !x->result[0].status[0])
			break;
		hc_describe(&c->item[i], d, sizeof d);
		printf("  [%3u] %s: %s%s%s\n", x->item_seq[i], d,
		       r->status[0] ? r->status : "no answer",
		       r->reason[0] ? " " : "", r->reason);
	}
	if (chan_err)
		fprintf(stderr, "xenchan: %s\n", chan_err);
	else if (x->outcome == HX_APPLIED && !o->quiet)
		printf("applied %s (%d items)\n", x->config_id, c->nitems);
	else if (x->outcome == HX_ALREADY && !o->quiet)
		printf("already applied %s: nothing changed\n", x->config_id);
	else if (x->outcome == HX_FAILED)
		fprintf(stderr,
			"xenchan: the agent failed %s: %s (nothing of it "
			"stays applied)\n",
			x->config_id, x->reason);
	else if (x->outcome == HX_TIMEOUT)
		fprintf(stderr,
			"xenchan: %s after %u s; is xenchan-agent "
			"running in the guest on this channel?\n",
			x->have_welcome ? "no result" : "no agent answered",
			x->timeout_ms / 1000);
	else if (x->outcome == HX_VERSION)
		fprintf(stderr, "xenchan: %s\n", x->reason);
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
		fprintf(stderr, "xenchan: %s\n", c->err);
		rc = EX_USAGE;
		goto out;
	}
	print_undelivered(c, o);
	if ((fd = open_channel(o->pos[0], o)) < 0) {
		rc = EX_CHANNEL;
		goto out;
	}
	if (hx_start_provision(x, c, o->timeout_ms, o->retries, mono_ms())) {
		rc = EX_INTERNAL;
		goto out_fd;
	}
	r = ch_run(fd, x,
		   o->quiet || o->json ? CH_PROGRESS_OFF : CH_PROGRESS_AUTO,
		   err, sizeof err);
	rc = r ? EX_CHANNEL : outcome_exit(x->outcome);
	report_provision(o, c, x, rc, r ? err : NULL);
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

/* One REP's fields as a JSON object: words, then key=value members (a key
 * that repeats, like addr=, becomes an array). */
static void json_reply(struct hj *j, const char *key, const struct hx_reply *r)
{
	int i, k;

	hj_begin_object(j, key);
	hj_begin_array(j, "words");
	for (i = 1; i < r->nfields; i++)
		if (!strchr(r->field[i], '='))
			hj_string(j, NULL, r->field[i]);
	hj_end_array(j);
	for (i = 1; i < r->nfields; i++) {
		const char *eq = strchr(r->field[i], '=');
		size_t kl = eq ? (size_t)(eq - r->field[i]) : 0;
		int seen = 0, count = 0;
		if (!eq || !strncmp(r->field[i], "words=", 6))
			continue;
		for (k = 1; k < r->nfields; k++)
			if (!strncmp(r->field[k], r->field[i], kl + 1)) {
				seen += k < i;
				count++;
			}
		if (seen)
			continue;
		{
			char name[64];
			snprintf(name, sizeof name, "%.*s", (int)kl,
				 r->field[i]);
			/* addr= is a list even when there is one */
			if (count == 1 && strcmp(name, "addr")) {
				hj_string(j, name, eq + 1);
				continue;
			}
			hj_begin_array(j, name);
			for (k = i; k < r->nfields; k++)
				if (!strncmp(r->field[k], r->field[i], kl + 1))
					hj_string(j, NULL,
						  r->field[k] + kl + 1);
			hj_end_array(j);
		}
	}
	hj_end_object(j);
}

/* A field from the agent, with control bytes shown as '?' so that no
 * reply can drive the terminal. */
static void print_field(const char *s)
{
	for (; *s; s++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

static void print_reply(const struct hx_reply *r, int final)
{
	int i;

	/* "ok k=v..." as one field per line; "more" records on one line */
	for (i = 1; i < r->nfields; i++) {
		print_field(r->field[i]);
		putchar(final || i + 1 == r->nfields ? '\n' : ' ');
	}
}

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
	if ((fd = open_channel(o->pos[0], o)) < 0) {
		free(x);
		return EX_CHANNEL;
	}
	if (hx_start_request(x, nw, words, o->timeout_ms, mono_ms())) {
		rc = EX_INTERNAL;
		goto out;
	}
	r = ch_run(fd, x, CH_PROGRESS_OFF, err, sizeof err);
	rc = r ? EX_CHANNEL : outcome_exit(x->outcome);
	if (o->json) {
		struct hj j;
		hj_init(&j, stdout);
		hj_begin_object(&j, NULL);
		hj_string(&j, "command", query ? "query" : "signal");
		hj_string(&j, "verb", v->name);
		hj_string(&j, "status",
			  r ? "channel-error" : outcome_word(x->outcome));
		hj_int(&j, "exit", rc);
		json_agent(&j, x);
		hj_begin_array(&j, "more");
		for (i = 0; i + 1 < x->nreplies; i++)
			json_reply(&j, NULL, &x->reply[i]);
		hj_end_array(&j);
		if (x->nreplies && hx_done(x) &&
		    (x->outcome == HX_REPLY_OK || x->outcome == HX_REPLY_ERR))
			json_reply(&j, "result", &x->reply[x->nreplies - 1]);
		if (r)
			hj_string(&j, "error", err);
		hj_end_object(&j);
	} else if (r) {
		fprintf(stderr, "xenchan: %s\n", err);
	} else if (x->outcome == HX_REPLY_OK) {
		for (i = 0; i + 1 < x->nreplies && !o->quiet; i++)
			print_reply(&x->reply[i], 0);
		if (!o->quiet)
			print_reply(&x->reply[x->nreplies - 1], 1);
		if (!o->quiet && x->nreplies == 1 && x->reply[0].nfields == 1)
			printf("ok\n");
	} else if (x->outcome == HX_REPLY_ERR) {
		const struct hx_reply *e = &x->reply[x->nreplies - 1];
		fprintf(stderr, "xenchan: the agent answered %s: %s%s%s\n",
			v->name, e->nfields > 1 ? e->field[1] : "error",
			e->nfields > 2 ? " " : "",
			e->nfields > 2 ? e->field[2] : "");
	} else if (x->outcome == HX_TIMEOUT) {
		fprintf(stderr,
			"xenchan: %s after %u s; is xenchan-agent "
			"running%s on this channel?\n",
			x->have_welcome ? "no reply" : "no agent answered",
			x->timeout_ms / 1000,
			x->have_welcome ? " with --resident" : "");
	}
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
