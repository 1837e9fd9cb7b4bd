/* report.c - see report.h. */
#include "host/report.h"

#include <stdio.h>
#include <string.h>

#include "host/json.h"

void hr_undelivered(const struct hc_config *c)
{
	int i;

	if (!c->nundelivered)
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

const char *hr_outcome_word(enum hx_outcome o)
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

void hr_provision(int json, int quiet, const struct hc_config *c,
		  const struct hx_client *x, int rc, const char *chan_err)
{
	const char *word =
	    chan_err ? "channel-error" : hr_outcome_word(x->outcome);
	char d[256];
	struct hj j;
	int i;

	if (json) {
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
	if (!quiet && x->have_welcome)
		printf(
		    "agent %s (protocol %s, boot id %s), previously applied: "
		    "%s\n",
		    x->welcome.agent[0] ? x->welcome.agent : "?",
		    x->welcome.version, x->welcome.boot_id,
		    x->welcome.applied[0] ? x->welcome.applied : "none");
	for (i = 0; i < c->nitems && !quiet; i++) {
		const struct hx_result *r = &x->result[i];
		/* the items the agent answered for: all of them after a
		 * COMMIT, the one to blame for a failure while receiving */
		if (!r->status[0])
			continue;
		hc_describe(&c->item[i], d, sizeof d);
		printf("  [%3u] %s: %s%s%s\n", x->item_seq[i], d, r->status,
		       r->reason[0] ? " " : "", r->reason);
	}
	if (chan_err)
		fprintf(stderr, "xenchan: %s\n", chan_err);
	else if (x->outcome == HX_APPLIED && !quiet)
		printf("applied %s (%d items)\n", x->config_id, c->nitems);
	else if (x->outcome == HX_ALREADY && !quiet)
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

void hr_check(int json, int quiet, const struct hc_config *c)
{
	char id[HC_ID_MAX + 32], d[256];
	struct hj j;
	int i;

	hc_config_id(c, id, sizeof id);
	if (json) {
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
	} else if (!quiet) {
		printf("config %s: %d items\n", id, c->nitems);
		for (i = 0; i < c->nitems; i++) {
			hc_describe(&c->item[i], d, sizeof d);
			printf("  %s\n", d);
		}
	}
	if (!quiet)
		hr_undelivered(c);
}

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

void hr_request(int json, int quiet, int query, const char *verb,
		const struct hx_client *x, int rc, const char *chan_err)
{
	int i;

	if (json) {
		struct hj j;
		hj_init(&j, stdout);
		hj_begin_object(&j, NULL);
		hj_string(&j, "command", query ? "query" : "signal");
		hj_string(&j, "verb", verb);
		hj_string(&j, "status",
			  chan_err ? "channel-error"
				   : hr_outcome_word(x->outcome));
		hj_int(&j, "exit", rc);
		json_agent(&j, x);
		hj_begin_array(&j, "more");
		for (i = 0; i + 1 < x->nreplies; i++)
			json_reply(&j, NULL, &x->reply[i]);
		hj_end_array(&j);
		if (x->nreplies && hx_done(x) &&
		    (x->outcome == HX_REPLY_OK || x->outcome == HX_REPLY_ERR))
			json_reply(&j, "result", &x->reply[x->nreplies - 1]);
		if (chan_err)
			hj_string(&j, "error", chan_err);
		hj_end_object(&j);
	} else if (chan_err) {
		fprintf(stderr, "xenchan: %s\n", chan_err);
	} else if (x->outcome == HX_REPLY_OK) {
		for (i = 0; i + 1 < x->nreplies && !quiet; i++)
			print_reply(&x->reply[i], 0);
		if (!quiet)
			print_reply(&x->reply[x->nreplies - 1], 1);
		if (!quiet && x->nreplies == 1 && x->reply[0].nfields == 1)
			printf("ok\n");
	} else if (x->outcome == HX_REPLY_ERR) {
		const struct hx_reply *e = &x->reply[x->nreplies - 1];
		fprintf(stderr, "xenchan: the agent answered %s: %s%s%s\n",
			verb, e->nfields > 1 ? e->field[1] : "error",
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
}

void hr_error(int json, const char *command, const char *status, int rc,
	      const char *msg)
{
	struct hj j;

	fprintf(stderr, "xenchan: %s\n", msg);
	if (!json)
		return;
	hj_init(&j, stdout);
	hj_begin_object(&j, NULL);
	hj_string(&j, "command", command);
	hj_string(&j, "status", status);
	hj_int(&j, "exit", rc);
	hj_string(&j, "error", msg);
	hj_end_object(&j);
}
