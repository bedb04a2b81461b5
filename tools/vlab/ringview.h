/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Snapshots of a virtqueue as it lies in guest memory, and the
 * pictures the stepper and the Graphviz sink draw from them.
 *
 * A snapshot copies what both sides share (the descriptor table and the
 * two rings of a split queue, virtio 1.2 §2.7; the descriptor ring and
 * the two event structures of a packed queue, §2.8) together with the
 * device's own counters (last_avail and used idx; next_avail, next_used
 * and their wrap counters). Comparing it with the snapshot taken at the
 * previous event shows exactly which fields this event changed.
 *
 * Snapshots are meant for the lockstep schedule, where every thread of
 * the machine is stopped while one is taken.
 */
#ifndef VLAB_TOOLS_RINGVIEW_H
#define VLAB_TOOLS_RINGVIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/virtio_ring.h>

#include "sim/machine.h"
#include "virtio/shared/boundary.h"

struct vlab_device;

/**
 * One descriptor of either layout, in CPU byte order: a split descriptor
 * (§2.7.5) carries @c next where a packed one (§2.8.13) carries its buffer
 * @c id; everything else is the same, so one picture serves both.
 */
struct vlab_ringview_desc {
	uint64_t addr;		/**< buffer address */
	uint32_t len;		/**< buffer length */
	uint16_t flags;		/**< VRING_DESC_F_*, and AVAIL/USED if packed */
	uint16_t tag;		/**< split: next; packed: id */
};

/** One queue at one moment. Fields in CPU byte order. */
struct vlab_ringview {
	const struct vlab_device *dev;	/**< whose queue (table reads) */
	unsigned int index;		/**< queue index */
	bool ready;			/**< QueueReady; else nothing */
	bool packed;			/**< VIRTIO_F_RING_PACKED */
	bool event_idx;			/**< VIRTIO_RING_F_EVENT_IDX */
	unsigned int num;		/**< queue size */
	unsigned int cap;		/**< entries the arrays below hold */
	struct vlab_ringview_desc *desc; /**< descriptor table or ring */
	uint16_t *avail_ring;		/**< split: avail ring entries */
	struct vring_used_elem *used_ring; /**< split: used ring entries */
	uint16_t avail_flags;		/**< split: avail flags */
	uint16_t avail_idx;		/**< split: avail idx */
	uint16_t used_event;		/**< split: used_event */
	uint16_t used_flags;		/**< split: used flags */
	uint16_t used_idx;		/**< split: used idx (shared) */
	uint16_t avail_event;		/**< split: avail_event */
	uint16_t drv_flags;		/**< packed: driver event flags */
	uint16_t drv_off_wrap;		/**< packed: driver off_wrap */
	uint16_t dev_flags;		/**< packed: device event flags */
	uint16_t dev_off_wrap;		/**< packed: device off_wrap */
	uint16_t last_avail;		/**< device: split next avail */
	uint16_t next_avail;		/**< device: packed next desc */
	bool avail_wrap;		/**< device: packed its lap */
	uint16_t next_used;		/**< device: packed next used slot */
	bool used_wrap;			/**< device: packed its lap */
	bool drv_known;			/**< the driver's state below is set */
	struct guest_vq_private drv;	/**< driver: what it keeps to itself */
	/**
	 * The event this snapshot follows, when it is about this queue:
	 * its listed fields are the shared fields marked (a field written
	 * with the value it held is marked too). NULL: mark what changed.
	 */
	const struct vlab_event *wrote;
};

/**
 * vlab_ringview_take() - copy queue @p q of @p dev as it is now.
 * @param rv the snapshot; zero it before first use. Its arrays are
 * reused and grown as needed.
 * @param dev the device.
 * @param q the queue index.
 * @return 0, or -ENOMEM.
 */
int vlab_ringview_take(struct vlab_ringview *rv, const struct vlab_device *dev,
		       unsigned int q);

/**
 * vlab_event_device() - the machine slot of the device an event names:
 * the device's own name ("rng0") or the guest's ("virtio0"; the guest
 * numbers its devices in the order the machine plugs them in, which is
 * the slot order). The views and the write check find a queue's rings
 * by it.
 * @param m the machine.
 * @param ev the event.
 * @return the slot, -1 when the event names no device, -2 when it names
 * one the machine does not have.
 */
int vlab_event_device(const struct vlab_machine *m,
		      const struct vlab_event *ev);

/**
 * vlab_ringview_free() - release a snapshot's arrays.
 * @param rv the snapshot.
 */
void vlab_ringview_free(struct vlab_ringview *rv);

/**
 * vlab_ringview_print() - the queue as text: entries in flight and the
 * entries this event changed, changed fields marked.
 * @param out where to.
 * @param now the snapshot to show.
 * @param before the previous snapshot of the same queue, or NULL.
 * @param colour mark changes with terminal colour instead of a '*'.
 */
void vlab_ringview_print(FILE *out, const struct vlab_ringview *now,
			 const struct vlab_ringview *before, bool colour);

/**
 * vlab_ringview_dot() - the queue as a Graphviz cluster: tables for the
 * descriptors and rings, edges from ring entries to the chains they name
 * and along each chain, changed fields filled in yellow.
 * @param out where to (inside a digraph).
 * @param now the snapshot.
 * @param before the previous snapshot, or NULL.
 */
void vlab_ringview_dot(FILE *out, const struct vlab_ringview *now,
		       const struct vlab_ringview *before);

#endif /* VLAB_TOOLS_RINGVIEW_H */
