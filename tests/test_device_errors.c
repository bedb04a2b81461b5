// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief A hostile driver: rings written behind the driver's back. The
 * device must refuse each malformed chain, log the rule with its virtio
 * 1.2 section, set DEVICE_NEEDS_RESET, raise a configuration-change
 * interrupt, and never touch memory outside guest RAM (RELIABILITY D-cases).
 */
#include <endian.h>
#include <stdio.h>
#include <string.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "sim/device.h"
#include "sim/loopback.h"
#include "virtio/shared/vring_packed.h"
#include "sim/ram.h"
#include "sim/trace.h"
#include "tests/harness.h"
#include "virtio/shared/boundary.h"

/** Where the hostile test points buffers: inside RAM, past the heap. */
#define SAFE_GPA (VLAB_RAM_BASE + 0x800000)

/** The entropy device the hostile driver attacks. */
static struct vlab_device *dev;

/** Offers no ring feature: INDIRECT must then be refused. */
static const struct harness_cfg plain_cfg = { "split", false, false, false };
/** Offers indirect descriptors. */
static const struct harness_cfg indirect_cfg = {
	"split, indirect", false, true, false
};

/**
 * setup_with() - boot with the rng driver bound: queue 0 ready, DRIVER_OK.
 * @param cfg the ring features to offer.
 */
static void setup_with(const struct harness_cfg *cfg)
{
	harness_set_cfg(cfg);
	dev = harness_boot_rng(5, false);
	harness_set_cfg(&plain_cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL_FATAL(guest_module_load("vlab_rng"), 0);
	CU_ASSERT_TRUE_FATAL(dev->vqs[0].ready);
	harness_capture_start();
}

/**
 * setup() - boot with no ring feature offered.
 */
static void setup(void)
{
	setup_with(&plain_cfg);
}

/**
 * table_at() - host view of an indirect table the hostile test builds.
 * @param gpa where in guest RAM.
 * @return the table.
 */
static struct vring_desc *table_at(uint64_t gpa)
{
	return vlab_ram_ptr(dev->ram, gpa, 16 * 4);
}

/**
 * set_entry() - write one entry of an indirect table.
 * @param t the table.
 * @param i entry.
 * @param addr buffer address.
 * @param len buffer length.
 * @param flags VRING_DESC_F_*.
 * @param next next entry.
 */
static void set_entry(struct vring_desc *t, unsigned int i, uint64_t addr,
		      uint32_t len, uint16_t flags, uint16_t next)
{
	t[i].addr = htole64(addr);
	t[i].len = htole32(len);
	t[i].flags = htole16(flags);
	t[i].next = htole16(next);
}

/**
 * set_desc() - write one descriptor straight into the shared table.
 * @param i index.
 * @param addr guest-physical address.
 * @param len length.
 * @param flags VRING_DESC_F_*.
 * @param next next index.
 */
static void set_desc(unsigned int i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	struct vring_desc *d = &dev->vqs[0].split.desc[i];

	d->addr = htole64(addr);
	d->len = htole32(len);
	d->flags = htole16(flags);
	d->next = htole16(next);
}

/**
 * offer() - put @p head in avail slot 0, move avail idx to @p idx and
 * notify the device, as a (hostile) driver would.
 * @param head head index written to the ring.
 * @param idx new avail idx.
 */
static void offer(uint16_t head, uint16_t idx)
{
	struct vring_avail *a = dev->vqs[0].split.avail;

	a->ring[0] = htole16(head);
	__atomic_store_n(&a->idx, htole16(idx), __ATOMIC_RELEASE);
	vlab_mmio_device_write(dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0, 4);
}

/**
 * expect_refused() - the device refused the chain for the right rule.
 * @param spec the section that must be named.
 * @param words text the logged rule must contain.
 */
static void expect_refused(const char *spec, const char *words)
{
	uint32_t status;

	CU_ASSERT_TRUE_FATAL(harness_wait(harness_dev_has_error, dev));
	status = (uint32_t)vlab_mmio_device_read(dev, VIRTIO_MMIO_STATUS, 4);
	CU_ASSERT(status & VIRTIO_CONFIG_S_NEEDS_RESET);
	CU_ASSERT_PTR_NOT_NULL(strstr(dev->last_error, spec));
	CU_ASSERT_PTR_NOT_NULL(strstr(dev->last_error, words));
	harness_capture_stop();
	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_DEVICE_ERROR), 1);
	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_CONFIG_IRQ), 1);
	/* Nothing was completed: no used element, no used interrupt */
	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_USED), 0);
	if (dev->vqs[0].packed_ring) {
		CU_ASSERT_EQUAL(dev->vqs[0].packed.next_used, 0);
	} else {
		CU_ASSERT_EQUAL(dev->vqs[0].split.used_idx, 0);
	}
	harness_shutdown();
}

/** D9: a buffer outside guest RAM. */
static void test_desc_outside_ram(void)
{
	setup();
	set_desc(0, 0x1000, 16, VRING_DESC_F_WRITE, 0);
	offer(0, 1);
	expect_refused("§2.7.5", "outside guest RAM");
}

/** D9: a buffer that starts in RAM and runs past its end. */
static void test_desc_past_ram_end(void)
{
	setup();
	set_desc(0, VLAB_RAM_BASE + dev->ram->size - 8, 16,
		 VRING_DESC_F_WRITE, 0);
	offer(0, 1);
	expect_refused("§2.7.5", "outside guest RAM");
}

/**
 * D9: a range whose end wraps around 2^64 back into RAM. A check written
 * as "offset + len <= size" accepts it: 2^64 - 16 - 1 GiB plus
 * 1 GiB + 0x110 wraps to 0x100.
 */
static void test_desc_wraps(void)
{
	setup();
	set_desc(0, UINT64_MAX - 0xf, 0x40000110, VRING_DESC_F_WRITE, 0);
	offer(0, 1);
	expect_refused("§2.7.5", "outside guest RAM");
}

/** vlab_ram_ptr() itself: edges, an empty range, wrapping. */
static void test_ram_translation(void)
{
	struct vlab_ram ram;

	CU_ASSERT_EQUAL_FATAL(vlab_ram_init(&ram, 4 * 4096), 0);
	CU_ASSERT_PTR_EQUAL(vlab_ram_ptr(&ram, VLAB_RAM_BASE, 16), ram.host);
	CU_ASSERT_PTR_EQUAL(vlab_ram_ptr(&ram, VLAB_RAM_BASE + 4 * 4096 - 1, 1),
			    ram.host + 4 * 4096 - 1);
	CU_ASSERT_PTR_NULL(vlab_ram_ptr(&ram, VLAB_RAM_BASE + 4 * 4096 - 1, 2));
	CU_ASSERT_PTR_NULL(vlab_ram_ptr(&ram, VLAB_RAM_BASE - 1, 1));
	CU_ASSERT_PTR_NULL(vlab_ram_ptr(&ram, VLAB_RAM_BASE + 4 * 4096, 0));
	CU_ASSERT_PTR_NULL(vlab_ram_ptr(&ram, 0, 16));
	CU_ASSERT_PTR_NULL(vlab_ram_ptr(&ram, UINT64_MAX - 0xf,
					UINT64_MAX - 0xff));
	CU_ASSERT_PTR_NULL(vlab_ram_ptr(&ram, VLAB_RAM_BASE + 16, UINT64_MAX));
	vlab_ram_fini(&ram);
}

/** D2: a head index not below the queue size. */
static void test_head_out_of_range(void)
{
	setup();
	offer(64, 1);
	expect_refused("§2.7.6", "names head 64");
}

/** D1: avail idx jumps more than a queue's worth. */
static void test_avail_idx_jump(void)
{
	setup();
	set_desc(0, SAFE_GPA, 16, VRING_DESC_F_WRITE, 0);
	offer(0, 65);
	expect_refused("§2.7.6", "more than the queue size");
}

/** D3: next not below the queue size. */
static void test_next_out_of_range(void)
{
	setup();
	set_desc(0, SAFE_GPA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 200);
	offer(0, 1);
	expect_refused("§2.7.5", "next 200");
}

/** D4: a loop in the chain ends in an error, not a hang. */
static void test_chain_loop(void)
{
	setup();
	set_desc(0, SAFE_GPA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(1, SAFE_GPA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 0);
	offer(0, 1);
	expect_refused("§2.7.5.2", "loops");
}

/** D8: a readable buffer after a writable one. */
static void test_readable_after_writable(void)
{
	setup();
	set_desc(0, SAFE_GPA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(1, SAFE_GPA, 16, 0, 0);
	offer(0, 1);
	expect_refused("§2.7.4.2", "follows a device-writable");
}

/** D10: a zero-length buffer. */
static void test_zero_length(void)
{
	setup();
	set_desc(0, SAFE_GPA, 0, VRING_DESC_F_WRITE, 0);
	offer(0, 1);
	expect_refused("§2.7.5", "length 0");
}

/** INDIRECT without VIRTIO_F_INDIRECT_DESC negotiated. */
static void test_indirect_not_negotiated(void)
{
	setup();
	set_desc(0, SAFE_GPA, 16, VRING_DESC_F_INDIRECT, 0);
	offer(0, 1);
	expect_refused("§2.7.5.3.1", "INDIRECT");
}

/**
 * ignored_because() - the captured notify-ignored event with this reason.
 * @param why the reason text.
 * @return the event, or NULL.
 */
static const struct captured_event *ignored_because(const char *why)
{
	const struct captured_event *ev;
	size_t n, i;

	ev = harness_captured(&n);
	for (i = 0; i < n; i++)
		if (ev[i].kind == VLAB_EV_NOTIFY_IGNORED &&
		    strstr(ev[i].text, why))
			return &ev[i];
	return NULL;
}

static const struct captured_event *ignored_because(const char *why);

/** Where the hostile tests put indirect tables. */
#define TABLE_GPA (SAFE_GPA + 0x10000)

/** A well-formed indirect table is accepted (the baseline for D5-D7). */
static void test_indirect_ok(void)
{
	struct vring_desc *t;

	setup_with(&indirect_cfg);
	t = table_at(TABLE_GPA);
	set_entry(t, 0, SAFE_GPA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_entry(t, 1, SAFE_GPA + 16, 16, VRING_DESC_F_WRITE, 0);
	set_desc(0, TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	offer(0, 1);
	CU_ASSERT_TRUE(harness_wait_value(&dev->vqs[0].stats.chains, 1));
	CU_ASSERT_FALSE(harness_dev_has_error(dev));
	harness_shutdown();
}

/** D5: an indirect table whose length is not a multiple of 16. */
static void test_indirect_bad_length(void)
{
	setup_with(&indirect_cfg);
	set_desc(0, TABLE_GPA, 24, VRING_DESC_F_INDIRECT, 0);
	offer(0, 1);
	expect_refused("§2.7.5.3", "not a positive multiple of 16");
}

/** D5: an indirect table of length 0. */
static void test_indirect_empty(void)
{
	setup_with(&indirect_cfg);
	set_desc(0, TABLE_GPA, 0, VRING_DESC_F_INDIRECT, 0);
	offer(0, 1);
	expect_refused("§2.7.5.3", "not a positive multiple of 16");
}

/** D6: an INDIRECT entry inside an indirect table. */
static void test_indirect_nested(void)
{
	struct vring_desc *t;

	setup_with(&indirect_cfg);
	t = table_at(TABLE_GPA);
	set_entry(t, 0, TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	set_desc(0, TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	offer(0, 1);
	expect_refused("§2.7.5.3.1", "nested");
}

/** D7: INDIRECT and NEXT on the same descriptor: refused by policy. */
static void test_indirect_and_next(void)
{
	setup_with(&indirect_cfg);
	set_desc(0, TABLE_GPA, 32, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	offer(0, 1);
	expect_refused("§2.7.5.3.1", "both INDIRECT and NEXT");
}

/** D3 inside a table: next beyond the table's entries. */
static void test_indirect_next_out_of_table(void)
{
	struct vring_desc *t;

	setup_with(&indirect_cfg);
	t = table_at(TABLE_GPA);
	set_entry(t, 0, SAFE_GPA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
	set_desc(0, TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	offer(0, 1);
	expect_refused("§2.7.5", "not below the indirect table size 2");
}

/** D4 inside a table: a loop through the table's entries. */
static void test_indirect_loop(void)
{
	struct vring_desc *t;

	setup_with(&indirect_cfg);
	t = table_at(TABLE_GPA);
	set_entry(t, 0, SAFE_GPA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_entry(t, 1, SAFE_GPA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 0);
	set_desc(0, TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	offer(0, 1);
	expect_refused("§2.7.5.2", "loops");
}

/** D9 for a table: the table itself lies outside guest RAM. */
static void test_indirect_table_outside_ram(void)
{
	setup_with(&indirect_cfg);
	set_desc(0, 0x2000, 32, VRING_DESC_F_INDIRECT, 0);
	offer(0, 1);
	expect_refused("§2.7.5.3", "outside guest RAM");
}

/** D11: more buffers in one chain than the device accepts (64). */
static void test_too_many_segments(void)
{
	struct vring_desc *t;
	unsigned int i;

	setup_with(&indirect_cfg);
	t = vlab_ram_ptr(dev->ram, TABLE_GPA, 16 * 65);
	for (i = 0; i < 65; i++)
		set_entry(t, i, SAFE_GPA, 16,
			  VRING_DESC_F_WRITE | (i < 64 ? VRING_DESC_F_NEXT : 0),
			  (uint16_t)(i + 1));
	set_desc(0, TABLE_GPA, 16 * 65, VRING_DESC_F_INDIRECT, 0);
	offer(0, 1);
	expect_refused("§2.7.5", "more than the 64 buffers");
}

/** D12: a chain of more than 2^32 bytes (17 buffers of 256 MiB). */
static void test_chain_over_4g(void)
{
	unsigned int i;

	harness_set_ram(256ULL << 20);
	setup();
	harness_set_ram(0);
	for (i = 0; i < 20; i++)
		set_desc(i, VLAB_RAM_BASE, 256u << 20,
			 VRING_DESC_F_WRITE | VRING_DESC_F_NEXT,
			 (uint16_t)(i + 1));
	offer(0, 1);
	expect_refused("§2.7.5.2", "longer than 2^32 bytes");
}

/** D15: queue setups the device must refuse, each on its own. */
static void test_bad_queue_setup(void)
{
	static const struct {
		uint32_t num;
		uint64_t desc, driver, device;
		const char *what;
	} bad[] = {
		{ 48, SAFE_GPA, SAFE_GPA + 0x1000, SAFE_GPA + 0x2000,
		  "size not a power of two" },
		{ 128, SAFE_GPA, SAFE_GPA + 0x1000, SAFE_GPA + 0x2000,
		  "size above QueueNumMax" },
		{ 0, SAFE_GPA, SAFE_GPA + 0x1000, SAFE_GPA + 0x2000,
		  "size 0" },
		{ 64, SAFE_GPA + 8, SAFE_GPA + 0x1000, SAFE_GPA + 0x2000,
		  "descriptor table misaligned" },
		{ 64, SAFE_GPA, SAFE_GPA + 0x1001, SAFE_GPA + 0x2000,
		  "driver area misaligned" },
		{ 64, SAFE_GPA, SAFE_GPA + 0x1000, SAFE_GPA + 0x2002,
		  "device area misaligned" },
		{ 64, 0x1000, SAFE_GPA + 0x1000, SAFE_GPA + 0x2000,
		  "descriptor table outside RAM" },
		{ 64, SAFE_GPA, SAFE_GPA + 0x1000, VLAB_RAM_BASE + (16 << 20) - 8,
		  "device area running past RAM" },
		{ 64, 0, 0, 0, "QueueReady before any address was written" },
	};
	unsigned int i;

	/* No driver: this test is the driver, writing registers itself */
	dev = harness_boot_rng(5, false);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	/* §3.1.1: features first, so each setup is refused for its own rule */
	vlab_mmio_device_write(dev, VIRTIO_MMIO_STATUS, 1, 4);
	vlab_mmio_device_write(dev, VIRTIO_MMIO_STATUS, 3, 4);
	vlab_mmio_device_write(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1, 4);
	vlab_mmio_device_write(dev, VIRTIO_MMIO_DRIVER_FEATURES, 1, 4);
	vlab_mmio_device_write(dev, VIRTIO_MMIO_STATUS, 0xb, 4);
	CU_ASSERT_EQUAL_FATAL(vlab_mmio_device_read(dev, VIRTIO_MMIO_STATUS,
						    4), 0xb);
	harness_capture_start();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vlab_mmio_device_write(dev, VIRTIO_MMIO_QUEUE_SEL, 0, 4);
		vlab_mmio_device_write(dev, VIRTIO_MMIO_QUEUE_NUM, bad[i].num, 4);
		vlab_mmio_device_write(dev, VIRTIO_MMIO_QUEUE_DESC_LOW,
				       (uint32_t)bad[i].desc, 4);
		vlab_mmio_device_write(dev, VIRTIO_MMIO_QUEUE_DESC_HIGH,
				       (uint32_t)(bad[i].desc >> 32), 4);
		vlab_mmio_device_write(dev, VIRTIO_MMIO_QUEUE_AVAIL_LOW,
				       (uint32_t)bad[i].driver, 4);
		vlab_mmio_device_write(dev, VIRTIO_MMIO_QUEUE_AVAIL_HIGH,
				       (uint32_t)(bad[i].driver >> 32), 4);
		vlab_mmio_device_write(dev, VIRTIO_MMIO_QUEUE_USED_LOW,
				       (uint32_t)bad[i].device, 4);
		vlab_mmio_device_write(dev, VIRTIO_MMIO_QUEUE_USED_HIGH,
				       (uint32_t)(bad[i].device >> 32), 4);
		vlab_mmio_device_write(dev, VIRTIO_MMIO_QUEUE_READY, 1, 4);
		if (vlab_mmio_device_read(dev, VIRTIO_MMIO_QUEUE_READY, 4))
			printf("\n    accepted: %s\n", bad[i].what);
		CU_ASSERT_EQUAL(vlab_mmio_device_read(dev,
				VIRTIO_MMIO_QUEUE_READY, 4), 0);
	}
	harness_capture_stop();
	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_QUEUE_REFUSED),
			sizeof(bad) / sizeof(bad[0]));
	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_QUEUE_SETUP), 0);
	harness_shutdown();
}

/**
 * manual_setup() - bring the device up by hand to FEATURES_OK and set up
 * queue 0 at SAFE_GPA, as a driver would (§3.1.1, §4.2.3.2).
 * @param d the device.
 */
static void manual_setup(struct vlab_device *d)
{
	vlab_mmio_device_write(d, VIRTIO_MMIO_STATUS, 1, 4);
	vlab_mmio_device_write(d, VIRTIO_MMIO_STATUS, 3, 4);
	vlab_mmio_device_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1, 4);
	vlab_mmio_device_write(d, VIRTIO_MMIO_DRIVER_FEATURES, 1, 4);
	vlab_mmio_device_write(d, VIRTIO_MMIO_STATUS, 0xb, 4);
	vlab_mmio_device_write(d, VIRTIO_MMIO_QUEUE_SEL, 0, 4);
	vlab_mmio_device_write(d, VIRTIO_MMIO_QUEUE_NUM, 64, 4);
	vlab_mmio_device_write(d, VIRTIO_MMIO_QUEUE_DESC_LOW,
			       (uint32_t)SAFE_GPA, 4);
	vlab_mmio_device_write(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW,
			       (uint32_t)(SAFE_GPA + 0x1000), 4);
	vlab_mmio_device_write(d, VIRTIO_MMIO_QUEUE_USED_LOW,
			       (uint32_t)(SAFE_GPA + 0x2000), 4);
	vlab_mmio_device_write(d, VIRTIO_MMIO_QUEUE_READY, 1, 4);
}

/**
 * D13: a device holds all 64 buffers; the driver offers one more by
 * re-using a head: refused, not queued without bound.
 */
static void test_too_many_in_flight(void)
{
	static struct vlab_loopback lb;
	struct vring_avail *a;
	unsigned int i;

	memset(&lb, 0, sizeof(lb));
	lb.hold = true;
	dev = harness_boot(&vlab_loopback_model, &lb, "loop0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	manual_setup(dev);
	vlab_mmio_device_write(dev, VIRTIO_MMIO_STATUS, 0xf, 4);
	harness_capture_start();
	a = dev->vqs[0].split.avail;
	for (i = 0; i < 64; i++) {
		set_desc(i, SAFE_GPA + 0x4000, 16, VRING_DESC_F_WRITE, 0);
		a->ring[i] = htole16((uint16_t)i);
	}
	__atomic_store_n(&a->idx, htole16(64), __ATOMIC_RELEASE);
	vlab_mmio_device_write(dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0, 4);
	vlab_device_wait_idle(dev);
	CU_ASSERT_EQUAL(dev->vqs[0].inflight, 64);
	CU_ASSERT_FALSE(harness_dev_has_error(dev));
	/* A 65th, though the driver owns no free descriptor: head 0 again */
	offer(0, 65);
	expect_refused("§2.7.6", "more than 64 buffers in flight");
}

/**
 * D17: a driver that skips DRIVER_OK: its queue is set up and holds a
 * buffer, but the notification is ignored and nothing is processed.
 */
static void test_before_driver_ok(void)
{
	struct vlab_vq *vq;

	dev = harness_boot_rng(5, false);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	/* §3.1.1 up to FEATURES_OK and the queue, but no DRIVER_OK */
	manual_setup(dev);
	CU_ASSERT_EQUAL(vlab_mmio_device_read(dev, VIRTIO_MMIO_STATUS, 4), 0xb);
	CU_ASSERT_EQUAL_FATAL(vlab_mmio_device_read(dev,
				VIRTIO_MMIO_QUEUE_READY, 4), 1);
	vq = &dev->vqs[0];
	harness_capture_start();
	set_desc(0, SAFE_GPA + 0x4000, 16, VRING_DESC_F_WRITE, 0);
	offer(0, 1);
	harness_capture_stop();
	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_NOTIFY_IGNORED), 1);
	CU_ASSERT_PTR_NOT_NULL(ignored_because("before DRIVER_OK"));
	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_POP), 0);
	CU_ASSERT_EQUAL(vq->split.used_idx, 0);
	CU_ASSERT_FALSE(harness_dev_has_error(dev));
	harness_shutdown();
}

/** A packed ring with indirect descriptors offered. */
static const struct harness_cfg packed_cfg = {
	"packed, indirect", true, true, false
};

/**
 * set_pdesc() - write one packed descriptor, available in the first lap
 * (AVAIL set, USED clear: both wrap counters start at 1).
 * @param i ring position.
 * @param addr buffer address.
 * @param len buffer length.
 * @param flags NEXT/WRITE/INDIRECT.
 */
static void set_pdesc(unsigned int i, uint64_t addr, uint32_t len,
		      uint16_t flags)
{
	struct vring_packed_desc *d = &dev->vqs[0].packed.desc[i];

	d->addr = htole64(addr);
	d->len = htole32(len);
	d->id = htole16(7);
	__atomic_store_n(&d->flags, htole16(flags | VRING_PACKED_F_AVAIL),
			 __ATOMIC_RELEASE);
}

/**
 * setup_packed() - the rng driver bound on a packed ring.
 */
static void setup_packed(void)
{
	setup_with(&packed_cfg);
	CU_ASSERT_TRUE_FATAL(dev->vqs[0].packed_ring);
}

/**
 * notify_packed() - the hostile driver kicks queue 0.
 */
static void notify_packed(void)
{
	vlab_mmio_device_write(dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0, 4);
}

/** Packed D9: a buffer outside guest RAM. */
static void test_packed_outside_ram(void)
{
	setup_packed();
	set_pdesc(0, 0x1000, 16, VRING_DESC_F_WRITE);
	notify_packed();
	expect_refused("§2.8.4", "outside guest RAM");
}

/** Packed D10: a zero-length buffer. */
static void test_packed_zero_length(void)
{
	setup_packed();
	set_pdesc(0, SAFE_GPA, 0, VRING_DESC_F_WRITE);
	notify_packed();
	expect_refused("§2.8.4", "length 0");
}

/** Packed D8: a readable element after a writable one. */
static void test_packed_readable_after_writable(void)
{
	setup_packed();
	set_pdesc(1, SAFE_GPA, 16, 0);
	set_pdesc(0, SAFE_GPA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT);
	notify_packed();
	expect_refused("§2.8.17", "follows a device-writable");
}

/** Packed D4: a list that never ends (NEXT all the way round). */
static void test_packed_endless_list(void)
{
	unsigned int i;

	setup_packed();
	for (i = 63; i > 0; i--)
		set_pdesc(i, SAFE_GPA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT);
	set_pdesc(0, SAFE_GPA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT);
	notify_packed();
	expect_refused("§2.8.17", "longer than the queue size");
}

/** Packed D7: INDIRECT inside a list linked by NEXT. */
static void test_packed_indirect_in_list(void)
{
	setup_packed();
	set_pdesc(1, TABLE_GPA, 32, VRING_DESC_F_INDIRECT);
	set_pdesc(0, SAFE_GPA, 16, VRING_DESC_F_NEXT);
	notify_packed();
	expect_refused("§2.8.19", "INDIRECT inside a list");
}

/** Packed D5: an indirect table that is not a multiple of 16 bytes. */
static void test_packed_indirect_bad_length(void)
{
	setup_packed();
	set_pdesc(0, TABLE_GPA, 24, VRING_DESC_F_INDIRECT);
	notify_packed();
	expect_refused("§2.8.7", "not a positive multiple of 16");
}

/**
 * Packed indirect tables: flags other than WRITE are ignored by the
 * device (§2.8.7), so a nested INDIRECT there is not an error.
 */
static void test_packed_indirect_flags_ignored(void)
{
	struct vring_packed_desc *t;

	setup_packed();
	/* A packed table holds packed descriptors: {addr, len, id, flags} */
	t = vlab_ram_ptr(dev->ram, TABLE_GPA, 2 * sizeof(*t));
	t[0].addr = htole64(SAFE_GPA);
	t[0].len = htole32(16);
	t[0].id = htole16(0);
	t[0].flags = htole16(VRING_DESC_F_WRITE | VRING_DESC_F_INDIRECT |
			     VRING_DESC_F_NEXT);
	t[1].addr = htole64(SAFE_GPA + 16);
	t[1].len = htole32(16);
	t[1].id = htole16(0);
	t[1].flags = htole16(VRING_DESC_F_WRITE);
	set_pdesc(0, TABLE_GPA, 32, VRING_DESC_F_INDIRECT);
	notify_packed();
	CU_ASSERT_TRUE(harness_wait_value(&dev->vqs[0].stats.chains, 1));
	vlab_device_wait_idle(dev);
	CU_ASSERT_FALSE(harness_dev_has_error(dev));
	/* The device marked descriptor 0 used, in lap 1 */
	CU_ASSERT_EQUAL(le16toh(dev->vqs[0].packed.desc[0].flags),
			VRING_PACKED_F_AVAIL | VRING_PACKED_F_USED);
	CU_ASSERT_EQUAL(le32toh(dev->vqs[0].packed.desc[0].len), 32);
	harness_shutdown();
}

/** D14: a notification for a queue that does not exist is ignored. */
static void test_notify_missing_queue(void)
{
	uint32_t status;

	setup();
	vlab_mmio_device_write(dev, VIRTIO_MMIO_QUEUE_NOTIFY, 7, 4);
	harness_capture_stop();
	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_NOTIFY_IGNORED), 1);
	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_NOTIFY), 0);
	CU_ASSERT_PTR_NOT_NULL(ignored_because("no such queue"));
	status = (uint32_t)vlab_mmio_device_read(dev, VIRTIO_MMIO_STATUS, 4);
	CU_ASSERT_FALSE(status & VIRTIO_CONFIG_S_NEEDS_RESET);
	CU_ASSERT_EQUAL(dev->errors, 0);
	harness_shutdown();
}

/** After an error the queue is ignored until the driver resets. */
static void test_ignored_until_reset(void)
{
	setup();
	set_desc(0, 0x1000, 16, VRING_DESC_F_WRITE, 0);
	offer(0, 1);
	CU_ASSERT_TRUE_FATAL(harness_wait(harness_dev_has_error, dev));
	/* A well-formed chain now: still not processed */
	set_desc(1, SAFE_GPA, 16, VRING_DESC_F_WRITE, 0);
	dev->vqs[0].split.avail->ring[1] = htole16(1);
	__atomic_store_n(&dev->vqs[0].split.avail->idx, htole16(2),
			 __ATOMIC_RELEASE);
	vlab_mmio_device_write(dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0, 4);
	harness_capture_stop();
	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_POP), 0);
	/* The first notification was taken, the second ignored */
	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_NOTIFY), 1);
	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_NOTIFY_IGNORED), 1);
	CU_ASSERT_PTR_NOT_NULL(ignored_because("needs reset"));
	/* The reset clears DEVICE_NEEDS_RESET */
	vlab_mmio_device_write(dev, VIRTIO_MMIO_STATUS, 0, 4);
	CU_ASSERT_EQUAL(vlab_mmio_device_read(dev, VIRTIO_MMIO_STATUS, 4), 0);
	harness_shutdown();
}

/**
 * main() - run the device-side validation suite.
 * @return 0 when every test passed.
 */
int main(void)
{
	static CU_TestInfo tests[] = {
		{ "D9 buffer outside guest RAM", test_desc_outside_ram },
		{ "D9 buffer running past the end of RAM", test_desc_past_ram_end },
		{ "D9 buffer address wrapping 2^64", test_desc_wraps },
		{ "D9 guest RAM translation edges", test_ram_translation },
		{ "D2 head index >= queue size", test_head_out_of_range },
		{ "D1 avail idx jumps past the queue size", test_avail_idx_jump },
		{ "D3 next >= queue size", test_next_out_of_range },
		{ "D4 descriptor loop", test_chain_loop },
		{ "D8 readable after writable", test_readable_after_writable },
		{ "D10 zero-length buffer", test_zero_length },
		{ "INDIRECT flag not negotiated", test_indirect_not_negotiated },
		{ "indirect table accepted when well formed", test_indirect_ok },
		{ "D5 indirect table length not a multiple of 16",
		  test_indirect_bad_length },
		{ "D5 indirect table of length 0", test_indirect_empty },
		{ "D6 nested indirect table", test_indirect_nested },
		{ "D7 INDIRECT with NEXT", test_indirect_and_next },
		{ "D3 next beyond an indirect table",
		  test_indirect_next_out_of_table },
		{ "D4 loop inside an indirect table", test_indirect_loop },
		{ "D9 indirect table outside guest RAM",
		  test_indirect_table_outside_ram },
		{ "D11 more buffers than the device accepts",
		  test_too_many_segments },
		{ "D12 chain longer than 2^32 bytes", test_chain_over_4g },
		{ "D13 more buffers in flight than the queue size",
		  test_too_many_in_flight },
		{ "D15 bad queue setups are refused", test_bad_queue_setup },
		{ "D17 notification before DRIVER_OK is ignored",
		  test_before_driver_ok },
		{ "packed: D9 buffer outside guest RAM", test_packed_outside_ram },
		{ "packed: D10 zero-length buffer", test_packed_zero_length },
		{ "packed: D8 readable after writable",
		  test_packed_readable_after_writable },
		{ "packed: D4 list with no end", test_packed_endless_list },
		{ "packed: D7 INDIRECT inside a NEXT list",
		  test_packed_indirect_in_list },
		{ "packed: D5 indirect table length",
		  test_packed_indirect_bad_length },
		{ "packed: flags in an indirect table other than WRITE ignored",
		  test_packed_indirect_flags_ignored },
		{ "D14 notify for a missing queue is ignored",
		  test_notify_missing_queue },
		{ "queue ignored after an error until reset",
		  test_ignored_until_reset },
		CU_TEST_INFO_NULL,
	};

	return harness_run_suite("device refuses malformed rings", tests);
}
