/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief The two schedules of the simulated machine: free and lockstep.
 *
 * The simulated machine has several threads: the guest process (probe,
 * remove, file operations), the guest IRQ thread (interrupt handler and
 * driver callbacks) and one thread per device. In the @b free schedule
 * they run at once, as real CPUs would: that is fast, and it is what
 * ThreadSanitizer checks. In the @b lockstep schedule exactly one of them
 * runs at a time (they are coroutines of one OS thread, sim/coro.h); the
 * others wait for a token. The running thread hands the token on at
 * every trace event and whenever it must wait, and a seeded
 * pseudo-random choice picks which thread runs next. The same seed
 * therefore gives the same interleaving and the same trace, byte for
 * byte; another seed explores another interleaving.
 *
 * Every wait of the machine goes through this file (locks, condition
 * variables, thread joins, msleep()), so that a thread that must wait
 * gives the token away instead of blocking with it. A thread that waits
 * for something no other thread can provide is a deadlock; lockstep finds
 * it at once (every thread waiting, none can run) and names the threads.
 * Time is virtual in lockstep: msleep() returns when every other thread is
 * waiting too, as if the sleep had lasted exactly long enough.
 *
 * A thread that was not started through vlab_thread_spawn() (a test's
 * main thread in the free schedule, the guest program's watchdog) is not
 * part of the schedule: these functions behave for it exactly as the
 * pthread calls they wrap.
 */
#ifndef VLAB_SIM_SCHED_H
#define VLAB_SIM_SCHED_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "virtio/shared/boundary.h"

/**
 * vlab_sched_lockstep() - switch to the lockstep schedule; the calling
 * thread becomes the first simulated thread ("guest") and holds the token.
 * @param seed chooses the interleaving.
 * @return 0, or -EBUSY if lockstep is already on.
 *
 * Call it before the machine starts its threads, so that every one of
 * them joins the schedule.
 */
int vlab_sched_lockstep(uint64_t seed);

/**
 * vlab_sched_free() - end the lockstep schedule, after the machine has
 * stopped every thread it started.
 */
void vlab_sched_free(void);

/**
 * vlab_sched_is_lockstep() - whether the lockstep schedule is on.
 * @return true in lockstep.
 */
bool vlab_sched_is_lockstep(void);

/**
 * vlab_sched_switches() - how many times the token changed hands, for
 * the stepper's statistics.
 * @return the count since vlab_sched_lockstep().
 */
uint64_t vlab_sched_switches(void);

/**
 * vlab_sched_point() - a trace event happened: in lockstep, let the seed
 * choose which thread runs next (maybe this one again).
 */
void vlab_sched_point(void);

/**
 * vlab_thread_spawn() - start a simulated thread.
 * @param thread receives the pthread.
 * @param name its trace name ("irq", "rng0", ...); must outlive it.
 * @param fn its body.
 * @param arg passed to @p fn.
 * @return 0 or a negative errno.
 *
 * In lockstep the new thread joins the schedule at once, in the order of
 * the spawn calls, and first runs when the seed picks it. It is then a
 * coroutine of the OS thread that switched lockstep on (sim/coro.h), and
 * @p thread a handle that only vlab_thread_join() and vlab_thread_pin()
 * understand.
 */
int vlab_thread_spawn(pthread_t *thread, const char *name,
		      void *(*fn)(void *), void *arg);

/**
 * vlab_thread_join() - wait for a simulated thread to end.
 * @param thread the thread from vlab_thread_spawn().
 */
void vlab_thread_join(pthread_t thread);

/**
 * vlab_thread_pin() - run a thread on one CPU only, so that a benchmark
 * can put the producer, the device and the IRQ thread where it wants
 * them (as ringtest's --host-affinity and --guest-affinity do).
 * @param thread the thread.
 * @param cpu the CPU number.
 * @return 0 or a negative errno (-EINVAL for a lockstep thread, which
 * runs wherever its OS thread does).
 */
int vlab_thread_pin(pthread_t thread, int cpu);

/**
 * vlab_sched_set_deadlock_hook() - what to run when lockstep finds every
 * thread waiting, after it has said who waits for what and before the
 * run ends: the vlab command shows what the rings say
 * (tools/vlab/diagnose.c).
 * @param hook the function, or NULL.
 * @param arg passed to it.
 */
void vlab_sched_set_deadlock_hook(void (*hook)(void *arg), void *arg);

/**
 * vlab_sched_set_wake_latency() - model the time a woken thread takes to
 * run: in lockstep, a thread woken from a condition (a device by a
 * notification, the IRQ thread by an interrupt, a reader by complete())
 * sits out this many trace events of the other threads before the seed
 * may pick it, unless no other thread can run. 0 (the default) lets it
 * run at once. On real CPUs a sleeping thread needs microseconds to wake,
 * time in which the running side does a lot: this is what makes
 * notification suppression pay (vlab run stream --wake-latency).
 * @param events how many events.
 */
void vlab_sched_set_wake_latency(unsigned int events);

#endif /* VLAB_SIM_SCHED_H */
