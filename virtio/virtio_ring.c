// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The driver side of a virtqueue, either layout: the virtqueue API
 * drivers call, the dispatch to the split (virtio_ring_split.c, virtio 1.2
 * §2.7) or packed (virtio_ring_packed.c, §2.8) layout, and what both
 * layouts share.
 *
 * Shared, and written once here:
 *  - the head of every add: argument checks, the DMA check of each buffer,
 *    counting the device-writable bytes, the indirect-table decision and
 *    the room check (virtqueue_add());
 *  - the bookkeeping of the driver's record of each buffer and of the
 *    free list (vring_buf_claim(), vring_buf_release());
 *  - the hardening of what the device returns (vring_check_used(),
 *    vring_bad_ring()): a device that breaks a rule marks the queue
 *    broken, and from then on add returns -EIO, get_buf NULL and kick
 *    false;
 *  - the notification itself (virtqueue_notify(): trace event kick) and
 *    the interrupt entry point (vring_interrupt(): trace event callback);
 *  - creating and deleting a queue.
 *
 * The driver never trusts what it reads back from shared memory: it keeps
 * its own record of every buffer it offered and checks every id and length
 * the device returns against it.
 */
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <linux/slab.h>

#include "virtio/shared/boundary.h"
#include "virtio/vring_virtqueue.h"

/**
 * vring_bad_ring() - the device broke a rule: log it and stop the queue.
 * @param vq the queue.
 * @param why what the device did, for the log and the trace.
 *
 * Trace event: queue-broken.
 */
void vring_bad_ring(struct vring_virtqueue *vq, const char *why)
{
	dev_err(&vq->vq.vdev->dev, "%s: %s\n", vq->vq.name, why);
	WRITE_ONCE(vq->broken, true);
	VLAB_TRACE(.kind = VLAB_EV_QUEUE_BROKEN, .dev = vq_dev_name(vq),
		   .queue = (int)vq->vq.index,
		   .layout = vq->packed_ring ? VLAB_RING_PACKED :
			     VLAB_RING_SPLIT,
		   .reason = { .why = why });
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
 * vring_buf_claim() - record a buffer being added and take its
 * descriptors off the free list.
 * @param vq the queue.
 * @param req the add: its head or id, table, in_len and descriptor count.
 * @param next_free the first free descriptor (split) or buffer id
 *	(packed) after this one.
 * @param data the token.
 * @param ctx the ctx, or NULL.
 */
void vring_buf_claim(struct vring_virtqueue *vq,
		     const struct vring_add_req *req, unsigned int next_free,
		     void *data, void *ctx)
{
	struct vring_desc_state *st = &vq->desc_state[req->id];

	vq->vq.num_free -= req->descs_used;
	vq->free_head = next_free;
	st->data = data;
	st->ctx = ctx;
	st->indir_desc = req->table;
	st->in_len = req->in_len;
	st->ndescs = (u16)req->descs_used;
}

/**
 * vring_buf_release() - forget a buffer and put its descriptors back on
 * the free list, in front.
 * @param vq the queue.
 * @param id its head (split) or buffer id (packed).
 * @param last_link the free-list link of its last entry (split: the
 *	chain's last descriptor; packed: the id's own link), which now
 *	points at the old first free entry.
 * @param ctx receives its ctx, or NULL.
 * @return its token.
 */
void *vring_buf_release(struct vring_virtqueue *vq, unsigned int id,
			u16 *last_link, void **ctx)
{
	struct vring_desc_state *st = &vq->desc_state[id];
	void *data = st->data;

	*last_link = (u16)vq->free_head;
	vq->free_head = id;
	vq->vq.num_free += st->ndescs;
	if (ctx)
		*ctx = st->ctx;
	kfree(st->indir_desc);
	st->indir_desc = NULL;
	st->data = NULL;
	return data;
}

/**
 * vring_check_used() - check the id and length of a buffer the device
 * says it used, against the driver's own record (RELIABILITY R1, R2, R4).
 * @param vq the queue.
 * @param id the id the device returned (a head on a split ring, a buffer
 *	id on a packed ring).
 * @param len the length it returned; clamped to what was posted.
 * @return the driver's record of the buffer, or NULL when the queue is
 * now broken.
 */
struct vring_desc_state *vring_check_used(struct vring_virtqueue *vq,
					  unsigned int id, u32 *len)
{
	struct vring_desc_state *st;

	if (unlikely(id >= virtqueue_get_vring_size(&vq->vq))) {
		/* RELIABILITY R1 */
		vring_bad_ring(vq, "used id is out of range");
		return NULL;
	}
	st = &vq->desc_state[id];
	if (unlikely(!st->data)) {
		/* RELIABILITY R2: not a buffer we have outstanding */
		vring_bad_ring(vq, vq->packed_ring ?
			       "used id is not an outstanding buffer" :
			       "used id is not an outstanding head");
		return NULL;
	}
	if (unlikely(*len > st->in_len)) {
		/* RELIABILITY R4: no caller reads past what it posted */
		dev_warn(&vq->vq.vdev->dev,
			 "%s: device wrote %u bytes into %u writable bytes\n",
			 vq->vq.name, *len, st->in_len);
		*len = st->in_len;
	}
	return st;
}

/* ------------------------------------------------------------------ */
/* Adding buffers                                                      */
/* ------------------------------------------------------------------ */

/**
 * virtqueue_add() - offer one request on either ring layout: the head of
 * add both layouts share, then the layout's own add.
 * @param _vq the queue.
 * @param sgs scatterlists: readable ones, then writable.
 * @param total_sg entries over all lists.
 * @param out_sgs readable scatterlists.
 * @param in_sgs writable scatterlists.
 * @param data the token.
 * @param ctx the ctx, or NULL.
 * @param gfp allocation context for an indirect table.
 * @return 0, -ENOSPC, -EIO or -EFAULT.
 *
 * Every buffer is checked before anything is written, so a bad one leaves
 * the ring untouched. With VIRTIO_RING_F_INDIRECT_DESC a request of more
 * than one buffer goes into a table of its own (§2.7.5.3, §2.8.7) and
 * takes one ring descriptor; when the table cannot be allocated, the
 * request takes a ring descriptor per buffer, as in Linux.
 */
static int virtqueue_add(struct virtqueue *_vq, struct scatterlist *sgs[],
			 unsigned int total_sg, unsigned int out_sgs,
			 unsigned int in_sgs, void *data, void *ctx, gfp_t gfp)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	struct vring_add_req req = { .free_before = _vq->num_free };
	struct scatterlist *sg;
	unsigned int n;

	BUG_ON(!data);
	BUG_ON(total_sg == 0);
	BUG_ON(ctx && !vq->use_ctx);

	if (unlikely(READ_ONCE(vq->broken)))
		return -EIO;

	for (n = 0; n < out_sgs + in_sgs; n++) {
		for (sg = sgs[n]; sg; sg = sg_next(sg)) {
			if (!map_ok(vq, sg))
				return -EFAULT;
			if (n >= out_sgs)
				req.in_len += sg->length;
		}
	}

	req.id = (u16)vq->free_head;
	if (vq->indirect && total_sg > 1 && vq->vq.num_free)
		req.table = kmalloc_array(total_sg,
					   vq->packed_ring ?
					   sizeof(struct vring_packed_desc) :
					   sizeof(struct vring_desc),
					   gfp | __GFP_NOWARN);
	req.descs_used = req.table ? 1 : total_sg;
	if (vq->vq.num_free < req.descs_used) {
		kfree(req.table);
		return -ENOSPC;
	}

	if (vq->packed_ring)
		return virtqueue_add_packed(vq, sgs, total_sg, out_sgs, in_sgs,
					    data, ctx, &req);
	return virtqueue_add_split(vq, sgs, total_sg, out_sgs, in_sgs, data,
				   ctx, &req);
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
 * @return as virtqueue_add(), or -EINVAL when @p num does not match the
 * list.
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

/* ------------------------------------------------------------------ */
/* Notifying the device                                                */
/* ------------------------------------------------------------------ */

bool virtqueue_kick_prepare(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	return vq->packed_ring ? kick_prepare_packed(vq) :
		kick_prepare_split(vq);
}

/*
 * virtqueue_notify() (documented in <linux/virtio.h>): the available buffer
 * notification, §2.7.13.4 and §2.8.21.2; the decision before it is
 * kick_prepare_split() / kick_prepare_packed().
 * Trace event: kick, after the write: the woken device may run before we
 * go on.
 */
bool virtqueue_notify(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	if (unlikely(READ_ONCE(vq->broken)))
		return false;
	/* §2.7.13.4: the transport writes the queue index to the device */
	if (!vq->notify(_vq)) {
		vring_bad_ring(vq, "transport failed to notify the device");
		return false;
	}
	VLAB_TRACE(.kind = VLAB_EV_KICK, .dev = vq_dev_name(vq),
		   .queue = (int)_vq->index,
		   .layout = vq->packed_ring ? VLAB_RING_PACKED :
			     VLAB_RING_SPLIT,
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

/* ------------------------------------------------------------------ */
/* Taking buffers back, and interrupts                                 */
/* ------------------------------------------------------------------ */

void *virtqueue_get_buf_ctx(struct virtqueue *_vq, unsigned int *len,
			    void **ctx)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	if (unlikely(READ_ONCE(vq->broken)))
		return NULL;
	return vq->packed_ring ? get_buf_ctx_packed(vq, len, ctx) :
		get_buf_ctx_split(vq, len, ctx);
}

void *virtqueue_get_buf(struct virtqueue *vq, unsigned int *len)
{
	return virtqueue_get_buf_ctx(vq, len, NULL);
}

void virtqueue_disable_cb(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	if (vq->packed_ring)
		disable_cb_packed(vq);
	else
		disable_cb_split(vq);
}

unsigned int virtqueue_enable_cb_prepare(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	return vq->packed_ring ? enable_cb_prepare_packed(vq) :
		enable_cb_prepare_split(vq);
}

bool virtqueue_poll(struct virtqueue *_vq, unsigned int last_used_idx)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	if (unlikely(READ_ONCE(vq->broken)))
		return false;
	/*
	 * Orders our store of the interrupt wish (NO_INTERRUPT cleared,
	 * used_event, or the packed driver event structure, written by
	 * enable_cb_prepare / enable_cb_delayed: write) before the re-read of
	 * used->idx or of the next descriptor's flags below (read). Pairs
	 * with the device's full barrier between its store of used->idx (or
	 * of a used descriptor's flags) and its load of our wish (in sim/).
	 * This is the barrier whose absence loses interrupts.
	 */
	virtio_mb(vq->weak_barriers);
	return vq->packed_ring ? poll_packed(vq, last_used_idx) :
		poll_split(vq, last_used_idx);
}

bool virtqueue_enable_cb_delayed(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	return vq->packed_ring ? enable_cb_delayed_packed(vq) :
		enable_cb_delayed_split(vq);
}

bool virtqueue_enable_cb(struct virtqueue *_vq)
{
	unsigned int last_used_idx = virtqueue_enable_cb_prepare(_vq);

	return !virtqueue_poll(_vq, last_used_idx);
}

void *virtqueue_detach_unused_buf(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	return vq->packed_ring ? detach_unused_buf_packed(vq) :
		detach_unused_buf_split(vq);
}

/* book: [vring_interrupt] */
/*
 * vring_interrupt() (documented in <linux/virtio_ring.h>): the used buffer
 * notification, §2.7.14 and §2.8.22. The used_hint_*() look is only a
 * hint; get_buf does the checking.
 * Trace event: callback.
 */
irqreturn_t vring_interrupt(int irq, void *_vq)
{
	struct vring_virtqueue *vq = to_vvq((struct virtqueue *)_vq);

	(void)irq;
	if (!(vq->packed_ring ? used_hint_packed(vq) : used_hint_split(vq)))
		return IRQ_NONE;
	if (unlikely(READ_ONCE(vq->broken)))
		return IRQ_HANDLED;
	VLAB_TRACE(.kind = VLAB_EV_CALLBACK, .dev = vq_dev_name(vq),
		   .queue = (int)vq->vq.index,
		   .layout = vq->packed_ring ? VLAB_RING_PACKED :
			     VLAB_RING_SPLIT,
		   .callback = { .name = vq->vq.name },
		   .spec = vq->packed_ring ? "§2.8.22" : NULL);
	if (vq->vq.callback)
		vq->vq.callback(&vq->vq);
	return IRQ_HANDLED;
}
/* book: [vring_interrupt] */

/* ------------------------------------------------------------------ */
/* The queue as a whole                                                */
/* ------------------------------------------------------------------ */

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

/**
 * vring_init_vq() - the fields every virtqueue sets the same way, whatever
 * its layout: identity, size, transport hook and negotiated ring features.
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
void vring_init_vq(struct vring_virtqueue *vq, unsigned int index,
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

/** Most queues the ring view can find by address at once. */
#define VLAB_VQ_REGISTRY 256

/**
 * Every live queue, for guest_vq_private(): the ring view shows the
 * driver's own state next to the shared rings. Not part of Linux.
 */
static struct {
	spinlock_t lock;			/**< guards the table */
	struct vring_virtqueue *vq[VLAB_VQ_REGISTRY]; /**< live, or NULL */
} registry = { .lock = { PTHREAD_MUTEX_INITIALIZER } };

/**
 * registry_set() - put a queue in the registry or take it out.
 * @param vq the queue.
 * @param add true to add, false to remove.
 */
static void registry_set(struct vring_virtqueue *vq, bool add)
{
	unsigned int i;

	spin_lock(&registry.lock);
	for (i = 0; i < VLAB_VQ_REGISTRY; i++) {
		if (add && !registry.vq[i]) {
			registry.vq[i] = vq;
			break;
		}
		if (!add && registry.vq[i] == vq) {
			registry.vq[i] = NULL;
			break;
		}
	}
	spin_unlock(&registry.lock);
}

/**
 * vq_desc_gpa() - where a queue's descriptors start, guest-physical.
 * @param vq the queue.
 * @return the address the transport gave the device as QueueDesc.
 */
static u64 vq_desc_gpa(const struct vring_virtqueue *vq)
{
	return vq->packed_ring ? vq->packed.ring_dma_addr :
		vq->split.queue_dma_addr;
}

bool guest_vq_private(uint64_t desc_gpa, struct guest_vq_private *out)
{
	const struct vring_virtqueue *vq;
	bool found = false;
	unsigned int i;

	spin_lock(&registry.lock);
	for (i = 0; i < VLAB_VQ_REGISTRY && !found; i++) {
		vq = registry.vq[i];
		if (!vq || vq_desc_gpa(vq) != desc_gpa)
			continue;
		found = true;
		out->packed = vq->packed_ring;
		out->num_free = vq->vq.num_free;
		out->free_head = vq->free_head;
		out->last_used = READ_ONCE(vq->last_used_idx);
		if (vq->packed_ring) {
			out->used_wrap = out->last_used >> 15;
			out->last_used &= 0x7fff;
			out->next_avail = vq->packed.next_avail_idx;
			out->avail_wrap = vq->packed.avail_wrap_counter;
		} else {
			out->used_wrap = false;
			out->next_avail = vq->split.avail_idx_shadow;
			out->avail_wrap = false;
		}
	}
	spin_unlock(&registry.lock);
	return found;
}

/**
 * vring_publish_vq() - add a ready queue to its device's list (what
 * virtio_find_vqs() callers and del_vqs walk).
 * @param vq the queue.
 * @return the queue, as drivers see it.
 */
struct virtqueue *vring_publish_vq(struct vring_virtqueue *vq)
{
	struct virtio_device *vdev = vq->vq.vdev;

	spin_lock(&vdev->vqs_list_lock);
	list_add_tail(&vq->vq.list, &vdev->vqs);
	spin_unlock(&vdev->vqs_list_lock);
	registry_set(vq, true);
	return &vq->vq;
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
	if (virtio_has_feature(vdev, VIRTIO_F_RING_PACKED))
		return vring_create_virtqueue_packed(index, num, vdev,
						     weak_barriers, ctx,
						     notify, callback, name);
	return vring_create_virtqueue_split(index, num, vring_align, vdev,
					    weak_barriers, may_reduce_num,
					    ctx, notify, callback, name);
}

void vring_del_virtqueue(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	struct virtio_device *vdev = _vq->vdev;

	spin_lock(&vdev->vqs_list_lock);
	list_del(&_vq->list);
	spin_unlock(&vdev->vqs_list_lock);
	registry_set(vq, false);
	if (vq->packed_ring)
		vring_free_packed(vq);
	else
		vring_free_split(vq);
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
