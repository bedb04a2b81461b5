// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief A streaming driver shaped like virtio-net's transmit path, for
 * watching notification suppression work: /dev/vlab-streamN sends what a
 * program writes as a stream of small device-readable buffers.
 *
 * It binds to virtio-lab's loopback test device (device ID 0xfff0, not an
 * assigned virtio ID: no real hypervisor offers it), which takes any
 * buffer and returns it used. The pattern is the one of virtio-net's
 * start_xmit() and free_old_xmit_skbs():
 *
 * - each packet is copied into a buffer of its own and added as one
 *   readable descriptor, the buffer itself its token;
 * - after every add the driver asks virtqueue_kick_prepare() whether the
 *   device wants a notification (virtio 1.2 §2.7.13.4, §2.8.21.2): with
 *   VIRTIO_RING_F_EVENT_IDX the device says from which index on
 *   (avail_event, §2.7.10), without it only "never" or "always"
 *   (VIRTQ_USED_F_NO_NOTIFY); where the device thread sleeps between
 *   bursts (`vlab run stream --schedule free`) the counts of kicks and
 *   interrupts per buffer differ by more than ten times;
 * - buffers the device has used are taken back before each add, with no
 *   interrupt needed: the transmit callback stays off;
 * - when an add takes the last free descriptor the queue stops: the
 *   writer arms the callback with virtqueue_enable_cb_delayed() (an
 *   interrupt after about 3/4 of the outstanding buffers, §2.7.10) and
 *   sleeps before its next add until it comes, so an add never meets a
 *   full ring.
 *
 * The same file builds as a kernel module; it has nothing to bind to in a
 * QEMU guest.
 */
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/wait.h>

/** virtio-lab's loopback test device (sim/loopback.h). */
#define VLAB_STREAM_DEVICE_ID 0xfff0
/** Bytes per packet: one small buffer each, as small frames are. */
#define VLAB_STREAM_PKT 64
/** Room for "vlab-stream" and a device number. */
#define VLAB_STREAM_NAME_LEN 24

/** Numbers the N of /dev/vlab-streamN, one per bound device. */
static DEFINE_IDA(vlab_stream_ida);

/** One bound loopback device used as a transmit queue. */
struct vlab_stream {
	struct virtio_device *vdev;	/**< the device */
	struct virtqueue *vq;		/**< its first queue, "tx" */
	struct miscdevice misc;		/**< /dev/vlab-streamN */
	int index;			/**< N, from vlab_stream_ida */
	char name[VLAB_STREAM_NAME_LEN]; /**< "vlab-streamN" */
	struct mutex lock;		/**< one writer at a time */
	spinlock_t vq_lock;		/**< the queue: writer and callback */
	wait_queue_head_t room;		/**< the callback found used buffers */
	bool woken;			/**< set by the callback, under vq_lock */
	bool stopped;			/**< ring full: wait before the next add */
	struct kref ref;		/**< remove() plus each open file */
	bool removed;			/**< remove() ran: fail new writes */
};

/**
 * vlab_stream_release_state() - free the state once its last owner is
 * gone.
 * @param ref the reference count inside struct vlab_stream.
 */
static void vlab_stream_release_state(struct kref *ref)
{
	kfree(container_of(ref, struct vlab_stream, ref));
}

/**
 * vlab_stream_reclaim() - take back every buffer the device has used and
 * free it (virtio-net's free_old_xmit_skbs()).
 * @param vs the driver state (vs->vq_lock held).
 */
static void vlab_stream_reclaim(struct vlab_stream *vs)
{
	unsigned int len;
	void *pkt;

	/* virtio 1.2 §2.7.14: each used element names a buffer of ours */
	while ((pkt = virtqueue_get_buf(vs->vq, &len)))
		kfree(pkt);
}

/**
 * vlab_stream_tx_done() - used-buffer callback (interrupt context): the
 * ring had filled and the writer sleeps; turn the callback off again and
 * wake it. Must not sleep.
 * @param vq the transmit queue.
 */
static void vlab_stream_tx_done(struct virtqueue *vq)
{
	struct vlab_stream *vs = vq->vdev->priv;
	unsigned long flags;

	spin_lock_irqsave(&vs->vq_lock, flags);
	virtqueue_disable_cb(vq);
	vs->woken = true;
	spin_unlock_irqrestore(&vs->vq_lock, flags);
	wake_up(&vs->room);
}

/**
 * vlab_stream_wait_room() - the queue was stopped when the ring filled:
 * sleep until the callback says buffers came back.
 * @param vs the driver state (vs->lock held).
 * @return 0, -ERESTARTSYS when the writer is killed, -ENODEV after
 * remove().
 */
static int vlab_stream_wait_room(struct vlab_stream *vs)
{
	if (wait_event_killable(vs->room, READ_ONCE(vs->woken) ||
				READ_ONCE(vs->removed)))
		return -ERESTARTSYS;
	if (READ_ONCE(vs->removed))
		return -ENODEV;
	vs->stopped = false;
	return 0;
}

/**
 * vlab_stream_send() - queue one packet and notify the device if it
 * asked to be (virtio-net's start_xmit()); when that took the last free
 * descriptor, stop the queue until the device gives buffers back, so the
 * next add never meets a full ring.
 * @param vs the driver state (vs->lock held).
 * @param pkt the packet, kmalloc'd; the device owns it until get_buf.
 * @param len its length.
 * @return 0 when queued; a negative errno when not (the packet is freed
 * then).
 */
static int vlab_stream_send(struct vlab_stream *vs, void *pkt,
			    unsigned int len)
{
	struct scatterlist sg;
	bool notify;
	int err;

	if (vs->stopped) {
		err = vlab_stream_wait_room(vs);
		if (err) {
			kfree(pkt);
			return err;
		}
	}
	sg_init_one(&sg, pkt, len);
	spin_lock_irq(&vs->vq_lock);
	vlab_stream_reclaim(vs);
	err = virtqueue_add_outbuf(vs->vq, &sg, 1, pkt, GFP_ATOMIC);
	if (err) {
		spin_unlock_irq(&vs->vq_lock);
		/* the queue is stopped before it fills: this is a bug */
		dev_warn(&vs->vdev->dev, "vlab-stream: add failed: %d\n", err);
		kfree(pkt);
		return err;
	}
	/* virtio 1.2 §2.7.13.4, §2.8.21.2: does the device want a kick? */
	notify = virtqueue_kick_prepare(vs->vq);
	/*
	 * No room for the next packet: stop, and ask for an interrupt once
	 * about 3/4 of what is out has come back (§2.7.10). When buffers
	 * came back meanwhile, take them and go on.
	 */
	while (!vs->vq->num_free) {
		vs->woken = false;
		if (virtqueue_enable_cb_delayed(vs->vq)) {
			vs->stopped = true;
			break;
		}
		vlab_stream_reclaim(vs);
		if (vs->vq->num_free)
			virtqueue_disable_cb(vs->vq);
	}
	spin_unlock_irq(&vs->vq_lock);
	/* the notification is a VM exit: without the lock held */
	if (notify)
		virtqueue_notify(vs->vq);
	return 0;
}

/**
 * vlab_stream_write() - write() on /dev/vlab-streamN: the bytes go out as
 * packets of VLAB_STREAM_PKT bytes (the last one shorter).
 * @param file the open file (private_data is our miscdevice).
 * @param ubuf the program's bytes.
 * @param count byte count.
 * @param ppos file offset (unused: a stream).
 * @return bytes queued, or a negative errno when none were.
 */
static ssize_t vlab_stream_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	struct miscdevice *misc = file->private_data;
	struct vlab_stream *vs = container_of(misc, struct vlab_stream, misc);
	size_t done = 0, len;
	void *pkt;
	int err = 0;

	(void)ppos;
	if (mutex_lock_interruptible(&vs->lock))
		return -ERESTARTSYS;
	while (done < count && !err) {
		if (READ_ONCE(vs->removed)) {
			err = -ENODEV;
			break;
		}
		len = min_t(size_t, count - done, VLAB_STREAM_PKT);
		pkt = kmalloc(len, GFP_KERNEL);
		if (!pkt) {
			err = -ENOMEM;
			break;
		}
		if (copy_from_user(pkt, ubuf + done, len)) {
			kfree(pkt);
			err = -EFAULT;
			break;
		}
		err = vlab_stream_send(vs, pkt, len);
		if (!err)
			done += len;
	}
	mutex_unlock(&vs->lock);
	return done ? (ssize_t)done : err;
}

/**
 * vlab_stream_open() - open() on /dev/vlab-streamN: the file keeps the
 * state alive.
 * @param inode the device inode.
 * @param file the new open file.
 * @return 0.
 */
static int vlab_stream_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct vlab_stream *vs = container_of(misc, struct vlab_stream, misc);

	kref_get(&vs->ref);
	return nonseekable_open(inode, file);
}

/**
 * vlab_stream_release() - last close() of an open file.
 * @param inode the device inode.
 * @param file the open file.
 * @return 0.
 */
static int vlab_stream_release(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct vlab_stream *vs = container_of(misc, struct vlab_stream, misc);

	(void)inode;
	kref_put(&vs->ref, vlab_stream_release_state);
	return 0;
}

/** The system calls /dev/vlab-streamN answers. */
static const struct file_operations vlab_stream_fops = {
	.owner = THIS_MODULE,
	.write = vlab_stream_write,
	.open = vlab_stream_open,
	.release = vlab_stream_release,
};

/**
 * vlab_stream_probe() - bind to one loopback device.
 * @param vdev the device (features negotiated, virtio 1.2 §3.1.1 1-6).
 * @return 0 or a negative errno (the core then sets FAILED).
 */
static int vlab_stream_probe(struct virtio_device *vdev)
{
	struct vlab_stream *vs;
	int err;

	vs = kzalloc(sizeof(*vs), GFP_KERNEL);
	if (!vs)
		return -ENOMEM;
	vs->index = ida_alloc(&vlab_stream_ida, GFP_KERNEL);
	if (vs->index < 0) {
		err = vs->index;
		kfree(vs);
		return err;
	}
	snprintf(vs->name, sizeof(vs->name), "vlab-stream%d", vs->index);
	vs->vdev = vdev;
	vdev->priv = vs;
	mutex_init(&vs->lock);
	spin_lock_init(&vs->vq_lock);
	init_waitqueue_head(&vs->room);
	kref_init(&vs->ref);

	/* virtio 1.2 §3.1.1 step 7: the transmit queue */
	vs->vq = virtio_find_single_vq(vdev, vlab_stream_tx_done, "tx");
	if (IS_ERR(vs->vq)) {
		err = PTR_ERR(vs->vq);
		goto err_free;
	}
	/* transmit completions are reaped by the writer: no interrupts */
	virtqueue_disable_cb(vs->vq);

	/* virtio 1.2 §3.1.1 step 8: the device is live */
	virtio_device_ready(vdev);

	vs->misc.minor = MISC_DYNAMIC_MINOR;
	vs->misc.name = vs->name;
	vs->misc.fops = &vlab_stream_fops;
	vs->misc.parent = &vdev->dev;
	err = misc_register(&vs->misc);
	if (err)
		goto err_reset;
	return 0;

err_reset:
	virtio_reset_device(vdev);
	vdev->config->del_vqs(vdev);
err_free:
	vdev->priv = NULL;
	ida_free(&vlab_stream_ida, vs->index);
	kfree(vs);
	return err;
}

/**
 * vlab_stream_remove() - unbind: wake a waiting writer, stop the device,
 * free every buffer not taken back, free the queue.
 * @param vdev the device.
 */
static void vlab_stream_remove(struct virtio_device *vdev)
{
	struct vlab_stream *vs = vdev->priv;
	void *pkt;

	misc_deregister(&vs->misc);
	ida_free(&vlab_stream_ida, vs->index);
	WRITE_ONCE(vs->removed, true);
	wake_up(&vs->room);
	mutex_lock(&vs->lock);
	mutex_unlock(&vs->lock);

	/*
	 * virtio 1.2 §2.4: after reset the device no longer touches memory;
	 * every buffer not taken back yet, used or not, is ours to free.
	 */
	virtio_reset_device(vdev);
	while ((pkt = virtqueue_detach_unused_buf(vs->vq)))
		kfree(pkt);
	vdev->config->del_vqs(vdev);
	vdev->priv = NULL;
	kref_put(&vs->ref, vlab_stream_release_state);
}

/** The device this driver binds to: virtio-lab's loopback device. */
static const struct virtio_device_id vlab_stream_id_table[] = {
	{ VLAB_STREAM_DEVICE_ID, VIRTIO_DEV_ANY_ID },
	{ 0 },
};

/** The loopback device has no feature bits of its own. */
static struct virtio_driver vlab_stream_driver = {
	.driver.name = KBUILD_MODNAME,
	.driver.owner = THIS_MODULE,
	.id_table = vlab_stream_id_table,
	.probe = vlab_stream_probe,
	.remove = vlab_stream_remove,
};

module_virtio_driver(vlab_stream_driver);
MODULE_DEVICE_TABLE(virtio, vlab_stream_id_table);
MODULE_DESCRIPTION("virtio-lab streaming driver: /dev/vlab-streamN");
MODULE_LICENSE("GPL");
