// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Multiqueue: virtio_find_vqs() with a callback and a name per
 * queue, each queue sized from its own QueueNumMax, traffic on every queue
 * at once, each completion reaching its own queue's callback.
 *
 * Kernel code, like tests/test_ring.c: a small driver for the four-queue
 * loopback device. Its callbacks take buffers back themselves, under the
 * queue's spinlock, while this thread adds to the same queues: the pattern
 * of a real multiqueue driver.
 */
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <string.h>

#include "sim/loopback.h"
#include "tests/harness.h"
#include "virtio/shared/boundary.h"

/** Queues of the device. */
#define NQ 4

/** One queue as the driver keeps it. */
struct mq_queue {
	struct virtqueue *vq;	/**< the queue */
	spinlock_t lock;	/**< add (this thread) vs get_buf (callback) */
	unsigned long done;	/**< buffers its callback took back */
	unsigned long wrong;	/**< tokens that belonged to another queue */
};

/** The driver's state. */
static struct mq_queue mq[NQ];
/** The device as the guest sees it. */
static struct virtio_device *mq_vdev;
/** The four-queue loopback device's record, as the simulator sees it. */
static struct vlab_loopback lb;

/**
 * mq_done() - one callback serves every queue; vq->index says which.
 * @param vq the queue that has used buffers.
 */
static void mq_done(struct virtqueue *vq)
{
	struct mq_queue *q = vq->priv;
	unsigned long flags;
	unsigned int len;
	void *token;

	spin_lock_irqsave(&q->lock, flags);
	while ((token = virtqueue_get_buf(vq, &len))) {
		/* Tokens encode their queue: it must be this one */
		if ((unsigned long)token % NQ != vq->index)
			q->wrong++;
		__atomic_fetch_add(&q->done, 1, __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&q->lock, flags);
}

/**
 * mq_probe() - find four queues; the third is skipped by a NULL name.
 * @param vdev the device.
 * @return 0 or a negative errno.
 */
static int mq_probe(struct virtio_device *vdev)
{
	vq_callback_t *callbacks[NQ + 1] = {
		mq_done, mq_done, NULL, mq_done, mq_done
	};
	static const char *const names[NQ + 1] = {
		"q-a", "q-b", NULL, "q-c", "q-d"
	};
	struct virtqueue *vqs[NQ + 1];
	unsigned int i, j;
	int err;

	err = virtio_find_vqs(vdev, NQ + 1, vqs, callbacks, names, NULL);
	if (err)
		return err;
	for (i = 0, j = 0; i < NQ + 1; i++) {
		if (!names[i]) {
			if (vqs[i])
				return -EINVAL;
			continue;
		}
		mq[j].vq = vqs[i];
		vqs[i]->priv = &mq[j];
		spin_lock_init(&mq[j].lock);
		j++;
	}
	mq_vdev = vdev;
	virtio_device_ready(vdev);
	return 0;
}

/**
 * mq_remove() - reset, then delete every queue.
 * @param vdev the device.
 */
static void mq_remove(struct virtio_device *vdev)
{
	unsigned int i;

	virtio_reset_device(vdev);
	for (i = 0; i < NQ; i++)
		while (virtqueue_detach_unused_buf(mq[i].vq))
			;
	vdev->config->del_vqs(vdev);
	mq_vdev = NULL;
}

/** The four-queue loopback device only. */
static const struct virtio_device_id mq_ids[] = {
	{ VLAB_ID_LOOPBACK_MQ, VIRTIO_DEV_ANY_ID },
	{ 0 },
};

/** The in-test driver. */
static struct virtio_driver mq_driver = {
	.driver.name = KBUILD_MODNAME,
	.id_table = mq_ids,
	.probe = mq_probe,
	.remove = mq_remove,
};

module_virtio_driver(mq_driver);

/**
 * setup() - boot the four-queue device with this driver bound.
 */
static void setup(void)
{
	memset(&lb, 0, sizeof(lb));
	memset(mq, 0, sizeof(mq));
	CU_ASSERT_PTR_NOT_NULL_FATAL(harness_boot(&vlab_loopback_mq_model, &lb,
						  "loopmq0"));
	CU_ASSERT_EQUAL_FATAL(guest_module_load(KBUILD_MODNAME), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mq_vdev);
}

/** Each queue: its index, its name, its size from its QueueNumMax. */
static void test_find_vqs(void)
{
	static const unsigned int sizes[NQ] = { 64, 32, 16, 8 };
	static const char *const names[NQ] = { "q-a", "q-b", "q-c", "q-d" };
	unsigned int i;

	setup();
	for (i = 0; i < NQ; i++) {
		/* A NULL name skips an entry, not a queue index */
		CU_ASSERT_EQUAL(mq[i].vq->index, i);
		CU_ASSERT_STRING_EQUAL(mq[i].vq->name, names[i]);
		CU_ASSERT_EQUAL(virtqueue_get_vring_size(mq[i].vq), sizes[i]);
		CU_ASSERT_EQUAL(mq[i].vq->num_free, sizes[i]);
	}
	harness_shutdown();
}

/** Traffic on all four queues at once, completed by four callbacks. */
static void test_traffic_on_every_queue(void)
{
	static const unsigned int per_queue = 3000;
	struct scatterlist out, in, *sgs[2] = { &out, &in };
	unsigned long flags, want;
	unsigned int i, q, posted[NQ] = { 0 };
	char *buf;
	int err;

	setup();
	buf = kzalloc(NQ * 16, GFP_KERNEL);
	for (i = 0; i < per_queue * NQ; i++) {
		q = i % NQ;
		sg_init_one(&out, buf + q * 16, 8);
		sg_init_one(&in, buf + q * 16 + 8, 8);
		for (;;) {
			spin_lock_irqsave(&mq[q].lock, flags);
			/* Token i + NQ: never NULL, and equal to q mod NQ */
			err = virtqueue_add_sgs(mq[q].vq, sgs, 1, 1,
						(void *)(unsigned long)(i + NQ),
						GFP_ATOMIC);
			spin_unlock_irqrestore(&mq[q].lock, flags);
			if (err != -ENOSPC)
				break;
			/* Full: let the device and the callbacks catch up */
			virtqueue_kick(mq[q].vq);
		}
		CU_ASSERT_EQUAL_FATAL(err, 0);
		posted[q]++;
		virtqueue_kick(mq[q].vq);
	}
	for (q = 0; q < NQ; q++) {
		want = posted[q];
		CU_ASSERT_TRUE(harness_wait_value(&mq[q].done, want));
		CU_ASSERT_EQUAL(mq[q].wrong, 0);
		CU_ASSERT_EQUAL(__atomic_load_n(&lb.per_queue[q],
						__ATOMIC_RELAXED), want);
		CU_ASSERT_FALSE(virtqueue_is_broken(mq[q].vq));
	}
	kfree(buf);
	harness_shutdown();
}

/**
 * main() - run the multiqueue suite over the ring-feature matrix.
 * @return 0 when every test passed.
 */
int main(void)
{
	static CU_TestInfo tests[] = {
		{ "find_vqs: index, name and size of every queue",
		  test_find_vqs },
		{ "traffic on four queues at once", test_traffic_on_every_queue },
		CU_TEST_INFO_NULL,
	};

	return harness_run_matrix("multiqueue", tests);
}
