/* test_init.c - unit test of the standalone image's /init
 * (initramfs/init.c): the kernel command line it understands and the
 * agent command line it builds from it. The boot itself (mounts, modules,
 * switch_root, power off) is tested by booting it: tests/boot/boot.sh. */
#define main ini_program_main
#include "initramfs/init.c"
#undef main

static int passed, failed;

static void expect_str(const char *what, const char *got, const char *want)
{
	if ((got == NULL) != (want == NULL) ||
	    (got && strcmp(got, want) != 0)) {
		printf("init: FAIL %s: got '%s', want '%s'\n", what,
		       got ? got : "(null)", want ? want : "(null)");
		failed++;
	} else {
		passed++;
	}
}

static void expect_int(const char *what, int got, int want)
{
	if (got != want) {
		printf("init: FAIL %s: got %d, want %d\n", what, got, want);
		failed++;
	} else {
		passed++;
	}
}

struct cmdline_case {
	const char *what, *cmdline;
	const char *root, *channel, *timeout, *onmissing, *init, *fstype;
	int ro, resident;
	enum ini_after after;
};

static const struct cmdline_case cases[] = {
    {"empty", "", NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, INI_AFTER_DEFAULT},
    {"typical", "console=ttyS0 root=/dev/vda ro xenchan.timeout=5 quiet\n",
     "/dev/vda", NULL, "5", NULL, NULL, NULL, 1, 0, INI_AFTER_DEFAULT},
    {"last of ro/rw wins", "ro rw", NULL, NULL, NULL, NULL, NULL, NULL, 0, 0,
     INI_AFTER_DEFAULT},
    {"every knob",
     "xenchan.channel=org.x.1 xenchan.onmissing=fail xenchan.resident=1 "
     "xenchan.after=reboot init=/bin/i rootfstype=xfs",
     NULL, "org.x.1", NULL, "fail", "/bin/i", "xfs", 0, 1, INI_AFTER_REBOOT},
    {"after=switch_root", "xenchan.after=switch_root", NULL, NULL, NULL, NULL,
     NULL, NULL, 0, 0, INI_AFTER_SWITCH},
    {"after=poweroff", "xenchan.after=poweroff", NULL, NULL, NULL, NULL, NULL,
     NULL, 0, 0, INI_AFTER_POWEROFF},
    {"unknown after keeps the default", "xenchan.after=dance", NULL, NULL, NULL,
     NULL, NULL, NULL, 0, 0, INI_AFTER_DEFAULT},
    {"resident=0", "xenchan.resident=0", NULL, NULL, NULL, NULL, NULL, NULL, 0,
     0, INI_AFTER_DEFAULT},
    {"a longer name is not the knob", "xenchan.channelx=a rootx=/dev/b", NULL,
     NULL, NULL, NULL, NULL, NULL, 0, 0, INI_AFTER_DEFAULT},
    {"'=' inside a value", "xenchan.channel=a=b", NULL, "a=b", NULL, NULL, NULL,
     NULL, 0, 0, INI_AFTER_DEFAULT},
    {"tabs and repeated knobs", "root=/dev/a\troot=/dev/b", "/dev/b", NULL,
     NULL, NULL, NULL, NULL, 0, 0, INI_AFTER_DEFAULT},
};

static void test_cmdline(void)
{
	char buf[INI_CMDLINE_MAX];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct cmdline_case *k = &cases[i];
		struct ini_conf c = {0};
		char what[160];

		snprintf(buf, sizeof buf, "%s", k->cmdline);
		ini_parse_cmdline(buf, &c);
#define FIELD(f) (snprintf(what, sizeof what, "%s: " #f, k->what), what)
		expect_str(FIELD(root), c.root, k->root);
		expect_str(FIELD(channel), c.channel, k->channel);
		expect_str(FIELD(timeout), c.timeout, k->timeout);
		expect_str(FIELD(onmissing), c.onmissing, k->onmissing);
		expect_str(FIELD(init), c.init, k->init);
		expect_str(FIELD(rootfstype), c.rootfstype, k->fstype);
		expect_int(FIELD(ro), c.root_ro, k->ro);
		expect_int(FIELD(resident), c.resident, k->resident);
		expect_int(FIELD(after), (int)c.after, (int)k->after);
#undef FIELD
	}
}

static void expect_argv(const char *what, const struct ini_conf *c,
			const char *root, const char *const *want)
{
	const char *argv[INI_ARGV_MAX];
	int i;

	ini_agent_argv(c, root, argv);
	for (i = 0; want[i] && argv[i]; i++)
		if (strcmp(argv[i], want[i]) != 0)
			break;
	if (want[i] || argv[i]) {
		printf("init: FAIL %s: argument %d is '%s', want '%s'\n", what,
		       i, argv[i] ? argv[i] : "(end)",
		       want[i] ? want[i] : "(end)");
		failed++;
	} else {
		passed++;
	}
}

static void test_argv(void)
{
	struct ini_conf none = {0};
	struct ini_conf all = {.channel = "c.1",
			       .transport = "virtio",
			       .timeout = "9",
			       .onmissing = "fail",
			       .log = "7",
			       .resident = 1,
			       .unbind_hvc = 1};
	static const char *const want_none[] = {"/bin/xenchan-agent", "--kmsg",
						"--root", "/", NULL};
	static const char *const want_all[] = {
	    "/bin/xenchan-agent", "--kmsg", "--root",	    "/newroot",
	    "--channel",	  "c.1",    "--transport",  "virtio",
	    "--timeout",	  "9",	    "--on-missing", "fail",
	    "--log-level",	  "7",	    "--resident",   "--unbind-hvc",
	    NULL};

	expect_argv("no knobs", &none, "/", want_none);
	expect_argv("every knob", &all, "/newroot", want_all);
}

int main(void)
{
	/* ini_log must not reach this test's output */
	ini_kmsg = open("/dev/null", O_WRONLY);
	test_cmdline();
	test_argv();
	{
		char buf[] = "xenchan.unbind-hvc=1";
		struct ini_conf c = {0};
		ini_parse_cmdline(buf, &c);
		expect_int("unbind-hvc=1", c.unbind_hvc, 1);
	}
	printf("init: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
