/* transport.h - how the Linux agent reaches its channel.
 *
 * A transport is a byte stream with a descriptor to poll. The agent's loop
 * (main.c) polls xt->fd for xt->poll_events, then calls read/write, which
 * never block. Kinds:
 *   device  a path given with --device (tty: raw mode), or --fd N
 *   unix    --connect unix:PATH
 *   hvc     the kernel's /dev/hvcN found by channel name (xen_hvc.c)
 *   ring    our own console frontend over gntalloc/evtchn/xenbus (xen_ring.c)
 *   virtio  /dev/vportNpM found by port name (virtio.c)
 */
#ifndef XC_TRANSPORT_H
#define XC_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

struct xt;

struct xt_ops {
	/* > 0 bytes read; 0 nothing available now; -XC_EPIPE the peer or
	 * backend is gone for good; other negative codes are errors. */
	long (*read)(struct xt *t, void *buf, size_t n);
	/* >= 0 bytes accepted (0: full, poll for POLLOUT); < 0 error. */
	long (*write)(struct xt *t, const void *buf, size_t n);
	/* Called after poll() reports t->fd ready, before read/write: lets
	 * the ring transport consume its event and unmask. May be NULL. */
	int (*event)(struct xt *t);
	/* Called when the agent wants output to drain (before exit). May be
	 * NULL. Returns 0 when everything written has left. */
	int (*flushed)(struct xt *t);
	void (*close)(struct xt *t);
};

#define XT_NAME_MAX 128
#define XT_PATH_MAX 256

struct xt {
	const struct xt_ops *ops;
	int fd;             /* descriptor to poll */
	short poll_in;      /* events meaning "maybe readable" */
	short poll_out;     /* events meaning "maybe writable" */
	const char *kind;   /* "device", "unix", "hvc", "ring", "virtio" */
	char path[XT_PATH_MAX]; /* what was opened, for logs */
	void *priv;         /* the transport's own state (static storage) */
};

/* Options the transports need, from the command line or /proc/cmdline. */
struct xt_opts {
	const char *channel;   /* channel / port name */
	const char *transport; /* "auto", "ring", "hvc", "device", "virtio" */
	const char *device;    /* --device PATH */
	const char *connect;   /* --connect unix:PATH */
	int fd;                /* --fd N, or -1 */
	int unbind_hvc;        /* ring: unbind hvc_xen from our console first */
	uint64_t deadline_ms;  /* monotonic ms: give up finding it after this */
};

/* Opens a transport. Waits (bounded by o->deadline_ms) for a channel that
 * is not there yet. Returns 0, -XC_ENOENT when no channel was found in
 * time, or another negative code (with a message logged). */
int xt_open(struct xt *t, const struct xt_opts *o);

/* The individual openers, used by xt_open(). Each returns -XC_ENOENT
 * quickly when its kind of channel cannot exist on this system (no Xen,
 * no virtio-ports) so that "auto" can move on. */
int xt_open_fd(struct xt *t, int fd, const char *what);
int xt_open_device(struct xt *t, const char *path);
int xt_open_unix(struct xt *t, const char *path);
int xt_open_hvc(struct xt *t, const struct xt_opts *o);
int xt_open_ring(struct xt *t, const struct xt_opts *o);
int xt_open_virtio(struct xt *t, const struct xt_opts *o);

/* Parses "MAJOR:MINOR\n" as sysfs writes it in a "dev" attribute.
 * Returns 0 or -1. (sscanf would bring the allocator into the agent.) */
int xt_parse_devnum(const char *s, unsigned *maj, unsigned *min);

/* Monotonic clock in milliseconds (board/linux/clock in main.c). */
uint64_t xt_now_ms(void);

#endif
