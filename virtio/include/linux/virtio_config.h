/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief The transport interface (struct virtio_config_ops) and the helpers
 * drivers use on top of it: feature tests, queue lookup, device readiness
 * and configuration-space accessors.
 *
 * Status bits and feature numbers come from the UAPI header of the same
 * name, included below (virtio 1.2 §2.1, §6).
 */
#ifndef _VLAB_LINUX_VIRTIO_CONFIG_H
#define _VLAB_LINUX_VIRTIO_CONFIG_H

#include <linux/err.h>
#include <linux/bug.h>
#include <linux/virtio.h>
#include <linux/virtio_byteorder.h>
#include <linux/compiler_types.h>
#include_next <linux/virtio_config.h>

struct irq_affinity;

/** A queue's used-buffer callback. */
typedef void vq_callback_t(struct virtqueue *);

/**
 * What a transport (virtio-mmio here, virtio-pci on a PC) does for the
 * virtio core. Each operation maps onto registers of virtio 1.2 §4.2.2.
 */
struct virtio_config_ops {
	/** read @c len bytes of device configuration at @c offset */
	void (*get)(struct virtio_device *vdev, unsigned int offset,
		    void *buf, unsigned int len);
	/** write @c len bytes of device configuration at @c offset */
	void (*set)(struct virtio_device *vdev, unsigned int offset,
		    const void *buf, unsigned int len);
	/** configuration generation counter (virtio 1.2 §2.5) */
	u32 (*generation)(struct virtio_device *vdev);
	/** read the device status byte */
	u8 (*get_status)(struct virtio_device *vdev);
	/** write the device status byte (never 0: use reset) */
	void (*set_status)(struct virtio_device *vdev, u8 status);
	/** reset the device and wait until it reads back 0 */
	void (*reset)(struct virtio_device *vdev);
	/** create and enable @c nvqs queues */
	int (*find_vqs)(struct virtio_device *vdev, unsigned int nvqs,
			struct virtqueue *vqs[], vq_callback_t *callbacks[],
			const char * const names[], const bool *ctx,
			struct irq_affinity *desc);
	/** disable and free every queue */
	void (*del_vqs)(struct virtio_device *vdev);
	/** wait until running callbacks have returned */
	void (*synchronize_cbs)(struct virtio_device *vdev);
	/** the device's 64 feature bits */
	u64 (*get_features)(struct virtio_device *vdev);
	/** write vdev->features to the device */
	int (*finalize_features)(struct virtio_device *vdev);
	/** name of the bus instance, for logs */
	const char *(*bus_name)(struct virtio_device *vdev);
};

/**
 * virtio_check_driver_offered_feature() - BUG when a driver tests a device
 * feature it never listed in its feature_table: it could never be set.
 * @param vdev the device.
 * @param fbit the feature bit.
 */
void virtio_check_driver_offered_feature(const struct virtio_device *vdev,
					 unsigned int fbit);

/**
 * __virtio_test_bit() - test a negotiated feature bit, without checks.
 * @param vdev the device.
 * @param fbit bit number below 64.
 * @return true when negotiated.
 */
static inline bool __virtio_test_bit(const struct virtio_device *vdev,
				     unsigned int fbit)
{
	BUG_ON(fbit >= 64);
	return vdev->features & BIT_ULL(fbit);
}

/**
 * __virtio_set_bit() - set a feature bit before it is written to the device.
 * @param vdev the device.
 * @param fbit bit number below 64.
 */
static inline void __virtio_set_bit(struct virtio_device *vdev,
				    unsigned int fbit)
{
	BUG_ON(fbit >= 64);
	vdev->features |= BIT_ULL(fbit);
}

/**
 * __virtio_clear_bit() - clear a feature bit (validate() or the ring code).
 * @param vdev the device.
 * @param fbit bit number below 64.
 */
static inline void __virtio_clear_bit(struct virtio_device *vdev,
				      unsigned int fbit)
{
	BUG_ON(fbit >= 64);
	vdev->features &= ~BIT_ULL(fbit);
}

/**
 * virtio_has_feature() - tell whether a feature was negotiated.
 * @param vdev the device.
 * @param fbit the feature bit (device-specific bits must be in the
 *	driver's feature_table).
 * @return true when both sides agreed on it.
 */
static inline bool virtio_has_feature(const struct virtio_device *vdev,
				      unsigned int fbit)
{
	if (fbit < VIRTIO_TRANSPORT_F_START)
		virtio_check_driver_offered_feature(vdev, fbit);
	return __virtio_test_bit(vdev, fbit);
}

/**
 * virtio_find_single_vq() - set up a device's only queue.
 * @param vdev the device.
 * @param c the queue's callback, or NULL for no callback.
 * @param n the queue's name.
 * @return the queue, or an ERR_PTR().
 */
static inline struct virtqueue *virtio_find_single_vq(struct virtio_device *vdev,
						      vq_callback_t *c,
						      const char *n)
{
	vq_callback_t *callbacks[] = { c };
	const char *names[] = { n };
	struct virtqueue *vq;
	int err = vdev->config->find_vqs(vdev, 1, &vq, callbacks, names, NULL,
					 NULL);

	if (err < 0)
		return ERR_PTR(err);
	return vq;
}

/**
 * virtio_find_vqs() - set up several queues, each with its callback.
 * @param vdev the device.
 * @param nvqs number of queues.
 * @param vqs receives the queues.
 * @param callbacks one callback (or NULL) per queue.
 * @param names one name per queue.
 * @param desc interrupt affinity (unused here).
 * @return 0 or a negative errno.
 */
static inline int virtio_find_vqs(struct virtio_device *vdev,
				  unsigned int nvqs, struct virtqueue *vqs[],
				  vq_callback_t *callbacks[],
				  const char * const names[],
				  struct irq_affinity *desc)
{
	return vdev->config->find_vqs(vdev, nvqs, vqs, callbacks, names, NULL,
				      desc);
}

/**
 * virtio_device_ready() - set DRIVER_OK: from now on the device may use the
 * queues and the driver may notify it (virtio 1.2 §3.1.1 step 8). Queues
 * must be set up and buffers may already be added before this.
 * @param dev the device.
 */
static inline void virtio_device_ready(struct virtio_device *dev)
{
	unsigned int status = dev->config->get_status(dev);

	WARN_ON(status & VIRTIO_CONFIG_S_DRIVER_OK);
	dev->config->set_status(dev, status | VIRTIO_CONFIG_S_DRIVER_OK);
}

/**
 * virtio_bus_name() - the name of the transport instance.
 * @param vdev the device.
 * @return e.g. "virtio-mmio.0".
 */
static inline const char *virtio_bus_name(struct virtio_device *vdev)
{
	if (!vdev->config->bus_name)
		return "virtio";
	return vdev->config->bus_name(vdev);
}

/**
 * virtio_is_little_endian() - byte order of this device's rings and config.
 * @param vdev the device.
 * @return true for every VIRTIO_F_VERSION_1 device.
 */
static inline bool virtio_is_little_endian(struct virtio_device *vdev)
{
	return virtio_has_feature(vdev, VIRTIO_F_VERSION_1) ||
		virtio_legacy_is_little_endian();
}

/**
 * virtio16_to_cpu() - read a 16-bit field this device wrote.
 * @param vdev the device.
 * @param val the field.
 * @return the value.
 */
static inline u16 virtio16_to_cpu(struct virtio_device *vdev, __virtio16 val)
{
	return __virtio16_to_cpu(virtio_is_little_endian(vdev), val);
}

/**
 * cpu_to_virtio16() - prepare a 16-bit field for this device.
 * @param vdev the device.
 * @param val the value.
 * @return the field.
 */
static inline __virtio16 cpu_to_virtio16(struct virtio_device *vdev, u16 val)
{
	return __cpu_to_virtio16(virtio_is_little_endian(vdev), val);
}

/**
 * virtio32_to_cpu() - read a 32-bit field this device wrote.
 * @param vdev the device.
 * @param val the field.
 * @return the value.
 */
static inline u32 virtio32_to_cpu(struct virtio_device *vdev, __virtio32 val)
{
	return __virtio32_to_cpu(virtio_is_little_endian(vdev), val);
}

/**
 * cpu_to_virtio32() - prepare a 32-bit field for this device.
 * @param vdev the device.
 * @param val the value.
 * @return the field.
 */
static inline __virtio32 cpu_to_virtio32(struct virtio_device *vdev, u32 val)
{
	return __cpu_to_virtio32(virtio_is_little_endian(vdev), val);
}

/**
 * virtio64_to_cpu() - read a 64-bit field this device wrote.
 * @param vdev the device.
 * @param val the field.
 * @return the value.
 */
static inline u64 virtio64_to_cpu(struct virtio_device *vdev, __virtio64 val)
{
	return __virtio64_to_cpu(virtio_is_little_endian(vdev), val);
}

/**
 * cpu_to_virtio64() - prepare a 64-bit field for this device.
 * @param vdev the device.
 * @param val the value.
 * @return the field.
 */
static inline __virtio64 cpu_to_virtio64(struct virtio_device *vdev, u64 val)
{
	return __cpu_to_virtio64(virtio_is_little_endian(vdev), val);
}

/**
 * Most passes __virtio_cread_many() makes before it gives up on a device
 * whose configuration generation never settles (RELIABILITY L2).
 */
#define VIRTIO_CONFIG_GEN_RETRIES 1000

/**
 * __virtio_cread_many() - read @p count fields of @p bytes each, again and
 * again until the generation counter is the same before and after, so the
 * fields belong together (virtio 1.2 §2.5.1).
 *
 * A deliberate difference from Linux, which loops for as long as the
 * generation changes: here the loop gives up after
 * VIRTIO_CONFIG_GEN_RETRIES passes, warns (naming RELIABILITY L2) and
 * returns the last read, so a hostile or broken device cannot hang the
 * probe that reads its configuration (`insmod vlab_blk` forever).
 * @param vdev the device.
 * @param offset offset in the configuration space.
 * @param buf receives count * bytes bytes.
 * @param count number of fields.
 * @param bytes size of each field.
 */
static inline void __virtio_cread_many(struct virtio_device *vdev,
				       unsigned int offset, void *buf,
				       size_t count, size_t bytes)
{
	u32 old, gen = vdev->config->generation ?
		vdev->config->generation(vdev) : 0;
	unsigned int passes = 0;
	size_t i;

	might_sleep();
	do {
		/* RELIABILITY L2: every wait bounded, a clear error after */
		if (passes++ == VIRTIO_CONFIG_GEN_RETRIES) {
			dev_warn(&vdev->dev,
				 "configuration generation did not settle after %u reads at offset %u; using the last (RELIABILITY L2, §2.5.1)\n",
				 VIRTIO_CONFIG_GEN_RETRIES, offset);
			break;
		}
		old = gen;
		for (i = 0; i < count; i++)
			vdev->config->get(vdev, offset + bytes * i,
					  (u8 *)buf + i * bytes, bytes);
		gen = vdev->config->generation ?
			vdev->config->generation(vdev) : 0;
	} while (gen != old);
}

/**
 * virtio_cread_bytes() - read a byte array of the configuration space
 * consistently.
 * @param vdev the device.
 * @param offset offset in the configuration space.
 * @param buf receives @p len bytes.
 * @param len byte count.
 */
static inline void virtio_cread_bytes(struct virtio_device *vdev,
				      unsigned int offset, void *buf,
				      size_t len)
{
	__virtio_cread_many(vdev, offset, buf, len, 1);
}

/**
 * virtio_cread8() - read one configuration byte.
 * @param vdev the device.
 * @param offset offset in the configuration space.
 * @return the byte.
 */
static inline u8 virtio_cread8(struct virtio_device *vdev, unsigned int offset)
{
	u8 ret;

	might_sleep();
	vdev->config->get(vdev, offset, &ret, sizeof(ret));
	return ret;
}

/**
 * virtio_cread16() - read one 16-bit configuration field.
 * @param vdev the device.
 * @param offset offset in the configuration space.
 * @return the value.
 */
static inline u16 virtio_cread16(struct virtio_device *vdev,
				 unsigned int offset)
{
	__virtio16 ret;

	might_sleep();
	vdev->config->get(vdev, offset, &ret, sizeof(ret));
	return virtio16_to_cpu(vdev, ret);
}

/**
 * virtio_cread32() - read one 32-bit configuration field.
 * @param vdev the device.
 * @param offset offset in the configuration space.
 * @return the value.
 */
static inline u32 virtio_cread32(struct virtio_device *vdev,
				 unsigned int offset)
{
	__virtio32 ret;

	might_sleep();
	vdev->config->get(vdev, offset, &ret, sizeof(ret));
	return virtio32_to_cpu(vdev, ret);
}

/**
 * virtio_cread64() - read one 64-bit configuration field; two 32-bit
 * accesses on MMIO, hence the generation loop.
 * @param vdev the device.
 * @param offset offset in the configuration space.
 * @return the value.
 */
static inline u64 virtio_cread64(struct virtio_device *vdev,
				 unsigned int offset)
{
	__virtio64 ret;

	__virtio_cread_many(vdev, offset, &ret, 1, sizeof(ret));
	return virtio64_to_cpu(vdev, ret);
}

/**
 * virtio_to_cpu() - convert a configuration field of any width from the
 * device's byte order (little-endian for a modern device, virtio 1.2 §2.5)
 * to the CPU's; the field's own type picks the conversion.
 */
#define virtio_to_cpu(vdev, x)						\
	_Generic((x),							\
		 __u8: (x),						\
		 __virtio16: virtio16_to_cpu((vdev), (x)),		\
		 __virtio32: virtio32_to_cpu((vdev), (x)),		\
		 __virtio64: virtio64_to_cpu((vdev), (x)))

/**
 * virtio_cread() - read one field of a device's configuration structure
 * by name, e.g. virtio_cread(vdev, struct virtio_blk_config, capacity,
 * &cap). Fields wider than 32 bits take two MMIO accesses, so they go
 * through the generation loop (virtio 1.2 §2.5.1); narrower ones are one
 * access and need none. May sleep.
 */
#define virtio_cread(vdev, structname, member, ptr)			\
	do {								\
		__typeof__(((structname *)0)->member) virtio_cread_v;	\
									\
		might_sleep();						\
		if (sizeof(virtio_cread_v) <= 4)			\
			(vdev)->config->get((vdev),			\
					    offsetof(structname, member), \
					    &virtio_cread_v,		\
					    sizeof(virtio_cread_v));	\
		else							\
			__virtio_cread_many((vdev),			\
					    offsetof(structname, member), \
					    &virtio_cread_v, 1,		\
					    sizeof(virtio_cread_v));	\
		*(ptr) = virtio_to_cpu((vdev), virtio_cread_v);		\
	} while (0)

/**
 * virtio_cread_feature() - virtio_cread() of a field that only exists
 * when the feature @p fbit was negotiated (virtio 1.2 §5: most optional
 * configuration fields are tied to one feature bit).
 * @return 0 after reading it, -ENOENT without the feature (the field is
 * left as it was, so a driver keeps its default).
 */
#define virtio_cread_feature(vdev, fbit, structname, member, ptr)	\
	({								\
		int virtio_cread_r = 0;					\
									\
		if (!virtio_has_feature((vdev), (fbit)))		\
			virtio_cread_r = -ENOENT;			\
		else							\
			virtio_cread((vdev), structname, member, ptr);	\
		virtio_cread_r;						\
	})

#endif /* _VLAB_LINUX_VIRTIO_CONFIG_H */
