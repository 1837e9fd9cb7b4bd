/* fence.h - memory barriers for rings shared with another domain.
 *
 * The other end of a ring runs on another CPU (another domain, or another
 * process in the simulation) and shares the page through a cache-coherent
 * mapping, so C11-strength fences are what Xen's own frontends need: on x86
 * the read and write fences cost nothing but stop the compiler from moving
 * loads and stores across them; on arm64 they become dmb instructions. They
 * are compiler builtins, not OS calls, so the OS-free engines may use them.
 *
 * A board whose memory is not coherent in this sense (none of ours) would
 * define XC_FENCE_BOARD_H to a header of its own that provides the same
 * three macros.
 */
#ifndef XC_FENCE_H
#define XC_FENCE_H

#ifdef XC_FENCE_BOARD_H
#include XC_FENCE_BOARD_H
#else
/* Orders earlier loads before later loads (indices before data). */
#define XC_RMB() __atomic_thread_fence(__ATOMIC_ACQUIRE)
/* Orders earlier stores before later stores (data before the index). */
#define XC_WMB() __atomic_thread_fence(__ATOMIC_RELEASE)
/* Orders everything: our data reads before our index store. */
#define XC_MB() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

#endif
