// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The test watchdog (RELIABILITY L2 for the suites themselves): a
 * test that does not finish within its bound fails the run, and the
 * report says where every thread of the process waits, so a hang is a
 * failure with a place, never a CI job that times out silently.
 *
 * Each thread's stack is taken in a signal handler (backtrace()), then
 * named with addr2line (binutils comes with gcc): function, file and line.
 */
#include "tests/watchdog.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/** Frames taken per thread. */
#define WD_FRAMES 24

/** The watchdog's state (one per process). */
static struct {
	pthread_mutex_t lock;	/**< protects the fields below */
	pthread_cond_t cond;	/**< a test began or ended */
	bool started;		/**< the watchdog thread runs */
	bool armed;		/**< a test runs */
	unsigned long gen;	/**< which test: bumped at each arm */
	struct timespec deadline; /**< when the running test fails */
	char test[160];		/**< its name, for the report */
	void *frames[WD_FRAMES]; /**< the stack the handler took */
	int nframes;		/**< frames in it */
	sem_t taken;		/**< the handler took them */
} wd = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

/**
 * take_stack() - the signal handler: record where this thread is. Not
 * instrumented by ThreadSanitizer, which cannot see that sem_post() here
 * orders these writes before the watchdog's reads; errno is kept.
 * @param sig unused.
 */
__attribute__((no_sanitize("thread")))
static void take_stack(int sig)
{
	int saved = errno;

	(void)sig;
	wd.nframes = backtrace(wd.frames, WD_FRAMES);
	sem_post(&wd.taken);
	errno = saved;
}

/**
 * print_frames() - name each frame, in order: with addr2line (function,
 * file, line) when it lies in the executable, else with the library and
 * symbol dladdr() finds.
 */
static void print_frames(void)
{
	char cmd[128], line[512];
	Dl_info info;
	FILE *p;
	int i;

	for (i = 0; i < wd.nframes; i++) {
		uintptr_t a = (uintptr_t)wd.frames[i];

		if (!dladdr(wd.frames[i], &info) || !info.dli_fname ||
		    strstr(info.dli_fname, ".so")) {
			fprintf(stderr, "      %s (%s)\n",
				info.dli_sname ? info.dli_sname : "?",
				info.dli_fname ? info.dli_fname : "?");
			continue;
		}
		/* a return address: the call is the byte before */
		snprintf(cmd, sizeof(cmd),
			 "addr2line -f -p -C -e /proc/%d/exe %#lx", (int)getpid(),
			 (unsigned long)(a - (uintptr_t)info.dli_fbase - 1));
		p = popen(cmd, "r");
		while (p && fgets(line, sizeof(line), p))
			fprintf(stderr, "      %s", line);
		if (p)
			pclose(p);
	}
}

/**
 * report() - say which test hung and where every other thread waits.
 * @param self the watchdog thread's id, left out.
 */
static void report(pid_t self)
{
	struct timespec ts;
	struct dirent *de;
	char path[64], comm[32];
	DIR *dir;
	FILE *f;
	pid_t tid;

	fprintf(stderr, "\nWATCHDOG: test \"%s\" did not finish in time; where each thread waits:\n",
		wd.test);
	sem_init(&wd.taken, 0, 0);
	signal(SIGUSR2, take_stack);
	dir = opendir("/proc/self/task");
	while (dir && (de = readdir(dir))) {
		tid = (pid_t)atoi(de->d_name);
		if (tid <= 0 || tid == self)
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%d/comm", tid);
		comm[0] = 0;
		f = fopen(path, "r");
		if (f) {
			if (!fgets(comm, sizeof(comm), f))
				comm[0] = 0;
			comm[strcspn(comm, "\n")] = 0;
			fclose(f);
		}
		fprintf(stderr, "  thread %d (%s)%s:\n", tid, comm,
			tid == getpid() ? ", the test" : "");
		wd.nframes = 0;
		if (syscall(SYS_tgkill, getpid(), tid, SIGUSR2))
			continue;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		if (sem_timedwait(&wd.taken, &ts)) {
			fprintf(stderr, "      (its stack could not be taken)\n");
			continue;
		}
		print_frames();
	}
	if (dir)
		closedir(dir);
}

/**
 * watchdog_main() - wait for each armed test's deadline; fail the run
 * when one passes while the same test still runs.
 * @param arg unused.
 * @return never, when a test hangs; else runs for the process's life.
 */
static void *watchdog_main(void *arg)
{
	unsigned long gen;
	int err;

	(void)arg;
	pthread_mutex_lock(&wd.lock);
	for (;;) {
		while (!wd.armed)
			pthread_cond_wait(&wd.cond, &wd.lock);
		gen = wd.gen;
		err = 0;
		while (wd.armed && wd.gen == gen && err != ETIMEDOUT)
			err = pthread_cond_timedwait(&wd.cond, &wd.lock,
						     &wd.deadline);
		if (wd.armed && wd.gen == gen && err == ETIMEDOUT)
			break;
	}
	report((pid_t)syscall(SYS_gettid));
	fprintf(stderr, "WATCHDOG: \"%s\" FAILED: it hangs (bound %s s, VLAB_TEST_TIMEOUT)\n",
		wd.test, getenv("VLAB_TEST_TIMEOUT") ?
		getenv("VLAB_TEST_TIMEOUT") : "default");
	fflush(NULL);
	_Exit(3);
}

void watchdog_arm(const char *suite, const char *test)
{
	const char *env = getenv("VLAB_TEST_TIMEOUT");
	long s = env ? strtol(env, NULL, 10) : WATCHDOG_DEFAULT_S;
	pthread_t t;
	void *frames[1];

	pthread_mutex_lock(&wd.lock);
	if (!wd.started) {
		/* load what backtrace() needs now, not in a signal handler */
		backtrace(frames, 1);
		if (!pthread_create(&t, NULL, watchdog_main, NULL)) {
			pthread_detach(t);
			wd.started = true;
		}
	}
	snprintf(wd.test, sizeof(wd.test), "%s: %s", suite ? suite : "?",
		 test ? test : "?");
	clock_gettime(CLOCK_REALTIME, &wd.deadline);
	wd.deadline.tv_sec += s > 0 ? s : WATCHDOG_DEFAULT_S;
	wd.gen++;
	wd.armed = true;
	pthread_cond_broadcast(&wd.cond);
	pthread_mutex_unlock(&wd.lock);
}

void watchdog_disarm(void)
{
	pthread_mutex_lock(&wd.lock);
	wd.armed = false;
	pthread_cond_broadcast(&wd.cond);
	pthread_mutex_unlock(&wd.lock);
}
