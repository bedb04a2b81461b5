/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief What transports use of the ring code: create a virtqueue, split
 * (virtio 1.2 §2.7) or packed (§2.8), feed it interrupts, destroy it. The
 * wire layouts of both come from the UAPI header of the same name.
 */
#ifndef _VLAB_LINUX_VIRTIO_RING_H
#define _VLAB_LINUX_VIRTIO_RING_H

#include <asm/barrier.h>
#include <linux/interrupt.h>
#include <linux/virtio.h>
#include_next <linux/virtio_ring.h>

/**
 * virtio_mb() - full barrier between ring accesses and a device.
 * @param weak_barriers true when the device is another CPU (always here).
 */
static inline void virtio_mb(bool weak_barriers)
{
	(void)weak_barriers;
	smp_mb();
}

/**
 * virtio_rmb() - order earlier ring loads before later ones.
 * @param weak_barriers true when the device is another CPU.
 */
static inline void virtio_rmb(bool weak_barriers)
{
	(void)weak_barriers;
	smp_rmb();
}

/**
 * virtio_wmb() - order earlier ring stores before later ones.
 * @param weak_barriers true when the device is another CPU.
 */
static inline void virtio_wmb(bool weak_barriers)
{
	(void)weak_barriers;
	smp_wmb();
}

/**
 * vring_create_virtqueue() - allocate and initialise a virtqueue: packed
 * when VIRTIO_F_RING_PACKED was negotiated, split otherwise.
 * @param index queue index at the transport.
 * @param num queue size: a power of two for a split ring (virtio 1.2
 *	§2.7), any size up to 32768 for a packed ring (§2.8).
 * @param vring_align alignment of the split rings (a legacy layout
 *	constraint; honoured for the device area).
 * @param vdev the device.
 * @param weak_barriers true: CPU barriers suffice (no real DMA engine).
 * @param may_reduce_num try smaller sizes when memory is short (split).
 * @param ctx buffers carry a ctx pointer as well as a token.
 * @param notify sends the available-buffer notification.
 * @param callback the driver's used-buffer callback (may be NULL).
 * @param name the queue's name.
 * @return the queue, or NULL.
 */
struct virtqueue *vring_create_virtqueue(unsigned int index, unsigned int num,
					 unsigned int vring_align,
					 struct virtio_device *vdev,
					 bool weak_barriers,
					 bool may_reduce_num, bool ctx,
					 bool (*notify)(struct virtqueue *vq),
					 void (*callback)(struct virtqueue *vq),
					 const char *name);

/**
 * vring_del_virtqueue() - free a queue and its rings.
 * @param vq the queue; the device must no longer use it (reset first).
 */
void vring_del_virtqueue(struct virtqueue *vq);

/**
 * vring_transport_features() - keep only the transport feature bits the
 * ring code implements, so none is accepted that cannot be honoured.
 * @param vdev the device whose @c features are being negotiated.
 */
void vring_transport_features(struct virtio_device *vdev);

/**
 * vring_interrupt() - the used-buffer notification of one queue: run its
 * callback when the device has used buffers (virtio 1.2 §2.7.14,
 * §2.8.22).
 * @param irq the interrupt line.
 * @param _vq the queue.
 * @return IRQ_HANDLED when the callback ran, else IRQ_NONE.
 */
irqreturn_t vring_interrupt(int irq, void *_vq);

#endif /* _VLAB_LINUX_VIRTIO_RING_H */
