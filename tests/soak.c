// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief `make soak`: millions of transfers through one loopback queue
 * per ring configuration, between the real threads (free schedule), every
 * byte checked. Not part of `make test`.
 *
 * The driver keeps up to a ring's worth of requests in flight, each of a
 * random size (1 to 256 bytes) with bytes drawn from its own sequence
 * number; the loopback device copies each request's readable bytes into
 * its writable buffer. Each completion must be a request in flight (else
 * duplicated), report exactly its size, and carry exactly its bytes (else
 * corrupted); at the end nothing may be left (else lost).
 *
 * Usage: soak [TRANSFERS]   (default 10000000 per configuration)
 */
#include <linux/completion.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/loopback.h"
#include "sim/session.h"
#include "virtio/shared/boundary.h"

/** Requests in flight at most (the loopback queue holds 64 chains). */
#define SLOTS 64
/** Largest request. */
#define MAX_BYTES 256

/** One request slot. */
struct slot {
	char *out;		/**< device-readable bytes */
	char *in;		/**< device-writable bytes */
	unsigned long seq;	/**< its sequence number */
	unsigned int len;	/**< its size */
	bool busy;		/**< in flight */
};

/** The queue. */
static struct virtqueue *svq;
/** Serialises add and get_buf. */
static spinlock_t slock;
/** Signalled by the callback. */
static struct completion sroom;
/** The slots. */
static struct slot slots[SLOTS];
/** Requests never completed. */
static unsigned long lost;
/** Completions of a request not in flight. */
static unsigned long duplicated;
/** Completions with the wrong length or bytes. */
static unsigned long corrupted;

/**
 * fill() - the bytes of request @p seq: a xorshift stream it seeds.
 * @param p where.
 * @param n how many.
 * @param seq the request.
 */
static void fill(char *p, unsigned int n, unsigned long seq)
{
	unsigned long x = seq * 0x9e3779b97f4a7c15UL + 1;
	unsigned int i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (char)x;
	}
}

/**
 * soak_done() - the callback: wake the producer.
 * @param vq the queue.
 */
static void soak_done(struct virtqueue *vq)
{
	unsigned long flags;

	spin_lock_irqsave(&slock, flags);
	virtqueue_disable_cb(vq);
	spin_unlock_irqrestore(&slock, flags);
	complete(&sroom);
}

/**
 * reclaim() - take back every used request and check it.
 * @return how many came back.
 */
static unsigned long reclaim(void)
{
	char want[MAX_BYTES];
	unsigned long flags, n = 0;
	unsigned int len;
	struct slot *s;

	for (;;) {
		spin_lock_irqsave(&slock, flags);
		s = virtqueue_get_buf(svq, &len);
		spin_unlock_irqrestore(&slock, flags);
		if (!s)
			return n;
		n++;
		if (s < slots || s >= slots + SLOTS || !s->busy) {
			duplicated++;
			continue;
		}
		fill(want, s->len, s->seq);
		if (len != s->len || memcmp(s->in, want, s->len))
			corrupted++;
		s->busy = false;
	}
}

/**
 * wait_for_used() - sleep until the device used about 3/4 of what is
 * outstanding (or at once, when it already has).
 */
static void wait_for_used(void)
{
	unsigned long flags;
	bool armed;

	reinit_completion(&sroom);
	spin_lock_irqsave(&slock, flags);
	armed = virtqueue_enable_cb_delayed(svq);
	if (!armed)
		virtqueue_disable_cb(svq);
	spin_unlock_irqrestore(&slock, flags);
	if (armed)
		wait_for_completion(&sroom);
}

/**
 * soak_probe() - one queue with a callback.
 * @param vdev the device.
 * @return 0 or a negative errno.
 */
static int soak_probe(struct virtio_device *vdev)
{
	svq = virtio_find_single_vq(vdev, soak_done, "soak");
	if (IS_ERR(svq))
		return PTR_ERR(svq);
	virtio_device_ready(vdev);
	return 0;
}

/**
 * soak_remove() - reset and delete.
 * @param vdev the device.
 */
static void soak_remove(struct virtio_device *vdev)
{
	virtio_reset_device(vdev);
	while (virtqueue_detach_unused_buf(svq))
		;
	vdev->config->del_vqs(vdev);
}

/** The loopback device only. */
static const struct virtio_device_id soak_ids[] = {
	{ VLAB_ID_LOOPBACK, VIRTIO_DEV_ANY_ID },
	{ 0 },
};

/** The soak driver. */
static struct virtio_driver soak_driver = {
	.driver.name = KBUILD_MODNAME,
	.id_table = soak_ids,
	.probe = soak_probe,
	.remove = soak_remove,
};

module_virtio_driver(soak_driver);

/**
 * soak_one() - run @p n transfers on one ring configuration.
 * @param ring what the device offers.
 * @param n transfers.
 * @return 0 when nothing was lost, duplicated or corrupted.
 */
static int soak_one(const struct vlab_ring_cfg *ring, unsigned long n)
{
	struct vlab_session_opts opts = { .loglevel = 4, .ring = *ring };
	struct scatterlist o, i, *sgs[2] = { &o, &i };
	struct vlab_loopback lb;
	struct vlab_session s;
	unsigned long posted = 0, flags, next = 0;
	struct timespec t0, t1;
	struct slot *sl;
	double secs;
	int err;

	lost = duplicated = corrupted = 0;
	memset(&lb, 0, sizeof(lb));
	if (vlab_session_init(&s, &opts))
		return -1;
	if (!vlab_session_add_device(&s, &vlab_loopback_model, &lb, "loop0") ||
	    vlab_session_boot(&s) || guest_module_load(KBUILD_MODNAME)) {
		vlab_session_fini(&s);
		return -1;
	}
	spin_lock_init(&slock);
	init_completion(&sroom);
	for (next = 0; next < SLOTS; next++) {
		slots[next].out = kmalloc(MAX_BYTES, GFP_KERNEL);
		slots[next].in = kmalloc(MAX_BYTES, GFP_KERNEL);
		slots[next].busy = false;
	}
	virtqueue_disable_cb(svq);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	next = 0;
	while (posted < n) {
		reclaim();
		sl = &slots[next % SLOTS];
		if (sl->busy) {
			if (!reclaim())
				wait_for_used();
			continue;
		}
		sl->seq = posted;
		sl->len = (unsigned int)(posted * 2654435761UL >> 7) %
			MAX_BYTES + 1;
		fill(sl->out, sl->len, sl->seq);
		memset(sl->in, 0, sl->len);
		sg_init_one(&o, sl->out, sl->len);
		sg_init_one(&i, sl->in, sl->len);
		sl->busy = true;
		spin_lock_irqsave(&slock, flags);
		err = virtqueue_add_sgs(svq, sgs, 1, 1, sl, GFP_ATOMIC);
		if (!err)
			virtqueue_kick(svq);
		spin_unlock_irqrestore(&slock, flags);
		if (err == -ENOSPC) {
			sl->busy = false;
			if (!reclaim())
				wait_for_used();
			continue;
		}
		if (err)
			break;
		posted++;
		next++;
	}
	for (;;) {
		bool any = false;
		unsigned int k;

		reclaim();
		for (k = 0; k < SLOTS; k++)
			any |= slots[k].busy;
		if (!any || virtqueue_is_broken(svq))
			break;
		wait_for_used();
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (next = 0; next < SLOTS; next++) {
		lost += slots[next].busy;
		kfree(slots[next].out);
		kfree(slots[next].in);
	}
	lost += n - posted;
	secs = (double)(t1.tv_sec - t0.tv_sec) +
		(double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%-6s  %-3s  %-3s  %10lu transfers  %8.0f/s  lost %lu  duplicated %lu  corrupted %lu\n",
	       ring->packed ? "packed" : "split", ring->indirect ? "on" : "off",
	       ring->event_idx ? "on" : "off", posted, posted / secs, lost,
	       duplicated, corrupted);
	fflush(stdout);
	vlab_session_fini(&s);
	return lost || duplicated || corrupted ? 1 : 0;
}

/**
 * main() - every ring configuration in turn.
 * @param argc 1 or 2.
 * @param argv TRANSFERS per configuration.
 * @return 0 when every configuration was clean.
 */
int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000000UL;
	unsigned int c;
	int bad = 0;

	printf("layout  ind  evt  (indirect, event idx)\n");
	for (c = 0; c < 8; c++) {
		struct vlab_ring_cfg ring = { .packed = c & 4,
					      .indirect = !(c & 2),
					      .event_idx = !(c & 1) };

		bad |= soak_one(&ring, n) != 0;
	}
	return bad;
}
