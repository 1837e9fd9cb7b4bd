/* xen_sysfs.h - what Linux tells about Xen devices through /sys and /dev
 * (xenbus device directories, driver binding). Used by the ring and hvc
 * transports; implements the part of xen_dev.h that is not about grants
 * or event channels. */
#ifndef XC_XEN_SYSFS_H
#define XC_XEN_SYSFS_H

#include <stdint.h>

#define XSY_BUS "/sys/bus/xen/devices"

/* Writes "/sys/bus/xen/devices/console-<devid>" into buf. */
void xsy_console_dir(char *buf, unsigned cap, uint32_t devid);

/* 1 when the sysfs node for console-<devid> exists. */
int xsy_console_exists(uint32_t devid);

#endif
