/* sha256.h - SHA-256 (FIPS 180-4), incremental, no allocation. */
#ifndef XC_SHA256_H
#define XC_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct xc_sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
};

void xc_sha256_init(struct xc_sha256 *c);
void xc_sha256_update(struct xc_sha256 *c, const void *p, size_t n);
void xc_sha256_final(struct xc_sha256 *c, uint8_t out[32]);
/* out gets 64 lowercase hex digits and a NUL. */
void xc_sha256_hex(const uint8_t d[32], char out[65]);

#endif
