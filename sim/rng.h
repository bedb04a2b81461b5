/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief The simulated entropy device (virtio 1.2 §5.4).
 *
 * One queue, "requestq"; every device-writable buffer the driver offers
 * comes back full of random bytes. With a seed the bytes are a fixed
 * stream (SplitMix64, bytes in little-endian order), so a run can be
 * repeated and a test can predict every byte; without one they come from
 * the host's getrandom().
 */
#ifndef VLAB_SIM_RNG_H
#define VLAB_SIM_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/device.h"

/** The byte source behind an entropy device. */
struct vlab_rng_source {
	bool seeded;		/**< use the stream, not the host */
	uint64_t state;		/**< SplitMix64 state */
	uint8_t spare[8];	/**< bytes of the last word not yet used */
	unsigned int nspare;	/**< how many of them are left */
};

/** The entropy device type. */
extern const struct vlab_device_model vlab_rng_model;

/**
 * vlab_rng_source_init() - set up a byte source.
 * @param src the source.
 * @param seeded true for the reproducible stream.
 * @param seed its seed.
 */
void vlab_rng_source_init(struct vlab_rng_source *src, bool seeded,
			  uint64_t seed);

/**
 * vlab_rng_source_fill() - the next @p n bytes of the source.
 * @param src the source.
 * @param buf receives them.
 * @param n byte count.
 */
void vlab_rng_source_fill(struct vlab_rng_source *src, uint8_t *buf,
			  size_t n);

#endif /* VLAB_SIM_RNG_H */
