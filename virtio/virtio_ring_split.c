// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The driver side of the split virtqueue (virtio 1.2 §2.7).
 *
 * Three areas in guest memory, shared with the device:
 *  - the descriptor table: {addr, len, flags, next} per buffer piece;
 *  - the available ring (driver area): heads of chains the driver offers;
 *  - the used ring (device area): heads the device is done with, and how
 *    many bytes it wrote.
 *
 * The driver never trusts what it reads back from shared memory: it keeps
 * its own copy of every descriptor it wrote (desc_extra) and of every
 * chain it offered (desc_state), and checks every id and length the device
 * returns against them (vring_check_used() in virtio_ring.c).
 *
 * Each step of §2.7.13 / §2.7.14 that the trace reports is one function
 * here, and its comment names the event: add_descs_split() (add),
 * publish_avail_split() (publish), kick_prepare_split() (kick-suppressed;
 * the kick itself is virtqueue_notify() in virtio_ring.c), get_buf_ctx_split()
 * (get_buf), detach_unused_buf_split() (detach).
 *
 * virtio_ring.c calls these through its layout dispatch; the other layout
 * is in virtio_ring_packed.c.
 */
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <linux/slab.h>

#include "virtio/shared/boundary.h"
#include "virtio/shared/vring_split.h"
#include "virtio/vring_virtqueue.h"

/**
 * trace_desc_split() - report one descriptor the driver just wrote.
 * @param vq the queue.
 * @param idx its index (in the ring, or in the indirect table).
 * @param d the descriptor as written (little-endian).
 * @param table the indirect table it is an entry of, or NULL.
 * @param free_before free ring descriptors before this request.
 * @param free_after free ring descriptors after it.
 *
 * Trace event: add, listing `desc[idx]` or the table entry as written.
 */
static void trace_desc_split(struct vring_virtqueue *vq, unsigned int idx,
			     const struct vring_desc *d,
			     const struct vring_desc *table,
			     unsigned int free_before, unsigned int free_after)
{
	struct virtio_device *vdev = vq->vq.vdev;

	VLAB_TRACE(.kind = VLAB_EV_DESC_ADD, .dev = vq_dev_name(vq),
		   .queue = (int)vq->vq.index, .layout = VLAB_RING_SPLIT,
		   .before = free_before, .after = free_after,
		   .desc = { .index = (u16)idx,
			     .addr = virtio64_to_cpu(vdev, d->addr),
			     .len = virtio32_to_cpu(vdev, d->len),
			     .flags = virtio16_to_cpu(vdev, d->flags),
			     .next = virtio16_to_cpu(vdev, d->next),
			     .table = table ? virt_to_phys(table) : 0 },
		   .fields = { { table ? VLAB_FIELD_INDIRECT : VLAB_FIELD_DESC,
				 (u16)idx } },
		   .nfields = 1);
}

/**
 * desc_flags_split() - WRITE for a device-writable buffer, NEXT for all
 * but the last descriptor of a chain.
 * @param n which scatterlist the buffer is in.
 * @param out_sgs how many of them are readable (they come first).
 * @param last true for the chain's last descriptor.
 * @return the descriptor's flags.
 */
static u16 desc_flags_split(unsigned int n, unsigned int out_sgs, bool last)
{
	return (last ? 0 : VRING_DESC_F_NEXT) |
	       (n >= out_sgs ? VRING_DESC_F_WRITE : 0);
}

/* book: [write_indirect_split] */
/**
 * write_indirect_split() - fill an indirect table with a request and put
 * one ring descriptor pointing at it (§2.7.5.3).
 * @param vq the queue.
 * @param sgs scatterlists: out_sgs readable ones, then in_sgs writable.
 * @param total_sg entries over all lists.
 * @param out_sgs readable scatterlists.
 * @param in_sgs writable scatterlists.
 * @param req the add in progress (its table, its head).
 * @return the first free descriptor after the head.
 *
 * Trace event: add, one per table entry and then one for the ring
 * descriptor, each right after its write.
 */
static unsigned int write_indirect_split(struct vring_virtqueue *vq,
					 struct scatterlist *sgs[],
					 unsigned int total_sg,
					 unsigned int out_sgs,
					 unsigned int in_sgs,
					 const struct vring_add_req *req)
{
	struct vring_desc_extra *extra = vq->split.desc_extra;
	struct vring_desc *ring = vq->split.vring.desc, *table = req->table;
	struct virtio_device *vdev = vq->vq.vdev;
	unsigned int n, i = 0, head = req->id;
	struct scatterlist *sg;

	/* §2.7.5.3: the chain lives in the table, indices from 0 */
	for (n = 0; n < out_sgs + in_sgs; n++) {
		for (sg = sgs[n]; sg; sg = sg_next(sg), i++) {
			table[i].addr = cpu_to_virtio64(vdev, sg_phys(sg));
			table[i].len = cpu_to_virtio32(vdev, sg->length);
			table[i].flags = cpu_to_virtio16(vdev,
				desc_flags_split(n, out_sgs, i + 1 == total_sg));
			table[i].next = cpu_to_virtio16(vdev, i + 1);
			trace_desc_split(vq, i, &table[i], table,
					 req->free_before,
					 req->free_before - 1);
		}
	}

	/* One ring descriptor points at the table */
	extra[head].addr = virt_to_phys(table);
	extra[head].len = total_sg * sizeof(struct vring_desc);
	extra[head].flags = VRING_DESC_F_INDIRECT;
	ring[head].addr = cpu_to_virtio64(vdev, extra[head].addr);
	ring[head].len = cpu_to_virtio32(vdev, extra[head].len);
	ring[head].flags = cpu_to_virtio16(vdev, VRING_DESC_F_INDIRECT);
	ring[head].next = cpu_to_virtio16(vdev, extra[head].next);
	trace_desc_split(vq, head, &ring[head], NULL, req->free_before,
			 req->free_before - 1);
	return extra[head].next;
}
/* book: [write_indirect_split] */

/**
 * write_chain_split() - put a request in ring descriptors taken off the
 * free list, chained with NEXT (§2.7.13.1).
 * @param vq the queue.
 * @param sgs scatterlists: out_sgs readable ones, then in_sgs writable.
 * @param out_sgs readable scatterlists.
 * @param in_sgs writable scatterlists.
 * @param total_sg entries over all lists.
 * @param req the add in progress (its head, the free count).
 * @return the first free descriptor after the chain.
 *
 * The free list is linked through desc_extra[].next, so the chain takes
 * the free descriptors in list order and its links are the list's links.
 *
 * Trace event: add, one per descriptor, right after its write.
 */
static unsigned int write_chain_split(struct vring_virtqueue *vq,
				      struct scatterlist *sgs[],
				      unsigned int out_sgs,
				      unsigned int in_sgs,
				      unsigned int total_sg,
				      const struct vring_add_req *req)
{
	struct vring_desc_extra *extra = vq->split.desc_extra;
	struct vring_desc *desc = vq->split.vring.desc;
	struct virtio_device *vdev = vq->vq.vdev;
	unsigned int n, i = req->id, k = 0;
	struct scatterlist *sg;
	u16 flags;

	/* Readable buffers first (§2.7.4.2) */
	for (n = 0; n < out_sgs + in_sgs; n++) {
		for (sg = sgs[n]; sg; sg = sg_next(sg), k++) {
			flags = desc_flags_split(n, out_sgs, k + 1 == total_sg);
			desc[i].addr = cpu_to_virtio64(vdev, sg_phys(sg));
			desc[i].len = cpu_to_virtio32(vdev, sg->length);
			desc[i].flags = cpu_to_virtio16(vdev, flags);
			/* The driver's own copy: never read back from RAM */
			extra[i].addr = sg_phys(sg);
			extra[i].len = sg->length;
			extra[i].flags = flags;
			desc[i].next = cpu_to_virtio16(vdev, extra[i].next);
			trace_desc_split(vq, i, &desc[i], NULL, req->free_before,
					 req->free_before - req->descs_used);
			i = extra[i].next;
		}
	}
	return i;
}

/**
 * add_descs_split() - place a request's buffers into the descriptor table
 * (virtio 1.2 §2.7.13.1), in a table of its own with INDIRECT_DESC
 * (§2.7.5.3) or in ring descriptors.
 * @param vq the queue.
 * @param sgs scatterlists: out_sgs readable ones, then in_sgs writable.
 * @param total_sg entries over all lists.
 * @param out_sgs readable scatterlists.
 * @param in_sgs writable scatterlists.
 * @param req the add in progress.
 * @return the first free descriptor after the chain.
 *
 * Trace event: add, one per descriptor written (table entries first, then
 * the ring descriptors from the head), each right after its write.
 */
static unsigned int add_descs_split(struct vring_virtqueue *vq,
				    struct scatterlist *sgs[],
				    unsigned int total_sg,
				    unsigned int out_sgs, unsigned int in_sgs,
				    const struct vring_add_req *req)
{
	if (req->table)
		return write_indirect_split(vq, sgs, total_sg, out_sgs,
					    in_sgs, req);
	return write_chain_split(vq, sgs, out_sgs, in_sgs, total_sg, req);
}

/* book: [publish_avail_split] */
/**
 * publish_avail_split() - offer a chain: put its head in the next slot of
 * the available ring (§2.7.13.2), then make it visible by moving avail idx
 * (§2.7.13.3).
 * @param vq the queue.
 * @param head the chain's head.
 *
 * Trace event: publish.
 */
static void publish_avail_split(struct vring_virtqueue *vq, unsigned int head)
{
	struct virtio_device *vdev = vq->vq.vdev;
	unsigned int slot;
	u16 old_idx;

	slot = vring_split_slot(vq->split.avail_idx_shadow,
				vq->split.vring.num);
	vq->split.vring.avail->ring[slot] = cpu_to_virtio16(vdev, head);

	/*
	 * Orders the descriptor and ring-slot writes above (write) before the
	 * new idx; pairs with the device's acquire load of avail->idx before
	 * it reads the ring and the descriptors (read): a device that sees the
	 * new idx also sees the whole chain.
	 */
	old_idx = vq->split.avail_idx_shadow;
	vq->split.avail_idx_shadow++;
	smp_store_release(&vq->split.vring.avail->idx,
			  cpu_to_virtio16(vdev, vq->split.avail_idx_shadow));
	VLAB_TRACE(.kind = VLAB_EV_AVAIL_PUBLISH, .dev = vq_dev_name(vq),
		   .queue = (int)vq->vq.index, .layout = VLAB_RING_SPLIT,
		   .before = old_idx, .after = vq->split.avail_idx_shadow,
		   .publish = { .head = (u16)head, .slot = (u16)slot },
		   .fields = { { VLAB_FIELD_AVAIL_RING, (u16)slot },
			       { VLAB_FIELD_AVAIL_IDX, 0 } },
		   .nfields = 2);
}
/* book: [publish_avail_split] */

/**
 * virtqueue_add_split() - supply one request to the device (virtio 1.2
 * §2.7.13): descriptors (§2.7.13.1), the avail ring and its idx
 * (§2.7.13.2-3). The notification (§2.7.13.4) is the caller's kick.
 * @param vq the queue.
 * @param sgs scatterlists: out_sgs readable ones, then in_sgs writable.
 * @param total_sg total entries over all lists.
 * @param out_sgs readable scatterlists.
 * @param in_sgs writable scatterlists.
 * @param data the token.
 * @param ctx the ctx, or NULL.
 * @param req what the shared head of add (virtqueue_add()) found: room,
 *	the indirect table if any, the head.
 * @return 0.
 *
 * With VIRTIO_RING_F_INDIRECT_DESC a request of more than one buffer
 * goes into a table of its own and takes a single ring descriptor, as in
 * Linux; otherwise each buffer takes a ring descriptor.
 */
int virtqueue_add_split(struct vring_virtqueue *vq, struct scatterlist *sgs[],
			unsigned int total_sg, unsigned int out_sgs,
			unsigned int in_sgs, void *data, void *ctx,
			const struct vring_add_req *req)
{
	unsigned int next_free;

	next_free = add_descs_split(vq, sgs, total_sg, out_sgs, in_sgs, req);
	vring_buf_claim(vq, req, next_free, data, ctx);
	publish_avail_split(vq, req->id);
	vq->num_added++;

	/*
	 * kick_prepare_split() measures what was added since the last kick as
	 * the 16-bit window [avail idx - num_added, avail idx): at 2^16 - 1
	 * adds without a kick the window would be empty again (old == new)
	 * and the device would never be notified. Linux kicks here too.
	 */
	if (unlikely(vq->num_added == (1 << 16) - 1))
		virtqueue_kick(&vq->vq);
	return 0;
}

/* book: [kick_prepare_split] */
/**
 * kick_prepare_split() - the kick decision of a split ring: does the
 * device want to hear about the buffers added since the last call
 * (§2.7.13.4, suppression by §2.7.10)?
 * @param vq the queue.
 * @return true when the device must be notified (virtqueue_notify()).
 *
 * Trace event: kick-suppressed, when it does not.
 */
bool kick_prepare_split(struct vring_virtqueue *vq)
{
	u16 new, old;
	bool needs_kick;

	/*
	 * Orders the release store of avail->idx (publish_avail_split(),
	 * write) before the loads of used->flags or avail_event below (read).
	 * Pairs with the device's full barrier between its store of
	 * NO_NOTIFY / avail_event and its re-read of avail->idx (in sim/).
	 * Without both, each side could miss the other: no kick sent and no
	 * buffer seen (§2.7.10).
	 */
	virtio_mb(vq->weak_barriers);

	old = vq->split.avail_idx_shadow - vq->num_added;
	new = vq->split.avail_idx_shadow;
	vq->num_added = 0;

	if (vq->event)
		needs_kick = vring_need_event(virtio16_to_cpu(vq->vq.vdev,
				READ_ONCE(vring_avail_event(&vq->split.vring))),
				new, old);
	else
		needs_kick = !(READ_ONCE(vq->split.vring.used->flags) &
			       cpu_to_virtio16(vq->vq.vdev,
					       VRING_USED_F_NO_NOTIFY));
	if (!needs_kick)
		VLAB_TRACE(.kind = VLAB_EV_KICK_SUPPRESSED,
			   .dev = vq_dev_name(vq), .queue = (int)vq->vq.index,
			   .layout = VLAB_RING_SPLIT, .before = old,
			   .after = new);
	return needs_kick;
}
/* book: [kick_prepare_split] */

/**
 * detach_buf_split() - return a chain's descriptors to the free list.
 * @param vq the queue.
 * @param head the chain's head.
 * @param ctx receives its ctx, or NULL.
 * @return its token.
 *
 * Walks the driver's own copy of the chain, never the shared table: a
 * device cannot lengthen, shorten or loop a chain by rewriting it.
 */
static void *detach_buf_split(struct vring_virtqueue *vq, unsigned int head,
			      void **ctx)
{
	struct vring_desc_extra *extra = vq->split.desc_extra;
	unsigned int i = head;

	while (extra[i].flags & VRING_DESC_F_NEXT)
		i = extra[i].next;
	return vring_buf_release(vq, head, &extra[i].next, ctx);
}

/**
 * more_used_split() - whether the device has published used entries we
 * have not read, checking that the index moved plausibly.
 * @param vq the queue.
 * @return true when there is at least one.
 *
 * Only the thread that takes buffers (get_buf's caller) may use this: it
 * owns last_used_idx, so a used idx more than a queue's worth ahead can
 * only be the device's fault (RELIABILITY R3).
 */
static bool more_used_split(struct vring_virtqueue *vq)
{
	u16 used_idx, pending;

	/*
	 * Acquire pairs with the device's release store of used->idx: every
	 * used element up to that index is visible once we see the index.
	 */
	used_idx = smp_load_acquire(&vq->split.vring.used->idx);
	used_idx = virtio16_to_cpu(vq->vq.vdev, used_idx);
	pending = vring_split_pending(used_idx, vq->last_used_idx);
	if (unlikely(pending > vq->split.vring.num)) {
		/* RELIABILITY R3: more used than could ever be in flight */
		vring_bad_ring(vq, "used idx moved more than the queue size");
		return false;
	}
	return pending != 0;
}

/**
 * used_hint_split() - whether the device has used something we have not
 * taken, as seen from the interrupt handler.
 * @param vq the queue.
 * @return true when used idx differs from last_used_idx.
 *
 * Only a hint: the driver may be taking buffers on another CPU at this
 * very moment and move last_used_idx past the used idx we just read, so
 * no conclusion about the device may be drawn here.
 */
bool used_hint_split(struct vring_virtqueue *vq)
{
	u16 used_idx = virtio16_to_cpu(vq->vq.vdev,
			smp_load_acquire(&vq->split.vring.used->idx));

	return used_idx != READ_ONCE(vq->last_used_idx);
}

/** The driver's notification-suppression fields of a split ring. */
struct supp_split {
	u16 flags;		/**< avail->flags (NO_INTERRUPT) */
	u16 used_event;		/**< used_event, after avail->ring[] */
};

/**
 * supp_split_snap() - what the driver's suppression fields hold before
 * it writes them (it alone writes them), when tracing wants to know.
 * @param vq the queue.
 * @return the fields, or zeros with tracing off.
 */
static struct supp_split supp_split_snap(struct vring_virtqueue *vq)
{
	struct virtio_device *vdev = vq->vq.vdev;

	if (!VLAB_TRACING())
		return (struct supp_split){ 0 };
	return (struct supp_split){
		.flags = virtio16_to_cpu(vdev,
					 READ_ONCE(vq->split.vring.avail->flags)),
		.used_event = virtio16_to_cpu(vdev,
			READ_ONCE(vring_used_event(&vq->split.vring))),
	};
}

/**
 * supp_split_traced() - after the driver wrote its suppression fields
 * (§2.7.10): one event for each field that changed, so the interrupts
 * it asks for are as visible as the buffers it adds.
 * Trace event: driver-event.
 * @param vq the queue.
 * @param old what supp_split_snap() saw before the writes.
 */
static void supp_split_traced(struct vring_virtqueue *vq,
			      struct supp_split old)
{
	struct supp_split now;

	if (!VLAB_TRACING())
		return;
	now = supp_split_snap(vq);
	if (now.flags != old.flags)
		VLAB_TRACE(.kind = VLAB_EV_DRIVER_EVENT, .dev = vq_dev_name(vq),
			   .queue = (int)vq->vq.index, .layout = VLAB_RING_SPLIT,
			   .before = old.flags, .after = now.flags,
			   .supp = { .field = VLAB_SUPP_FLAGS },
			   .fields = { { VLAB_FIELD_AVAIL_FLAGS, 0 } },
			   .nfields = 1);
	if (now.used_event != old.used_event)
		VLAB_TRACE(.kind = VLAB_EV_DRIVER_EVENT, .dev = vq_dev_name(vq),
			   .queue = (int)vq->vq.index, .layout = VLAB_RING_SPLIT,
			   .before = old.used_event, .after = now.used_event,
			   .supp = { .field = VLAB_SUPP_EVENT_IDX },
			   .fields = { { VLAB_FIELD_USED_EVENT, 0 } },
			   .nfields = 1);
}

/* book: [get_buf_ctx_split] */
/**
 * get_buf_ctx_split() - receive one used buffer from the device
 * (virtio 1.2 §2.7.14): read the next used element, check it, give the
 * chain's descriptors back to the free list.
 * @param vq the queue (not broken: virtqueue_get_buf_ctx() checked).
 * @param len receives the length written.
 * @param ctx receives the ctx, or NULL.
 * @return the token, or NULL.
 *
 * Trace event: get_buf.
 */
void *get_buf_ctx_split(struct vring_virtqueue *vq, unsigned int *len,
			void **ctx)
{
	struct virtio_device *vdev = vq->vq.vdev;
	unsigned int slot, i, num = vq->split.vring.num;
	u32 used_len;
	u16 old;
	void *ret;

	if (!more_used_split(vq))
		return NULL;

	/* The next used element (visible since the acquire of used->idx) */
	slot = vring_split_slot(vq->last_used_idx, num);
	i = virtio32_to_cpu(vdev, vq->split.vring.used->ring[slot].id);
	used_len = virtio32_to_cpu(vdev, vq->split.vring.used->ring[slot].len);
	if (!vring_check_used(vq, i, &used_len))
		return NULL;
	*len = used_len;

	ret = detach_buf_split(vq, i, ctx);
	old = vq->last_used_idx;
	WRITE_ONCE(vq->last_used_idx, (u16)(old + 1));
	VLAB_TRACE(.kind = VLAB_EV_GET_BUF, .dev = vq_dev_name(vq),
		   .queue = (int)vq->vq.index, .layout = VLAB_RING_SPLIT,
		   .before = old, .after = vq->last_used_idx,
		   .get_buf = { .id = (u16)i, .len = used_len,
				.slot = (u16)slot });

	/* With EVENT_IDX, ask to be interrupted at the next used entry */
	if (vq->event && !(vq->split.avail_flags_shadow &
			   VRING_AVAIL_F_NO_INTERRUPT)) {
		struct supp_split old = supp_split_snap(vq);

		/*
		 * The virtio_mb orders this store of used_event (write) before
		 * our next load of used->idx (read: more_used_split() in the
		 * next get_buf, or virtqueue_poll()). It pairs with the
		 * device's full barrier between its store of used->idx and its
		 * load of used_event (in sim/): either the device sees the new
		 * used_event and interrupts for its next used entry, or we see
		 * that entry. The release only keeps the detach above before
		 * the store; the device reads used_event relaxed.
		 */
		smp_store_release(&vring_used_event(&vq->split.vring),
				  cpu_to_virtio16(vdev, vq->last_used_idx));
		virtio_mb(vq->weak_barriers);
		supp_split_traced(vq, old);
	}
	return ret;
}
/* book: [get_buf_ctx_split] */

/**
 * disable_cb_split() - ask the device not to interrupt (§2.7.7): the
 * NO_INTERRUPT flag, or with EVENT_IDX a used_event it will not reach.
 * @param vq the queue.
 *
 * Only a hint (no barrier): the device may still interrupt.
 */
void disable_cb_split(struct vring_virtqueue *vq)
{
	struct supp_split old;

	if (vq->split.avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT)
		return;
	old = supp_split_snap(vq);
	vq->split.avail_flags_shadow |= VRING_AVAIL_F_NO_INTERRUPT;
	if (vq->event)
		/*
		 * §2.7.7: with EVENT_IDX the flag means nothing to the device.
		 * Put used_event as far behind as it goes: the device would
		 * have to use 65535 more buffers to reach it.
		 */
		WRITE_ONCE(vring_used_event(&vq->split.vring),
			   cpu_to_virtio16(vq->vq.vdev,
					   (u16)(vq->last_used_idx - 1)));
	else
		WRITE_ONCE(vq->split.vring.avail->flags,
			   cpu_to_virtio16(vq->vq.vdev,
					   vq->split.avail_flags_shadow));
	supp_split_traced(vq, old);
}

/**
 * enable_cb_prepare_split() - ask for interrupts again (§2.7.7): clear
 * NO_INTERRUPT, or with EVENT_IDX set used_event to the next used entry.
 * @param vq the queue.
 * @return last_used_idx, for poll_split().
 *
 * The barrier that orders these stores before the re-check of used->idx
 * is in virtqueue_poll().
 */
unsigned int enable_cb_prepare_split(struct vring_virtqueue *vq)
{
	struct supp_split old = supp_split_snap(vq);

	if (vq->split.avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT) {
		vq->split.avail_flags_shadow &= ~VRING_AVAIL_F_NO_INTERRUPT;
		if (!vq->event)
			WRITE_ONCE(vq->split.vring.avail->flags,
				   cpu_to_virtio16(vq->vq.vdev,
					vq->split.avail_flags_shadow));
	}
	if (vq->event)
		WRITE_ONCE(vring_used_event(&vq->split.vring),
			   cpu_to_virtio16(vq->vq.vdev, vq->last_used_idx));
	supp_split_traced(vq, old);
	return vq->last_used_idx;
}

/**
 * poll_split() - whether used idx moved past @p last_used_idx.
 * @param vq the queue.
 * @param last_used_idx what enable_cb_prepare_split() returned.
 * @return true when used idx moved.
 */
bool poll_split(struct vring_virtqueue *vq, unsigned int last_used_idx)
{
	u16 used_idx;

	used_idx = smp_load_acquire(&vq->split.vring.used->idx);
	used_idx = virtio16_to_cpu(vq->vq.vdev, used_idx);
	return (u16)last_used_idx != used_idx;
}

/**
 * enable_cb_delayed_split() - ask for an interrupt once about 3/4 of the
 * outstanding buffers are used (EVENT_IDX, §2.7.7), else as enable_cb.
 * @param vq the queue.
 * @return false when buffers are already pending.
 */
bool enable_cb_delayed_split(struct vring_virtqueue *vq)
{
	struct supp_split old;
	u16 bufs;

	if (!vq->event)
		return virtqueue_enable_cb(&vq->vq);
	old = supp_split_snap(vq);
	/* The interrupt when about 3/4 of the pending buffers are used */
	if (vq->split.avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT)
		vq->split.avail_flags_shadow &= ~VRING_AVAIL_F_NO_INTERRUPT;
	bufs = (u16)(vq->split.avail_idx_shadow - vq->last_used_idx) * 3 / 4;
	/*
	 * The full barrier that orders this store of used_event (write)
	 * before the re-read of used->idx (read) is the virtio_mb in
	 * virtqueue_poll(); it pairs with the device's barrier between its
	 * store of used->idx and its load of used_event.
	 */
	smp_store_release(&vring_used_event(&vq->split.vring),
			  cpu_to_virtio16(vq->vq.vdev,
					  (u16)(vq->last_used_idx + bufs)));
	supp_split_traced(vq, old);
	return !virtqueue_poll(&vq->vq, vq->last_used_idx);
}

/**
 * detach_unused_buf_split() - take back a chain the device never used
 * (after a reset, §3.3.1), and its entry off the avail ring.
 * @param vq the queue.
 * @return a token, or NULL when none is left.
 *
 * Trace event: detach.
 */
void *detach_unused_buf_split(struct vring_virtqueue *vq)
{
	unsigned int i;
	void *buf;

	for (i = 0; i < vq->split.vring.num; i++) {
		if (!vq->desc_state[i].data)
			continue;
		buf = detach_buf_split(vq, i, NULL);
		/* The device is reset: take the entry off the avail ring */
		vq->split.avail_idx_shadow--;
		WRITE_ONCE(vq->split.vring.avail->idx,
			   cpu_to_virtio16(vq->vq.vdev,
					   vq->split.avail_idx_shadow));
		VLAB_TRACE(.kind = VLAB_EV_DETACH, .dev = vq_dev_name(vq),
			   .queue = (int)vq->vq.index, .layout = VLAB_RING_SPLIT,
			   .before = (u16)(vq->split.avail_idx_shadow + 1),
			   .after = vq->split.avail_idx_shadow,
			   .detach = { .id = (u16)i },
			   .fields = { { VLAB_FIELD_AVAIL_IDX, 0 } },
			   .nfields = 1);
		return buf;
	}
	return NULL;
}

/**
 * vring_create_virtqueue_split() - vring_create_virtqueue() for a split
 * ring: the three areas in one block, in the legacy layout vring_init()
 * describes (§2.7), and every descriptor on the free list.
 * @param index queue index.
 * @param num queue size (a power of two).
 * @param vring_align alignment of the device area.
 * @param vdev the device.
 * @param weak_barriers CPU barriers suffice.
 * @param may_reduce_num try smaller sizes when memory is short.
 * @param ctx buffers carry a ctx.
 * @param notify the transport's kick.
 * @param callback the driver's callback, or NULL.
 * @param name the queue's name.
 * @return the queue, or NULL.
 */
struct virtqueue *vring_create_virtqueue_split(unsigned int index,
		unsigned int num, unsigned int vring_align,
		struct virtio_device *vdev, bool weak_barriers,
		bool may_reduce_num, bool ctx,
		bool (*notify)(struct virtqueue *vq),
		void (*callback)(struct virtqueue *vq), const char *name)
{
	struct vring_virtqueue *vq;
	dma_addr_t dma_addr = 0;
	void *queue = NULL;
	unsigned int i;
	size_t size = 0;

	if (!vring_split_num_valid(num)) {
		dev_warn(&vdev->dev, "bad virtqueue size %u\n", num);
		return NULL;
	}
	for (; num; num /= 2) {
		size = vring_size(num, vring_align);
		queue = dma_alloc_coherent(&vdev->dev, size, &dma_addr,
					   GFP_KERNEL | __GFP_NOWARN);
		if (queue || !may_reduce_num)
			break;
	}
	if (!queue)
		return NULL;

	vq = kzalloc(sizeof(*vq), GFP_KERNEL);
	if (!vq)
		goto err_ring;
	vq->desc_state = kcalloc(num, sizeof(*vq->desc_state), GFP_KERNEL);
	vq->split.desc_extra = kcalloc(num, sizeof(*vq->split.desc_extra),
				       GFP_KERNEL);
	if (!vq->desc_state || !vq->split.desc_extra)
		goto err_state;

	vring_init(&vq->split.vring, num, queue, vring_align);
	vq->split.queue_dma_addr = dma_addr;
	vq->split.queue_size_in_bytes = size;
	vring_init_vq(vq, index, num, vdev, weak_barriers, ctx, notify,
		      callback, name);

	/* No callback wanted: tell the device not to interrupt (§2.7.7) */
	if (!callback) {
		vq->split.avail_flags_shadow |= VRING_AVAIL_F_NO_INTERRUPT;
		if (!vq->event)
			vq->split.vring.avail->flags =
				cpu_to_virtio16(vdev,
						vq->split.avail_flags_shadow);
	}

	/* Every descriptor starts on the free list, in order */
	vq->free_head = 0;
	for (i = 0; i < num - 1; i++)
		vq->split.desc_extra[i].next = (u16)(i + 1);
	return vring_publish_vq(vq);

err_state:
	kfree(vq->desc_state);
	kfree(vq->split.desc_extra);
	kfree(vq);
err_ring:
	dma_free_coherent(&vdev->dev, size, queue, dma_addr);
	return NULL;
}

/**
 * vring_free_split() - free a split ring's areas and the driver's records
 * (the queue itself is freed by vring_del_virtqueue()).
 * @param vq the queue, off its device's list.
 */
void vring_free_split(struct vring_virtqueue *vq)
{
	dma_free_coherent(&vq->vq.vdev->dev, vq->split.queue_size_in_bytes,
			  vq->split.vring.desc, vq->split.queue_dma_addr);
	kfree(vq->desc_state);
	kfree(vq->split.desc_extra);
}
