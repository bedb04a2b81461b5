// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The lockstep schedule: one token, a seeded choice, virtual time.
 *
 * Each simulated thread has a slot. A slot is running (it may be chosen
 * whenever it is not holding the token), waiting (for a lock, a condition
 * or another thread: it may be chosen again only once something changed),
 * sleeping (until the virtual clock reaches its deadline) or dead.
 *
 * "Something changed" is a counter, @c work: every trace event, lock
 * release, signal and thread exit adds one. A waiting slot remembers the
 * count it saw when it went to wait; while the count is the same, looking
 * again could only show the same thing, so the slot is not chosen. When
 * no slot can be chosen, the clock jumps to the earliest sleeper's
 * deadline; with no sleeper either, the machine is deadlocked.
 *
 * The simulated threads of a lockstep run are coroutines of one OS thread
 * (sim/coro.h), the one that switched lockstep on: only one of them runs
 * at a time anyway, so handing the token over is a switch in user space,
 * a fraction of a microsecond, where waking another OS thread through a
 * futex and sleeping on one's own cost two system calls and two context
 * switches (about 3 us each hand-over in the virtual machines this was
 * measured on; 0.43 million of them in `vlab run rng --bytes 1048576
 * --seed 1 --trace`), and on a busy machine the woken thread waited for a
 * CPU behind other processes. What each simulated thread keeps as its own
 * across a switch (its trace name, its slot, its wait reason, and the
 * guest's thread-locals named with vlab_thread_carry()) is saved when it
 * gives the token away and put back when it runs again. A simulated
 * thread's pthread_t is then a handle that only vlab_thread_join() and
 * vlab_thread_pin() understand.
 *
 * The free schedule uses none of this: its simulated threads are OS
 * threads, and these functions are the pthread calls they wrap.
 */
#include "sim/sched.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/coro.h"
#include "sim/trace.h"

/** Most simulated threads: the guest, the IRQ thread, the devices. */
#define VLAB_SCHED_SLOTS 64
/** Most guest thread-locals carried with each simulated thread. */
#define VLAB_CARRY_MAX 4
/** Largest carried thread-local, bytes. */
#define VLAB_CARRY_SIZE 16

/** What a slot is doing. */
enum slot_state {
	SLOT_RUNNING,	/**< runnable; holds the token or may get it */
	SLOT_WAITING,	/**< waits for a change (@c work moves) */
	SLOT_SLEEPING,	/**< waits for the virtual clock */
	SLOT_DEAD,	/**< the thread has ended */
};

/** One simulated thread. */
struct slot {
	const char *name;	/**< trace name */
	enum slot_state state;	/**< what it does */
	const char *why;	/**< what it waits for (deadlock report) */
	uint64_t seen;		/**< @c work when it went to wait */
	uint64_t seen_unlocks;	/**< @c unlocks then (lock waiters) */
	bool lock_wait;		/**< waits for a lock, not a condition */
	uint64_t ready_at;	/**< woken: may run from this event on */
	uint64_t deadline;	/**< virtual ms it sleeps until */
	struct vlab_coro coro;	/**< where it runs (slot 0: OS thread's) */
	void *(*fn)(void *);	/**< body, for a spawned slot */
	void *arg;		/**< argument of @c fn */
	const char *tname;	/**< its trace name while it does not run */
	const char *reason;	/**< its wait reason while it does not run */
	/** the carried guest thread-locals while it does not run */
	unsigned char carried[VLAB_CARRY_MAX][VLAB_CARRY_SIZE];
};

/** The schedule; every field is protected by @c lock. */
static struct {
	pthread_mutex_t lock;	/**< protects everything below */
	int on;			/**< lockstep on (also read unlocked) */
	uint64_t rng;		/**< xorshift64* state */
	unsigned int nslots;	/**< slots handed out */
	int current;		/**< the slot holding the token */
	uint64_t work;		/**< changes so far (file comment) */
	uint64_t unlocks;	/**< lock releases so far */
	uint64_t events;	/**< trace events so far */
	unsigned int wake_latency; /**< events a woken waiter sits out */
	uint64_t now;		/**< virtual clock, ms */
	uint64_t switches;	/**< token handovers to another slot */
	struct slot slot[VLAB_SCHED_SLOTS]; /**< the threads */
} sched = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

/** A guest thread-local carried with each simulated thread. */
struct carry {
	void *(*addr)(void);	/**< the OS thread's instance */
	size_t size;		/**< its size */
};

/** The carried thread-locals (vlab_thread_carry()). */
static struct carry carry[VLAB_CARRY_MAX];
/** How many. */
static unsigned int ncarry;

void vlab_thread_carry(void *(*addr)(void), size_t size)
{
	unsigned int i;

	pthread_mutex_lock(&sched.lock);
	for (i = 0; i < ncarry && carry[i].addr != addr; i++)
		;
	if (i == ncarry && ncarry < VLAB_CARRY_MAX &&
	    size <= VLAB_CARRY_SIZE)
		carry[ncarry++] = (struct carry){ addr, size };
	else if (i == ncarry)
		fprintf(stderr,
			"vlab: lockstep cannot carry another thread-local (%u of %d, %zu bytes)\n",
			ncarry, VLAB_CARRY_MAX, size);
	pthread_mutex_unlock(&sched.lock);
}

/**
 * slot_reset() - a slot for a new thread.
 * @param i the slot.
 * @param name the thread's trace name.
 */
static void slot_reset(unsigned int i, const char *name)
{
	struct slot *s = &sched.slot[i];

	s->name = name;
	s->state = SLOT_RUNNING;
	s->why = NULL;
	s->seen = 0;
	s->seen_unlocks = 0;
	s->lock_wait = false;
	s->ready_at = 0;
	s->deadline = 0;
	s->fn = NULL;
	s->arg = NULL;
	s->tname = name;
	s->reason = NULL;
	memset(s->carried, 0, sizeof(s->carried));
}

/** The calling thread's slot, or -1 outside the schedule. */
static _Thread_local int my_slot = -1;

/** What the calling thread's next condition wait is for (the report). */
static _Thread_local const char *wait_reason;

/**
 * save_locals() - keep what slot @p me has of its own while it does not
 * run: the OS thread's thread-locals are about to be another slot's.
 * @param me the slot giving the token away.
 */
static void save_locals(int me)
{
	struct slot *s = &sched.slot[me];
	unsigned int i;

	s->tname = vlab_thread_name();
	s->reason = wait_reason;
	for (i = 0; i < ncarry; i++)
		memcpy(s->carried[i], carry[i].addr(), carry[i].size);
}

/**
 * load_locals() - slot @p me runs again (or for the first time): put back
 * what save_locals() kept (a new slot's are its name and zeros).
 * @param me the slot holding the token.
 */
static void load_locals(int me)
{
	struct slot *s = &sched.slot[me];
	unsigned int i;

	my_slot = me;
	vlab_thread_set_name(s->tname);
	wait_reason = s->reason;
	for (i = 0; i < ncarry; i++)
		memcpy(carry[i].addr(), s->carried[i], carry[i].size);
}

/**
 * switch_to() - run slot @p next until the token comes back to slot @p me
 * (the caller). Called without the lock: the slot that runs next may be
 * one that takes it first thing.
 * @param me the calling slot.
 * @param next the slot given the token.
 */
static void switch_to(int me, int next)
{
	save_locals(me);
	vlab_coro_switch(&sched.slot[me].coro, &sched.slot[next].coro);
	load_locals(me);
}

/**
 * slot_tag() - the pthread_t that stands for a slot's coroutine: the
 * slot's address, which no real thread's id equals (glibc's pthread_t is
 * the address of the thread's own control block).
 * @param i the slot.
 * @return its handle.
 */
static pthread_t slot_tag(unsigned int i)
{
	return (pthread_t)(uintptr_t)&sched.slot[i];
}

/**
 * tag_slot() - the slot a handle from slot_tag() stands for.
 * @param t a handle from vlab_thread_spawn().
 * @return the slot, or NULL for a real thread.
 */
static struct slot *tag_slot(pthread_t t)
{
	uintptr_t a = (uintptr_t)t, lo = (uintptr_t)&sched.slot[1];
	uintptr_t hi = (uintptr_t)&sched.slot[VLAB_SCHED_SLOTS];

	if (a < lo || a >= hi || (a - lo) % sizeof(struct slot))
		return NULL;
	return (struct slot *)a;
}

/**
 * next_random() - xorshift64*: small, fast and the same everywhere.
 * @return the next pseudo-random number.
 */
static uint64_t next_random(void)
{
	uint64_t x = sched.rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	sched.rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/**
 * can_run() - whether slot @p i may be given the token now.
 * @param i the slot.
 * @return true if running, or waiting and something changed since, or
 * sleeping past its deadline.
 */
static bool can_run(unsigned int i)
{
	struct slot *s = &sched.slot[i];
	bool woken;

	switch (s->state) {
	case SLOT_RUNNING:
		return true;
	case SLOT_WAITING:
		/*
		 * A lock waiter looks again after any release; a condition
		 * waiter only after a signal, an event or a thread's end: a
		 * lock let go by a thread that goes to wait itself makes
		 * nothing a condition waiter waits for true (counting it made
		 * two waiting threads wake each other for ever, and a real
		 * deadlock never showed).
		 */
		woken = s->seen != sched.work ||
			(s->lock_wait && s->seen_unlocks != sched.unlocks);
		if (!woken || s->lock_wait || !sched.wake_latency)
			return woken;
		/*
		 * A thread woken from a condition takes time to run, as on
		 * a real CPU: it sits out wake_latency events of the others.
		 */
		if (!s->ready_at)
			s->ready_at = sched.events + sched.wake_latency;
		return sched.events >= s->ready_at;
	case SLOT_SLEEPING:
		return s->deadline <= sched.now;
	default:
		return false;
	}
}

/** What a thread blocked in vlab_mutex_lock() waits for. */
static const char lock_why[] = "a lock";

/** Called once a deadlock is reported, before the run ends. */
static void (*deadlock_hook)(void *arg);
/** Its argument. */
static void *deadlock_arg;

void vlab_sched_set_deadlock_hook(void (*hook)(void *arg), void *arg)
{
	deadlock_hook = hook;
	deadlock_arg = arg;
}

/**
 * report_deadlock() - every thread waits and none can run: say who waits
 * for what, and end the run (it could never finish).
 */
static void report_deadlock(void)
{
	unsigned int i;

	fprintf(stderr,
		"vlab: lockstep: deadlock: every simulated thread waits and none can run\n");
	for (i = 0; i < sched.nslots; i++)
		if (sched.slot[i].state == SLOT_WAITING)
			fprintf(stderr, "vlab:   %s waits for %s\n",
				sched.slot[i].name, sched.slot[i].why);
	/*
	 * Every other thread is parked: the rings hold still. The hook may
	 * take guest locks: let go of the schedule's lock and leave the
	 * schedule first, so those locks are plain ones for this thread.
	 */
	pthread_mutex_unlock(&sched.lock);
	my_slot = -1;
	if (deadlock_hook)
		deadlock_hook(deadlock_arg);
	fflush(stdout);
	fflush(stderr);
	exit(1);
}

/**
 * choose() - the seeded choice of the next slot. Called with the lock.
 * @return the slot to run.
 */
static int choose(void)
{
	unsigned int i, n = 0, pick[VLAB_SCHED_SLOTS];
	int sleeper = -1;

	for (i = 0; i < sched.nslots; i++)
		if (can_run(i))
			pick[n++] = i;
	if (n == 0) {
		/* no one else to wait for: the earliest woken thread runs */
		for (i = 0; i < sched.nslots; i++)
			if (sched.slot[i].state == SLOT_WAITING &&
			    sched.slot[i].ready_at &&
			    (sleeper < 0 || sched.slot[i].ready_at <
			     sched.slot[sleeper].ready_at))
				sleeper = (int)i;
		if (sleeper >= 0)
			return sleeper;
		/* nobody can run before time passes: jump the clock */
		for (i = 0; i < sched.nslots; i++)
			if (sched.slot[i].state == SLOT_SLEEPING &&
			    (sleeper < 0 || sched.slot[i].deadline <
			     sched.slot[sleeper].deadline))
				sleeper = (int)i;
		if (sleeper < 0)
			report_deadlock();
		sched.now = sched.slot[sleeper].deadline;
		return sleeper;
	}
	return (int)pick[n == 1 ? 0 : next_random() % n];
}

/**
 * hand_over() - put the calling slot in @p state, give the token to the
 * seed's choice and run it until the token comes back. Called with the
 * lock.
 * @param state the caller's state while it does not run.
 */
static void hand_over(enum slot_state state)
{
	int me = my_slot, next;

	sched.slot[me].state = state;
	next = choose();
	if (next != me) {
		sched.switches++;
		sched.current = next;
		pthread_mutex_unlock(&sched.lock);
		switch_to(me, next);
		pthread_mutex_lock(&sched.lock);
	}
	sched.slot[me].state = SLOT_RUNNING;
}

/**
 * in_lockstep() - whether the calling thread takes part in lockstep.
 * @return true for a simulated thread while lockstep is on.
 */
static inline bool in_lockstep(void)
{
	return my_slot >= 0;
}

/**
 * changed() - count one change, so that waiting slots look again.
 */
static void changed(void)
{
	if (!__atomic_load_n(&sched.on, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&sched.lock);
	sched.work++;
	pthread_mutex_unlock(&sched.lock);
}

/**
 * unlocked() - count one lock release, so that threads waiting for a
 * lock look again (threads waiting for a condition do not).
 */
static void unlocked(void)
{
	pthread_mutex_lock(&sched.lock);
	sched.unlocks++;
	pthread_mutex_unlock(&sched.lock);
}

void vlab_wait_reason(const char *why)
{
	wait_reason = why;
}

/**
 * wait_locked() - give the token away until something changes. Called
 * with the lock.
 * @param why what the caller waits for, for the deadlock report.
 */
static void wait_locked(const char *why)
{
	sched.slot[my_slot].seen = sched.work;
	sched.slot[my_slot].seen_unlocks = sched.unlocks;
	sched.slot[my_slot].ready_at = 0;
	sched.slot[my_slot].lock_wait = why == lock_why;
	sched.slot[my_slot].why = why;
	hand_over(SLOT_WAITING);
}

/**
 * wait_for_change() - wait_locked() for a caller without the lock.
 * @param why what the caller waits for.
 */
static void wait_for_change(const char *why)
{
	pthread_mutex_lock(&sched.lock);
	wait_locked(why);
	pthread_mutex_unlock(&sched.lock);
}

int vlab_sched_lockstep(uint64_t seed)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

	pthread_mutex_lock(&sched.lock);
	if (sched.on) {
		pthread_mutex_unlock(&sched.lock);
		return -EBUSY;
	}
	/* splitmix64 spreads small seeds; xorshift needs a nonzero state */
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	sched.rng = (z ^ (z >> 31)) | 1;
	sched.nslots = 1;
	slot_reset(0, vlab_thread_name());
	vlab_coro_self(&sched.slot[0].coro);
	sched.current = 0;
	sched.work = 0;
	sched.unlocks = 0;
	sched.events = 0;
	sched.now = 0;
	sched.switches = 0;
	my_slot = 0;
	__atomic_store_n(&sched.on, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&sched.lock);
	vlab_trace_refresh();
	return 0;
}

void vlab_sched_free(void)
{
	unsigned int i;

	pthread_mutex_lock(&sched.lock);
	__atomic_store_n(&sched.on, 0, __ATOMIC_RELAXED);
	sched.wake_latency = 0;
	/* threads never joined: their stacks go with the schedule */
	for (i = 1; i < sched.nslots; i++)
		if ((int)i != my_slot)
			vlab_coro_destroy(&sched.slot[i].coro);
	sched.nslots = 0;
	my_slot = -1;
	pthread_mutex_unlock(&sched.lock);
	vlab_trace_refresh();
}

bool vlab_sched_is_lockstep(void)
{
	return __atomic_load_n(&sched.on, __ATOMIC_RELAXED);
}

uint64_t vlab_sched_switches(void)
{
	uint64_t n;

	pthread_mutex_lock(&sched.lock);
	n = sched.switches;
	pthread_mutex_unlock(&sched.lock);
	return n;
}

void vlab_sched_point(void)
{
	if (!in_lockstep())
		return;
	pthread_mutex_lock(&sched.lock);
	sched.work++;
	sched.events++;
	hand_over(SLOT_RUNNING);
	pthread_mutex_unlock(&sched.lock);
}

void vlab_sched_set_wake_latency(unsigned int events)
{
	pthread_mutex_lock(&sched.lock);
	sched.wake_latency = events;
	pthread_mutex_unlock(&sched.lock);
}

/**
 * slot_main() - the body of a lockstep slot's coroutine: take on the
 * slot's thread-locals, run the thread's body, then end the slot and give
 * the token on for good.
 * @param arg the struct slot.
 */
static void slot_main(void *arg)
{
	struct slot *s = arg;
	int me = (int)(s - sched.slot), next;

	load_locals(me);
	s->fn(s->arg);
	pthread_mutex_lock(&sched.lock);
	s->state = SLOT_DEAD;
	sched.work++;
	sched.switches++;
	next = choose();
	sched.current = next;
	pthread_mutex_unlock(&sched.lock);
	my_slot = -1;
	vlab_coro_exit(&s->coro, &sched.slot[next].coro);
}

/** What vlab_thread_spawn() hands a new thread of the free schedule. */
struct spawn {
	const char *name;	/**< trace name */
	void *(*fn)(void *);	/**< body */
	void *arg;		/**< its argument */
};

/**
 * thread_main() - name the thread, run the body.
 * @param arg a struct spawn, freed here.
 * @return what the body returned.
 */
static void *thread_main(void *arg)
{
	struct spawn sp = *(struct spawn *)arg;

	free(arg);
	vlab_thread_set_name(sp.name);
	return sp.fn(sp.arg);
}

/**
 * spawn_slot() - a new lockstep slot running @p fn(@p arg) as a
 * coroutine; it first runs when the seed picks it. Called with the lock.
 * @param thread receives the slot's handle.
 * @param name the trace name.
 * @param fn the body.
 * @param arg its argument.
 * @return 0 or a negative errno.
 */
static int spawn_slot(pthread_t *thread, const char *name,
		      void *(*fn)(void *), void *arg)
{
	unsigned int i = sched.nslots;
	struct slot *s = &sched.slot[i];

	if (i == VLAB_SCHED_SLOTS)
		return -EAGAIN;
	slot_reset(i, name);
	s->fn = fn;
	s->arg = arg;
	if (vlab_coro_create(&s->coro, slot_main, s))
		return -ENOMEM;
	sched.nslots++;
	*thread = slot_tag(i);
	return 0;
}

int vlab_thread_spawn(pthread_t *thread, const char *name,
		      void *(*fn)(void *), void *arg)
{
	struct spawn *sp;
	int err;

	pthread_mutex_lock(&sched.lock);
	if (in_lockstep()) {
		err = spawn_slot(thread, name, fn, arg);
		pthread_mutex_unlock(&sched.lock);
		return err;
	}
	pthread_mutex_unlock(&sched.lock);
	sp = malloc(sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	/* the new thread frees @sp */
	*sp = (struct spawn){ .name = name, .fn = fn, .arg = arg };
	err = pthread_create(thread, NULL, thread_main, sp);
	if (err)
		free(sp);
	return -err;
}

void vlab_thread_join(pthread_t thread)
{
	struct slot *s = tag_slot(thread);

	if (!s) {
		pthread_join(thread, NULL);
		return;
	}
	/*
	 * A lockstep slot: wait until it has ended. (Outside lockstep, or
	 * from a thread outside the schedule, it cannot run to its end;
	 * vlab_sched_free() frees its stack.)
	 */
	pthread_mutex_lock(&sched.lock);
	while (in_lockstep() && s->state != SLOT_DEAD)
		wait_locked("a thread to end");
	if (s->state == SLOT_DEAD)
		vlab_coro_destroy(&s->coro);
	pthread_mutex_unlock(&sched.lock);
}

int vlab_thread_pin(pthread_t thread, int cpu)
{
	cpu_set_t set;

	if (tag_slot(thread))
		return -EINVAL;	/* it runs where its OS thread does */
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return -pthread_setaffinity_np(thread, sizeof(set), &set);
}

void vlab_mutex_lock(pthread_mutex_t *m)
{
	if (!in_lockstep()) {
		pthread_mutex_lock(m);
		return;
	}
	/* the holder may be stopped at an event: wait without the token */
	while (pthread_mutex_trylock(m))
		wait_for_change(lock_why);
}

void vlab_mutex_unlock(pthread_mutex_t *m)
{
	pthread_mutex_unlock(m);
	if (in_lockstep())
		unlocked();
}

void vlab_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	const char *why;

	if (!in_lockstep()) {
		pthread_cond_wait(c, m);
		return;
	}
	/* the caller loops on its condition: one look per change */
	why = wait_reason ? wait_reason : "a condition";
	wait_reason = NULL;
	vlab_mutex_unlock(m);
	wait_for_change(why);
	vlab_mutex_lock(m);
}

void vlab_cond_wait_ms(pthread_cond_t *c, pthread_mutex_t *m,
		       unsigned int ms)
{
	struct timespec ts;

	if (in_lockstep()) {
		vlab_cond_wait(c, m);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(c, m, &ts);
}

void vlab_cond_signal(pthread_cond_t *c)
{
	pthread_cond_signal(c);
	changed();
}

void vlab_cond_broadcast(pthread_cond_t *c)
{
	pthread_cond_broadcast(c);
	changed();
}

void vlab_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	if (!in_lockstep()) {
		nanosleep(&ts, NULL);
		return;
	}
	pthread_mutex_lock(&sched.lock);
	sched.slot[my_slot].deadline = sched.now + ms;
	hand_over(SLOT_SLEEPING);
	pthread_mutex_unlock(&sched.lock);
}

void vlab_sched_wake(void)
{
	changed();
}
