/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Guest programs: what a user would run inside the guest, written
 * against the guest's system calls (open/read/close on /dev nodes).
 *
 * The CLI and the tests run the same programs, so a test checks exactly
 * what a learner sees.
 */
#ifndef VLAB_TESTS_PROGRAM_H
#define VLAB_TESTS_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "tests/scenarios/scenario.h"

/** The body of a guest program: returns 0 or a negative errno. */
typedef int (*vlab_prog_fn)(void *arg);

/**
 * vlab_prog_run() - run a guest program under a watchdog: when it runs
 * longer than @p timeout_ms, a fatal signal ends its sleeps (they return
 * -ERESTARTSYS) so it can finish.
 * @param body the program.
 * @param arg its argument.
 * @param timeout_ms watchdog, in milliseconds; 0 for none (the stepper).
 * @return what @p body returned, or -ETIMEDOUT when the watchdog fired
 * and @p body failed.
 */
int vlab_prog_run(vlab_prog_fn body, void *arg, unsigned int timeout_ms);

/** What vlab_prog_read_all() reads. */
struct vlab_prog_read {
	const char *path;	/**< device node, e.g. "/dev/vlab-rng0" */
	uint8_t *buf;		/**< destination */
	size_t n;		/**< bytes wanted */
};

/**
 * vlab_prog_read_all() - a guest program body for vlab_prog_run(): open
 * the node, read() until every byte is in, close.
 * @param arg struct vlab_prog_read.
 * @return 0, or the negative errno of the failed system call (-EIO when
 * a read returned 0 bytes).
 */
int vlab_prog_read_all(void *arg);

/**
 * vlab_prog_read_device() - open @p path, read exactly @p n bytes with as
 * many read() calls as it takes, close it. A watchdog kills the program
 * (its sleeps return -ERESTARTSYS) when it runs longer than @p timeout_ms.
 * @param path e.g. "/dev/vlab-rng0".
 * @param buf receives the bytes.
 * @param n byte count.
 * @param timeout_ms watchdog, in milliseconds; 0 for none (the stepper).
 * @return 0, or the negative errno of the failed system call (-ETIMEDOUT
 * when the watchdog fired, -EIO when a read returned 0 bytes).
 */
int vlab_prog_read_device(const char *path, uint8_t *buf, size_t n,
			  unsigned int timeout_ms);

/**
 * The system calls of the simulated guest, for the shared scenarios of
 * tests/scenarios (the QEMU guest gives them the real ones, posix.c).
 */
extern const struct scenario_sys vlab_prog_sys;

#endif /* VLAB_TESTS_PROGRAM_H */
