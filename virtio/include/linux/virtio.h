/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Everything a virtio driver needs from the virtio core: devices,
 * drivers and the virtqueue API, with Linux 6.1 names and signatures.
 *
 * A driver never touches the rings itself. It hands buffers to
 * virtqueue_add_*() as scatterlists with a token, tells the device with
 * virtqueue_kick(), and gets each token back from virtqueue_get_buf() once
 * the device has used the buffer (virtio 1.2 §2.6 and §2.7).
 */
#ifndef _VLAB_LINUX_VIRTIO_H
#define _VLAB_LINUX_VIRTIO_H

#include <linux/types.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/device.h>
#include <linux/list.h>
#include <linux/mod_devicetable.h>
#include <linux/gfp.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>

/**
 * A queue of buffers shared with a device (virtio 1.2 §2.6). The transport
 * and the ring code own everything behind it; a driver reads these fields
 * and sets @c priv, nothing else.
 */
struct virtqueue {
	struct list_head list;	/**< on the device's list of queues */
	void (*callback)(struct virtqueue *vq);	/**< used-buffer notification */
	const char *name;	/**< e.g. "input", for logs and traces */
	struct virtio_device *vdev;	/**< the device it belongs to */
	unsigned int index;	/**< queue index at the transport */
	unsigned int num_free;	/**< descriptors not in use */
	unsigned int num_max;	/**< largest size the device allows */
	void *priv;		/**< the driver's pointer */
	bool reset;		/**< being reset on its own (unused here) */
};

/**
 * virtqueue_add_outbuf() - offer device-readable buffers.
 * @param vq the queue.
 * @param sg scatterlist of @p num entries (may chain).
 * @param num number of entries.
 * @param data token returned by virtqueue_get_buf(); must not be NULL.
 * @param gfp allocation context (GFP_ATOMIC under a spinlock).
 * @return 0; -ENOSPC when the ring is full; -EIO when the queue is
 * broken; -EFAULT when a buffer is not guest kernel memory.
 */
int virtqueue_add_outbuf(struct virtqueue *vq, struct scatterlist sg[],
			 unsigned int num, void *data, gfp_t gfp);

/**
 * virtqueue_add_inbuf() - offer device-writable buffers.
 * @param vq the queue.
 * @param sg scatterlist of @p num entries.
 * @param num number of entries.
 * @param data token returned by virtqueue_get_buf(); must not be NULL.
 * @param gfp allocation context.
 * @return as virtqueue_add_outbuf().
 */
int virtqueue_add_inbuf(struct virtqueue *vq, struct scatterlist sg[],
			unsigned int num, void *data, gfp_t gfp);

/**
 * virtqueue_add_inbuf_ctx() - offer device-writable buffers with a context.
 * @param vq the queue.
 * @param sg scatterlist of @p num entries.
 * @param num number of entries.
 * @param data token returned by virtqueue_get_buf_ctx().
 * @param ctx extra pointer returned with it (queue created with ctx).
 * @param gfp allocation context.
 * @return as virtqueue_add_outbuf().
 */
int virtqueue_add_inbuf_ctx(struct virtqueue *vq, struct scatterlist sg[],
			    unsigned int num, void *data, void *ctx,
			    gfp_t gfp);

/**
 * virtqueue_add_sgs() - offer one request of readable then writable parts.
 * @param vq the queue.
 * @param sgs array of scatterlists: first @p out_sgs device-readable,
 *	then @p in_sgs device-writable (virtio 1.2 §2.7.4.2 orders them so).
 * @param out_sgs number of readable scatterlists.
 * @param in_sgs number of writable scatterlists.
 * @param data token returned by virtqueue_get_buf(); must not be NULL.
 * @param gfp allocation context.
 * @return as virtqueue_add_outbuf().
 */
int virtqueue_add_sgs(struct virtqueue *vq, struct scatterlist *sgs[],
		      unsigned int out_sgs, unsigned int in_sgs, void *data,
		      gfp_t gfp);

/**
 * virtqueue_kick() - tell the device about new buffers, if it wants to know.
 * @param vq the queue.
 * @return false when the notification failed (the queue is broken).
 */
bool virtqueue_kick(struct virtqueue *vq);

/**
 * virtqueue_kick_prepare() - decide whether the device needs a notification
 * (virtio 1.2 §2.7.10); the first half of virtqueue_kick(), which needs the
 * caller's lock, while virtqueue_notify() does not.
 * @param vq the queue.
 * @return true when virtqueue_notify() must be called.
 */
bool virtqueue_kick_prepare(struct virtqueue *vq);

/**
 * virtqueue_notify() - send the available-buffer notification.
 * @param vq the queue.
 * @return false when the transport failed (the queue is then broken).
 */
bool virtqueue_notify(struct virtqueue *vq);

/**
 * virtqueue_get_buf() - take back one buffer the device has used.
 * @param vq the queue.
 * @param len receives the bytes the device wrote (never more than the
 *	writable bytes that were posted).
 * @return the token given when the buffer was added, or NULL when none is
 * used yet or the queue is broken.
 */
void *virtqueue_get_buf(struct virtqueue *vq, unsigned int *len);

/**
 * virtqueue_get_buf_ctx() - virtqueue_get_buf() that also returns the ctx.
 * @param vq the queue.
 * @param len receives the bytes the device wrote.
 * @param ctx receives the ctx given at add time (may be NULL).
 * @return the token, or NULL.
 */
void *virtqueue_get_buf_ctx(struct virtqueue *vq, unsigned int *len,
			    void **ctx);

/**
 * virtqueue_disable_cb() - ask the device not to interrupt for this queue
 * (a hint: virtio 1.2 §2.7.7; a callback may still run).
 * @param vq the queue.
 */
void virtqueue_disable_cb(struct virtqueue *vq);

/**
 * virtqueue_enable_cb() - ask for interrupts again after disable_cb.
 * @param vq the queue.
 * @return false when buffers were used meanwhile: the caller must drain
 * them, since no interrupt may come for them.
 */
bool virtqueue_enable_cb(struct virtqueue *vq);

/**
 * virtqueue_enable_cb_prepare() - ask for interrupts and remember where the
 * used ring stood, for a later virtqueue_poll().
 * @param vq the queue.
 * @return an opaque position for virtqueue_poll().
 */
unsigned int virtqueue_enable_cb_prepare(struct virtqueue *vq);

/**
 * virtqueue_poll() - tell whether buffers were used since @p last_used_idx.
 * @param vq the queue.
 * @param last_used_idx what virtqueue_enable_cb_prepare() returned.
 * @return true when there is something to get.
 */
bool virtqueue_poll(struct virtqueue *vq, unsigned int last_used_idx);

/**
 * virtqueue_enable_cb_delayed() - enable callbacks, preferring to be told
 * late (after most pending buffers are used) when the device allows it.
 * @param vq the queue.
 * @return false when buffers are already pending.
 */
bool virtqueue_enable_cb_delayed(struct virtqueue *vq);

/**
 * virtqueue_detach_unused_buf() - take back a buffer the device never used.
 * Only valid once the device is reset (or before it is started).
 * @param vq the queue.
 * @return a token, or NULL when none is left.
 */
void *virtqueue_detach_unused_buf(struct virtqueue *vq);

/**
 * virtqueue_get_vring_size() - the queue size, in descriptors.
 * @param vq the queue.
 * @return the size the driver chose (at most the device's QueueNumMax).
 */
unsigned int virtqueue_get_vring_size(struct virtqueue *vq);

/**
 * virtqueue_is_broken() - tell whether the queue stopped after an error.
 * @param vq the queue.
 * @return true once the device misbehaved or the transport failed.
 */
bool virtqueue_is_broken(struct virtqueue *vq);

/**
 * virtqueue_get_desc_addr() - guest-physical address of the descriptor
 * area, for the transport to tell the device (virtio 1.2 §2.6).
 * @param vq the queue.
 * @return the address.
 */
dma_addr_t virtqueue_get_desc_addr(struct virtqueue *vq);

/**
 * virtqueue_get_avail_addr() - guest-physical address of the driver area.
 * @param vq the queue.
 * @return the address.
 */
dma_addr_t virtqueue_get_avail_addr(struct virtqueue *vq);

/**
 * virtqueue_get_used_addr() - guest-physical address of the device area.
 * @param vq the queue.
 * @return the address.
 */
dma_addr_t virtqueue_get_used_addr(struct virtqueue *vq);

struct virtio_config_ops;

/** A virtio device as the virtio core and its driver see it. */
struct virtio_device {
	int index;		/**< N of the name "virtioN" */
	bool failed;		/**< probe failed: FAILED was set */
	bool config_enabled;	/**< config_changed may be called */
	bool config_change_pending; /**< a change came while disabled */
	spinlock_t config_lock;	/**< protects the two flags above */
	spinlock_t vqs_list_lock; /**< protects @c vqs */
	struct device dev;	/**< the generic device */
	struct virtio_device_id id; /**< device and vendor ID */
	const struct virtio_config_ops *config; /**< the transport */
	struct list_head vqs;	/**< its virtqueues */
	u64 features;		/**< negotiated feature bits */
	void *priv;		/**< the driver's pointer */
};

/**
 * dev_to_virtio() - the virtio device that embeds a generic device.
 * @param _dev the generic device.
 * @return the virtio device.
 */
static inline struct virtio_device *dev_to_virtio(struct device *_dev)
{
	return container_of(_dev, struct virtio_device, dev);
}

/**
 * virtio_add_status() - set more bits in the device status (virtio 1.2
 * §2.1), keeping the ones already set.
 * @param dev the device.
 * @param status VIRTIO_CONFIG_S_* bits to add.
 */
void virtio_add_status(struct virtio_device *dev, unsigned int status);

/**
 * register_virtio_device() - add a device a transport found: reset it,
 * acknowledge it and bind a matching driver (virtio 1.2 §3.1.1 steps 1-2).
 * @param dev the device, with @c config and @c id filled in.
 * @return 0 or a negative errno.
 */
int register_virtio_device(struct virtio_device *dev);

/**
 * unregister_virtio_device() - unbind the driver and remove the device.
 * @param dev the device.
 */
void unregister_virtio_device(struct virtio_device *dev);

/**
 * virtio_break_device() - mark every queue of the device broken.
 * @param dev the device.
 */
void virtio_break_device(struct virtio_device *dev);

/**
 * virtio_config_changed() - deliver a configuration-change notification
 * to the driver (virtio 1.2 §2.5); the transport calls it.
 * @param dev the device.
 */
void virtio_config_changed(struct virtio_device *dev);

/**
 * virtio_reset_device() - reset the device (virtio 1.2 §2.4): it forgets
 * its queues and stops using guest memory; interrupts stop too.
 * @param dev the device.
 */
void virtio_reset_device(struct virtio_device *dev);

/** Visit every virtqueue @p vq of device @p vdev. */
#define virtio_device_for_each_vq(vdev, vq) \
	list_for_each_entry(vq, &(vdev)->vqs, list)

/** A virtio driver: what it binds to, what it wants, what it does. */
struct virtio_driver {
	struct device_driver driver;	/**< name and owner */
	const struct virtio_device_id *id_table; /**< devices it drives */
	const unsigned int *feature_table; /**< feature bits it knows */
	unsigned int feature_table_size; /**< entries in feature_table */
	const unsigned int *feature_table_legacy; /**< for legacy devices */
	unsigned int feature_table_size_legacy; /**< entries in the above */
	/** check features before FEATURES_OK; may clear some */
	int (*validate)(struct virtio_device *dev);
	/** bind: set up queues, then virtio_device_ready() */
	int (*probe)(struct virtio_device *dev);
	/** called after probe once DRIVER_OK is set */
	void (*scan)(struct virtio_device *dev);
	/** unbind: reset the device, reclaim buffers, delete queues */
	void (*remove)(struct virtio_device *dev);
	/** the device's configuration space changed */
	void (*config_changed)(struct virtio_device *dev);
};

/**
 * drv_to_virtio() - the virtio driver that embeds a generic driver.
 * @param drv the generic driver.
 * @return the virtio driver.
 */
static inline struct virtio_driver *drv_to_virtio(struct device_driver *drv)
{
	return container_of(drv, struct virtio_driver, driver);
}

/**
 * register_virtio_driver() - add a driver; it probes every matching device.
 * @param drv the driver.
 * @return 0 or a negative errno.
 */
int register_virtio_driver(struct virtio_driver *drv);

/**
 * unregister_virtio_driver() - remove a driver after unbinding its devices.
 * @param drv the driver.
 */
void unregister_virtio_driver(struct virtio_driver *drv);

/** A module whose only job is to register one virtio driver. */
#define module_virtio_driver(__virtio_driver) \
	module_driver(__virtio_driver, register_virtio_driver, \
			unregister_virtio_driver)

#endif /* _VLAB_LINUX_VIRTIO_H */
