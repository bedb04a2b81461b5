// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief libFuzzer target: the virtio-mmio register file (sim/mmio.c) and
 * the status state machine, with a live device thread walking whatever
 * rings the fuzzer writes into guest RAM.
 *
 * Input: a sequence of 8-byte operations: kind (register read, register
 * write, guest RAM write), offset, width, value. After each write: the
 * device is live only with an accepted FEATURES_OK whose features it
 * offered (D19); a ready queue's areas lie in guest RAM with a size the
 * layout allows (D15); widths the transport lacks change nothing (D21).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "sim/device.h"
#include "sim/loopback.h"
#include "sim/ram.h"
#include "sim/sched.h"
#include "sim/vq.h"

/** Guest RAM of the target. */
#define FUZZ_RAM (64u << 10)

/** The device under test and its RAM, built once. */
static struct vlab_ram ram;
/** The loopback model's state. */
static struct vlab_loopback lb;
/** The device. */
static struct vlab_device *dev;

/**
 * check_state() - the invariants of the register file after a write.
 */
static void check_state(void)
{
	uint64_t offered = vlab_device_offered_features(dev);
	unsigned int q;

	vlab_mutex_lock(&dev->lock);
	if ((dev->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    (dev->status & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !(dev->status & VIRTIO_CONFIG_S_NEEDS_RESET)) {
		/* live: D19 */
		if (dev->features & ~offered ||
		    !(dev->features & (1ULL << VIRTIO_F_VERSION_1)))
			__builtin_trap();
	}
	for (q = 0; q < dev->model->num_queues; q++) {
		const struct vlab_vq *vq = &dev->vqs[q];

		if (!vq->ready)
			continue;
		if (vq->num == 0 || vq->num > vq->num_max ||
		    !vlab_ram_ptr(&ram, vq->desc_gpa, 16 * vq->num) ||
		    !vlab_ram_ptr(&ram, vq->driver_gpa, 4) ||
		    !vlab_ram_ptr(&ram, vq->device_gpa, 4))
			__builtin_trap();
		if (!vq->packed_ring && (vq->num & (vq->num - 1)))
			__builtin_trap();
		if (vq->packed_ring !=
		    !!(dev->features & (1ULL << VIRTIO_F_RING_PACKED)))
			__builtin_trap();
	}
	vlab_mutex_unlock(&dev->lock);
}

/**
 * LLVMFuzzerInitialize() - RAM and one loopback device with its thread.
 * @param argc unused.
 * @param argv unused.
 * @return 0.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (vlab_ram_init(&ram, FUZZ_RAM))
		abort();
	dev = vlab_device_create(&vlab_loopback_model, &lb, "fuzz0", &ram,
				 NULL, 0, 0);
	if (!dev)
		abort();
	dev->ring_features |= 1ULL << VIRTIO_F_RING_PACKED;
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - reset, then the input's operations.
 * @param data the input.
 * @param size its length.
 * @return 0.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int widths[] = { 4, 4, 4, 1, 2, 8, 3, 0 };
	unsigned int width;
	uint64_t off, before;
	uint32_t val;
	size_t i;

	vlab_mmio_device_write(dev, VIRTIO_MMIO_STATUS, 0, 4);
	if (!vlab_device_wait_idle(dev))
		__builtin_trap();	/* the loopback model never hangs */
	vlab_mmio_device_write(dev, VIRTIO_MMIO_STATUS, 0, 4);
	memset(ram.host, 0, FUZZ_RAM);
	for (i = 0; i + 8 <= size; i += 8) {
		off = (uint64_t)(data[i + 1] | (data[i + 2] & 1) << 8);
		width = widths[data[i + 2] >> 5];
		memcpy(&val, data + i + 4, 4);
		switch (data[i] % 4) {
		case 0:
			(void)vlab_mmio_device_read(dev, off, width);
			break;
		case 1:
		case 2:
			/* keep queue addresses in RAM often enough to matter */
			if (data[i + 3] & 1)
				val = (uint32_t)VLAB_RAM_BASE +
					(val % FUZZ_RAM & ~0xfu);
			before = dev->config_generation;
			vlab_mmio_device_write(dev, off, val, width);
			if (width != 1 && width != 2 && width != 4 &&
			    dev->config_generation != before)
				__builtin_trap();	/* D21 */
			check_state();
			break;
		default:
			/* the guest writes ring memory the device may read */
			memcpy(ram.host + (val % (FUZZ_RAM - 4)),
			       data + i + 1, 3);
			break;
		}
	}
	vlab_device_wait_idle(dev);
	return 0;
}
