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

/** What the loopback device saw of the last chain, for tests. */
struct vlab_loopback {
	unsigned int last_nseg;		/**< buffers in it */
	uint64_t last_out;		/**< readable bytes */
	uint64_t last_in;		/**< writable bytes */
	uint64_t chains;		/**< chains completed */
};

/** The loopback device type: one queue of 64. */
extern const struct vlab_device_model vlab_loopback_model;

#endif /* VLAB_SIM_LOOPBACK_H */
