// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief virtio entropy driver (virtio 1.2 §5.4): random bytes from the
 * device, handed to programs through /dev/vlab-rngN, one node per device.
 *
 * This is the driver skeleton of the kernel's "Writing Virtio Drivers"
 * guide made real. The same file builds as a Linux kernel module (Kbuild)
 * and, against virtio/include, inside the simulator.
 *
 * One read() is one request: the driver posts one device-writable buffer on
 * the request queue, kicks the device and sleeps; the device fills the
 * buffer and interrupts; the callback takes the buffer back and wakes the
 * reader, who copies the bytes out. Only one request is in flight at a time
 * (vi->lock), so the process-context add and the interrupt-context get_buf
 * never touch the queue at the same time, the same reasoning the kernel's
 * virtio-rng relies on.
 *
 * A reader may be killed while it sleeps. Its request then stays with the
 * device, and the buffer with it: the driver marks it busy and the next
 * reader waits for that same request instead of posting another, then
 * hands out its bytes (what is left of them stays for the read after).
 * Posting a new buffer for every killed reader would fill the queue with
 * buffers nobody waits for, and their late completions would wake later
 * readers too early.
 */
#include <linux/completion.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>

/** Bytes asked of the device per request. */
#define VLAB_RNG_CHUNK 64
/** Room for "vlab-rng" and a device number. */
#define VLAB_RNG_NAME_LEN 24

/** Numbers the N of /dev/vlab-rngN, one per bound device. */
static DEFINE_IDA(vlab_rng_ida);

/** One bound entropy device. */
struct vlab_rng {
	struct virtio_device *vdev;	/**< the device */
	struct virtqueue *vq;		/**< its only queue, "input" */
	struct miscdevice misc;		/**< /dev/vlab-rngN */
	int index;			/**< N, from vlab_rng_ida */
	char name[VLAB_RNG_NAME_LEN];	/**< "vlab-rngN", the node's name */
	struct mutex lock;		/**< one reader at a time */
	struct completion have_data;	/**< the callback finished one */
	struct kref ref;		/**< remove() plus each open file */
	bool removed;			/**< remove() ran: fail new reads */
	bool busy;			/**< buf is with the device */
	unsigned int data_avail;	/**< bytes of buf not handed out yet */
	unsigned int data_idx;		/**< where they start in buf */
	unsigned int posted;		/**< bytes of buf the request offered */
	u8 *buf;			/**< kmalloc'd, so it has a DMA address */
};

/**
 * vlab_rng_release_state() - free the state once its last owner is gone.
 * @param ref the reference count inside struct vlab_rng.
 */
static void vlab_rng_release_state(struct kref *ref)
{
	struct vlab_rng *vi = container_of(ref, struct vlab_rng, ref);

	kfree(vi->buf);
	kfree(vi);
}

/* book: [rng_callback] */
/**
 * vlab_rng_recv_done() - used-buffer callback (interrupt context).
 * @param vq the request queue.
 *
 * Takes the filled buffer back and wakes the reader. Must not sleep.
 */
static void vlab_rng_recv_done(struct virtqueue *vq)
{
	struct vlab_rng *vi = vq->vdev->priv;
	unsigned int len;

	/* virtio 1.2 §2.7.14: the used ring says which buffer and how much */
	if (!virtqueue_get_buf(vq, &len))
		return;
	/* never trust the device's length past what was posted (§2.7.8) */
	vi->data_avail = min_t(unsigned int, len, vi->posted);
	vi->data_idx = 0;
	complete(&vi->have_data);
}
/* book: [rng_callback] */

/* book: [rng_request] */
/**
 * vlab_rng_request() - make sure bytes are in vi->buf: post a request for
 * @p size bytes unless one is with the device already, and wait for it.
 * @param vi the driver state (vi->lock held).
 * @param size bytes wanted, at most VLAB_RNG_CHUNK.
 * @return 0 (vi->data_avail bytes at vi->buf + vi->data_idx, possibly
 * none), or a negative errno. When the wait is killed the request stays
 * posted and busy: the next reader waits for it.
 */
static int vlab_rng_request(struct vlab_rng *vi, unsigned int size)
{
	struct scatterlist sg;
	int err;

	if (!vi->busy) {
		reinit_completion(&vi->have_data);
		vi->data_avail = 0;
		vi->data_idx = 0;

		/* One device-writable buffer; vi is the token get_buf returns */
		sg_init_one(&sg, vi->buf, size);
		vi->posted = size;
		err = virtqueue_add_inbuf(vi->vq, &sg, 1, vi, GFP_KERNEL);
		if (err < 0)
			return err;
		vi->busy = true;
		/* virtio 1.2 §2.7.13.4: notify the device unless it opted out */
		virtqueue_kick(vi->vq);
	}

	err = wait_for_completion_killable(&vi->have_data);
	if (err < 0)
		return err;
	/* remove() woke us: the device may still hold the buffer */
	if (READ_ONCE(vi->removed))
		return -ENODEV;
	/* the device gave the buffer back: it is ours again */
	vi->busy = false;
	return 0;
}
/* book: [rng_request] */

/**
 * vlab_rng_read() - read() on /dev/vlab-rngN: at most one request per
 * call; bytes a killed reader's request brought in are handed out first.
 * @param file the open file (private_data is our miscdevice).
 * @param ubuf the program's buffer.
 * @param count bytes wanted.
 * @param ppos file offset (unused: a stream).
 * @return bytes copied, or a negative errno.
 */
static ssize_t vlab_rng_read(struct file *file, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct miscdevice *misc = file->private_data;
	struct vlab_rng *vi = container_of(misc, struct vlab_rng, misc);
	unsigned int size = min_t(size_t, count, VLAB_RNG_CHUNK);
	int err = 0;
	int got = 0;

	(void)ppos;
	if (!count)
		return 0;
	if (mutex_lock_interruptible(&vi->lock))
		return -ERESTARTSYS;
	if (READ_ONCE(vi->removed)) {
		mutex_unlock(&vi->lock);
		return -ENODEV;
	}
	/* while busy, data_avail is the callback's: wait for it first */
	if (vi->busy || !vi->data_avail)
		err = vlab_rng_request(vi, size);
	if (!err) {
		got = min_t(unsigned int, vi->data_avail, size);
		if (copy_to_user(ubuf, vi->buf + vi->data_idx, got))
			err = -EFAULT;
		vi->data_idx += got;
		vi->data_avail -= got;
	}
	mutex_unlock(&vi->lock);
	return err ? err : got;
}

/**
 * vlab_rng_open() - open() on /dev/vlab-rngN: the file keeps the state
 * alive.
 * @param inode the device inode.
 * @param file the new open file.
 * @return 0.
 */
static int vlab_rng_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct vlab_rng *vi = container_of(misc, struct vlab_rng, misc);

	/* misc_open() holds the misc lock: remove() cannot run under us */
	kref_get(&vi->ref);
	return nonseekable_open(inode, file);
}

/**
 * vlab_rng_release() - last close() of an open file.
 * @param inode the device inode.
 * @param file the open file.
 * @return 0.
 */
static int vlab_rng_release(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct vlab_rng *vi = container_of(misc, struct vlab_rng, misc);

	(void)inode;
	kref_put(&vi->ref, vlab_rng_release_state);
	return 0;
}

/** The system calls /dev/vlab-rngN answers. */
static const struct file_operations vlab_rng_fops = {
	.owner = THIS_MODULE,
	.read = vlab_rng_read,
	.open = vlab_rng_open,
	.release = vlab_rng_release,
};

/* book: [rng_probe] */
/**
 * vlab_rng_probe() - bind to one entropy device.
 * @param vdev the device; the core has set ACKNOWLEDGE, DRIVER and
 *	FEATURES_OK already (virtio 1.2 §3.1.1 steps 1-6).
 * @return 0 or a negative errno (the core then sets FAILED).
 */
static int vlab_rng_probe(struct virtio_device *vdev)
{
	struct vlab_rng *vi;
	int err;

	vi = kzalloc(sizeof(*vi), GFP_KERNEL);
	if (!vi)
		return -ENOMEM;
	/* a node per device: the lowest free number names it */
	vi->index = ida_alloc(&vlab_rng_ida, GFP_KERNEL);
	if (vi->index < 0) {
		err = vi->index;
		kfree(vi);
		return err;
	}
	snprintf(vi->name, sizeof(vi->name), "vlab-rng%d", vi->index);
	vi->buf = kmalloc(VLAB_RNG_CHUNK, GFP_KERNEL);
	if (!vi->buf) {
		err = -ENOMEM;
		goto err_free;
	}
	vi->vdev = vdev;
	vdev->priv = vi;
	mutex_init(&vi->lock);
	init_completion(&vi->have_data);
	kref_init(&vi->ref);

	/* virtio 1.2 §3.1.1 step 7, §5.4.2: the entropy device has one queue */
	vi->vq = virtio_find_single_vq(vdev, vlab_rng_recv_done, "input");
	if (IS_ERR(vi->vq)) {
		err = PTR_ERR(vi->vq);
		goto err_free;
	}

	/* virtio 1.2 §3.1.1 step 8: the driver is ready, the device is live */
	virtio_device_ready(vdev);

	vi->misc.minor = MISC_DYNAMIC_MINOR;
	vi->misc.name = vi->name;
	vi->misc.fops = &vlab_rng_fops;
	vi->misc.parent = &vdev->dev;
	err = misc_register(&vi->misc);
	if (err)
		goto err_reset;
	dev_info(&vdev->dev, "vlab-rng: /dev/%s ready, %u-entry queue\n",
		 vi->misc.name, virtqueue_get_vring_size(vi->vq));
	return 0;

err_reset:
	virtio_reset_device(vdev);
	vdev->config->del_vqs(vdev);
err_free:
	vdev->priv = NULL;
	ida_free(&vlab_rng_ida, vi->index);
	kfree(vi->buf);
	kfree(vi);
	return err;
}
/* book: [rng_probe] */

/* book: [rng_remove] */
/**
 * vlab_rng_remove() - unbind: stop the device, reclaim buffers, free queues.
 * @param vdev the device.
 */
static void vlab_rng_remove(struct virtio_device *vdev)
{
	struct vlab_rng *vi = vdev->priv;

	/* No new open() can find the device once this returns */
	misc_deregister(&vi->misc);
	/* the node is gone: its number may name the next device */
	ida_free(&vlab_rng_ida, vi->index);

	/*
	 * Later reads fail with -ENODEV; a reader asleep on a device that
	 * may never answer (a rate-limited one, say) is woken to see it.
	 * Taking the lock waits until that reader has left.
	 */
	WRITE_ONCE(vi->removed, true);
	complete(&vi->have_data);
	mutex_lock(&vi->lock);
	mutex_unlock(&vi->lock);

	/* virtio 1.2 §2.4: after reset the device no longer touches memory */
	virtio_reset_device(vdev);
	while (virtqueue_detach_unused_buf(vi->vq))
		;
	vdev->config->del_vqs(vdev);
	vdev->priv = NULL;
	kref_put(&vi->ref, vlab_rng_release_state);
}
/* book: [rng_remove] */

/** The devices this driver binds to: every entropy device. */
static const struct virtio_device_id vlab_rng_id_table[] = {
	{ VIRTIO_ID_RNG, VIRTIO_DEV_ANY_ID },
	{ 0 },
};

/** The entropy device has no feature bits of its own (virtio 1.2 §5.4.3). */
static struct virtio_driver vlab_rng_driver = {
	.driver.name = KBUILD_MODNAME,
	.driver.owner = THIS_MODULE,
	.id_table = vlab_rng_id_table,
	.probe = vlab_rng_probe,
	.remove = vlab_rng_remove,
};

module_virtio_driver(vlab_rng_driver);
MODULE_DEVICE_TABLE(virtio, vlab_rng_id_table);
MODULE_DESCRIPTION("virtio-lab entropy driver: /dev/vlab-rngN");
MODULE_LICENSE("GPL");
