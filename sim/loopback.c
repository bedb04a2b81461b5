// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Loopback test device model.
 */
#include "sim/loopback.h"

#include <string.h>

#include "sim/sched.h"

/**
 * loopback_process() - copy each chain's readable bytes into its writable
 * buffers, in order, and return it with the count copied.
 * @param dev the device.
 * @param vq its queue.
 */
static void loopback_process(struct vlab_device *dev, struct vlab_vq *vq)
{
	struct vlab_loopback *lb = dev->priv;
	struct vlab_chain c;
	unsigned int r = 0, w;
	uint32_t roff = 0, woff, n, copied;

	while (__atomic_load_n(&lb->stuck, __ATOMIC_ACQUIRE))
		vlab_sleep_ms(1);	/* a model that hangs, until told */
	if (lb->deaf)
		return;	/* a device that never looks at the ring */
	while (vlab_vq_pop(dev, vq, &c, dev->model->max_segs) == 1) {
		if (lb->hold)
			continue;	/* a device slow to complete, forever */
		copied = 0;
		/* Readable buffers come first (§2.7.4.2): find the first writable */
		for (w = 0; w < c.nseg && !c.seg[w].write; w++)
			;
		r = 0;
		roff = 0;
		woff = 0;
		while (r < c.nseg && !c.seg[r].write && w < c.nseg) {
			n = c.seg[r].len - roff;
			if (n > c.seg[w].len - woff)
				n = c.seg[w].len - woff;
			memcpy(c.seg[w].host + woff, c.seg[r].host + roff, n);
			copied += n;
			roff += n;
			woff += n;
			if (roff == c.seg[r].len) {
				r++;
				roff = 0;
			}
			if (woff == c.seg[w].len) {
				w++;
				woff = 0;
			}
		}
		__atomic_store_n(&lb->last_nseg, c.nseg, __ATOMIC_RELAXED);
		__atomic_store_n(&lb->last_out, c.out_bytes, __ATOMIC_RELAXED);
		__atomic_store_n(&lb->last_in, c.in_bytes, __ATOMIC_RELAXED);
		vlab_vq_push(dev, vq, &c, copied);
		/* only this thread counts: no locked add (vq.h) */
		vlab_stat_inc(&lb->chains);
		if (vq->index < 4)
			vlab_stat_inc(&lb->per_queue[vq->index]);
		/* §2.7.7: the rule is applied after each used element */
		vlab_vq_notify_driver(dev, vq);
	}
}

/** Initial configuration: a = b = 7, c = 0x1122334455667788 (LE). */
static const uint8_t loopback_config[16] = {
	7, 0, 0, 0, 7, 0, 0, 0,
	0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
};

const struct vlab_device_model vlab_loopback_model = {
	.name = "loopback",
	.device_id = VLAB_ID_LOOPBACK,
	.num_queues = 1,
	.queue_num_max = 64,
	.max_segs = 64,
	.process = loopback_process,
	.config = loopback_config,
	.config_size = sizeof(loopback_config),
};

/** Sizes of the four queues: each one different, all powers of two. */
static const uint16_t mq_sizes[4] = { 64, 32, 16, 8 };

const struct vlab_device_model vlab_loopback_mq_model = {
	.name = "loopback-mq",
	.device_id = VLAB_ID_LOOPBACK_MQ,
	.num_queues = 4,
	.queue_num_max = 64,
	.queue_sizes = mq_sizes,
	.max_segs = 8,
	.process = loopback_process,
	.config = loopback_config,
	.config_size = sizeof(loopback_config),
};
