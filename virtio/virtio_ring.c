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
 * returns against them. A device that breaks a rule marks the queue broken:
 * from then on add returns -EIO, get_buf NULL and kick false.
 */
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <linux/slab.h>

#include "virtio/shared/boundary.h"
#include "virtio/shared/vring_packed.h"
#include "virtio/shared/vring_split.h"

/** The driver's own record of one chain it offered, by head index. */
struct vring_desc_state_split {
	void *data;		/**< token; NULL when the head is not in use */
	void *ctx;		/**< ctx given with it */
	struct vring_desc *indir_desc; /**< its indirect table, or NULL */
	u32 in_len;		/**< device-writable bytes posted */
	u16 ndescs;		/**< descriptors in the chain */
};

/** The driver's own copy of one descriptor (never read back from RAM). */
struct vring_desc_extra {
	dma_addr_t addr;	/**< buffer address */
	u32 len;		/**< buffer length */
	u16 flags;		/**< VRING_DESC_F_* */
	u16 next;		/**< chain link, or free-list link */
};

/** The driver's own record of one buffer of a packed ring, by buffer id. */
struct vring_desc_state_packed {
	void *data;		/**< token; NULL when the id is free */
	void *ctx;		/**< ctx given with it */
	struct vring_packed_desc *indir_desc; /**< its indirect table, or NULL */
	u32 in_len;		/**< device-writable bytes posted */
	u16 num;		/**< ring descriptors it takes */
	u16 next;		/**< free-id list link */
};

/** A virtqueue, split or packed: the public part plus private state. */
struct vring_virtqueue {
	struct virtqueue vq;	/**< what drivers see */
	bool packed_ring;	/**< VIRTIO_F_RING_PACKED negotiated */
	bool weak_barriers;	/**< CPU barriers suffice */
	bool broken;		/**< stopped after an error */
	bool use_ctx;		/**< chains carry a ctx */
	bool event;		/**< VIRTIO_RING_F_EVENT_IDX negotiated */
	bool indirect;		/**< VIRTIO_RING_F_INDIRECT_DESC negotiated */
	unsigned int free_head;	/**< first free descriptor */
	unsigned int num_added;	/**< added since the last kick_prepare */
	u16 last_used_idx;	/**< next used entry to read (read by the IRQ
				     thread too: READ_ONCE/WRITE_ONCE) */
	bool (*notify)(struct virtqueue *vq); /**< the transport's kick */
	/** the split ring proper */
	struct {
		struct vring vring;	/**< pointers to the three areas */
		u16 avail_flags_shadow;	/**< last avail->flags written */
		u16 avail_idx_shadow;	/**< last avail->idx written */
		struct vring_desc_state_split *desc_state; /**< by head */
		struct vring_desc_extra *desc_extra; /**< by descriptor */
		dma_addr_t queue_dma_addr;	/**< guest-physical base */
		size_t queue_size_in_bytes;	/**< allocation size */
	} split;
	/** the packed ring (§2.8) */
	struct {
		unsigned int num;		/**< queue size */
		struct vring_packed_desc *desc;	/**< the descriptor ring */
		struct vring_packed_desc_event *driver; /**< our wishes */
		struct vring_packed_desc_event *device; /**< the device's */
		bool avail_wrap_counter;	/**< lap of next_avail_idx */
		u16 next_avail_idx;		/**< next descriptor to fill */
		u16 event_flags_shadow;		/**< last driver->flags written */
		u16 free_id;			/**< first free buffer id */
		struct vring_desc_state_packed *state;	/**< by buffer id */
		dma_addr_t ring_dma_addr;	/**< guest-physical base */
		size_t ring_size_in_bytes;	/**< allocation size */
	} packed;
};

/** The vring_virtqueue of a public virtqueue. */
#define to_vvq(_vq) container_of(_vq, struct vring_virtqueue, vq)

/**
 * vq_dev_name() - name of the queue's device for trace events.
 * @param vq the queue.
 * @return e.g. "virtio0".
 */
static const char *vq_dev_name(const struct vring_virtqueue *vq)
{
	return dev_name(&vq->vq.vdev->dev);
}

/**
 * bad_ring() - the device broke a rule: log it and stop the queue.
 * @param vq the queue.
 * @param why what the device did, for the log and the trace.
 */
static void bad_ring(struct vring_virtqueue *vq, const char *why)
{
	dev_err(&vq->vq.vdev->dev, "%s: %s\n", vq->vq.name, why);
	WRITE_ONCE(vq->broken, true);
	VLAB_TRACE(.kind = VLAB_EV_QUEUE_BROKEN, .dev = vq_dev_name(vq),
		   .queue = (int)vq->vq.index, .text = why);
}

/**
 * map_ok() - check that a scatterlist entry is DMA-able guest memory.
 * @param vq the queue.
 * @param sg the entry.
 * @return true when the device can reach every byte of it.
 *
 * Stack, static and malloc() memory has no guest-physical address. In a
 * kernel such a buffer silently sends the device to the wrong address
 * (CONFIG_DEBUG_SG catches it with a BUG); here it is reported as the
 * driver bug it is and the add fails with -EFAULT.
 */
static bool map_ok(struct vring_virtqueue *vq, const struct scatterlist *sg)
{
	if (vlab_virt_range_valid(sg_virt(sg), sg->length ? sg->length : 1))
		return true;
	vlab_warn(__FILE__, __LINE__,
		  "buffer is not DMA-able guest memory (stack, static or malloc)");
	dev_err(&vq->vq.vdev->dev,
		"%s: buffer %p (%u bytes) is not kmalloc'd guest memory\n",
		vq->vq.name, sg_virt(sg), sg->length);
	return false;
}

/**
 * alloc_indirect_split() - a table for a request's descriptors (§2.7.5.3).
 * @param total_sg entries.
 * @param gfp allocation context.
 * @return the table in guest memory, or NULL (the caller falls back to
 * direct descriptors, as Linux does).
 */
static struct vring_desc *alloc_indirect_split(unsigned int total_sg,
					       gfp_t gfp)
{
	return kmalloc_array(total_sg, sizeof(struct vring_desc),
			     gfp | __GFP_NOWARN);
}

/**
 * trace_desc() - report one descriptor the driver wrote.
 * @param vq the queue.
 * @param idx its index (in the ring, or in the indirect table).
 * @param d the descriptor as written (little-endian).
 * @param indirect true for an entry of an indirect table.
 * @param free_before free ring descriptors before this request.
 * @param free_after free ring descriptors after it.
 */
static void trace_desc(struct vring_virtqueue *vq, unsigned int idx,
		       const struct vring_desc *d, bool indirect,
		       unsigned int free_before, unsigned int free_after)
{
	struct virtio_device *vdev = vq->vq.vdev;

	VLAB_TRACE(.kind = VLAB_EV_DESC_ADD, .dev = vq_dev_name(vq),
		   .queue = (int)vq->vq.index, .before = free_before,
		   .after = free_after, .text = indirect ? "indirect" : NULL,
		   .v = { idx, virtio64_to_cpu(vdev, d->addr),
			  virtio32_to_cpu(vdev, d->len),
			  virtio16_to_cpu(vdev, d->flags) |
			  ((u64)virtio16_to_cpu(vdev, d->next) << 16) });
}

/**
 * virtqueue_add_split() - write one chain and offer it (virtio 1.2 §2.7.13).
 * @param _vq the queue.
 * @param sgs scatterlists: out_sgs readable ones, then in_sgs writable.
 * @param total_sg total entries over all lists.
 * @param out_sgs readable scatterlists.
 * @param in_sgs writable scatterlists.
 * @param data the token.
 * @param ctx the ctx, or NULL.
 * @param gfp allocation context for an indirect table.
 * @return 0, -ENOSPC, -EIO or -EFAULT.
 *
 * With VIRTIO_RING_F_INDIRECT_DESC a request of more than one buffer
 * goes into a table of its own and takes a single ring descriptor, as in
 * Linux; otherwise each buffer takes a ring descriptor.
 */
static int virtqueue_add_split(struct virtqueue *_vq,
			       struct scatterlist *sgs[],
			       unsigned int total_sg, unsigned int out_sgs,
			       unsigned int in_sgs, void *data, void *ctx,
			       gfp_t gfp)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	struct vring_desc_extra *extra = vq->split.desc_extra;
	struct vring_desc *ring = vq->split.vring.desc;
	struct virtio_device *vdev = _vq->vdev;
	unsigned int n, i, head, prev = 0, avail, num = vq->split.vring.num;
	unsigned int descs_used, free_before = vq->vq.num_free;
	struct vring_desc *desc, *table = NULL;
	struct scatterlist *sg;
	bool trace = __atomic_load_n(&vlab_trace_on, __ATOMIC_RELAXED);
	u32 in_len = 0;
	u16 flags, old_idx;

	BUG_ON(!data);
	BUG_ON(total_sg == 0);
	BUG_ON(ctx && !vq->use_ctx);

	if (unlikely(READ_ONCE(vq->broken)))
		return -EIO;

	/* Check every buffer first, so a bad one leaves the ring untouched */
	for (n = 0; n < out_sgs + in_sgs; n++)
		for (sg = sgs[n]; sg; sg = sg_next(sg))
			if (!map_ok(vq, sg))
				return -EFAULT;

	head = vq->free_head;
	if (vq->indirect && total_sg > 1 && vq->vq.num_free)
		table = alloc_indirect_split(total_sg, gfp);
	if (table) {
		/* §2.7.5.3: the chain lives in the table, indices from 0 */
		desc = table;
		i = 0;
		descs_used = 1;
	} else {
		desc = ring;
		i = head;
		descs_used = total_sg;
	}
	if (vq->vq.num_free < descs_used) {
		kfree(table);
		return -ENOSPC;
	}

	/* §2.7.13.1: fill descriptors, readable ones first (§2.7.4.2) */
	for (n = 0; n < out_sgs + in_sgs; n++) {
		for (sg = sgs[n]; sg; sg = sg_next(sg)) {
			flags = VRING_DESC_F_NEXT;
			if (n >= out_sgs) {
				flags |= VRING_DESC_F_WRITE;
				in_len += sg->length;
			}
			desc[i].addr = cpu_to_virtio64(vdev, sg_phys(sg));
			desc[i].len = cpu_to_virtio32(vdev, sg->length);
			desc[i].flags = cpu_to_virtio16(vdev, flags);
			if (table) {
				desc[i].next = cpu_to_virtio16(vdev, i + 1);
				prev = i++;
				continue;
			}
			/* The driver's own copy: never read back from RAM */
			extra[i].addr = sg_phys(sg);
			extra[i].len = sg->length;
			extra[i].flags = flags;
			desc[i].next = cpu_to_virtio16(vdev, extra[i].next);
			prev = i;
			i = extra[i].next;
		}
	}
	/* The last descriptor ends the chain */
	desc[prev].flags &= cpu_to_virtio16(vdev, ~VRING_DESC_F_NEXT);
	if (!table)
		extra[prev].flags &= ~VRING_DESC_F_NEXT;

	if (table) {
		if (unlikely(trace))
			for (n = 0; n < total_sg; n++)
				trace_desc(vq, n, &table[n], true, free_before,
					   free_before - 1);
		/* One ring descriptor points at the table */
		extra[head].addr = virt_to_phys(table);
		extra[head].len = total_sg * sizeof(struct vring_desc);
		extra[head].flags = VRING_DESC_F_INDIRECT;
		ring[head].addr = cpu_to_virtio64(vdev, extra[head].addr);
		ring[head].len = cpu_to_virtio32(vdev, extra[head].len);
		ring[head].flags = cpu_to_virtio16(vdev, VRING_DESC_F_INDIRECT);
		ring[head].next = cpu_to_virtio16(vdev, extra[head].next);
		i = extra[head].next;
	}
	if (unlikely(trace)) {
		for (n = head; ; n = extra[n].next) {
			trace_desc(vq, n, &ring[n], false, free_before,
				   free_before - descs_used);
			if (!(extra[n].flags & VRING_DESC_F_NEXT))
				break;
		}
	}

	vq->vq.num_free -= descs_used;
	vq->free_head = i;
	vq->split.desc_state[head].data = data;
	vq->split.desc_state[head].ctx = ctx;
	vq->split.desc_state[head].indir_desc = table;
	vq->split.desc_state[head].in_len = in_len;
	vq->split.desc_state[head].ndescs = (u16)descs_used;

	/* §2.7.13.2: put the head in the next free slot of the avail ring */
	avail = vring_split_slot(vq->split.avail_idx_shadow, num);
	vq->split.vring.avail->ring[avail] = cpu_to_virtio16(vdev, head);

	/*
	 * §2.7.13.3: publish. The release store orders the descriptor and
	 * ring-slot writes above before the new idx: a device that loads idx
	 * with acquire and sees the new value also sees the whole chain.
	 */
	old_idx = vq->split.avail_idx_shadow;
	vq->split.avail_idx_shadow++;
	smp_store_release(&vq->split.vring.avail->idx,
			  cpu_to_virtio16(vdev, vq->split.avail_idx_shadow));
	VLAB_TRACE(.kind = VLAB_EV_AVAIL_PUBLISH, .dev = vq_dev_name(vq),
		   .queue = (int)_vq->index, .before = old_idx,
		   .after = vq->split.avail_idx_shadow,
		   .v = { head, avail });
	vq->num_added++;

	/* 2^16 - 1 adds without a kick would make old == new: kick now */
	if (unlikely(vq->num_added == (1 << 16) - 1))
		virtqueue_kick(_vq);
	return 0;
}

static int virtqueue_add_packed(struct virtqueue *_vq,
				struct scatterlist *sgs[],
				unsigned int total_sg, unsigned int out_sgs,
				unsigned int in_sgs, void *data, void *ctx,
				gfp_t gfp);

/**
 * virtqueue_add() - offer one request on either ring layout.
 * @param _vq the queue.
 * @param sgs scatterlists: readable ones, then writable.
 * @param total_sg entries over all lists.
 * @param out_sgs readable scatterlists.
 * @param in_sgs writable scatterlists.
 * @param data the token.
 * @param ctx the ctx, or NULL.
 * @param gfp allocation context.
 * @return 0, -ENOSPC, -EIO or -EFAULT.
 */
static int virtqueue_add(struct virtqueue *_vq, struct scatterlist *sgs[],
			 unsigned int total_sg, unsigned int out_sgs,
			 unsigned int in_sgs, void *data, void *ctx, gfp_t gfp)
{
	if (to_vvq(_vq)->packed_ring)
		return virtqueue_add_packed(_vq, sgs, total_sg, out_sgs, in_sgs,
					    data, ctx, gfp);
	return virtqueue_add_split(_vq, sgs, total_sg, out_sgs, in_sgs, data,
				   ctx, gfp);
}

/**
 * count_sgs() - entries of @p n scatterlists.
 * @param sgs the lists.
 * @param n how many.
 * @return the total.
 */
static unsigned int count_sgs(struct scatterlist *sgs[], unsigned int n)
{
	struct scatterlist *sg;
	unsigned int i, total = 0;

	for (i = 0; i < n; i++)
		for (sg = sgs[i]; sg; sg = sg_next(sg))
			total++;
	return total;
}

int virtqueue_add_sgs(struct virtqueue *_vq, struct scatterlist *sgs[],
		      unsigned int out_sgs, unsigned int in_sgs, void *data,
		      gfp_t gfp)
{
	return virtqueue_add(_vq, sgs, count_sgs(sgs, out_sgs + in_sgs),
			     out_sgs, in_sgs, data, NULL, gfp);
}

/**
 * terminate_sg() - view the first @p num entries of @p sg as one list.
 * @param sg the array.
 * @param num entries the caller named.
 * @return true when the array has at least @p num entries.
 *
 * virtqueue_add_outbuf() and friends take an array and a count; the core
 * walks lists, so the count must match where the list ends.
 */
static bool terminate_sg(struct scatterlist *sg, unsigned int num)
{
	unsigned int i = 1;
	struct scatterlist *s = sg;

	while (i < num && s && !sg_is_last(s)) {
		s = sg_next(s);
		i++;
	}
	return s && i == num && sg_is_last(s);
}

/**
 * virtqueue_add_one_list() - offer one scatterlist in one direction.
 * @param vq the queue.
 * @param sg the list.
 * @param num its entries.
 * @param writable true for device-writable buffers.
 * @param data the token.
 * @param ctx the ctx, or NULL.
 * @param gfp allocation context.
 * @return as virtqueue_add_split().
 */
static int virtqueue_add_one_list(struct virtqueue *vq, struct scatterlist sg[],
				  unsigned int num, bool writable, void *data,
				  void *ctx, gfp_t gfp)
{
	struct scatterlist *sgs[1] = { sg };

	if (!num || !terminate_sg(sg, num))
		return -EINVAL;
	return virtqueue_add(vq, sgs, num, writable ? 0 : 1, writable ? 1 : 0,
			     data, ctx, gfp);
}

int virtqueue_add_outbuf(struct virtqueue *vq, struct scatterlist sg[],
			 unsigned int num, void *data, gfp_t gfp)
{
	return virtqueue_add_one_list(vq, sg, num, false, data, NULL, gfp);
}

int virtqueue_add_inbuf(struct virtqueue *vq, struct scatterlist sg[],
			unsigned int num, void *data, gfp_t gfp)
{
	return virtqueue_add_one_list(vq, sg, num, true, data, NULL, gfp);
}

int virtqueue_add_inbuf_ctx(struct virtqueue *vq, struct scatterlist sg[],
			    unsigned int num, void *data, void *ctx,
			    gfp_t gfp)
{
	return virtqueue_add_one_list(vq, sg, num, true, data, ctx, gfp);
}

/**
 * kick_prepare_split() - virtqueue_kick_prepare() for a split ring.
 * @param _vq the queue.
 * @return true when the device must be notified.
 */
static bool kick_prepare_split(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	u16 new, old;
	bool needs_kick;

	/*
	 * The new avail idx must be visible before we read the device's
	 * wish (used->flags or avail_event); the device orders its side the
	 * other way round. Without this full barrier both could miss each
	 * other: no kick sent, no buffer seen (§2.7.10).
	 */
	virtio_mb(vq->weak_barriers);

	old = vq->split.avail_idx_shadow - vq->num_added;
	new = vq->split.avail_idx_shadow;
	vq->num_added = 0;

	if (vq->event)
		needs_kick = vring_need_event(virtio16_to_cpu(_vq->vdev,
				READ_ONCE(vring_avail_event(&vq->split.vring))),
				new, old);
	else
		needs_kick = !(READ_ONCE(vq->split.vring.used->flags) &
			       cpu_to_virtio16(_vq->vdev,
					       VRING_USED_F_NO_NOTIFY));
	if (!needs_kick)
		VLAB_TRACE(.kind = VLAB_EV_KICK_SUPPRESSED,
			   .dev = vq_dev_name(vq), .queue = (int)_vq->index,
			   .before = old, .after = new);
	return needs_kick;
}

bool virtqueue_notify(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	if (unlikely(READ_ONCE(vq->broken)))
		return false;
	/* §2.7.13.4: the transport writes the queue index to the device */
	if (!vq->notify(_vq)) {
		bad_ring(vq, "transport failed to notify the device");
		return false;
	}
	/* traced once written: the woken device may run before we go on */
	VLAB_TRACE(.kind = VLAB_EV_KICK, .dev = vq_dev_name(vq),
		   .queue = (int)_vq->index,
		   .text = vq->packed_ring ? "packed" : NULL,
		   .spec = vq->packed_ring ? "§2.8.21.2" : NULL,
		   .after = vq->packed_ring ? vq->packed.next_avail_idx :
			    vq->split.avail_idx_shadow);
	return true;
}

bool virtqueue_kick(struct virtqueue *vq)
{
	/* A broken queue says so even when no notification was due */
	if (unlikely(READ_ONCE(to_vvq(vq)->broken)))
		return false;
	if (virtqueue_kick_prepare(vq))
		return virtqueue_notify(vq);
	return true;
}

/**
 * detach_buf_split() - return a chain's descriptors to the free list.
 * @param vq the queue.
 * @param head the chain's head.
 * @param ctx receives its ctx, or NULL.
 *
 * Walks the driver's own copy of the chain, never the shared table: a
 * device cannot lengthen, shorten or loop a chain by rewriting it.
 */
static void detach_buf_split(struct vring_virtqueue *vq, unsigned int head,
			     void **ctx)
{
	struct vring_desc_extra *extra = vq->split.desc_extra;
	unsigned int i = head;

	while (extra[i].flags & VRING_DESC_F_NEXT)
		i = extra[i].next;
	extra[i].next = (u16)vq->free_head;
	vq->free_head = head;
	vq->vq.num_free += vq->split.desc_state[head].ndescs;
	if (ctx)
		*ctx = vq->split.desc_state[head].ctx;
	kfree(vq->split.desc_state[head].indir_desc);
	vq->split.desc_state[head].indir_desc = NULL;
	vq->split.desc_state[head].data = NULL;
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
	used_idx = virtio16_to_cpu(vq->vq.vdev,
				   smp_load_acquire(&vq->split.vring.used->idx));
	pending = vring_split_pending(used_idx, vq->last_used_idx);
	if (unlikely(pending > vq->split.vring.num)) {
		/* RELIABILITY R3: more used than could ever be in flight */
		bad_ring(vq, "used idx moved more than the queue size");
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
static bool used_hint_split(struct vring_virtqueue *vq)
{
	u16 used_idx = virtio16_to_cpu(vq->vq.vdev,
			smp_load_acquire(&vq->split.vring.used->idx));

	return used_idx != READ_ONCE(vq->last_used_idx);
}

/**
 * get_buf_ctx_split() - virtqueue_get_buf_ctx() for a split ring.
 * @param _vq the queue.
 * @param len receives the length written.
 * @param ctx receives the ctx, or NULL.
 * @return the token, or NULL.
 */
static void *get_buf_ctx_split(struct virtqueue *_vq, unsigned int *len,
			       void **ctx)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	struct virtio_device *vdev = _vq->vdev;
	unsigned int slot, i, num = vq->split.vring.num;
	u32 used_len;
	u16 old;
	void *ret;

	if (unlikely(READ_ONCE(vq->broken)))
		return NULL;
	if (!more_used_split(vq))
		return NULL;

	/* §2.7.14: read the next used element (visible since the acquire) */
	slot = vring_split_slot(vq->last_used_idx, num);
	i = virtio32_to_cpu(vdev, vq->split.vring.used->ring[slot].id);
	used_len = virtio32_to_cpu(vdev, vq->split.vring.used->ring[slot].len);

	if (unlikely(i >= num)) {
		/* RELIABILITY R1 */
		bad_ring(vq, "used id is out of range");
		return NULL;
	}
	if (unlikely(!vq->split.desc_state[i].data)) {
		/* RELIABILITY R2: not a chain we have outstanding */
		bad_ring(vq, "used id is not an outstanding head");
		return NULL;
	}
	if (unlikely(used_len > vq->split.desc_state[i].in_len)) {
		/* RELIABILITY R4: never let a caller read past what it posted */
		dev_warn(&vdev->dev,
			 "%s: device wrote %u bytes into %u writable bytes\n",
			 _vq->name, used_len, vq->split.desc_state[i].in_len);
		used_len = vq->split.desc_state[i].in_len;
	}
	*len = used_len;

	ret = vq->split.desc_state[i].data;
	detach_buf_split(vq, i, ctx);
	old = vq->last_used_idx;
	WRITE_ONCE(vq->last_used_idx, (u16)(old + 1));
	VLAB_TRACE(.kind = VLAB_EV_GET_BUF, .dev = vq_dev_name(vq),
		   .queue = (int)_vq->index, .before = old,
		   .after = vq->last_used_idx, .v = { i, used_len, slot });

	/* With EVENT_IDX, ask to be interrupted at the next used entry */
	if (vq->event && !(vq->split.avail_flags_shadow &
			   VRING_AVAIL_F_NO_INTERRUPT)) {
		smp_store_release(&vring_used_event(&vq->split.vring),
				  cpu_to_virtio16(vdev, vq->last_used_idx));
		virtio_mb(vq->weak_barriers);
	}
	return ret;
}

/**
 * disable_cb_split() - virtqueue_disable_cb() for a split ring.
 * @param _vq the queue.
 */
static void disable_cb_split(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	if (vq->split.avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT)
		return;
	vq->split.avail_flags_shadow |= VRING_AVAIL_F_NO_INTERRUPT;
	if (vq->event)
		/*
		 * §2.7.7: with EVENT_IDX the flag means nothing to the device.
		 * Put used_event as far behind as it goes: the device would
		 * have to use 65535 more buffers to reach it.
		 */
		WRITE_ONCE(vring_used_event(&vq->split.vring),
			   cpu_to_virtio16(_vq->vdev,
					   (u16)(vq->last_used_idx - 1)));
	else
		WRITE_ONCE(vq->split.vring.avail->flags,
			   cpu_to_virtio16(_vq->vdev,
					   vq->split.avail_flags_shadow));
}

/**
 * enable_cb_prepare_split() - virtqueue_enable_cb_prepare(), split ring.
 * @param _vq the queue.
 * @return last_used_idx, for virtqueue_poll().
 */
static unsigned int enable_cb_prepare_split(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	if (vq->split.avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT) {
		vq->split.avail_flags_shadow &= ~VRING_AVAIL_F_NO_INTERRUPT;
		if (!vq->event)
			WRITE_ONCE(vq->split.vring.avail->flags,
				   cpu_to_virtio16(_vq->vdev,
						   vq->split.avail_flags_shadow));
	}
	if (vq->event)
		WRITE_ONCE(vring_used_event(&vq->split.vring),
			   cpu_to_virtio16(_vq->vdev, vq->last_used_idx));
	return vq->last_used_idx;
}

/**
 * poll_split() - virtqueue_poll() for a split ring.
 * @param _vq the queue.
 * @param last_used_idx what enable_cb_prepare returned.
 * @return true when used idx moved.
 */
static bool poll_split(struct virtqueue *_vq, unsigned int last_used_idx)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	u16 used_idx;

	used_idx = virtio16_to_cpu(_vq->vdev,
				   smp_load_acquire(&vq->split.vring.used->idx));
	return (u16)last_used_idx != used_idx;
}


/* ------------------------------------------------------------------ */
/* The packed ring (virtio 1.2 §2.8), driver side                      */
/* ------------------------------------------------------------------ */

/**
 * packed_used_pos() - position and wrap counter of the next used
 * descriptor, from last_used_idx (index | used wrap counter << 15, one
 * word so the interrupt handler reads both at once).
 * @param vq the queue.
 * @param wrap receives the used wrap counter.
 * @return the ring position.
 */
static u16 packed_used_pos(const struct vring_virtqueue *vq, bool *wrap)
{
	u16 v = READ_ONCE(vq->last_used_idx);

	*wrap = v >> VRING_PACKED_WRAP_BIT;
	return v & ~(1u << VRING_PACKED_WRAP_BIT);
}

/**
 * virtqueue_add_packed() - write one buffer's descriptors and make it
 * available (§2.8.6, §2.8.21.1): every descriptor but the first is written,
 * then the first one's flags, with release, publish the whole buffer.
 * @param _vq the queue.
 * @param sgs scatterlists: readable ones, then writable.
 * @param total_sg entries over all lists.
 * @param out_sgs readable scatterlists.
 * @param in_sgs writable scatterlists.
 * @param data the token.
 * @param ctx the ctx, or NULL.
 * @param gfp allocation context for an indirect table.
 * @return 0, -ENOSPC, -EIO or -EFAULT.
 */
static int virtqueue_add_packed(struct virtqueue *_vq,
				struct scatterlist *sgs[],
				unsigned int total_sg, unsigned int out_sgs,
				unsigned int in_sgs, void *data, void *ctx,
				gfp_t gfp)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	struct vring_packed_desc *ring = vq->packed.desc, *table = NULL;
	unsigned int n, k = 0, descs_used, num = vq->packed.num;
	unsigned int free_before = vq->vq.num_free;
	bool wrap = vq->packed.avail_wrap_counter, first = true;
	u16 head = vq->packed.next_avail_idx, i = head, id, flags;
	u16 head_flags = 0, old_idx = head;
	struct scatterlist *sg;
	u32 in_len = 0;

	BUG_ON(!data);
	BUG_ON(total_sg == 0);
	BUG_ON(ctx && !vq->use_ctx);
	if (unlikely(READ_ONCE(vq->broken)))
		return -EIO;
	for (n = 0; n < out_sgs + in_sgs; n++)
		for (sg = sgs[n]; sg; sg = sg_next(sg))
			if (!map_ok(vq, sg))
				return -EFAULT;

	if (vq->indirect && total_sg > 1 && vq->vq.num_free)
		table = kmalloc_array(total_sg, sizeof(*table),
				      gfp | __GFP_NOWARN);
	descs_used = table ? 1 : total_sg;
	if (vq->vq.num_free < descs_used) {
		kfree(table);
		return -ENOSPC;
	}
	id = vq->packed.free_id;

	for (n = 0; n < out_sgs + in_sgs; n++) {
		for (sg = sgs[n]; sg; sg = sg_next(sg), k++) {
			flags = n >= out_sgs ? VRING_DESC_F_WRITE : 0;
			if (n >= out_sgs)
				in_len += sg->length;
			if (table) {
				/* §2.8.7: table entries are in order, no NEXT */
				table[k].addr = cpu_to_le64(sg_phys(sg));
				table[k].len = cpu_to_le32(sg->length);
				table[k].id = 0;
				table[k].flags = cpu_to_le16(flags);
				continue;
			}
			if (k + 1 < total_sg)
				flags |= VRING_DESC_F_NEXT;
			flags |= vring_packed_avail_flags(wrap);
			ring[i].addr = cpu_to_le64(sg_phys(sg));
			ring[i].len = cpu_to_le32(sg->length);
			ring[i].id = cpu_to_le16(id);
			if (first)
				head_flags = flags;	/* written last */
			else
				ring[i].flags = cpu_to_le16(flags);
			first = false;
			vring_packed_advance(&i, &wrap, 1, num);
		}
	}
	if (table) {
		ring[i].addr = cpu_to_le64(virt_to_phys(table));
		ring[i].len = cpu_to_le32(total_sg * sizeof(*table));
		ring[i].id = cpu_to_le16(id);
		head_flags = VRING_DESC_F_INDIRECT |
			vring_packed_avail_flags(wrap);
		vring_packed_advance(&i, &wrap, 1, num);
	}

	vq->vq.num_free -= descs_used;
	vq->packed.free_id = vq->packed.state[id].next;
	vq->packed.state[id].data = data;
	vq->packed.state[id].ctx = ctx;
	vq->packed.state[id].indir_desc = table;
	vq->packed.state[id].in_len = in_len;
	vq->packed.state[id].num = (u16)descs_used;
	vq->packed.next_avail_idx = i;
	vq->packed.avail_wrap_counter = wrap;

	if (unlikely(__atomic_load_n(&vlab_trace_on, __ATOMIC_RELAXED))) {
		for (n = 0; table && n < total_sg; n++)
			VLAB_TRACE(.kind = VLAB_EV_DESC_ADD, .dev = vq_dev_name(vq),
				   .queue = (int)_vq->index, .text = "indirect",
				   .before = free_before, .after = free_before - 1,
				   .v = { n, le64_to_cpu(table[n].addr),
					  le32_to_cpu(table[n].len),
					  le16_to_cpu(table[n].flags) });
		for (n = 0, k = head; n < descs_used; n++, k = (k + 1) % num)
			VLAB_TRACE(.kind = VLAB_EV_DESC_ADD, .dev = vq_dev_name(vq),
				   .queue = (int)_vq->index, .text = "packed",
				   .spec = "§2.8.21.1", .before = free_before,
				   .after = free_before - descs_used,
				   .v = { k, le64_to_cpu(ring[k].addr),
					  le32_to_cpu(ring[k].len),
					  (n ? le16_to_cpu(ring[k].flags) :
					   head_flags) | ((u64)id << 16) });
	}
	/*
	 * §2.8.21.1: publish. The release store of the first descriptor's
	 * flags orders every other write of this buffer before it: a device
	 * that sees AVAIL in the head (acquire) sees the whole buffer.
	 */
	smp_store_release(&ring[head].flags, cpu_to_le16(head_flags));
	VLAB_TRACE(.kind = VLAB_EV_AVAIL_PUBLISH, .dev = vq_dev_name(vq),
		   .queue = (int)_vq->index, .before = old_idx,
		   .after = vq->packed.next_avail_idx, .text = "packed",
		   .spec = "§2.8.21.1", .v = { head, id, wrap });
	vq->num_added += descs_used;
	if (unlikely(vq->num_added >= num / 2 + 1))
		virtqueue_kick(_vq);
	return 0;
}

/**
 * kick_prepare_packed() - does the device want this notification
 * (§2.8.10, §2.8.21.2)?
 * @param _vq the queue.
 * @return true when it must be sent.
 */
static bool kick_prepare_packed(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	u16 new, old, flags, off_wrap;
	bool needs_kick;

	/* Our descriptors must be visible before we read the device's wish */
	virtio_mb(vq->weak_barriers);
	new = vq->packed.next_avail_idx;
	old = (u16)(new - vq->num_added);
	vq->num_added = 0;
	flags = le16_to_cpu(READ_ONCE(vq->packed.device->flags));
	if (flags != VRING_PACKED_EVENT_FLAG_DESC) {
		needs_kick = flags != VRING_PACKED_EVENT_FLAG_DISABLE;
	} else {
		off_wrap = le16_to_cpu(READ_ONCE(vq->packed.device->off_wrap));
		needs_kick = vring_packed_event_needed(off_wrap,
				vq->packed.avail_wrap_counter, new, old,
				vq->packed.num);
	}
	if (!needs_kick)
		VLAB_TRACE(.kind = VLAB_EV_KICK_SUPPRESSED,
			   .dev = vq_dev_name(vq), .queue = (int)_vq->index,
			   .before = old, .after = new);
	return needs_kick;
}

/**
 * get_buf_ctx_packed() - take back the next used buffer (§2.8.22).
 * @param _vq the queue.
 * @param len receives the length written.
 * @param ctx receives the ctx, or NULL.
 * @return the token, or NULL.
 */
static void *get_buf_ctx_packed(struct virtqueue *_vq, unsigned int *len,
				void **ctx)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	struct vring_desc_state_packed *st;
	u16 pos, flags, id, old;
	bool wrap;
	u32 used_len;
	void *ret;

	if (unlikely(READ_ONCE(vq->broken)))
		return NULL;
	pos = packed_used_pos(vq, &wrap);
	/* Acquire pairs with the device's release store of the flags */
	flags = le16_to_cpu(smp_load_acquire(&vq->packed.desc[pos].flags));
	if (!vring_packed_is_used(flags, wrap))
		return NULL;
	id = le16_to_cpu(vq->packed.desc[pos].id);
	used_len = le32_to_cpu(vq->packed.desc[pos].len);
	if (unlikely(id >= vq->packed.num)) {
		bad_ring(vq, "used id is out of range");	/* R1 */
		return NULL;
	}
	st = &vq->packed.state[id];
	if (unlikely(!st->data)) {
		bad_ring(vq, "used id is not an outstanding buffer"); /* R2 */
		return NULL;
	}
	if (unlikely(used_len > st->in_len)) {
		/* RELIABILITY R4 */
		dev_warn(&_vq->vdev->dev,
			 "%s: device wrote %u bytes into %u writable bytes\n",
			 _vq->name, used_len, st->in_len);
		used_len = st->in_len;
	}
	*len = used_len;
	ret = st->data;
	if (ctx)
		*ctx = st->ctx;
	kfree(st->indir_desc);
	st->indir_desc = NULL;
	st->data = NULL;
	vq->vq.num_free += st->num;
	old = pos;
	/* The device skips as many descriptors as the buffer took */
	vring_packed_advance(&pos, &wrap, st->num, vq->packed.num);
	st->next = vq->packed.free_id;
	vq->packed.free_id = id;
	WRITE_ONCE(vq->last_used_idx,
		   (u16)(pos | (u16)wrap << VRING_PACKED_WRAP_BIT));
	VLAB_TRACE(.kind = VLAB_EV_GET_BUF, .dev = vq_dev_name(vq),
		   .queue = (int)_vq->index, .before = old, .after = pos,
		   .text = "packed", .spec = "§2.8.22",
		   .v = { id, used_len, old, wrap });
	/* With EVENT_IDX, ask to hear about the next used descriptor */
	if (vq->packed.event_flags_shadow == VRING_PACKED_EVENT_FLAG_DESC) {
		smp_store_release(&vq->packed.driver->off_wrap,
				  cpu_to_le16(vq->last_used_idx));
		virtio_mb(vq->weak_barriers);
	}
	return ret;
}

/**
 * disable_cb_packed() - ask the device for no interrupts (§2.8.10).
 * @param _vq the queue.
 */
static void disable_cb_packed(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	if (vq->packed.event_flags_shadow == VRING_PACKED_EVENT_FLAG_DISABLE)
		return;
	vq->packed.event_flags_shadow = VRING_PACKED_EVENT_FLAG_DISABLE;
	WRITE_ONCE(vq->packed.driver->flags,
		   cpu_to_le16(VRING_PACKED_EVENT_FLAG_DISABLE));
}

/**
 * enable_cb_prepare_packed() - ask for interrupts again: at the next used
 * descriptor (EVENT_IDX) or at every one (flags).
 * @param _vq the queue.
 * @return last_used_idx (with its wrap bit), for poll_packed().
 */
static unsigned int enable_cb_prepare_packed(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	if (vq->event) {
		WRITE_ONCE(vq->packed.driver->off_wrap,
			   cpu_to_le16(vq->last_used_idx));
		/* The offset before the flags that make the device read it */
		virtio_wmb(vq->weak_barriers);
	}
	if (vq->packed.event_flags_shadow == VRING_PACKED_EVENT_FLAG_DISABLE) {
		vq->packed.event_flags_shadow = vq->event ?
			VRING_PACKED_EVENT_FLAG_DESC :
			VRING_PACKED_EVENT_FLAG_ENABLE;
		WRITE_ONCE(vq->packed.driver->flags,
			   cpu_to_le16(vq->packed.event_flags_shadow));
	}
	return vq->last_used_idx;
}

/**
 * poll_packed() - is the descriptor at @p off_wrap used?
 * @param _vq the queue.
 * @param off_wrap position and wrap counter from enable_cb_prepare.
 * @return true when something is there to take.
 */
static bool poll_packed(struct virtqueue *_vq, unsigned int off_wrap)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	bool wrap = (off_wrap >> VRING_PACKED_WRAP_BIT) & 1;
	u16 pos = off_wrap & ~(1u << VRING_PACKED_WRAP_BIT);
	u16 flags = le16_to_cpu(smp_load_acquire(&vq->packed.desc[pos].flags));

	return vring_packed_is_used(flags, wrap);
}

/**
 * enable_cb_delayed_packed() - interrupts, once about 3/4 of what is
 * outstanding is used (EVENT_IDX), else as enable_cb.
 * @param _vq the queue.
 * @return false when buffers are already pending.
 */
static bool enable_cb_delayed_packed(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	u16 pos, bufs;
	bool wrap;

	if (!vq->event)
		return virtqueue_enable_cb(_vq);
	pos = packed_used_pos(vq, &wrap);
	bufs = (u16)((vq->packed.num - vq->vq.num_free) * 3 / 4);
	vring_packed_advance(&pos, &wrap, bufs, vq->packed.num);
	WRITE_ONCE(vq->packed.driver->off_wrap,
		   cpu_to_le16((u16)(pos | (u16)wrap << VRING_PACKED_WRAP_BIT)));
	virtio_wmb(vq->weak_barriers);
	if (vq->packed.event_flags_shadow == VRING_PACKED_EVENT_FLAG_DISABLE) {
		vq->packed.event_flags_shadow = VRING_PACKED_EVENT_FLAG_DESC;
		WRITE_ONCE(vq->packed.driver->flags,
			   cpu_to_le16(VRING_PACKED_EVENT_FLAG_DESC));
	}
	return !virtqueue_poll(_vq, vq->last_used_idx);
}

/**
 * detach_unused_buf_packed() - take back a buffer the device never used
 * (after reset).
 * @param _vq the queue.
 * @return a token, or NULL.
 */
static void *detach_unused_buf_packed(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	struct vring_desc_state_packed *st;
	unsigned int id;
	void *buf;

	for (id = 0; id < vq->packed.num; id++) {
		st = &vq->packed.state[id];
		if (!st->data)
			continue;
		buf = st->data;
		kfree(st->indir_desc);
		st->indir_desc = NULL;
		st->data = NULL;
		vq->vq.num_free += st->num;
		st->next = vq->packed.free_id;
		vq->packed.free_id = (u16)id;
		VLAB_TRACE(.kind = VLAB_EV_DETACH, .dev = vq_dev_name(vq),
			   .queue = (int)_vq->index, .v = { id });
		return buf;
	}
	return NULL;
}

/**
 * used_hint_packed() - is the next descriptor used, as seen from the
 * interrupt handler (a hint only, like used_hint_split())?
 * @param vq the queue.
 * @return true when it looks used.
 */
static bool used_hint_packed(struct vring_virtqueue *vq)
{
	bool wrap;
	u16 pos = packed_used_pos(vq, &wrap);
	u16 flags = le16_to_cpu(smp_load_acquire(&vq->packed.desc[pos].flags));

	return vring_packed_is_used(flags, wrap);
}

/**
 * create_packed() - allocate and initialise a packed ring: descriptors,
 * then the driver and device event structures, in one block (§2.8.10.1).
 * @param vq the queue, its public part filled in.
 * @param num the queue size.
 * @return 0 or -ENOMEM.
 */
static int create_packed(struct vring_virtqueue *vq, unsigned int num)
{
	size_t size = num * sizeof(struct vring_packed_desc) +
		2 * sizeof(struct vring_packed_desc_event);
	struct virtio_device *vdev = vq->vq.vdev;
	dma_addr_t dma;
	unsigned int i;
	u8 *ring;

	ring = dma_alloc_coherent(&vdev->dev, size, &dma, GFP_KERNEL);
	if (!ring)
		return -ENOMEM;
	vq->packed.state = kcalloc(num, sizeof(*vq->packed.state), GFP_KERNEL);
	if (!vq->packed.state) {
		dma_free_coherent(&vdev->dev, size, ring, dma);
		return -ENOMEM;
	}
	vq->packed.num = num;
	vq->packed.desc = (struct vring_packed_desc *)ring;
	vq->packed.driver = (struct vring_packed_desc_event *)
		(ring + num * sizeof(struct vring_packed_desc));
	vq->packed.device = vq->packed.driver + 1;
	vq->packed.ring_dma_addr = dma;
	vq->packed.ring_size_in_bytes = size;
	/* §2.8.1: both wrap counters start at 1 */
	vq->packed.avail_wrap_counter = true;
	vq->last_used_idx = 1u << VRING_PACKED_WRAP_BIT;
	vq->packed.event_flags_shadow = vq->vq.callback ?
		VRING_PACKED_EVENT_FLAG_ENABLE : VRING_PACKED_EVENT_FLAG_DISABLE;
	vq->packed.driver->flags = cpu_to_le16(vq->packed.event_flags_shadow);
	for (i = 0; i + 1 < num; i++)
		vq->packed.state[i].next = (u16)(i + 1);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The API: one entry point per operation, for either layout           */
/* ------------------------------------------------------------------ */

static bool enable_cb_delayed_split(struct virtqueue *_vq);
static void *detach_unused_buf_split(struct virtqueue *_vq);

bool virtqueue_kick_prepare(struct virtqueue *_vq)
{
	return to_vvq(_vq)->packed_ring ? kick_prepare_packed(_vq) :
		kick_prepare_split(_vq);
}

void *virtqueue_get_buf_ctx(struct virtqueue *_vq, unsigned int *len,
			    void **ctx)
{
	return to_vvq(_vq)->packed_ring ? get_buf_ctx_packed(_vq, len, ctx) :
		get_buf_ctx_split(_vq, len, ctx);
}

void *virtqueue_get_buf(struct virtqueue *vq, unsigned int *len)
{
	return virtqueue_get_buf_ctx(vq, len, NULL);
}

void virtqueue_disable_cb(struct virtqueue *_vq)
{
	if (to_vvq(_vq)->packed_ring)
		disable_cb_packed(_vq);
	else
		disable_cb_split(_vq);
}

unsigned int virtqueue_enable_cb_prepare(struct virtqueue *_vq)
{
	return to_vvq(_vq)->packed_ring ? enable_cb_prepare_packed(_vq) :
		enable_cb_prepare_split(_vq);
}

bool virtqueue_poll(struct virtqueue *_vq, unsigned int last_used_idx)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	if (unlikely(READ_ONCE(vq->broken)))
		return false;
	/*
	 * Our flag or event store above must be visible before we look at
	 * the ring again; the device does the mirror image. This is the
	 * barrier whose absence loses interrupts.
	 */
	virtio_mb(vq->weak_barriers);
	return vq->packed_ring ? poll_packed(_vq, last_used_idx) :
		poll_split(_vq, last_used_idx);
}

bool virtqueue_enable_cb_delayed(struct virtqueue *_vq)
{
	return to_vvq(_vq)->packed_ring ? enable_cb_delayed_packed(_vq) :
		enable_cb_delayed_split(_vq);
}

void *virtqueue_detach_unused_buf(struct virtqueue *_vq)
{
	return to_vvq(_vq)->packed_ring ? detach_unused_buf_packed(_vq) :
		detach_unused_buf_split(_vq);
}

bool virtqueue_enable_cb(struct virtqueue *_vq)
{
	unsigned int last_used_idx = virtqueue_enable_cb_prepare(_vq);

	return !virtqueue_poll(_vq, last_used_idx);
}

/**
 * enable_cb_delayed_split() - virtqueue_enable_cb_delayed(), split ring.
 * @param _vq the queue.
 * @return false when buffers are already pending.
 */
static bool enable_cb_delayed_split(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	u16 bufs;

	if (!vq->event)
		return virtqueue_enable_cb(_vq);
	/* Ask for the interrupt when about 3/4 of the pending buffers are used */
	if (vq->split.avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT)
		vq->split.avail_flags_shadow &= ~VRING_AVAIL_F_NO_INTERRUPT;
	bufs = (u16)(vq->split.avail_idx_shadow - vq->last_used_idx) * 3 / 4;
	smp_store_release(&vring_used_event(&vq->split.vring),
			  cpu_to_virtio16(_vq->vdev,
					  (u16)(vq->last_used_idx + bufs)));
	return !virtqueue_poll(_vq, vq->last_used_idx);
}

/**
 * detach_unused_buf_split() - virtqueue_detach_unused_buf(), split ring.
 * @param _vq the queue.
 * @return a token, or NULL.
 */
static void *detach_unused_buf_split(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	unsigned int i;
	void *buf;

	for (i = 0; i < vq->split.vring.num; i++) {
		if (!vq->split.desc_state[i].data)
			continue;
		buf = vq->split.desc_state[i].data;
		detach_buf_split(vq, i, NULL);
		/* The device is reset: take the entry back off the avail ring */
		vq->split.avail_idx_shadow--;
		WRITE_ONCE(vq->split.vring.avail->idx,
			   cpu_to_virtio16(_vq->vdev,
					   vq->split.avail_idx_shadow));
		VLAB_TRACE(.kind = VLAB_EV_DETACH, .dev = vq_dev_name(vq),
			   .queue = (int)_vq->index, .v = { i });
		return buf;
	}
	return NULL;
}

unsigned int virtqueue_get_vring_size(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	return vq->packed_ring ? vq->packed.num : vq->split.vring.num;
}

bool virtqueue_is_broken(struct virtqueue *_vq)
{
	return READ_ONCE(to_vvq(_vq)->broken);
}

void virtio_break_device(struct virtio_device *dev)
{
	struct virtqueue *_vq;

	spin_lock(&dev->vqs_list_lock);
	list_for_each_entry(_vq, &dev->vqs, list)
		WRITE_ONCE(to_vvq(_vq)->broken, true);
	spin_unlock(&dev->vqs_list_lock);
}

dma_addr_t virtqueue_get_desc_addr(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	return vq->packed_ring ? vq->packed.ring_dma_addr :
		vq->split.queue_dma_addr;
}

dma_addr_t virtqueue_get_avail_addr(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	if (vq->packed_ring)	/* the driver event suppression structure */
		return vq->packed.ring_dma_addr +
			((u8 *)vq->packed.driver - (u8 *)vq->packed.desc);
	return vq->split.queue_dma_addr +
		((char *)vq->split.vring.avail - (char *)vq->split.vring.desc);
}

dma_addr_t virtqueue_get_used_addr(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	if (vq->packed_ring)	/* the device event suppression structure */
		return vq->packed.ring_dma_addr +
			((u8 *)vq->packed.device - (u8 *)vq->packed.desc);
	return vq->split.queue_dma_addr +
		((char *)vq->split.vring.used - (char *)vq->split.vring.desc);
}

irqreturn_t vring_interrupt(int irq, void *_vq)
{
	struct vring_virtqueue *vq = to_vvq((struct virtqueue *)_vq);

	(void)irq;
	if (!(vq->packed_ring ? used_hint_packed(vq) : used_hint_split(vq)))
		return IRQ_NONE;
	if (unlikely(READ_ONCE(vq->broken)))
		return IRQ_HANDLED;
	VLAB_TRACE(.kind = VLAB_EV_CALLBACK, .dev = vq_dev_name(vq),
		   .queue = (int)vq->vq.index, .text = vq->vq.name,
		   .spec = vq->packed_ring ? "§2.8.22" : NULL);
	if (vq->vq.callback)
		vq->vq.callback(&vq->vq);
	return IRQ_HANDLED;
}

/**
 * init_vq() - the fields every virtqueue sets the same way, whatever its
 * layout: identity, size, transport hook and negotiated ring features.
 * @param vq the new queue (zeroed).
 * @param index its index on the device.
 * @param num its size.
 * @param vdev its device.
 * @param weak_barriers SMP barriers suffice (always, here).
 * @param ctx the driver passes a context with each buffer.
 * @param notify the transport's kick.
 * @param callback the driver's callback, or NULL.
 * @param name the queue's name.
 */
static void init_vq(struct vring_virtqueue *vq, unsigned int index,
		    unsigned int num, struct virtio_device *vdev,
		    bool weak_barriers, bool ctx,
		    bool (*notify)(struct virtqueue *vq),
		    void (*callback)(struct virtqueue *vq), const char *name)
{
	vq->vq.callback = callback;
	vq->vq.vdev = vdev;
	vq->vq.name = name;
	vq->vq.index = index;
	vq->vq.num_free = num;
	vq->vq.num_max = num;
	vq->notify = notify;
	vq->weak_barriers = weak_barriers;
	vq->use_ctx = ctx;
	vq->event = virtio_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX);
	vq->indirect = virtio_has_feature(vdev, VIRTIO_RING_F_INDIRECT_DESC);
}

/**
 * publish_vq() - add a ready queue to its device's list (what
 * virtio_find_vqs() callers and del_vqs walk).
 * @param vq the queue.
 * @return the queue, as drivers see it.
 */
static struct virtqueue *publish_vq(struct vring_virtqueue *vq)
{
	struct virtio_device *vdev = vq->vq.vdev;

	spin_lock(&vdev->vqs_list_lock);
	list_add_tail(&vq->vq.list, &vdev->vqs);
	spin_unlock(&vdev->vqs_list_lock);
	return &vq->vq;
}

/**
 * create_packed_virtqueue() - vring_create_virtqueue() for a packed ring.
 * @param index queue index.
 * @param num queue size (any value up to 32768).
 * @param vdev the device.
 * @param weak_barriers CPU barriers suffice.
 * @param ctx buffers carry a ctx.
 * @param notify the transport's kick.
 * @param callback the driver's callback, or NULL.
 * @param name the queue's name.
 * @return the queue, or NULL.
 */
static struct virtqueue *create_packed_virtqueue(unsigned int index,
		unsigned int num, struct virtio_device *vdev,
		bool weak_barriers, bool ctx,
		bool (*notify)(struct virtqueue *vq),
		void (*callback)(struct virtqueue *vq), const char *name)
{
	struct vring_virtqueue *vq;

	if (!vring_packed_num_valid(num)) {
		dev_warn(&vdev->dev, "bad virtqueue size %u\n", num);
		return NULL;
	}
	vq = kzalloc(sizeof(*vq), GFP_KERNEL);
	if (!vq)
		return NULL;
	vq->packed_ring = true;
	init_vq(vq, index, num, vdev, weak_barriers, ctx, notify, callback,
		name);
	if (create_packed(vq, num)) {
		kfree(vq);
		return NULL;
	}
	return publish_vq(vq);
}

struct virtqueue *vring_create_virtqueue(unsigned int index, unsigned int num,
					 unsigned int vring_align,
					 struct virtio_device *vdev,
					 bool weak_barriers,
					 bool may_reduce_num, bool ctx,
					 bool (*notify)(struct virtqueue *vq),
					 void (*callback)(struct virtqueue *vq),
					 const char *name)
{
	struct vring_virtqueue *vq;
	dma_addr_t dma_addr = 0;
	void *queue = NULL;
	unsigned int i;
	size_t size = 0;

	if (virtio_has_feature(vdev, VIRTIO_F_RING_PACKED))
		return create_packed_virtqueue(index, num, vdev, weak_barriers,
					       ctx, notify, callback, name);
	if (!vring_split_num_valid(num)) {
		dev_warn(&vdev->dev, "bad virtqueue size %u\n", num);
		return NULL;
	}
	/* The ring: one block, in the legacy layout vring_init() describes */
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
	vq->split.desc_state = kcalloc(num, sizeof(*vq->split.desc_state),
				       GFP_KERNEL);
	vq->split.desc_extra = kcalloc(num, sizeof(*vq->split.desc_extra),
				       GFP_KERNEL);
	if (!vq->split.desc_state || !vq->split.desc_extra)
		goto err_state;

	vring_init(&vq->split.vring, num, queue, vring_align);
	vq->split.queue_dma_addr = dma_addr;
	vq->split.queue_size_in_bytes = size;
	init_vq(vq, index, num, vdev, weak_barriers, ctx, notify, callback,
		name);

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
	return publish_vq(vq);

err_state:
	kfree(vq->split.desc_state);
	kfree(vq->split.desc_extra);
	kfree(vq);
err_ring:
	dma_free_coherent(&vdev->dev, size, queue, dma_addr);
	return NULL;
}

void vring_del_virtqueue(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	struct virtio_device *vdev = _vq->vdev;

	spin_lock(&vdev->vqs_list_lock);
	list_del(&_vq->list);
	spin_unlock(&vdev->vqs_list_lock);
	if (vq->packed_ring) {
		dma_free_coherent(&vdev->dev, vq->packed.ring_size_in_bytes,
				  vq->packed.desc, vq->packed.ring_dma_addr);
		kfree(vq->packed.state);
		kfree(vq);
		return;
	}
	dma_free_coherent(&vdev->dev, vq->split.queue_size_in_bytes,
			  vq->split.vring.desc, vq->split.queue_dma_addr);
	kfree(vq->split.desc_state);
	kfree(vq->split.desc_extra);
	kfree(vq);
}

void vring_transport_features(struct virtio_device *vdev)
{
	unsigned int i;

	for (i = VIRTIO_TRANSPORT_F_START; i < VIRTIO_TRANSPORT_F_END; i++) {
		switch (i) {
		case VIRTIO_RING_F_INDIRECT_DESC:
		case VIRTIO_RING_F_EVENT_IDX:
		case VIRTIO_F_VERSION_1:
		case VIRTIO_F_RING_PACKED:
			break;
		default:
			/*
			 * Not implemented by this ring (IN_ORDER,
			 * NOTIFICATION_DATA, RING_RESET...), or meaningless
			 * here (ACCESS_PLATFORM: no IOMMU): never accept it.
			 */
			__virtio_clear_bit(vdev, i);
		}
	}
}
