/* crc32.h - CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320), as zlib. */
#ifndef XC_CRC32_H
#define XC_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Start with crc = 0; feed pieces in order. */
uint32_t xc_crc32(uint32_t crc, const void *p, size_t n);

#endif
