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
 * Handing the token over wakes exactly one thread: each slot has a futex
 * word of its own, and only the chosen slot's is set and woken, after the
 * schedule's lock is dropped (so the woken thread does not wake into a
 * held lock). A thread that gave the token away spins on its word for a
 * moment before it sleeps in the kernel: the token often comes back
 * within microseconds, and a futex wake costs a system call on both
 * sides. (One shared condition broadcast to every parked thread made each
 * of them wake, see that the token was not theirs and sleep again; a
 * condition variable per slot still made the woken thread contend for
 * the lock its waker held.)
 *
 * The simulated threads of a lockstep run share one CPU (the one the run
 * started on): only one of them runs at a time anyway, and a hand-over
 * on one CPU is a direct switch, where a wake-up sent to another CPU is
 * an inter-processor interrupt (in a virtual machine, an exit to the
 * hypervisor). Spinning before sleeping measured slower on the 2-CPU
 * machines this was tuned on: the spinners took the CPU the token holder
 * needed.
 */
#include "sim/sched.h"

#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sim/trace.h"

/** Most simulated threads: the guest, the IRQ thread, the devices. */
#define VLAB_SCHED_SLOTS 64

/** A slot's futex word: the token is elsewhere; the thread runs on. */
#define TURN_WAIT 0
/** A slot's futex word: the token is this slot's. */
#define TURN_GO 1
/** A slot's futex word: the thread sleeps in the kernel on it. */
#define TURN_SLEEP 2

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
	pthread_t thread;	/**< its pthread (not set for slot 0) */
	uint32_t turn;		/**< futex word: TURN_WAIT, TURN_GO or
				     TURN_SLEEP (atomic; read unlocked) */
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
	cpu_set_t cpu;		/**< the simulated threads' one CPU */
	cpu_set_t saved;	/**< the first thread's CPUs before lockstep */
	bool pinned;		/**< @c saved is to be restored */
	struct slot slot[VLAB_SCHED_SLOTS]; /**< the threads */
} sched = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

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
	__atomic_store_n(&s->turn, TURN_WAIT, __ATOMIC_RELAXED);
}

/**
 * futex() - the futex system call on a slot's word.
 * @param word the word.
 * @param op FUTEX_WAIT_PRIVATE or FUTEX_WAKE_PRIVATE.
 * @param val the value expected (wait) or threads to wake (wake).
 * @param ts the wait's bound, or NULL.
 */
static void futex(uint32_t *word, int op, uint32_t val,
		  const struct timespec *ts)
{
	syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

/**
 * give_token() - make @p next the running slot. Called with the lock;
 * the caller calls wake_token() once it has dropped it.
 * @param next the slot chosen to run.
 */
static void give_token(int next)
{
	sched.current = next;
}

/**
 * wake_token() - tell slot @p next the token is its own; a system call
 * only when its thread already sleeps in the kernel. Called without the
 * lock.
 * @param next the slot given the token.
 */
static void wake_token(int next)
{
	/*
	 * Release: everything the schedule and this thread wrote before the
	 * hand-over before the woken thread's acquire load of its word.
	 */
	if (__atomic_exchange_n(&sched.slot[next].turn, TURN_GO,
				__ATOMIC_RELEASE) == TURN_SLEEP)
		futex(&sched.slot[next].turn, FUTEX_WAKE_PRIVATE, 1, NULL);
}

/**
 * wait_token() - park the calling thread until the token is its own:
 * spin on its word a little, then sleep on it in the kernel (each sleep
 * bounded; the loop looks again). Called without the lock.
 * @param me the caller's slot.
 */
static void wait_token(int me)
{
	static const struct timespec second = { 1, 0 };
	uint32_t *turn = &sched.slot[me].turn, old;

	/* Acquire pairs with the release in wake_token() */
	for (;;) {
		old = TURN_WAIT;
		if (!__atomic_compare_exchange_n(turn, &old, TURN_SLEEP, false,
						 __ATOMIC_ACQUIRE,
						 __ATOMIC_ACQUIRE) &&
		    old == TURN_GO)
			break;
		futex(turn, FUTEX_WAIT_PRIVATE, TURN_SLEEP, &second);
	}
	__atomic_store_n(turn, TURN_WAIT, __ATOMIC_RELAXED);
}

/** The calling thread's slot, or -1 outside the schedule. */
static _Thread_local int my_slot = -1;

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

/** What the calling thread's next condition wait is for (the report). */
static _Thread_local const char *wait_reason;

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
 * seed's choice and wait until it comes back. Called with the lock.
 * @param state the caller's state while it does not run.
 */
static void hand_over(enum slot_state state)
{
	int me = my_slot, next;

	sched.slot[me].state = state;
	next = choose();
	if (next != me) {
		sched.switches++;
		give_token(next);
		pthread_mutex_unlock(&sched.lock);
		wake_token(next);
		wait_token(me);
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
	sched.current = 0;
	sched.work = 0;
	sched.unlocks = 0;
	sched.events = 0;
	sched.now = 0;
	sched.switches = 0;
	my_slot = 0;
	CPU_ZERO(&sched.cpu);
	sched.pinned = sched_getcpu() >= 0 &&
		!pthread_getaffinity_np(pthread_self(), sizeof(sched.saved),
					&sched.saved);
	if (sched.pinned) {
		CPU_SET(sched_getcpu(), &sched.cpu);
		sched.pinned = !pthread_setaffinity_np(pthread_self(),
						       sizeof(sched.cpu),
						       &sched.cpu);
	}
	__atomic_store_n(&sched.on, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&sched.lock);
	vlab_trace_refresh();
	return 0;
}

void vlab_sched_free(void)
{
	pthread_mutex_lock(&sched.lock);
	__atomic_store_n(&sched.on, 0, __ATOMIC_RELAXED);
	sched.wake_latency = 0;
	if (sched.pinned)
		pthread_setaffinity_np(pthread_self(), sizeof(sched.saved),
				       &sched.saved);
	sched.pinned = false;
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

/** What vlab_thread_spawn() hands its new thread. */
struct spawn {
	const char *name;	/**< trace name */
	void *(*fn)(void *);	/**< body */
	void *arg;		/**< its argument */
	int slot;		/**< lockstep slot, or -1 */
};

/**
 * thread_main() - join the schedule, run the body, leave the schedule.
 * @param arg a struct spawn, freed here.
 * @return what the body returned.
 */
static void *thread_main(void *arg)
{
	struct spawn sp = *(struct spawn *)arg;
	void *ret;
	int next;

	free(arg);
	vlab_thread_set_name(sp.name);
	if (sp.slot >= 0) {
		my_slot = sp.slot;
		wait_token(sp.slot);
	}
	ret = sp.fn(sp.arg);
	if (sp.slot >= 0) {
		pthread_mutex_lock(&sched.lock);
		sched.slot[sp.slot].state = SLOT_DEAD;
		sched.work++;
		sched.switches++;
		next = choose();
		give_token(next);
		pthread_mutex_unlock(&sched.lock);
		wake_token(next);
		my_slot = -1;
	}
	return ret;
}

int vlab_thread_spawn(pthread_t *thread, const char *name,
		      void *(*fn)(void *), void *arg)
{
	struct spawn *sp = malloc(sizeof(*sp));
	int err, slot = -1;

	if (!sp)
		return -ENOMEM;
	pthread_mutex_lock(&sched.lock);
	if (in_lockstep()) {
		if (sched.nslots == VLAB_SCHED_SLOTS) {
			pthread_mutex_unlock(&sched.lock);
			free(sp);
			return -EAGAIN;
		}
		slot = (int)sched.nslots++;
		slot_reset((unsigned int)slot, name);
	}
	/* the new thread frees @sp: only @slot is ours after the create */
	*sp = (struct spawn){ .name = name, .fn = fn, .arg = arg,
			      .slot = slot };
	err = pthread_create(thread, NULL, thread_main, sp);
	if (err) {
		if (slot >= 0)
			sched.slot[slot].state = SLOT_DEAD;
		free(sp);
	} else if (slot >= 0) {
		sched.slot[slot].thread = *thread;
		/* one CPU for every simulated thread (file comment) */
		if (sched.pinned)
			pthread_setaffinity_np(*thread, sizeof(sched.cpu),
					       &sched.cpu);
	}
	pthread_mutex_unlock(&sched.lock);
	return -err;
}

void vlab_thread_join(pthread_t thread)
{
	unsigned int i;

	if (in_lockstep()) {
		pthread_mutex_lock(&sched.lock);
		for (i = 1; i < sched.nslots; i++)
			if (pthread_equal(sched.slot[i].thread, thread))
				break;
		while (i < sched.nslots && sched.slot[i].state != SLOT_DEAD)
			wait_locked("a thread to end");
		pthread_mutex_unlock(&sched.lock);
	}
	pthread_join(thread, NULL);
}

int vlab_thread_pin(pthread_t thread, int cpu)
{
	cpu_set_t set;

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
