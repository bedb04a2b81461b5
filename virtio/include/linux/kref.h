/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Reference counts for objects with more than one owner.
 *
 * A driver's state may outlive the device when a program still holds the
 * device file open after remove(); a kref lets the last owner free it.
 */
#ifndef _VLAB_LINUX_KREF_H
#define _VLAB_LINUX_KREF_H

#include <linux/kernel.h>

/** An atomic reference count. */
struct kref {
	unsigned int refcount;	/**< owners; 0 means freed */
};

/**
 * kref_init() - start the count at one owner.
 * @param kref the count.
 */
static inline void kref_init(struct kref *kref)
{
	__atomic_store_n(&kref->refcount, 1, __ATOMIC_RELAXED);
}

/**
 * kref_get() - add an owner.
 * @param kref the count, which must already be held by the caller.
 */
static inline void kref_get(struct kref *kref)
{
	unsigned int old;

	old = __atomic_fetch_add(&kref->refcount, 1, __ATOMIC_RELAXED);
	WARN_ON(old == 0);
}

/**
 * kref_put() - drop an owner and free the object with the last one.
 * @param kref the count.
 * @param release called once the count reaches zero.
 *
 * @return 1 when this call released the object, else 0.
 */
static inline int kref_put(struct kref *kref,
			   void (*release)(struct kref *kref))
{
	if (__atomic_sub_fetch(&kref->refcount, 1, __ATOMIC_ACQ_REL) == 0) {
		release(kref);
		return 1;
	}
	return 0;
}

#endif /* _VLAB_LINUX_KREF_H */
