/* virtio.h - the virtio-serial transport's helpers (virtio.c), exposed for
 * its unit test. The transport itself is xt_open_virtio() in transport.h. */
#ifndef XC_VIRTIO_H
#define XC_VIRTIO_H

#include <stddef.h>

/* Reads DIR/ENTRY/ATTR (a small sysfs file) into out, without the
 * trailing newline. Returns its length or a negative code. */
int xv_read_attr(const char *dir, const char *entry, const char *attr,
		 char *out, size_t size);

/* Finds the entry of ports_dir (normally /sys/class/virtio-ports) whose
 * `name` attribute is `name`; copies the entry name ("vport0p1") to
 * entry. Returns 0, -XC_ENOENT if there is none (yet), or
 * -XC_ENAMETOOLONG if the entry does not fit. */
int xv_find_port(const char *ports_dir, const char *name, char *entry,
		 size_t size);

/* Makes sure DEV_DIR/ENTRY is the character device whose "MAJOR:MINOR"
 * is in PORTS_DIR/ENTRY/dev, creating it if missing (no devtmpfs);
 * writes its path to path. Returns 0, -XC_EEXIST if something else has
 * that name, or another negative code (logged). */
int xv_node(const char *ports_dir, const char *dev_dir, const char *entry,
	    char *path, size_t size);

#endif
