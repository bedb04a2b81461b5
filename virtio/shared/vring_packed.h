/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Packed-ring rules shared by the driver side (virtio/) and the
 * device side (sim/) (virtio 1.2 §2.8).
 *
 * One descriptor ring replaces the three split areas. The driver makes a
 * descriptor available by writing its AVAIL bit equal to its wrap counter
 * and its USED bit the opposite; the device marks it used by writing both
 * bits equal to its own wrap counter. Each side flips its counter whenever
 * its index passes the end of the ring. Event suppression uses a 4-byte
 * structure per direction: flags (ENABLE, DISABLE, or DESC with EVENT_IDX)
 * and an offset with the wrap counter in bit 15.
 */
#ifndef VLAB_VIRTIO_VRING_PACKED_H
#define VLAB_VIRTIO_VRING_PACKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_ring.h>

/** Largest packed queue size (virtio 1.2 §2.8: at most 32768). */
#define VRING_PACKED_MAX_NUM 32768u
/** Mask of the AVAIL flag (bit number from the UAPI header). */
#define VRING_PACKED_F_AVAIL (1u << VRING_PACKED_DESC_F_AVAIL)
/** Mask of the USED flag (bit number from the UAPI header). */
#define VRING_PACKED_F_USED (1u << VRING_PACKED_DESC_F_USED)
/** The wrap counter's bit in an off_wrap field. */
#define VRING_PACKED_WRAP_BIT VRING_PACKED_EVENT_F_WRAP_CTR

/**
 * vring_packed_num_valid() - whether @p num is a legal packed queue size
 * (any size from 1 to 32768: no power of two needed).
 * @param num the queue size.
 * @return true when legal.
 */
static inline bool vring_packed_num_valid(unsigned int num)
{
	return num && num <= VRING_PACKED_MAX_NUM;
}

/**
 * vring_packed_avail_flags() - the AVAIL/USED bits the driver writes to
 * make a descriptor available in the lap of @p wrap.
 * @param wrap the driver's wrap counter.
 * @return AVAIL when wrap is 1, USED when it is 0.
 */
static inline uint16_t vring_packed_avail_flags(bool wrap)
{
	return wrap ? VRING_PACKED_F_AVAIL : VRING_PACKED_F_USED;
}

/**
 * vring_packed_used_flags() - the AVAIL/USED bits the device writes to
 * mark a descriptor used in the lap of @p wrap.
 * @param wrap the device's used wrap counter.
 * @return both bits when wrap is 1, none when it is 0.
 */
static inline uint16_t vring_packed_used_flags(bool wrap)
{
	return wrap ? (VRING_PACKED_F_AVAIL | VRING_PACKED_F_USED) : 0;
}

/**
 * vring_packed_is_avail() - whether a descriptor is available in the lap
 * the reader expects (§2.8.1: AVAIL == wrap and USED != wrap).
 * @param flags the descriptor's flags.
 * @param wrap the reader's avail wrap counter.
 * @return true when available.
 */
static inline bool vring_packed_is_avail(uint16_t flags, bool wrap)
{
	bool avail = flags & VRING_PACKED_F_AVAIL;
	bool used = flags & VRING_PACKED_F_USED;

	return avail == wrap && used != wrap;
}

/**
 * vring_packed_is_used() - whether a descriptor is used in the lap the
 * reader expects (AVAIL == USED == wrap).
 * @param flags the descriptor's flags.
 * @param wrap the reader's used wrap counter.
 * @return true when used.
 */
static inline bool vring_packed_is_used(uint16_t flags, bool wrap)
{
	bool avail = flags & VRING_PACKED_F_AVAIL;
	bool used = flags & VRING_PACKED_F_USED;

	return avail == used && used == wrap;
}

/**
 * vring_packed_advance() - move a ring index by @p n, flipping the wrap
 * counter when it passes the end of the ring.
 * @param idx the index, updated.
 * @param wrap the wrap counter, updated.
 * @param n how far (at most num).
 * @param num the queue size.
 */
static inline void vring_packed_advance(uint16_t *idx, bool *wrap,
					unsigned int n, unsigned int num)
{
	unsigned int i = *idx + n;

	if (i >= num) {
		i -= num;
		*wrap = !*wrap;
	}
	*idx = (uint16_t)i;
}

/**
 * vring_packed_event_needed() - the EVENT_IDX rule for a packed ring:
 * did the index move from @p old to @p new across the event position?
 * @param off_wrap the other side's event offset with its wrap in bit 15.
 * @param wrap our wrap counter at @p new.
 * @param new_idx our index after the move.
 * @param old_idx our index before the move (new - count, mod 2^16).
 * @param num the queue size.
 * @return true when a notification is due.
 *
 * An event offset in the previous lap is moved back by one ring size, so
 * the split ring's 16-bit window arithmetic applies unchanged.
 */
static inline bool vring_packed_event_needed(uint16_t off_wrap, bool wrap,
					     uint16_t new_idx, uint16_t old_idx,
					     unsigned int num)
{
	uint16_t event = off_wrap & ~(1u << VRING_PACKED_WRAP_BIT);
	bool event_wrap = off_wrap >> VRING_PACKED_WRAP_BIT;

	if (event_wrap != wrap)
		event = (uint16_t)(event - num);
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

#endif /* VLAB_VIRTIO_VRING_PACKED_H */
