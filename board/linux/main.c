/* main.c - xenchan-agent on Linux: options, the channel, the event loop.
 *
 * The loop is the only place that does I/O for the session engine
 * (agent/session.c): it polls the transport, feeds what arrives, sends what
 * the engine produced, ticks the clock, and acts on a pending power action
 * once the reply has left. Every wait is bounded: --timeout bounds the
 * first-boot run (finding the channel and getting a configuration).
 *
 * Exit status: 0 provisioned, already provisioned, or resident mode ended;
 * 1 the configuration failed; 2 usage; 3 no channel found in time (with
 * --on-missing fail); 4 no host came in time.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <time.h>
#include <unistd.h>

#include "agent/session.h"
#include "agent/xc_err.h"
#include "apply.h"
#include "log.h"
#include "transport.h"

#define DEFAULT_CHANNEL "org.xenchan.agent.0"
#define DEFAULT_TIMEOUT_S 60
#define CMDLINE_MAX 4096

static struct xs_session sess;
static struct xa_ctx apply;
static struct xt chan;
static char rxbuf[4096];
static char boot_id[40] = "unknown";
static char cmdline[CMDLINE_MAX];
static volatile sig_atomic_t stop_signal;

struct options {
	struct xt_opts t;
	const char *root;
	unsigned long timeout_s;
	int resident;
	int fail_missing;
	int kmsg;
	int use_cmdline;
};

static void usage(void)
{
	static const char text[] =
		"usage: xenchan-agent [options]\n"
		"  --channel NAME      channel or port name (default "
		DEFAULT_CHANNEL ")\n"
		"  --transport KIND    auto, ring, hvc, virtio (default auto)\n"
		"  --device PATH       use this tty or character device\n"
		"  --connect unix:PATH connect to a Unix socket\n"
		"  --fd N              use an open descriptor\n"
		"  --root DIR          apply into this root (default /)\n"
		"  --timeout SEC       bound the first-boot run (default 60)\n"
		"  --resident          keep serving requests after provisioning\n"
		"  --on-missing WHAT   no channel: continue (exit 0) or fail (3)\n"
		"  --unbind-hvc        ring: take the console from hvc_xen\n"
		"  --cmdline           read xenchan.* knobs from /proc/cmdline\n"
		"  --kmsg              also log to /dev/kmsg\n"
		"  --log-level N       3 errors .. 7 debug (default 6)\n"
		"  --version\n";
	if (write(2, text, sizeof text - 1) < 0) {
	}
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	uint64_t v;

	if (!s || xf_parse_u64(s, strlen(s), max, &v) < 0)
		return -1;
	*out = (unsigned long)v;
	return 0;
}

/* Option names, in the order of enum opt: one string, NUL-separated. */
static const char opt_names[] =
	"channel\0transport\0timeout\0on-missing\0log-level\0root\0device\0"
	"connect\0fd\0onmissing\0log\0resident\0unbind-hvc\0cmdline\0kmsg\0"
	"version\0help\0";
enum opt {
	/* knobs (--name value, or xenchan.name=value) */
	OPT_CHANNEL,
	OPT_TRANSPORT,
	OPT_TIMEOUT,
	OPT_ON_MISSING,
	OPT_LOG_LEVEL,
	OPT_ROOT,
	/* options with a value, command line only */
	OPT_DEVICE,
	OPT_CONNECT,
	OPT_FD,
	/* the kernel command line's spellings of two knobs */
	OPT_ONMISSING,
	OPT_LOG,
	/* flags (resident is also a knob: xenchan.resident=0/1) */
	OPT_RESIDENT,
	OPT_UNBIND_HVC,
	OPT_CMDLINE,
	OPT_KMSG,
	OPT_VERSION,
	OPT_HELP,
	OPT_UNKNOWN
};

static enum opt opt_find(const char *name)
{
	const char *n = opt_names;
	int i;

	for (i = 0; *n; i++, n += strlen(n) + 1)
		if (!strcmp(name, n))
			break;
	return (enum opt)i;
}

/* One knob, from the command line (--name value) or the kernel command
 * line (xenchan.name=value). Returns 0, or -1 for a bad value. */
static int knob(struct options *o, const char *name, const char *v)
{
	unsigned long u;

	switch (opt_find(name)) {
	case OPT_CHANNEL:
		o->t.channel = v;
		break;
	case OPT_TRANSPORT:
		o->t.transport = v;
		break;
	case OPT_TIMEOUT:
		if (parse_ulong(v, 86400, &u) < 0)
			return -1;
		o->timeout_s = u;
		break;
	case OPT_ON_MISSING:
	case OPT_ONMISSING:
		if (!strcmp(v, "fail"))
			o->fail_missing = 1;
		else if (!strcmp(v, "continue"))
			o->fail_missing = 0;
		else
			return -1;
		break;
	case OPT_LOG_LEVEL:
	case OPT_LOG:
		if (parse_ulong(v, 7, &u) < 0)
			return -1;
		xlog_level = (int)u;
		break;
	case OPT_UNBIND_HVC:
		o->t.unbind_hvc = strcmp(v, "0") != 0;
		break;
	case OPT_RESIDENT:
		o->resident = strcmp(v, "0") != 0;
		break;
	case OPT_ROOT:
		o->root = v;
		break;
	default:
		return -2; /* unknown: ignored on the kernel command line */
	}
	return 0;
}

/* xenchan.KEY=VALUE words of /proc/cmdline. Unknown keys are ignored, bad
 * values are logged and ignored: a typo must not stop the boot. */
static void read_cmdline(struct options *o)
{
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n;
	char *p, *end;

	if (fd < 0)
		return;
	n = read(fd, cmdline, sizeof cmdline - 1);
	close(fd);
	if (n <= 0)
		return;
	cmdline[n] = 0;
	for (p = cmdline; *p; p = end) {
		char *eq;
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		for (end = p; *end && *end != ' ' && *end != '\t' &&
			      *end != '\n';)
			end++;
		if (*end)
			*end++ = 0;
		if (strncmp(p, "xenchan.", 8))
			continue;
		eq = strchr(p, '=');
		if (!eq)
			continue;
		*eq = 0;
		if (knob(o, p + 8, eq + 1) == -1)
			xlog(XLOG_WARN, "ignoring bad kernel parameter "
					"xenchan.%s=%s", p + 8, eq + 1);
	}
}

static int parse_args(struct options *o, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		enum opt k;
		unsigned long u;

		if (strncmp(a, "--", 2))
			goto bad;
		k = opt_find(a + 2);
		if (k < OPT_ONMISSING && i + 1 == argc)
			goto bad; /* its value is missing */
		switch (k) {
		case OPT_DEVICE:
			o->t.device = argv[++i];
			break;
		case OPT_CONNECT:
			o->t.connect = argv[++i];
			break;
		case OPT_FD:
			if (parse_ulong(argv[++i], 1 << 20, &u) < 0)
				goto bad;
			o->t.fd = (int)u;
			break;
		case OPT_RESIDENT:
			o->resident = 1;
			break;
		case OPT_UNBIND_HVC:
			o->t.unbind_hvc = 1;
			break;
		case OPT_CMDLINE:
			o->use_cmdline = 1;
			break;
		case OPT_KMSG:
			o->kmsg = 1;
			break;
		case OPT_VERSION: {
			static const char v[] = "xenchan-agent " XC_VERSION "\n";
			if (write(1, v, sizeof v - 1) < 0) {
			}
			exit(0);
		}
		case OPT_HELP:
			usage();
			exit(0);
		case OPT_ONMISSING:
		case OPT_LOG:
		case OPT_UNKNOWN:
			goto bad;
		default: /* a knob */
			if (knob(o, a + 2, argv[i + 1]) < 0)
				goto bad;
			i++;
		}
	}
	return 0;
bad:
	xlog(XLOG_ERR, "bad or incomplete option: %s (see --help)", argv[i]);
	return -1;
}

static void read_boot_id(void)
{
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return;
	n = read(fd, boot_id, sizeof boot_id - 1);
	close(fd);
	if (n < 36) {
		strcpy(boot_id, "unknown");
		return;
	}
	boot_id[36] = 0;
}

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	nanosleep(&ts, 0);
}

/* Sends what the engine has. Returns 0, or -XC_EPIPE when the channel is
 * gone. */
static int send_output(void)
{
	for (;;) {
		size_t len;
		const char *p = xs_output(&sess, &len);
		long w;

		if (!len)
			return 0;
		w = chan.ops->write(&chan, p, len);
		if (w < 0)
			return (int)w;
		if (w == 0)
			return 0; /* full: poll for POLLOUT */
		xs_output_ack(&sess, (size_t)w);
	}
}

/* The stream ended (socket closed, pty hung up). A Unix socket is
 * reconnected; a device is polled again after a pause. */
static int channel_lost(const struct options *o)
{
	if (!strcmp(chan.kind, "unix")) {
		chan.ops->close(&chan);
		for (;;) {
			if (xt_open_unix(&chan, o->t.connect + 5) == 0)
				return 0;
			if (stop_signal ||
			    (!o->resident && xt_now_ms() >= o->t.deadline_ms))
				return -1;
			sleep_ms(200);
		}
	}
	if (!strcmp(chan.kind, "device") && o->t.fd >= 0)
		return -1; /* a given descriptor cannot come back */
	sleep_ms(100);
	return 0;
}

static void do_action(int cmd)
{
	static const char *const names[] = {"poweroff", "reboot", "halt"};
	const char *name = cmd == RB_AUTOBOOT ? names[1]
			   : cmd == (int)RB_HALT_SYSTEM ? names[2] : names[0];

	if (chan.ops->flushed)
		chan.ops->flushed(&chan);
	xlog(XLOG_INFO, "%s requested by the host", name);
	sleep_ms(1000);
	sync();
	if (reboot(cmd) < 0)
		xlog(XLOG_ERR, "%s failed: %s", name, strerror(errno));
}

static int run(struct options *o)
{
	size_t have = 0; /* bytes in rxbuf not yet taken by the engine */
	int provisioned = 0, failed = 0, hello = 0;

	for (;;) {
		uint64_t now = xt_now_ms();
		unsigned ev;
		struct pollfd pfd;
		size_t pending;
		int r, wait_ms, action;

		xs_tick(&sess, now);
		r = send_output();
		if (r == -XC_EPIPE && channel_lost(o) < 0)
			break;
		ev = xs_events(&sess);
		if (ev & XS_EV_HELLO && !hello++)
			xlog(XLOG_INFO, "host connected on %s", chan.path);
		if (ev & (XS_EV_APPLIED | XS_EV_ALREADY)) {
			provisioned = 1;
			failed = 0;
			/* the applier itself logs "applied ID" */
			if (ev & XS_EV_ALREADY)
				xlog(XLOG_INFO, "configuration %s: already "
						"applied", sess.config_id);
		}
		if (ev & XS_EV_FAILED) {
			failed = 1;
			xlog(XLOG_ERR, "configuration %s failed (see the host's "
				       "report)", sess.config_id);
		}
		xs_output(&sess, &pending);
		action = xa_pending_action(&apply);
		if (action && !pending) {
			do_action(action);
			return 0;
		}
		if (!o->resident && provisioned && !pending &&
		    !sess.result_count) {
			if (chan.ops->flushed)
				chan.ops->flushed(&chan);
			return 0;
		}
		if (stop_signal)
			return 0;
		if (!o->resident && now >= o->t.deadline_ms) {
			xlog(XLOG_ERR, "%s after %lus: giving up",
			     failed ? "configuration failed" :
			     "no configuration came from the host",
			     o->timeout_s);
			return failed ? 1 : 4;
		}

		pfd.fd = chan.fd;
		pfd.events = chan.poll_in | (pending ? chan.poll_out : 0);
		pfd.revents = 0;
		wait_ms = 250;
		if (!o->resident && o->t.deadline_ms - now < (uint64_t)wait_ms)
			wait_ms = (int)(o->t.deadline_ms - now);
		r = poll(&pfd, 1, wait_ms);
		if (r < 0 && errno != EINTR) {
			xlog(XLOG_ERR, "poll: %s", strerror(errno));
			return 1;
		}
		if (r <= 0)
			continue;
		if (chan.ops->event && chan.ops->event(&chan) < 0) {
			if (channel_lost(o) < 0)
				break;
			continue;
		}
		/* Read only what the engine can take; it stops taking input
		 * while its replies have not drained. */
		if (have < sizeof rxbuf) {
			long n = chan.ops->read(&chan, rxbuf + have,
						sizeof rxbuf - have);
			if (n == -XC_EPIPE) {
				if (channel_lost(o) < 0)
					break;
				continue;
			}
			if (n < 0) {
				xlog(XLOG_ERR, "reading %s: %s", chan.path,
				     strerror((int)-n));
				return 1;
			}
			have += (size_t)n;
			if (n == 0 && (pfd.revents & (POLLHUP | POLLERR)) &&
			    !(pfd.revents & POLLIN))
				sleep_ms(100); /* host side absent */
		}
		if (have) {
			size_t used = xs_input(&sess, rxbuf, have);
			memmove(rxbuf, rxbuf + used, have - used);
			have -= used;
		}
	}
	return provisioned ? 0 : failed ? 1 : 4;
}

int main(int argc, char **argv)
{
	struct options o = {
		.t = {.channel = DEFAULT_CHANNEL, .transport = "auto", .fd = -1},
		.root = "/",
		.timeout_s = DEFAULT_TIMEOUT_S,
	};
	int r, i;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--cmdline"))
			read_cmdline(&o); /* flags given after it win */
	if (parse_args(&o, argc, argv) < 0) {
		usage();
		return 2;
	}
	if (o.kmsg)
		xlog_open_kmsg();
	o.t.deadline_ms = xt_now_ms() + o.timeout_s * 1000;
	read_boot_id();
	/* xa_init says why and what to do. A root that opens but takes no
	 * writes (read-only) still serves requests; transactions get
	 * "root-not-writable". */
	if (xa_init(&apply, o.root, -1) < 0 && apply.root_fd < 0)
		return 1;
	r = xt_open(&chan, &o.t);
	if (r == -XC_ENOENT) {
		xlog(o.fail_missing ? XLOG_ERR : XLOG_WARN,
		     "no channel %s found after %lus; %s", o.t.channel,
		     o.timeout_s,
		     o.fail_missing ? "failing" : "continuing without it");
		return o.fail_missing ? 3 : 0;
	}
	if (r < 0)
		return r == -XC_EINVAL ? 2 : 1;
	xlog(XLOG_INFO, "channel %s on %s (%s)", o.t.channel, chan.path,
	     chan.kind);
	xs_init(&sess, &xa_ops, &apply, boot_id, XC_VERSION);
	return run(&o);
}
