/* devnum.c - "MAJOR:MINOR" device numbers as sysfs writes them in "dev"
 * attributes (transport.h). Its own file so that tests of one transport
 * can link it alone. */
#include "transport.h"

int xt_parse_devnum(const char *s, unsigned *maj, unsigned *min)
{
	unsigned *v = maj;
	int digits = 0;

	*maj = *min = 0;
	for (; *s && *s != '\n'; s++) {
		if (*s == ':' && v == maj && digits) {
			v = min;
			digits = 0;
		} else if (*s >= '0' && *s <= '9' && *v < 100000000u) {
			*v = *v * 10 + (unsigned)(*s - '0');
			digits++;
		} else {
			return -1;
		}
	}
	return v == min && digits ? 0 : -1;
}
