/* init.c - /init of the standalone xenchan initramfs (docs/BOOT.md).
 *
 * Runs as PID 1 from the image `make initramfs` builds; static musl, no
 * shell needed. In order:
 *   1. mounts proc, sysfs and devtmpfs;
 *   2. loads the kernel modules listed in /lib/modules/load.list (one .ko
 *      file name per line, dependencies first) with finit_module(2);
 *   3. with root=/dev/X: waits for the device, mounts it on /newroot;
 *   4. runs /bin/xenchan-agent with the xenchan.* knobs of the kernel
 *      command line turned into flags, and waits for it;
 *   5. xenchan.after=switch_root (the default with root=): moves /newroot
 *      to / and executes its init (init=, default /sbin/init);
 *      poweroff (the default without root=) or reboot: does that.
 * An absent channel or host lets the boot go on (the agent logs one line
 * saying so), unless xenchan.onmissing=fail: then init logs that the boot
 * stops and powers off. init's own lines start "xenchan-init:".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define INI_AGENT "/bin/xenchan-agent"
#define INI_NEWROOT "/newroot"
#define INI_CMDLINE_MAX 4096
#define INI_ROOTWAIT_MS 10000
/* Agent exit codes (board/linux/main.c): */
#define INI_AGENT_NO_CHANNEL 3
#define INI_AGENT_NO_HOST 4

enum ini_after {
	INI_AFTER_DEFAULT,
	INI_AFTER_SWITCH,
	INI_AFTER_POWEROFF,
	INI_AFTER_REBOOT
};

struct ini_conf {
	const char *root, *rootfstype, *rootflags, *init;
	int root_ro;
	const char *channel, *transport, *timeout, *onmissing, *log;
	int resident, unbind_hvc;
	enum ini_after after;
};

static int ini_kmsg = -1;

static void ini_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void ini_log(const char *fmt, ...)
{
	char line[512];
	int n;
	va_list ap;

	n = snprintf(line, sizeof line, "<5>xenchan-init: ");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof line - 2)
		n = sizeof line - 2;
	line[n++] = '\n';
	/* the kernel log reaches the console; without it, write there */
	if (ini_kmsg < 0 || write(ini_kmsg, line, n) < 0) {
		if (write(2, line + 3, n - 3) < 0) {
		}
	}
}

static void ini_mount(const char *src, const char *dir, const char *type)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, MS_NOSUID | MS_NOEXEC, NULL) < 0 &&
	    errno != EBUSY)
		ini_log("cannot mount %s on %s: %s", type, dir,
			strerror(errno));
}

static uint64_t ini_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void ini_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Loads every module named in /lib/modules/load.list, in order. A module
 * already built in or loaded (EEXIST) is fine. */
static void ini_load_modules(void)
{
	char list[4096], path[320];
	int fd = open("/lib/modules/load.list", O_RDONLY | O_CLOEXEC);
	ssize_t n;
	char *save = NULL;

	if (fd < 0)
		return;
	n = read(fd, list, sizeof list - 1);
	close(fd);
	if (n <= 0)
		return;
	list[n] = '\0';
	for (char *m = strtok_r(list, "\n", &save); m;
	     m = strtok_r(NULL, "\n", &save)) {
		int mfd;

		if (m[0] == '#' || strchr(m, '/') || strlen(m) > 255)
			continue;
		snprintf(path, sizeof path, "/lib/modules/%s", m);
		mfd = open(path, O_RDONLY | O_CLOEXEC);
		if (mfd < 0) {
			ini_log("module %s missing from the image: %s", m,
				strerror(errno));
			continue;
		}
		if (syscall(SYS_finit_module, mfd, "", 0) < 0 &&
		    errno != EEXIST)
			ini_log("loading module %s failed: %s", m,
				strerror(errno));
		close(mfd);
	}
}

/* Splits /proc/cmdline (kept in buf) into the knobs init cares about.
 * Quoted values are not supported: none of the knobs needs spaces. */
static void ini_parse_cmdline(char *buf, struct ini_conf *c)
{
	char *save = NULL;

	for (char *w = strtok_r(buf, " \t\n", &save); w;
	     w = strtok_r(NULL, " \t\n", &save)) {
		char *v = strchr(w, '=');

		if (strcmp(w, "ro") == 0)
			c->root_ro = 1;
		else if (strcmp(w, "rw") == 0)
			c->root_ro = 0;
		if (!v)
			continue;
		*v++ = '\0';
		if (strcmp(w, "root") == 0)
			c->root = v;
		else if (strcmp(w, "rootfstype") == 0)
			c->rootfstype = v;
		else if (strcmp(w, "rootflags") == 0)
			c->rootflags = v;
		else if (strcmp(w, "init") == 0)
			c->init = v;
		else if (strcmp(w, "xenchan.channel") == 0)
			c->channel = v;
		else if (strcmp(w, "xenchan.transport") == 0)
			c->transport = v;
		else if (strcmp(w, "xenchan.timeout") == 0)
			c->timeout = v;
		else if (strcmp(w, "xenchan.onmissing") == 0)
			c->onmissing = v;
		else if (strcmp(w, "xenchan.log") == 0)
			c->log = v;
		else if (strcmp(w, "xenchan.resident") == 0)
			c->resident = strcmp(v, "1") == 0;
		else if (strcmp(w, "xenchan.unbind-hvc") == 0)
			c->unbind_hvc = strcmp(v, "1") == 0;
		else if (strcmp(w, "xenchan.after") == 0) {
			if (strcmp(v, "switch_root") == 0)
				c->after = INI_AFTER_SWITCH;
			else if (strcmp(v, "poweroff") == 0)
				c->after = INI_AFTER_POWEROFF;
			else if (strcmp(v, "reboot") == 0)
				c->after = INI_AFTER_REBOOT;
			else
				ini_log("xenchan.after=%s unknown: use "
					"switch_root, poweroff or reboot",
					v);
		}
	}
}

/* Mounts root= on /newroot read-write (the agent writes into it). */
static int ini_mount_root(const struct ini_conf *c)
{
	static const char *const types[] = {"ext4", "xfs", "btrfs", NULL};
	uint64_t deadline = ini_now_ms() + INI_ROOTWAIT_MS;
	struct stat st;

	if (strncmp(c->root, "/dev/", 5) != 0) {
		ini_log("root=%s: only root=/dev/NAME is supported here; use "
			"a distribution initramfs for UUID= or LABEL=",
			c->root);
		return -1;
	}
	while (stat(c->root, &st) < 0) {
		if (ini_now_ms() > deadline) {
			ini_log("root device %s did not appear within %d s: "
				"check the disk and its driver module",
				c->root, INI_ROOTWAIT_MS / 1000);
			return -1;
		}
		ini_sleep_ms(50);
	}
	mkdir(INI_NEWROOT, 0755);
	for (int i = 0; types[i]; i++) {
		const char *t = c->rootfstype ? c->rootfstype : types[i];

		if (mount(c->root, INI_NEWROOT, t, 0, c->rootflags) == 0)
			return 0;
		if (c->rootfstype)
			break;
	}
	ini_log("cannot mount root %s on %s: %s", c->root, INI_NEWROOT,
		strerror(errno));
	return -1;
}

/* Fills argv (INI_ARGV_MAX entries) with the agent's command line for the
 * knobs in c, targeting root. */
#define INI_ARGV_MAX 24
static void ini_agent_argv(const struct ini_conf *c, const char *root,
			   const char **argv)
{
	int a = 0;

	argv[a++] = INI_AGENT;
	argv[a++] = "--kmsg";
	argv[a++] = "--root";
	argv[a++] = root;
	if (c->channel) {
		argv[a++] = "--channel";
		argv[a++] = c->channel;
	}
	if (c->transport) {
		argv[a++] = "--transport";
		argv[a++] = c->transport;
	}
	if (c->timeout) {
		argv[a++] = "--timeout";
		argv[a++] = c->timeout;
	}
	if (c->onmissing) {
		argv[a++] = "--on-missing";
		argv[a++] = c->onmissing;
	}
	if (c->log) {
		argv[a++] = "--log-level";
		argv[a++] = c->log;
	}
	if (c->resident)
		argv[a++] = "--resident";
	if (c->unbind_hvc)
		argv[a++] = "--unbind-hvc";
	argv[a] = NULL;
}

/* Runs the agent; returns its exit status, or -1 if it could not run or
 * was killed. A resident agent that init's switch_root leaves behind is
 * not waited for (background): then this returns 0 at once. */
static int ini_run_agent(const struct ini_conf *c, const char *root,
			 int background)
{
	const char *argv[INI_ARGV_MAX];
	int st;
	pid_t pid;

	ini_agent_argv(c, root, argv);
	pid = fork();
	if (pid < 0) {
		ini_log("cannot start the agent: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* its lines reach the console through the kernel log: do not
		 * print them twice */
		int null = ini_kmsg >= 0 ? open("/dev/null", O_WRONLY) : -1;

		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execv(INI_AGENT, (char *const *)argv);
		ini_log("cannot execute %s: %s", INI_AGENT, strerror(errno));
		_exit(127);
	}
	if (background)
		return 0;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	ini_log("the agent was killed by signal %d", WTERMSIG(st));
	return -1;
}

/* Moves /newroot over / and executes its init; returns only on error. */
static void ini_switch_root(const struct ini_conf *c)
{
	const char *init = c->init ? c->init : "/sbin/init";
	static const char *const keep[] = {"/dev", "/proc", "/sys", NULL};
	char path[64];

	if (c->root_ro &&
	    mount(NULL, INI_NEWROOT, NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0)
		ini_log("cannot remount root read-only: %s", strerror(errno));
	for (int i = 0; keep[i]; i++) {
		snprintf(path, sizeof path, INI_NEWROOT "%s", keep[i]);
		if (mount(keep[i], path, NULL, MS_MOVE, NULL) < 0)
			umount2(keep[i], MNT_DETACH);
	}
	if (chdir(INI_NEWROOT) < 0 ||
	    mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
	    chdir("/") < 0) {
		ini_log("cannot switch to the root file system: %s",
			strerror(errno));
		return;
	}
	ini_log("switching to %s on %s", init, c->root);
	execl(init, init, (char *)NULL);
	ini_log("cannot execute %s in the root file system: %s; pass init= "
		"to name another",
		init, strerror(errno));
}

static void ini_stop(int how)
{
	sync();
	reboot(how);
	/* reboot(2) failed: PID 1 must not exit (that panics) */
	for (;;)
		pause();
}

int main(void)
{
	static char cmdline[INI_CMDLINE_MAX];
	struct ini_conf c = {0};
	int fd, rc, root_ok = 0, need_fail;
	ssize_t n;

	ini_mount("proc", "/proc", "proc");
	ini_mount("sysfs", "/sys", "sysfs");
	mkdir("/dev", 0755);
	if (mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, NULL) < 0 &&
	    errno != EBUSY)
		ini_log("cannot mount devtmpfs on /dev: %s", strerror(errno));
	ini_kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, cmdline, sizeof cmdline - 1);
		cmdline[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	ini_parse_cmdline(cmdline, &c);
	ini_load_modules();
	if (c.root)
		root_ok = ini_mount_root(&c) == 0;
	if (c.after == INI_AFTER_DEFAULT)
		c.after = c.root ? INI_AFTER_SWITCH : INI_AFTER_POWEROFF;

	/* resident agents that outlive init's switch_root run beside the
	 * real init; otherwise wait, so the root is provisioned first */
	rc = ini_run_agent(&c, root_ok ? INI_NEWROOT : "/",
			   c.resident && c.after == INI_AFTER_SWITCH);
	/* The agent logs why it found no channel or host (one line); say
	 * more only when that changes the course of the boot. */
	need_fail = c.onmissing && strcmp(c.onmissing, "fail") == 0;
	if ((rc == INI_AGENT_NO_CHANNEL || rc == INI_AGENT_NO_HOST) &&
	    need_fail) {
		ini_log("boot stopped: no xenchan %s in time and "
			"xenchan.onmissing=fail; powering off",
			rc == INI_AGENT_NO_CHANNEL ? "channel" : "host");
		ini_stop(RB_POWER_OFF);
	} else if (rc != 0 && rc != INI_AGENT_NO_HOST) {
		ini_log("provisioning failed (agent exit %d, see its lines "
			"above); boot continues",
			rc);
	}
	switch (c.after) {
	case INI_AFTER_SWITCH:
		if (root_ok)
			ini_switch_root(&c);
		else
			ini_log("no root file system to switch to (root=%s)",
				c.root ? c.root : "not given");
		ini_log("powering off");
		ini_stop(RB_POWER_OFF);
		break;
	case INI_AFTER_REBOOT:
		ini_stop(RB_AUTOBOOT);
		break;
	case INI_AFTER_DEFAULT:
	case INI_AFTER_POWEROFF:
		ini_stop(RB_POWER_OFF);
		break;
	}
	return 0;
}
