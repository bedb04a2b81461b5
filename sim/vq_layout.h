/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief What each ring layout gives sim/vq.c: the split ring in
 * sim/vq_split.c (§2.7), the packed ring in sim/vq_packed.c (§2.8), one
 * function per spec step, called as `packed_ring ? x_packed : x_split`.
 *
 * Private to sim/vq*.c: device models use sim/vq.h.
 */
#ifndef VLAB_SIM_VQ_LAYOUT_H
#define VLAB_SIM_VQ_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/vq.h"

/** A layout's queue areas: the rules vlab_vq_enable() checks (D15). */
struct vq_areas {
	bool num_valid;		/**< QueueNum is a size this layout allows */
	const char *num_rule;	/**< that rule, in words */
	unsigned int desc_align; /**< alignment of QueueDesc */
	unsigned int driver_align; /**< alignment of QueueDriver */
	unsigned int device_align; /**< alignment of QueueDevice */
	const char *align_rule;	/**< those alignments, in words */
	size_t desc_bytes;	/**< bytes at QueueDesc */
	size_t driver_bytes;	/**< bytes at QueueDriver */
	size_t device_bytes;	/**< bytes at QueueDevice */
};

/**
 * vq_split_areas() - the split ring's queue areas (§2.7, §2.7.1).
 * @param num the queue size the driver wrote.
 * @param a receives the rules.
 */
void vq_split_areas(unsigned int num, struct vq_areas *a);

/**
 * vq_split_enable() - start a checked split queue at its first entry.
 * @param vq the queue.
 * @param desc translated QueueDesc.
 * @param driver translated QueueDriver.
 * @param device translated QueueDevice.
 */
void vq_split_enable(struct vlab_vq *vq, void *desc, void *driver,
		     void *device);

/**
 * vq_split_pop() - take the next chain from the avail ring (§2.7.6).
 * @param dev the device.
 * @param vq the queue.
 * @param chain receives the chain.
 * @param max_segs most buffers accepted.
 * @return 1, 0 when none is pending, -1 after a broken rule.
 */
int vq_split_pop(struct vlab_device *dev, struct vlab_vq *vq,
		 struct vlab_chain *chain, unsigned int max_segs);

/**
 * vq_split_push() - return a chain in the used ring (§2.7.8).
 * @param dev the device.
 * @param vq the queue.
 * @param id the head index to return.
 * @param len bytes written.
 */
void vq_split_push(struct vlab_device *dev, struct vlab_vq *vq, uint32_t id,
		   uint32_t len);

/**
 * vq_split_disable_notify() - no kicks wanted for now (§2.7.10).
 * @param vq the queue.
 */
void vq_split_disable_notify(struct vlab_vq *vq);

/**
 * vq_split_enable_notify() - kicks wanted again; look once more (§2.7.10).
 * @param vq the queue.
 * @return true when the driver published buffers meanwhile.
 */
bool vq_split_enable_notify(struct vlab_vq *vq);

/**
 * vq_split_need_interrupt() - the interrupt decision (§2.7.7).
 * @param vq the queue, after a push.
 * @return true to send the used-buffer notification.
 */
bool vq_split_need_interrupt(struct vlab_vq *vq);

/**
 * vq_packed_areas() - the packed ring's queue areas (§2.8, §2.8.10.1).
 * @param num the queue size the driver wrote.
 * @param a receives the rules.
 */
void vq_packed_areas(unsigned int num, struct vq_areas *a);

/**
 * vq_packed_enable() - start a checked packed queue at its first
 * descriptor, both wrap counters 1 (§2.8.1).
 * @param vq the queue.
 * @param desc translated QueueDesc.
 * @param driver translated QueueDriver.
 * @param device translated QueueDevice.
 */
void vq_packed_enable(struct vlab_vq *vq, void *desc, void *driver,
		      void *device);

/**
 * vq_packed_pop() - take the next available buffer (§2.8.6).
 * @param dev the device.
 * @param vq the queue.
 * @param chain receives the buffer.
 * @param max_segs most buffers accepted.
 * @return 1, 0 when none is available, -1 after a broken rule.
 */
int vq_packed_pop(struct vlab_device *dev, struct vlab_vq *vq,
		  struct vlab_chain *chain, unsigned int max_segs);

/**
 * vq_packed_push() - return a buffer as a used descriptor (§2.8.1).
 * @param dev the device.
 * @param vq the queue.
 * @param id the buffer id.
 * @param len bytes written.
 * @param ndescs descriptors the buffer took.
 */
void vq_packed_push(struct vlab_device *dev, struct vlab_vq *vq, uint16_t id,
		    uint32_t len, uint16_t ndescs);

/**
 * vq_packed_disable_notify() - no kicks wanted for now (§2.8.10).
 * @param vq the queue.
 */
void vq_packed_disable_notify(struct vlab_vq *vq);

/**
 * vq_packed_enable_notify() - kicks wanted again; look once more
 * (§2.8.10).
 * @param vq the queue.
 * @return true when the driver made a buffer available meanwhile.
 */
bool vq_packed_enable_notify(struct vlab_vq *vq);

/**
 * vq_packed_need_interrupt() - the interrupt decision (§2.8.10).
 * @param vq the queue, after a push.
 * @return true to send the used-buffer notification.
 */
bool vq_packed_need_interrupt(struct vlab_vq *vq);

#endif /* VLAB_SIM_VQ_LAYOUT_H */
