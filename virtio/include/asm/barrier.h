/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Memory barriers as C11 fences and atomics.
 *
 * smp_store_release()/smp_load_acquire() are the ones the ring code uses
 * for ring indices: ThreadSanitizer understands an acquire load pairing
 * with a release store, while it cannot see what a standalone fence orders.
 */
#ifndef _VLAB_ASM_BARRIER_H
#define _VLAB_ASM_BARRIER_H

/** Full barrier: earlier loads and stores before later loads and stores. */
#define smp_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
/** Earlier loads before later loads. */
#define smp_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
/** Earlier stores before later stores. */
#define smp_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
/** Full barrier, also against a device (same as smp_mb() here). */
#define mb() smp_mb()
/** Store @p v to @p p after every earlier load and store of this thread. */
#define smp_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
/** Load @p p before every later load and store of this thread. */
#define smp_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)

#endif /* _VLAB_ASM_BARRIER_H */
