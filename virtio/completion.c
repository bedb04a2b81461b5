// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Sleeping and waking: completions, wait queues, and the fatal
 * signal that ends killable and interruptible sleeps.
 */
#include <errno.h>
#include <time.h>

#include <linux/completion.h>
#include <linux/wait.h>

#include "virtio/shared/boundary.h"

/** A fatal signal is pending for guest programs (see guest_kill()). */
static int fatal_pending;

void guest_kill(bool pending)
{
	__atomic_store_n(&fatal_pending, pending, __ATOMIC_RELEASE);
	/* sleepers in lockstep look at the flag again */
	vlab_sched_wake();
}

void init_completion(struct completion *x)
{
	x->done = 0;
	x->sleepers = 0;
	pthread_mutex_init(&x->lock, NULL);
	pthread_cond_init(&x->wait, NULL);
}

void reinit_completion(struct completion *x)
{
	vlab_mutex_lock(&x->lock);
	x->done = 0;
	vlab_mutex_unlock(&x->lock);
}

void complete(struct completion *x)
{
	bool sleeper;

	vlab_mutex_lock(&x->lock);
	if (x->done != ~0u)
		x->done++;
	sleeper = x->sleepers > 0;
	vlab_cond_signal(&x->wait);
	vlab_mutex_unlock(&x->lock);
	if (sleeper)
		VLAB_TRACE(.kind = VLAB_EV_WAKE, .queue = -1);
}

/**
 * wait_common() - sleep until done, or until killed when @p killable.
 * @param x the completion.
 * @param killable whether a fatal signal ends the sleep.
 * @return 0 or -ERESTARTSYS.
 *
 * In the free schedule the sleep wakes every 20 ms to look for the fatal
 * signal: the signal is a global flag, not tied to any one completion.
 * A thread that really sleeps says so in the trace, and so does the
 * complete() that wakes it: that is where the reader of a driver sees
 * process context hand over to the interrupt path and back.
 */
static int wait_common(struct completion *x, bool killable)
{
	bool slept = false;
	int ret = 0;

	might_sleep();
	vlab_mutex_lock(&x->lock);
	if (!x->done) {
		slept = true;
		x->sleepers++;
		VLAB_TRACE(.kind = VLAB_EV_SLEEP, .queue = -1,
			   .wait = { .who = vlab_thread_name() });
	}
	while (!x->done) {
		if (killable &&
		    __atomic_load_n(&fatal_pending, __ATOMIC_ACQUIRE)) {
			ret = -ERESTARTSYS;
			break;
		}
		vlab_wait_reason("complete() in wait_for_completion()");
		vlab_cond_wait_ms(&x->wait, &x->lock, 20);
	}
	if (slept)
		x->sleepers--;
	if (!ret)
		x->done--;
	vlab_mutex_unlock(&x->lock);
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

void init_waitqueue_head(struct wait_queue_head *wq)
{
	wq->seq = 0;
	wq->sleepers = 0;
	pthread_mutex_init(&wq->lock, NULL);
	pthread_cond_init(&wq->cond, NULL);
}

void wake_up_interruptible(struct wait_queue_head *wq)
{
	bool sleeper;

	vlab_mutex_lock(&wq->lock);
	wq->seq++;
	sleeper = wq->sleepers > 0;
	vlab_cond_broadcast(&wq->cond);
	vlab_mutex_unlock(&wq->lock);
	if (sleeper)
		VLAB_TRACE(.kind = VLAB_EV_WAKE, .queue = -1,
			   .wait = { .wait_queue = 1 });
}

unsigned long __vlab_wait_seq(struct wait_queue_head *wq)
{
	unsigned long seq;

	vlab_mutex_lock(&wq->lock);
	seq = wq->seq;
	vlab_mutex_unlock(&wq->lock);
	return seq;
}

int __vlab_wait_sleep(struct wait_queue_head *wq, unsigned long seq)
{
	int ret = 0;

	vlab_mutex_lock(&wq->lock);
	if (wq->seq == seq) {
		wq->sleepers++;
		VLAB_TRACE(.kind = VLAB_EV_SLEEP, .queue = -1,
			   .wait = { .who = vlab_thread_name(),
				     .wait_queue = 1 });
		/* like wait_common(): the fatal signal is a global flag */
		while (wq->seq == seq) {
			if (__atomic_load_n(&fatal_pending, __ATOMIC_ACQUIRE)) {
				ret = -ERESTARTSYS;
				break;
			}
			vlab_wait_reason("wake_up() in wait_event()");
			vlab_cond_wait_ms(&wq->cond, &wq->lock, 20);
		}
		wq->sleepers--;
	}
	vlab_mutex_unlock(&wq->lock);
	return ret;
}
