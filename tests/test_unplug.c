// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief What a real kernel does to a driver besides calling it
 * (RELIABILITY R9): the device unbound or hot-unplugged while a file is
 * open, a reader killed while it waits, a second device of the same kind.
 *
 * Each test reproduces one failure the drivers once had in a QEMU guest
 * with slub_debug (issue 11): fsync() and lseek() reaching a removed
 * device, a killed entropy reader leaving its buffer posted, a killed
 * block request failing the next caller's with EIO, and a fixed node name
 * that made the second device's probe fail. The simulator's device can be
 * stalled (vlab_device_set_stall(), a rate-limited device) so that a
 * reader is certainly asleep when it is killed, and unplugged
 * (guest_remove_virtio_mmio(), QEMU's device_del), after which the guest
 * frees the device and its memory reads 0x6b.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "sim/blk.h"
#include "sim/console.h"
#include "sim/device.h"
#include "sim/rng.h"
#include "tests/harness.h"
#include "tests/scenarios/scenario.h"
#include "virtio/shared/boundary.h"

/** What a killed sleep returns: Linux's ERESTARTSYS (a kernel-only errno). */
#define KILLED (-512)
/** Killed reads of test_rng_killed_readers(): more than the queue holds. */
#define KILLED_READS 80

/** The two block devices' state (outlives a test stopped by a fatal
 * assertion: the harness shuts the machine down after it). */
static struct vlab_blk_dev blks[2];
/** The two console devices' state, likewise. */
static struct vlab_console_dev cons[2];
/** The two entropy devices' byte sources, likewise. */
static struct vlab_rng_source srcs[2];

/**
 * status_of() - the device's Status register as the driver reads it.
 * @param dev the device.
 * @return the status.
 */
static uint32_t status_of(struct vlab_device *dev)
{
	return (uint32_t)vlab_mmio_device_read(dev, VIRTIO_MMIO_STATUS, 4);
}

/**
 * boot_blk() - a machine with one block device (1 MiB in memory, FLUSH
 * offered) and vlab_blk loaded.
 * @return the device, or NULL.
 */
static struct vlab_device *boot_blk(void)
{
	struct vlab_blk_opts o = { .flush = true };
	struct vlab_device *dev;
	char err[128];

	if (vlab_blk_init(&blks[0], &o, err, sizeof(err)))
		return NULL;
	dev = harness_boot(&blks[0].model, &blks[0], "blk0");
	if (dev && guest_module_load("vlab_blk")) {
		harness_shutdown();
		dev = NULL;
	}
	if (!dev)
		vlab_blk_fini(&blks[0]);
	return dev;
}

/**
 * shut_blk() - shut the machine down and free the disk.
 */
static void shut_blk(void)
{
	harness_shutdown();
	vlab_blk_fini(&blks[0]);
}

/** Bug 1, unbind: fsync() on a file whose device lost its driver. */
static void test_fsync_after_rmmod(void)
{
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(boot_blk());
	fd = guest_open(SCENARIO_BLK_NODE);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(guest_fsync(fd), 0);
	CU_ASSERT_EQUAL(guest_module_unload("vlab_blk"), 0);
	/* no feature lookup on a device without a driver (Linux: oops) */
	CU_ASSERT_EQUAL(guest_fsync(fd), -ENODEV);
	CU_ASSERT_EQUAL(guest_kernel_warnings(), 0);
	CU_ASSERT_EQUAL(guest_close(fd), 0);
	shut_blk();
}

/** Bug 1, hot-unplug: fsync() on a file whose device was freed. */
static void test_fsync_after_unplug(void)
{
	struct vlab_device *dev = boot_blk();
	size_t before;
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	fd = guest_open(SCENARIO_BLK_NODE);
	CU_ASSERT_FATAL(fd >= 0);
	before = guest_mem_in_use();
	CU_ASSERT_EQUAL(guest_remove_virtio_mmio(dev->mmio_base), 0);
	/* the device is gone and freed (poisoned): nothing may read it */
	CU_ASSERT(guest_mem_in_use() < before);
	CU_ASSERT_EQUAL(guest_fsync(fd), -ENODEV);
	CU_ASSERT_EQUAL(guest_open(SCENARIO_BLK_NODE), -ENOENT);
	CU_ASSERT_EQUAL(guest_kernel_warnings(), 0);
	CU_ASSERT_EQUAL(guest_close(fd), 0);
	shut_blk();
}

/**
 * config_irq_taken() - harness_wait() condition: the guest has taken
 * (acknowledged) the configuration-change interrupt.
 * @param arg the device.
 * @return true once InterruptStatus no longer shows it.
 */
static bool config_irq_taken(void *arg)
{
	struct vlab_device *dev = arg;
	uint32_t isr;

	isr = (uint32_t)vlab_mmio_device_read(dev,
					      VIRTIO_MMIO_INTERRUPT_STATUS, 4);
	return !(isr & VIRTIO_MMIO_INT_CONFIG);
}

/**
 * Bug 2: a capacity change the driver has not read yet, then
 * hot-unplug, then lseek(SEEK_END) on a file still open.
 */
static void test_lseek_after_unplug(void)
{
	struct vlab_device *dev = boot_blk();
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	fd = guest_open(SCENARIO_BLK_NODE);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(guest_lseek(fd, 0, SEEK_END), 1024 * 1024);
	/* block_resize: the driver reads the capacity again on next use */
	CU_ASSERT_EQUAL(vlab_blk_set_capacity(dev, &blks[0], 1024), 0);
	CU_ASSERT_TRUE(harness_wait(config_irq_taken, dev));
	usleep(20000);	/* the handler has run config_changed */
	CU_ASSERT_EQUAL(guest_remove_virtio_mmio(dev->mmio_base), 0);
	CU_ASSERT_EQUAL(guest_lseek(fd, 0, SEEK_END), -ENODEV);
	CU_ASSERT_EQUAL(guest_lseek(fd, 0, SEEK_SET), -ENODEV);
	CU_ASSERT_EQUAL(guest_kernel_warnings(), 0);
	CU_ASSERT_EQUAL(guest_close(fd), 0);
	shut_blk();
}

/**
 * Bug 3: readers killed while they wait on a slow entropy device. One
 * request stays posted and is reused: no reader gets ENOSPC, and once
 * the device answers, the next reader gets the bytes of that request,
 * which are the first of the seeded stream.
 */
static void test_rng_killed_readers(void)
{
	struct vlab_device *dev = harness_boot_rng(21, false);
	struct vlab_rng_source src;
	uint8_t want[80], got[80];
	size_t before;
	ssize_t r;
	int fd, i, killed = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	before = guest_mem_in_use();
	CU_ASSERT_EQUAL_FATAL(guest_module_load("vlab_rng"), 0);
	fd = guest_open(SCENARIO_RNG_NODE);
	CU_ASSERT_FATAL(fd >= 0);

	vlab_device_set_stall(dev, true);
	guest_kill(true);
	for (i = 0; i < KILLED_READS; i++) {
		r = guest_read(fd, got, 16);
		if (r != KILLED && killed == i)
			printf("\n  killed read %d returned %zd\n", i, r);
		killed += r == KILLED;
	}
	CU_ASSERT_EQUAL(killed, KILLED_READS);
	guest_kill(false);
	vlab_device_set_stall(dev, false);

	/* the one request posted comes back to the next reader */
	vlab_rng_source_init(&src, true, 21);
	vlab_rng_source_fill(&src, want, sizeof(want));
	memset(got, 0, sizeof(got));
	CU_ASSERT_EQUAL(guest_read(fd, got, 16), 16);
	CU_ASSERT_EQUAL(memcmp(got, want, 16), 0);
	/* and the stream goes on in order */
	r = guest_read(fd, got + 16, 64);
	if (r != 64)
		printf("\n  the read after returned %zd\n", r);
	CU_ASSERT_EQUAL(r, 64);
	CU_ASSERT_EQUAL(memcmp(got + 16, want + 16, 64), 0);
	CU_ASSERT_EQUAL(dev->errors, 0);
	CU_ASSERT_EQUAL(guest_close(fd), 0);
	CU_ASSERT_EQUAL(guest_module_unload("vlab_rng"), 0);
	CU_ASSERT_EQUAL(guest_mem_in_use(), before);
	CU_ASSERT_EQUAL(guest_kernel_warnings(), 0);
	harness_shutdown();
}

/** What the second caller of test_blk_killed_request() got. */
static ssize_t second_ret;

/**
 * second_writer() - another process writes sector 8 while the killed
 * request is still with the device.
 * @param arg the descriptor.
 * @return NULL.
 */
static void *second_writer(void *arg)
{
	uint8_t buf[512];

	memset(buf, 0xbb, sizeof(buf));
	__atomic_store_n(&second_ret,
			 guest_pwrite(*(int *)arg, buf, sizeof(buf), 4096),
			 __ATOMIC_RELEASE);
	return NULL;
}

/**
 * writer_sleeps() - harness_wait() condition: a guest thread went to
 * sleep since the capture started (the second writer, waiting for the
 * killed request).
 * @param arg unused.
 * @return true once a sleep event was captured.
 */
static bool writer_sleeps(void *arg)
{
	(void)arg;
	return harness_count_kind(VLAB_EV_SLEEP) > 0;
}

/**
 * Bug 4: a write killed while the device holds it; another process's
 * write then waits for it, and both writes land whole.
 */
static void test_blk_killed_request(void)
{
	struct vlab_device *dev = boot_blk();
	uint8_t a[512], disk[512];
	pthread_t t;
	int fd, fd2;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	fd = guest_open(SCENARIO_BLK_NODE);
	fd2 = guest_open(SCENARIO_BLK_NODE);
	CU_ASSERT_FATAL(fd >= 0 && fd2 >= 0);
	memset(a, 0xaa, sizeof(a));

	vlab_device_set_stall(dev, true);
	guest_kill(true);
	CU_ASSERT_EQUAL(guest_pwrite(fd, a, sizeof(a), 0), KILLED);
	guest_kill(false);

	second_ret = 1;
	harness_capture_start();
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, second_writer, &fd2),
			      0);
	/* the second writer reached its sleep: it waits for the first */
	CU_ASSERT_TRUE(harness_wait(writer_sleeps, NULL));
	usleep(20000);
	/* still waiting for the first request, not failed with EIO */
	CU_ASSERT_EQUAL(__atomic_load_n(&second_ret, __ATOMIC_ACQUIRE), 1);
	harness_capture_stop();
	vlab_device_set_stall(dev, false);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(second_ret, 512);

	/* the killed write landed, then the second one */
	CU_ASSERT_EQUAL(vlab_blk_peek(&blks[0], 0, disk, sizeof(disk)), 0);
	CU_ASSERT_EQUAL(memcmp(disk, a, sizeof(a)), 0);
	CU_ASSERT_EQUAL(vlab_blk_peek(&blks[0], 4096, disk, sizeof(disk)), 0);
	memset(a, 0xbb, sizeof(a));
	CU_ASSERT_EQUAL(memcmp(disk, a, sizeof(a)), 0);
	CU_ASSERT_EQUAL(guest_pread(fd, disk, sizeof(disk), 4096), 512);
	CU_ASSERT_EQUAL(memcmp(disk, a, sizeof(a)), 0);
	CU_ASSERT_EQUAL(blks[0].stats.ioerr, 0);
	CU_ASSERT_EQUAL(guest_kernel_warnings(), 0);
	guest_close(fd);
	guest_close(fd2);
	shut_blk();
}

/**
 * read_node() - open @p node, read @p n bytes, close.
 * @param node the device node.
 * @param buf receives the bytes.
 * @param n how many (at most 64: one request).
 * @return bytes read or a negative errno.
 */
static ssize_t read_node(const char *node, uint8_t *buf, size_t n)
{
	int fd = guest_open(node);
	ssize_t r;

	if (fd < 0)
		return fd;
	r = guest_read(fd, buf, n);
	guest_close(fd);
	return r;
}

/**
 * Bug 5: two devices of each kind. Every probe succeeds, every device
 * gets its own node, numbered in probe order, and each node reaches its
 * own device; after rmmod and insmod the numbers are handed out again.
 */
static void test_two_of_each(void)
{
	struct vlab_rng_source want_src;
	struct vlab_blk_opts bo = { .flush = true };
	struct vlab_console_opts co = { 0 };
	struct harness_dev devs[6];
	struct vlab_device *dev[6];
	uint8_t got[32], want[32], sector[512];
	char node[32], err[128];
	unsigned int i;
	int fd;

	for (i = 0; i < 2; i++) {
		vlab_rng_source_init(&srcs[i], true, 100 + i);
		CU_ASSERT_EQUAL_FATAL(vlab_blk_init(&blks[i], &bo, err,
						    sizeof(err)), 0);
		CU_ASSERT_EQUAL_FATAL(vlab_console_init(&cons[i], &co), 0);
	}
	devs[0] = (struct harness_dev){ &vlab_rng_model, &srcs[0], "rng0" };
	devs[1] = (struct harness_dev){ &vlab_rng_model, &srcs[1], "rng1" };
	devs[2] = (struct harness_dev){ &blks[0].model, &blks[0], "blk0" };
	devs[3] = (struct harness_dev){ &blks[1].model, &blks[1], "blk1" };
	devs[4] = (struct harness_dev){ &cons[0].model, &cons[0], "con0" };
	devs[5] = (struct harness_dev){ &cons[1].model, &cons[1], "con1" };
	CU_ASSERT_FATAL(harness_boot_many(devs, 6, (void **)dev));
	CU_ASSERT_EQUAL(guest_module_load("vlab_rng"), 0);
	CU_ASSERT_EQUAL(guest_module_load("vlab_blk"), 0);
	CU_ASSERT_EQUAL(guest_module_load("vlab_console"), 0);

	for (i = 0; i < 6; i++) {
		CU_ASSERT(status_of(dev[i]) & VIRTIO_CONFIG_S_DRIVER_OK);
		CU_ASSERT_FALSE(status_of(dev[i]) & VIRTIO_CONFIG_S_FAILED);
	}
	/* each entropy node reads its own device's stream */
	for (i = 0; i < 2; i++) {
		snprintf(node, sizeof(node), "/dev/vlab-rng%u", i);
		CU_ASSERT_EQUAL(read_node(node, got, sizeof(got)),
				(ssize_t)sizeof(got));
		vlab_rng_source_init(&want_src, true, 100 + i);
		vlab_rng_source_fill(&want_src, want, sizeof(want));
		CU_ASSERT_EQUAL(memcmp(got, want, sizeof(got)), 0);
	}
	/* each block node writes its own disk */
	for (i = 0; i < 2; i++) {
		snprintf(node, sizeof(node), "/dev/vlab-blk%u", i);
		fd = guest_open(node);
		CU_ASSERT_FATAL(fd >= 0);
		memset(sector, 0x30 + i, sizeof(sector));
		CU_ASSERT_EQUAL(guest_pwrite(fd, sector, 512, 0), 512);
		guest_close(fd);
		CU_ASSERT_EQUAL(vlab_blk_peek(&blks[i], 0, got, 1), 0);
		CU_ASSERT_EQUAL(got[0], 0x30 + i);
	}
	for (i = 0; i < 2; i++) {
		snprintf(node, sizeof(node), "/dev/vlab-console%u", i);
		fd = guest_open(node);
		CU_ASSERT(fd >= 0);
		if (fd >= 0)
			guest_close(fd);
	}

	/* the numbers go back at remove and are handed out again */
	CU_ASSERT_EQUAL(guest_module_unload("vlab_rng"), 0);
	CU_ASSERT_EQUAL(guest_open("/dev/vlab-rng0"), -ENOENT);
	CU_ASSERT_EQUAL(guest_module_load("vlab_rng"), 0);
	CU_ASSERT_EQUAL(read_node("/dev/vlab-rng1", got, 8), 8);
	/* unplug the first: the second keeps its node and its number */
	CU_ASSERT_EQUAL(guest_remove_virtio_mmio(dev[0]->mmio_base), 0);
	CU_ASSERT_EQUAL(guest_open("/dev/vlab-rng0"), -ENOENT);
	CU_ASSERT_EQUAL(read_node("/dev/vlab-rng1", got, 8), 8);
	CU_ASSERT_EQUAL(guest_kernel_warnings(), 0);
	harness_shutdown();
	for (i = 0; i < 2; i++) {
		vlab_blk_fini(&blks[i]);
		vlab_console_fini(&cons[i]);
	}
}

/**
 * main() - run the unplug suite over the ring matrix.
 * @return 0 when every test passed.
 */
int main(void)
{
	static CU_TestInfo tests[] = {
		{ "two devices of each kind: a node each (bug 5)",
		  test_two_of_each },
		{ "readers killed on a slow rng: one request, reused (bug 3)",
		  test_rng_killed_readers },
		{ "killed blk write: the next caller waits, no EIO (bug 4)",
		  test_blk_killed_request },
		{ "fsync after rmmod: -ENODEV, no feature lookup (bug 1)",
		  test_fsync_after_rmmod },
		{ "lseek after block_resize + unplug: -ENODEV (bug 2)",
		  test_lseek_after_unplug },
		{ "fsync after unplug: -ENODEV, device not touched (bug 1)",
		  test_fsync_after_unplug },
		CU_TEST_INFO_NULL,
	};

	return harness_run_matrix("unplug", tests);
}
