// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Completions and the fatal signal that ends killable sleeps.
 */
#include <errno.h>
#include <time.h>

#include <linux/completion.h>

#include "virtio/guest.h"

/** A fatal signal is pending for guest programs (see guest_kill()). */
static int fatal_pending;

void guest_kill(bool pending)
{
	__atomic_store_n(&fatal_pending, pending, __ATOMIC_RELEASE);
}

void init_completion(struct completion *x)
{
	x->done = 0;
	pthread_mutex_init(&x->lock, NULL);
	pthread_cond_init(&x->wait, NULL);
}

void reinit_completion(struct completion *x)
{
	pthread_mutex_lock(&x->lock);
	x->done = 0;
	pthread_mutex_unlock(&x->lock);
}

void complete(struct completion *x)
{
	pthread_mutex_lock(&x->lock);
	if (x->done != ~0u)
		x->done++;
	pthread_cond_signal(&x->wait);
	pthread_mutex_unlock(&x->lock);
}

/**
 * wait_common() - sleep until done, or until killed when @p killable.
 * @param x the completion.
 * @param killable whether a fatal signal ends the sleep.
 * @return 0 or -ERESTARTSYS.
 *
 * The sleep wakes every 20 ms to look for the fatal signal: the signal is
 * a global flag, not tied to any one completion.
 */
static int wait_common(struct completion *x, bool killable)
{
	struct timespec ts;
	int ret = 0;

	might_sleep();
	pthread_mutex_lock(&x->lock);
	while (!x->done) {
		if (killable &&
		    __atomic_load_n(&fatal_pending, __ATOMIC_ACQUIRE)) {
			ret = -ERESTARTSYS;
			break;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&x->wait, &x->lock, &ts);
	}
	if (!ret)
		x->done--;
	pthread_mutex_unlock(&x->lock);
	return ret;
}

void wait_for_completion(struct completion *x)
{
	wait_common(x, false);
}

int wait_for_completion_killable(struct completion *x)
{
	return wait_common(x, true);
}
