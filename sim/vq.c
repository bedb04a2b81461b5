// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The device-side virtqueue API (sim/vq.h) for both ring layouts:
 * queue setup and reset, and pop, push, notification suppression and the
 * interrupt, each dispatched as `packed_ring ? x_packed : x_split` to
 * sim/vq_packed.c (§2.8) or sim/vq_split.c (§2.7), as Linux's
 * virtio_ring.c does on the driver side. What both layouts share is here
 * (queue-area checks, in-flight count, trace of the interrupt decision)
 * or in sim/vq_chain.c (buffer and indirect-table checks).
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
#include "sim/vq_layout.h"
#include "virtio/shared/vring_packed.h"
#include "virtio/shared/vring_split.h"

/**
 * vq_check_areas() - check a queue setup against the rules of its layout
 * (RELIABILITY D15): a size the layout allows and at most QueueNumMax,
 * three aligned areas, each wholly inside guest RAM.
 * @param dev the device.
 * @param vq the queue, with num and the three addresses written.
 * @param a the layout's rules (vq_split_areas(), vq_packed_areas()).
 * @return 0, or -EINVAL after saying why.
 */
static int vq_check_areas(struct vlab_device *dev, const struct vlab_vq *vq,
			  const struct vq_areas *a)
{
	const struct vlab_ram *ram = dev->ram;
	const char *why = NULL;

	if (!a->num_valid)
		why = a->num_rule;
	else if (vq->num > vq->num_max)
		why = "queue size is larger than QueueNumMax";
	else if (vq->desc_gpa % a->desc_align ||
		 vq->driver_gpa % a->driver_align ||
		 vq->device_gpa % a->device_align)
		why = a->align_rule;
	else if (!vlab_ram_ptr(ram, vq->desc_gpa, a->desc_bytes) ||
		 !vlab_ram_ptr(ram, vq->driver_gpa, a->driver_bytes) ||
		 !vlab_ram_ptr(ram, vq->device_gpa, a->device_bytes))
		why = "ring area outside guest RAM (or never written)";
	if (why) {
		fprintf(stderr, "[%s] queue %u setup refused: %s\n", dev->name,
			vq->index, why);
		return -EINVAL;
	}
	return 0;
}

int vlab_vq_enable(struct vlab_device *dev, struct vlab_vq *vq)
{
	const struct vlab_ram *ram = dev->ram;
	/*
	 * RELIABILITY D19: the features in force are those accepted at
	 * FEATURES_OK (§2.2, §3.1.1), never what the driver wrote and the
	 * device refused: a split-only device never runs a packed ring.
	 */
	bool packed = dev->features & (1ULL << VIRTIO_F_RING_PACKED);
	void *desc, *driver, *device;
	struct vq_areas a;

	if (packed)
		vq_packed_areas(vq->num, &a);
	else
		vq_split_areas(vq->num, &a);
	if (vq_check_areas(dev, vq, &a))
		return -EINVAL;
	desc = vlab_ram_ptr(ram, vq->desc_gpa, 0);
	driver = vlab_ram_ptr(ram, vq->driver_gpa, 0);
	device = vlab_ram_ptr(ram, vq->device_gpa, 0);
	if (packed)
		vq_packed_enable(vq, desc, driver, device);
	else
		vq_split_enable(vq, desc, driver, device);
	vq->packed_ring = packed;
	vq->inflight = 0;
	vq->event_idx = dev->features &
		(1ULL << VIRTIO_RING_F_EVENT_IDX);
	vq->indirect = dev->features &
		(1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	vq->ready = true;
	return 0;
}

void vlab_vq_stop(struct vlab_vq *vq)
{
	vq->ready = false;
	vq->inflight = 0;
	if (vq->head_busy)
		memset(vq->head_busy, 0, vq->num_max);
	/* both views of the union: whichever is larger clears it all */
	memset(&vq->split, 0, sizeof(vq->split));
	memset(&vq->packed, 0, sizeof(vq->packed));
}

void vlab_vq_reset(struct vlab_vq *vq)
{
	vq->num = 0;
	vq->ready = false;
	vq->desc_gpa = 0;
	vq->driver_gpa = 0;
	vq->device_gpa = 0;
	vq->packed_ring = false;
	vq->inflight = 0;
	if (vq->head_busy)
		memset(vq->head_busy, 0, vq->num_max);
	/* both views of the union: whichever is larger clears it all */
	memset(&vq->split, 0, sizeof(vq->split));
	memset(&vq->packed, 0, sizeof(vq->packed));
}

bool vlab_vq_avail_pending(const struct vlab_vq *vq)
{
	uint16_t idx, flags;

	/*
	 * Acquire pairs with the driver's release store of the avail idx
	 * (split) or the head's flags (packed): whatever the driver's side
	 * stored before it (a test's stall of the device, say) is visible
	 * to the caller after a true answer. vlab_vq_pop() reads the field
	 * again, with acquire, before it reads the descriptors.
	 */
	if (vq->packed_ring) {
		flags = le16toh(__atomic_load_n(
			&vq->packed.desc[vq->packed.next_avail].flags,
			__ATOMIC_ACQUIRE));
		return vring_packed_is_avail(flags, vq->packed.avail_wrap);
	}
	idx = le16toh(__atomic_load_n(&vq->split.avail->idx,
				      __ATOMIC_ACQUIRE));
	return idx != vq->split.last_avail_idx;
}

int vlab_vq_pop(struct vlab_device *dev, struct vlab_vq *vq,
		struct vlab_chain *chain, unsigned int max_segs)
{
	unsigned long chains;
	int ret;

	/* a live check with no lock: the status word is read atomically */
	vq->looked = true;
	if (!vlab_device_live(dev))
		return -1;
	/* the segments land in vq->segs: never more than it holds */
	if (max_segs > vq->num_max)
		max_segs = vq->num_max;
	ret = vq->packed_ring ? vq_packed_pop(dev, vq, chain, max_segs) :
		vq_split_pop(dev, vq, chain, max_segs);
	if (ret != 1)
		return ret;
	vq->inflight++;
	/*
	 * Release: a test that waits for this count with acquire may
	 * rewrite the descriptors the pop read (the hostile suites). Only
	 * this thread writes the count: a load and a release store, not a
	 * locked add (vlab_stat_inc()).
	 */
	chains = __atomic_load_n(&vq->stats.chains, __ATOMIC_RELAXED);
	__atomic_store_n(&vq->stats.chains, chains + 1, __ATOMIC_RELEASE);
	return 1;
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
	if (vq->packed_ring)
		vq_packed_push(dev, vq, (uint16_t)id, len, c->ndescs);
	else
		vq_split_push(dev, vq, id, len);
	if (vq->inflight)
		vq->inflight--;
}

/** The device's notification-suppression fields, in CPU byte order. */
struct supp_dev {
	uint16_t flags;		/**< split used->flags; packed event flags */
	uint16_t index;		/**< split avail_event; packed off_wrap */
};

/**
 * supp_dev_snap() - what the device's suppression fields hold (it alone
 * writes them), when tracing wants to know.
 * @param vq the queue.
 * @return the fields, or zeros with tracing off.
 */
static struct supp_dev supp_dev_snap(const struct vlab_vq *vq)
{
	if (!VLAB_TRACING())
		return (struct supp_dev){ 0 };
	if (vq->packed_ring)
		return (struct supp_dev){
			.flags = le16toh(__atomic_load_n(&vq->packed.device->flags,
							 __ATOMIC_RELAXED)),
			.index = le16toh(__atomic_load_n(
				&vq->packed.device->off_wrap, __ATOMIC_RELAXED)),
		};
	return (struct supp_dev){
		.flags = le16toh(__atomic_load_n(&vq->split.used->flags,
						 __ATOMIC_RELAXED)),
		.index = le16toh(__atomic_load_n(
			vring_split_avail_event(vq->split.used, vq->num),
			__ATOMIC_RELAXED)),
	};
}

/**
 * supp_dev_traced() - after the device wrote its suppression fields
 * (§2.7.10, §2.8.10): one event for each that changed, so the kicks it
 * asks for are as visible as the buffers it uses.
 * Trace event: device-event.
 * @param dev the device.
 * @param vq the queue.
 * @param old what supp_dev_snap() saw before the writes.
 */
static void supp_dev_traced(const struct vlab_device *dev,
			    const struct vlab_vq *vq, struct supp_dev old)
{
	struct supp_dev now;

	if (!VLAB_TRACING())
		return;
	now = supp_dev_snap(vq);
	if (vq->packed_ring) {
		struct vlab_field f[2];
		uint8_t n = 0;

		if (now.index != old.index)
			f[n++] = (struct vlab_field){
				VLAB_FIELD_DEVICE_OFF_WRAP, 0 };
		if (now.flags != old.flags)
			f[n++] = (struct vlab_field){
				VLAB_FIELD_DEVICE_FLAGS, 0 };
		if (n)
			VLAB_TRACE(.kind = VLAB_EV_DEVICE_EVENT,
				   .dev = dev->name, .queue = (int)vq->index,
				   .layout = VLAB_RING_PACKED,
				   .spec = "§2.8.10", .before = old.index,
				   .after = now.index,
				   .supp = { .field = VLAB_SUPP_PACKED,
					     .flags = now.flags },
				   .fields = { f[0], f[1] }, .nfields = n);
		return;
	}
	if (now.flags != old.flags)
		VLAB_TRACE(.kind = VLAB_EV_DEVICE_EVENT, .dev = dev->name,
			   .queue = (int)vq->index, .layout = VLAB_RING_SPLIT,
			   .before = old.flags, .after = now.flags,
			   .supp = { .field = VLAB_SUPP_FLAGS },
			   .fields = { { VLAB_FIELD_USED_FLAGS, 0 } },
			   .nfields = 1);
	if (now.index != old.index)
		VLAB_TRACE(.kind = VLAB_EV_DEVICE_EVENT, .dev = dev->name,
			   .queue = (int)vq->index, .layout = VLAB_RING_SPLIT,
			   .before = old.index, .after = now.index,
			   .supp = { .field = VLAB_SUPP_EVENT_IDX },
			   .fields = { { VLAB_FIELD_AVAIL_EVENT, 0 } },
			   .nfields = 1);
}

void vlab_vq_disable_notify(struct vlab_device *dev, struct vlab_vq *vq)
{
	struct supp_dev old = supp_dev_snap(vq);

	vq->looked = false;
	if (vq->packed_ring)
		vq_packed_disable_notify(vq);
	else
		vq_split_disable_notify(vq);
	supp_dev_traced(dev, vq, old);
}

bool vlab_vq_enable_notify(struct vlab_device *dev, struct vlab_vq *vq)
{
	struct supp_dev old = supp_dev_snap(vq);
	bool more;

	more = vq->packed_ring ? vq_packed_enable_notify(vq) :
		vq_split_enable_notify(vq);
	supp_dev_traced(dev, vq, old);
	/* RELIABILITY L1: a model that took nothing is not run again now */
	return more && vq->looked;
}

/* book: [notify_driver] */
void vlab_vq_notify_driver(struct vlab_device *dev, struct vlab_vq *vq)
{
	bool need = vq->packed_ring ? vq_packed_need_interrupt(vq) :
		vq_split_need_interrupt(vq);
	uint16_t used = vq->packed_ring ? vq->packed.next_used :
		vq->split.used_idx;

	if (!need) {
		/* §2.7.7, §2.8.10: the driver does not want to hear of it */
		vlab_stat_inc(&vq->stats.irqs_suppressed);
		VLAB_TRACE(.kind = VLAB_EV_IRQ_SUPPRESSED, .dev = dev->name,
			   .queue = (int)vq->index, .after = used,
			   .layout = vq->packed_ring ? VLAB_RING_PACKED :
				     VLAB_RING_SPLIT);
		return;
	}
	vlab_stat_inc(&vq->stats.irqs);
	VLAB_TRACE(.kind = VLAB_EV_IRQ, .dev = dev->name,
		   .queue = (int)vq->index, .after = used,
		   .layout = vq->packed_ring ? VLAB_RING_PACKED :
			     VLAB_RING_SPLIT,
		   .irq = { .irq = dev->irq });
	vlab_device_raise(dev, VIRTIO_MMIO_INT_VRING);
}
/* book: [notify_driver] */
