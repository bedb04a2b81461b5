/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Completions: one context sleeps until another says "done".
 *
 * The classic virtio pattern: process context adds a buffer and kicks, then
 * sleeps in wait_for_completion(); the virtqueue callback, in interrupt
 * context, takes the buffer back and calls complete().
 */
#ifndef _VLAB_LINUX_COMPLETION_H
#define _VLAB_LINUX_COMPLETION_H

#include <pthread.h>
#include <linux/kernel.h>

/** A counted "done" event with sleepers. */
struct completion {
	unsigned int done;	/**< complete() calls not yet consumed */
	unsigned int sleepers;	/**< threads asleep in a wait, for the trace */
	pthread_mutex_t lock;	/**< protects @c done */
	pthread_cond_t wait;	/**< sleepers wait here */
};

/**
 * init_completion() - initialise a completion with nothing done.
 * @param x the completion.
 */
void init_completion(struct completion *x);

/**
 * reinit_completion() - forget earlier complete() calls before reuse.
 * @param x the completion.
 */
void reinit_completion(struct completion *x);

/**
 * complete() - wake one waiter, or let the next wait return at once.
 * @param x the completion.
 *
 * Safe from interrupt context: it never sleeps.
 */
void complete(struct completion *x);

/**
 * wait_for_completion() - sleep until complete() is called.
 * @param x the completion.
 */
void wait_for_completion(struct completion *x);

/**
 * wait_for_completion_killable() - sleep until complete() or a fatal signal.
 * @param x the completion.
 *
 * The simulator sends the fatal signal when a guest program must be stopped
 * (its watchdog expired, or the machine shuts down), so a device that never
 * answers cannot hang the run.
 *
 * @return 0 when completed, -ERESTARTSYS when killed.
 */
int __must_check wait_for_completion_killable(struct completion *x);

#endif /* _VLAB_LINUX_COMPLETION_H */
