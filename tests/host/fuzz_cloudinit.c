/* fuzz_cloudinit.c - libFuzzer target for the cloud-init seed parsers
 * (host/cloudinit.c, through libyaml): the input is meta-data, user-data
 * and network-config separated by NUL bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/cloudinit.h"

static struct hc_config cfg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ci_file f[3] = {{"meta-data", NULL, 0},
			       {"user-data", NULL, 0},
			       {"network-config", NULL, 0}};
	char *part[3] = {NULL, NULL, NULL};
	char d[256];
	size_t off = 0;
	int i;

	for (i = 0; i < 3 && off <= size; i++) {
		const uint8_t *nul = memchr(data + off, 0, size - off);
		size_t n = nul ? (size_t)(nul - (data + off)) : size - off;
		/* each part NUL-terminated, as the loader gives them */
		part[i] = malloc(n + 1);
		if (!part[i])
			break;
		memcpy(part[i], data + off, n);
		part[i][n] = 0;
		f[i].text = part[i];
		f[i].len = n;
		off += n + 1;
	}
	hc_init(&cfg);
	if (ci_parse_seed(&cfg, &f[0], &f[1], &f[2], "root") == 0 &&
	    hc_finish(&cfg) == 0) {
		for (i = 0; i < cfg.nitems; i++)
			hc_describe(&cfg.item[i], d, sizeof d);
	}
	hc_free(&cfg);
	for (i = 0; i < 3; i++)
		free(part[i]);
	return 0;
}
