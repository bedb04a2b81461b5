/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Wait queues: sleep until a condition holds, woken by whoever
 * makes it hold.
 *
 * Where a completion counts "done" events, a wait queue waits for any
 * condition the driver can test, such as "a received buffer is queued" or
 * "the device went away". The waker changes the state first and then
 * calls wake_up_interruptible(); the sleeper tests the condition again
 * after every wake-up, so a wake-up that races with the test is never
 * lost (each wake-up moves a sequence number the sleeper compares).
 */
#ifndef _VLAB_LINUX_WAIT_H
#define _VLAB_LINUX_WAIT_H

#include <pthread.h>
#include <linux/kernel.h>

/** Threads that sleep until a condition holds. */
struct wait_queue_head {
	pthread_mutex_t lock;	/**< protects the two below */
	pthread_cond_t cond;	/**< sleepers wait here */
	unsigned long seq;	/**< moves on every wake-up */
	unsigned int sleepers;	/**< threads asleep, for the trace */
};

/** The kernel's name for it. */
typedef struct wait_queue_head wait_queue_head_t;

/**
 * init_waitqueue_head() - initialise an empty wait queue.
 * @param wq the queue.
 */
void init_waitqueue_head(struct wait_queue_head *wq);

/**
 * wake_up_interruptible() - wake every sleeper so it tests its condition
 * again. Callable from interrupt context; never sleeps.
 * @param wq the queue.
 */
void wake_up_interruptible(struct wait_queue_head *wq);

/** wake_up() wakes uninterruptible sleepers too: the same here. */
#define wake_up(wq) wake_up_interruptible(wq)

/**
 * __vlab_wait_seq() - the wake-up count, read before testing the
 * condition (part of wait_event_interruptible(), not for drivers).
 * @param wq the queue.
 * @return the count.
 */
unsigned long __vlab_wait_seq(struct wait_queue_head *wq);

/**
 * __vlab_wait_sleep() - sleep until the count moves past @p seq or a
 * fatal signal arrives (part of wait_event_interruptible()).
 * @param wq the queue.
 * @param seq the count read before the condition was found false.
 * @return 0, or -ERESTARTSYS for the signal.
 */
int __vlab_wait_sleep(struct wait_queue_head *wq, unsigned long seq);

/**
 * wait_event_interruptible() - sleep until @p condition is true.
 * @param wq the queue its waker will wake.
 * @param condition a C expression, tested again after every wake-up.
 * @return 0 once it holds, -ERESTARTSYS when a signal ended the sleep
 * (the system call then fails or is restarted).
 *
 * May sleep: process context only.
 */
#define wait_event_interruptible(wq, condition)				\
	({								\
		int __vlab_ret = 0;					\
		unsigned long __vlab_seq;				\
									\
		might_sleep();						\
		for (;;) {						\
			__vlab_seq = __vlab_wait_seq(&(wq));		\
			if (condition)					\
				break;					\
			__vlab_ret = __vlab_wait_sleep(&(wq), __vlab_seq); \
			if (__vlab_ret)					\
				break;					\
		}							\
		__vlab_ret;						\
	})

/**
 * wait_event_killable() - sleep until @p condition is true or a fatal
 * signal arrives.
 * @param wq the queue its waker will wake.
 * @param condition a C expression, tested again after every wake-up.
 * @return 0 once it holds, -ERESTARTSYS when the process was killed.
 *
 * Guest programs only ever get fatal signals in the simulator, so this
 * sleeps exactly as wait_event_interruptible() does; drivers say which
 * one they mean, as in Linux.
 */
#define wait_event_killable(wq, condition)				\
	wait_event_interruptible(wq, condition)

#endif /* _VLAB_LINUX_WAIT_H */
