/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief What each ring layout gives sim/vq.c: the split ring in
 * sim/vq_split.c (§2.7), the packed ring in sim/vq_packed.c (§2.8), one
 * function per spec step, called as `packed_ring ? x_packed : x_split`.
 *
 * Each function is documented where it is defined, with its section and
 * the trace event it emits. Private to sim/vq*.c: device models use
 * sim/vq.h.
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

/* sim/vq_split.c: the split ring (§2.7) */
void vq_split_areas(unsigned int num, struct vq_areas *a);
void vq_split_enable(struct vlab_vq *vq, void *desc, void *driver,
		     void *device);
int vq_split_pop(struct vlab_device *dev, struct vlab_vq *vq,
		 struct vlab_chain *chain, unsigned int max_segs);
void vq_split_push(struct vlab_device *dev, struct vlab_vq *vq, uint32_t id,
		   uint32_t len);
void vq_split_disable_notify(struct vlab_vq *vq);
bool vq_split_enable_notify(struct vlab_vq *vq);
bool vq_split_need_interrupt(struct vlab_vq *vq);

/* sim/vq_packed.c: the packed ring (§2.8) */
void vq_packed_areas(unsigned int num, struct vq_areas *a);
void vq_packed_enable(struct vlab_vq *vq, void *desc, void *driver,
		      void *device);
int vq_packed_pop(struct vlab_device *dev, struct vlab_vq *vq,
		  struct vlab_chain *chain, unsigned int max_segs);
void vq_packed_push(struct vlab_device *dev, struct vlab_vq *vq, uint16_t id,
		    uint32_t len, uint16_t ndescs);
void vq_packed_disable_notify(struct vlab_vq *vq);
bool vq_packed_enable_notify(struct vlab_vq *vq);
bool vq_packed_need_interrupt(struct vlab_vq *vq);

#endif /* VLAB_SIM_VQ_LAYOUT_H */
