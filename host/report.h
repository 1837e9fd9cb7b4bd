/* report.h - what `xenchan` prints about an outcome: text for a person
 * (stdout, errors on stderr) or one JSON object for a program (--json).
 * The formats are documented in docs/HOST.md ("Output"). Nothing here
 * prints a secret: items are shown through hc_describe().
 */
#ifndef XC_REPORT_H
#define XC_REPORT_H

#include "host/client.h"
#include "host/hconf.h"

/* The "not delivered" list, on stderr. */
void hr_undelivered(const struct hc_config *c);
/* The word for an outcome: applied, already, failed, timeout... */
const char *hr_outcome_word(enum hx_outcome o);
/* `check`: the items and the undelivered list. */
void hr_check(int json, int quiet, const struct hc_config *c);
/* `provision`: rc is the exit code, chan_err set when the channel failed. */
void hr_provision(int json, int quiet, const struct hc_config *c,
		  const struct hx_client *x, int rc, const char *chan_err);
/* `query` and `signal`. */
void hr_request(int json, int quiet, int query, const char *verb,
		const struct hx_client *x, int rc, const char *chan_err);

/* An error before any exchange (bad config, channel not opened): msg on
 * stderr and, with json, {"command","status","exit","error"} on stdout. */
void hr_error(int json, const char *command, const char *status, int rc,
	      const char *msg);

#endif
