// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Device lifecycle (virtio 1.2 §3.1.1): the status steps in order,
 * a device that refuses FEATURES_OK, and remove().
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "sim/device.h"
#include "tests/scenarios/program.h"
#include "sim/trace.h"
#include "tests/harness.h"
#include "virtio/shared/boundary.h"

/**
 * status_of() - the device's Status register as the driver reads it.
 * @param dev the device.
 * @return the status.
 */
static uint32_t status_of(struct vlab_device *dev)
{
	return (uint32_t)vlab_mmio_device_read(dev, VIRTIO_MMIO_STATUS, 4);
}

/** Boot, insmod: reset, ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK. */
static void test_status_steps_in_order(void)
{
	static const uint32_t want[] = {
		0,
		VIRTIO_CONFIG_S_ACKNOWLEDGE,
		VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER,
		VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			VIRTIO_CONFIG_S_FEATURES_OK,
		VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK,
	};
	const struct captured_event *ev;
	size_t n, i, k = 0, features_written = 0, setup_at = 0, ok_at = 0;
	struct vlab_device *dev;

	harness_capture_start();
	dev = harness_boot_rng(1, false);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL(guest_module_load("vlab_rng"), 0);
	harness_capture_stop();

	ev = harness_captured(&n);
	for (i = 0; i < n; i++) {
		if (ev[i].kind == VLAB_EV_FEATURES_WRITE)
			features_written++;
		if (ev[i].kind == VLAB_EV_QUEUE_SETUP)
			setup_at = i;
		if (ev[i].kind != VLAB_EV_RESET && ev[i].kind != VLAB_EV_STATUS)
			continue;
		CU_ASSERT_FATAL(k < sizeof(want) / sizeof(want[0]));
		CU_ASSERT_EQUAL(ev[i].after, want[k]);
		if (ev[i].after & VIRTIO_CONFIG_S_FEATURES_OK && !ok_at) {
			/* §3.1.1 step 5: features are written before FEATURES_OK */
			CU_ASSERT_EQUAL(features_written, 2);
			ok_at = i;
		}
		if (ev[i].after & VIRTIO_CONFIG_S_DRIVER_OK) {
			/* step 7 before step 8: the queue is live before DRIVER_OK */
			CU_ASSERT(setup_at > ok_at);
			CU_ASSERT(setup_at < i);
		}
		k++;
	}
	CU_ASSERT_EQUAL(k, sizeof(want) / sizeof(want[0]));
	CU_ASSERT_EQUAL(status_of(dev), want[4]);
	/* VIRTIO_F_VERSION_1 was offered and accepted */
	CU_ASSERT(!!(dev->driver_features & (1ULL << VIRTIO_F_VERSION_1)));
	harness_shutdown();
}

/** A device that never accepts FEATURES_OK: probe fails, FAILED stays. */
static void test_features_ok_refused(void)
{
	struct vlab_device *dev = harness_boot_rng(1, true);
	uint32_t status;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	/* insmod itself succeeds: the driver registered, the probe failed */
	CU_ASSERT_EQUAL(guest_module_load("vlab_rng"), 0);
	status = status_of(dev);
	CU_ASSERT(status & VIRTIO_CONFIG_S_FAILED);
	CU_ASSERT_FALSE(status & VIRTIO_CONFIG_S_FEATURES_OK);
	CU_ASSERT_FALSE(status & VIRTIO_CONFIG_S_DRIVER_OK);
	CU_ASSERT_FALSE(dev->vqs[0].ready);
	CU_ASSERT(guest_dmesg_contains("device refuses features"));
	/* No driver is bound, so no device node exists */
	CU_ASSERT_EQUAL(guest_open(SCENARIO_RNG_NODE), -ENOENT);
	harness_shutdown();
}

/** rmmod: remove() resets the device and every byte it allocated is freed. */
static void test_remove_resets_and_frees(void)
{
	struct vlab_device *dev = harness_boot_rng(3, false);
	size_t before;
	uint8_t buf[100];

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	before = guest_mem_in_use();
	CU_ASSERT_EQUAL_FATAL(guest_module_load("vlab_rng"), 0);
	CU_ASSERT(guest_mem_in_use() > before);
	CU_ASSERT_TRUE(dev->vqs[0].ready);
	CU_ASSERT_EQUAL(vlab_prog_read_device(SCENARIO_RNG_NODE, buf,
					      sizeof(buf), 2000), 0);

	harness_capture_start();
	CU_ASSERT_EQUAL(guest_module_unload("vlab_rng"), 0);
	harness_capture_stop();

	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_RESET), 1);
	/* After the reset only ACKNOWLEDGE is set again: driver-less device */
	CU_ASSERT_EQUAL(status_of(dev), VIRTIO_CONFIG_S_ACKNOWLEDGE);
	CU_ASSERT_FALSE(dev->vqs[0].ready);
	/* The ring, the driver state and its buffer all went back */
	CU_ASSERT_EQUAL(guest_mem_in_use(), before);
	CU_ASSERT_EQUAL(guest_open(SCENARIO_RNG_NODE), -ENOENT);
	CU_ASSERT_EQUAL(guest_kernel_warnings(), 0);
	harness_shutdown();
}

/** A file kept open across remove() fails cleanly and frees on close. */
static void test_open_file_survives_remove(void)
{
	struct vlab_device *dev = harness_boot_rng(4, false);
	size_t before;
	uint8_t buf[8];
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	before = guest_mem_in_use();
	CU_ASSERT_EQUAL_FATAL(guest_module_load("vlab_rng"), 0);
	fd = guest_open(SCENARIO_RNG_NODE);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(guest_read(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	CU_ASSERT_EQUAL(guest_module_unload("vlab_rng"), 0);
	/* The device is gone: the read fails, nothing is touched */
	CU_ASSERT_EQUAL(guest_read(fd, buf, sizeof(buf)), -ENODEV);
	CU_ASSERT(guest_mem_in_use() > before);
	CU_ASSERT_EQUAL(guest_close(fd), 0);
	CU_ASSERT_EQUAL(guest_mem_in_use(), before);
	harness_shutdown();
}

/** R6: a device whose reset never completes: bounded wait, then error. */
static void test_reset_never_completes(void)
{
	struct vlab_device *dev = harness_boot_rng(6, false);
	struct timespec t0, t1;
	double secs;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(guest_module_load("vlab_rng"), 0);
	dev->faults.stuck_in_reset = true;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CU_ASSERT_EQUAL(guest_module_unload("vlab_rng"), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
		(double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	CU_ASSERT_TRUE(guest_dmesg_contains("did not complete reset"));
	/* The wait is bounded (about 100 ms), not forever */
	CU_ASSERT(secs < 5.0);
	/* The core noticed the device was not reset after remove() */
	CU_ASSERT(guest_kernel_warnings() >= 1);
	dev->faults.stuck_in_reset = false;
	harness_shutdown();
}

/**
 * main() - run the lifecycle suite.
 * @return 0 when every test passed.
 */
int main(void)
{
	static CU_TestInfo tests[] = {
		{ "status steps in order (§3.1.1)", test_status_steps_in_order },
		{ "device refuses FEATURES_OK: probe fails, FAILED set",
		  test_features_ok_refused },
		{ "remove resets the device and frees every queue",
		  test_remove_resets_and_frees },
		{ "an open file survives remove and frees on close",
		  test_open_file_survives_remove },
		{ "R6 reset that never completes: bounded wait, error",
		  test_reset_never_completes },
		CU_TEST_INFO_NULL,
	};

	return harness_run_suite("lifecycle", tests);
}
