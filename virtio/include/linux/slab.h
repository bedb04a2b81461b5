/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief kmalloc() and kfree(): the guest kernel's heap, inside guest RAM.
 *
 * Every kmalloc'd byte lives in the simulated machine's RAM, so it has a
 * guest-physical address a device can reach (virtio 1.2 §2.7.5: descriptors
 * carry guest-physical addresses). Stack, static and host malloc() memory
 * does not, which is why a driver must never put it in a scatterlist.
 */
#ifndef _VLAB_LINUX_SLAB_H
#define _VLAB_LINUX_SLAB_H

#include <linux/gfp.h>
#include <linux/kernel.h>

/**
 * kmalloc() - allocate guest memory.
 * @param size bytes wanted.
 * @param flags GFP_KERNEL (may sleep) or GFP_ATOMIC.
 *
 * @return memory aligned to 64 bytes (a cache line, enough for any ring
 * element) or NULL when guest RAM is exhausted.
 */
void *kmalloc(size_t size, gfp_t flags);

/**
 * kzalloc() - allocate zeroed guest memory.
 * @param size bytes wanted.
 * @param flags GFP_KERNEL or GFP_ATOMIC.
 *
 * @return zeroed memory or NULL.
 */
static inline void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}

/**
 * kmalloc_array() - allocate @p n elements of @p size bytes, checking the
 * multiplication for overflow.
 * @param n element count.
 * @param size element size.
 * @param flags GFP_KERNEL or GFP_ATOMIC.
 *
 * @return memory or NULL (also when n * size overflows).
 */
static inline void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return kmalloc(n * size, flags);
}

/**
 * kcalloc() - allocate @p n zeroed elements of @p size bytes.
 * @param n element count.
 * @param size element size.
 * @param flags GFP_KERNEL or GFP_ATOMIC.
 *
 * @return zeroed memory or NULL.
 */
static inline void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array(n, size, flags | __GFP_ZERO);
}

/**
 * kfree() - give guest memory back.
 * @param ptr memory from kmalloc() and friends, or NULL (ignored).
 */
void kfree(const void *ptr);

#endif /* _VLAB_LINUX_SLAB_H */
