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
 * Handing the token over wakes exactly one thread: each slot has a
 * condition variable of its own, and only the chosen slot's is signalled.
 * (One shared condition broadcast to every parked thread made each of
 * them wake, see that the token was not theirs and sleep again.)
 */
#include "sim/sched.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim/trace.h"

/** Most simulated threads: the guest, the IRQ thread, the devices. */
#define VLAB_SCHED_SLOTS 64

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
	uint64_t deadline;	/**< virtual ms it sleeps until */
	pthread_t thread;	/**< its pthread (not set for slot 0) */
	pthread_cond_t turn;	/**< signalled when the token comes here */
};

/** The schedule; every field is protected by @c lock. */
static struct {
	pthread_mutex_t lock;	/**< protects everything below */
	int on;			/**< lockstep on (also read unlocked) */
	uint64_t rng;		/**< xorshift64* state */
	unsigned int nslots;	/**< slots handed out */
	int current;		/**< the slot holding the token */
	uint64_t work;		/**< changes so far (file comment) */
	uint64_t now;		/**< virtual clock, ms */
	uint64_t switches;	/**< token handovers to another slot */
	struct slot slot[VLAB_SCHED_SLOTS]; /**< the threads */
} sched = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

/** Initialises each slot's condition variable once per process. */
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;

/**
 * slots_init() - the condition variable of every slot (they live as long
 * as the process; a slot handed out again keeps its own).
 */
static void slots_init(void)
{
	unsigned int i;

	for (i = 0; i < VLAB_SCHED_SLOTS; i++)
		pthread_cond_init(&sched.slot[i].turn, NULL);
}

/**
 * slot_reset() - a slot for a new thread; its condition variable stays.
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
	s->deadline = 0;
}

/**
 * give_token() - make @p next the running slot and wake its thread alone.
 * Called with the lock.
 * @param next the slot chosen to run.
 */
static void give_token(int next)
{
	sched.current = next;
	pthread_cond_signal(&sched.slot[next].turn);
}

/**
 * wait_token() - park the calling thread until the token is its own.
 * Called with the lock; returns with it.
 * @param me the caller's slot.
 */
static void wait_token(int me)
{
	while (sched.current != me)
		pthread_cond_wait(&sched.slot[me].turn, &sched.lock);
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
	const struct slot *s = &sched.slot[i];

	switch (s->state) {
	case SLOT_RUNNING:
		return true;
	case SLOT_WAITING:
		return s->seen != sched.work;
	case SLOT_SLEEPING:
		return s->deadline <= sched.now;
	default:
		return false;
	}
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
		wait_token(me);
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
 * wait_locked() - give the token away until something changes. Called
 * with the lock.
 * @param why what the caller waits for, for the deadlock report.
 */
static void wait_locked(const char *why)
{
	sched.slot[my_slot].seen = sched.work;
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

	pthread_once(&slots_once, slots_init);
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
	pthread_mutex_lock(&sched.lock);
	__atomic_store_n(&sched.on, 0, __ATOMIC_RELAXED);
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
	hand_over(SLOT_RUNNING);
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

	free(arg);
	vlab_thread_set_name(sp.name);
	if (sp.slot >= 0) {
		my_slot = sp.slot;
		pthread_mutex_lock(&sched.lock);
		wait_token(sp.slot);
		pthread_mutex_unlock(&sched.lock);
	}
	ret = sp.fn(sp.arg);
	if (sp.slot >= 0) {
		pthread_mutex_lock(&sched.lock);
		sched.slot[sp.slot].state = SLOT_DEAD;
		sched.work++;
		sched.switches++;
		give_token(choose());
		pthread_mutex_unlock(&sched.lock);
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
		wait_for_change("a lock");
}

void vlab_mutex_unlock(pthread_mutex_t *m)
{
	pthread_mutex_unlock(m);
	if (in_lockstep())
		changed();
}

void vlab_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	if (!in_lockstep()) {
		pthread_cond_wait(c, m);
		return;
	}
	/* the caller loops on its condition: one look per change */
	vlab_mutex_unlock(m);
	wait_for_change("a condition");
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
