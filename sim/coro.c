// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Coroutines on ucontext: a mapped stack with a guard page, and
 * the sanitizers told about each switch (sim/coro.h says why).
 */
#include "sim/coro.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#endif
#ifdef __SANITIZE_THREAD__
#include <sanitizer/tsan_interface.h>
#endif

/**
 * Stack of one coroutine. A simulated thread runs the guest kernel's
 * interrupt path or a device model, never deep recursion; AddressSanitizer
 * builds need a few times what a release build does. Pages are only
 * committed when touched.
 */
#define CORO_STACK (1024 * 1024)

/** The coroutine that switched last, for the one it switched to. */
static _Thread_local struct vlab_coro *coro_prev;
/** The coroutine being switched to, for its first run. */
static _Thread_local struct vlab_coro *coro_next;

/**
 * san_start() - tell AddressSanitizer that the stack changes to @p to's.
 * @param fake where to keep the caller's fake stack, or NULL when the
 *	caller ends.
 * @param to the coroutine about to run.
 */
static void san_start(void **fake, struct vlab_coro *to)
{
#ifdef __SANITIZE_ADDRESS__
	__sanitizer_start_switch_fiber(fake, to->stack, to->stack_size);
#else
	(void)fake;
	(void)to;
#endif
#ifdef __SANITIZE_THREAD__
	/* flags 0: the switch orders what ran before it before what follows */
	__tsan_switch_to_fiber(to->fiber, 0);
#endif
}

/**
 * san_finish() - back on a stack: finish the switch for AddressSanitizer,
 * and learn the bounds of the stack we came from (the OS thread's own
 * stack is known only this way).
 * @param fake what san_start() kept, or NULL on a first run.
 */
static void san_finish(void *fake)
{
#ifdef __SANITIZE_ADDRESS__
	const void *bottom;
	size_t size;

	__sanitizer_finish_switch_fiber(fake, &bottom, &size);
	if (coro_prev && !coro_prev->map) {
		coro_prev->stack = bottom;
		coro_prev->stack_size = size;
	}
#else
	(void)fake;
#endif
}

void vlab_coro_self(struct vlab_coro *c)
{
	*c = (struct vlab_coro){ 0 };
#ifdef __SANITIZE_THREAD__
	c->fiber = __tsan_get_current_fiber();
#endif
}

/**
 * coro_entry() - the first frame of every created coroutine: finish the
 * switch that started it, then run its body (which never returns).
 */
static void coro_entry(void)
{
	struct vlab_coro *me = coro_next;

	san_finish(NULL);
	me->fn(me->arg);
}

int vlab_coro_create(struct vlab_coro *c, void (*fn)(void *), void *arg)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	*c = (struct vlab_coro){ .fn = fn, .arg = arg };
	c->map_size = CORO_STACK + page;
	c->map = mmap(NULL, c->map_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (c->map == MAP_FAILED) {
		c->map = NULL;
		return -ENOMEM;
	}
	/* the stack grows down: an overflow faults on the guard page */
	mprotect(c->map, page, PROT_NONE);
	c->stack = (char *)c->map + page;
	c->stack_size = CORO_STACK;
	getcontext(&c->ctx);
	c->ctx.uc_stack.ss_sp = (void *)c->stack;
	c->ctx.uc_stack.ss_size = c->stack_size;
	c->ctx.uc_link = NULL;
	makecontext(&c->ctx, coro_entry, 0);
#ifdef __SANITIZE_THREAD__
	c->fiber = __tsan_create_fiber(0);
#endif
	return 0;
}

void vlab_coro_switch(struct vlab_coro *from, struct vlab_coro *to)
{
	volatile bool resumed = false;

	/*
	 * getcontext() then setcontext(), not swapcontext(): the same switch,
	 * but AddressSanitizer intercepts swapcontext() and prints a warning
	 * on stderr, which would change what the command prints. getcontext()
	 * returns a second time when something switches back to @p from;
	 * only memory (the volatile flag, @c from->fake) tells the two apart.
	 */
	getcontext(&from->ctx);
	if (resumed) {
		san_finish(from->fake);
		return;
	}
	resumed = true;
	san_start(&from->fake, to);
	coro_prev = from;
	coro_next = to;
	setcontext(&to->ctx);
	/* setcontext() returns only when the context is invalid */
	abort();
}

void vlab_coro_exit(struct vlab_coro *from, struct vlab_coro *to)
{
	san_start(NULL, to);
	coro_prev = from;
	coro_next = to;
	setcontext(&to->ctx);
	/* setcontext() returns only when the context is invalid */
	abort();
}

void vlab_coro_destroy(struct vlab_coro *c)
{
	if (!c->map)
		return;
#ifdef __SANITIZE_THREAD__
	__tsan_destroy_fiber(c->fiber);
#endif
#ifdef __SANITIZE_ADDRESS__
	/* frames that never returned leave poisoned shadow behind */
	__asan_unpoison_memory_region(c->stack, c->stack_size);
#endif
	munmap(c->map, c->map_size);
	c->map = NULL;
}
