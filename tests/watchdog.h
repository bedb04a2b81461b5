/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief The test watchdog: every CUnit test of every suite runs under a
 * deadline (VLAB_TEST_TIMEOUT seconds, WATCHDOG_DEFAULT_S by default). A
 * test still running at its deadline ends the process with status 3 and
 * a report naming the test and where each thread waits.
 */
#ifndef VLAB_TESTS_WATCHDOG_H
#define VLAB_TESTS_WATCHDOG_H

/** A test's bound in seconds when VLAB_TEST_TIMEOUT does not say. */
#define WATCHDOG_DEFAULT_S 120

/**
 * watchdog_arm() - a test begins: start its clock (and the watchdog
 * thread, the first time).
 * @param suite the suite's name.
 * @param test the test's name.
 */
void watchdog_arm(const char *suite, const char *test);

/**
 * watchdog_disarm() - the test ended (its teardown included).
 */
void watchdog_disarm(void);

#endif /* VLAB_TESTS_WATCHDOG_H */
