// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The driver side of the packed virtqueue (virtio 1.2 §2.8).
 *
 * One ring of descriptors replaces the three areas of the other layout:
 * the driver makes a descriptor available by writing its AVAIL bit equal
 * to its wrap counter (and USED the opposite), the device marks it used by
 * writing both bits equal to its own wrap counter, and each flips its
 * counter whenever its index passes the end of the ring (§2.8.1). Two
 * 4-byte event suppression structures follow the ring (§2.8.10).
 *
 * A buffer is named by a buffer id the driver chooses (from a free-id
 * list), not by its position; the driver's record of each buffer is
 * desc_state[id], and every id the device returns is checked against it
 * (vring_check_used() in virtio_ring.c).
 *
 * Each step of §2.8.21 / §2.8.22 that the trace reports is one function
 * here, and its comment names the event: add_descs_packed() (add),
 * publish_avail_packed() (publish), kick_prepare_packed() (kick-suppressed;
 * the kick itself is virtqueue_notify() in virtio_ring.c),
 * get_buf_ctx_packed() (get_buf), detach_unused_buf_packed() (detach).
 *
 * virtio_ring.c calls these through its layout dispatch; the other layout
 * is in virtio_ring_split.c.
 */
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <linux/slab.h>

#include "virtio/shared/boundary.h"
#include "virtio/shared/vring_packed.h"
#include "virtio/vring_virtqueue.h"

/**
 * used_pos_packed() - position and wrap counter of the next used
 * descriptor, from last_used_idx (index | used wrap counter << 15, one
 * word so the interrupt handler reads both at once).
 * @param vq the queue.
 * @param wrap receives the used wrap counter.
 * @return the ring position.
 */
static u16 used_pos_packed(const struct vring_virtqueue *vq, bool *wrap)
{
	u16 v = READ_ONCE(vq->last_used_idx);

	*wrap = v >> VRING_PACKED_WRAP_BIT;
	return v & ~(1u << VRING_PACKED_WRAP_BIT);
}

/**
 * trace_desc_packed() - report one descriptor the driver just wrote.
 * @param vq the queue.
 * @param idx its index (in the ring, or in the indirect table).
 * @param d the descriptor as written.
 * @param flags its flags: as written, or (the first ring descriptor) as
 *	publish_avail_packed() will write them.
 * @param table the indirect table it is an entry of, or NULL.
 * @param req the add in progress (free counts).
 * @param head true for the buffer's first ring descriptor.
 *
 * Trace event: add, listing the fields written: the whole descriptor,
 * or for a buffer's first ring descriptor all but its flags.
 */
static void trace_desc_packed(struct vring_virtqueue *vq, unsigned int idx,
			      const struct vring_packed_desc *d, u16 flags,
			      const struct vring_packed_desc *table,
			      const struct vring_add_req *req, bool head)
{
	VLAB_TRACE(.kind = VLAB_EV_DESC_ADD, .dev = vq_dev_name(vq),
		   .queue = (int)vq->vq.index, .layout = VLAB_RING_PACKED,
		   .spec = table ? NULL : "§2.8.21.1",
		   .before = req->free_before,
		   .after = req->free_before - (table ? 1 : req->descs_used),
		   .desc = { .index = (u16)idx,
			     .addr = le64_to_cpu(d->addr),
			     .len = le32_to_cpu(d->len), .flags = flags,
			     .next = le16_to_cpu(d->id),
			     .table = table ? virt_to_phys(table) : 0 },
		   .fields = { { table ? VLAB_FIELD_INDIRECT :
				 head ? VLAB_FIELD_DESC_ADDR : VLAB_FIELD_DESC,
				 (u16)idx },
			       { VLAB_FIELD_DESC_LEN, (u16)idx },
			       { VLAB_FIELD_DESC_ID, (u16)idx } },
		   .nfields = head ? 3 : 1);
}

/**
 * write_indirect_packed() - fill an indirect table with a request
 * (§2.8.7): entries in order, no NEXT flags, no ids.
 * @param vq the queue.
 * @param sgs scatterlists: out_sgs readable ones, then in_sgs writable.
 * @param out_sgs readable scatterlists.
 * @param in_sgs writable scatterlists.
 * @param req the add in progress (its table).
 *
 * Trace event: add, one per entry, right after its write.
 */
static void write_indirect_packed(struct vring_virtqueue *vq,
				  struct scatterlist *sgs[],
				  unsigned int out_sgs, unsigned int in_sgs,
				  const struct vring_add_req *req)
{
	struct vring_packed_desc *table = req->table;
	unsigned int n, k = 0;
	struct scatterlist *sg;

	for (n = 0; n < out_sgs + in_sgs; n++) {
		for (sg = sgs[n]; sg; sg = sg_next(sg), k++) {
			table[k].addr = cpu_to_le64(sg_phys(sg));
			table[k].len = cpu_to_le32(sg->length);
			table[k].id = 0;
			table[k].flags = cpu_to_le16(n >= out_sgs ?
						     VRING_DESC_F_WRITE : 0);
			trace_desc_packed(vq, k, &table[k],
					  le16_to_cpu(table[k].flags), table,
					  req, false);
		}
	}
}

/**
 * write_descs_packed() - put a request in consecutive ring descriptors
 * from next_avail_idx (§2.8.21.1, chained with NEXT as §2.8.6 says), every
 * one but the first with its flags; or, with a table, one descriptor
 * pointing at it (§2.8.7).
 * @param vq the queue.
 * @param sgs scatterlists: out_sgs readable ones, then in_sgs writable.
 * @param total_sg entries over all lists.
 * @param out_sgs readable scatterlists.
 * @param in_sgs writable scatterlists.
 * @param req the add in progress (its table, its buffer id).
 * @return the flags the first descriptor still needs (written last, by
 * publish_avail_packed()).
 *
 * Moves next_avail_idx and the avail wrap counter past the buffer.
 *
 * Trace event: add, one per descriptor (table entries first), right after
 * its write; the first ring descriptor is reported with the flags it is
 * about to get.
 */
static u16 write_descs_packed(struct vring_virtqueue *vq,
			      struct scatterlist *sgs[], unsigned int total_sg,
			      unsigned int out_sgs, unsigned int in_sgs,
			      const struct vring_add_req *req)
{
	struct vring_packed_desc *ring = vq->packed.desc;
	unsigned int n, k = 0, num = vq->packed.num;
	bool wrap = vq->packed.avail_wrap_counter;
	u16 i = vq->packed.next_avail_idx, flags, head_flags = 0;
	struct scatterlist *sg;

	if (req->table) {
		write_indirect_packed(vq, sgs, out_sgs, in_sgs, req);
		ring[i].addr = cpu_to_le64(virt_to_phys(req->table));
		ring[i].len = cpu_to_le32(total_sg *
					  sizeof(struct vring_packed_desc));
		ring[i].id = cpu_to_le16(req->id);
		head_flags = VRING_DESC_F_INDIRECT |
			vring_packed_avail_flags(wrap);
		trace_desc_packed(vq, i, &ring[i], head_flags, NULL, req,
				  true);
		vring_packed_advance(&i, &wrap, 1, num);
		goto out;
	}
	for (n = 0; n < out_sgs + in_sgs; n++) {
		for (sg = sgs[n]; sg; sg = sg_next(sg), k++) {
			flags = n >= out_sgs ? VRING_DESC_F_WRITE : 0;
			if (k + 1 < total_sg)
				flags |= VRING_DESC_F_NEXT;
			flags |= vring_packed_avail_flags(wrap);
			ring[i].addr = cpu_to_le64(sg_phys(sg));
			ring[i].len = cpu_to_le32(sg->length);
			ring[i].id = cpu_to_le16(req->id);
			if (k == 0)
				head_flags = flags;	/* written last */
			else
				ring[i].flags = cpu_to_le16(flags);
			trace_desc_packed(vq, i, &ring[i], flags, NULL, req,
					  k == 0);
			vring_packed_advance(&i, &wrap, 1, num);
		}
	}
out:
	vq->packed.next_avail_idx = i;
	vq->packed.avail_wrap_counter = wrap;
	return head_flags;
}

/**
 * add_descs_packed() - place a request's buffers into the descriptor ring
 * (virtio 1.2 §2.8.21.1), in a table of its own with INDIRECT_DESC
 * (§2.8.7) or in ring descriptors, the first one's flags held back.
 * @param vq the queue.
 * @param sgs scatterlists: out_sgs readable ones, then in_sgs writable.
 * @param total_sg entries over all lists.
 * @param out_sgs readable scatterlists.
 * @param in_sgs writable scatterlists.
 * @param req the add in progress.
 * @return the first descriptor's flags, for publish_avail_packed().
 *
 * Trace event: add (write_descs_packed()).
 */
static u16 add_descs_packed(struct vring_virtqueue *vq,
			    struct scatterlist *sgs[], unsigned int total_sg,
			    unsigned int out_sgs, unsigned int in_sgs,
			    const struct vring_add_req *req)
{
	return write_descs_packed(vq, sgs, total_sg, out_sgs, in_sgs, req);
}

/* book: [publish_avail_packed] */
/**
 * publish_avail_packed() - make the buffer available: write the first
 * descriptor's flags, last (§2.8.21.1: "the driver MUST NOT make the first
 * descriptor in the list available before all subsequent descriptors").
 * @param vq the queue (next_avail_idx already past the buffer).
 * @param head the buffer's first descriptor.
 * @param head_flags its flags, AVAIL/USED included.
 * @param id the buffer id.
 *
 * Trace event: publish.
 */
static void publish_avail_packed(struct vring_virtqueue *vq, u16 head,
				  u16 head_flags, u16 id)
{
	/*
	 * Orders every other write of this buffer (the other descriptors,
	 * the first one's addr/len/id, the indirect table: write) before the
	 * first descriptor's flags; pairs with the device's acquire load of
	 * those flags before it reads the rest (read): a device that sees
	 * AVAIL in the first descriptor sees the whole buffer. Linux writes
	 * virtio_wmb() then a plain store; a release store is the same order,
	 * and ThreadSanitizer can check it.
	 */
	smp_store_release(&vq->packed.desc[head].flags,
			  cpu_to_le16(head_flags));
	VLAB_TRACE(.kind = VLAB_EV_AVAIL_PUBLISH, .dev = vq_dev_name(vq),
		   .queue = (int)vq->vq.index, .layout = VLAB_RING_PACKED,
		   .before = head, .after = vq->packed.next_avail_idx,
		   .spec = "§2.8.21.1",
		   .publish = { .head = id, .slot = head,
				.wrap = vq->packed.avail_wrap_counter },
		   .fields = { { VLAB_FIELD_DESC_FLAGS, head } },
		   .nfields = 1);
}
/* book: [publish_avail_packed] */

/**
 * virtqueue_add_packed() - supply one request to the device (virtio 1.2
 * §2.8.21): descriptors (§2.8.21.1), then the first one's flags. The
 * notification (§2.8.21.2) is the caller's kick.
 * @param vq the queue.
 * @param sgs scatterlists: readable ones, then writable.
 * @param total_sg entries over all lists.
 * @param out_sgs readable scatterlists.
 * @param in_sgs writable scatterlists.
 * @param data the token.
 * @param ctx the ctx, or NULL.
 * @param req what the shared head of add (virtqueue_add()) found: room,
 *	the indirect table if any, the buffer id.
 * @return 0.
 */
int virtqueue_add_packed(struct vring_virtqueue *vq, struct scatterlist *sgs[],
			 unsigned int total_sg, unsigned int out_sgs,
			 unsigned int in_sgs, void *data, void *ctx,
			 const struct vring_add_req *req)
{
	u16 head = vq->packed.next_avail_idx, head_flags;

	vring_buf_claim(vq, req, vq->desc_state[req->id].next, data, ctx);
	head_flags = add_descs_packed(vq, sgs, total_sg, out_sgs, in_sgs,
				      req);
	publish_avail_packed(vq, head, head_flags, req->id);
	vq->num_added += req->descs_used;

	/*
	 * kick_prepare_packed() measures what was added since the last kick
	 * as the window [next_avail_idx - num_added, next_avail_idx), and
	 * places the device's event offset in it with one wrap bit: right
	 * only while the window is shorter than a lap of the ring. A driver
	 * that adds without kicking while the device keeps using buffers
	 * (so that there is always room) would make the window a lap or
	 * longer, and a due notification could be missed. Kicking here
	 * keeps the window under a lap; half a lap (plus one) is the bound
	 * this code has always used. This plays the part of Linux's kick at
	 * 2^16 - 1 adds on the split ring (virtqueue_add_split() in
	 * virtio_ring_split.c); Linux's packed ring has no such kick. Kept,
	 * not removed: no golden trace reaches it, but test_ring's packed
	 * runs do (they fill the ring before they kick), so removing it would
	 * change when the device hears of their buffers.
	 */
	if (unlikely(vq->num_added >= vq->packed.num / 2 + 1))
		virtqueue_kick(&vq->vq);
	return 0;
}

/**
 * kick_prepare_packed() - the kick decision of a packed ring: does the
 * device want to hear about the descriptors made available since the last
 * call (§2.8.21.2, suppression by the device event structure, §2.8.10)?
 * @param vq the queue.
 * @return true when the device must be notified (virtqueue_notify()).
 *
 * Trace event: kick-suppressed, when it does not.
 */
bool kick_prepare_packed(struct vring_virtqueue *vq)
{
	u16 new, old, flags, off_wrap;
	bool needs_kick;

	/*
	 * Orders the release store of the first descriptor's flags
	 * (publish_avail_packed(), write) before the loads of the device
	 * event structure below (read). Pairs with the device's full barrier
	 * between its store of that structure and its re-read of the next
	 * descriptor's flags (in sim/): either we see its wish, or it sees
	 * our descriptor.
	 */
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
			   .dev = vq_dev_name(vq), .queue = (int)vq->vq.index,
			   .layout = VLAB_RING_PACKED, .before = old,
			   .after = new);
	return needs_kick;
}

/** The driver event suppression structure of a packed ring (§2.8.10). */
struct supp_packed {
	u16 flags;		/**< ENABLE, DISABLE or DESC */
	u16 off_wrap;		/**< with DESC: where, and in which lap */
};

/**
 * supp_packed_snap() - what the driver event structure holds before the
 * driver writes it (it alone writes it), when tracing wants to know.
 * @param vq the queue.
 * @return its fields, or zeros with tracing off.
 */
static struct supp_packed supp_packed_snap(struct vring_virtqueue *vq)
{
	if (!VLAB_TRACING())
		return (struct supp_packed){ 0 };
	return (struct supp_packed){
		.flags = le16_to_cpu(READ_ONCE(vq->packed.driver->flags)),
		.off_wrap = le16_to_cpu(READ_ONCE(vq->packed.driver->off_wrap)),
	};
}

/**
 * supp_packed_traced() - after the driver wrote its event structure
 * (§2.8.10): one event when it changed, so the interrupts it asks for are
 * as visible as the buffers it adds. Trace event: driver-event.
 * @param vq the queue.
 * @param old what supp_packed_snap() saw before the writes.
 */
static void supp_packed_traced(struct vring_virtqueue *vq,
			       struct supp_packed old)
{
	struct vlab_field f[2];
	struct supp_packed now;
	u8 n = 0;

	if (!VLAB_TRACING())
		return;
	now = supp_packed_snap(vq);
	if (now.off_wrap != old.off_wrap)
		f[n++] = (struct vlab_field){ VLAB_FIELD_DRIVER_OFF_WRAP, 0 };
	if (now.flags != old.flags)
		f[n++] = (struct vlab_field){ VLAB_FIELD_DRIVER_FLAGS, 0 };
	if (n)
		VLAB_TRACE(.kind = VLAB_EV_DRIVER_EVENT, .dev = vq_dev_name(vq),
			   .queue = (int)vq->vq.index, .spec = "§2.8.10",
			   .layout = VLAB_RING_PACKED,
			   .before = old.off_wrap, .after = now.off_wrap,
			   .supp = { .field = VLAB_SUPP_PACKED,
				     .flags = now.flags },
			   .fields = { f[0], f[1] }, .nfields = n);
}

/**
 * ask_next_used_packed() - with EVENT_IDX, ask for an interrupt at the
 * next used descriptor: the driver event offset (§2.8.10).
 * @param vq the queue, last_used_idx just moved.
 */
static void ask_next_used_packed(struct vring_virtqueue *vq)
{
	struct supp_packed old;

	if (vq->packed.event_flags_shadow != VRING_PACKED_EVENT_FLAG_DESC)
		return;
	old = supp_packed_snap(vq);
	/*
	 * The virtio_mb orders this store of off_wrap (write) before our next
	 * load of a descriptor's flags (read: get_buf_ctx_packed() again, or
	 * virtqueue_poll()). It pairs with the device's full barrier between
	 * its release store of a used descriptor's flags and its load of the
	 * driver event structure (in sim/): either the device sees the new
	 * offset and interrupts, or we see the used descriptor. The release
	 * only keeps the bookkeeping above before the store.
	 */
	smp_store_release(&vq->packed.driver->off_wrap,
			  cpu_to_le16(vq->last_used_idx));
	virtio_mb(vq->weak_barriers);
	supp_packed_traced(vq, old);
}

/* book: [get_buf_ctx_packed] */
/**
 * get_buf_ctx_packed() - receive one used buffer from the device
 * (virtio 1.2 §2.8.22): the descriptor at last_used_idx, once its
 * AVAIL/USED bits say used in our lap; check it, give the id back.
 * @param vq the queue (not broken: virtqueue_get_buf_ctx() checked).
 * @param len receives the length written.
 * @param ctx receives the ctx, or NULL.
 * @return the token, or NULL.
 *
 * Trace event: get_buf.
 */
void *get_buf_ctx_packed(struct vring_virtqueue *vq, unsigned int *len,
			 void **ctx)
{
	struct vring_desc_state *st;
	u16 pos, flags, id, old;
	bool wrap;
	u32 used_len;
	void *ret;

	pos = used_pos_packed(vq, &wrap);
	/*
	 * Acquire pairs with the device's release store of the flags: id and
	 * len of a descriptor marked used are visible once we see the mark.
	 */
	flags = le16_to_cpu(smp_load_acquire(&vq->packed.desc[pos].flags));
	if (!vring_packed_is_used(flags, wrap))
		return NULL;
	id = le16_to_cpu(vq->packed.desc[pos].id);
	used_len = le32_to_cpu(vq->packed.desc[pos].len);
	st = vring_check_used(vq, id, &used_len);
	if (!st)
		return NULL;
	*len = used_len;
	ret = vring_buf_release(vq, id, &st->next, ctx);
	old = pos;
	/* The device skips as many descriptors as the buffer took */
	vring_packed_advance(&pos, &wrap, st->ndescs, vq->packed.num);
	WRITE_ONCE(vq->last_used_idx,
		   (u16)(pos | (u16)wrap << VRING_PACKED_WRAP_BIT));
	VLAB_TRACE(.kind = VLAB_EV_GET_BUF, .dev = vq_dev_name(vq),
		   .queue = (int)vq->vq.index, .layout = VLAB_RING_PACKED,
		   .before = old, .after = pos, .spec = "§2.8.22",
		   .get_buf = { .id = id, .len = used_len, .slot = old,
				.wrap = wrap });
	ask_next_used_packed(vq);
	return ret;
}
/* book: [get_buf_ctx_packed] */

/**
 * disable_cb_packed() - ask the device for no interrupts: DISABLE in the
 * driver event structure (§2.8.10). Only a hint: no barrier.
 * @param vq the queue.
 */
void disable_cb_packed(struct vring_virtqueue *vq)
{
	struct supp_packed old;

	if (vq->packed.event_flags_shadow == VRING_PACKED_EVENT_FLAG_DISABLE)
		return;
	old = supp_packed_snap(vq);
	vq->packed.event_flags_shadow = VRING_PACKED_EVENT_FLAG_DISABLE;
	WRITE_ONCE(vq->packed.driver->flags,
		   cpu_to_le16(VRING_PACKED_EVENT_FLAG_DISABLE));
	supp_packed_traced(vq, old);
}

/**
 * enable_cb_prepare_packed() - ask for interrupts again (§2.8.10): at the
 * next used descriptor (EVENT_IDX: DESC and an offset) or at every one
 * (ENABLE).
 * @param vq the queue.
 * @return last_used_idx (with its wrap bit), for poll_packed().
 *
 * The barrier that orders these stores before the re-check of the ring is
 * in virtqueue_poll().
 */
unsigned int enable_cb_prepare_packed(struct vring_virtqueue *vq)
{
	struct supp_packed old = supp_packed_snap(vq);

	if (vq->event) {
		WRITE_ONCE(vq->packed.driver->off_wrap,
			   cpu_to_le16(vq->last_used_idx));
		/*
		 * Orders the store of off_wrap (write) before the store of
		 * flags = DESC below (write) that makes the device read it; a
		 * device that reads flags, then off_wrap, after its full
		 * barrier (in sim/) finds DESC only with the new offset.
		 * Linux has the same virtio_wmb here.
		 */
		virtio_wmb(vq->weak_barriers);
	}
	if (vq->packed.event_flags_shadow == VRING_PACKED_EVENT_FLAG_DISABLE) {
		vq->packed.event_flags_shadow = vq->event ?
			VRING_PACKED_EVENT_FLAG_DESC :
			VRING_PACKED_EVENT_FLAG_ENABLE;
		WRITE_ONCE(vq->packed.driver->flags,
			   cpu_to_le16(vq->packed.event_flags_shadow));
	}
	supp_packed_traced(vq, old);
	return vq->last_used_idx;
}

/**
 * poll_packed() - is the descriptor at @p off_wrap used?
 * @param vq the queue.
 * @param off_wrap position and wrap counter from enable_cb_prepare_packed().
 * @return true when something is there to take.
 */
bool poll_packed(struct vring_virtqueue *vq, unsigned int off_wrap)
{
	bool wrap = (off_wrap >> VRING_PACKED_WRAP_BIT) & 1;
	u16 pos = off_wrap & ~(1u << VRING_PACKED_WRAP_BIT);
	u16 flags = le16_to_cpu(smp_load_acquire(&vq->packed.desc[pos].flags));

	return vring_packed_is_used(flags, wrap);
}

/**
 * enable_cb_delayed_packed() - ask for an interrupt once about 3/4 of
 * what is outstanding is used (EVENT_IDX, §2.8.10), else as enable_cb.
 * @param vq the queue.
 * @return false when buffers are already pending.
 */
bool enable_cb_delayed_packed(struct vring_virtqueue *vq)
{
	struct supp_packed old;
	u16 pos, bufs;
	bool wrap;

	if (!vq->event)
		return virtqueue_enable_cb(&vq->vq);
	old = supp_packed_snap(vq);
	pos = used_pos_packed(vq, &wrap);
	bufs = (u16)((vq->packed.num - vq->vq.num_free) * 3 / 4);
	vring_packed_advance(&pos, &wrap, bufs, vq->packed.num);
	pos |= (u16)wrap << VRING_PACKED_WRAP_BIT;
	WRITE_ONCE(vq->packed.driver->off_wrap, cpu_to_le16(pos));
	/*
	 * Orders the store of off_wrap (write) before the store of flags =
	 * DESC (write), as in enable_cb_prepare_packed(). The full barrier
	 * before the re-check of the ring is in virtqueue_poll().
	 */
	virtio_wmb(vq->weak_barriers);
	if (vq->packed.event_flags_shadow == VRING_PACKED_EVENT_FLAG_DISABLE) {
		vq->packed.event_flags_shadow = VRING_PACKED_EVENT_FLAG_DESC;
		WRITE_ONCE(vq->packed.driver->flags,
			   cpu_to_le16(VRING_PACKED_EVENT_FLAG_DESC));
	}
	supp_packed_traced(vq, old);
	return !virtqueue_poll(&vq->vq, vq->last_used_idx);
}

/**
 * detach_unused_buf_packed() - take back a buffer the device never used
 * (after a reset, §3.3.1).
 * @param vq the queue.
 * @return a token, or NULL when none is left.
 *
 * Trace event: detach.
 */
void *detach_unused_buf_packed(struct vring_virtqueue *vq)
{
	unsigned int id;
	void *buf;

	for (id = 0; id < vq->packed.num; id++) {
		if (!vq->desc_state[id].data)
			continue;
		buf = vring_buf_release(vq, id, &vq->desc_state[id].next,
					NULL);
		VLAB_TRACE(.kind = VLAB_EV_DETACH, .dev = vq_dev_name(vq),
			   .queue = (int)vq->vq.index,
			   .layout = VLAB_RING_PACKED,
			   .detach = { .id = (u16)id });
		return buf;
	}
	return NULL;
}

/**
 * used_hint_packed() - is the next descriptor used, as seen from the
 * interrupt handler? A hint only: the driver may be taking buffers on
 * another CPU at this very moment.
 * @param vq the queue.
 * @return true when it looks used.
 */
bool used_hint_packed(struct vring_virtqueue *vq)
{
	bool wrap;
	u16 pos = used_pos_packed(vq, &wrap);
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
	vq->desc_state = kcalloc(num, sizeof(*vq->desc_state), GFP_KERNEL);
	if (!vq->desc_state) {
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
		VRING_PACKED_EVENT_FLAG_ENABLE :
		VRING_PACKED_EVENT_FLAG_DISABLE;
	vq->packed.driver->flags = cpu_to_le16(vq->packed.event_flags_shadow);
	/* Every buffer id starts on the free-id list, in order */
	vq->free_head = 0;
	for (i = 0; i + 1 < num; i++)
		vq->desc_state[i].next = (u16)(i + 1);
	return 0;
}

/**
 * vring_create_virtqueue_packed() - vring_create_virtqueue() for a packed
 * ring.
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
struct virtqueue *vring_create_virtqueue_packed(unsigned int index,
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
	vring_init_vq(vq, index, num, vdev, weak_barriers, ctx, notify,
		      callback, name);
	if (create_packed(vq, num)) {
		kfree(vq);
		return NULL;
	}
	return vring_publish_vq(vq);
}

/**
 * vring_free_packed() - free a packed ring and the driver's records (the
 * queue itself is freed by vring_del_virtqueue()).
 * @param vq the queue, off its device's list.
 */
void vring_free_packed(struct vring_virtqueue *vq)
{
	dma_free_coherent(&vq->vq.vdev->dev, vq->packed.ring_size_in_bytes,
			  vq->packed.desc, vq->packed.ring_dma_addr);
	kfree(vq->desc_state);
}
