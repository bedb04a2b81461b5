/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief The chain walker's checks, written once for both ring layouts:
 * what sim/vq_split.c and sim/vq_packed.c call for every buffer and every
 * indirect table they meet (RELIABILITY D5, D8-D13).
 *
 * The rules are the same in both layouts; only the section of virtio 1.2
 * that states each one differs, so each layout hands the walker its own
 * table of sections (struct vq_rules) and every message cites the right one.
 * Private to sim/vq*.c: device models use sim/vq.h.
 */
#ifndef VLAB_SIM_VQ_CHAIN_H
#define VLAB_SIM_VQ_CHAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/virtio_ring.h>

#include "sim/vq.h"

/**
 * Bytes of one descriptor, in a ring or in an indirect table: 16 in both
 * layouts (§2.7.5, §2.8.13), so one table check serves both.
 */
#define VQ_DESC_BYTES 16u

/** Where one ring layout's section of virtio 1.2 states each rule. */
struct vq_rules {
	const char *order;	/**< D8: readable buffers before writable */
	const char *buffer;	/**< D9, D10: a buffer in RAM, not empty */
	const char *max_segs;	/**< D11: no more buffers than accepted */
	const char *total;	/**< D12: a chain totals less than 2^32 bytes */
	const char *inflight;	/**< D13: no more chains in flight than num */
	const char *indirect_feature; /**< INDIRECT needs INDIRECT_DESC */
	const char *indirect_table; /**< D5, D9: the table's length and place */
};

/** The split ring's sections (§2.7), in sim/vq_split.c. */
extern const struct vq_rules vq_split_rules;
/** The packed ring's sections (§2.8), in sim/vq_packed.c. */
extern const struct vq_rules vq_packed_rules;

/**
 * vq_chain_begin() - start taking a chain: refuse it when the queue
 * already has num chains in flight (RELIABILITY D13), else make
 * @p chain empty, its segments in the queue's scratch array.
 * @param dev the device.
 * @param vq the queue.
 * @param chain the chain to fill.
 * @return 0, or -1 after reporting the broken rule.
 */
int vq_chain_begin(struct vlab_device *dev, struct vlab_vq *vq,
		   struct vlab_chain *chain);

/**
 * vq_chain_add_seg() - check one buffer and append it to a chain
 * (RELIABILITY D8, D9, D10, D11, D12).
 * @param dev the device.
 * @param vq the queue.
 * @param chain the chain so far.
 * @param i the descriptor's index, for messages.
 * @param addr buffer address.
 * @param len buffer length.
 * @param write device-writable.
 * @param max_segs most buffers accepted.
 * @return 0, or -1 after reporting the broken rule.
 */
int vq_chain_add_seg(struct vlab_device *dev, struct vlab_vq *vq,
		     struct vlab_chain *chain, unsigned int i, uint64_t addr,
		     uint32_t len, bool write, unsigned int max_segs);

/**
 * vq_chain_indirect() - check an indirect table and return it: the
 * feature was negotiated, its length is a positive multiple of 16
 * (RELIABILITY D5), it lies in guest RAM, 16-byte aligned (D9).
 * What may point at a table differs per layout and is checked there.
 * @param dev the device.
 * @param vq the queue.
 * @param i the descriptor that points at the table, for messages.
 * @param addr table address.
 * @param len table length in bytes.
 * @return the table (len / 16 descriptors of the layout in use), or NULL
 * after reporting the broken rule.
 */
void *vq_chain_indirect(struct vlab_device *dev, struct vlab_vq *vq,
			unsigned int i, uint64_t addr, uint32_t len);

#endif /* VLAB_SIM_VQ_CHAIN_H */
