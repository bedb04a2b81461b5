// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Virtqueue units, split and packed, driven the way a driver drives
 * them.
 *
 * This suite is kernel code: it is compiled against virtio/include like
 * driver/, registers a small virtio driver for the loopback test device,
 * and calls virtqueue_add_sgs(), virtqueue_kick() and virtqueue_get_buf()
 * itself. The loopback device copies each request's readable bytes into
 * its writable buffers, so every result can be checked byte for byte.
 */
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include <linux/virtio_mmio.h>

#include "sim/loopback.h"
#include "virtio/shared/vring_packed.h"
#include "sim/trace.h"
#include "tests/harness.h"
#include "virtio/shared/boundary.h"

/** The loopback device, as the in-test driver sees it. */
static struct virtio_device *tvdev;
/** Its queue. */
static struct virtqueue *tvq;
/** What the loopback device saw. */
static struct vlab_loopback lb;
/** The loopback device, as the simulator sees it. */
static struct vlab_device *ldev;
/** Callbacks that ran (the tests poll; this only counts). */
static unsigned long callbacks;
/** config_changed() calls. */
static unsigned long config_changes;
/** Called in probe before DRIVER_OK, when a test sets it. */
static void (*probe_hook)(struct virtio_device *vdev);

/**
 * ringtest_done() - the queue's callback. It only counts: the tests poll
 * with virtqueue_get_buf() and count interrupts at the device.
 * @param vq the queue.
 */
static void ringtest_done(struct virtqueue *vq)
{
	(void)vq;
	__atomic_fetch_add(&callbacks, 1, __ATOMIC_RELAXED);
}

/**
 * ringtest_config_changed() - the device says its configuration changed.
 * @param vdev the device.
 */
static void ringtest_config_changed(struct virtio_device *vdev)
{
	(void)vdev;
	__atomic_fetch_add(&config_changes, 1, __ATOMIC_RELAXED);
}

/**
 * ring_descs_for() - ring descriptors a request of @p n buffers takes.
 * @param n buffers in the request.
 * @return 1 with indirect tables (for n > 1), else n.
 */
static unsigned int ring_descs_for(unsigned int n)
{
	return harness_cfg()->indirect && n > 1 ? 1 : n;
}

/**
 * ringtest_probe() - take the loopback device's queue. The tests poll with
 * virtqueue_get_buf(); the callback only counts interrupts.
 * @param vdev the device.
 * @return 0 or a negative errno.
 */
static int ringtest_probe(struct virtio_device *vdev)
{
	struct virtqueue *vq = virtio_find_single_vq(vdev, ringtest_done,
						     "loop");

	if (IS_ERR(vq))
		return PTR_ERR(vq);
	tvdev = vdev;
	tvq = vq;
	if (probe_hook)
		probe_hook(vdev);
	virtio_device_ready(vdev);
	return 0;
}

/**
 * ringtest_remove() - reset, reclaim, delete.
 * @param vdev the device.
 */
static void ringtest_remove(struct virtio_device *vdev)
{
	virtio_reset_device(vdev);
	while (virtqueue_detach_unused_buf(tvq))
		;
	vdev->config->del_vqs(vdev);
	tvq = NULL;
	tvdev = NULL;
}

/** The loopback device only. */
static const struct virtio_device_id ringtest_ids[] = {
	{ VLAB_ID_LOOPBACK, VIRTIO_DEV_ANY_ID },
	{ 0 },
};

/** The in-test driver. */
static struct virtio_driver ringtest_driver = {
	.driver.name = KBUILD_MODNAME,
	.id_table = ringtest_ids,
	.probe = ringtest_probe,
	.remove = ringtest_remove,
	.config_changed = ringtest_config_changed,
};

module_virtio_driver(ringtest_driver);

/**
 * setup() - a machine with the loopback device and this driver bound.
 */
static void setup(void)
{
	memset(&lb, 0, sizeof(lb));
	__atomic_store_n(&callbacks, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&config_changes, 0, __ATOMIC_RELAXED);
	ldev = harness_boot(&vlab_loopback_model, &lb, "loop0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ldev);
	CU_ASSERT_EQUAL_FATAL(guest_module_load(KBUILD_MODNAME), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tvq);
}

/**
 * wait_buf() - poll for the next used buffer (gives up at once when the
 * queue is broken, else after about 20 million tries).
 * @param len receives its length.
 * @return its token, or NULL on timeout.
 */
static void *wait_buf(unsigned int *len)
{
	unsigned long spins;
	void *token;

	for (spins = 0; spins < 20000000UL; spins++) {
		token = virtqueue_get_buf(tvq, len);
		if (token)
			return token;
		if (virtqueue_is_broken(tvq))
			return NULL;
		sched_yield();
	}
	return NULL;
}

/** One readable plus one writable buffer: the bytes come back. */
static void test_add_get_roundtrip(void)
{
	struct scatterlist out, in, *sgs[2] = { &out, &in };
	char *tx, *rx;
	unsigned int len = 0;

	setup();
	tx = kmalloc(16, GFP_KERNEL);
	rx = kzalloc(16, GFP_KERNEL);
	memcpy(tx, "hello, virtio!!", 16);
	sg_init_one(&out, tx, 16);
	sg_init_one(&in, rx, 16);
	CU_ASSERT_EQUAL(virtqueue_add_sgs(tvq, sgs, 1, 1, tx, GFP_KERNEL), 0);
	CU_ASSERT_EQUAL(tvq->num_free, 64 - ring_descs_for(2));
	CU_ASSERT_TRUE(virtqueue_kick(tvq));
	CU_ASSERT_PTR_EQUAL(wait_buf(&len), tx);
	CU_ASSERT_EQUAL(len, 16);
	CU_ASSERT_EQUAL(memcmp(rx, "hello, virtio!!", 16), 0);
	CU_ASSERT_EQUAL(tvq->num_free, 64);
	CU_ASSERT_PTR_NULL(virtqueue_get_buf(tvq, &len));
	kfree(tx);
	kfree(rx);
	harness_shutdown();
}

/** A full ring refuses with -ENOSPC and touches nothing; draining frees it. */
static void test_queue_full(void)
{
	struct scatterlist sg[2];
	unsigned int i, len;
	char *buf;

	setup();
	buf = kzalloc(64 * 8, GFP_KERNEL);
	CU_ASSERT_EQUAL(virtqueue_get_vring_size(tvq), 64);
	for (i = 0; i < 64; i++) {
		sg_init_one(&sg[0], buf + i * 8, 8);
		CU_ASSERT_EQUAL(virtqueue_add_inbuf(tvq, sg, 1, buf + i * 8,
						    GFP_KERNEL), 0);
	}
	CU_ASSERT_EQUAL(tvq->num_free, 0);
	sg_init_one(&sg[0], buf, 8);
	CU_ASSERT_EQUAL(virtqueue_add_inbuf(tvq, sg, 1, buf, GFP_KERNEL),
			-ENOSPC);
	CU_ASSERT_TRUE(virtqueue_kick(tvq));
	for (i = 0; i < 64; i++)
		CU_ASSERT_PTR_EQUAL(wait_buf(&len), buf + i * 8);
	CU_ASSERT_EQUAL(tvq->num_free, 64);

	/*
	 * With one descriptor left, a two-buffer request fits only as an
	 * indirect table (one ring descriptor); without, it is -ENOSPC.
	 */
	for (i = 0; i < 63; i++) {
		sg_init_one(&sg[0], buf + i * 8, 8);
		CU_ASSERT_EQUAL(virtqueue_add_inbuf(tvq, sg, 1, buf + i * 8,
						    GFP_KERNEL), 0);
	}
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], buf, 4);
	sg_set_buf(&sg[1], buf + 4, 4);
	if (harness_cfg()->indirect) {
		CU_ASSERT_EQUAL(virtqueue_add_inbuf(tvq, sg, 2, buf, GFP_KERNEL),
				0);
		CU_ASSERT_EQUAL(tvq->num_free, 0);
	} else {
		CU_ASSERT_EQUAL(virtqueue_add_inbuf(tvq, sg, 2, buf, GFP_KERNEL),
				-ENOSPC);
		CU_ASSERT_EQUAL(tvq->num_free, 1);
	}
	kfree(buf);
	harness_shutdown();
}

/** 70016 requests: both 16-bit indices wrap past 65535, nothing lost. */
static void test_index_wrap(void)
{
	struct scatterlist out, in, *sgs[2] = { &out, &in };
	u32 *tx, *rx;
	unsigned int i, j, len, batch = 32, total = 2188 * batch;
	unsigned long done = 0;
	bool ok = true;
	void *token;

	setup();
	tx = kcalloc(batch, sizeof(*tx), GFP_KERNEL);
	rx = kcalloc(batch, sizeof(*rx), GFP_KERNEL);
	for (i = 0; i < total; i += batch) {
		for (j = 0; j < batch; j++) {
			tx[j] = i + j;
			rx[j] = 0;
			sg_init_one(&out, &tx[j], sizeof(u32));
			sg_init_one(&in, &rx[j], sizeof(u32));
			ok &= virtqueue_add_sgs(tvq, sgs, 1, 1, &tx[j],
						GFP_KERNEL) == 0;
		}
		ok &= virtqueue_kick(tvq);
		for (j = 0; j < batch; j++) {
			token = wait_buf(&len);
			/* The loopback device completes in order */
			ok &= token == &tx[j] && len == sizeof(u32);
			ok &= rx[j] == i + j;
			done++;
		}
		if (!ok) {
			printf("\n    stopped at request %u (len %u, rx %u)\n",
			       i + j, len, j < batch ? rx[j] : 0);
			break;
		}
	}
	CU_ASSERT_TRUE(ok);
	/*
	 * Interrupts raced with this thread's get_buf the whole time: the
	 * handler must never have mistaken that for a misbehaving device.
	 */
	CU_ASSERT_FALSE(virtqueue_is_broken(tvq));
	CU_ASSERT_EQUAL(done, total);
	CU_ASSERT_EQUAL(tvq->num_free, 64);
	/* The device's own counters: read them once its thread is idle */
	vlab_device_wait_idle(ldev);
	if (harness_cfg()->packed) {
		/*
		 * Packed: 2188 or 4376 laps of the 64-entry ring; both wrap
		 * counters flipped once per lap, so they are back at 1 and
		 * both positions are at 0 (§2.8.1).
		 */
		unsigned long descs = (unsigned long)total * ring_descs_for(2);

		CU_ASSERT_EQUAL(descs % 64, 0);
		CU_ASSERT_EQUAL(ldev->vqs[0].packed.next_avail, 0);
		CU_ASSERT_EQUAL(ldev->vqs[0].packed.next_used, 0);
		CU_ASSERT_EQUAL(ldev->vqs[0].packed.avail_wrap,
				(descs / 64) % 2 == 0);
		CU_ASSERT_EQUAL(ldev->vqs[0].packed.used_wrap,
				(descs / 64) % 2 == 0);
	} else {
		/* 70016 mod 65536 = 4480 on both rings */
		CU_ASSERT_EQUAL(ldev->vqs[0].split.used_idx, (u16)total);
		CU_ASSERT_EQUAL(ldev->vqs[0].split.last_avail_idx, (u16)total);
	}
	CU_ASSERT_EQUAL(__atomic_load_n(&lb.chains, __ATOMIC_RELAXED), total);
	kfree(tx);
	kfree(rx);
	harness_shutdown();
}

/** After a reset, buffers the device never used come back through detach. */
static void test_detach_unused(void)
{
	struct scatterlist sg;
	unsigned int i, found = 0;
	char *buf;
	void *token;

	setup();
	buf = kzalloc(5 * 8, GFP_KERNEL);
	for (i = 0; i < 5; i++) {
		sg_init_one(&sg, buf + i * 8, 8);
		CU_ASSERT_EQUAL(virtqueue_add_inbuf(tvq, &sg, 1, buf + i * 8,
						    GFP_KERNEL), 0);
	}
	/* Never kicked: the device has seen none of them */
	virtio_reset_device(tvdev);
	while ((token = virtqueue_detach_unused_buf(tvq))) {
		CU_ASSERT((char *)token >= buf && (char *)token < buf + 40);
		found++;
	}
	CU_ASSERT_EQUAL(found, 5);
	CU_ASSERT_EQUAL(tvq->num_free, 64);
	CU_ASSERT_EQUAL(__atomic_load_n(&lb.chains, __ATOMIC_RELAXED), 0);
	kfree(buf);
	harness_shutdown();
}

/** add_sgs with two readable and two writable lists: framing and bytes. */
static void test_add_sgs_out_in(void)
{
	struct scatterlist o1, o2, i1, i2, *sgs[4] = { &o1, &o2, &i1, &i2 };
	char *a, *b, *c, *d;
	unsigned int len = 0;

	setup();
	a = kmalloc(10, GFP_KERNEL);
	b = kmalloc(6, GFP_KERNEL);
	c = kzalloc(8, GFP_KERNEL);
	d = kzalloc(8, GFP_KERNEL);
	memcpy(a, "0123456789", 10);
	memcpy(b, "abcdef", 6);
	sg_init_one(&o1, a, 10);
	sg_init_one(&o2, b, 6);
	sg_init_one(&i1, c, 8);
	sg_init_one(&i2, d, 8);
	CU_ASSERT_EQUAL(virtqueue_add_sgs(tvq, sgs, 2, 2, a, GFP_KERNEL), 0);
	CU_ASSERT_EQUAL(tvq->num_free, 64 - ring_descs_for(4));
	virtqueue_kick(tvq);
	CU_ASSERT_PTR_EQUAL(wait_buf(&len), a);
	CU_ASSERT_EQUAL(len, 16);
	/* The device saw 4 buffers: 16 readable bytes, then 16 writable */
	CU_ASSERT_EQUAL(lb.last_nseg, 4);
	CU_ASSERT_EQUAL(lb.last_out, 16);
	CU_ASSERT_EQUAL(lb.last_in, 16);
	CU_ASSERT_EQUAL(memcmp(c, "01234567", 8), 0);
	CU_ASSERT_EQUAL(memcmp(d, "89abcdef", 8), 0);
	kfree(a);
	kfree(b);
	kfree(c);
	kfree(d);
	harness_shutdown();
}

/** A stack buffer is not DMA-able: reported as a driver bug, refused. */
static void test_stack_buffer_reported(void)
{
	struct scatterlist sg;
	u8 on_stack[16];
	unsigned long warnings;

	setup();
	warnings = guest_kernel_warnings();
	sg_init_one(&sg, on_stack, sizeof(on_stack));
	CU_ASSERT_EQUAL(virtqueue_add_inbuf(tvq, &sg, 1, on_stack, GFP_KERNEL),
			-EFAULT);
	CU_ASSERT_EQUAL(guest_kernel_warnings(), warnings + 1);
	CU_ASSERT_TRUE(guest_dmesg_contains("is not kmalloc'd guest memory"));
	/* The ring is untouched */
	CU_ASSERT_EQUAL(tvq->num_free, 64);
	if (harness_cfg()->packed) {
		CU_ASSERT_EQUAL(ldev->vqs[0].packed.desc[0].flags, 0);
	} else {
		CU_ASSERT_EQUAL(ldev->vqs[0].split.avail->idx, 0);
	}
	harness_shutdown();
}

/** A request of many buffers: one table entry each, or one ring slot each. */
static void test_indirect_table(void)
{
	struct scatterlist sg[8];
	const struct captured_event *ev;
	size_t n, i, ring = 0, table = 0, before;
	unsigned int len;
	char *buf;

	setup();
	buf = kzalloc(8 * 16, GFP_KERNEL);
	sg_init_table(sg, 8);
	for (i = 0; i < 8; i++)
		sg_set_buf(&sg[i], buf + i * 16, 16);
	before = guest_mem_in_use();
	harness_capture_start();
	CU_ASSERT_EQUAL(virtqueue_add_inbuf(tvq, sg, 8, buf, GFP_KERNEL), 0);
	harness_capture_stop();
	ev = harness_captured(&n);
	for (i = 0; i < n; i++)
		if (ev[i].kind == VLAB_EV_DESC_ADD) {
			if (ev[i].ev.desc.table)
				table++;
			else
				ring++;
		}
	CU_ASSERT_EQUAL(ring, ring_descs_for(8));
	CU_ASSERT_EQUAL(table, harness_cfg()->indirect ? 8 : 0);
	CU_ASSERT_EQUAL(tvq->num_free, 64 - ring_descs_for(8));
	/* The table is kmalloc'd guest memory: 8 * 16 bytes */
	CU_ASSERT_EQUAL(guest_mem_in_use() - before,
			harness_cfg()->indirect ? 128 : 0);
	memset(buf, 0, 128);
	virtqueue_kick(tvq);
	CU_ASSERT_PTR_EQUAL(wait_buf(&len), buf);
	/* Nothing readable: the loopback device wrote nothing */
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_EQUAL(lb.last_nseg, 8);
	CU_ASSERT_EQUAL(lb.last_in, 128);
	/* get_buf freed the table with the request */
	CU_ASSERT_EQUAL(guest_mem_in_use(), before);
	CU_ASSERT_EQUAL(tvq->num_free, 64);
	kfree(buf);
	harness_shutdown();
}

/**
 * one_request() - add one readable+writable request, kick, let the device
 * finish, then take the request back.
 * @param buf 16 bytes of guest memory.
 * @return true when it came back.
 *
 * The device decides about the interrupt before the buffer is taken:
 * with EVENT_IDX a driver that already took the buffer has moved
 * used_event past it, and the device rightly sends no interrupt at all.
 */
static bool one_request(char *buf)
{
	struct scatterlist out, in, *sgs[2] = { &out, &in };
	unsigned int len;

	sg_init_one(&out, buf, 8);
	sg_init_one(&in, buf + 8, 8);
	if (virtqueue_add_sgs(tvq, sgs, 1, 1, buf, GFP_KERNEL))
		return false;
	virtqueue_kick(tvq);
	vlab_device_wait_idle(ldev);
	return virtqueue_get_buf(tvq, &len) == buf;
}

/**
 * disable_cb stops interrupts (flag or used_event); enable_cb restores
 * them. Counted at the device, where the decision is made: the callback
 * itself may find nothing to do when this thread got the buffer first.
 */
static void test_callback_suppression(void)
{
	char *buf;
	int i;

	setup();
	buf = kzalloc(16, GFP_KERNEL);
	/* Enabled: the used buffer is signalled */
	harness_capture_start();
	CU_ASSERT_TRUE(one_request(buf));
	harness_capture_stop();
	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_IRQ), 1);
	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_IRQ_SUPPRESSED), 0);

	/* Disabled: the device sees the wish and does not interrupt */
	virtqueue_disable_cb(tvq);
	harness_capture_start();
	for (i = 0; i < 5; i++)
		CU_ASSERT_TRUE(one_request(buf));
	harness_capture_stop();
	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_IRQ), 0);
	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_IRQ_SUPPRESSED), 5);

	/* Enabled again: nothing pending, so enable_cb says true */
	harness_capture_start();
	CU_ASSERT_TRUE(virtqueue_enable_cb(tvq));
	CU_ASSERT_TRUE(one_request(buf));
	harness_capture_stop();
	CU_ASSERT_EQUAL(harness_count_kind(VLAB_EV_IRQ), 1);
	kfree(buf);
	harness_shutdown();
}

/** enable_cb reports buffers used while callbacks were off. */
static void test_enable_cb_sees_pending(void)
{
	struct scatterlist sg;
	unsigned int len;
	char *buf;

	setup();
	buf = kzalloc(8, GFP_KERNEL);
	virtqueue_disable_cb(tvq);
	sg_init_one(&sg, buf, 8);
	CU_ASSERT_EQUAL(virtqueue_add_inbuf(tvq, &sg, 1, buf, GFP_KERNEL), 0);
	virtqueue_kick(tvq);
	CU_ASSERT_TRUE(harness_wait_value(&lb.chains, 1));
	/* Used while disabled: enable_cb must say "drain first" */
	CU_ASSERT_FALSE(virtqueue_enable_cb(tvq));
	CU_ASSERT_PTR_EQUAL(virtqueue_get_buf(tvq, &len), buf);
	CU_ASSERT_TRUE(virtqueue_enable_cb(tvq));
	kfree(buf);
	harness_shutdown();
}

/**
 * D16: the driver (here, the fault) rewrites each descriptor right after
 * the device read it. A device that read twice would use the second,
 * outside-RAM address; this one uses its checked copy, so the request
 * completes normally.
 */
static void test_no_double_fetch(void)
{
	char *buf;

	setup();
	buf = kzalloc(16, GFP_KERNEL);
	ldev->faults.rewrite_after_read = true;
	CU_ASSERT_TRUE(one_request(buf));
	CU_ASSERT_FALSE(virtqueue_is_broken(tvq));
	pthread_mutex_lock(&ldev->lock);
	CU_ASSERT_EQUAL(ldev->errors, 0);
	pthread_mutex_unlock(&ldev->lock);
	ldev->faults.rewrite_after_read = false;
	kfree(buf);
	harness_shutdown();
}

/** The packed ring's event rule: offset and wrap counter, across laps. */
static void test_packed_event_math(void)
{
	/* Event at 5, same lap: due when the index moves from 5 to 6 */
	CU_ASSERT_TRUE(vring_packed_event_needed(5 | 1u << 15, true, 6, 5, 64));
	CU_ASSERT_FALSE(vring_packed_event_needed(5 | 1u << 15, true, 5, 4, 64));
	/* Event at 62 in the previous lap (wrap 0); we wrapped to lap 1 */
	CU_ASSERT_TRUE(vring_packed_event_needed(62, true, 2, (u16)(2 - 6), 64));
	CU_ASSERT_FALSE(vring_packed_event_needed(62, true, 2, 1, 64));
	/* Event at 3 of the current lap (wrap 1), index moved 60 -> 4 */
	CU_ASSERT_TRUE(vring_packed_event_needed(3 | 1u << 15, true, 4,
						 (u16)(4 - 8), 64));
	/* Wrap counters advance with the index (vring_packed_advance) */
	{
		u16 idx = 62;
		bool wrap = true;

		vring_packed_advance(&idx, &wrap, 3, 64);
		CU_ASSERT_EQUAL(idx, 1);
		CU_ASSERT_FALSE(wrap);
		vring_packed_advance(&idx, &wrap, 63, 64);
		CU_ASSERT_EQUAL(idx, 0);
		CU_ASSERT_TRUE(wrap);
	}
	/* Available and used, by lap */
	CU_ASSERT_TRUE(vring_packed_is_avail(VRING_PACKED_F_AVAIL, true));
	CU_ASSERT_TRUE(vring_packed_is_avail(VRING_PACKED_F_USED, false));
	CU_ASSERT_FALSE(vring_packed_is_avail(0, true));
	CU_ASSERT_TRUE(vring_packed_is_used(VRING_PACKED_F_AVAIL |
					    VRING_PACKED_F_USED, true));
	CU_ASSERT_TRUE(vring_packed_is_used(0, false));
	CU_ASSERT_FALSE(vring_packed_is_used(VRING_PACKED_F_AVAIL, true));
}

/** vring_need_event(): the 16-bit window arithmetic, across the wrap. */
static void test_need_event_math(void)
{
	/* used_event 5: interrupt once entry 5 is written (idx 5 -> 6) */
	CU_ASSERT_FALSE(vring_need_event(5, 5, 4));
	CU_ASSERT_TRUE(vring_need_event(5, 6, 5));
	CU_ASSERT_TRUE(vring_need_event(5, 9, 3));
	CU_ASSERT_FALSE(vring_need_event(5, 9, 6));
	/* Across 65535 -> 0 */
	CU_ASSERT_TRUE(vring_need_event(65535, 0, 65535));
	CU_ASSERT_TRUE(vring_need_event(65533, 4, 65530));
	CU_ASSERT_FALSE(vring_need_event(10, 4, 65530));
	CU_ASSERT_TRUE(vring_need_event(2, 4, 65530));
	/* No movement: never */
	CU_ASSERT_FALSE(vring_need_event(7, 7, 7));
	/* "As far behind as it goes" (disable_cb with EVENT_IDX) */
	CU_ASSERT_FALSE(vring_need_event((u16)(100 - 1), 164, 100));
}

/**
 * add_one() - offer one 8-byte device-writable buffer and kick.
 * @param buf guest memory.
 */
static void add_one(char *buf)
{
	struct scatterlist sg;

	sg_init_one(&sg, buf, 8);
	CU_ASSERT_EQUAL(virtqueue_add_inbuf(tvq, &sg, 1, buf, GFP_KERNEL), 0);
	virtqueue_kick(tvq);
}

/**
 * expect_broken() - the queue is broken and every call says so.
 * @param why text the log must contain.
 */
static void expect_broken(const char *why)
{
	struct scatterlist sg;
	unsigned int len;
	char *buf = kzalloc(8, GFP_KERNEL);

	CU_ASSERT_TRUE(virtqueue_is_broken(tvq));
	sg_init_one(&sg, buf, 8);
	CU_ASSERT_EQUAL(virtqueue_add_inbuf(tvq, &sg, 1, buf, GFP_KERNEL),
			-EIO);
	CU_ASSERT_PTR_NULL(virtqueue_get_buf(tvq, &len));
	CU_ASSERT_FALSE(virtqueue_kick(tvq));
	CU_ASSERT_TRUE(guest_dmesg_contains(why));
	kfree(buf);
}

/**
 * wait_broken() - poll get_buf until the queue breaks (up to ~2 s).
 * @return the tokens get_buf returned meanwhile.
 */
static unsigned int wait_broken(void)
{
	unsigned int len, got = 0;
	unsigned long i;

	for (i = 0; i < 2000000UL && !virtqueue_is_broken(tvq); i++) {
		if (virtqueue_get_buf(tvq, &len))
			got++;
		sched_yield();
	}
	return got;
}

/** R1: a used id past the queue size breaks the queue. */
static void test_r1_used_id_out_of_range(void)
{
	char *buf;

	setup();
	buf = kzalloc(8, GFP_KERNEL);
	ldev->faults.used_bad_id = true;
	add_one(buf);
	CU_ASSERT_EQUAL(wait_broken(), 0);
	expect_broken("used id is out of range");
	kfree(buf);
	harness_shutdown();
}

/** R2: a second completion of the same chain breaks the queue. */
static void test_r2_duplicate_completion(void)
{
	char *buf;

	setup();
	buf = kzalloc(8, GFP_KERNEL);
	ldev->faults.used_repeat = true;
	add_one(buf);
	/* The first completion is genuine and comes back once */
	CU_ASSERT_EQUAL(wait_broken(), 1);
	expect_broken("used id is not an outstanding");
	kfree(buf);
	harness_shutdown();
}

/**
 * R3: used idx moving more than a queue's worth breaks the queue. Split
 * only: a packed ring has no used index, nothing can jump (§2.8), so the
 * matrix does not register it there (HARNESS_SPLIT_ONLY).
 */
static void test_r3_used_idx_jump(void)
{
	char *buf;

	CU_ASSERT_FALSE_FATAL(harness_cfg()->packed);
	setup();
	buf = kzalloc(8, GFP_KERNEL);
	ldev->faults.used_idx_jump = true;
	add_one(buf);
	CU_ASSERT_EQUAL(wait_broken(), 0);
	expect_broken("used idx moved more than the queue size");
	kfree(buf);
	harness_shutdown();
}

/** R4: a used len beyond the posted bytes is clamped and reported. */
static void test_r4_used_len_too_long(void)
{
	unsigned int len = 0;
	char *buf;

	setup();
	buf = kzalloc(8, GFP_KERNEL);
	ldev->faults.used_len_extra = 1000;
	add_one(buf);
	CU_ASSERT_PTR_EQUAL(wait_buf(&len), buf);
	/* The caller never learns of bytes it did not post */
	CU_ASSERT_EQUAL(len, 8);
	CU_ASSERT_TRUE(guest_dmesg_contains("device wrote 1000 bytes into 8 writable bytes"));
	CU_ASSERT_FALSE(virtqueue_is_broken(tvq));
	kfree(buf);
	harness_shutdown();
}

/** R7: a spurious interrupt (nothing used) runs no callback. */
static void test_r7_spurious_interrupt(void)
{
	unsigned long delivered;

	setup();
	delivered = __atomic_load_n(&ldev->irqchip->delivered,
				    __ATOMIC_RELAXED);
	vlab_device_raise(ldev, VIRTIO_MMIO_INT_VRING);
	CU_ASSERT_TRUE(harness_wait_value(&ldev->irqchip->delivered,
					  delivered + 1));
	CU_ASSERT_EQUAL(__atomic_load_n(&callbacks, __ATOMIC_RELAXED), 0);
	CU_ASSERT_FALSE(virtqueue_is_broken(tvq));
	harness_shutdown();
}

/** A used element forged before DRIVER_OK, for the R7 test. */
static char *early_buf;

/**
 * used_before_driver_ok() - probe hook: a buffer is offered, and the
 * "device" completes it and interrupts before the driver said DRIVER_OK.
 * @param vdev the device.
 */
static void used_before_driver_ok(struct virtio_device *vdev)
{
	unsigned long delivered;
	struct vlab_vq *dvq = &ldev->vqs[0];

	(void)vdev;
	early_buf = kzalloc(8, GFP_KERNEL);
	add_one(early_buf);	/* allowed before DRIVER_OK (§3.1.1) */
	if (dvq->packed_ring) {
		/* Buffer id 0 used at descriptor 0, in the first lap */
		dvq->packed.desc[0].id = 0;
		dvq->packed.desc[0].len = 0;
		__atomic_store_n(&dvq->packed.desc[0].flags,
				 cpu_to_le16(VRING_PACKED_F_AVAIL |
					     VRING_PACKED_F_USED),
				 __ATOMIC_RELEASE);
	} else {
		dvq->split.used->ring[0].id = 0;
		dvq->split.used->ring[0].len = 0;
		__atomic_store_n(&dvq->split.used->idx, 1, __ATOMIC_RELEASE);
	}
	delivered = __atomic_load_n(&ldev->irqchip->delivered,
				    __ATOMIC_RELAXED);
	vlab_device_raise(ldev, VIRTIO_MMIO_INT_VRING);
	CU_ASSERT_TRUE(harness_wait_value(&ldev->irqchip->delivered,
					  delivered + 1));
	/* The handler ran, but no callback: the driver is not ready */
	CU_ASSERT_EQUAL(__atomic_load_n(&callbacks, __ATOMIC_RELAXED), 0);
}

/** R7: an interrupt before DRIVER_OK runs no callback. */
static void test_r7_interrupt_before_driver_ok(void)
{
	unsigned int len;

	probe_hook = used_before_driver_ok;
	setup();
	probe_hook = NULL;
	CU_ASSERT_EQUAL(__atomic_load_n(&callbacks, __ATOMIC_RELAXED), 0);
	/* Once ready, the driver takes the buffer the normal way */
	CU_ASSERT_PTR_EQUAL(virtqueue_get_buf(tvq, &len), early_buf);
	CU_ASSERT_FALSE(virtqueue_is_broken(tvq));
	kfree(early_buf);
	harness_shutdown();
}

/** Config accessors: 32- and 64-bit fields, in the device's order. */
static void test_config_read(void)
{
	setup();
	CU_ASSERT_EQUAL(virtio_cread32(tvdev, 0), 7);
	CU_ASSERT_EQUAL(virtio_cread32(tvdev, 4), 7);
	CU_ASSERT_EQUAL(virtio_cread64(tvdev, 8), 0x1122334455667788ULL);
	CU_ASSERT_EQUAL(virtio_cread8(tvdev, 8), 0x88);
	CU_ASSERT_EQUAL(virtio_cread16(tvdev, 8), 0x7788);
	harness_shutdown();
}

/**
 * R8: the device changes its config between the reads of two fields,
 * three times. Read naively, the pair is torn; read under the generation
 * counter (§2.5.1), the driver retries until both agree.
 */
static void test_r8_generation_retry(void)
{
	const struct captured_event *ev;
	u32 a, b, pair[2];
	size_t n, i, passes = 0;

	setup();
	/* Naive: two separate reads, the change falls between them */
	ldev->faults.config_flaps = 1;
	a = virtio_cread32(tvdev, 0);
	b = virtio_cread32(tvdev, 4);
	CU_ASSERT_EQUAL(a, 7);
	CU_ASSERT_EQUAL(b, 8);
	CU_ASSERT_NOT_EQUAL(a, b);

	/* With the generation loop: consistent, after three retries */
	ldev->faults.config_flaps = 3;
	harness_capture_start();
	virtio_cread_bytes(tvdev, 0, pair, sizeof(pair));
	harness_capture_stop();
	CU_ASSERT_EQUAL(le32_to_cpu(pair[0]), le32_to_cpu(pair[1]));
	CU_ASSERT_EQUAL(le32_to_cpu(pair[0]), 11);
	ev = harness_captured(&n);
	for (i = 0; i < n; i++)
		passes += ev[i].kind == VLAB_EV_CONFIG_READ &&
			  ev[i].ev.config.offset == 4;
	CU_ASSERT_EQUAL(passes, 4);
	harness_shutdown();
}

/** A configuration change reaches the driver's config_changed(). */
static void test_config_changed(void)
{
	u64 c = cpu_to_le64(0x0102030405060708ULL);

	setup();
	vlab_device_config_changed(ldev, 8, &c, sizeof(c));
	CU_ASSERT_TRUE(harness_wait_value(&config_changes, 1));
	CU_ASSERT_EQUAL(virtio_cread64(tvdev, 8), 0x0102030405060708ULL);
	harness_shutdown();
}

/**
 * main() - run the ring suite once per configuration of the matrix
 * ({split, packed} x indirect x event idx).
 * @return 0 when every test passed.
 */
int main(void)
{
	static CU_TestInfo tests[] = {
		{ "add then get: bytes round-trip", test_add_get_roundtrip },
		{ "full queue gives -ENOSPC", test_queue_full },
		{ "indices wrap past 65535", test_index_wrap },
		{ "detach unused buffers after reset", test_detach_unused },
		{ "add_sgs with out and in segments", test_add_sgs_out_in },
		{ "stack buffer reported as a driver bug",
		  test_stack_buffer_reported },
		{ "many buffers: indirect table or ring slots",
		  test_indirect_table },
		{ "disable_cb/enable_cb suppress and restore interrupts",
		  test_callback_suppression },
		{ "enable_cb reports buffers used meanwhile",
		  test_enable_cb_sees_pending },
		{ "need-event math across the 16-bit wrap",
		  test_need_event_math },
		{ "packed event math and wrap counters", test_packed_event_math },
		{ "D16 no double fetch of a descriptor", test_no_double_fetch },
		{ "R1 used id out of range breaks the queue",
		  test_r1_used_id_out_of_range },
		{ "R2 duplicate completion breaks the queue",
		  test_r2_duplicate_completion },
		{ HARNESS_SPLIT_ONLY "R3 used idx jump breaks the queue",
		  test_r3_used_idx_jump },
		{ "R4 used len past the posted bytes is clamped",
		  test_r4_used_len_too_long },
		{ "R7 spurious interrupt runs no callback",
		  test_r7_spurious_interrupt },
		{ "R7 interrupt before DRIVER_OK runs no callback",
		  test_r7_interrupt_before_driver_ok },
		{ "config space accessors", test_config_read },
		{ "R8 generation counter retry gives a consistent read",
		  test_r8_generation_retry },
		{ "config change reaches config_changed()", test_config_changed },
		CU_TEST_INFO_NULL,
	};

	return harness_run_matrix("ring", tests);
}
