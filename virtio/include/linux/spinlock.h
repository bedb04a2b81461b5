/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Spinlocks for data shared with interrupt context.
 *
 * The guest's interrupt handlers run on their own thread, so a spinlock here
 * is a host mutex; spin_lock_irqsave() keeps the kernel's spelling (and its
 * flags argument) so the same driver builds as a module. Spinlock holders
 * must not sleep, exactly as in the kernel.
 */
#ifndef _VLAB_LINUX_SPINLOCK_H
#define _VLAB_LINUX_SPINLOCK_H

#include <pthread.h>

#include "virtio/shared/boundary.h"
#include <linux/types.h>

/** A lock that interrupt handlers may take. */
typedef struct {
	pthread_mutex_t m;	/**< the host lock behind it */
} spinlock_t;

/** Define and initialise a spinlock named @p x. */
#define DEFINE_SPINLOCK(x) spinlock_t x = { PTHREAD_MUTEX_INITIALIZER }

/**
 * spin_lock_init() - initialise a spinlock before first use.
 * @param lock the lock.
 */
static inline void spin_lock_init(spinlock_t *lock)
{
	pthread_mutex_init(&lock->m, NULL);
}

/**
 * spin_lock() - take a spinlock.
 * @param lock the lock.
 */
static inline void spin_lock(spinlock_t *lock)
{
	vlab_mutex_lock(&lock->m);
}

/**
 * spin_unlock() - release a spinlock.
 * @param lock the lock.
 */
static inline void spin_unlock(spinlock_t *lock)
{
	vlab_mutex_unlock(&lock->m);
}

/** Take @p lock with local interrupts off; @p flags saves their state. */
#define spin_lock_irqsave(lock, flags)		\
	do {					\
		(flags) = 0;			\
		spin_lock(lock);		\
	} while (0)

/** Release @p lock and restore the interrupt state saved in @p flags. */
#define spin_unlock_irqrestore(lock, flags)	\
	do {					\
		(void)(flags);			\
		spin_unlock(lock);		\
	} while (0)

/** Take @p lock with local interrupts off. */
#define spin_lock_irq(lock) spin_lock(lock)
/** Release @p lock and turn local interrupts back on. */
#define spin_unlock_irq(lock) spin_unlock(lock)

#endif /* _VLAB_LINUX_SPINLOCK_H */
