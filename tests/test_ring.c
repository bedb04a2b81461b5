// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Split virtqueue units, driven the way a driver drives them.
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
#include <sched.h>
#include <string.h>

#include "sim/loopback.h"
#include "tests/harness.h"
#include "virtio/guest.h"

/** The loopback device, as the in-test driver sees it. */
static struct virtio_device *tvdev;
/** Its queue. */
static struct virtqueue *tvq;
/** What the loopback device saw. */
static struct vlab_loopback lb;
/** The loopback device, as the simulator sees it. */
static struct vlab_device *ldev;

/**
 * ringtest_probe() - take the loopback device's queue, no callback: the
 * tests poll with virtqueue_get_buf().
 * @param vdev the device.
 * @return 0 or a negative errno.
 */
static int ringtest_probe(struct virtio_device *vdev)
{
	struct virtqueue *vq = virtio_find_single_vq(vdev, NULL, "loop");

	if (IS_ERR(vq))
		return PTR_ERR(vq);
	tvdev = vdev;
	tvq = vq;
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
};

module_virtio_driver(ringtest_driver);

/**
 * setup() - a machine with the loopback device and this driver bound.
 */
static void setup(void)
{
	memset(&lb, 0, sizeof(lb));
	ldev = harness_boot(&vlab_loopback_model, &lb, "loop0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ldev);
	CU_ASSERT_EQUAL_FATAL(guest_module_load(KBUILD_MODNAME), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tvq);
}

/**
 * wait_buf() - poll for the next used buffer (up to ~2 s).
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
	CU_ASSERT_EQUAL(tvq->num_free, 62);
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

	/* A two-descriptor chain needs two free descriptors */
	for (i = 0; i < 63; i++) {
		sg_init_one(&sg[0], buf + i * 8, 8);
		CU_ASSERT_EQUAL(virtqueue_add_inbuf(tvq, sg, 1, buf + i * 8,
						    GFP_KERNEL), 0);
	}
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], buf, 4);
	sg_set_buf(&sg[1], buf + 4, 4);
	CU_ASSERT_EQUAL(virtqueue_add_inbuf(tvq, sg, 2, buf, GFP_KERNEL),
			-ENOSPC);
	CU_ASSERT_EQUAL(tvq->num_free, 1);
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
	CU_ASSERT_EQUAL(done, total);
	CU_ASSERT_EQUAL(tvq->num_free, 64);
	/* 70016 mod 65536 = 4480 on both rings */
	CU_ASSERT_EQUAL(ldev->vqs[0].used_idx, (u16)total);
	CU_ASSERT_EQUAL(ldev->vqs[0].last_avail_idx, (u16)total);
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
	CU_ASSERT_EQUAL(tvq->num_free, 60);
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
	CU_ASSERT_EQUAL(ldev->vqs[0].avail->idx, 0);
	harness_shutdown();
}

/**
 * main() - run the split ring suite.
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
		CU_TEST_INFO_NULL,
	};

	return harness_run_suite("split ring", tests);
}
