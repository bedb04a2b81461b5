// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The console device and driver/vlab_console.c, over the
 * ring-feature matrix: the shared echo scenario, loopback through both
 * queues, input with no reader, output with no reader on the host,
 * blocking reads, signals, configuration changes and unplug.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/console.h"
#include "sim/device.h"
#include "tests/scenarios/program.h"
#include "sim/trace.h"
#include "tests/harness.h"
#include "virtio/shared/boundary.h"

/** The device's state, as the simulator keeps it. */
static struct vlab_console_dev con;
/** The device. */
static struct vlab_device *con_dev;

/**
 * boot_console() - a machine with a console device and its driver.
 * @param o what it offers.
 * @param input bytes the host sends before the guest boots, or NULL.
 * @return true when the driver is bound.
 */
static bool boot_console(const struct vlab_console_opts *o,
			 const char *input)
{
	if (vlab_console_init(&con, o))
		return false;
	if (input && vlab_console_host_write(NULL, &con, input,
					     strlen(input)))
		return false;
	con_dev = harness_boot(&con.model, &con, "console0");
	if (con_dev && guest_module_load("vlab_console")) {
		harness_shutdown();
		con_dev = NULL;
	}
	if (!con_dev)
		vlab_console_fini(&con);
	return con_dev != NULL;
}

/**
 * shut() - shut the machine down and free the console state.
 */
static void shut(void)
{
	harness_shutdown();
	vlab_console_fini(&con);
	con_dev = NULL;
}

/**
 * stat_of() - a device counter, read atomically.
 * @param counter the counter.
 * @return its value.
 */
static unsigned long stat_of(const unsigned long *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

/**
 * read_exactly() - read @p n bytes from the console.
 * @param fd the open console.
 * @param buf destination.
 * @param n byte count.
 * @return 0 or the negative errno of the failed read.
 */
static int read_exactly(int fd, char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = guest_read(fd, buf + got, n - got);
		if (r <= 0)
			return r < 0 ? (int)r : -EIO;
		got += (size_t)r;
	}
	return 0;
}

/** The scenario the QEMU run checks too: the host's lines echoed. */
static void test_shared_scenario(void)
{
	struct vlab_console_opts o = { 0 };
	struct scenario_result r = { 0, 0 };
	char want[512], got[512];
	size_t len, n;

	CU_ASSERT_FATAL(boot_console(&o, SCENARIO_CONSOLE_INPUT));
	scenario_console(&vlab_prog_sys, &r, SCENARIO_CONSOLE_NODE);
	CU_ASSERT_EQUAL(r.failed, 0);
	CU_ASSERT_EQUAL(r.passed, 2 + SCENARIO_CONSOLE_LINES + 1);
	vlab_device_wait_idle(con_dev);
	len = scenario_console_expected(want, sizeof(want));
	n = vlab_console_output(&con, got, sizeof(got));
	CU_ASSERT_EQUAL(n, len);
	CU_ASSERT_EQUAL(memcmp(got, want, len), 0);
	CU_ASSERT_EQUAL(harness_dev_errors(con_dev), 0);
	CU_ASSERT_EQUAL(guest_kernel_warnings(), 0);
	shut();
}

/**
 * Loopback: 10000 bytes out on transmitq0 and back on receiveq0, more
 * than the 16 x 256 bytes of receive buffers: they must be posted again
 * as they are read, and the device must wait for them, losing nothing.
 */
static void test_loopback(void)
{
	struct vlab_console_opts o = { .loopback = true };
	static char out[10000], in[10000];
	size_t i;
	int fd;

	for (i = 0; i < sizeof(out); i++)
		out[i] = (char)('a' + i % 26);
	CU_ASSERT_FATAL(boot_console(&o, NULL));
	fd = guest_open(SCENARIO_CONSOLE_NODE);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(guest_write(fd, out, sizeof(out)),
			(ssize_t)sizeof(out));
	CU_ASSERT_EQUAL(read_exactly(fd, in, sizeof(in)), 0);
	CU_ASSERT_EQUAL(memcmp(in, out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(guest_close(fd), 0);
	vlab_device_wait_idle(con_dev);
	CU_ASSERT_EQUAL(stat_of(&con.stats.tx_bytes), sizeof(out));
	CU_ASSERT_EQUAL(stat_of(&con.stats.rx_bytes), sizeof(out));
	/* 10000 bytes in 256-byte buffers: at least 40 receive buffers */
	CU_ASSERT(stat_of(&con.stats.rx_bufs) >= 40);
	CU_ASSERT_EQUAL(stat_of(&con.stats.tx_bufs), 40);
	shut();
}

/**
 * No reader in the guest: the host's 6000 bytes fill every posted
 * buffer, the rest waits in the device; a reader that comes later gets
 * all of it, in order.
 */
static void test_input_without_reader(void)
{
	struct vlab_console_opts o = { 0 };
	static char text[6001], got[6000];
	size_t i;
	int fd;

	for (i = 0; i < 6000; i++)
		text[i] = (char)('0' + i % 10);
	CU_ASSERT_FATAL(boot_console(&o, text));
	vlab_device_wait_idle(con_dev);
	/* 16 buffers of 256 bytes are full; 6000 - 4096 bytes wait */
	CU_ASSERT_EQUAL(vlab_console_pending_input(&con), 6000 - 16 * 256);
	fd = guest_open(SCENARIO_CONSOLE_NODE);
	CU_ASSERT_EQUAL(read_exactly(fd, got, sizeof(got)), 0);
	CU_ASSERT_EQUAL(memcmp(got, text, sizeof(got)), 0);
	CU_ASSERT_EQUAL(vlab_console_pending_input(&con), 0);
	CU_ASSERT_EQUAL(guest_close(fd), 0);
	shut();
}

/** No reader on the host end: writes succeed, the bytes are dropped. */
static void test_output_without_reader(void)
{
	struct vlab_console_opts o = { .discard = true };
	char buf[1000];
	int fd;

	memset(buf, 'x', sizeof(buf));
	CU_ASSERT_FATAL(boot_console(&o, NULL));
	fd = guest_open(SCENARIO_CONSOLE_NODE);
	CU_ASSERT_EQUAL(guest_write(fd, buf, sizeof(buf)), 1000);
	CU_ASSERT_EQUAL(guest_close(fd), 0);
	vlab_device_wait_idle(con_dev);
	CU_ASSERT_EQUAL(stat_of(&con.stats.dropped), 1000);
	CU_ASSERT_EQUAL(vlab_console_output(&con, buf, 0), 0);
	CU_ASSERT_EQUAL(harness_dev_errors(con_dev), 0);
	shut();
}

/** Set once the late writer has sent its bytes. */
static int late_sent;

/**
 * late_writer() - the host types 50 ms after the guest started reading.
 * @param arg unused.
 * @return NULL.
 */
static void *late_writer(void *arg)
{
	(void)arg;
	usleep(50000);
	__atomic_store_n(&late_sent, 1, __ATOMIC_RELEASE);
	vlab_console_host_write(con_dev, &con, "late\n", 5);
	return NULL;
}

/**
 * woken() - whether a wake-up event has been captured.
 * @param arg unused.
 * @return true once one has.
 */
static bool woken(void *arg)
{
	(void)arg;
	return harness_count_kind(VLAB_EV_WAKE) >= 1;
}

/** read() sleeps until the host sends something, then returns it. */
static void test_read_blocks(void)
{
	struct vlab_console_opts o = { 0 };
	pthread_t t;
	char buf[16];
	ssize_t n;
	int fd;

	CU_ASSERT_FATAL(boot_console(&o, NULL));
	fd = guest_open(SCENARIO_CONSOLE_NODE);
	__atomic_store_n(&late_sent, 0, __ATOMIC_RELEASE);
	harness_capture_start();
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, late_writer, NULL), 0);
	n = guest_read(fd, buf, sizeof(buf));
	/* the waker traces its wake-up once it has let go of the queue */
	CU_ASSERT_TRUE(harness_wait(woken, NULL));
	harness_capture_stop();
	CU_ASSERT_EQUAL(__atomic_load_n(&late_sent, __ATOMIC_ACQUIRE), 1);
	CU_ASSERT_EQUAL(n, 5);
	CU_ASSERT_EQUAL(memcmp(buf, "late\n", 5), 0);
	/* the reader slept and was woken */
	CU_ASSERT(harness_count_kind(VLAB_EV_SLEEP) >= 1);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(guest_close(fd), 0);
	shut();
}

/**
 * read_one() - a guest program: read once from the console.
 * @param arg a char[16] buffer.
 * @return 0 or the read's negative errno.
 */
static int read_one(void *arg)
{
	ssize_t n;
	int fd = guest_open(SCENARIO_CONSOLE_NODE);

	if (fd < 0)
		return fd;
	n = guest_read(fd, arg, 16);
	guest_close(fd);
	return n < 0 ? (int)n : 0;
}

/** A signal ends a read that waits forever; the console still works. */
static void test_read_interrupted(void)
{
	struct vlab_console_opts o = { 0 };
	char buf[16];

	CU_ASSERT_FATAL(boot_console(&o, NULL));
	CU_ASSERT_EQUAL(vlab_prog_run(read_one, buf, 100), -ETIMEDOUT);
	CU_ASSERT_EQUAL(vlab_console_host_write(con_dev, &con, "ok\n", 3), 0);
	CU_ASSERT_EQUAL(vlab_prog_run(read_one, buf, 2000), 0);
	CU_ASSERT_EQUAL(memcmp(buf, "ok\n", 3), 0);
	CU_ASSERT_EQUAL(guest_kernel_warnings(), 0);
	shut();
}

/** F_SIZE: the size at probe, and again after the host resizes. */
static void test_size(void)
{
	struct vlab_console_opts o = { .size = true, .cols = 80, .rows = 25,
				       .loopback = true };
	char buf[4];
	int fd;

	CU_ASSERT_FATAL(boot_console(&o, NULL));
	CU_ASSERT_TRUE(guest_dmesg_contains("vlab-console: size 80x25"));
	vlab_console_resize(con_dev, 132, 43);
	vlab_device_wait_idle(con_dev);
	usleep(20000);	/* the config interrupt reaches the driver */
	fd = guest_open(SCENARIO_CONSOLE_NODE);
	CU_ASSERT_EQUAL(guest_write(fd, "hi\n", 3), 3);
	CU_ASSERT_EQUAL(read_exactly(fd, buf, 3), 0);
	CU_ASSERT_EQUAL(guest_close(fd), 0);
	CU_ASSERT_TRUE(guest_dmesg_contains("vlab-console: size 132x43"));
	shut();
}

/** What the reader of test_unplug_wakes_reader() got. */
static ssize_t unplug_ret;

/**
 * unplug_reader() - a guest program that reads a console nobody writes.
 * @param arg the open descriptor.
 * @return NULL.
 */
static void *unplug_reader(void *arg)
{
	char buf[8];

	unplug_ret = guest_read(*(int *)arg, buf, sizeof(buf));
	return NULL;
}

/** rmmod while a reader sleeps: it wakes with ENODEV. */
static void test_unplug_wakes_reader(void)
{
	struct vlab_console_opts o = { 0 };
	pthread_t t;
	int fd;

	CU_ASSERT_FATAL(boot_console(&o, NULL));
	fd = guest_open(SCENARIO_CONSOLE_NODE);
	unplug_ret = 0;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, unplug_reader, &fd), 0);
	usleep(30000);
	CU_ASSERT_EQUAL(guest_module_unload("vlab_console"), 0);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(unplug_ret, -ENODEV);
	/* the open file still works as a file: calls fail cleanly */
	CU_ASSERT_EQUAL(guest_write(fd, "x", 1), -ENODEV);
	CU_ASSERT_EQUAL(guest_close(fd), 0);
	CU_ASSERT_EQUAL(guest_kernel_warnings(), 0);
	shut();
}

/**
 * main() - run the console suite over the ring-feature matrix.
 * @return 0 when every test passed.
 */
int main(void)
{
	static CU_TestInfo tests[] = {
		{ "shared scenario (also run in QEMU): lines echoed",
		  test_shared_scenario },
		{ "loopback: 10000 bytes out and back", test_loopback },
		{ "no reader in the guest: input waits, nothing lost",
		  test_input_without_reader },
		{ "no reader on the host: output dropped, writes succeed",
		  test_output_without_reader },
		{ "read() sleeps until input arrives", test_read_blocks },
		{ "a signal ends a waiting read", test_read_interrupted },
		{ "F_SIZE: size at probe and after a resize", test_size },
		{ "rmmod wakes a sleeping reader with ENODEV",
		  test_unplug_wakes_reader },
		CU_TEST_INFO_NULL,
	};

	return harness_run_matrix("console", tests);
}
