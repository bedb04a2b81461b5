/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief What every CUnit suite shares: running one suite, building a
 * machine with one device, and capturing trace events to assert on.
 *
 * Plain C only, so both host-side suites and guest-side (kernel-style)
 * suites can include it.
 */
#ifndef VLAB_TESTS_HARNESS_H
#define VLAB_TESTS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "virtio/shared/trace_event.h"

#include "tests/scenarios/scenario.h"

/** One captured event (the fields tests look at). */
struct captured_event {
	int kind;		/**< enum vlab_event_kind */
	int queue;		/**< queue, or -1 */
	uint32_t before;	/**< index or register before */
	uint32_t after;		/**< index or register after */
	struct vlab_event ev;	/**< the event (its strings: see text) */
	char text[96];		/**< its first text value, if any */
};

/** One ring configuration a suite can run under. */
struct harness_cfg {
	const char *name;	/**< e.g. "split, indirect, event-idx" */
	bool packed;		/**< offer VIRTIO_F_RING_PACKED */
	bool indirect;		/**< offer VIRTIO_RING_F_INDIRECT_DESC */
	bool event_idx;		/**< offer VIRTIO_RING_F_EVENT_IDX */
};

/** The ring configurations of the full matrix. */
extern const struct harness_cfg harness_matrix[];
/** Entries in harness_matrix. */
extern const unsigned int harness_matrix_size;

/**
 * Name prefix of a test that applies to split rings only (R3: a packed
 * ring has no used index). harness_run_matrix() does not register it in
 * packed configurations and prints it as skipped: a test that cannot
 * fail is never counted as passed.
 */
#define HARNESS_SPLIT_ONLY "split only: "

/**
 * harness_run_matrix() - register @p tests once per configuration of the
 * matrix, each as a suite "name [configuration]", and run them all;
 * VLAB_CFG=prefix in the environment keeps only the configurations whose
 * name starts with it ("split", "packed": tests/mutants.sh runs a shared
 * check's mutant against each layout on its own).
 * @param name suite name.
 * @param tests the tests, ended by CU_TEST_INFO_NULL.
 * @return the process exit status: 0 when every test passed.
 */
int harness_run_matrix(const char *name, CU_TestInfo *tests);

/**
 * harness_cfg() - the configuration the running suite uses.
 * @return it (the first, "all features", outside harness_run_matrix()).
 */
const struct harness_cfg *harness_cfg(void);

/**
 * harness_set_cfg() - use another configuration for the next boot.
 * @param cfg the configuration (must outlive the boot).
 */
void harness_set_cfg(const struct harness_cfg *cfg);

/**
 * harness_run_suite() - register one suite, run it verbosely, print
 * CUnit's summary.
 * @param name suite name.
 * @param tests the tests, ended by CU_TEST_INFO_NULL.
 * @return the process exit status: 0 when every test passed.
 */
int harness_run_suite(const char *name, CU_TestInfo *tests);

/**
 * harness_capture_start() - record every trace event from now on.
 */
void harness_capture_start(void);

/**
 * harness_capture_stop() - stop recording (the events stay readable).
 */
void harness_capture_stop(void);

/**
 * harness_captured() - the recorded events.
 * @param count receives how many.
 * @return the array (valid until the next start).
 */
const struct captured_event *harness_captured(size_t *count);

/**
 * harness_count_kind() - how many recorded events are of @p kind.
 * @param kind an enum vlab_event_kind.
 * @return the count.
 */
size_t harness_count_kind(int kind);

/**
 * harness_boot() - build and boot a machine with one device.
 * @param model the device type (a const struct vlab_device_model *).
 * @param priv the model's state.
 * @param name the device's name.
 * @return the device (a struct vlab_device *), or NULL.
 */
void *harness_boot(const void *model, void *priv, const char *name);

/** One device of harness_boot_many(). */
struct harness_dev {
	const void *model;	/**< its type (const struct vlab_device_model *) */
	void *priv;		/**< the model's state */
	const char *name;	/**< its name, e.g. "rng1" */
};

/**
 * harness_boot_many() - build and boot a machine with several devices,
 * each on its own virtio-mmio window, in the order given (the guest
 * probes them in that order).
 * @param devs the devices.
 * @param n how many (at most 8).
 * @param out receives each struct vlab_device *.
 * @return true when the machine runs.
 */
bool harness_boot_many(const struct harness_dev *devs, unsigned int n,
		       void **out);

/**
 * harness_boot_rng() - a machine with a seeded entropy device.
 * @param seed the device's seed.
 * @param refuse_features_ok inject RELIABILITY R5's fault.
 * @return the device, or NULL.
 */
void *harness_boot_rng(uint64_t seed, bool refuse_features_ok);

/**
 * harness_set_ram() - RAM size of the next machine (0: the default).
 * @param bytes the size, a multiple of 4096.
 */
void harness_set_ram(uint64_t bytes);

/**
 * harness_shutdown() - shut the machine down and free it. Also runs
 * after every test, so a test stopped by a failed fatal assertion does
 * not leave its machine to the next one.
 */
void harness_shutdown(void);

/**
 * harness_wait() - poll @p cond until it holds or two seconds pass.
 * @param cond the condition.
 * @param arg its argument.
 * @return true when it held.
 */
bool harness_wait(bool (*cond)(void *arg), void *arg);

/**
 * harness_wait_value() - poll a counter until it reaches @p want (up to
 * two seconds).
 * @param counter the counter (read with acquire: what the writer did
 * before a release increment is visible once the count is seen).
 * @param want the value.
 * @return true when it got there.
 */
bool harness_wait_value(const unsigned long *counter, unsigned long want);

/**
 * harness_dev_errors() - the device's count of broken rules, read
 * atomically (the device thread writes it).
 * @param dev a struct vlab_device *.
 * @return the count.
 */
unsigned long harness_dev_errors(void *dev);

/**
 * harness_dev_has_error() - harness_wait() condition: the device has
 * reported at least one broken rule.
 * @param dev a struct vlab_device *.
 * @return true once it has.
 */
bool harness_dev_has_error(void *dev);

#endif /* VLAB_TESTS_HARNESS_H */
