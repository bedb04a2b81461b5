/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Split-ring arithmetic shared by the driver side (virtio/) and the
 * device side (sim/): sizes of the three areas and index arithmetic
 * (virtio 1.2 §2.7).
 *
 * Both sides must agree on these numbers to the byte, so they are written
 * once. The wire structures themselves come from <linux/virtio_ring.h>.
 *
 * Indices: avail->idx and used->idx are free-running 16-bit counters. The
 * ring slot of index i is i mod queue size (the size is a power of two), and
 * the number of entries between two indices is their 16-bit difference,
 * which stays right when the counters wrap past 65535.
 */
#ifndef VLAB_VIRTIO_VRING_SPLIT_H
#define VLAB_VIRTIO_VRING_SPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_ring.h>

/** Largest split queue size (virtio 1.2 §2.7: at most 32768). */
#define VRING_SPLIT_MAX_NUM 32768u

/**
 * vring_split_num_valid() - whether @p num is a legal split queue size.
 * @param num the queue size.
 * @return true for a power of two from 1 to 32768.
 */
static inline bool vring_split_num_valid(unsigned int num)
{
	return num && num <= VRING_SPLIT_MAX_NUM && !(num & (num - 1));
}

/**
 * vring_split_desc_bytes() - size of the descriptor table.
 * @param num the queue size.
 * @return 16 * num.
 */
static inline size_t vring_split_desc_bytes(unsigned int num)
{
	return (size_t)16 * num;
}

/**
 * vring_split_avail_bytes() - size of the driver area: flags, idx,
 * ring[num] and used_event.
 * @param num the queue size.
 * @return 6 + 2 * num.
 */
static inline size_t vring_split_avail_bytes(unsigned int num)
{
	return 6 + (size_t)2 * num;
}

/**
 * vring_split_used_bytes() - size of the device area: flags, idx,
 * ring[num] of {id, len}, and avail_event.
 * @param num the queue size.
 * @return 6 + 8 * num.
 */
static inline size_t vring_split_used_bytes(unsigned int num)
{
	return 6 + (size_t)8 * num;
}

/**
 * vring_split_slot() - the ring slot that index @p idx names.
 * @param idx a free-running index.
 * @param num the queue size (a power of two).
 * @return idx mod num.
 */
static inline unsigned int vring_split_slot(uint16_t idx, unsigned int num)
{
	return idx & (num - 1);
}

/**
 * vring_split_pending() - entries published between two indices.
 * @param newer the later index.
 * @param older the earlier index.
 * @return (newer - older) mod 2^16.
 */
static inline uint16_t vring_split_pending(uint16_t newer, uint16_t older)
{
	return (uint16_t)(newer - older);
}

/**
 * vring_split_used_event() - where used_event lives (§2.7.10): the 16-bit
 * field right after avail->ring[num], in the driver area. The driver
 * writes it; the device reads it to decide on an interrupt (§2.7.7.2).
 *
 * The one place the event fields are located: both sides (and the ring
 * view) reach them through this and vring_split_avail_event().
 * @param avail the driver area.
 * @param num the queue size.
 * @return the field's address.
 */
static inline __virtio16 *vring_split_used_event(struct vring_avail *avail,
						 unsigned int num)
{
	return &avail->ring[num];
}

/**
 * vring_split_avail_event() - where avail_event lives (§2.7.10): the
 * 16-bit field right after used->ring[num], in the device area. The device
 * writes it; the driver reads it to decide on a kick (§2.7.13.4).
 * @param used the device area.
 * @param num the queue size.
 * @return the field's address.
 */
static inline __virtio16 *vring_split_avail_event(struct vring_used *used,
						  unsigned int num)
{
	return (__virtio16 *)&used->ring[num];
}

#endif /* VLAB_VIRTIO_VRING_SPLIT_H */
