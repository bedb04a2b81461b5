// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief A hostile driver, round two (issue 12): the cases the first
 * round (tests/test_device_errors.c) did not name. Each test writes
 * registers and rings itself, as a driver that ignores the rules would,
 * and checks the device's exact answer (docs/reliability.md lists every
 * case with the check and the mutant that guard it).
 *
 * Every wait here is bounded: a device that hangs fails its test with
 * the place it hangs in, never the whole run.
 */
#include <endian.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "sim/blk.h"
#include "sim/console.h"
#include "sim/device.h"
#include "sim/loopback.h"
#include "sim/ram.h"
#include "sim/trace.h"
#include "sim/vq_layout.h"
#include "tests/harness.h"
#include "virtio/shared/boundary.h"
#include "virtio/shared/vring_packed.h"
#include "virtio/shared/vring_split.h"

/** Where the hostile driver puts its rings: inside RAM, past the heap. */
#define RING_GPA (VLAB_RAM_BASE + 0x800000)
/** A second place for a queue set up again (D20). */
#define RING2_GPA (VLAB_RAM_BASE + 0x900000)
/** Where it points buffers. */
#define BUF_GPA (VLAB_RAM_BASE + 0xa00000)
/** Where it puts indirect tables. */
#define TABLE_GPA (VLAB_RAM_BASE + 0xb00000)

/** Feature bits of the high word (bit 32 and up), as DriverFeatures 1. */
#define HI(bit) (1u << ((bit) - 32))

/** The device under attack. */
static struct vlab_device *dev;

/** No ring feature offered but what a test adds. */
static const struct harness_cfg plain_cfg = { "split", false, false, false };

/**
 * wr() - a register write of the hostile driver.
 * @param off register.
 * @param val value.
 */
static void wr(uint64_t off, uint32_t val)
{
	vlab_mmio_device_write(dev, off, val, 4);
}

/**
 * rd() - a register read of the hostile driver.
 * @param off register.
 * @return its value.
 */
static uint32_t rd(uint64_t off)
{
	return (uint32_t)vlab_mmio_device_read(dev, off, 4);
}

/**
 * negotiate() - status up to FEATURES_OK with these driver features.
 * @param lo DriverFeatures bits 0-31.
 * @param hi DriverFeatures bits 32-63.
 */
static void negotiate(uint32_t lo, uint32_t hi)
{
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
	   VIRTIO_CONFIG_S_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, lo);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, hi);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
	   VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
}

/**
 * queue_at() - set up queue @p q with @p num entries at @p gpa: the
 * descriptors first, the driver area 0x1000 on, the device area 0x2000 on.
 * @param q queue index.
 * @param num size.
 * @param gpa where.
 * @return QueueReady as read back.
 */
static uint32_t queue_at(unsigned int q, uint32_t num, uint64_t gpa)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)gpa);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(gpa >> 32));
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)(gpa + 0x1000));
	wr(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)((gpa + 0x1000) >> 32));
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)(gpa + 0x2000));
	wr(VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)((gpa + 0x2000) >> 32));
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	return rd(VIRTIO_MMIO_QUEUE_READY);
}

/**
 * driver_ok() - the hostile driver says DRIVER_OK.
 */
static void driver_ok(void)
{
	wr(VIRTIO_MMIO_STATUS, rd(VIRTIO_MMIO_STATUS) |
	   VIRTIO_CONFIG_S_DRIVER_OK);
}

/**
 * boot_loop() - a loopback device, no driver: this test is the driver.
 * @param lb the model's state.
 * @param packed offer VIRTIO_F_RING_PACKED too.
 */
static void boot_loop(struct vlab_loopback *lb, bool packed)
{
	static const struct harness_cfg packed_cfg = {
		"packed, indirect, event-idx", true, true, true
	};
	static const struct harness_cfg split_cfg = {
		"split, indirect, event-idx", false, true, true
	};

	harness_set_cfg(packed ? &packed_cfg : &split_cfg);
	dev = harness_boot(&vlab_loopback_model, lb, "loop0");
	harness_set_cfg(&plain_cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
}

/**
 * set_desc() - write split descriptor @p i of queue @p q.
 * @param q queue.
 * @param i index.
 * @param addr buffer.
 * @param len length.
 * @param flags VRING_DESC_F_*.
 * @param next next index.
 */
static void set_desc(unsigned int q, unsigned int i, uint64_t addr,
		     uint32_t len, uint16_t flags, uint16_t next)
{
	struct vring_desc *d = &dev->vqs[q].split.desc[i];

	d->addr = htole64(addr);
	d->len = htole32(len);
	d->flags = htole16(flags);
	d->next = htole16(next);
}

/**
 * offer() - avail.ring[slot] = head; avail idx = @p idx; notify @p q.
 * @param q queue.
 * @param slot avail ring slot.
 * @param head head index.
 * @param idx new avail idx.
 */
static void offer(unsigned int q, unsigned int slot, uint16_t head,
		  uint16_t idx)
{
	struct vring_avail *a = dev->vqs[q].split.avail;

	/* atomic: the device reads ring slots atomically (TSan sees both) */
	__atomic_store_n(&a->ring[slot], htole16(head), __ATOMIC_RELAXED);
	__atomic_store_n(&a->idx, htole16(idx), __ATOMIC_RELEASE);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

/**
 * set_pdesc() - write packed descriptor @p i of queue 0 with these
 * flags exactly (the AVAIL/USED bits included).
 * @param i ring position.
 * @param addr buffer.
 * @param len length.
 * @param id buffer id.
 * @param flags all its flags.
 */
static void set_pdesc(unsigned int i, uint64_t addr, uint32_t len,
		      uint16_t id, uint16_t flags)
{
	struct vring_packed_desc *d = &dev->vqs[0].packed.desc[i];

	d->addr = htole64(addr);
	d->len = htole32(len);
	d->id = htole16(id);
	__atomic_store_n(&d->flags, htole16(flags), __ATOMIC_RELEASE);
}

/**
 * expect_error() - the device reported a broken rule naming @p spec and
 * @p words, and set DEVICE_NEEDS_RESET.
 * @param spec section the report must cite.
 * @param words text it must contain.
 */
static void expect_error(const char *spec, const char *words)
{
	CU_ASSERT_TRUE_FATAL(harness_wait(harness_dev_has_error, dev));
	CU_ASSERT(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	if (!strstr(dev->last_error, spec) || !strstr(dev->last_error, words))
		printf("\n    last error: %s\n", dev->last_error);
	CU_ASSERT_PTR_NOT_NULL(strstr(dev->last_error, spec));
	CU_ASSERT_PTR_NOT_NULL(strstr(dev->last_error, words));
}

/** What bounded_write() hands its thread. */
struct bounded {
	uint64_t off;		/**< register */
	uint32_t val;		/**< value */
	bool done;		/**< the write returned */
};

/**
 * bounded_thread() - make the write bounded_write() waits for.
 * @param arg struct bounded.
 * @return NULL.
 */
static void *bounded_thread(void *arg)
{
	struct bounded *b = arg;

	wr(b->off, b->val);
	__atomic_store_n(&b->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/**
 * bounded_write() - a register write that must return within 2 s (L2:
 * reset and quiesce never wait without bound). A write that does not
 * return is a hang: the test fails and the process ends, naming it,
 * since the stuck thread cannot be taken back.
 * @param off register.
 * @param val value.
 * @param what what the write is, for the report.
 */
static void bounded_write(uint64_t off, uint32_t val, const char *what)
{
	struct bounded b = { off, val, false };
	pthread_t t;
	int i;

	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, bounded_thread, &b), 0);
	for (i = 0; i < 200 && !__atomic_load_n(&b.done, __ATOMIC_ACQUIRE);
	     i++)
		vlab_sleep_ms(10);
	if (!__atomic_load_n(&b.done, __ATOMIC_ACQUIRE)) {
		fprintf(stderr, "\nHANG: %s did not return within 2 s (device %s busy=%d)\n",
			what, dev->name, dev->busy);
		CU_FAIL("register write hangs");
		fflush(NULL);
		_Exit(1);
	}
	pthread_join(t, NULL);
}

/**
 * Bug 1 (L1, D13 on a model that counts its own buffers): the console
 * holds all 64 receive buffers; a 65th must be refused (D13), not leave
 * the device thread spinning so that Status = 0 waits forever.
 */
static void test_console_65th_receive_buffer(void)
{
	static struct vlab_console_dev con;
	struct vlab_console_opts o = { 0 };
	unsigned int i;

	CU_ASSERT_EQUAL_FATAL(vlab_console_init(&con, &o), 0);
	dev = harness_boot(&con.model, &con, "console0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	negotiate(0, HI(VIRTIO_F_VERSION_1));
	CU_ASSERT_EQUAL_FATAL(queue_at(VLAB_CONSOLE_RXQ, 64, RING_GPA), 1);
	driver_ok();
	for (i = 0; i < 64; i++) {
		set_desc(0, i, BUF_GPA + 16 * i, 16, VRING_DESC_F_WRITE, 0);
		__atomic_store_n(&dev->vqs[0].split.avail->ring[i],
				 htole16((uint16_t)i), __ATOMIC_RELAXED);
	}
	offer(0, 0, 0, 64);
	CU_ASSERT_TRUE(harness_wait_value(&dev->vqs[0].stats.chains, 64));
	/* the 65th: head 0 again, though the device holds it */
	offer(0, 0, 0, 65);
	expect_error("§2.7.6", "more than 64 buffers in flight");
	bounded_write(VIRTIO_MMIO_STATUS, 0, "Status = 0 (reset)");
	CU_ASSERT_EQUAL(rd(VIRTIO_MMIO_STATUS), 0);
	harness_shutdown();
	vlab_console_fini(&con);
}

/**
 * L1: a model that takes nothing though buffers wait (loopback "deaf")
 * does not keep its device thread spinning: after the notification the
 * thread goes idle and waits for the next one.
 */
static void test_l1_no_busy_loop(void)
{
	static struct vlab_loopback lb;
	int i;

	memset(&lb, 0, sizeof(lb));
	lb.deaf = true;
	boot_loop(&lb, false);
	negotiate(0, HI(VIRTIO_F_VERSION_1));
	CU_ASSERT_EQUAL_FATAL(queue_at(0, 64, RING_GPA), 1);
	driver_ok();
	set_desc(0, 0, BUF_GPA, 16, VRING_DESC_F_WRITE, 0);
	offer(0, 0, 0, 1);
	for (i = 0; i < 200; i++) {
		vlab_sleep_ms(10);
		vlab_mutex_lock(&dev->lock);
		if (!dev->busy && !dev->notify_pending) {
			vlab_mutex_unlock(&dev->lock);
			break;
		}
		vlab_mutex_unlock(&dev->lock);
	}
	CU_ASSERT_TRUE(i < 200);
	if (i == 200) {
		fprintf(stderr, "\nHANG: device thread still busy after 2 s with nothing taken\n");
		fflush(NULL);
		_Exit(1);
	}
	CU_ASSERT_EQUAL(dev->vqs[0].stats.chains, 0);
	bounded_write(VIRTIO_MMIO_STATUS, 0, "Status = 0 (reset)");
	harness_shutdown();
}

/**
 * Bug 2 (D19): a split-only device without INDIRECT; the driver asks for
 * RING_PACKED and INDIRECT, the device refuses FEATURES_OK, the driver
 * goes on to DRIVER_OK. The queue runs with what was committed (nothing:
 * split, no indirect) and DRIVER_OK is reported as the driver error it is.
 */
static void test_d19_features_not_committed(void)
{
	static struct vlab_loopback lb;

	memset(&lb, 0, sizeof(lb));
	harness_set_cfg(&plain_cfg);
	dev = harness_boot(&vlab_loopback_model, &lb, "loop0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	negotiate(1u << VIRTIO_RING_F_INDIRECT_DESC,
		  HI(VIRTIO_F_VERSION_1) | HI(VIRTIO_F_RING_PACKED));
	/* refused: the device offers neither */
	CU_ASSERT_FALSE(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK);
	/* no queue runs on features that were never accepted (§3.1.1) */
	CU_ASSERT_EQUAL(queue_at(0, 64, RING_GPA), 0);
	CU_ASSERT_FALSE(dev->vqs[0].packed_ring);
	CU_ASSERT_FALSE(dev->vqs[0].indirect);
	driver_ok();
	expect_error("§3.1.1", "DRIVER_OK without an accepted FEATURES_OK");
	CU_ASSERT_FALSE(vlab_device_live(dev));
	harness_shutdown();
}

/** Bug 2 (D19): DRIVER_OK with no FEATURES_OK (nor VERSION_1) at all. */
static void test_d19_driver_ok_without_features_ok(void)
{
	static struct vlab_loopback lb;

	memset(&lb, 0, sizeof(lb));
	dev = harness_boot(&vlab_loopback_model, &lb, "loop0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
	   VIRTIO_CONFIG_S_DRIVER);
	CU_ASSERT_EQUAL(queue_at(0, 64, RING_GPA), 0);
	driver_ok();
	expect_error("§3.1.1", "DRIVER_OK without an accepted FEATURES_OK");
	/* and nothing runs */
	CU_ASSERT_FALSE(vlab_device_live(dev));
	CU_ASSERT_FALSE(dev->vqs[0].ready);
	harness_shutdown();
}

/**
 * D19: a device live with accepted features whose driver then clears
 * FEATURES_OK (without a reset, §2.1.2) is live no more: no queue runs
 * on features that are not in force.
 */
static void test_d19_features_ok_cleared(void)
{
	static struct vlab_loopback lb;

	memset(&lb, 0, sizeof(lb));
	boot_loop(&lb, false);
	negotiate(0, HI(VIRTIO_F_VERSION_1));
	CU_ASSERT_EQUAL_FATAL(queue_at(0, 64, RING_GPA), 1);
	driver_ok();
	CU_ASSERT_TRUE(vlab_device_live(dev));
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
	   VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_DRIVER_OK);
	CU_ASSERT_FALSE(vlab_device_live(dev));
	harness_shutdown();
}

/**
 * D19 (found by fuzz_mmio): a driver clears FEATURES_OK without a reset,
 * writes other features (RING_PACKED) and sets FEATURES_OK again under a
 * live split queue: refused; the features in force stay those first
 * accepted, so the queue's layout and the features agree.
 */
static void test_d19_features_recommitted(void)
{
	static struct vlab_loopback lb;

	memset(&lb, 0, sizeof(lb));
	boot_loop(&lb, true);
	negotiate(0, HI(VIRTIO_F_VERSION_1));
	CU_ASSERT_EQUAL_FATAL(queue_at(0, 64, RING_GPA), 1);
	CU_ASSERT_FALSE(dev->vqs[0].packed_ring);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
	   VIRTIO_CONFIG_S_DRIVER);
	negotiate(0, HI(VIRTIO_F_VERSION_1) | HI(VIRTIO_F_RING_PACKED));
	CU_ASSERT_FALSE(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK);
	CU_ASSERT_FALSE(dev->features & (1ULL << VIRTIO_F_RING_PACKED));
	harness_shutdown();
}

/**
 * Bug 3 (D20): the console holds two receive buffers; the driver sets
 * QueueReady = 0 and sets the queue up again elsewhere. Host input then
 * must not land in the old buffers, nor an old id come back used.
 * @param reset take the queue back by a device reset instead.
 */
static void d20_drops_held(bool reset)
{
	static struct vlab_console_dev con;
	struct vlab_console_opts o = { 0 };
	uint8_t *old;

	CU_ASSERT_EQUAL_FATAL(vlab_console_init(&con, &o), 0);
	dev = harness_boot(&con.model, &con, "console0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	negotiate(0, HI(VIRTIO_F_VERSION_1));
	CU_ASSERT_EQUAL_FATAL(queue_at(VLAB_CONSOLE_RXQ, 64, RING_GPA), 1);
	driver_ok();
	old = vlab_ram_ptr(dev->ram, BUF_GPA, 32);
	memset(old, 0, 32);
	set_desc(0, 0, BUF_GPA, 16, VRING_DESC_F_WRITE, 0);
	set_desc(0, 1, BUF_GPA + 16, 16, VRING_DESC_F_WRITE, 0);
	__atomic_store_n(&dev->vqs[0].split.avail->ring[0], 0,
			 __ATOMIC_RELAXED);
	offer(0, 1, 1, 2);
	CU_ASSERT_TRUE_FATAL(harness_wait_value(&dev->vqs[0].stats.chains, 2));
	vlab_device_wait_idle(dev);
	/* the driver takes the queue back and sets it up elsewhere */
	if (reset) {
		bounded_write(VIRTIO_MMIO_STATUS, 0, "Status = 0 (reset)");
		negotiate(0, HI(VIRTIO_F_VERSION_1));
	} else {
		wr(VIRTIO_MMIO_QUEUE_SEL, VLAB_CONSOLE_RXQ);
		wr(VIRTIO_MMIO_QUEUE_READY, 0);
		CU_ASSERT_EQUAL(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	}
	CU_ASSERT_EQUAL_FATAL(queue_at(VLAB_CONSOLE_RXQ, 64, RING2_GPA), 1);
	if (reset)
		driver_ok();
	CU_ASSERT_EQUAL(vlab_console_host_write(dev, &con, "hello", 5), 0);
	vlab_sleep_ms(50);
	vlab_device_wait_idle(dev);
	CU_ASSERT_EQUAL(old[0], 0);
	CU_ASSERT_EQUAL(old[16], 0);
	CU_ASSERT_EQUAL(le16toh(dev->vqs[0].split.used->idx), 0);
	CU_ASSERT_EQUAL(dev->vqs[0].inflight, 0);
	CU_ASSERT_FALSE(harness_dev_has_error(dev));
	harness_shutdown();
	vlab_console_fini(&con);
}

/** Bug 3 (D20), by QueueReady = 0. */
static void test_d20_queue_ready_0_drops_held(void)
{
	d20_drops_held(false);
}

/** D20, by a device reset (Status = 0). */
static void test_d20_reset_drops_held(void)
{
	d20_drops_held(true);
}

/**
 * Bug 4 (D21): register accesses of a width the transport does not
 * define (§4.2.2.2: 32-bit registers; configuration fields 8, 16 or 32
 * bits wide) are refused and change nothing; none shifts by 64 or more.
 */
static void test_d21_access_width(void)
{
	static struct vlab_console_dev con;
	struct vlab_console_opts o = { .size = true, .cols = 80, .rows = 25 };
	static const unsigned int bad[] = { 0, 3, 5, 16, 64, 1000 };
	unsigned int i;

	CU_ASSERT_EQUAL_FATAL(vlab_console_init(&con, &o), 0);
	dev = harness_boot(&con.model, &con, "console0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	/* the baseline: cols 80 at offset 0, max_nr_ports 1 at offset 4 */
	CU_ASSERT_EQUAL(vlab_mmio_device_read(dev, VIRTIO_MMIO_CONFIG, 2), 80);
	CU_ASSERT_EQUAL(vlab_mmio_device_read(dev, VIRTIO_MMIO_CONFIG + 4, 4),
			1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(vlab_mmio_device_read(dev, VIRTIO_MMIO_CONFIG,
						      bad[i]), 0);
		vlab_mmio_device_write(dev, VIRTIO_MMIO_CONFIG, ~0ULL, bad[i]);
		CU_ASSERT_EQUAL(vlab_mmio_device_read(dev, VIRTIO_MMIO_STATUS,
						      bad[i]), 0);
	}
	CU_ASSERT_EQUAL(vlab_mmio_device_read(dev, VIRTIO_MMIO_CONFIG, 2), 80);
	CU_ASSERT_EQUAL(vlab_mmio_device_read(dev, VIRTIO_MMIO_CONFIG + 4, 4),
			1);
	harness_shutdown();
	vlab_console_fini(&con);
}

/** What load_thread() reports. */
static volatile int load_result = -1;

/**
 * load_thread() - insmod vlab_blk (the probe reads the capacity).
 * @param arg a bool set when it returns.
 * @return NULL.
 */
static void *load_thread(void *arg)
{
	load_result = guest_module_load("vlab_blk");
	__atomic_store_n((bool *)arg, true, __ATOMIC_RELEASE);
	return NULL;
}

/**
 * Bug 5 (L2): a device whose configuration generation never settles.
 * The retry loop of virtio_cread() gives up after a bound, warns, and
 * the probe goes on: insmod returns.
 */
static void test_l2_generation_never_settles(void)
{
	static struct vlab_blk_dev blk;
	struct vlab_blk_opts o = { .mem_bytes = 1 << 20 };
	char err[200];
	bool done = false;
	pthread_t t;
	int i;

	CU_ASSERT_EQUAL_FATAL(vlab_blk_init(&blk, &o, err, sizeof(err)), 0);
	dev = harness_boot(&blk.model, &blk, "blk0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	dev->faults.config_flaps = ~0u;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, load_thread, &done), 0);
	for (i = 0; i < 500 && !__atomic_load_n(&done, __ATOMIC_ACQUIRE); i++)
		vlab_sleep_ms(10);
	if (!__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
		fprintf(stderr, "\nHANG: insmod vlab_blk still reading the configuration after 5 s\n");
		CU_FAIL("generation retry loop without bound");
		fflush(NULL);
		_Exit(1);
	}
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(load_result, 0);
	CU_ASSERT_TRUE(guest_dmesg_contains("configuration generation did not settle"));
	dev->faults.config_flaps = 0;
	harness_shutdown();
	vlab_blk_fini(&blk);
}

/**
 * L2: a model that never returns from process(). Reset and QueueReady
 * wait for the device thread a bounded time, then refuse with a clear
 * message; the status reads DEVICE_NEEDS_RESET, not 0. Once the model
 * returns, the reset works.
 */
static void test_l2_quiesce_bounded(void)
{
	static struct vlab_loopback lb;

	memset(&lb, 0, sizeof(lb));
	boot_loop(&lb, false);
	dev->quiesce_ms = 200;
	negotiate(0, HI(VIRTIO_F_VERSION_1));
	CU_ASSERT_EQUAL_FATAL(queue_at(0, 64, RING_GPA), 1);
	driver_ok();
	__atomic_store_n(&lb.stuck, true, __ATOMIC_RELEASE);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CU_ASSERT_TRUE(harness_wait_value(&dev->vqs[0].stats.notifies, 1));
	vlab_sleep_ms(20);
	CU_ASSERT_FALSE(vlab_device_wait_idle(dev));
	bounded_write(VIRTIO_MMIO_QUEUE_READY, 0, "QueueReady = 0");
	CU_ASSERT_EQUAL(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	bounded_write(VIRTIO_MMIO_STATUS, 0, "Status = 0 (reset)");
	CU_ASSERT(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	__atomic_store_n(&lb.stuck, false, __ATOMIC_RELEASE);
	CU_ASSERT_TRUE(vlab_device_wait_idle(dev));
	bounded_write(VIRTIO_MMIO_STATUS, 0, "Status = 0 (reset)");
	CU_ASSERT_EQUAL(rd(VIRTIO_MMIO_STATUS), 0);
	harness_shutdown();
}

/**
 * Bug 6, split (D18): a head offered again while the device still holds
 * it would be completed twice: refused.
 */
static void test_d18_split_head_twice(void)
{
	static struct vlab_loopback lb;

	memset(&lb, 0, sizeof(lb));
	lb.hold = true;
	boot_loop(&lb, false);
	negotiate(0, HI(VIRTIO_F_VERSION_1));
	CU_ASSERT_EQUAL_FATAL(queue_at(0, 64, RING_GPA), 1);
	driver_ok();
	set_desc(0, 0, BUF_GPA, 16, VRING_DESC_F_WRITE, 0);
	offer(0, 0, 0, 1);
	CU_ASSERT_TRUE(harness_wait_value(&dev->vqs[0].stats.chains, 1));
	CU_ASSERT_FALSE(harness_dev_has_error(dev));
	offer(0, 1, 0, 2);
	expect_error("§2.7.13", "head 0 is offered again while in flight");
	CU_ASSERT_EQUAL(dev->vqs[0].stats.chains, 1);
	harness_shutdown();
}

/**
 * Bug 6, split (D18) baseline: once completed, the same head may be
 * offered again (the loopback device completes every chain).
 */
static void test_d18_split_head_reused_after_completion(void)
{
	static struct vlab_loopback lb;
	unsigned int i;

	memset(&lb, 0, sizeof(lb));
	boot_loop(&lb, false);
	negotiate(0, HI(VIRTIO_F_VERSION_1));
	CU_ASSERT_EQUAL_FATAL(queue_at(0, 64, RING_GPA), 1);
	driver_ok();
	set_desc(0, 0, BUF_GPA, 16, VRING_DESC_F_WRITE, 0);
	for (i = 0; i < 3; i++) {
		offer(0, i, 0, (uint16_t)(i + 1));
		CU_ASSERT_TRUE(harness_wait_value(&dev->vqs[0].stats.chains,
						  i + 1));
	}
	vlab_device_wait_idle(dev);
	CU_ASSERT_FALSE(harness_dev_has_error(dev));
	harness_shutdown();
}

/**
 * Bug 6, packed (D22): a list whose second descriptor the driver has not
 * made available (AVAIL/USED bits of the wrong lap) is refused.
 */
static void test_d22_packed_next_not_available(void)
{
	static struct vlab_loopback lb;

	memset(&lb, 0, sizeof(lb));
	boot_loop(&lb, true);
	negotiate(0, HI(VIRTIO_F_VERSION_1) | HI(VIRTIO_F_RING_PACKED));
	CU_ASSERT_EQUAL_FATAL(queue_at(0, 64, RING_GPA), 1);
	CU_ASSERT_TRUE_FATAL(dev->vqs[0].packed_ring);
	driver_ok();
	/* descriptor 1: still used from the previous lap's point of view */
	set_pdesc(1, BUF_GPA + 16, 16, 0, VRING_DESC_F_WRITE);
	set_pdesc(0, BUF_GPA, 16, 0, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT |
		  VRING_PACKED_F_AVAIL);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	expect_error("§2.8.6", "descriptor 1 of the buffer at 0 is not available");
	CU_ASSERT_EQUAL(dev->vqs[0].stats.chains, 0);
	harness_shutdown();
}

/**
 * Bug 7: a model that accepts more buffers per chain than its queues
 * have entries would overrun the segment scratch array: refused when the
 * device is created.
 */
static void test_max_segs_above_queue_size(void)
{
	struct vlab_device_model m = vlab_loopback_model;
	struct vlab_ram ram;
	struct vlab_device *d;

	m.queue_num_max = 4;
	m.max_segs = 16;
	CU_ASSERT_EQUAL_FATAL(vlab_ram_init(&ram, 1 << 20), 0);
	d = vlab_device_create(&m, NULL, "bad0", &ram, NULL, 0, 0);
	CU_ASSERT_PTR_NULL(d);
	vlab_device_destroy(d);
	m.max_segs = 4;
	d = vlab_device_create(&m, NULL, "good0", &ram, NULL, 0, 0);
	CU_ASSERT_PTR_NOT_NULL(d);
	vlab_device_destroy(d);
	vlab_ram_fini(&ram);
}

/**
 * push_and_decide() - two pushes of one descriptor each, then one
 * interrupt decision, on a queue built by hand.
 * @param vq the queue.
 * @param d a device for the trace and the faults.
 * @return the decision.
 */
static bool push_and_decide(struct vlab_vq *vq, struct vlab_device *d)
{
	struct vlab_chain c = { .head = 0, .ndescs = 1 };

	vlab_vq_push(d, vq, &c, 0);
	vlab_vq_push(d, vq, &c, 0);
	return vq->packed_ring ? vq_packed_need_interrupt(vq) :
		vq_split_need_interrupt(vq);
}

/**
 * Bug 8: with EVENT_IDX, the interrupt decision covers every used buffer
 * since the last decision (§2.7.7.2, §2.8.10): two pushes 5 -> 6 -> 7,
 * one decision, the driver's event at 5. Both layouts interrupt.
 */
static void test_event_idx_since_last_decision(void)
{
	static struct vlab_device d;
	static uint8_t mem[3 * 4096] __attribute__((aligned(4096)));
	static uint8_t busy[64];
	struct vring_packed_desc_event *drv;
	struct vlab_vq *vq;
	unsigned int i;

	snprintf(d.name, sizeof(d.name), "unit0");
	vq = calloc(1, sizeof(*vq));
	CU_ASSERT_PTR_NOT_NULL_FATAL(vq);
	/* split: used idx 5, last decision at 5, used_event 5 */
	memset(mem, 0, sizeof(mem));
	vq->num = 64;
	vq->num_max = 64;
	vq->head_busy = busy;
	vq->event_idx = true;
	vq_split_enable(vq, mem, mem + 4096, mem + 8192);
	vq->split.used_idx = 5;
	vq->split.signalled_used = 5;
	vq->split.signalled_used_valid = true;
	*vring_split_used_event(vq->split.avail, 64) = htole16(5);
	CU_ASSERT_TRUE(push_and_decide(vq, &d));
	/* packed: next_used 5, decision at 5, event offset 5 in lap 1 */
	memset(mem, 0, sizeof(mem));
	vq->packed_ring = true;
	vq_packed_enable(vq, mem, mem + 4096, mem + 8192);
	for (i = 0; i < 5; i++) {
		struct vlab_chain c = { .head = 0, .ndescs = 1 };

		vlab_vq_push(&d, vq, &c, 0);
	}
	CU_ASSERT_FALSE(vq_packed_need_interrupt(vq) &&
			vq->packed.next_used != 5);
	drv = vq->packed.driver;
	drv->off_wrap = htole16(5 | 1u << VRING_PACKED_WRAP_BIT);
	drv->flags = htole16(VRING_PACKED_EVENT_FLAG_DESC);
	CU_ASSERT_TRUE(push_and_decide(vq, &d));
	free(vq);
}

/**
 * boot_hold_packed() - a loopback device that holds every chain, on a
 * packed ring of 64 the test sets up itself.
 * @param lb the model's state.
 * @param indirect ask for INDIRECT_DESC.
 */
static void boot_hold_packed(struct vlab_loopback *lb, bool indirect)
{
	memset(lb, 0, sizeof(*lb));
	lb->hold = true;
	boot_loop(lb, true);
	negotiate(indirect ? 1u << VIRTIO_RING_F_INDIRECT_DESC : 0,
		  HI(VIRTIO_F_VERSION_1) | HI(VIRTIO_F_RING_PACKED));
	CU_ASSERT_EQUAL_FATAL(queue_at(0, 64, RING_GPA), 1);
	CU_ASSERT_TRUE_FATAL(dev->vqs[0].packed_ring);
	driver_ok();
}

/**
 * Bug 9, packed D13: the device holds 64 buffers of a 64-entry packed
 * ring; the driver makes descriptor 0 available again in the next lap.
 */
static void test_packed_d13_too_many_in_flight(void)
{
	static struct vlab_loopback lb;
	unsigned int i;

	boot_hold_packed(&lb, false);
	for (i = 63; i > 0; i--)
		set_pdesc(i, BUF_GPA, 16, (uint16_t)i,
			  VRING_DESC_F_WRITE | VRING_PACKED_F_AVAIL);
	set_pdesc(0, BUF_GPA, 16, 0, VRING_DESC_F_WRITE | VRING_PACKED_F_AVAIL);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CU_ASSERT_TRUE_FATAL(harness_wait_value(&dev->vqs[0].stats.chains, 64));
	CU_ASSERT_FALSE(harness_dev_has_error(dev));
	/* lap 2 (wrap counter 0): available means AVAIL 0, USED 1 */
	set_pdesc(0, BUF_GPA, 16, 0, VRING_DESC_F_WRITE | VRING_PACKED_F_USED);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	expect_error("§2.8.10.1", "more than 64 buffers in flight");
	harness_shutdown();
}

/** Bug 9, packed: INDIRECT on a ring without INDIRECT_DESC negotiated. */
static void test_packed_indirect_not_negotiated(void)
{
	static struct vlab_loopback lb;

	boot_hold_packed(&lb, false);
	set_pdesc(0, TABLE_GPA, 32, 0,
		  VRING_DESC_F_INDIRECT | VRING_PACKED_F_AVAIL);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	expect_error("§2.8.19", "VIRTIO_F_INDIRECT_DESC was not negotiated");
	harness_shutdown();
}

/** Bug 9, packed D9: an indirect table not 16-byte aligned. */
static void test_packed_indirect_misaligned(void)
{
	static struct vlab_loopback lb;

	boot_hold_packed(&lb, true);
	set_pdesc(0, TABLE_GPA + 8, 32, 0,
		  VRING_DESC_F_INDIRECT | VRING_PACKED_F_AVAIL);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	expect_error("§2.8.7", "misaligned");
	harness_shutdown();
}

/** Bug 9, split D9: an indirect table not 16-byte aligned. */
static void test_split_indirect_misaligned(void)
{
	static struct vlab_loopback lb;

	memset(&lb, 0, sizeof(lb));
	lb.hold = true;
	boot_loop(&lb, false);
	negotiate(1u << VIRTIO_RING_F_INDIRECT_DESC, HI(VIRTIO_F_VERSION_1));
	CU_ASSERT_EQUAL_FATAL(queue_at(0, 64, RING_GPA), 1);
	CU_ASSERT_TRUE_FATAL(dev->vqs[0].indirect);
	driver_ok();
	set_desc(0, 0, TABLE_GPA + 8, 32, VRING_DESC_F_INDIRECT, 0);
	offer(0, 0, 0, 1);
	expect_error("§2.7.5.3", "misaligned");
	harness_shutdown();
}

/**
 * Bug 9, packed D15: each queue setup the packed layout refuses, on its
 * own (§2.8.10.1: descriptors 16-aligned, event structures 4-aligned,
 * size 1 to 32768 and at most QueueNumMax, every area in RAM); and a
 * size that is no power of two, which packed allows (§2.8).
 */
static void test_packed_bad_queue_setup(void)
{
	static struct vlab_loopback lb;
	uint64_t end;
	struct {
		uint32_t num;
		uint64_t desc, driver, device;
		const char *what;
	} bad[] = {
		{ 0, RING_GPA, RING_GPA + 0x1000, RING_GPA + 0x2000, "size 0" },
		{ 128, RING_GPA, RING_GPA + 0x1000, RING_GPA + 0x2000,
		  "size above QueueNumMax" },
		{ 64, RING_GPA + 8, RING_GPA + 0x1000, RING_GPA + 0x2000,
		  "descriptor ring misaligned" },
		{ 64, RING_GPA, RING_GPA + 0x1002, RING_GPA + 0x2000,
		  "driver event structure misaligned" },
		{ 64, RING_GPA, RING_GPA + 0x1000, RING_GPA + 0x2002,
		  "device event structure misaligned" },
		{ 64, 0, RING_GPA + 0x1000, RING_GPA + 0x2000,
		  "descriptor ring outside RAM" },
		{ 64, 0, RING_GPA + 0x1000, RING_GPA + 0x2000,
		  "descriptor ring running past RAM" },
		{ 64, RING_GPA, 0, RING_GPA + 0x2000,
		  "driver event structure outside RAM" },
		{ 64, RING_GPA, RING_GPA + 0x1000, 0,
		  "device event structure outside RAM" },
	};
	unsigned int i, n = sizeof(bad) / sizeof(bad[0]);

	memset(&lb, 0, sizeof(lb));
	boot_loop(&lb, true);
	end = VLAB_RAM_BASE + dev->ram->size;
	bad[6].desc = end - 64 * 16 + 16;
	bad[7].driver = end;
	bad[8].device = end;
	negotiate(0, HI(VIRTIO_F_VERSION_1) | HI(VIRTIO_F_RING_PACKED));
	harness_capture_start();
	for (i = 0; i < n; i++) {
		wr(VIRTIO_MMIO_QUEUE_SEL, 0);
		wr(VIRTIO_MMIO_QUEUE_NUM, bad[i].num);
		wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)bad[i].desc);
		wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(bad[i].desc >> 32));
		wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)bad[i].driver);
		wr(VIRTIO_MMIO_QUEUE_AVAIL_HIGH,
		   (uint32_t)(bad[i].driver >> 32));
		wr(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)bad[i].device);
		wr(VIRTIO_MMIO_QUEUE_USED_HIGH,
		   (uint32_t)(bad[i].device >> 32));
		wr(VIRTIO_MMIO_QUEUE_READY, 1);
		if (rd(VIRTIO_MMIO_QUEUE_READY)) {
			printf("\n    accepted: %s\n", bad[i].what);
			wr(VIRTIO_MMIO_QUEUE_READY, 0);
		}
	}
	harness_capture_stop();
	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_QUEUE_REFUSED), n);
	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_QUEUE_SETUP), 0);
	/* 48 entries: no power of two, and a valid packed ring */
	CU_ASSERT_EQUAL(queue_at(0, 48, RING_GPA), 1);
	CU_ASSERT_TRUE(dev->vqs[0].packed_ring);
	harness_shutdown();
}

/** Packed D11: an indirect table of 65 buffers; the device takes 64. */
static void test_packed_too_many_segments(void)
{
	static struct vlab_loopback lb;
	struct vring_packed_desc *t;
	unsigned int i;

	boot_hold_packed(&lb, true);
	t = vlab_ram_ptr(dev->ram, TABLE_GPA, 65 * sizeof(*t));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (i = 0; i < 65; i++) {
		t[i].addr = htole64(BUF_GPA);
		t[i].len = htole32(16);
		t[i].id = 0;
		t[i].flags = htole16(VRING_DESC_F_WRITE);
	}
	set_pdesc(0, TABLE_GPA, 65 * 16, 0,
		  VRING_DESC_F_INDIRECT | VRING_PACKED_F_AVAIL);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	expect_error("§2.8.18", "more than the 64 buffers");
	harness_shutdown();
}

/** Packed D12: a list of 17 buffers of 256 MiB (over 2^32 bytes). */
static void test_packed_chain_over_4g(void)
{
	static struct vlab_loopback lb;
	unsigned int i;

	harness_set_ram(256ULL << 20);
	boot_hold_packed(&lb, false);
	harness_set_ram(0);
	for (i = 19; i > 0; i--)
		set_pdesc(i, VLAB_RAM_BASE, 256u << 20, 0,
			  VRING_DESC_F_WRITE | VRING_PACKED_F_AVAIL |
			  (i < 19 ? VRING_DESC_F_NEXT : 0));
	set_pdesc(0, VLAB_RAM_BASE, 256u << 20, 0, VRING_DESC_F_WRITE |
		  VRING_DESC_F_NEXT | VRING_PACKED_F_AVAIL);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	expect_error("§2.8.4", "longer than 2^32 bytes");
	harness_shutdown();
}

/**
 * touch_in_child() - read one host byte in a child process.
 * @param p the byte.
 * @return true when the child read it and exited normally.
 */
static bool touch_in_child(const volatile uint8_t *p)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		(void)*p;
		_Exit(0);
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/**
 * Guard pages: a host access one byte before guest RAM or one byte past
 * it faults (in a child process), in every build; the first and last
 * bytes of RAM are readable.
 */
static void test_ram_guard_pages(void)
{
	struct vlab_ram ram;

	CU_ASSERT_EQUAL_FATAL(vlab_ram_init(&ram, 1 << 20), 0);
	CU_ASSERT_TRUE(touch_in_child(ram.host));
	CU_ASSERT_TRUE(touch_in_child(ram.host + ram.size - 1));
	CU_ASSERT_FALSE(touch_in_child(ram.host - 1));
	CU_ASSERT_FALSE(touch_in_child(ram.host + ram.size));
	CU_ASSERT_FALSE(touch_in_child(ram.host + ram.size +
				       VLAB_RAM_GUARD - 1));
	vlab_ram_fini(&ram);
}

/** What hang_forever() waits on: nothing ever signals it. */
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

/**
 * hang_forever() - the watchdog's self-test (tests/watchdog.sh): a test
 * that never ends; the watchdog must fail the run and name this function.
 */
static void hang_forever(void)
{
	static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

	pthread_mutex_lock(&m);
	for (;;)
		pthread_cond_wait(&never, &m);
}

/**
 * main() - run the second hostile-driver suite.
 * @return 0 when every test passed.
 */
int main(void)
{
	static CU_TestInfo tests[] = {
		{ "L1/D13 console: a 65th receive buffer is refused, reset returns",
		  test_console_65th_receive_buffer },
		{ "L1 a model that takes nothing does not spin its thread",
		  test_l1_no_busy_loop },
		{ "D19 features refused at FEATURES_OK are not used",
		  test_d19_features_not_committed },
		{ "D19 DRIVER_OK without FEATURES_OK is a driver error",
		  test_d19_driver_ok_without_features_ok },
		{ "D19 FEATURES_OK cleared: the device is not live",
		  test_d19_features_ok_cleared },
		{ "D19 features re-committed without a reset are refused",
		  test_d19_features_recommitted },
		{ "D20 QueueReady=0 drops the buffers a model holds",
		  test_d20_queue_ready_0_drops_held },
		{ "D20 reset drops the buffers a model holds",
		  test_d20_reset_drops_held },
		{ "D21 register access widths the transport lacks",
		  test_d21_access_width },
		{ "L2 a config generation that never settles",
		  test_l2_generation_never_settles },
		{ "L2 reset and QueueReady wait for the device a bounded time",
		  test_l2_quiesce_bounded },
		{ "D18 split head offered twice while in flight",
		  test_d18_split_head_twice },
		{ "D18 baseline: a completed head may come back",
		  test_d18_split_head_reused_after_completion },
		{ "D22 packed: a later descriptor not available",
		  test_d22_packed_next_not_available },
		{ "max_segs above the queue size is refused",
		  test_max_segs_above_queue_size },
		{ "event idx: the decision covers every push since the last",
		  test_event_idx_since_last_decision },
		{ "packed: D13 more buffers in flight than the queue size",
		  test_packed_d13_too_many_in_flight },
		{ "packed: INDIRECT not negotiated",
		  test_packed_indirect_not_negotiated },
		{ "packed: D9 indirect table misaligned",
		  test_packed_indirect_misaligned },
		{ "D9 indirect table misaligned", test_split_indirect_misaligned },
		{ "packed: D15 bad queue setups are refused",
		  test_packed_bad_queue_setup },
		{ "guard pages around guest RAM fault", test_ram_guard_pages },
		{ "packed: D11 more buffers than the device accepts",
		  test_packed_too_many_segments },
		{ "packed: D12 a buffer longer than 2^32 bytes",
		  test_packed_chain_over_4g },
		CU_TEST_INFO_NULL,
	};

	static CU_TestInfo selftest[] = {
		{ "watchdog self-test: a test that never ends", hang_forever },
		CU_TEST_INFO_NULL,
	};

	if (getenv("VLAB_WATCHDOG_SELFTEST"))
		return harness_run_suite("watchdog", selftest);
	return harness_run_suite("hostile driver, round two", tests);
}
