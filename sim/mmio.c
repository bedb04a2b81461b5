// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The virtio-mmio register file, device side (virtio 1.2 §4.2.2).
 *
 * Every readl()/writel() of the guest's virtio-mmio driver lands here, the
 * way an MMIO exit lands in a hypervisor's device model. The register
 * layout and constants come from <linux/virtio_mmio.h>.
 */
#include <endian.h>
#include <stdio.h>
#include <string.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "sim/device.h"
#include "sim/sched.h"
#include "sim/trace.h"

/** MagicValue: "virt" in little-endian (§4.2.2). */
#define VLAB_MMIO_MAGIC 0x74726976u
/** VendorID of virtio-lab's devices: "VLAB". */
#define VLAB_MMIO_VENDOR 0x42414c56u

/**
 * selected_vq() - the queue QueueSel names.
 * @param dev the device (lock held).
 * @return the queue, or NULL when QueueSel is out of range.
 */
static struct vlab_vq *selected_vq(struct vlab_device *dev)
{
	if (dev->queue_sel >= dev->model->num_queues)
		return NULL;
	return &dev->vqs[dev->queue_sel];
}

/**
 * config_read() - read the device configuration space.
 * @param dev the device (lock held).
 * @param off offset within it.
 * @param size access width.
 * @return the little-endian value; bytes past the end read as 0.
 */
static uint64_t config_read(struct vlab_device *dev, uint64_t off,
			    unsigned int size)
{
	uint64_t val = 0;
	unsigned int i;

	uint32_t w;

	if (dev->faults.config_flaps && off <= 4 && off + size > 4 &&
	    dev->config_size >= 8) {
		/*
		 * RELIABILITY R8: the config changes just before the driver
		 * reads the second 32-bit field, after it read the first;
		 * only the generation counter tells it to read again.
		 */
		dev->faults.config_flaps--;
		for (i = 0; i < 8; i += 4) {
			memcpy(&w, dev->config + i, 4);
			w = htole32(le32toh(w) + 1);
			memcpy(dev->config + i, &w, 4);
		}
		dev->config_generation++;
	}
	for (i = 0; i < size; i++)
		if (off + i < dev->config_size)
			val |= (uint64_t)dev->config[off + i] << (8 * i);
	VLAB_TRACE(.kind = VLAB_EV_CONFIG_READ, .dev = dev->name, .queue = -1,
		   .config = { .offset = off, .len = size, .value = val,
			       .generation = dev->config_generation });
	return val;
}

/**
 * status_read() - the Status register, honouring an injected stuck reset.
 * @param dev the device (lock held).
 * @return the status.
 */
static uint32_t status_read(struct vlab_device *dev)
{
	if (dev->faults.stuck_in_reset && dev->status == 0)
		return VIRTIO_CONFIG_S_ACKNOWLEDGE;
	return dev->status;
}

/**
 * width_ok() - whether the transport defines an access of @p size bytes
 * at @p offset (RELIABILITY D21, §4.2.2.2): 32 bits for the registers;
 * 8, 16 or 32 bits for the configuration space (a 64-bit field is two
 * 32-bit accesses). Anything else is refused and logged, so no value is
 * ever shifted by its width.
 * @param dev the device, for the log.
 * @param offset register offset.
 * @param size access width in bytes.
 * @param what "read" or "write".
 * @return true to go on.
 */
static bool width_ok(const struct vlab_device *dev, uint64_t offset,
		     unsigned int size, const char *what)
{
	bool ok = offset >= VIRTIO_MMIO_CONFIG ?
		size == 1 || size == 2 || size == 4 : size == 4;

	if (!ok)
		/* RELIABILITY D21 */
		fprintf(stderr, "[%s] %u-byte %s at 0x%03llx refused: virtio 1.2 §4.2.2.2 allows 32-bit registers and 8, 16 or 32-bit config fields\n",
			dev->name, size, what, (unsigned long long)offset);
	return ok;
}

uint64_t vlab_mmio_device_read(struct vlab_device *dev, uint64_t offset,
			       unsigned int size)
{
	struct vlab_vq *vq;
	uint64_t val = 0;

	if (!width_ok(dev, offset, size, "read"))
		return 0;
	vlab_mutex_lock(&dev->lock);
	if (offset >= VIRTIO_MMIO_CONFIG) {
		val = config_read(dev, offset - VIRTIO_MMIO_CONFIG, size);
		goto out;
	}
	vq = selected_vq(dev);
	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		val = VLAB_MMIO_MAGIC;
		break;
	case VIRTIO_MMIO_VERSION:
		val = 2;
		break;
	case VIRTIO_MMIO_DEVICE_ID:
		val = dev->model->device_id;
		break;
	case VIRTIO_MMIO_VENDOR_ID:
		val = VLAB_MMIO_VENDOR;
		break;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (dev->device_features_sel < 2)
			val = (uint32_t)(vlab_device_offered_features(dev) >>
					 (32 * dev->device_features_sel));
		VLAB_TRACE(.kind = VLAB_EV_FEATURES_READ, .dev = dev->name,
			   .queue = -1,
			   .features = { .word = dev->device_features_sel,
					 .bits = val });
		break;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		val = vq ? vq->num_max : 0;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		val = vq ? vq->ready : 0;
		break;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		val = dev->interrupt_status;
		break;
	case VIRTIO_MMIO_STATUS:
		val = status_read(dev);
		break;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		val = dev->config_generation;
		break;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		/* No shared memory regions: a missing region reads as -1 */
		val = 0xffffffffu;
		break;
	default:
		break;
	}
out:
	vlab_mutex_unlock(&dev->lock);
	return val;
}

/**
 * set_addr_half() - write the low or high half of a queue address.
 * @param addr the 64-bit address.
 * @param val the half.
 * @param high true for bits 63..32.
 */
static void set_addr_half(uint64_t *addr, uint32_t val, bool high)
{
	if (high)
		*addr = (*addr & 0xffffffffull) | ((uint64_t)val << 32);
	else
		*addr = (*addr & ~0xffffffffull) | val;
}

/**
 * queue_reg_write() - write one of the queue setup registers.
 * @param dev the device (lock held).
 * @param offset the register.
 * @param val the value.
 */
static void queue_reg_write(struct vlab_device *dev, uint64_t offset,
			    uint32_t val)
{
	struct vlab_vq *vq = selected_vq(dev);

	if (!vq || vq->ready) {
		/* §4.2.2.3: a live queue's setup must not change under it */
		fprintf(stderr, "[%s] write to setup register 0x%03llx of %s queue %u ignored\n",
			dev->name, (unsigned long long)offset,
			vq ? "a ready" : "a missing", dev->queue_sel);
		return;
	}
	switch (offset) {
	case VIRTIO_MMIO_QUEUE_NUM:
		vq->num = val;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		set_addr_half(&vq->desc_gpa, val,
			      offset == VIRTIO_MMIO_QUEUE_DESC_HIGH);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		set_addr_half(&vq->driver_gpa, val,
			      offset == VIRTIO_MMIO_QUEUE_AVAIL_HIGH);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		set_addr_half(&vq->device_gpa, val,
			      offset == VIRTIO_MMIO_QUEUE_USED_HIGH);
		break;
	}
}

/**
 * trace_queue() - report a queue setup, accepted or refused, with the
 * size and the three areas the driver wrote (§4.2.3.2).
 * @param dev the device.
 * @param vq the queue.
 * @param kind VLAB_EV_QUEUE_SETUP or VLAB_EV_QUEUE_REFUSED.
 *
 * Trace event: queue-setup or queue-refused.
 */
static void trace_queue(struct vlab_device *dev, const struct vlab_vq *vq,
			enum vlab_event_kind kind)
{
	VLAB_TRACE(.kind = kind, .dev = dev->name, .queue = (int)vq->index,
		   .layout = vq->packed_ring ? VLAB_RING_PACKED :
			     VLAB_RING_SPLIT,
		   .queue_area = { .size = vq->num, .desc = vq->desc_gpa,
				   .driver = vq->driver_gpa,
				   .device = vq->device_gpa });
}

/**
 * queue_ready_write() - QueueReady: enable (after checking the setup) or
 * disable the selected queue.
 * @param dev the device (lock held).
 * @param val 1 to enable, 0 to disable.
 */
static void queue_ready_write(struct vlab_device *dev, uint32_t val)
{
	struct vlab_vq *vq = selected_vq(dev);

	if (!vq)
		return;
	/* RELIABILITY L2: bounded; the queue stays as it is when it fails */
	if (vlab_device_quiesce_locked(dev, "QueueReady"))
		return;
	if (!val) {
		/*
		 * RELIABILITY D20: the driver takes the ring and its buffers
		 * back; the model drops every chain it held from this queue,
		 * so nothing is written into them later.
		 */
		if (vq->ready && dev->model->queue_stop)
			dev->model->queue_stop(dev, vq);
		vlab_vq_stop(vq);
		return;
	}
	if (vq->ready)
		return;
	if (!(dev->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		/*
		 * RELIABILITY D19: queues are set up after FEATURES_OK
		 * (§3.1.1 step 7); before it, no layout is in force.
		 */
		fprintf(stderr, "[%s] queue %u setup refused: QueueReady before an accepted FEATURES_OK (§3.1.1)\n",
			dev->name, vq->index);
		trace_queue(dev, vq, VLAB_EV_QUEUE_REFUSED);
		return;
	}
	if (vlab_vq_enable(dev, vq)) {
		trace_queue(dev, vq, VLAB_EV_QUEUE_REFUSED);
		return;
	}
	trace_queue(dev, vq, VLAB_EV_QUEUE_SETUP);
}

/**
 * features_acceptable() - whether the driver's feature subset is one this
 * device can work with (checked when FEATURES_OK is set, §3.1.1 step 5).
 * @param dev the device (lock held).
 * @return true to accept.
 */
static bool features_acceptable(struct vlab_device *dev)
{
	uint64_t offered = vlab_device_offered_features(dev);

	if (dev->faults.refuse_features_ok)
		return false;
	if (dev->driver_features & ~offered)
		return false;
	/* A modern-only device: the driver must speak virtio 1.x */
	return dev->driver_features & (1ULL << VIRTIO_F_VERSION_1);
}

/**
 * status_write() - the Status register: reset on 0, else new bits.
 *
 * The features take effect here, as accepted at FEATURES_OK; DRIVER_OK
 * without an accepted FEATURES_OK is a driver error (RELIABILITY D19,
 * §3.1.1), which the caller reports once the lock is dropped.
 * @param dev the device (lock held).
 * @param val the value written.
 * @return NULL, or the rule the write broke.
 */
static const char *status_write(struct vlab_device *dev, uint32_t val)
{
	uint32_t old = dev->status;
	const char *broke = NULL;

	if (val == 0) {
		VLAB_TRACE(.kind = VLAB_EV_RESET, .dev = dev->name, .queue = -1,
			   .before = old, .after = 0);
		vlab_device_reset_locked(dev);
		return NULL;
	}
	val &= 0xff;
	if (old & ~val & ~VIRTIO_CONFIG_S_NEEDS_RESET)
		fprintf(stderr, "[%s] driver cleared status bits 0x%02x without a reset (§2.1.2)\n",
			dev->name, old & ~val);
	if ((val & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !(old & VIRTIO_CONFIG_S_FEATURES_OK)) {
		/*
		 * RELIABILITY D19: what is accepted here is in force until
		 * the next reset; a driver that cleared FEATURES_OK (no reset,
		 * §2.1.2) cannot commit other features under live queues.
		 */
		if (features_acceptable(dev) &&
		    (!dev->features || dev->features == dev->driver_features))
			dev->features = dev->driver_features;
		else
			val &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	}
	if ((val & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(old & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(val & VIRTIO_CONFIG_S_FEATURES_OK))
		/* RELIABILITY D19 */
		broke = "DRIVER_OK without an accepted FEATURES_OK";
	/* DEVICE_NEEDS_RESET is the device's bit: only a reset clears it */
	/* atomic: vlab_device_live() reads it without the lock */
	__atomic_store_n(&dev->status, val | (old & VIRTIO_CONFIG_S_NEEDS_RESET),
			 __ATOMIC_RELAXED);
	/* host-side work that waited for DRIVER_OK may start now */
	if (dev->host_pending)
		vlab_cond_broadcast(&dev->cond);
	VLAB_TRACE(.kind = VLAB_EV_STATUS, .dev = dev->name, .queue = -1,
		   .before = old, .after = dev->status);
	return broke;
}

void vlab_mmio_device_write(struct vlab_device *dev, uint64_t offset,
			    uint64_t val64, unsigned int size)
{
	uint32_t val = (uint32_t)val64;
	const char *ignored = NULL, *broke = NULL;
	bool notify = false;
	unsigned int i;

	if (!width_ok(dev, offset, size, "write"))
		return;
	vlab_mutex_lock(&dev->lock);
	if (offset >= VIRTIO_MMIO_CONFIG) {
		offset -= VIRTIO_MMIO_CONFIG;
		for (i = 0; i < size && offset + i < dev->config_size; i++)
			dev->config[offset + i] = (uint8_t)(val64 >> (8 * i));
		goto out;
	}
	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		dev->device_features_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		dev->driver_features_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (dev->status & VIRTIO_CONFIG_S_FEATURES_OK)
			break;	/* §2.2: features are fixed after FEATURES_OK */
		if (dev->driver_features_sel < 2)
			set_addr_half(&dev->driver_features, val,
				      dev->driver_features_sel == 1);
		VLAB_TRACE(.kind = VLAB_EV_FEATURES_WRITE, .dev = dev->name,
			   .queue = -1,
			   .features = { .word = dev->driver_features_sel,
					 .bits = val });
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		dev->queue_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		queue_reg_write(dev, offset, val);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		queue_ready_write(dev, val);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		notify = true;
		ignored = vlab_device_notify_locked(dev, val);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		dev->interrupt_status &= ~val;
		break;
	case VIRTIO_MMIO_STATUS:
		broke = status_write(dev, val);
		break;
	default:
		fprintf(stderr, "[%s] write to read-only or unknown register 0x%03llx ignored\n",
			dev->name, (unsigned long long)offset);
		break;
	}
out:
	vlab_mutex_unlock(&dev->lock);
	/* an accepted notification is traced by the device thread it wakes */
	if (notify && ignored)
		VLAB_TRACE(.kind = VLAB_EV_NOTIFY_IGNORED, .dev = dev->name,
			   .queue = (int)val, .reason = { .why = ignored });
	if (broke)
		vlab_device_error(dev, NULL, "§3.1.1", "%s", broke);
}
