/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Coroutines for the lockstep schedule: the simulated threads of a
 * lockstep run take turns on one OS thread.
 *
 * In lockstep exactly one simulated thread runs at a time, and the token
 * moves after almost every trace event. With one OS thread per simulated
 * thread each hand-over was a futex wake, a futex wait and a context
 * switch in the kernel: several microseconds in the virtual machines this
 * runs on, most of a lockstep run's time. A coroutine switch is a register
 * save and restore in user space (getcontext() and setcontext(), each
 * with its sigprocmask), a fraction of a microsecond, and it never gives
 * the CPU to another process in between.
 *
 * The sanitizers are told about every switch, as they ask: AddressSanitizer
 * through __sanitizer_start_switch_fiber() and its pair (a coroutine's stack
 * is not the thread's), ThreadSanitizer through its fiber calls (each
 * coroutine is a fiber; a switch is a synchronisation, as the hand-over of
 * the token it stands for).
 */
#ifndef VLAB_SIM_CORO_H
#define VLAB_SIM_CORO_H

#include <stddef.h>
#include <ucontext.h>

/** One coroutine: a context, and the stack it runs on. */
struct vlab_coro {
	ucontext_t ctx;		/**< registers while it does not run */
	void *map;		/**< its mapping (guard page first), or NULL
				     for the OS thread's own stack */
	size_t map_size;	/**< size of @c map */
	const void *stack;	/**< lowest usable stack address (ASan) */
	size_t stack_size;	/**< usable stack bytes (ASan) */
	void *fiber;		/**< its ThreadSanitizer fiber, or NULL */
	void *fake;		/**< its ASan fake stack while suspended */
	void (*fn)(void *);	/**< body, until it first runs */
	void *arg;		/**< argument of @c fn */
};

/**
 * vlab_coro_self() - make @p c stand for the code running now on its own
 * OS thread stack, so that it can switch to other coroutines and be
 * switched back to.
 * @param c the coroutine to fill.
 */
void vlab_coro_self(struct vlab_coro *c);

/**
 * vlab_coro_create() - a coroutine that will run @p fn(@p arg) on a stack
 * of its own when first switched to. @p fn must never return: it ends
 * with vlab_coro_exit().
 * @param c the coroutine to fill.
 * @param fn its body.
 * @param arg passed to @p fn.
 * @return 0, or -ENOMEM.
 */
int vlab_coro_create(struct vlab_coro *c, void (*fn)(void *), void *arg);

/**
 * vlab_coro_switch() - suspend @p from (the caller) and run @p to; returns
 * when something switches back to @p from.
 * @param from the running coroutine.
 * @param to the one to run.
 */
void vlab_coro_switch(struct vlab_coro *from, struct vlab_coro *to);

/**
 * vlab_coro_exit() - end @p from (the caller) and run @p to. The stack of
 * @p from stays mapped until vlab_coro_destroy(), which another coroutine
 * calls.
 * @param from the running coroutine, which ends.
 * @param to the one to run.
 */
void vlab_coro_exit(struct vlab_coro *from, struct vlab_coro *to)
	__attribute__((noreturn));

/**
 * vlab_coro_destroy() - free an ended (or never started) coroutine's
 * stack. Not for the running one nor one made with vlab_coro_self().
 * @param c the coroutine.
 */
void vlab_coro_destroy(struct vlab_coro *c);

#endif /* VLAB_SIM_CORO_H */
