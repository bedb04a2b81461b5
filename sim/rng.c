// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Entropy device model.
 */
#include "sim/rng.h"

#include <string.h>
#include <sys/random.h>
#include <linux/virtio_ids.h>

/** Queue size the entropy device offers (QueueNumMax). */
#define RNG_QUEUE_NUM_MAX 64

void vlab_rng_source_init(struct vlab_rng_source *src, bool seeded,
			  uint64_t seed)
{
	memset(src, 0, sizeof(*src));
	src->seeded = seeded;
	src->state = seed;
}

/**
 * splitmix64() - next word of the SplitMix64 generator.
 * @param state the generator state.
 * @return 64 well-mixed bits.
 */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void vlab_rng_source_fill(struct vlab_rng_source *src, uint8_t *buf, size_t n)
{
	uint64_t w;
	size_t got;
	ssize_t r;
	int i;

	if (!src->seeded) {
		for (got = 0; got < n; got += (size_t)r) {
			r = getrandom(buf + got, n - got, 0);
			if (r <= 0)
				r = 0;
		}
		return;
	}
	while (n) {
		if (!src->nspare) {
			w = splitmix64(&src->state);
			for (i = 0; i < 8; i++)
				src->spare[i] = (uint8_t)(w >> (8 * i));
			src->nspare = 8;
		}
		*buf++ = src->spare[8 - src->nspare--];
		n--;
	}
}

/**
 * rng_process() - fill every offered buffer (§5.4.6.2).
 * @param dev the device.
 * @param vq its request queue.
 */
static void rng_process(struct vlab_device *dev, struct vlab_vq *vq)
{
	struct vlab_rng_source *src = dev->priv;
	struct vlab_chain chain;
	unsigned int i;
	int r;

	while ((r = vlab_vq_pop(dev, vq, &chain,
				dev->model->max_segs)) == 1) {
		if (chain.out_bytes) {
			vlab_device_error(dev, vq, "§5.4.6.1",
					  "request %u has device-readable buffers; the entropy queue takes writable ones only",
					  chain.head);
			return;
		}
		for (i = 0; i < chain.nseg; i++)
			vlab_rng_source_fill(src, chain.seg[i].host,
					     chain.seg[i].len);
		vlab_vq_push(dev, vq, &chain, (uint32_t)chain.in_bytes);
		/* §2.7.7: the rule is applied after each used element */
		vlab_vq_notify_driver(dev, vq);
	}
}

const struct vlab_device_model vlab_rng_model = {
	.name = "rng",
	.device_id = VIRTIO_ID_RNG,
	.features = 0,
	.num_queues = 1,
	.queue_num_max = RNG_QUEUE_NUM_MAX,
	.max_segs = RNG_QUEUE_NUM_MAX,
	.process = rng_process,
};
