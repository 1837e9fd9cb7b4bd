/* apply.h - the Linux applier: stages configuration items beneath a target
 * root and applies them as one transaction (struct xs_ops), and serves the
 * resident requests.
 *
 * docs/PROTOCOL.md sections 4 and 5; docs/APPLY.md says what is written
 * where, in which order, and how an interrupted commit is rolled back.
 * All storage is in struct xa_ctx (the caller owns it, static in main).
 * Files: apply.c (xs_ops, staging), apply_commit.c (commit, journal,
 * rollback, recovery), apply_fs.c (paths beneath the root, users, line
 * reading), apply_gen.c (generated files), request.c (requests).
 */
#ifndef XC_APPLY_H
#define XC_APPLY_H

#include <stdint.h>

#include "agent/config.h"
#include "agent/session.h"
#include "netlink.h"

/* Limits per configuration, beyond those of docs/PROTOCOL.md. */
#define XA_IFACES_MAX 8
#define XA_ADDRS_MAX 16
#define XA_ROUTES_MAX 16
#define XA_NS_MAX 3	  /* nameservers: what resolv.conf(5) uses */
#define XA_SEARCH_MAX 256 /* bytes of the search line */
#define XA_USERS_MAX 8	  /* users with keys or a password */
#define XA_FILES_MAX (XC_FILES_MAX + XA_USERS_MAX + 4) /* + generated */
#define XA_DIRS_MAX 16	 /* directories created by one commit */
#define XA_LINE_MAX 4096 /* bytes of a line in passwd, shadow, keys... */
#define XA_ROOT_MAX 256

/* Where the agent keeps its state, relative to the target root. */
#define XA_STATE_DIR "var/lib/xenchan"
#define XA_STAGE_DIR XA_STATE_DIR "/stage"

/* A fixed-buffer line reader over a descriptor. */
struct xa_lines {
	int fd;
	int skip; /* inside a line that was too long */
	size_t len, pos;
	char buf[XA_LINE_MAX];
};

struct xa_user {
	char name[XCC_USER_MAX + 1];
	char home[XCC_PATH_MAX + 1]; /* relative to the root, no '/' first */
	uint32_t uid, gid;
	uint32_t key_seq;	     /* first sshkey item, 0: no keys */
	uint32_t pw_seq;	     /* password item, 0: none */
	char hash[XCC_HASH_MAX + 1]; /* secret: never logged */
};

struct xa_iface {
	char ifid[XCC_IFID_MAX + 1];
	int index;
	uint32_t mtu, old_mtu;
	unsigned old_flags;
	uint32_t seq;
	int touched; /* link was set: restore on rollback */
};

struct xa_addr {
	uint32_t seq;
	uint8_t iface, added;
	struct xcc_ip ip;
};

struct xa_route {
	uint32_t seq, metric;
	uint8_t iface, has_gw, added;
	struct xcc_ip dst, gw;
};

enum xa_file_state {
	XA_F_STAGED = 0, /* content in stage/f<k> */
	XA_F_JOURNALED,	 /* parent exists, listed in the journal */
	XA_F_PREPARED,	 /* .xc-<k>.tmp beside the target, synced */
	XA_F_SWAPPED,	 /* renamed over the target, old one in .xc-<k>.bak */
};

/* A file to replace: from a file item or generated (keys, shadow...). */
struct xa_file {
	uint32_t seq;
	uint8_t kind;  /* enum xc_item_kind that produced it */
	uint8_t state; /* enum xa_file_state */
	uint8_t had_old;
	uint8_t own_from; /* created dirs at depth >= own_from - 1 get
			   * uid/gid (0: none); 1 is the top level */
	uint32_t mode, uid, gid;
	int dirfd;
	char path[XCC_PATH_MAX + 1]; /* relative to the root */
};

struct xa_ctx {
	int root_fd, stage_fd, journal_fd;
	char root[XA_ROOT_MAX];
	struct xn nl;
	char config_id[XS_ID_MAX];

	/* staged items */
	char hostname[XCC_LABEL_MAX + 1], fqdn[XCC_DOMAIN_MAX + 1];
	uint32_t hostname_seq, fqdn_seq, resolv_seq;
	struct xcc_ip ns[XA_NS_MAX];
	int nns;
	char search[XA_SEARCH_MAX];
	struct xa_iface ifaces[XA_IFACES_MAX];
	struct xa_addr addrs[XA_ADDRS_MAX];
	struct xa_route routes[XA_ROUTES_MAX];
	struct xa_user users[XA_USERS_MAX];
	struct xa_file files[XA_FILES_MAX];
	char dirs[XA_DIRS_MAX][XCC_PATH_MAX + 1]; /* created, for rollback */
	int nifaces, naddrs, nroutes, nusers, nfiles, ndirs;
	int user_files; /* files[] from file items (generated ones follow) */

	/* the file item whose DATA is arriving */
	int cur_fd;
	uint64_t cur_left;

	/* commit progress, for rollback */
	int host_set;
	char old_host[65]; /* a utsname nodename */

	/* resident mode */
	int pending; /* RB_* for main to act on, 0: none */
	int frozen;  /* file systems frozen by fsfreeze: no writes */

	/* scratch: two line readers and a copy buffer */
	struct xa_lines lr[2];
	char io[XA_LINE_MAX];
};

/* The transaction, for xs_init(). */
extern const struct xs_ops xa_ops;

/* Prepares a for the target root (a directory path; root_fd >= 0 is an
 * open descriptor of it, or -1 to open root). Creates var/lib/xenchan and
 * finishes or rolls back a commit an earlier run left half done (see
 * docs/APPLY.md). Returns 0 or -errno; the error is logged. After an
 * error a may still serve requests and applied_id (a read-only root):
 * begin() then fails with "root-not-writable". */
int xa_init(struct xa_ctx *a, const char *root, int root_fd);
/* Closes descriptors. */
void xa_fini(struct xa_ctx *a);

/* Resident requests (xa_ops.request): answers with xs_reply_*(). */
void xa_request(void *ctx, struct xs_session *s, const struct xf_frame *req);
/* After a poweroff/reboot/halt request was answered: the reboot(2) command
 * (RB_POWER_OFF, RB_AUTOBOOT, RB_HALT_SYSTEM) main should run once the
 * reply has drained (sync() first), or 0. Clears it. */
int xa_pending_action(struct xa_ctx *a);

/* ---- between apply*.c and request.c ---- */

/* apply.c: drop everything staged; stage one item. */
void xa_reset(struct xa_ctx *a);
int xa_stage_item(struct xa_ctx *a, const struct xc_item *it,
		  const char **reason);
/* apply_commit.c: generate, journal, prepare and swap every file (rolled
 * back on failure); the recorded id (0 if none); the whole commit,
 * config_id NULL for a resident change (nothing recorded). */
int xa_apply_files(struct xa_ctx *a, uint32_t *failed_seq, const char **reason);
int xa_read_applied(struct xa_ctx *a, char *buf, size_t cap);
int xa_commit(struct xa_ctx *a, const char *config_id, uint32_t *failed_seq,
	      const char **reason);
/* After xa_apply_files: drops backups and the journal. */
void xa_finish_files(struct xa_ctx *a);

/* apply_fs.c. Paths are relative to the root ("etc/passwd"). */
/* Opens the directory that holds path's last component, beneath the root,
 * refusing symlinks; mk creates missing ones (0755 root, or the file's
 * owner from own_from on; the last 0700 if own_from is set) and records
 * them in a->dirs. *name points at the last component. Returns the fd or
 * -errno (-ELOOP: a symlink was met). */
int xa_parent(struct xa_ctx *a, const char *path, const struct xa_file *mk,
	      const char **name);
/* Opens a file beneath the root for reading, refusing symlinks. */
int xa_open_read(struct xa_ctx *a, const char *path);
void xa_lines_init(struct xa_lines *l, int fd);
/* Next line (without '\n', NUL terminated in l->buf), or -1 at the end,
 * or -errno. -E2BIG reports a line longer than XA_LINE_MAX - 2 once; the
 * next call goes on after it. */
long xa_lines_next(struct xa_lines *l, const char **line);
/* Looks name up in the root's etc/passwd; fills u's uid, gid, home. */
int xa_getpw(struct xa_ctx *a, const char *name, size_t n, struct xa_user *u);
/* Resolves an owner / group field (name or number); empty gives dflt. */
int xa_getid(struct xa_ctx *a, int group, const struct xc_str *s, uint32_t dflt,
	     uint32_t *id);
int xa_write_all(int fd, const void *p, size_t n);
/* Copies everything from in (at its offset) to out. */
int xa_copy(struct xa_ctx *a, int in, int out);
/* Removes every entry of the stage directory. */
void xa_clear_stage(struct xa_ctx *a);
/* Writes data to path (relative to root) atomically: tmp, fsync, rename,
 * fsync dir. */
int xa_write_atomic(struct xa_ctx *a, const char *dir, const char *name,
		    const void *p, size_t n);
/* Reason word for an errno met while resolving or writing a path. */
const char *xa_path_reason(int err);

/* apply_gen.c: fills stage/f<k> for files[k] from the staged tables. */
int xa_gen_files(struct xa_ctx *a, uint32_t *failed_seq, const char **reason);
/* Rewrites a user's authorized_keys without lines of key blob; *removed
 * gets the count. */
int xa_keys_remove(struct xa_ctx *a, struct xa_user *u, const char *blob,
		   size_t bn, int *removed);

#endif
