/* xc_err.h - error codes shared by every engine.
 *
 * Engines in agent/ and frontend/ include no OS headers, so they cannot use
 * <errno.h>. These values equal Linux's errno numbers, so a board can pass
 * them to strerror() or return them from a syscall wrapper unchanged.
 * Every function that can fail returns >= 0 on success and -XC_E... on error.
 */
#ifndef XC_ERR_H
#define XC_ERR_H

#define XC_EPERM 1
#define XC_ENOENT 2
#define XC_EIO 5
#define XC_E2BIG 7
#define XC_EAGAIN 11
#define XC_ENOMEM 12
#define XC_EACCES 13
#define XC_EFAULT 14
#define XC_EBUSY 16
#define XC_EEXIST 17
#define XC_ENODEV 19
#define XC_ENOTDIR 20
#define XC_EISDIR 21
#define XC_EINVAL 22
#define XC_EFBIG 27
#define XC_ENOSPC 28
#define XC_EROFS 30
#define XC_EPIPE 32
#define XC_ERANGE 34
#define XC_ENAMETOOLONG 36
#define XC_ENOSYS 38
#define XC_ELOOP 40
#define XC_EPROTO 71
#define XC_EBADMSG 74
#define XC_EOVERFLOW 75
#define XC_EMSGSIZE 90
#define XC_EPROTONOSUPPORT 93
#define XC_ENOTSUP 95
#define XC_ECONNRESET 104
#define XC_ETIMEDOUT 110
#define XC_ECONNREFUSED 111
#define XC_EALREADY 114
#define XC_ECANCELED 125

#endif
