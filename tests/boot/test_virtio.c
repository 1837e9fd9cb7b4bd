/* test_virtio.c - unit test of the virtio-serial port lookup (virtio.c)
 * against a fake /sys/class/virtio-ports tree made in a temporary
 * directory. The transport itself is exercised by tests/boot/boot.sh in a
 * real guest. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "agent/xc_err.h"
#include "board/linux/log.h"
#include "board/linux/transport.h"
#include "board/linux/virtio.h"

uint64_t xt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static char root[64];
static int failed, passed;

static void port(const char *entry, const char *name)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", root, entry);
	mkdir(p, 0755);
	if (!name)
		return;
	snprintf(p, sizeof p, "%s/%s/dev", root, entry);
	f = fopen(p, "w");
	fputs("250:7\n", f);
	fclose(f);
	snprintf(p, sizeof p, "%s/%s/name", root, entry);
	f = fopen(p, "w");
	fputs(name, f);
	fclose(f);
}

struct find_case {
	const char *what, *name;
	size_t size;
	int rc;
	const char *entry;
};

int main(void)
{
	static const struct find_case cases[] = {
	    {"named port among others", "org.xenchan.agent.0", 64, 0,
	     "vport1p2"},
	    {"other port", "org.other.0", 64, 0, "vport0p1"},
	    {"prefix of a name is not a match", "org.xenchan.agent", 64,
	     -XC_ENOENT, NULL},
	    {"longer than every name", "org.xenchan.agent.00", 64, -XC_ENOENT,
	     NULL},
	    {"entry does not fit", "org.xenchan.agent.0", 8, -XC_ENAMETOOLONG,
	     NULL},
	    {"entry fits exactly", "org.xenchan.agent.0", 9, 0, "vport1p2"},
	};
	char entry[64], v[96];
	int rc;

	xlog_level = 0; /* silent: the refusals below are logged */
	snprintf(root, sizeof root, "/tmp/xc-virtio-test.%d", (int)getpid());
	mkdir(root, 0755);
	port("vport0p1", "org.other.0\n");
	port("vport0p3", "(null)\n");
	port("vport1p2", "org.xenchan.agent.0\n");
	port("vport1p4", NULL); /* name attribute not there yet */

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct find_case *c = &cases[i];

		memset(entry, 0, sizeof entry);
		rc = xv_find_port(root, c->name, entry, c->size);
		if (rc != c->rc || (c->entry && strcmp(entry, c->entry))) {
			printf("virtio: FAIL %s: rc %d entry '%s', want %d "
			       "'%s'\n",
			       c->what, rc, entry, c->rc,
			       c->entry ? c->entry : "");
			failed++;
		} else {
			passed++;
		}
	}

	/* no virtio-ports directory at all: not there (yet) */
	rc =
	    xv_find_port("/nonexistent/virtio-ports", "x", entry, sizeof entry);
	if (rc != -XC_ENOENT) {
		printf("virtio: FAIL missing directory: rc %d\n", rc);
		failed++;
	} else {
		passed++;
	}

	/* attributes lose their newline; a missing one is an error */
	rc = xv_read_attr(root, "vport0p1", "name", v, sizeof v);
	if (rc != 11 || strcmp(v, "org.other.0")) {
		printf("virtio: FAIL read_attr: %d '%s'\n", rc, v);
		failed++;
	} else {
		passed++;
	}
	rc = xv_read_attr(root, "vport1p4", "name", v, sizeof v);
	if (rc >= 0) {
		printf("virtio: FAIL read_attr of a missing file: %d\n", rc);
		failed++;
	} else {
		passed++;
	}
	/* a value longer than the buffer is cut, still terminated */
	rc = xv_read_attr(root, "vport1p2", "name", v, 5);
	if (rc != 4 || strcmp(v, "org.")) {
		printf("virtio: FAIL read_attr short buffer: %d '%s'\n", rc, v);
		failed++;
	} else {
		passed++;
	}

	/* the device node: made from sysfs when /dev lacks it, accepted when
	 * right, refused when something else has the name (needs root, as
	 * the agent early in boot) */
	if (geteuid() == 0) {
		char dev[96], path[128];
		struct stat st;

		snprintf(dev, sizeof dev, "%s/dev", root);
		mkdir(dev, 0755);
		rc = xv_node(root, dev, "vport1p2", path, sizeof path);
		if (rc != 0 || stat(path, &st) < 0 || !S_ISCHR(st.st_mode) ||
		    major(st.st_rdev) != 250 || minor(st.st_rdev) != 7) {
			printf("virtio: FAIL node creation: rc %d\n", rc);
			failed++;
		} else {
			passed++;
		}
		rc = xv_node(root, dev, "vport1p2", path, sizeof path);
		if (rc != 0) {
			printf("virtio: FAIL existing right node: rc %d\n", rc);
			failed++;
		} else {
			passed++;
		}
		snprintf(path, sizeof path, "%s/vport0p1", dev);
		close(open(path, O_CREAT | O_WRONLY, 0600));
		rc = xv_node(root, dev, "vport0p1", path, sizeof path);
		if (rc != -XC_EEXIST) {
			printf("virtio: FAIL wrong file in the way: rc %d\n",
			       rc);
			failed++;
		} else {
			passed++;
		}
		rc = xv_node(root, dev, "vport1p4", path, sizeof path);
		if (rc != -XC_ENODEV) {
			printf("virtio: FAIL no dev attribute: rc %d\n", rc);
			failed++;
		} else {
			passed++;
		}
	}

	snprintf(v, sizeof v, "rm -rf %s", root);
	if (system(v) != 0)
		printf("virtio: could not remove %s\n", root);
	printf("virtio: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
