/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief A loopback test device: what a request's device-readable buffers
 * hold is copied into its device-writable buffers.
 *
 * It gives the ring tests a device that takes any mix of readable and
 * writable buffers, so every path of virtqueue_add_sgs() can be checked
 * end to end. Its device ID, VLAB_ID_LOOPBACK, lies far outside the IDs
 * virtio 1.2 §5 assigns, so no real driver ever binds to it.
 */
#ifndef VLAB_SIM_LOOPBACK_H
#define VLAB_SIM_LOOPBACK_H

#include <stdint.h>

#include "sim/device.h"

/** Device ID of the loopback device (not an assigned virtio ID). */
#define VLAB_ID_LOOPBACK 0xfff0u
/** Device ID of the four-queue loopback device. */
#define VLAB_ID_LOOPBACK_MQ 0xfff1u

/**
 * The loopback devices' configuration space (little-endian): two 32-bit
 * fields kept equal by the device, so a torn read shows as a != b, and a
 * 64-bit field read as two 32-bit halves over MMIO.
 */
struct vlab_loopback_config {
	uint32_t a;		/**< always equal to @c b at rest */
	uint32_t b;		/**< always equal to @c a at rest */
	uint64_t c;		/**< a 64-bit value */
};

/** What the loopback device saw, for tests. */
struct vlab_loopback {
	unsigned int last_nseg;		/**< buffers in the last chain */
	uint64_t last_out;		/**< its readable bytes */
	uint64_t last_in;		/**< its writable bytes */
	unsigned long chains;		/**< chains completed, all queues */
	unsigned long per_queue[4];	/**< chains completed, by queue */
	bool hold;			/**< take chains, never return them */
	bool deaf;			/**< take nothing at all, though
					     notified (RELIABILITY L1) */
	bool stuck;			/**< process() does not return while
					     set: a model that hangs (L2) */
};

/** The loopback device type: one queue of 64; config a = b = 7. */
extern const struct vlab_device_model vlab_loopback_model;

/** Four queues of 64, 32, 16 and 8 entries; same config. */
extern const struct vlab_device_model vlab_loopback_mq_model;

#endif /* VLAB_SIM_LOOPBACK_H */
