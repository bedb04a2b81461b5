// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The entropy driver end to end: a guest program reads
 * /dev/vlab-rng0 through driver/vlab_rng.c and gets the seeded device's
 * exact stream.
 */
#include <errno.h>
#include <string.h>

#include "sim/device.h"
#include "tests/scenarios/program.h"
#include "sim/rng.h"
#include "sim/sched.h"
#include "sim/trace.h"
#include "tests/harness.h"
#include "tests/scenarios/scenario.h"
#include "virtio/shared/boundary.h"

/**
 * expect_stream() - the first @p n bytes a device seeded with @p seed
 * hands out.
 * @param seed the seed.
 * @param out receives the bytes.
 * @param n how many.
 */
static void expect_stream(uint64_t seed, uint8_t *out, size_t n)
{
	struct vlab_rng_source src;

	vlab_rng_source_init(&src, true, seed);
	vlab_rng_source_fill(&src, out, n);
}

/**
 * read_seeded() - boot, insmod, read @p n bytes, compare, shut down.
 * @param seed device seed.
 * @param n bytes to read (more than one 64-byte request when > 64).
 */
static void read_seeded(uint64_t seed, size_t n)
{
	static uint8_t got[4096], want[4096];
	struct vlab_device *dev = harness_boot_rng(seed, false);

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(guest_module_load("vlab_rng"), 0);
	memset(got, 0, sizeof(got));
	CU_ASSERT_EQUAL(vlab_prog_read_device(SCENARIO_RNG_NODE, got, n,
					      5000), 0);
	expect_stream(seed, want, n);
	CU_ASSERT_EQUAL(memcmp(got, want, n), 0);
	CU_ASSERT_EQUAL(dev->errors, 0);
	CU_ASSERT_EQUAL(guest_kernel_warnings(), 0);
	harness_shutdown();
}

/** 16 bytes: one request. */
static void test_one_request(void)
{
	read_seeded(7, 16);
}

/** 1000 bytes: 16 requests of up to 64 bytes, the stream stays in order. */
static void test_many_requests(void)
{
	read_seeded(12345, 1000);
}

/**
 * Every request is exactly one add, publish, kick, pop, used, get_buf;
 * the writes of the suppression fields are events too.
 * Whether the reader sleeps depends on the interleaving; when it does, one
 * wake ends each sleep. In lockstep, where the trace is the order things
 * happened in: in the free schedule the device thread may print its
 * "notify" before the guest thread, which wrote QueueNotify first, gets
 * to print its "kick".
 */
static void test_request_events(void)
{
	struct vlab_device *dev;
	uint8_t buf[200];
	static const int order[] = {
		VLAB_EV_DESC_ADD, VLAB_EV_AVAIL_PUBLISH, VLAB_EV_KICK,
		VLAB_EV_NOTIFY, VLAB_EV_POP, VLAB_EV_USED,
		VLAB_EV_USED_PUBLISH, VLAB_EV_IRQ, VLAB_EV_CALLBACK,
		VLAB_EV_GET_BUF,
	};
	const struct captured_event *ev;
	size_t n, i, k = 0, ring = 0;

	CU_ASSERT_EQUAL_FATAL(vlab_sched_lockstep(9), 0);
	dev = harness_boot_rng(9, false);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(guest_module_load("vlab_rng"), 0);
	harness_capture_start();
	CU_ASSERT_EQUAL(vlab_prog_read_device(SCENARIO_RNG_NODE, buf,
					      sizeof(buf), 5000), 0);
	harness_capture_stop();
	/* 200 bytes = 4 requests (64 + 64 + 64 + 8) */
	ev = harness_captured(&n);
	for (i = 0; i < n; i++) {
		/* sleeps and the suppression writes come where they may */
		if (ev[i].kind == VLAB_EV_SLEEP || ev[i].kind == VLAB_EV_WAKE ||
		    ev[i].kind == VLAB_EV_DRIVER_EVENT ||
		    ev[i].kind == VLAB_EV_DEVICE_EVENT)
			continue;
		CU_ASSERT_EQUAL(ev[i].kind, order[k]);
		k = (k + 1) % (sizeof(order) / sizeof(order[0]));
		ring++;
	}
	CU_ASSERT_EQUAL(ring, 4 * sizeof(order) / sizeof(order[0]));
	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_GET_BUF), 4);
	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_SLEEP),
			harness_count_kind(VLAB_EV_WAKE));
	/*
	 * The device re-enables kicks after each request (avail_event, or
	 * used.flags back to 0); with event idx on a split ring the driver
	 * moves used_event on after each buffer it takes back (a packed
	 * ring's driver, with callbacks on, keeps ENABLE and writes nothing).
	 */
	CU_ASSERT(harness_count_kind(VLAB_EV_DEVICE_EVENT) >= 4);
	if (harness_cfg()->event_idx && !harness_cfg()->packed)
		CU_ASSERT(harness_count_kind(VLAB_EV_DRIVER_EVENT) >= 4);
	harness_shutdown();
	vlab_sched_free();
}

/** Without a seed the bytes come from the host: two reads differ. */
static void test_unseeded_differs(void)
{
	struct vlab_rng_source src;
	struct vlab_device *dev;
	uint8_t a[64], b[64];

	vlab_rng_source_init(&src, false, 0);
	dev = harness_boot(&vlab_rng_model, &src, "rng0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(guest_module_load("vlab_rng"), 0);
	CU_ASSERT_EQUAL(vlab_prog_read_device(SCENARIO_RNG_NODE, a, 64,
					      5000), 0);
	CU_ASSERT_EQUAL(vlab_prog_read_device(SCENARIO_RNG_NODE, b, 64,
					      5000), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a, b, 64), 0);
	harness_shutdown();
}

/** The scenario the QEMU run checks too (tests/scenarios/rng.c). */
static void test_shared_scenario(void)
{
	struct scenario_result r = { 0, 0 };
	struct vlab_rng_source src;
	struct vlab_device *dev;

	vlab_rng_source_init(&src, false, 0);
	dev = harness_boot(&vlab_rng_model, &src, "rng0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(guest_module_load("vlab_rng"), 0);
	putchar('\n');
	scenario_rng(&vlab_prog_sys, &r, SCENARIO_RNG_NODE);
	CU_ASSERT_EQUAL(r.failed, 0);
	CU_ASSERT_EQUAL(r.passed, 6);
	harness_shutdown();
}

/**
 * main() - run the rng end-to-end suite.
 * @return 0 when every test passed.
 */
int main(void)
{
	static CU_TestInfo tests[] = {
		{ "one request: bytes equal the seeded device's", test_one_request },
		{ "1000 bytes over 16 requests, stream in order",
		  test_many_requests },
		{ "each request: add..get_buf, in order", test_request_events },
		{ "unseeded device: two reads differ", test_unseeded_differs },
		{ "shared scenario (also run in QEMU)", test_shared_scenario },
		CU_TEST_INFO_NULL,
	};

	return harness_run_matrix("rng end to end", tests);
}
