/* haltinit.c - the smallest init: says so on the console, flushes the file
 * systems and powers the machine off. The boot tests install it as the
 * test root image's /sbin/init, and the boot bench uses it as the /init of
 * the baseline image (the boot without the agent). Static musl. */
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

int main(void)
{
	static const char msg[] =
	    "xenchan-test: halt-init reached, powering off\n";

	if (write(1, msg, strlen(msg)) < 0) {
		/* no console: nothing to report to */
	}
	sync();
	reboot(RB_POWER_OFF);
	return 1;
}
