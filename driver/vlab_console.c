// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief virtio console driver (virtio 1.2 §5.3), one port: the console
 * as the file /dev/vlab-consoleN, one node per device.
 *
 * Two queues, one per direction. The host may send bytes at any time, so
 * the driver keeps receive buffers posted on receiveq0 before anyone
 * reads: the used-buffer callback moves each filled buffer to a list and
 * posts every free buffer again, and read() copies from the list, sleeping
 * until something is there. Transmit buffers are the other way round:
 * write() fills one per chunk and posts it on transmitq0, and the
 * callback frees the buffers the device has consumed.
 *
 * This is the shape of Linux's virtio_console without MULTIPORT: no
 * control queue, no port discovery, port 0 only. The same file builds as
 * a Linux kernel module and, against virtio/include, inside the
 * simulator.
 */
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>
#include <linux/wait.h>

/** Bytes in one receive or transmit buffer. */
#define VLAB_CONSOLE_BUF 256
/** Receive buffers the driver keeps (at most the queue size are posted). */
#define VLAB_CONSOLE_RX_BUFS 16

/** Room for "vlab-console" and a device number. */
#define VLAB_CONSOLE_NAME_LEN 24

/** Numbers the N of /dev/vlab-consoleN, one per bound device. */
static DEFINE_IDA(vlab_console_ida);

/** One buffer; kmalloc'd, so the device can reach it. */
struct vlab_console_buf {
	struct list_head list;		/**< on rx_ready or rx_free */
	unsigned int len;		/**< bytes the device wrote (receive) */
	unsigned int off;		/**< bytes read() took so far */
	u8 data[VLAB_CONSOLE_BUF];	/**< the bytes */
};

/** One bound console device. */
struct vlab_console {
	struct virtio_device *vdev;	/**< the device */
	struct virtqueue *rx_vq;	/**< receiveq0: host to guest */
	struct virtqueue *tx_vq;	/**< transmitq0: guest to host */
	struct miscdevice misc;		/**< /dev/vlab-consoleN */
	int index;			/**< N, from vlab_console_ida */
	char name[VLAB_CONSOLE_NAME_LEN]; /**< "vlab-consoleN" */
	struct mutex read_lock;		/**< one reader at a time */
	struct mutex write_lock;	/**< one writer at a time */
	spinlock_t lock;		/**< both queues, lists, flags */
	wait_queue_head_t readq;	/**< input arrived, or remove() ran */
	wait_queue_head_t writeq;	/**< transmit room, or remove() ran */
	struct list_head rx_ready;	/**< filled buffers, oldest first */
	struct list_head rx_free;	/**< buffers waiting to be posted */
	unsigned int tx_inflight;	/**< transmit buffers with the device */
	unsigned int tx_size;		/**< transmitq0's size */
	struct kref ref;		/**< remove() plus each open file */
	bool removed;			/**< remove() ran: fail new calls */
	bool size_stale;		/**< config changed: re-read size */
	u16 cols;			/**< columns (VIRTIO_CONSOLE_F_SIZE) */
	u16 rows;			/**< rows, with VIRTIO_CONSOLE_F_SIZE */
};

/**
 * vlab_console_release_state() - free the state once its last owner is
 * gone (the buffers were freed by remove()).
 * @param ref the reference count inside struct vlab_console.
 */
static void vlab_console_release_state(struct kref *ref)
{
	kfree(container_of(ref, struct vlab_console, ref));
}

/* book: [console_fill_rx] */
/**
 * vlab_console_fill_rx() - post every free receive buffer (vc->lock held).
 * @param vc the driver state.
 *
 * Called from the callback as well as from read(): the device can only
 * send what fits in posted buffers, so they go back as soon as they are
 * free (virtio 1.2 §5.3.6.1).
 */
static void vlab_console_fill_rx(struct vlab_console *vc)
{
	struct vlab_console_buf *buf, *tmp;
	struct scatterlist sg;
	bool added = false;

	list_for_each_entry_safe(buf, tmp, &vc->rx_free, list) {
		sg_init_one(&sg, buf->data, sizeof(buf->data));
		/* one device-writable buffer; the buffer is its own token */
		if (virtqueue_add_inbuf(vc->rx_vq, &sg, 1, buf, GFP_ATOMIC) < 0)
			break;
		list_del(&buf->list);
		added = true;
	}
	/* virtio 1.2 §2.7.13.4: notify unless the device opted out */
	if (added)
		virtqueue_kick(vc->rx_vq);
}
/* book: [console_fill_rx] */

/**
 * vlab_console_rx_done() - receive callback (interrupt context): queue
 * the filled buffers for read(), post the free ones again, wake readers.
 * @param vq receiveq0.
 */
static void vlab_console_rx_done(struct virtqueue *vq)
{
	struct vlab_console *vc = vq->vdev->priv;
	struct vlab_console_buf *buf;
	unsigned long flags;
	unsigned int len;

	spin_lock_irqsave(&vc->lock, flags);
	/* virtio 1.2 §2.7.14: each used element names a buffer and a length */
	while ((buf = virtqueue_get_buf(vq, &len))) {
		buf->len = min_t(unsigned int, len, sizeof(buf->data));
		buf->off = 0;
		list_add_tail(&buf->list, buf->len ? &vc->rx_ready :
			      &vc->rx_free);
	}
	vlab_console_fill_rx(vc);
	spin_unlock_irqrestore(&vc->lock, flags);
	wake_up_interruptible(&vc->readq);
}

/* book: [console_tx_done] */
/**
 * vlab_console_tx_done() - transmit callback (interrupt context): the
 * device has consumed these buffers; free them and wake a writer that
 * waits for room.
 * @param vq transmitq0.
 */
static void vlab_console_tx_done(struct virtqueue *vq)
{
	struct vlab_console *vc = vq->vdev->priv;
	struct vlab_console_buf *buf;
	unsigned long flags;
	unsigned int len;

	spin_lock_irqsave(&vc->lock, flags);
	while ((buf = virtqueue_get_buf(vq, &len))) {
		kfree(buf);
		vc->tx_inflight--;
	}
	spin_unlock_irqrestore(&vc->lock, flags);
	wake_up_interruptible(&vc->writeq);
}
/* book: [console_tx_done] */

/**
 * vlab_console_config_changed() - the device changed its configuration
 * (interrupt context). Reading it may sleep, so the next read() or
 * write() reads the size again.
 * @param vdev the device.
 */
static void vlab_console_config_changed(struct virtio_device *vdev)
{
	struct vlab_console *vc = vdev->priv;
	unsigned long flags;

	spin_lock_irqsave(&vc->lock, flags);
	vc->size_stale = true;
	spin_unlock_irqrestore(&vc->lock, flags);
}

/**
 * vlab_console_read_size() - read cols and rows when the device offers
 * them (virtio 1.2 §5.3.4), and say when they changed.
 * @param vc the driver state.
 */
static void vlab_console_read_size(struct vlab_console *vc)
{
	u16 cols, rows;

	spin_lock_irq(&vc->lock);
	vc->size_stale = false;
	spin_unlock_irq(&vc->lock);
	if (virtio_cread_feature(vc->vdev, VIRTIO_CONSOLE_F_SIZE,
				 struct virtio_console_config, cols, &cols))
		return;
	virtio_cread(vc->vdev, struct virtio_console_config, rows, &rows);
	if (cols != vc->cols || rows != vc->rows)
		dev_info(&vc->vdev->dev, "vlab-console: size %ux%u\n", cols,
			 rows);
	vc->cols = cols;
	vc->rows = rows;
}

/**
 * vlab_console_enter() - start of read() and write(): refuse after
 * remove(), pick up a size change.
 * @param vc the driver state (one of its mutexes held).
 * @return 0 or -ENODEV.
 */
static int vlab_console_enter(struct vlab_console *vc)
{
	bool removed, stale;

	spin_lock_irq(&vc->lock);
	removed = vc->removed;
	stale = vc->size_stale;
	spin_unlock_irq(&vc->lock);
	if (removed)
		return -ENODEV;
	if (stale)
		vlab_console_read_size(vc);
	return 0;
}

/**
 * vlab_console_readable() - the condition read() sleeps on.
 * @param vc the driver state.
 * @return true when input is queued or the device is gone.
 */
static bool vlab_console_readable(struct vlab_console *vc)
{
	bool ret;

	spin_lock_irq(&vc->lock);
	ret = !list_empty(&vc->rx_ready) || vc->removed;
	spin_unlock_irq(&vc->lock);
	return ret;
}

/**
 * vlab_console_read() - read() on /dev/vlab-consoleN: sleep until the host
 * has sent something, then return what is there (up to @p count).
 * @param file the open file (private_data is our miscdevice).
 * @param ubuf the program's buffer.
 * @param count bytes wanted.
 * @param ppos file offset (unused: a stream).
 * @return bytes copied, or a negative errno.
 */
static ssize_t vlab_console_read(struct file *file, char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	struct miscdevice *misc = file->private_data;
	struct vlab_console *vc = container_of(misc, struct vlab_console,
					       misc);
	struct vlab_console_buf *buf;
	size_t done = 0, n;
	int err;

	(void)ppos;
	if (!count)
		return 0;
	if (mutex_lock_interruptible(&vc->read_lock))
		return -ERESTARTSYS;
	err = vlab_console_enter(vc);
	if (!err)
		err = wait_event_interruptible(vc->readq,
					       vlab_console_readable(vc));
	while (!err && done < count) {
		/* take the oldest buffer off the list: copying may sleep */
		spin_lock_irq(&vc->lock);
		buf = NULL;
		if (!vc->removed && !list_empty(&vc->rx_ready)) {
			buf = list_first_entry(&vc->rx_ready,
					       struct vlab_console_buf, list);
			list_del(&buf->list);
		}
		spin_unlock_irq(&vc->lock);
		if (!buf)
			break;
		n = min_t(size_t, count - done, buf->len - buf->off);
		if (copy_to_user(ubuf + done, buf->data + buf->off, n))
			err = -EFAULT;
		else
			buf->off += n;
		done += err ? 0 : n;

		spin_lock_irq(&vc->lock);
		if (buf->off < buf->len) {
			/* bytes left: it stays first (one reader at a time) */
			list_add(&buf->list, &vc->rx_ready);
		} else {
			list_add_tail(&buf->list, &vc->rx_free);
			vlab_console_fill_rx(vc);
		}
		spin_unlock_irq(&vc->lock);
	}
	if (!err && !done)
		err = -ENODEV;	/* woken because remove() ran */
	mutex_unlock(&vc->read_lock);
	return done ? (ssize_t)done : err;
}

/**
 * vlab_console_tx_room() - the condition write() sleeps on.
 * @param vc the driver state.
 * @return true when transmitq0 has room or the device is gone.
 */
static bool vlab_console_tx_room(struct vlab_console *vc)
{
	bool ret;

	spin_lock_irq(&vc->lock);
	ret = vc->tx_inflight < vc->tx_size || vc->removed;
	spin_unlock_irq(&vc->lock);
	return ret;
}

/**
 * vlab_console_send() - post one transmit buffer.
 * @param vc the driver state (write_lock held).
 * @param buf the filled buffer; the device owns it once this returns 0.
 * @param len its bytes.
 * @return 0, -ENOSPC when transmitq0 is full, -ENODEV after remove().
 */
static int vlab_console_send(struct vlab_console *vc,
			     struct vlab_console_buf *buf, unsigned int len)
{
	struct scatterlist sg;
	bool notify = false;
	int err;

	sg_init_one(&sg, buf->data, len);
	spin_lock_irq(&vc->lock);
	if (vc->removed) {
		err = -ENODEV;
	} else {
		/* one device-readable buffer; it is its own token */
		err = virtqueue_add_outbuf(vc->tx_vq, &sg, 1, buf, GFP_ATOMIC);
		if (!err) {
			vc->tx_inflight++;
			notify = virtqueue_kick_prepare(vc->tx_vq);
		}
	}
	spin_unlock_irq(&vc->lock);
	/* virtio 1.2 §2.7.13.4: the notification, without the lock */
	if (notify)
		virtqueue_notify(vc->tx_vq);
	return err;
}

/**
 * vlab_console_write() - write() on /dev/vlab-consoleN: one transmit
 * buffer per 256 bytes, sleeping while transmitq0 is full.
 * @param file the open file.
 * @param ubuf the program's bytes.
 * @param count byte count.
 * @param ppos file offset (unused: a stream).
 * @return bytes queued for the device, or a negative errno.
 */
static ssize_t vlab_console_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	struct miscdevice *misc = file->private_data;
	struct vlab_console *vc = container_of(misc, struct vlab_console,
					       misc);
	struct vlab_console_buf *buf;
	size_t done = 0;
	unsigned int n;
	int err;

	(void)ppos;
	if (mutex_lock_interruptible(&vc->write_lock))
		return -ERESTARTSYS;
	err = vlab_console_enter(vc);
	while (!err && done < count) {
		n = min_t(size_t, count - done, VLAB_CONSOLE_BUF);
		buf = kmalloc(sizeof(*buf), GFP_KERNEL);
		if (!buf) {
			err = -ENOMEM;
			break;
		}
		if (copy_from_user(buf->data, ubuf + done, n)) {
			kfree(buf);
			err = -EFAULT;
			break;
		}
		while ((err = vlab_console_send(vc, buf, n)) == -ENOSPC) {
			err = wait_event_interruptible(
				vc->writeq, vlab_console_tx_room(vc));
			if (err)
				break;
		}
		if (err)
			kfree(buf);
		else
			done += n;
	}
	mutex_unlock(&vc->write_lock);
	return done ? (ssize_t)done : err;
}

/**
 * vlab_console_open() - open() on /dev/vlab-consoleN: the file keeps the
 * state alive.
 * @param inode the device inode.
 * @param file the new open file.
 * @return 0.
 */
static int vlab_console_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct vlab_console *vc = container_of(misc, struct vlab_console,
					       misc);

	/* misc_open() holds the misc lock: remove() cannot run under us */
	kref_get(&vc->ref);
	return nonseekable_open(inode, file);
}

/**
 * vlab_console_release() - last close() of an open file.
 * @param inode the device inode.
 * @param file the open file.
 * @return 0.
 */
static int vlab_console_release(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct vlab_console *vc = container_of(misc, struct vlab_console,
					       misc);

	(void)inode;
	kref_put(&vc->ref, vlab_console_release_state);
	return 0;
}

/** The system calls /dev/vlab-consoleN answers. */
static const struct file_operations vlab_console_fops = {
	.owner = THIS_MODULE,
	.read = vlab_console_read,
	.write = vlab_console_write,
	.open = vlab_console_open,
	.release = vlab_console_release,
};

/**
 * vlab_console_free_bufs() - free every buffer the driver still holds
 * (after reset, once the device no longer touches them).
 * @param vc the driver state.
 */
static void vlab_console_free_bufs(struct vlab_console *vc)
{
	struct vlab_console_buf *buf, *tmp;

	while ((buf = virtqueue_detach_unused_buf(vc->rx_vq)))
		kfree(buf);
	while ((buf = virtqueue_detach_unused_buf(vc->tx_vq)))
		kfree(buf);
	list_for_each_entry_safe(buf, tmp, &vc->rx_ready, list) {
		list_del(&buf->list);
		kfree(buf);
	}
	list_for_each_entry_safe(buf, tmp, &vc->rx_free, list) {
		list_del(&buf->list);
		kfree(buf);
	}
}

/**
 * vlab_console_probe() - bind to one console device.
 * @param vdev the device; the core has set ACKNOWLEDGE, DRIVER and
 *	FEATURES_OK already (virtio 1.2 §3.1.1 steps 1-6).
 * @return 0 or a negative errno (the core then sets FAILED).
 */
static int vlab_console_probe(struct virtio_device *vdev)
{
	/* virtio 1.2 §5.3.2: without MULTIPORT, exactly these two queues */
	vq_callback_t *callbacks[] = { vlab_console_rx_done,
				       vlab_console_tx_done };
	static const char * const names[] = { "input", "output" };
	struct virtqueue *vqs[2];
	struct vlab_console_buf *buf;
	struct vlab_console *vc;
	unsigned int i, nbufs;
	int err;

	vc = kzalloc(sizeof(*vc), GFP_KERNEL);
	if (!vc)
		return -ENOMEM;
	/* a node per device: the lowest free number names it */
	vc->index = ida_alloc(&vlab_console_ida, GFP_KERNEL);
	if (vc->index < 0) {
		err = vc->index;
		kfree(vc);
		return err;
	}
	snprintf(vc->name, sizeof(vc->name), "vlab-console%d", vc->index);
	vc->vdev = vdev;
	vdev->priv = vc;
	mutex_init(&vc->read_lock);
	mutex_init(&vc->write_lock);
	spin_lock_init(&vc->lock);
	init_waitqueue_head(&vc->readq);
	init_waitqueue_head(&vc->writeq);
	INIT_LIST_HEAD(&vc->rx_ready);
	INIT_LIST_HEAD(&vc->rx_free);
	kref_init(&vc->ref);

	/* virtio 1.2 §3.1.1 step 7: receiveq0 is 0, transmitq0 is 1 */
	err = virtio_find_vqs(vdev, 2, vqs, callbacks, names, NULL);
	if (err)
		goto err_free;
	vc->rx_vq = vqs[0];
	vc->tx_vq = vqs[1];
	vc->tx_size = virtqueue_get_vring_size(vc->tx_vq);

	/* virtio 1.2 §5.3.5: the size, when the device offers it */
	vlab_console_read_size(vc);

	/* the receive buffers, kept for the life of the device */
	nbufs = min_t(unsigned int, VLAB_CONSOLE_RX_BUFS,
		      virtqueue_get_vring_size(vc->rx_vq));
	for (i = 0; i < nbufs; i++) {
		buf = kmalloc(sizeof(*buf), GFP_KERNEL);
		if (!buf) {
			err = -ENOMEM;
			goto err_bufs;
		}
		list_add_tail(&buf->list, &vc->rx_free);
	}

	/* virtio 1.2 §3.1.1 step 8: the driver is ready, the device is live */
	virtio_device_ready(vdev);

	/*
	 * §5.3.6.1: post the receive buffers now, so the host can send as
	 * soon as it likes; after DRIVER_OK, since the kick that tells the
	 * device about them must not come earlier (§3.1.1).
	 */
	spin_lock_irq(&vc->lock);
	vlab_console_fill_rx(vc);
	spin_unlock_irq(&vc->lock);

	vc->misc.minor = MISC_DYNAMIC_MINOR;
	vc->misc.name = vc->name;
	vc->misc.fops = &vlab_console_fops;
	vc->misc.parent = &vdev->dev;
	err = misc_register(&vc->misc);
	if (err)
		goto err_reset;
	dev_info(&vdev->dev, "vlab-console: /dev/%s ready, %u receive buffers of %u bytes%s\n",
		 vc->misc.name, nbufs, VLAB_CONSOLE_BUF,
		 virtio_has_feature(vdev, VIRTIO_CONSOLE_F_SIZE) ?
		 ", size from the device" : "");
	return 0;

err_reset:
	virtio_reset_device(vdev);
err_bufs:
	vlab_console_free_bufs(vc);
	vdev->config->del_vqs(vdev);
err_free:
	vdev->priv = NULL;
	ida_free(&vlab_console_ida, vc->index);
	kfree(vc);
	return err;
}

/**
 * vlab_console_remove() - unbind: wake and turn away readers and writers,
 * stop the device, free every buffer, free the queues.
 * @param vdev the device.
 */
static void vlab_console_remove(struct virtio_device *vdev)
{
	struct vlab_console *vc = vdev->priv;

	/* No new open() can find the device once this returns */
	misc_deregister(&vc->misc);
	/* the node is gone: its number may name the next device */
	ida_free(&vlab_console_ida, vc->index);

	/* Sleepers see "removed" and leave; new calls fail with -ENODEV */
	spin_lock_irq(&vc->lock);
	vc->removed = true;
	spin_unlock_irq(&vc->lock);
	wake_up_interruptible(&vc->readq);
	wake_up_interruptible(&vc->writeq);
	mutex_lock(&vc->read_lock);
	mutex_lock(&vc->write_lock);

	/* virtio 1.2 §2.4: after reset the device no longer touches memory */
	virtio_reset_device(vdev);
	vlab_console_free_bufs(vc);
	vdev->config->del_vqs(vdev);
	mutex_unlock(&vc->write_lock);
	mutex_unlock(&vc->read_lock);
	vdev->priv = NULL;
	kref_put(&vc->ref, vlab_console_release_state);
}

/** The devices this driver binds to: every console device. */
static const struct virtio_device_id vlab_console_id_table[] = {
	{ VIRTIO_ID_CONSOLE, VIRTIO_DEV_ANY_ID },
	{ 0 },
};

/** The feature bits this driver understands (virtio 1.2 §5.3.3). */
static const unsigned int vlab_console_features[] = {
	VIRTIO_CONSOLE_F_SIZE,
};

/** The console driver. */
static struct virtio_driver vlab_console_driver = {
	.driver.name = KBUILD_MODNAME,
	.driver.owner = THIS_MODULE,
	.id_table = vlab_console_id_table,
	.feature_table = vlab_console_features,
	.feature_table_size = ARRAY_SIZE(vlab_console_features),
	.probe = vlab_console_probe,
	.remove = vlab_console_remove,
	.config_changed = vlab_console_config_changed,
};

module_virtio_driver(vlab_console_driver);
MODULE_DEVICE_TABLE(virtio, vlab_console_id_table);
MODULE_DESCRIPTION("virtio-lab console driver: /dev/vlab-consoleN");
MODULE_LICENSE("GPL");
