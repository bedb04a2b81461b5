// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The device side of the split ring (virtio 1.2 §2.7): take a chain
 * from the avail ring, walk and check its descriptors, return it in the
 * used ring, and decide on kicks and interrupts with the flags or the
 * event-idx fields. The packed ring's counterparts are in sim/vq_packed.c;
 * sim/vq.c calls both.
 */
#include <endian.h>
#include <string.h>
#include <linux/virtio_ring.h>

#include "sim/device.h"
#include "sim/trace.h"
#include "sim/vq_chain.h"
#include "sim/vq_layout.h"
#include "virtio/shared/vring_split.h"

const struct vq_rules vq_split_rules = {
	.order = "§2.7.4.2",
	.buffer = "§2.7.5",
	.max_segs = "§2.7.5",
	.total = "§2.7.5.2",
	.inflight = "§2.7.6",
	.indirect_feature = "§2.7.5.3.1",
	.indirect_table = "§2.7.5.3",
};

/**
 * vq_split_areas() - the split ring's queue areas (§2.7, §2.7.1).
 * @param num the queue size the driver wrote.
 * @param a receives the rules.
 */
void vq_split_areas(unsigned int num, struct vq_areas *a)
{
	/* RELIABILITY D15: refuse any setup the spec does not allow */
	a->num_valid = vring_split_num_valid(num);
	a->num_rule = "queue size is not a power of two from 1 to 32768";
	a->desc_align = 16;
	a->driver_align = 2;
	a->device_align = 4;
	a->align_rule =
		"ring area misaligned (desc 16, driver 2, device 4; §2.7.1)";
	a->desc_bytes = vring_split_desc_bytes(num);
	a->driver_bytes = vring_split_avail_bytes(num);
	a->device_bytes = vring_split_used_bytes(num);
}

/**
 * vq_split_enable() - start a checked split queue at its first entry.
 * @param vq the queue.
 * @param desc translated QueueDesc.
 * @param driver translated QueueDriver.
 * @param device translated QueueDevice.
 */
void vq_split_enable(struct vlab_vq *vq, void *desc, void *driver,
		     void *device)
{
	struct vlab_vq_split *s = &vq->split;

	s->desc = desc;
	s->avail = driver;
	s->used = device;
	s->last_avail_idx = 0;
	s->used_idx = 0;
	s->signalled_used = 0;
	s->signalled_used_valid = false;
	if (vq->head_busy)
		memset(vq->head_busy, 0, vq->num);
}

/**
 * vq_split_check_indirect() - what may point at an indirect table in a
 * split ring (§2.7.5.3.1): a descriptor outside any table (RELIABILITY
 * D6), without NEXT (D7); then the table itself (vq_chain_indirect()).
 * @param dev the device.
 * @param vq the queue.
 * @param i the descriptor's index.
 * @param addr table address.
 * @param len table length in bytes.
 * @param flags the descriptor's flags.
 * @param in_table true when @p i is itself inside a table.
 * @return the table, or NULL after reporting the broken rule.
 */
static struct vring_desc *vq_split_check_indirect(struct vlab_device *dev,
						  struct vlab_vq *vq,
						  unsigned int i,
						  uint64_t addr, uint32_t len,
						  uint16_t flags, bool in_table)
{
	if (in_table) {
		/* RELIABILITY D6 */
		vlab_device_error(dev, vq, "§2.7.5.3.1",
				  "indirect table entry %u is itself INDIRECT (nested tables)",
				  i);
		return NULL;
	}
	if (flags & VRING_DESC_F_NEXT) {
		/* RELIABILITY D7: refused by policy, as the spec forbids it */
		vlab_device_error(dev, vq, "§2.7.5.3.1",
				  "descriptor %u has both INDIRECT and NEXT set", i);
		return NULL;
	}
	return vq_chain_indirect(dev, vq, i, addr, len);
}

/**
 * vq_split_validate_chain() - read and check every descriptor of the
 * chain at @p head (§2.7.5, §2.7.5.2), following one indirect table if
 * the chain ends in one (§2.7.5.3).
 *
 * Trace event: device-error, on the first rule the chain breaks.
 * @param dev the device.
 * @param vq the queue.
 * @param head the head index (already checked < num).
 * @param chain the chain, begun; receives the buffers.
 * @param max_segs most buffers accepted.
 * @return 0, or -1 after reporting the broken rule.
 */
static int vq_split_validate_chain(struct vlab_device *dev,
				   struct vlab_vq *vq, uint16_t head,
				   struct vlab_chain *chain,
				   unsigned int max_segs)
{
	struct vring_desc *table = vq->split.desc;
	unsigned int i = head, count = 0, limit = vq->num;
	bool in_table = false;
	struct vring_desc d;
	uint64_t addr;
	uint32_t len;
	uint16_t flags;

	chain->head = head;
	for (;;) {
		/* RELIABILITY D4: no chain is longer than its table */
		if (count++ == limit) {
			vlab_device_error(dev, vq, "§2.7.5.2",
					  "descriptor chain from head %u loops or is longer than its table (%u entries)",
					  head, limit);
			return -1;
		}
		/* RELIABILITY D16: one read into a local copy, then only it */
		memcpy(&d, &table[i], sizeof(d));
		if (dev->faults.rewrite_after_read)
			/* a racing driver points the shared copy elsewhere */
			table[i].addr = htole64(0x1000);
		addr = le64toh(d.addr);
		len = le32toh(d.len);
		flags = le16toh(d.flags);

		if (flags & VRING_DESC_F_INDIRECT) {
			table = vq_split_check_indirect(dev, vq, i, addr, len,
							flags, in_table);
			if (!table)
				return -1;
			/* §2.7.5.3: the chain goes on at table entry 0 */
			in_table = true;
			limit = len / sizeof(struct vring_desc);
			count = 0;
			i = 0;
			continue;
		}
		if (vq_chain_add_seg(dev, vq, chain, i, addr, len,
				     flags & VRING_DESC_F_WRITE, max_segs))
			return -1;
		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
		i = le16toh(d.next);
		if (i >= limit) {
			/* RELIABILITY D3 */
			vlab_device_error(dev, vq, "§2.7.5",
					  "descriptor next %u is not below %s size %u",
					  i, in_table ? "the indirect table" :
					  "the queue", limit);
			return -1;
		}
	}
}

/**
 * vq_split_pop() - take the next chain the driver offered (§2.7.6): read
 * avail idx, the head in the next avail ring slot, validate its chain
 * (vq_split_validate_chain()), and move last_avail_idx on.
 *
 * Trace event: pop (device-error when the driver broke a rule).
 * @param dev the device.
 * @param vq the queue.
 * @param chain receives the chain.
 * @param max_segs most buffers accepted.
 * @return 1, 0 when none is pending, -1 after a broken rule.
 */
int vq_split_pop(struct vlab_device *dev, struct vlab_vq *vq,
		 struct vlab_chain *chain, unsigned int max_segs)
{
	struct vlab_vq_split *s = &vq->split;
	uint16_t avail_idx, pending, head;
	unsigned int num = vq->num;

	/*
	 * Acquire pairs with the driver's release store of avail->idx: the
	 * ring slots and descriptors it wrote before that store are visible
	 * to the reads below.
	 */
	avail_idx = le16toh(__atomic_load_n(&s->avail->idx, __ATOMIC_ACQUIRE));
	pending = vring_split_pending(avail_idx, s->last_avail_idx);
	if (pending == 0)
		return 0;
	if (pending > num) {
		/* RELIABILITY D1 */
		vlab_device_error(dev, vq, "§2.7.6",
				  "avail idx moved %u entries past the last one seen, more than the queue size %u",
				  pending, num);
		return -1;
	}
	if (vq_chain_begin(dev, vq, chain))
		return -1;
	head = le16toh(__atomic_load_n(&s->avail->ring[
			vring_split_slot(s->last_avail_idx, num)],
			__ATOMIC_RELAXED));
	if (head >= num) {
		/* RELIABILITY D2 */
		vlab_device_error(dev, vq, "§2.7.6",
				  "avail ring entry %u names head %u, not below the queue size %u",
				  s->last_avail_idx, head, num);
		return -1;
	}
	if (vq->head_busy[head]) {
		/*
		 * RELIABILITY D18: the chain at this head is in flight; its
		 * descriptors are not free for the driver to offer again
		 * (§2.7.13.1) until the used ring returns them (§2.7.8).
		 * Taking it would complete one buffer twice.
		 */
		vlab_device_error(dev, vq, "§2.7.13.1",
				  "head %u is offered again while in flight (avail ring entry %u)",
				  head, s->last_avail_idx);
		return -1;
	}
	if (vq_split_validate_chain(dev, vq, head, chain, max_segs))
		return -1;
	vq->head_busy[head] = 1;
	chain->ndescs = 1;
	s->last_avail_idx++;
	/* traced once the state is what the event says it is */
	VLAB_TRACE(.kind = VLAB_EV_POP, .dev = dev->name,
		   .queue = (int)vq->index,
		   .before = (uint16_t)(s->last_avail_idx - 1),
		   .after = s->last_avail_idx, .layout = VLAB_RING_SPLIT,
		   .pop = { .head = head, .nseg = chain->nseg,
			    .out_bytes = chain->out_bytes,
			    .in_bytes = chain->in_bytes });
	return 1;
}

/**
 * vq_split_push_used() - write one used element, not yet published
 * (§2.7.8): used->ring[used_idx mod num] = {id, len}.
 *
 * Trace event: used.
 * @param dev the device.
 * @param vq the queue.
 * @param id the id to return.
 * @param len the length to report.
 */
static void vq_split_push_used(struct vlab_device *dev, struct vlab_vq *vq,
			       uint32_t id, uint32_t len)
{
	struct vlab_vq_split *s = &vq->split;
	unsigned int slot = vring_split_slot(s->used_idx, vq->num);

	s->used->ring[slot].id = htole32(id);
	s->used->ring[slot].len = htole32(len);
	VLAB_TRACE(.kind = VLAB_EV_USED, .dev = dev->name,
		   .queue = (int)vq->index, .layout = VLAB_RING_SPLIT,
		   .used = { .slot = (uint16_t)slot, .id = (uint16_t)id,
			     .len = len },
		   .fields = { { VLAB_FIELD_USED_RING, (uint16_t)slot } },
		   .nfields = 1);
}

/**
 * vq_split_publish_used() - publish used elements: move used->idx on
 * (§2.7.8).
 *
 * Trace event: publish-used.
 * @param dev the device.
 * @param vq the queue.
 * @param advance how far to move used idx (1, unless a fault says not).
 */
static void vq_split_publish_used(struct vlab_device *dev, struct vlab_vq *vq,
				  uint16_t advance)
{
	struct vlab_vq_split *s = &vq->split;
	uint16_t old = s->used_idx;

	/*
	 * Release orders the used element and the bytes written into the
	 * buffer before this store of used->idx: a driver that acquires the
	 * new idx (its get_buf) then reads them complete.
	 */
	s->used_idx += advance;
	__atomic_store_n(&s->used->idx, htole16(s->used_idx),
			 __ATOMIC_RELEASE);
	VLAB_TRACE(.kind = VLAB_EV_USED_PUBLISH, .dev = dev->name,
		   .queue = (int)vq->index, .before = old,
		   .after = s->used_idx, .layout = VLAB_RING_SPLIT,
		   .fields = { { VLAB_FIELD_USED_IDX, 0 } }, .nfields = 1);
}

/**
 * vq_split_push() - return a chain in the used ring (§2.7.8): push the
 * used element, then publish it; a fault of struct vlab_faults may move
 * used idx too far or complete the chain twice (RELIABILITY R2, R3).
 *
 * Trace events: used, then publish-used.
 * @param dev the device.
 * @param vq the queue.
 * @param id the head index to return.
 * @param len bytes written.
 */
void vq_split_push(struct vlab_device *dev, struct vlab_vq *vq, uint32_t id,
		   uint32_t len)
{
	const struct vlab_faults *f = &dev->faults;

	if (id < vq->num)
		vq->head_busy[id] = 0;	/* D18: the driver's again */
	vq_split_push_used(dev, vq, id, len);
	vq_split_publish_used(dev, vq,
			      f->used_idx_jump ? (uint16_t)(vq->num + 1) : 1);
	if (f->used_repeat) {
		vq_split_push_used(dev, vq, id, len);
		vq_split_publish_used(dev, vq, 1);
	}
}

/**
 * vq_split_disable_notify() - no kicks wanted for now (§2.7.10).
 * @param vq the queue.
 */
void vq_split_disable_notify(struct vlab_vq *vq)
{
	if (vq->event_idx)
		return;	/* avail_event stays where it was */
	__atomic_store_n(&vq->split.used->flags,
			 htole16(VRING_USED_F_NO_NOTIFY), __ATOMIC_RELAXED);
}

/**
 * vq_split_enable_notify() - kicks wanted again; look once more (§2.7.10).
 * @param vq the queue.
 * @return true when the driver published buffers meanwhile.
 */
bool vq_split_enable_notify(struct vlab_vq *vq)
{
	struct vlab_vq_split *s = &vq->split;
	uint16_t avail_idx;

	if (vq->event_idx)
		/* Kick me once you publish past what I have seen */
		__atomic_store_n(vring_split_avail_event(s->used, vq->num),
				 htole16(s->last_avail_idx), __ATOMIC_RELAXED);
	else
		__atomic_store_n(&s->used->flags, 0, __ATOMIC_RELAXED);
	/*
	 * Full barrier: our store of used->flags or avail_event above before
	 * our read of avail->idx below. The driver stores avail->idx before
	 * it reads our wish (its full barrier in kick_prepare). With both
	 * barriers, either we see the new buffer now or the driver sees
	 * that it must kick.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	avail_idx = le16toh(__atomic_load_n(&s->avail->idx, __ATOMIC_ACQUIRE));
	return avail_idx != s->last_avail_idx;
}

/**
 * vq_split_need_interrupt() - the interrupt decision of a split ring
 * (§2.7.7, §2.7.7.2): with EVENT_IDX, only when used idx crossed
 * used_event since the last decision; without, unless the driver set
 * VRING_AVAIL_F_NO_INTERRUPT.
 *
 * Trace event: interrupt or irq-suppressed (vlab_vq_notify_driver()
 * emits the one this decides).
 * @param vq the queue, after a push.
 * @return true to send the used-buffer notification.
 */
bool vq_split_need_interrupt(struct vlab_vq *vq)
{
	struct vlab_vq_split *s = &vq->split;
	uint16_t old, used_event, flags;
	bool valid;

	/*
	 * Full barrier: our store of used->idx (vq_split_publish_used())
	 * before our read of avail->flags or used_event below. The driver
	 * stores its wish before it reads used->idx again (its full barrier
	 * in virtqueue_poll()). With both, one side always sees the other:
	 * no interrupt is lost.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx) {
		flags = le16toh(__atomic_load_n(&s->avail->flags,
						__ATOMIC_RELAXED));
		return !(flags & VRING_AVAIL_F_NO_INTERRUPT);
	}
	old = s->signalled_used;
	valid = s->signalled_used_valid;
	s->signalled_used = s->used_idx;
	s->signalled_used_valid = true;
	used_event = le16toh(__atomic_load_n(
		vring_split_used_event(s->avail, vq->num), __ATOMIC_RELAXED));
	/* Interrupt when used idx moved past used_event since last time */
	return !valid || vring_need_event(used_event, s->used_idx, old);
}
