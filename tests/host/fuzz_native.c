/* fuzz_native.c - libFuzzer target for the native config parser
 * (host/native.c) and the item checks behind it (host/hconf.c). Includes
 * with '<' are refused here (no basedir), so the input is all there is. */
#include <stddef.h>
#include <stdint.h>

#include "host/native.h"

static struct hc_config cfg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char d[256];
	int i;

	hc_init(&cfg);
	if (hn_parse(&cfg, "fuzz", (const char *)data, size, NULL) == 0 &&
	    hc_finish(&cfg) == 0) {
		hc_config_id(&cfg, d, sizeof d);
		for (i = 0; i < cfg.nitems; i++)
			hc_describe(&cfg.item[i], d, sizeof d);
	}
	hc_free(&cfg);
	return 0;
}
