/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Guest scenarios that run unchanged in two places: in the
 * simulator (against the simulated guest kernel's system calls) and in a
 * real Linux guest under QEMU (against the real ones).
 *
 * A scenario only opens, reads and closes device nodes, through the
 * struct scenario_sys it is given, and reports each check as one line:
 *
 *     VLAB-CHECK PASS rng: first read returns 64 bytes
 *     VLAB-CHECK FAIL rng: the two reads differ (...)
 *
 * The QEMU host script and the CUnit suites both count those lines, so a
 * check written once is checked in both runs.
 */
#ifndef VLAB_TESTS_SCENARIO_H
#define VLAB_TESTS_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>

/** The system calls a scenario may use. */
struct scenario_sys {
	/** open(2) of a device node: a descriptor or a negative errno */
	int (*open)(const char *path);
	/** read(2): bytes read or a negative errno */
	long (*read)(int fd, void *buf, size_t count);
	/** close(2): 0 or a negative errno */
	int (*close)(int fd);
};

/** Counts of one scenario run. */
struct scenario_result {
	unsigned int passed;	/**< checks that held */
	unsigned int failed;	/**< checks that did not */
};

/**
 * scenario_check() - record and print one check.
 * @param r the counts.
 * @param ok whether the check held.
 * @param fmt printf format of the check's name (and details on failure).
 */
void scenario_check(struct scenario_result *r, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * scenario_rng() - the entropy device scenario: two reads of 64 bytes
 * from /dev/vlab-rng; each returns 64 bytes, not all alike, and the two
 * differ.
 * @param sys the system calls.
 * @param r receives the counts.
 */
void scenario_rng(const struct scenario_sys *sys, struct scenario_result *r);

#endif /* VLAB_TESTS_SCENARIO_H */
