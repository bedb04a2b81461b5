// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief libFuzzer target: the device-side chain walker (sim/vq*.c) over
 * a split or a packed ring whose guest RAM the fuzzer writes. Every chain
 * vlab_vq_pop() hands a model must be wholly inside guest RAM, readable
 * buffers first, within max_segs and 2^32 bytes; the walker never loops,
 * never reads outside RAM (ASan), and stops the queue after an error.
 *
 * Input: 4 header bytes (layout and features, queue size, max_segs, the
 * completion pattern), then the first bytes of guest RAM, where the
 * rings live (descriptors at 0, driver area at 0x1000, device area at
 * 0x2000, all inside the 64 KiB of RAM).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "sim/device.h"
#include "sim/loopback.h"
#include "sim/ram.h"
#include "sim/vq.h"

/** Guest RAM of the target: small, so random addresses often land. */
#define FUZZ_RAM (64u << 10)

/** The machine of the target, built once. */
static struct {
	struct vlab_ram ram;		/**< guest RAM */
	struct vlab_device dev;		/**< a device, no thread */
	struct vlab_vq vq;		/**< its one queue */
	struct vlab_seg segs[64];	/**< the queue's scratch segments */
	uint8_t busy[64];		/**< its in-flight heads */
} m;

/**
 * check_chain() - what a model may rely on, for one chain.
 * @param c the chain.
 * @param max_segs the limit it was popped with.
 */
static void check_chain(const struct vlab_chain *c, unsigned int max_segs)
{
	uint64_t out = 0, in = 0;
	unsigned int i;
	bool seen_write = false;

	if (c->nseg == 0 || c->nseg > max_segs || c->nseg > m.vq.num_max)
		__builtin_trap();
	if (!m.vq.packed_ring && c->head >= m.vq.num)
		__builtin_trap();
	for (i = 0; i < c->nseg; i++) {
		const struct vlab_seg *s = &c->seg[i];

		if (s->len == 0 || s->gpa < VLAB_RAM_BASE ||
		    s->gpa - VLAB_RAM_BASE > FUZZ_RAM ||
		    s->len > FUZZ_RAM - (s->gpa - VLAB_RAM_BASE) ||
		    s->host != m.ram.host + (s->gpa - VLAB_RAM_BASE))
			__builtin_trap();
		if (!s->write && seen_write)
			__builtin_trap();
		seen_write |= s->write;
		if (s->write)
			in += s->len;
		else
			out += s->len;
		/* touch both ends: ASan would catch any stray pointer */
		(void)*(volatile uint8_t *)s->host;
		(void)*(volatile uint8_t *)(s->host + s->len - 1);
	}
	if (out != c->out_bytes || in != c->in_bytes ||
	    out + in > UINT32_MAX)
		__builtin_trap();
}

/**
 * LLVMFuzzerInitialize() - map RAM and build the device once.
 * @param argc unused.
 * @param argv unused.
 * @return 0.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (vlab_ram_init(&m.ram, FUZZ_RAM))
		abort();
	m.dev.model = &vlab_loopback_model;
	m.dev.ram = &m.ram;
	m.dev.quiesce_ms = VLAB_QUIESCE_MS;
	memcpy(m.dev.name, "fuzz0", 6);
	pthread_mutex_init(&m.dev.lock, NULL);
	pthread_cond_init(&m.dev.cond, NULL);
	m.dev.vqs = &m.vq;
	m.vq.num_max = 64;
	m.vq.segs = m.segs;
	m.vq.head_busy = m.busy;
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - one ring, popped (and partly completed)
 * until the walker says it is empty or broken.
 * @param data the input.
 * @param size its length.
 * @return 0.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vlab_chain c;
	unsigned int max_segs, i, n;
	bool packed;
	uint8_t pattern;
	int r;

	if (size < 4)
		return 0;
	packed = data[0] & 1;
	m.dev.features = (1ULL << VIRTIO_F_VERSION_1) |
		(packed ? 1ULL << VIRTIO_F_RING_PACKED : 0) |
		(data[0] & 2 ? 1ULL << VIRTIO_RING_F_INDIRECT_DESC : 0) |
		(data[0] & 4 ? 1ULL << VIRTIO_RING_F_EVENT_IDX : 0);
	m.dev.status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK;
	vlab_vq_reset(&m.vq);
	m.vq.num = packed ? data[1] % 64 + 1 : 1u << (data[1] % 7);
	m.vq.desc_gpa = VLAB_RAM_BASE;
	m.vq.driver_gpa = VLAB_RAM_BASE + 0x1000;
	m.vq.device_gpa = VLAB_RAM_BASE + 0x2000;
	max_segs = data[2] % 64 + 1;
	pattern = data[3];
	memset(m.ram.host, 0, FUZZ_RAM);
	memcpy(m.ram.host, data + 4, size - 4 < FUZZ_RAM ? size - 4 : FUZZ_RAM);
	if (vlab_vq_enable(&m.dev, &m.vq))
		__builtin_trap();	/* this setup is valid */
	/* at most two laps: a walker that never stops is a failure too */
	n = 2 * m.vq.num + 2;
	for (i = 0; i < n; i++) {
		vlab_vq_disable_notify(&m.dev, &m.vq);
		r = vlab_vq_pop(&m.dev, &m.vq, &c, max_segs);
		if (r != 1)
			break;
		check_chain(&c, max_segs);
		if (pattern >> (i % 8) & 1) {
			vlab_vq_push(&m.dev, &m.vq, &c,
				     (uint32_t)(c.in_bytes / 2));
			vlab_vq_notify_driver(&m.dev, &m.vq);
		}
		if (!vlab_vq_enable_notify(&m.dev, &m.vq))
			break;
	}
	/* after an error the queue stays stopped */
	if (m.dev.status & VIRTIO_CONFIG_S_NEEDS_RESET &&
	    vlab_vq_pop(&m.dev, &m.vq, &c, max_segs) != -1)
		__builtin_trap();
	return 0;
}
