// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The device side of the packed ring (virtio 1.2 §2.8): take a
 * buffer whose descriptors the driver made available, walk and check
 * them, mark the buffer used in the same ring, and decide on kicks and
 * interrupts with the event suppression structures. The split ring's
 * counterparts are in sim/vq_split.c; sim/vq.c calls both.
 */
#include <endian.h>
#include <string.h>
#include <linux/virtio_ring.h>

#include "sim/device.h"
#include "sim/trace.h"
#include "sim/vq_chain.h"
#include "sim/vq_layout.h"
#include "virtio/shared/vring_packed.h"

const struct vq_rules vq_packed_rules = {
	.order = "§2.8.17",
	.buffer = "§2.8.4",
	.max_segs = "§2.8.18",
	.total = "§2.8.4",
	.inflight = "§2.8.10.1",
	.indirect_feature = "§2.8.19",
	.indirect_table = "§2.8.7",
};

/**
 * vq_packed_areas() - the packed ring's queue areas (§2.8, §2.8.10.1).
 * @param num the queue size the driver wrote.
 * @param a receives the rules.
 */
void vq_packed_areas(unsigned int num, struct vq_areas *a)
{
	/* RELIABILITY D15: refuse any setup the spec does not allow */
	a->num_valid = vring_packed_num_valid(num);
	a->num_rule = "queue size is not from 1 to 32768";
	a->desc_align = 16;
	a->driver_align = 4;
	a->device_align = 4;
	a->align_rule =
		"ring area misaligned (descriptors 16, events 4; §2.8.10.1)";
	a->desc_bytes = (size_t)num * sizeof(struct vring_packed_desc);
	a->driver_bytes = sizeof(struct vring_packed_desc_event);
	a->device_bytes = sizeof(struct vring_packed_desc_event);
}

/**
 * vq_packed_enable() - start a checked packed queue at its first
 * descriptor, both wrap counters 1 (§2.8.1).
 * @param vq the queue.
 * @param desc translated QueueDesc.
 * @param driver translated QueueDriver.
 * @param device translated QueueDevice.
 */
void vq_packed_enable(struct vlab_vq *vq, void *desc, void *driver,
		      void *device)
{
	struct vlab_vq_packed *p = &vq->packed;

	p->desc = desc;
	p->driver = driver;
	p->device = device;
	/* §2.8.1: both wrap counters start at 1 */
	p->next_avail = 0;
	p->avail_wrap = true;
	p->next_used = 0;
	p->used_wrap = true;
	p->unsignalled = 0;
}

/**
 * vq_packed_validate_indirect() - walk a packed indirect table (§2.8.7)
 * once vq_chain_indirect() accepted it: its entries in order; WRITE is the
 * only flag that means anything there, every other one is ignored, as the
 * spec tells the device.
 * @param dev the device.
 * @param vq the queue.
 * @param chain the chain.
 * @param i the ring descriptor that points at the table.
 * @param addr table address.
 * @param len table length in bytes.
 * @param max_segs most buffers accepted.
 * @return 0, or -1 after reporting the broken rule.
 */
static int vq_packed_validate_indirect(struct vlab_device *dev,
				       struct vlab_vq *vq,
				       struct vlab_chain *chain,
				       unsigned int i, uint64_t addr,
				       uint32_t len, unsigned int max_segs)
{
	struct vring_packed_desc *table, d;
	unsigned int k;
	uint16_t flags;

	table = vq_chain_indirect(dev, vq, i, addr, len);
	if (!table)
		return -1;
	for (k = 0; k < len / sizeof(d); k++) {
		memcpy(&d, &table[k], sizeof(d));	/* D16 */
		flags = le16toh(d.flags);
		if (vq_chain_add_seg(dev, vq, chain, k, le64toh(d.addr),
				     le32toh(d.len), flags & VRING_DESC_F_WRITE,
				     max_segs))
			return -1;
	}
	return 0;
}

/**
 * vq_packed_validate_chain() - read and check the descriptors of the
 * buffer at @p pos (§2.8.6, §2.8.7, §2.8.17): they follow in ring order
 * while NEXT is set, the buffer id is in the last one; an indirect
 * descriptor stands alone.
 *
 * Trace event: device-error, on the first rule the buffer breaks.
 * @param dev the device.
 * @param vq the queue.
 * @param chain the chain, begun; receives the buffers.
 * @param flags the first descriptor's flags, as read with acquire.
 * @param pos in: the first descriptor; out: the one after the buffer.
 * @param wrap in and out: the avail wrap counter at @p pos.
 * @param max_segs most buffers accepted.
 * @return descriptors the buffer took, or -1 after a broken rule.
 */
static int vq_packed_validate_chain(struct vlab_device *dev,
				    struct vlab_vq *vq,
				    struct vlab_chain *chain, uint16_t flags,
				    uint16_t *pos, bool *wrap,
				    unsigned int max_segs)
{
	struct vring_packed_desc *ring = vq->packed.desc;
	struct vring_packed_desc d;
	uint16_t first = *pos;
	unsigned int count = 0;

	for (;;) {
		if (count++ == vq->num) {
			/* RELIABILITY D4: no buffer is longer than the ring */
			vlab_device_error(dev, vq, "§2.8.17",
					  "buffer at descriptor %u is longer than the queue size %u",
					  first, vq->num);
			return -1;
		}
		memcpy(&d, &ring[*pos], sizeof(d));	/* D16 */
		if (dev->faults.rewrite_after_read)
			ring[*pos].addr = htole64(0x1000);
		/* the first one's flags are the ones read with acquire */
		if (count > 1) {
			flags = le16toh(d.flags);
			if (!vring_packed_is_avail(flags, *wrap)) {
				/*
				 * RELIABILITY D22: the driver makes every
				 * descriptor of a list available, the head
				 * last (§2.8.6, §2.8.1). One that is not is
				 * still the driver's: refuse the buffer.
				 */
				vlab_device_error(dev, vq, "§2.8.6",
						  "descriptor %u of the buffer at %u is not available (AVAIL/USED bits of another lap, §2.8.1)",
						  *pos, first);
				return -1;
			}
		}
		chain->head = le16toh(d.id);
		if (flags & VRING_DESC_F_INDIRECT) {
			/* RELIABILITY D7: an indirect one stands alone */
			if ((flags & VRING_DESC_F_NEXT) || count > 1) {
				vlab_device_error(dev, vq, "§2.8.19",
						  "descriptor %u is INDIRECT inside a list linked by NEXT",
						  *pos);
				return -1;
			}
			if (vq_packed_validate_indirect(dev, vq, chain, *pos,
							le64toh(d.addr),
							le32toh(d.len),
							max_segs))
				return -1;
		} else if (vq_chain_add_seg(dev, vq, chain, *pos,
					    le64toh(d.addr), le32toh(d.len),
					    flags & VRING_DESC_F_WRITE,
					    max_segs)) {
			return -1;
		}
		vring_packed_advance(pos, wrap, 1, vq->num);
		if (!(flags & VRING_DESC_F_NEXT))
			return (int)count;
	}
}

/**
 * vq_packed_pop() - take the next available buffer of a packed ring
 * (§2.8.6): its first descriptor's flags say whether it is there;
 * validate its descriptors (vq_packed_validate_chain()) and move the
 * avail position and wrap counter past them.
 *
 * Trace event: pop (device-error when the driver broke a rule).
 * @param dev the device.
 * @param vq the queue.
 * @param chain receives the buffer.
 * @param max_segs most buffers accepted.
 * @return 1, 0 when none is available, -1 after a broken rule.
 */
int vq_packed_pop(struct vlab_device *dev, struct vlab_vq *vq,
		  struct vlab_chain *chain, unsigned int max_segs)
{
	struct vlab_vq_packed *p = &vq->packed;
	uint16_t pos = p->next_avail, flags, old = p->next_avail;
	bool wrap = p->avail_wrap;
	int ndescs;

	/*
	 * Acquire pairs with the driver's release store of the head
	 * descriptor's flags (written last): the descriptors of the buffer
	 * it wrote before that store are visible to the reads below.
	 */
	flags = le16toh(__atomic_load_n(&p->desc[pos].flags,
					__ATOMIC_ACQUIRE));
	if (!vring_packed_is_avail(flags, wrap))
		return 0;
	if (vq_chain_begin(dev, vq, chain))
		return -1;
	ndescs = vq_packed_validate_chain(dev, vq, chain, flags, &pos, &wrap,
					  max_segs);
	if (ndescs < 0)
		return -1;
	chain->ndescs = (uint16_t)ndescs;
	p->next_avail = pos;
	p->avail_wrap = wrap;
	/* traced once the state is what the event says it is */
	VLAB_TRACE(.kind = VLAB_EV_POP, .dev = dev->name,
		   .queue = (int)vq->index, .before = old, .after = pos,
		   .layout = VLAB_RING_PACKED, .spec = "§2.8.6",
		   .pop = { .head = chain->head, .nseg = chain->nseg,
			    .out_bytes = chain->out_bytes,
			    .in_bytes = chain->in_bytes });
	return 1;
}

/**
 * vq_packed_push_used() - write a used descriptor's id and length, not
 * yet marked used (§2.8.6): at the device's used position.
 *
 * Trace event: used.
 * @param dev the device.
 * @param vq the queue.
 * @param id the buffer id.
 * @param len bytes written.
 */
static void vq_packed_push_used(struct vlab_device *dev, struct vlab_vq *vq,
				uint16_t id, uint32_t len)
{
	struct vlab_vq_packed *p = &vq->packed;
	struct vring_packed_desc *d = &p->desc[p->next_used];

	d->id = htole16(id);
	d->len = htole32(len);
	VLAB_TRACE(.kind = VLAB_EV_USED, .dev = dev->name,
		   .queue = (int)vq->index, .layout = VLAB_RING_PACKED,
		   .spec = "§2.8.1",
		   .used = { .slot = p->next_used, .id = id, .len = len },
		   .fields = { { VLAB_FIELD_DESC_LEN, p->next_used },
			       { VLAB_FIELD_DESC_ID, p->next_used } },
		   .nfields = 2);
}

/**
 * vq_packed_publish_used() - mark the used descriptor used in this lap
 * (§2.8.1: AVAIL = USED = used wrap counter) and move the used position
 * past the descriptors the buffer took.
 *
 * Trace event: publish-used.
 * @param dev the device.
 * @param vq the queue.
 * @param ndescs descriptors the buffer took: the next used one is that
 *	far on.
 */
static void vq_packed_publish_used(struct vlab_device *dev,
				   struct vlab_vq *vq, uint16_t ndescs)
{
	struct vlab_vq_packed *p = &vq->packed;
	uint16_t old = p->next_used;

	/*
	 * Release orders the id and length above, and the bytes written
	 * into the buffer, before this store of the flags: a driver that
	 * acquires the flags and sees the descriptor used reads them
	 * complete.
	 */
	__atomic_store_n(&p->desc[old].flags,
			 htole16(vring_packed_used_flags(p->used_wrap)),
			 __ATOMIC_RELEASE);
	vring_packed_advance(&p->next_used, &p->used_wrap, ndescs, vq->num);
	VLAB_TRACE(.kind = VLAB_EV_USED_PUBLISH, .dev = dev->name,
		   .queue = (int)vq->index, .before = old,
		   .after = p->next_used, .layout = VLAB_RING_PACKED,
		   .spec = "§2.8.1",
		   .used_publish = { .slot = old, .wrap = p->used_wrap },
		   .fields = { { VLAB_FIELD_DESC_FLAGS, old } },
		   .nfields = 1);
}

/**
 * vq_packed_push() - return a buffer as a used descriptor (§2.8.1):
 * push its id and length, then publish it with the flags; a fault of
 * struct vlab_faults may complete it twice (RELIABILITY R2).
 *
 * Trace events: used, then publish-used.
 * @param dev the device.
 * @param vq the queue.
 * @param id the buffer id.
 * @param len bytes written.
 * @param ndescs descriptors the buffer took.
 */
void vq_packed_push(struct vlab_device *dev, struct vlab_vq *vq, uint16_t id,
		    uint32_t len, uint16_t ndescs)
{
	/* every push since the last decision is in its window (§2.8.10) */
	vq->packed.unsignalled += ndescs;
	vq_packed_push_used(dev, vq, id, len);
	vq_packed_publish_used(dev, vq, ndescs);
	if (dev->faults.used_repeat) {
		vq_packed_push_used(dev, vq, id, len);
		vq_packed_publish_used(dev, vq, 1);
	}
}

/**
 * vq_packed_disable_notify() - no kicks wanted for now (§2.8.10).
 * @param vq the queue.
 */
void vq_packed_disable_notify(struct vlab_vq *vq)
{
	__atomic_store_n(&vq->packed.device->flags,
			 htole16(VRING_PACKED_EVENT_FLAG_DISABLE),
			 __ATOMIC_RELAXED);
}

/**
 * vq_packed_enable_notify() - kicks wanted again; look once more
 * (§2.8.10).
 * @param vq the queue.
 * @return true when the driver made a buffer available meanwhile.
 */
bool vq_packed_enable_notify(struct vlab_vq *vq)
{
	struct vlab_vq_packed *p = &vq->packed;
	uint16_t flags;

	if (vq->event_idx) {
		/* Kick me once you fill past what I have seen */
		__atomic_store_n(&p->device->off_wrap,
				 htole16((uint16_t)(p->next_avail |
				 p->avail_wrap << VRING_PACKED_WRAP_BIT)),
				 __ATOMIC_RELAXED);
		flags = VRING_PACKED_EVENT_FLAG_DESC;
	} else {
		flags = VRING_PACKED_EVENT_FLAG_ENABLE;
	}
	/* Release: off_wrap before the flags that make it count */
	__atomic_store_n(&p->device->flags, htole16(flags), __ATOMIC_RELEASE);
	/*
	 * Full barrier: our store of the device event flags (and off_wrap)
	 * above before our read of the next descriptor's flags below. The
	 * driver stores a head's flags before it reads our event structure
	 * (its full barrier in kick_prepare). With both barriers, either we
	 * see the new buffer now or the driver sees that it must kick.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	flags = le16toh(__atomic_load_n(&p->desc[p->next_avail].flags,
					__ATOMIC_ACQUIRE));
	return vring_packed_is_avail(flags, p->avail_wrap);
}

/**
 * vq_packed_need_interrupt() - the interrupt decision of a packed ring
 * (§2.8.10): the driver's event flags say ENABLE or DISABLE; with
 * EVENT_IDX and DESC, only when the used position crossed the driver's
 * event offset since the last decision (every push since then, not only
 * the last one, as split's signalled_used does).
 *
 * Trace event: interrupt or irq-suppressed (vlab_vq_notify_driver()
 * emits the one this decides).
 * @param vq the queue, after a push.
 * @return true to send the used-buffer notification.
 */
bool vq_packed_need_interrupt(struct vlab_vq *vq)
{
	struct vlab_vq_packed *p = &vq->packed;
	uint32_t since = p->unsignalled;
	uint16_t flags;

	p->unsignalled = 0;
	/*
	 * Full barrier: our store of the used descriptor's flags
	 * (vq_packed_publish_used()) before our read of the driver event
	 * structure below. The driver stores its wish before it reads the
	 * used flags again (its full barrier in virtqueue_poll()). With
	 * both, one side always sees the other: no interrupt is lost.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	flags = le16toh(__atomic_load_n(&p->driver->flags, __ATOMIC_RELAXED));
	if (flags != VRING_PACKED_EVENT_FLAG_DESC || !vq->event_idx)
		return flags != VRING_PACKED_EVENT_FLAG_DISABLE;
	/* a lap or more since the last decision crossed every offset */
	if (since >= vq->num)
		return true;
	/* §2.8.10: did the used position cross the driver's offset? */
	return vring_packed_event_needed(
		le16toh(__atomic_load_n(&p->driver->off_wrap,
					__ATOMIC_RELAXED)),
		p->used_wrap, p->next_used,
		(uint16_t)(p->next_used - since), vq->num);
}
