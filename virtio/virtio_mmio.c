// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The virtio-mmio transport, driver side (virtio 1.2 §4.2).
 *
 * A virtio-mmio device is a window of 32-bit registers plus an interrupt
 * line. Every operation of struct virtio_config_ops becomes a few register
 * accesses, each of which leaves the guest and lands in the simulator's
 * register file (sim/mmio.c), the way a VM exit reaches a hypervisor.
 * Only the modern register layout (Version 2) is supported.
 */
#include <time.h>

#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "virtio/shared/boundary.h"
#include "virtio/boot.h"

/** Ring alignment the legacy layout used; kept for vring_create_virtqueue. */
#define VIRTIO_MMIO_VRING_ALIGN 4096
/** How long reset may take before we give up (RELIABILITY R6). */
#define VIRTIO_MMIO_RESET_TIMEOUT_MS 100

/** One virtio-mmio device as the transport knows it. */
struct virtio_mmio_device {
	struct virtio_device vdev;	/**< what the virtio core sees */
	struct platform_device *pdev;	/**< the board device behind it */
	void __iomem *base;		/**< its registers */
	unsigned long version;		/**< register layout version (2) */
	bool driver_ok;			/**< DRIVER_OK set: callbacks may run */
	char bus_name[32];		/**< e.g. "virtio-mmio.0" */
};

/** The virtio_mmio_device of a virtio_device. */
#define to_virtio_mmio_device(_plat_dev) \
	container_of(_plat_dev, struct virtio_mmio_device, vdev)

void msleep(unsigned int msecs)
{
	might_sleep();
	/* lockstep: on the virtual clock */
	vlab_sleep_ms(msecs);
}

/**
 * vm_get_features() - read 64 device feature bits, 32 at a time (§4.2.2).
 * @param vdev the device.
 * @return the features.
 */
static u64 vm_get_features(struct virtio_device *vdev)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);
	u64 features;

	writel(1, vm_dev->base + VIRTIO_MMIO_DEVICE_FEATURES_SEL);
	features = readl(vm_dev->base + VIRTIO_MMIO_DEVICE_FEATURES);
	features <<= 32;
	writel(0, vm_dev->base + VIRTIO_MMIO_DEVICE_FEATURES_SEL);
	features |= readl(vm_dev->base + VIRTIO_MMIO_DEVICE_FEATURES);
	return features;
}

/**
 * vm_finalize_features() - write the negotiated features (§3.1.1 step 5).
 * @param vdev the device.
 * @return 0, or -EINVAL when the device is not a VERSION_1 device.
 */
static int vm_finalize_features(struct virtio_device *vdev)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);

	/* Give the ring code a chance to drop what it cannot do */
	vring_transport_features(vdev);

	/* Version 2 devices are modern devices: VERSION_1 is mandatory */
	if (!__virtio_test_bit(vdev, VIRTIO_F_VERSION_1)) {
		dev_err(&vdev->dev,
			"virtio-mmio version 2 devices must offer VIRTIO_F_VERSION_1\n");
		return -EINVAL;
	}
	writel(1, vm_dev->base + VIRTIO_MMIO_DRIVER_FEATURES_SEL);
	writel((u32)(vdev->features >> 32),
	       vm_dev->base + VIRTIO_MMIO_DRIVER_FEATURES);
	writel(0, vm_dev->base + VIRTIO_MMIO_DRIVER_FEATURES_SEL);
	writel((u32)vdev->features, vm_dev->base + VIRTIO_MMIO_DRIVER_FEATURES);
	return 0;
}

/**
 * vm_get() - read device configuration space (§4.2.2, offset 0x100).
 * @param vdev the device.
 * @param offset offset in the configuration space.
 * @param buf receives @p len bytes.
 * @param len 1, 2, 4 or 8.
 */
static void vm_get(struct virtio_device *vdev, unsigned int offset, void *buf,
		   unsigned int len)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);
	void __iomem *base = vm_dev->base + VIRTIO_MMIO_CONFIG;
	u8 b;
	__le16 w;
	__le32 l;

	switch (len) {
	case 1:
		b = readb(base + offset);
		memcpy(buf, &b, sizeof(b));
		break;
	case 2:
		w = cpu_to_le16(readw(base + offset));
		memcpy(buf, &w, sizeof(w));
		break;
	case 4:
		l = cpu_to_le32(readl(base + offset));
		memcpy(buf, &l, sizeof(l));
		break;
	case 8:
		l = cpu_to_le32(readl(base + offset));
		memcpy(buf, &l, sizeof(l));
		l = cpu_to_le32(readl(base + offset + sizeof(l)));
		memcpy((u8 *)buf + sizeof(l), &l, sizeof(l));
		break;
	default:
		BUG();
	}
}

/**
 * vm_set() - write device configuration space.
 * @param vdev the device.
 * @param offset offset in the configuration space.
 * @param buf @p len bytes.
 * @param len 1, 2, 4 or 8.
 */
static void vm_set(struct virtio_device *vdev, unsigned int offset,
		   const void *buf, unsigned int len)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);
	void __iomem *base = vm_dev->base + VIRTIO_MMIO_CONFIG;
	u8 b;
	__le16 w;
	__le32 l;

	switch (len) {
	case 1:
		memcpy(&b, buf, sizeof(b));
		writeb(b, base + offset);
		break;
	case 2:
		memcpy(&w, buf, sizeof(w));
		writew(le16_to_cpu(w), base + offset);
		break;
	case 4:
		memcpy(&l, buf, sizeof(l));
		writel(le32_to_cpu(l), base + offset);
		break;
	case 8:
		memcpy(&l, buf, sizeof(l));
		writel(le32_to_cpu(l), base + offset);
		memcpy(&l, (const u8 *)buf + sizeof(l), sizeof(l));
		writel(le32_to_cpu(l), base + offset + sizeof(l));
		break;
	default:
		BUG();
	}
}

/**
 * vm_generation() - the configuration generation counter (§2.5.1).
 * @param vdev the device.
 * @return the counter.
 */
static u32 vm_generation(struct virtio_device *vdev)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);

	return readl(vm_dev->base + VIRTIO_MMIO_CONFIG_GENERATION);
}

/**
 * vm_get_status() - read the device status byte (§2.1).
 * @param vdev the device.
 * @return the status.
 */
static u8 vm_get_status(struct virtio_device *vdev)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);

	return readl(vm_dev->base + VIRTIO_MMIO_STATUS) & 0xff;
}

/**
 * vm_set_status() - write the device status byte.
 * @param vdev the device.
 * @param status the new status; 0 is a reset and goes through vm_reset().
 */
static void vm_set_status(struct virtio_device *vdev, u8 status)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);

	BUG_ON(status == 0);
	writel(status, vm_dev->base + VIRTIO_MMIO_STATUS);
	/* From DRIVER_OK on, used-buffer interrupts reach the callbacks */
	WRITE_ONCE(vm_dev->driver_ok, !!(status & VIRTIO_CONFIG_S_DRIVER_OK));
}

/**
 * vm_reset() - reset the device and wait until it reads back 0 (§2.4.2:
 * the reset is complete once the driver reads status 0).
 * @param vdev the device.
 *
 * The wait is bounded (RELIABILITY R6): a device that never finishes its
 * reset is reported and its queues are broken, instead of hanging the
 * guest.
 */
static void vm_reset(struct virtio_device *vdev)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);
	unsigned int waited = 0;

	WRITE_ONCE(vm_dev->driver_ok, false);
	writel(0, vm_dev->base + VIRTIO_MMIO_STATUS);
	while (readl(vm_dev->base + VIRTIO_MMIO_STATUS)) {
		if (waited++ == VIRTIO_MMIO_RESET_TIMEOUT_MS) {
			dev_err(&vdev->dev,
				"device did not complete reset in %u ms\n",
				VIRTIO_MMIO_RESET_TIMEOUT_MS);
			virtio_break_device(vdev);
			return;
		}
		msleep(1);
	}
}

/**
 * vm_notify() - the available-buffer notification (§4.2.3.3).
 * @param vq the queue.
 * @return true.
 */
static bool vm_notify(struct virtqueue *vq)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vq->vdev);

	/* QueueNotify takes the index of the queue with new buffers */
	writel(vq->index, vm_dev->base + VIRTIO_MMIO_QUEUE_NOTIFY);
	return true;
}

/**
 * vm_interrupt() - the device's interrupt handler (§4.2.3.4).
 * @param irq the line.
 * @param opaque the virtio_mmio_device.
 * @return IRQ_HANDLED when the device had raised it.
 */
static irqreturn_t vm_interrupt(int irq, void *opaque)
{
	struct virtio_mmio_device *vm_dev = opaque;
	struct virtqueue *vq;
	irqreturn_t ret = IRQ_NONE;
	u32 status;

	/* Read and acknowledge what the device raised */
	status = readl(vm_dev->base + VIRTIO_MMIO_INTERRUPT_STATUS);
	writel(status, vm_dev->base + VIRTIO_MMIO_INTERRUPT_ACK);

	if (unlikely(status & VIRTIO_MMIO_INT_CONFIG)) {
		virtio_config_changed(&vm_dev->vdev);
		ret = IRQ_HANDLED;
	}
	if (unlikely((status & VIRTIO_MMIO_INT_VRING) &&
		     !READ_ONCE(vm_dev->driver_ok))) {
		/*
		 * RELIABILITY R7: before DRIVER_OK no callback may run: the
		 * driver is still setting up. Acknowledged, then dropped.
		 */
		dev_dbg(&vm_dev->vdev.dev, "used-buffer interrupt before DRIVER_OK ignored\n");
		return IRQ_HANDLED;
	}
	if (likely(status & VIRTIO_MMIO_INT_VRING)) {
		spin_lock(&vm_dev->vdev.vqs_list_lock);
		list_for_each_entry(vq, &vm_dev->vdev.vqs, list)
			ret |= vring_interrupt(irq, vq);
		spin_unlock(&vm_dev->vdev.vqs_list_lock);
	}
	return ret;
}

/**
 * vm_del_vq() - disable one queue at the device and free it.
 * @param vq the queue.
 */
static void vm_del_vq(struct virtqueue *vq)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vq->vdev);

	writel(vq->index, vm_dev->base + VIRTIO_MMIO_QUEUE_SEL);
	writel(0, vm_dev->base + VIRTIO_MMIO_QUEUE_READY);
	WARN_ON(readl(vm_dev->base + VIRTIO_MMIO_QUEUE_READY));
	vring_del_virtqueue(vq);
}

/**
 * vm_del_vqs() - delete every queue and release the interrupt line.
 * @param vdev the device.
 */
static void vm_del_vqs(struct virtio_device *vdev)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);
	struct virtqueue *vq, *n;

	list_for_each_entry_safe(vq, n, &vdev->vqs, list)
		vm_del_vq(vq);
	free_irq(platform_get_irq(vm_dev->pdev, 0), vm_dev);
}

/**
 * vm_synchronize_cbs() - wait for running callbacks to return.
 * @param vdev the device.
 */
static void vm_synchronize_cbs(struct virtio_device *vdev)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);

	synchronize_irq(platform_get_irq(vm_dev->pdev, 0));
}

/**
 * vm_setup_vq() - set up one queue (§4.2.3.2).
 * @param vdev the device.
 * @param index queue index.
 * @param callback its callback.
 * @param name its name.
 * @param ctx whether buffers carry a ctx.
 * @return the queue, or an ERR_PTR().
 */
static struct virtqueue *vm_setup_vq(struct virtio_device *vdev,
				     unsigned int index,
				     void (*callback)(struct virtqueue *vq),
				     const char *name, bool ctx)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);
	void __iomem *base = vm_dev->base;
	struct virtqueue *vq;
	unsigned int num;
	u64 addr;

	/* Step 1: select the queue */
	writel(index, base + VIRTIO_MMIO_QUEUE_SEL);
	/* Step 2: it must not be in use already */
	if (readl(base + VIRTIO_MMIO_QUEUE_READY))
		return ERR_PTR(-ENOENT);
	/* Step 3: the largest size the device supports; 0: no such queue */
	num = readl(base + VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (!num)
		return ERR_PTR(-ENOENT);
	/* Step 4: allocate and zero the three areas */
	vq = vring_create_virtqueue(index, num, VIRTIO_MMIO_VRING_ALIGN, vdev,
				    true, true, ctx, vm_notify, callback, name);
	if (!vq)
		return ERR_PTR(-ENOMEM);
	vq->num_max = num;
	/* Step 5: tell the device the size we chose */
	writel(virtqueue_get_vring_size(vq), base + VIRTIO_MMIO_QUEUE_NUM);
	/* Step 6: the guest-physical addresses of the three areas */
	addr = virtqueue_get_desc_addr(vq);
	writel((u32)addr, base + VIRTIO_MMIO_QUEUE_DESC_LOW);
	writel((u32)(addr >> 32), base + VIRTIO_MMIO_QUEUE_DESC_HIGH);
	addr = virtqueue_get_avail_addr(vq);
	writel((u32)addr, base + VIRTIO_MMIO_QUEUE_AVAIL_LOW);
	writel((u32)(addr >> 32), base + VIRTIO_MMIO_QUEUE_AVAIL_HIGH);
	addr = virtqueue_get_used_addr(vq);
	writel((u32)addr, base + VIRTIO_MMIO_QUEUE_USED_LOW);
	writel((u32)(addr >> 32), base + VIRTIO_MMIO_QUEUE_USED_HIGH);
	/* Step 7: enable it; a device that refuses the setup reads back 0 */
	writel(1, base + VIRTIO_MMIO_QUEUE_READY);
	if (!readl(base + VIRTIO_MMIO_QUEUE_READY)) {
		dev_err(&vdev->dev, "device refused the setup of queue %u\n",
			index);
		vring_del_virtqueue(vq);
		return ERR_PTR(-EIO);
	}
	return vq;
}

/**
 * vm_find_vqs() - request the interrupt and set up @p nvqs queues.
 * @param vdev the device.
 * @param nvqs queue count.
 * @param vqs receives the queues (NULL where names[i] is NULL).
 * @param callbacks one per queue.
 * @param names one per queue; NULL skips the queue.
 * @param ctx per-queue ctx flags, or NULL.
 * @param desc unused.
 * @return 0 or a negative errno; nothing is left set up on error.
 */
static int vm_find_vqs(struct virtio_device *vdev, unsigned int nvqs,
		       struct virtqueue *vqs[], vq_callback_t *callbacks[],
		       const char * const names[], const bool *ctx,
		       struct irq_affinity *desc)
{
	struct virtio_mmio_device *vm_dev = to_virtio_mmio_device(vdev);
	int irq = platform_get_irq(vm_dev->pdev, 0);
	unsigned int i, queue_idx = 0;
	int err;

	(void)desc;
	if (irq < 0)
		return irq;
	err = request_irq(irq, vm_interrupt, IRQF_SHARED, dev_name(&vdev->dev),
			  vm_dev);
	if (err)
		return err;

	for (i = 0; i < nvqs; ++i) {
		if (!names[i]) {
			vqs[i] = NULL;
			continue;
		}
		vqs[i] = vm_setup_vq(vdev, queue_idx++, callbacks[i], names[i],
				     ctx ? ctx[i] : false);
		if (IS_ERR(vqs[i])) {
			err = PTR_ERR(vqs[i]);
			vm_del_vqs(vdev);
			return err;
		}
	}
	return 0;
}

/**
 * vm_bus_name() - the transport instance's name.
 * @param vdev the device.
 * @return e.g. "virtio-mmio.0".
 */
static const char *vm_bus_name(struct virtio_device *vdev)
{
	return to_virtio_mmio_device(vdev)->bus_name;
}

/** The virtio-mmio implementation of the transport interface. */
static const struct virtio_config_ops virtio_mmio_config_ops = {
	.get = vm_get,
	.set = vm_set,
	.generation = vm_generation,
	.get_status = vm_get_status,
	.set_status = vm_set_status,
	.reset = vm_reset,
	.find_vqs = vm_find_vqs,
	.del_vqs = vm_del_vqs,
	.synchronize_cbs = vm_synchronize_cbs,
	.get_features = vm_get_features,
	.finalize_features = vm_finalize_features,
	.bus_name = vm_bus_name,
};

/**
 * virtio_mmio_probe() - identify the device in a window (§4.2.2, §4.2.3.1)
 * and hand it to the virtio core.
 * @param pdev the board device: MMIO window and interrupt line.
 * @return 0 or a negative errno.
 */
static int virtio_mmio_probe(struct platform_device *pdev)
{
	struct virtio_mmio_device *vm_dev;
	struct resource *mem;
	u32 magic;
	int rc;

	mem = platform_get_resource(pdev, IORESOURCE_MEM, 0);
	if (!mem)
		return -EINVAL;
	vm_dev = kzalloc(sizeof(*vm_dev), GFP_KERNEL);
	if (!vm_dev)
		return -ENOMEM;
	vm_dev->vdev.dev.parent = &pdev->dev;
	vm_dev->vdev.config = &virtio_mmio_config_ops;
	vm_dev->pdev = pdev;
	snprintf(vm_dev->bus_name, sizeof(vm_dev->bus_name), "%s",
		 dev_name(&pdev->dev));
	vm_dev->base = ioremap(mem->start, resource_size(mem));
	if (!vm_dev->base) {
		rc = -EFAULT;
		goto err;
	}

	/* §4.2.3.1: MagicValue must read "virt" */
	magic = readl(vm_dev->base + VIRTIO_MMIO_MAGIC_VALUE);
	if (magic != ('v' | 'i' << 8 | 'r' << 16 | (u32)'t' << 24)) {
		dev_warn(&pdev->dev, "wrong magic value 0x%08x\n", magic);
		rc = -ENODEV;
		goto err;
	}
	/* Version 2 is the modern layout; 1 is legacy, not supported here */
	vm_dev->version = readl(vm_dev->base + VIRTIO_MMIO_VERSION);
	if (vm_dev->version != 2) {
		dev_err(&pdev->dev, "version %lu not supported (only 2)\n",
			vm_dev->version);
		rc = -ENXIO;
		goto err;
	}
	/* Device ID 0 is a placeholder window with no device behind it */
	vm_dev->vdev.id.device = readl(vm_dev->base + VIRTIO_MMIO_DEVICE_ID);
	if (vm_dev->vdev.id.device == 0) {
		rc = -ENODEV;
		goto err;
	}
	vm_dev->vdev.id.vendor = readl(vm_dev->base + VIRTIO_MMIO_VENDOR_ID);

	platform_set_drvdata(pdev, vm_dev);
	rc = register_virtio_device(&vm_dev->vdev);
	if (rc)
		goto err;
	return 0;
err:
	if (vm_dev->base)
		iounmap(vm_dev->base);
	kfree(vm_dev);
	return rc;
}

/**
 * virtio_mmio_remove() - the window goes away: unregister its device.
 * @param pdev the board device.
 * @return 0.
 */
static int virtio_mmio_remove(struct platform_device *pdev)
{
	struct virtio_mmio_device *vm_dev = platform_get_drvdata(pdev);

	unregister_virtio_device(&vm_dev->vdev);
	iounmap(vm_dev->base);
	kfree(vm_dev);
	return 0;
}

/** The virtio-mmio platform driver. */
static struct platform_driver virtio_mmio_driver = {
	.probe = virtio_mmio_probe,
	.remove = virtio_mmio_remove,
	.driver = {
		.name = "virtio-mmio",
	},
};

int virtio_mmio_init(void)
{
	return platform_driver_register(&virtio_mmio_driver);
}

void virtio_mmio_exit(void)
{
	platform_driver_unregister(&virtio_mmio_driver);
}
