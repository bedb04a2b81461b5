/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Sleeping locks for process context.
 *
 * Taking a mutex may sleep, so each call checks might_sleep(): a driver that
 * takes one from its virtqueue callback is told so.
 */
#ifndef _VLAB_LINUX_MUTEX_H
#define _VLAB_LINUX_MUTEX_H

#include <pthread.h>

#include "virtio/shared/boundary.h"
#include <linux/kernel.h>

/** A sleeping lock; only process context may take it. */
struct mutex {
	pthread_mutex_t m;	/**< the host lock behind it */
};

/** Define and initialise a mutex named @p x. */
#define DEFINE_MUTEX(x) struct mutex x = { PTHREAD_MUTEX_INITIALIZER }

/**
 * mutex_init() - initialise a mutex before first use.
 * @param lock the mutex.
 */
static inline void mutex_init(struct mutex *lock)
{
	pthread_mutex_init(&lock->m, NULL);
}

/**
 * mutex_lock() - take a mutex, sleeping until it is free.
 * @param lock the mutex.
 */
static inline void mutex_lock(struct mutex *lock)
{
	might_sleep();
	vlab_mutex_lock(&lock->m);
}

/**
 * mutex_lock_interruptible() - take a mutex unless a signal arrives.
 * @param lock the mutex.
 *
 * @return 0 once held. Guest programs here receive no signals while they
 * wait for a lock, so the wait always ends with the lock held.
 */
static inline int __must_check mutex_lock_interruptible(struct mutex *lock)
{
	mutex_lock(lock);
	return 0;
}

/**
 * mutex_unlock() - release a mutex.
 * @param lock the mutex.
 */
static inline void mutex_unlock(struct mutex *lock)
{
	vlab_mutex_unlock(&lock->m);
}

/**
 * mutex_destroy() - mark a mutex unusable.
 * @param lock the mutex, which must not be held.
 */
static inline void mutex_destroy(struct mutex *lock)
{
	pthread_mutex_destroy(&lock->m);
}

#endif /* _VLAB_LINUX_MUTEX_H */
