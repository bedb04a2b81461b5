// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Device-side split virtqueue: validate, pop, push, notify.
 */
#include "sim/vq.h"

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "sim/device.h"
#include "sim/trace.h"
#include "virtio/shared/vring_packed.h"
#include "virtio/shared/vring_split.h"

/**
 * enable_packed() - check and translate a packed ring setup (§2.8).
 * @param dev the device.
 * @param vq the queue.
 * @return 0, or -EINVAL after saying why.
 */
static int enable_packed(struct vlab_device *dev, struct vlab_vq *vq)
{
	const struct vlab_ram *ram = dev->ram;
	const char *why = NULL;

	if (!vring_packed_num_valid(vq->num))
		why = "queue size is not from 1 to 32768";
	else if (vq->num > vq->num_max)
		why = "queue size is larger than QueueNumMax";
	else if (vq->desc_gpa % 16 || vq->driver_gpa % 4 ||
		 vq->device_gpa % 4)
		why = "ring area misaligned (descriptors 16, events 4; §2.8.10.1)";
	else if (!vlab_ram_ptr(ram, vq->desc_gpa,
			       (uint64_t)vq->num * sizeof(struct vring_packed_desc)) ||
		 !vlab_ram_ptr(ram, vq->driver_gpa,
			       sizeof(struct vring_packed_desc_event)) ||
		 !vlab_ram_ptr(ram, vq->device_gpa,
			       sizeof(struct vring_packed_desc_event)))
		why = "ring area outside guest RAM (or never written)";
	if (why) {
		fprintf(stderr, "[%s] queue %u setup refused: %s\n", dev->name,
			vq->index, why);
		return -EINVAL;
	}
	vq->pdesc = vlab_ram_ptr(ram, vq->desc_gpa, 0);
	vq->pdriver = vlab_ram_ptr(ram, vq->driver_gpa, 0);
	vq->pdevice = vlab_ram_ptr(ram, vq->device_gpa, 0);
	/* §2.8.1: both wrap counters start at 1 */
	vq->next_avail = 0;
	vq->avail_wrap = true;
	vq->next_used = 0;
	vq->used_wrap = true;
	vq->inflight = 0;
	vq->event_idx = dev->driver_features &
		(1ULL << VIRTIO_RING_F_EVENT_IDX);
	vq->indirect = dev->driver_features &
		(1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	vq->packed = true;
	vq->ready = true;
	return 0;
}

int vlab_vq_enable(struct vlab_device *dev, struct vlab_vq *vq)
{
	const struct vlab_ram *ram = dev->ram;
	const char *why = NULL;

	if (dev->driver_features & (1ULL << VIRTIO_F_RING_PACKED))
		return enable_packed(dev, vq);
	vq->packed = false;
	/* RELIABILITY D15: refuse any setup the spec does not allow */
	if (!vring_split_num_valid(vq->num))
		why = "queue size is not a power of two from 1 to 32768";
	else if (vq->num > vq->num_max)
		why = "queue size is larger than QueueNumMax";
	else if (vq->desc_gpa % 16 || vq->driver_gpa % 2 ||
		 vq->device_gpa % 4)
		why = "ring area misaligned (desc 16, driver 2, device 4; §2.7.1)";
	else if (!vlab_ram_ptr(ram, vq->desc_gpa,
			       vring_split_desc_bytes(vq->num)) ||
		 !vlab_ram_ptr(ram, vq->driver_gpa,
			       vring_split_avail_bytes(vq->num)) ||
		 !vlab_ram_ptr(ram, vq->device_gpa,
			       vring_split_used_bytes(vq->num)))
		why = "ring area outside guest RAM (or never written)";
	if (why) {
		fprintf(stderr, "[%s] queue %u setup refused: %s\n", dev->name,
			vq->index, why);
		return -EINVAL;
	}
	vq->desc = vlab_ram_ptr(ram, vq->desc_gpa, 0);
	vq->avail = vlab_ram_ptr(ram, vq->driver_gpa, 0);
	vq->used = vlab_ram_ptr(ram, vq->device_gpa, 0);
	vq->last_avail_idx = 0;
	vq->used_idx = 0;
	vq->inflight = 0;
	vq->signalled_used = 0;
	vq->signalled_used_valid = false;
	/* Features are fixed at FEATURES_OK, before any queue is set up */
	vq->event_idx = dev->driver_features &
		(1ULL << VIRTIO_RING_F_EVENT_IDX);
	vq->indirect = dev->driver_features &
		(1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	vq->ready = true;
	return 0;
}

void vlab_vq_reset(struct vlab_vq *vq)
{
	vq->num = 0;
	vq->ready = false;
	vq->desc_gpa = 0;
	vq->driver_gpa = 0;
	vq->device_gpa = 0;
	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
	vq->pdesc = NULL;
	vq->pdriver = NULL;
	vq->pdevice = NULL;
	vq->packed = false;
	vq->last_avail_idx = 0;
	vq->used_idx = 0;
	vq->inflight = 0;
}

/**
 * enter_indirect() - check a descriptor that points at an indirect table
 * and return the table (§2.7.5.3).
 * @param dev the device.
 * @param vq the queue.
 * @param i the descriptor's index in the ring.
 * @param addr table address.
 * @param len table length in bytes.
 * @param flags the descriptor's flags.
 * @param in_table true when @p i is itself inside a table.
 * @return the table, or NULL after reporting the broken rule.
 */
static struct vring_desc *enter_indirect(struct vlab_device *dev,
					 struct vlab_vq *vq, unsigned int i,
					 uint64_t addr, uint32_t len,
					 uint16_t flags, bool in_table)
{
	struct vring_desc *table;

	if (!vq->indirect) {
		vlab_device_error(dev, vq, "§2.7.5.3.1",
				  "descriptor %u has INDIRECT set but VIRTIO_F_INDIRECT_DESC was not negotiated",
				  i);
		return NULL;
	}
	if (in_table) {
		/* RELIABILITY D6 */
		vlab_device_error(dev, vq, "§2.7.5.3.1",
				  "indirect table entry %u is itself INDIRECT (nested tables)",
				  i);
		return NULL;
	}
	if (flags & VRING_DESC_F_NEXT) {
		/* RELIABILITY D7: our policy is to refuse, as the spec forbids it */
		vlab_device_error(dev, vq, "§2.7.5.3.1",
				  "descriptor %u has both INDIRECT and NEXT set", i);
		return NULL;
	}
	if (len == 0 || len % sizeof(struct vring_desc)) {
		/* RELIABILITY D5 */
		vlab_device_error(dev, vq, "§2.7.5.3",
				  "indirect table of descriptor %u is %u bytes, not a positive multiple of 16",
				  i, len);
		return NULL;
	}
	table = vlab_ram_ptr(dev->ram, addr, len);
	if (!table || addr % 16) {
		/* RELIABILITY D9 */
		vlab_device_error(dev, vq, "§2.7.5.3",
				  "indirect table 0x%llx+%u of descriptor %u is outside guest RAM or misaligned",
				  (unsigned long long)addr, len, i);
		return NULL;
	}
	return table;
}

/**
 * add_seg() - check one buffer and append it to a chain. Both layouts
 * share these rules (RELIABILITY D8, D9, D10, D11, D12); only the spec
 * section that states each rule differs, so the message cites the one
 * for the layout in use.
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
static int add_seg(struct vlab_device *dev, struct vlab_vq *vq,
		   struct vlab_chain *chain, unsigned int i, uint64_t addr,
		   uint32_t len, bool write, unsigned int max_segs)
{
	bool packed = vq->packed;
	struct vlab_seg *seg;

	if (!write && chain->in_bytes) {
		/* RELIABILITY D8: readable buffers come first */
		vlab_device_error(dev, vq, packed ? "§2.8.17" : "§2.7.4.2",
				  "device-readable descriptor %u follows a device-writable one",
				  i);
		return -1;
	}
	if (len == 0) {
		/* RELIABILITY D10: an empty buffer is refused */
		vlab_device_error(dev, vq, packed ? "§2.8.4" : "§2.7.5",
				  "descriptor %u has length 0", i);
		return -1;
	}
	if (!vlab_ram_ptr(dev->ram, addr, len)) {
		/* RELIABILITY D9: every byte lies inside guest RAM */
		vlab_device_error(dev, vq, packed ? "§2.8.4" : "§2.7.5",
				  "descriptor %u buffer 0x%llx+%u is outside guest RAM",
				  i, (unsigned long long)addr, len);
		return -1;
	}
	if (chain->nseg == max_segs) {
		/* RELIABILITY D11 */
		vlab_device_error(dev, vq, packed ? "§2.8.18" : "§2.7.5",
				  "buffer %u has more than the %u buffers this device accepts",
				  chain->head, max_segs);
		return -1;
	}
	if (chain->out_bytes + chain->in_bytes + len > UINT32_MAX) {
		/* RELIABILITY D12 */
		vlab_device_error(dev, vq, packed ? "§2.8.4" : "§2.7.5.2",
				  "buffer %u is longer than 2^32 bytes",
				  chain->head);
		return -1;
	}
	seg = &chain->seg[chain->nseg++];
	seg->host = vlab_ram_ptr(dev->ram, addr, len);
	seg->gpa = addr;
	seg->len = len;
	seg->write = write;
	if (write)
		chain->in_bytes += len;
	else
		chain->out_bytes += len;
	return 0;
}

/**
 * walk_chain() - read and check every descriptor of the chain at @p head,
 * following one indirect table if the chain ends in one.
 * @param dev the device.
 * @param vq the queue.
 * @param head the head index (already checked < num).
 * @param chain receives the buffers.
 * @param max_segs most buffers accepted.
 * @return 0, or -1 after reporting the broken rule.
 */
static int walk_chain(struct vlab_device *dev, struct vlab_vq *vq,
		      uint16_t head, struct vlab_chain *chain,
		      unsigned int max_segs)
{
	struct vring_desc *table = vq->desc;
	unsigned int i = head, count = 0, limit = vq->num;
	bool in_table = false;
	struct vring_desc d;
	uint64_t addr;
	uint32_t len;
	uint16_t flags;

	chain->head = head;
	chain->nseg = 0;
	chain->seg = vq->segs;
	chain->out_bytes = 0;
	chain->in_bytes = 0;
	for (;;) {
		/* RELIABILITY D4: no chain is longer than its table (§2.7.5) */
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
			table = enter_indirect(dev, vq, i, addr, len, flags,
					       in_table);
			if (!table)
				return -1;
			/* §2.7.5.3: the chain goes on at entry 0 of the table */
			in_table = true;
			limit = len / sizeof(struct vring_desc);
			count = 0;
			i = 0;
			continue;
		}
		if (add_seg(dev, vq, chain, i, addr, len,
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
 * pop_packed_indirect() - walk a packed indirect table (§2.8.7): its
 * entries in order; WRITE is the only flag that means anything there,
 * every other one is ignored, as the spec tells the device.
 * @param dev the device.
 * @param vq the queue.
 * @param chain the chain.
 * @param i the ring descriptor that points at the table.
 * @param addr table address.
 * @param len table length in bytes.
 * @param max_segs most buffers accepted.
 * @return 0, or -1 after reporting the broken rule.
 */
static int pop_packed_indirect(struct vlab_device *dev, struct vlab_vq *vq,
			       struct vlab_chain *chain, unsigned int i,
			       uint64_t addr, uint32_t len,
			       unsigned int max_segs)
{
	struct vring_packed_desc *table, d;
	unsigned int k;
	uint16_t flags;

	if (!vq->indirect) {
		vlab_device_error(dev, vq, "§2.8.19",
				  "descriptor %u has INDIRECT set but VIRTIO_F_INDIRECT_DESC was not negotiated",
				  i);
		return -1;
	}
	if (len == 0 || len % sizeof(d)) {
		vlab_device_error(dev, vq, "§2.8.7",
				  "indirect table of descriptor %u is %u bytes, not a positive multiple of 16",
				  i, len);
		return -1;
	}
	table = vlab_ram_ptr(dev->ram, addr, len);
	if (!table || addr % 16) {
		vlab_device_error(dev, vq, "§2.8.7",
				  "indirect table 0x%llx+%u of descriptor %u is outside guest RAM or misaligned",
				  (unsigned long long)addr, len, i);
		return -1;
	}
	for (k = 0; k < len / sizeof(d); k++) {
		memcpy(&d, &table[k], sizeof(d));	/* D16 */
		flags = le16toh(d.flags);
		if (add_seg(dev, vq, chain, k, le64toh(d.addr), le32toh(d.len),
			    flags & VRING_DESC_F_WRITE, max_segs))
			return -1;
	}
	return 0;
}

/**
 * pop_packed() - take the next available buffer of a packed ring (§2.8.6):
 * its first descriptor's flags (acquire) say whether it is there; its
 * descriptors follow in ring order while NEXT is set; the buffer id is in
 * the last one.
 * @param dev the device.
 * @param vq the queue.
 * @param chain receives the buffer.
 * @param max_segs most buffers accepted.
 * @return 1, 0 when none is available, -1 after a broken rule.
 */
static int pop_packed(struct vlab_device *dev, struct vlab_vq *vq,
		      struct vlab_chain *chain, unsigned int max_segs)
{
	struct vring_packed_desc d;
	uint16_t pos = vq->next_avail, flags, old = vq->next_avail;
	bool wrap = vq->avail_wrap;
	unsigned int count = 0;

	flags = le16toh(__atomic_load_n(&vq->pdesc[pos].flags,
					__ATOMIC_ACQUIRE));
	if (!vring_packed_is_avail(flags, wrap))
		return 0;
	if (vq->inflight >= vq->num) {
		/* RELIABILITY D13 */
		vlab_device_error(dev, vq, "§2.8.10.1",
				  "more than %u buffers in flight", vq->num);
		return -1;
	}
	chain->nseg = 0;
	chain->seg = vq->segs;
	chain->out_bytes = 0;
	chain->in_bytes = 0;
	for (;;) {
		if (count++ == vq->num) {
			/* RELIABILITY D4: no buffer is longer than the ring */
			vlab_device_error(dev, vq, "§2.8.17",
					  "buffer at descriptor %u is longer than the queue size %u",
					  old, vq->num);
			return -1;
		}
		memcpy(&d, &vq->pdesc[pos], sizeof(d));	/* D16 */
		if (dev->faults.rewrite_after_read)
			vq->pdesc[pos].addr = htole64(0x1000);
		if (count > 1)
			flags = le16toh(d.flags);
		chain->head = le16toh(d.id);
		if (flags & VRING_DESC_F_INDIRECT) {
			/* RELIABILITY D7: an indirect descriptor stands alone */
			if ((flags & VRING_DESC_F_NEXT) || count > 1) {
				vlab_device_error(dev, vq, "§2.8.19",
						  "descriptor %u is INDIRECT inside a list linked by NEXT",
						  pos);
				return -1;
			}
			if (pop_packed_indirect(dev, vq, chain, pos,
						le64toh(d.addr), le32toh(d.len),
						max_segs))
				return -1;
		} else if (add_seg(dev, vq, chain, pos, le64toh(d.addr),
				   le32toh(d.len), flags & VRING_DESC_F_WRITE,
				   max_segs)) {
			return -1;
		}
		vring_packed_advance(&pos, &wrap, 1, vq->num);
		if (!(flags & VRING_DESC_F_NEXT))
			break;
	}
	chain->ndescs = (uint16_t)count;
	vq->next_avail = pos;
	vq->avail_wrap = wrap;
	/* traced once the state is what the event says it is */
	VLAB_TRACE(.kind = VLAB_EV_POP, .dev = dev->name,
		   .queue = (int)vq->index, .before = old, .after = pos,
		   .text = "packed", .spec = "§2.8.6",
		   .v = { chain->head, chain->nseg, chain->out_bytes,
			  chain->in_bytes });
	vq->inflight++;
	__atomic_fetch_add(&vq->stats.chains, 1, __ATOMIC_RELAXED);
	return 1;
}

int vlab_vq_pop(struct vlab_device *dev, struct vlab_vq *vq,
		struct vlab_chain *chain, unsigned int max_segs)
{
	if (vq->packed)
		return vlab_device_live(dev) ?
			pop_packed(dev, vq, chain, max_segs) : -1;
	uint16_t avail_idx, pending, head;
	unsigned int num = vq->num;

	if (!vlab_device_live(dev))
		return -1;
	/*
	 * Acquire pairs with the driver's release store of avail->idx: the
	 * ring slots and descriptors behind the index are visible now.
	 */
	avail_idx = le16toh(__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE));
	pending = vring_split_pending(avail_idx, vq->last_avail_idx);
	if (pending == 0)
		return 0;
	if (pending > num) {
		/* RELIABILITY D1 */
		vlab_device_error(dev, vq, "§2.7.6",
				  "avail idx moved %u entries past the last one seen, more than the queue size %u",
				  pending, num);
		return -1;
	}
	if (vq->inflight >= num) {
		/* RELIABILITY D13 */
		vlab_device_error(dev, vq, "§2.7.6",
				  "more than %u buffers in flight", num);
		return -1;
	}
	head = le16toh(__atomic_load_n(&vq->avail->ring[
			vring_split_slot(vq->last_avail_idx, num)],
			__ATOMIC_RELAXED));
	if (head >= num) {
		/* RELIABILITY D2 */
		vlab_device_error(dev, vq, "§2.7.6",
				  "avail ring entry %u names head %u, not below the queue size %u",
				  vq->last_avail_idx, head, num);
		return -1;
	}
	if (walk_chain(dev, vq, head, chain, max_segs))
		return -1;
	chain->ndescs = 1;
	vq->last_avail_idx++;
	/* traced once the state is what the event says it is */
	VLAB_TRACE(.kind = VLAB_EV_POP, .dev = dev->name,
		   .queue = (int)vq->index,
		   .before = (uint16_t)(vq->last_avail_idx - 1),
		   .after = vq->last_avail_idx,
		   .v = { head, chain->nseg, chain->out_bytes, chain->in_bytes });
	vq->inflight++;
	__atomic_fetch_add(&vq->stats.chains, 1, __ATOMIC_RELAXED);
	return 1;
}

/**
 * put_used() - write one used element and publish it (§2.7.8).
 * @param dev the device.
 * @param vq the queue.
 * @param id the id to return.
 * @param len the length to report.
 * @param advance how far to move used idx (1, unless a fault says not).
 */
static void put_used(struct vlab_device *dev, struct vlab_vq *vq, uint32_t id,
		     uint32_t len, uint16_t advance)
{
	unsigned int slot = vring_split_slot(vq->used_idx, vq->num);
	uint16_t old = vq->used_idx;

	/* The element first... */
	vq->used->ring[slot].id = htole32(id);
	vq->used->ring[slot].len = htole32(len);
	VLAB_TRACE(.kind = VLAB_EV_USED, .dev = dev->name,
		   .queue = (int)vq->index, .v = { slot, id, len });
	/*
	 * ...then the index, with release: a driver that acquires the new
	 * idx also sees the element and the bytes written into the buffer.
	 */
	vq->used_idx += advance;
	__atomic_store_n(&vq->used->idx, htole16(vq->used_idx),
			 __ATOMIC_RELEASE);
	VLAB_TRACE(.kind = VLAB_EV_USED_PUBLISH, .dev = dev->name,
		   .queue = (int)vq->index, .before = old,
		   .after = vq->used_idx);
}

/**
 * put_used_packed() - write one used descriptor (§2.8.1, §2.8.6): id and length
 * first, then the flags, with release, mark it used in this lap.
 * @param dev the device.
 * @param vq the queue.
 * @param id the buffer id.
 * @param len bytes written.
 * @param ndescs descriptors the buffer took: the next used one is that
 *	far on.
 */
static void put_used_packed(struct vlab_device *dev, struct vlab_vq *vq,
			    uint16_t id, uint32_t len, uint16_t ndescs)
{
	struct vring_packed_desc *d = &vq->pdesc[vq->next_used];
	uint16_t old = vq->next_used;

	d->id = htole16(id);
	d->len = htole32(len);
	VLAB_TRACE(.kind = VLAB_EV_USED, .dev = dev->name,
		   .queue = (int)vq->index, .text = "packed", .spec = "§2.8.1",
		   .v = { old, id, len });
	__atomic_store_n(&d->flags, htole16(vring_packed_used_flags(vq->used_wrap)),
			 __ATOMIC_RELEASE);
	vring_packed_advance(&vq->next_used, &vq->used_wrap, ndescs, vq->num);
	VLAB_TRACE(.kind = VLAB_EV_USED_PUBLISH, .dev = dev->name,
		   .queue = (int)vq->index, .before = old,
		   .after = vq->next_used, .text = "packed", .spec = "§2.8.1",
		   .v = { vq->used_wrap });
}

void vlab_vq_push(struct vlab_device *dev, struct vlab_vq *vq,
		  const struct vlab_chain *c, uint32_t len)
{
	const struct vlab_faults *f = &dev->faults;
	uint32_t id = c->head;

	/* Injected misbehaviour, for the driver's hardening (RELIABILITY R) */
	if (f->used_bad_id)
		id = vq->num + 3;
	len += f->used_len_extra;
	if (vq->packed) {
		vq->last_push_descs = c->ndescs;
		put_used_packed(dev, vq, (uint16_t)id, len, c->ndescs);
		if (f->used_repeat)
			put_used_packed(dev, vq, (uint16_t)id, len, 1);
	} else {
		put_used(dev, vq, id, len,
			 f->used_idx_jump ? (uint16_t)(vq->num + 1) : 1);
		if (f->used_repeat)
			put_used(dev, vq, id, len, 1);
	}
	if (vq->inflight)
		vq->inflight--;
}

/**
 * avail_event_ptr() - the avail_event field after the used ring (§2.7.8).
 * @param vq the queue.
 * @return its address.
 */
static uint16_t *avail_event_ptr(struct vlab_vq *vq)
{
	return (uint16_t *)&vq->used->ring[vq->num];
}

/**
 * used_event_ptr() - the used_event field after the avail ring (§2.7.6).
 * @param vq the queue.
 * @return its address.
 */
static uint16_t *used_event_ptr(struct vlab_vq *vq)
{
	return &vq->avail->ring[vq->num];
}

void vlab_vq_disable_notify(struct vlab_device *dev, struct vlab_vq *vq)
{
	(void)dev;
	if (vq->packed) {
		__atomic_store_n(&vq->pdevice->flags,
				 htole16(VRING_PACKED_EVENT_FLAG_DISABLE),
				 __ATOMIC_RELAXED);
		return;
	}
	if (vq->event_idx)
		return;	/* avail_event stays where it was */
	__atomic_store_n(&vq->used->flags, htole16(VRING_USED_F_NO_NOTIFY),
			 __ATOMIC_RELAXED);
}

bool vlab_vq_enable_notify(struct vlab_device *dev, struct vlab_vq *vq)
{
	uint16_t avail_idx, flags;

	(void)dev;
	if (vq->packed) {
		if (vq->event_idx) {
			/* Kick me once you fill past what I have seen */
			__atomic_store_n(&vq->pdevice->off_wrap,
					 htole16((uint16_t)(vq->next_avail |
					 vq->avail_wrap << VRING_PACKED_WRAP_BIT)),
					 __ATOMIC_RELAXED);
			flags = VRING_PACKED_EVENT_FLAG_DESC;
		} else {
			flags = VRING_PACKED_EVENT_FLAG_ENABLE;
		}
		__atomic_store_n(&vq->pdevice->flags, htole16(flags),
				 __ATOMIC_RELEASE);
		/* As for split: our wish before we look at the ring again */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		flags = le16toh(__atomic_load_n(&vq->pdesc[vq->next_avail].flags,
						__ATOMIC_ACQUIRE));
		return vring_packed_is_avail(flags, vq->avail_wrap);
	}
	if (vq->event_idx)
		/* Kick me once you publish past what I have seen */
		__atomic_store_n(avail_event_ptr(vq),
				 htole16(vq->last_avail_idx), __ATOMIC_RELAXED);
	else
		__atomic_store_n(&vq->used->flags, 0, __ATOMIC_RELAXED);
	/*
	 * Our flag or avail_event store must be visible before we read avail
	 * idx once more; the driver publishes idx before it reads our wish
	 * (its full barrier in kick_prepare). With both barriers, either we
	 * see the new buffer now or the driver sees that it must kick.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	avail_idx = le16toh(__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE));
	return avail_idx != vq->last_avail_idx;
}

/**
 * driver_wants_interrupt() - the used-buffer notification rule (§2.7.7).
 * @param vq the queue, after a push.
 * @return true to send it.
 */
static bool driver_wants_interrupt(struct vlab_vq *vq)
{
	uint16_t old, used_event, flags;
	bool valid;

	/*
	 * The used idx store must be visible before we read the driver's
	 * wish; the driver writes its wish before it reads used idx again
	 * (virtqueue_poll()). With both full barriers one side always sees
	 * the other: no interrupt is lost.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq->packed) {
		flags = le16toh(__atomic_load_n(&vq->pdriver->flags,
						__ATOMIC_RELAXED));
		if (flags != VRING_PACKED_EVENT_FLAG_DESC || !vq->event_idx)
			return flags != VRING_PACKED_EVENT_FLAG_DISABLE;
		/* §2.8.10: did the used position cross the driver's offset? */
		return vring_packed_event_needed(
			le16toh(__atomic_load_n(&vq->pdriver->off_wrap,
						__ATOMIC_RELAXED)),
			vq->used_wrap, vq->next_used,
			(uint16_t)(vq->next_used - vq->last_push_descs),
			vq->num);
	}
	if (!vq->event_idx) {
		flags = le16toh(__atomic_load_n(&vq->avail->flags,
						__ATOMIC_RELAXED));
		return !(flags & VRING_AVAIL_F_NO_INTERRUPT);
	}
	old = vq->signalled_used;
	valid = vq->signalled_used_valid;
	vq->signalled_used = vq->used_idx;
	vq->signalled_used_valid = true;
	used_event = le16toh(__atomic_load_n(used_event_ptr(vq),
					     __ATOMIC_RELAXED));
	/* Interrupt when used idx moved past used_event since last time */
	return !valid || vring_need_event(used_event, vq->used_idx, old);
}

void vlab_vq_notify_driver(struct vlab_device *dev, struct vlab_vq *vq)
{
	if (!driver_wants_interrupt(vq)) {
		/* §2.7.7: the driver does not want to hear about it */
		__atomic_fetch_add(&vq->stats.irqs_suppressed, 1, __ATOMIC_RELAXED);
		VLAB_TRACE(.kind = VLAB_EV_IRQ_SUPPRESSED, .dev = dev->name,
			   .queue = (int)vq->index,
			   .after = vq->packed ? vq->next_used : vq->used_idx);
		return;
	}
	__atomic_fetch_add(&vq->stats.irqs, 1, __ATOMIC_RELAXED);
	VLAB_TRACE(.kind = VLAB_EV_IRQ, .dev = dev->name,
		   .queue = (int)vq->index,
		   .after = vq->packed ? vq->next_used : vq->used_idx,
		   .v = { dev->irq });
	vlab_device_raise(dev, VIRTIO_MMIO_INT_VRING);
}

int vlab_chain_span(const struct vlab_chain *c, bool writable, uint64_t off,
		    uint64_t n, vlab_span_fn fn, void *arg)
{
	uint64_t done = 0, skip = off;
	unsigned int i;
	size_t piece;
	int ret;

	if (off > (writable ? c->in_bytes : c->out_bytes) ||
	    n > (writable ? c->in_bytes : c->out_bytes) - off)
		return -EINVAL;
	for (i = 0; i < c->nseg && done < n; i++) {
		if (c->seg[i].write != writable)
			continue;
		if (skip >= c->seg[i].len) {
			skip -= c->seg[i].len;
			continue;
		}
		piece = c->seg[i].len - skip;
		if (piece > n - done)
			piece = n - done;
		ret = fn(arg, c->seg[i].host + skip, piece, done);
		if (ret)
			return ret;
		done += piece;
		skip = 0;
	}
	return 0;
}

/**
 * copy_out() - vlab_span_fn of vlab_chain_read(): chain to buffer.
 * @param arg the destination buffer.
 * @param host a piece of the chain.
 * @param len its length.
 * @param done where it goes in the destination.
 * @return 0.
 */
static int copy_out(void *arg, uint8_t *host, size_t len, uint64_t done)
{
	memcpy((uint8_t *)arg + done, host, len);
	return 0;
}

/**
 * copy_in() - vlab_span_fn of vlab_chain_write(): buffer to chain.
 * @param arg the source buffer.
 * @param host a piece of the chain.
 * @param len its length.
 * @param done where it comes from in the source.
 * @return 0.
 */
static int copy_in(void *arg, uint8_t *host, size_t len, uint64_t done)
{
	memcpy(host, (const uint8_t *)arg + done, len);
	return 0;
}

int vlab_chain_read(const struct vlab_chain *c, uint64_t off, void *dst,
		    size_t n)
{
	return vlab_chain_span(c, false, off, n, copy_out, dst);
}

int vlab_chain_write(const struct vlab_chain *c, uint64_t off,
		     const void *src, size_t n)
{
	return vlab_chain_span(c, true, off, n, copy_in, (void *)src);
}
