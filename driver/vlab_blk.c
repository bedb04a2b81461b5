// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief virtio block driver (virtio 1.2 §5.2): a disk as the file
 * /dev/vlab-blkN (one node per device), read and written at block-aligned
 * offsets.
 *
 * Where the entropy driver posts one writable buffer, every block request
 * mixes both directions in one chain, which is what virtqueue_add_sgs()
 * is for:
 *
 *     header (device-readable: type, sector)
 *     data   (readable for a write, writable for a read; one buffer per
 *             segment, as many as SEG_MAX allows, each at most SIZE_MAX)
 *     status (device-writable: one byte, OK, IOERR or UNSUPP)
 *
 * The feature bits the device offers change what the driver does: RO makes
 * write() fail with -EROFS, BLK_SIZE sets the alignment of every access,
 * SEG_MAX and SIZE_MAX cut large accesses into several requests, FLUSH
 * makes fsync() send a flush. The capacity comes from configuration space
 * and is read again after the device says it changed.
 *
 * A real block driver hands requests to the block layer (blk-mq) and
 * keeps many in flight; this one is a character device with one request
 * at a time, so every request can be followed from read() to interrupt.
 *
 * A request belongs to the driver from add to get_buf, whatever happens
 * to the process that asked for it. When that process is killed while
 * it waits, the request stays in flight, and with it the header, the
 * data buffer and the status byte; the next caller waits until the
 * device gives it back before it touches any of them. The callback only
 * clears "in flight" under the queue lock and wakes the wait queue, and
 * every sleeper tests that state again, so a late wake-up for an old
 * request cannot end the wait for a new one.
 *
 * After remove() the device may be gone (hot-unplug frees it): every
 * file operation checks "removed" under the lock before it touches vdev.
 * The same file builds as a Linux kernel module and, against
 * virtio/include, inside the simulator.
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
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <linux/wait.h>

/** Bytes in a virtio-blk sector, whatever the block size (§5.2.6). */
#define VLAB_BLK_SECTOR 512
/** Largest data part of one request: the bounce buffer. */
#define VLAB_BLK_BUF (64 * 1024)
/** Most data buffers one request uses, even when SEG_MAX allows more. */
#define VLAB_BLK_MAX_SEGS 16
/** Room for "vlab-blk" and a device number. */
#define VLAB_BLK_NAME_LEN 24

/** Numbers the N of /dev/vlab-blkN, one per bound device. */
static DEFINE_IDA(vlab_blk_ida);

/** One bound block device. */
struct vlab_blk {
	struct virtio_device *vdev;	/**< the device */
	struct virtqueue *vq;		/**< its request queue */
	struct miscdevice misc;		/**< /dev/vlab-blkN */
	int index;			/**< N, from vlab_blk_ida */
	char name[VLAB_BLK_NAME_LEN];	/**< "vlab-blkN", the node's name */
	struct mutex lock;		/**< one request at a time */
	spinlock_t vq_lock;		/**< guards vq, in_flight, stale */
	wait_queue_head_t idle;		/**< woken when in_flight clears */
	struct kref ref;		/**< remove() plus each open file */
	bool removed;			/**< remove() ran: fail new I/O */
	bool in_flight;			/**< a request is with the device */
	bool stale;			/**< config changed: re-read capacity */
	u64 capacity;			/**< sectors, from config space */
	u32 blk_size;			/**< alignment of every access, bytes */
	u32 seg_bytes;			/**< most bytes in one data buffer */
	u32 max_segs;			/**< most data buffers in one request */
	u32 max_io;			/**< most data bytes in one request */
	bool ro;			/**< VIRTIO_BLK_F_RO negotiated */
	bool flush;			/**< VIRTIO_BLK_F_FLUSH negotiated */
	struct virtio_blk_outhdr *hdr;	/**< request header (kmalloc: DMA) */
	u8 *status;			/**< status byte (kmalloc: DMA) */
	u8 *buf;			/**< bounce buffer (kmalloc: DMA) */
	struct scatterlist data_sg[VLAB_BLK_MAX_SEGS]; /**< the data buffers */
};

/**
 * vlab_blk_release_state() - free the state once its last owner is gone.
 * @param ref the reference count inside struct vlab_blk.
 */
static void vlab_blk_release_state(struct kref *ref)
{
	struct vlab_blk *vb = container_of(ref, struct vlab_blk, ref);

	kfree(vb->buf);
	kfree(vb->status);
	kfree(vb->hdr);
	kfree(vb);
}

/**
 * vlab_blk_done() - used-buffer callback (interrupt context).
 * @param vq the request queue.
 *
 * Callbacks are turned off while the used ring is drained and back on
 * afterwards; virtqueue_enable_cb() returning false means a buffer came
 * in between, so the ring is drained again (the loop of Linux's
 * virtblk_done()). The wake-up comes after the lock is dropped and says
 * only "look again": sleepers test in_flight themselves.
 */
static void vlab_blk_done(struct virtqueue *vq)
{
	struct vlab_blk *vb = vq->vdev->priv;
	unsigned long flags;
	unsigned int len;
	bool finished = false;

	spin_lock_irqsave(&vb->vq_lock, flags);
	do {
		virtqueue_disable_cb(vq);
		/* virtio 1.2 §2.7.14: the used ring names the request */
		while (virtqueue_get_buf(vq, &len)) {
			vb->in_flight = false;
			finished = true;
		}
	} while (!virtqueue_enable_cb(vq));
	spin_unlock_irqrestore(&vb->vq_lock, flags);
	if (finished)
		wake_up(&vb->idle);
}

/**
 * vlab_blk_idle() - whether no request is with the device.
 * @param vb the driver state.
 * @return true when the header, data and status buffers are the
 * driver's to use.
 */
static bool vlab_blk_idle(struct vlab_blk *vb)
{
	bool idle;

	spin_lock_irq(&vb->vq_lock);
	idle = !vb->in_flight;
	spin_unlock_irq(&vb->vq_lock);
	return idle;
}

/**
 * vlab_blk_wait_idle() - wait until the device has given back the
 * request in flight, if any (one whose caller was killed, say).
 * @param vb the driver state (vb->lock held).
 * @return 0, -ERESTARTSYS when this caller is killed in turn, -ENODEV
 * when remove() ran (it woke us; the device may never answer now).
 */
static int vlab_blk_wait_idle(struct vlab_blk *vb)
{
	int err;

	err = wait_event_killable(vb->idle, vlab_blk_idle(vb) ||
				  READ_ONCE(vb->removed));
	if (!err && READ_ONCE(vb->removed))
		err = -ENODEV;
	return err;
}

/**
 * vlab_blk_config_changed() - the device changed its configuration
 * (interrupt context). Reading it may sleep, so the next file operation
 * reads the capacity again.
 * @param vdev the device.
 */
static void vlab_blk_config_changed(struct virtio_device *vdev)
{
	struct vlab_blk *vb = vdev->priv;
	unsigned long flags;

	spin_lock_irqsave(&vb->vq_lock, flags);
	vb->stale = true;
	spin_unlock_irqrestore(&vb->vq_lock, flags);
}

/**
 * vlab_blk_refresh() - read the capacity again if the device changed it.
 * @param vb the driver state (vb->lock held).
 */
static void vlab_blk_refresh(struct vlab_blk *vb)
{
	bool stale;
	u64 cap;

	spin_lock_irq(&vb->vq_lock);
	stale = vb->stale;
	vb->stale = false;
	spin_unlock_irq(&vb->vq_lock);
	if (!stale)
		return;
	/* virtio 1.2 §5.2.4: capacity in 512-byte sectors */
	virtio_cread(vb->vdev, struct virtio_blk_config, capacity, &cap);
	if (cap != vb->capacity)
		dev_info(&vb->vdev->dev, "vlab-blk: capacity %llu -> %llu sectors\n",
			 (unsigned long long)vb->capacity,
			 (unsigned long long)cap);
	vb->capacity = cap;
}

/* book: [blk_request] */
/**
 * vlab_blk_request() - send one request and wait for its status.
 * @param vb the driver state (vb->lock held).
 * @param type VIRTIO_BLK_T_*.
 * @param sector first sector.
 * @param len data bytes in vb->buf (at most vb->max_io).
 * @param to_device true when the device reads the data (T_OUT).
 * @return 0, -EIO (IOERR), -EOPNOTSUPP (UNSUPP), or another errno.
 */
static int vlab_blk_request(struct vlab_blk *vb, u32 type, u64 sector,
			    unsigned int len, bool to_device)
{
	struct scatterlist hdr_sg, status_sg, *sgs[3];
	unsigned int nsgs = 0, nseg = 0, off, piece, out, in;
	bool notify = false;
	int err;

	/* an earlier caller was killed: its request still owns the buffers */
	err = vlab_blk_wait_idle(vb);
	if (err)
		return err;

	/* virtio 1.2 §5.2.6: the header, in the device's byte order */
	vb->hdr->type = cpu_to_virtio32(vb->vdev, type);
	vb->hdr->ioprio = 0;
	vb->hdr->sector = cpu_to_virtio64(vb->vdev, sector);
	sg_init_one(&hdr_sg, vb->hdr, sizeof(*vb->hdr));
	sgs[nsgs++] = &hdr_sg;

	/* the data, cut into buffers no larger than SIZE_MAX */
	if (len) {
		sg_init_table(vb->data_sg, vb->max_segs);
		for (off = 0; off < len; off += piece, nseg++) {
			piece = min_t(unsigned int, len - off, vb->seg_bytes);
			sg_set_buf(&vb->data_sg[nseg], vb->buf + off, piece);
		}
		sg_mark_end(&vb->data_sg[nseg - 1]);
		sgs[nsgs++] = vb->data_sg;
	}

	/* the status byte comes last: the device writes it when done */
	*vb->status = 0xff;
	sg_init_one(&status_sg, vb->status, 1);
	sgs[nsgs++] = &status_sg;
	out = 1 + (len && to_device);
	in = nsgs - out;

	spin_lock_irq(&vb->vq_lock);
	/*
	 * Readable lists first, then writable: one chain, vb its token.
	 * GFP_ATOMIC: an indirect table may be allocated under the lock.
	 */
	err = virtqueue_add_sgs(vb->vq, sgs, out, in, vb, GFP_ATOMIC);
	if (!err) {
		vb->in_flight = true;
		/* virtio 1.2 §2.7.13.4: does the device want a kick? */
		notify = virtqueue_kick_prepare(vb->vq);
	}
	spin_unlock_irq(&vb->vq_lock);
	if (err)
		return err;
	/* the notification is a VM exit: send it without the lock held */
	if (notify)
		virtqueue_notify(vb->vq);

	/* killed: the request stays in flight; the next caller waits for it */
	err = vlab_blk_wait_idle(vb);
	if (err)
		return err;
	switch (*vb->status) {
	case VIRTIO_BLK_S_OK:
		return 0;
	case VIRTIO_BLK_S_UNSUPP:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}
/* book: [blk_request] */

/**
 * vlab_blk_check() - common checks of read() and write().
 * @param vb the driver state (vb->lock held).
 * @param pos file offset.
 * @param count bytes asked for.
 * @return 0, -ENODEV after remove(), -EINVAL for an access not aligned
 * to the block size.
 */
static int vlab_blk_check(struct vlab_blk *vb, loff_t pos, size_t count)
{
	if (READ_ONCE(vb->removed))
		return -ENODEV;
	vlab_blk_refresh(vb);
	if (pos < 0 || pos % vb->blk_size || count % vb->blk_size)
		return -EINVAL;
	return 0;
}

/**
 * vlab_blk_transfer() - read() and write() share this: one request per
 * vb->max_io bytes, within the disk, through the bounce buffer.
 * @param vb the driver state.
 * @param write true for write(): the device reads @p wbuf's bytes.
 * @param rbuf the reader's buffer (unused for a write).
 * @param wbuf the writer's bytes (unused for a read).
 * @param count bytes, a multiple of the block size.
 * @param ppos file offset, a multiple of the block size.
 * @return bytes moved (a read at the end of the disk: 0), or a negative
 * errno (-EROFS for a write on a read-only device, -ENOSPC for a write at
 * the end of the disk).
 */
static ssize_t vlab_blk_transfer(struct vlab_blk *vb, bool write,
				 char __user *rbuf, const char __user *wbuf,
				 size_t count, loff_t *ppos)
{
	u64 disk_bytes;
	size_t done = 0;
	unsigned int n;
	int err;

	if (mutex_lock_interruptible(&vb->lock))
		return -ERESTARTSYS;
	err = vlab_blk_check(vb, *ppos, count);
	/* virtio 1.2 §5.2.6.1: no write requests to a read-only device */
	if (!err && write && vb->ro)
		err = -EROFS;
	disk_bytes = vb->capacity * VLAB_BLK_SECTOR;
	if (!err && (u64)*ppos >= disk_bytes) {
		/* the end of the disk: a read finds nothing, a write no room */
		if (write && count)
			err = -ENOSPC;
		count = 0;
	}
	if (!err)
		count = min_t(u64, count, disk_bytes - *ppos);
	while (!err && done < count) {
		n = min_t(size_t, count - done, vb->max_io);
		/* the bounce buffer may still be with a killed caller's request */
		err = vlab_blk_wait_idle(vb);
		if (err)
			break;
		if (write && copy_from_user(vb->buf, wbuf + done, n)) {
			err = -EFAULT;
			break;
		}
		err = vlab_blk_request(vb, write ? VIRTIO_BLK_T_OUT :
				       VIRTIO_BLK_T_IN,
				       (*ppos + done) / VLAB_BLK_SECTOR, n,
				       write);
		if (!err && !write && copy_to_user(rbuf + done, vb->buf, n))
			err = -EFAULT;
		if (!err)
			done += n;
	}
	*ppos += done;
	mutex_unlock(&vb->lock);
	return done ? (ssize_t)done : err;
}

/**
 * vlab_blk_read() - read() and pread() on /dev/vlab-blkN.
 * @param file the open file (private_data is our miscdevice).
 * @param ubuf the program's buffer.
 * @param count bytes wanted, a multiple of the block size.
 * @param ppos file offset, a multiple of the block size.
 * @return bytes read (0 at the end of the disk), or a negative errno.
 */
static ssize_t vlab_blk_read(struct file *file, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct miscdevice *misc = file->private_data;

	return vlab_blk_transfer(container_of(misc, struct vlab_blk, misc),
				 false, ubuf, NULL, count, ppos);
}

/**
 * vlab_blk_write() - write() and pwrite() on /dev/vlab-blkN.
 * @param file the open file.
 * @param ubuf the program's bytes.
 * @param count byte count, a multiple of the block size.
 * @param ppos file offset, a multiple of the block size.
 * @return bytes written, or a negative errno.
 */
static ssize_t vlab_blk_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct miscdevice *misc = file->private_data;

	return vlab_blk_transfer(container_of(misc, struct vlab_blk, misc),
				 true, NULL, ubuf, count, ppos);
}

/**
 * vlab_blk_fsync() - fsync(): make written data durable.
 * @param file the open file.
 * @param start first byte (the whole disk is flushed).
 * @param end last byte.
 * @param datasync fdatasync() rather than fsync().
 * @return 0 or a negative errno.
 *
 * With VIRTIO_BLK_F_FLUSH the device may cache writes, and T_FLUSH
 * empties the cache; without it the device writes through and there is
 * nothing to do (virtio 1.2 §5.2.6.2). The feature was read at probe:
 * after remove() vdev may be gone, and only "removed" may be looked at.
 */
static int vlab_blk_fsync(struct file *file, loff_t start, loff_t end,
			  int datasync)
{
	struct miscdevice *misc = file->private_data;
	struct vlab_blk *vb = container_of(misc, struct vlab_blk, misc);
	int err = 0;

	(void)start;
	(void)end;
	(void)datasync;
	if (mutex_lock_interruptible(&vb->lock))
		return -ERESTARTSYS;
	if (READ_ONCE(vb->removed))
		err = -ENODEV;
	else if (vb->flush)
		err = vlab_blk_request(vb, VIRTIO_BLK_T_FLUSH, 0, 0, false);
	mutex_unlock(&vb->lock);
	return err;
}

/**
 * vlab_blk_llseek() - lseek(): offsets run from 0 to the disk's size.
 * @param file the open file.
 * @param offset the offset.
 * @param whence SEEK_SET, SEEK_CUR or SEEK_END.
 * @return the new offset, -EINVAL, or -ENODEV after remove() (the
 * capacity can no longer be read).
 */
static loff_t vlab_blk_llseek(struct file *file, loff_t offset, int whence)
{
	struct miscdevice *misc = file->private_data;
	struct vlab_blk *vb = container_of(misc, struct vlab_blk, misc);
	loff_t base;

	if (mutex_lock_interruptible(&vb->lock))
		return -ERESTARTSYS;
	if (READ_ONCE(vb->removed)) {
		mutex_unlock(&vb->lock);
		return -ENODEV;
	}
	vlab_blk_refresh(vb);
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = file->f_pos;
		break;
	case SEEK_END:
		base = (loff_t)(vb->capacity * VLAB_BLK_SECTOR);
		break;
	default:
		base = -1;
		break;
	}
	mutex_unlock(&vb->lock);
	if (base < 0 || base + offset < 0)
		return -EINVAL;
	file->f_pos = base + offset;
	return file->f_pos;
}

/**
 * vlab_blk_open() - open() on /dev/vlab-blkN: the file keeps the state
 * alive.
 * @param inode the device inode.
 * @param file the new open file.
 * @return 0.
 */
static int vlab_blk_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct vlab_blk *vb = container_of(misc, struct vlab_blk, misc);

	(void)inode;
	/* misc_open() holds the misc lock: remove() cannot run under us */
	kref_get(&vb->ref);
	return 0;
}

/**
 * vlab_blk_release() - last close() of an open file.
 * @param inode the device inode.
 * @param file the open file.
 * @return 0.
 */
static int vlab_blk_release(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct vlab_blk *vb = container_of(misc, struct vlab_blk, misc);

	(void)inode;
	kref_put(&vb->ref, vlab_blk_release_state);
	return 0;
}

/** The system calls /dev/vlab-blkN answers. */
static const struct file_operations vlab_blk_fops = {
	.owner = THIS_MODULE,
	.llseek = vlab_blk_llseek,
	.read = vlab_blk_read,
	.write = vlab_blk_write,
	.fsync = vlab_blk_fsync,
	.open = vlab_blk_open,
	.release = vlab_blk_release,
};

/**
 * vlab_blk_read_limits() - read the configuration fields that shape every
 * request (virtio 1.2 §5.2.4, §5.2.5).
 * @param vb the driver state.
 * @return 0, or -EINVAL when the device's limits cannot carry one block.
 */
static int vlab_blk_read_limits(struct vlab_blk *vb)
{
	struct virtio_device *vdev = vb->vdev;
	u32 v;

	virtio_cread(vdev, struct virtio_blk_config, capacity, &vb->capacity);
	vb->ro = virtio_has_feature(vdev, VIRTIO_BLK_F_RO);
	vb->flush = virtio_has_feature(vdev, VIRTIO_BLK_F_FLUSH);

	/* BLK_SIZE: the logical block size; 512 when not offered */
	vb->blk_size = VLAB_BLK_SECTOR;
	if (!virtio_cread_feature(vdev, VIRTIO_BLK_F_BLK_SIZE,
				  struct virtio_blk_config, blk_size, &v))
		vb->blk_size = v;
	if (vb->blk_size < VLAB_BLK_SECTOR || vb->blk_size > PAGE_SIZE ||
	    (vb->blk_size & (vb->blk_size - 1))) {
		dev_err(&vdev->dev, "vlab-blk: unusable block size %u\n",
			vb->blk_size);
		return -EINVAL;
	}

	/* SIZE_MAX: the largest data buffer; a page otherwise */
	vb->seg_bytes = PAGE_SIZE;
	if (!virtio_cread_feature(vdev, VIRTIO_BLK_F_SIZE_MAX,
				  struct virtio_blk_config, size_max, &v) && v)
		vb->seg_bytes = min_t(u32, v, PAGE_SIZE);

	/* SEG_MAX: the most data buffers in one request */
	vb->max_segs = VLAB_BLK_MAX_SEGS;
	if (!virtio_cread_feature(vdev, VIRTIO_BLK_F_SEG_MAX,
				  struct virtio_blk_config, seg_max, &v) && v)
		vb->max_segs = min_t(u32, v, VLAB_BLK_MAX_SEGS);

	/* without indirect descriptors, header + data + status must fit */
	if (!virtio_has_feature(vdev, VIRTIO_RING_F_INDIRECT_DESC))
		vb->max_segs = min_t(u32, vb->max_segs,
				     virtqueue_get_vring_size(vb->vq) - 2);

	/* the most one request carries, in whole blocks */
	vb->max_io = min_t(u32, VLAB_BLK_BUF, vb->max_segs * vb->seg_bytes);
	vb->max_io -= vb->max_io % vb->blk_size;
	if (!vb->max_io) {
		dev_err(&vdev->dev, "vlab-blk: %u buffers of %u bytes cannot carry a %u-byte block\n",
			vb->max_segs, vb->seg_bytes, vb->blk_size);
		return -EINVAL;
	}
	return 0;
}

/**
 * vlab_blk_probe() - bind to one block device.
 * @param vdev the device; the core has set ACKNOWLEDGE, DRIVER and
 *	FEATURES_OK already (virtio 1.2 §3.1.1 steps 1-6).
 * @return 0 or a negative errno (the core then sets FAILED).
 */
static int vlab_blk_probe(struct virtio_device *vdev)
{
	char id[VIRTIO_BLK_ID_BYTES + 1];
	struct vlab_blk *vb;
	int err;

	vb = kzalloc(sizeof(*vb), GFP_KERNEL);
	if (!vb)
		return -ENOMEM;
	/* a node per device: the lowest free number names it */
	vb->index = ida_alloc(&vlab_blk_ida, GFP_KERNEL);
	if (vb->index < 0) {
		err = vb->index;
		kfree(vb);
		return err;
	}
	snprintf(vb->name, sizeof(vb->name), "vlab-blk%d", vb->index);
	vb->hdr = kmalloc(sizeof(*vb->hdr), GFP_KERNEL);
	vb->status = kmalloc(1, GFP_KERNEL);
	vb->buf = kmalloc(VLAB_BLK_BUF, GFP_KERNEL);
	if (!vb->hdr || !vb->status || !vb->buf) {
		err = -ENOMEM;
		goto err_free;
	}
	vb->vdev = vdev;
	vdev->priv = vb;
	mutex_init(&vb->lock);
	spin_lock_init(&vb->vq_lock);
	init_waitqueue_head(&vb->idle);
	kref_init(&vb->ref);

	/* virtio 1.2 §3.1.1 step 7, §5.2.2: one queue, "requestq" */
	vb->vq = virtio_find_single_vq(vdev, vlab_blk_done, "requests");
	if (IS_ERR(vb->vq)) {
		err = PTR_ERR(vb->vq);
		goto err_free;
	}
	/* virtio 1.2 §5.2.5: capacity and the limits of every request */
	err = vlab_blk_read_limits(vb);
	if (err)
		goto err_vqs;

	/* virtio 1.2 §3.1.1 step 8: the driver is ready, the device is live */
	virtio_device_ready(vdev);

	/* T_GET_ID: the device's serial, at most 20 bytes (§5.2.6) */
	mutex_lock(&vb->lock);
	memset(vb->buf, 0, VIRTIO_BLK_ID_BYTES);
	err = vlab_blk_request(vb, VIRTIO_BLK_T_GET_ID, 0,
			       VIRTIO_BLK_ID_BYTES, false);
	memcpy(id, vb->buf, VIRTIO_BLK_ID_BYTES);
	mutex_unlock(&vb->lock);
	id[VIRTIO_BLK_ID_BYTES] = '\0';
	if (err)
		snprintf(id, sizeof(id), "(none: %d)", err);

	vb->misc.minor = MISC_DYNAMIC_MINOR;
	vb->misc.name = vb->name;
	vb->misc.fops = &vlab_blk_fops;
	vb->misc.parent = &vdev->dev;
	err = misc_register(&vb->misc);
	if (err)
		goto err_reset;
	dev_info(&vdev->dev, "vlab-blk: /dev/%s ready, %llu sectors, block %u, %u x %u-byte buffers per request%s%s, serial '%s'\n",
		 vb->misc.name, (unsigned long long)vb->capacity,
		 vb->blk_size, vb->max_segs, vb->seg_bytes,
		 vb->ro ? ", read-only" : "",
		 vb->flush ? ", flush" : "",
		 id);
	return 0;

err_reset:
	virtio_reset_device(vdev);
err_vqs:
	vdev->config->del_vqs(vdev);
err_free:
	vdev->priv = NULL;
	ida_free(&vlab_blk_ida, vb->index);
	kfree(vb->buf);
	kfree(vb->status);
	kfree(vb->hdr);
	kfree(vb);
	return err;
}

/**
 * vlab_blk_remove() - unbind: stop the device, reclaim buffers, free
 * queues.
 * @param vdev the device.
 */
static void vlab_blk_remove(struct virtio_device *vdev)
{
	struct vlab_blk *vb = vdev->priv;

	/* No new open() can find the device once this returns */
	misc_deregister(&vb->misc);
	/* the node is gone: its number may name the next device */
	ida_free(&vlab_blk_ida, vb->index);

	/*
	 * Later I/O fails with -ENODEV; a caller asleep on a device that may
	 * never answer now is woken to see it. Taking the lock waits until
	 * that caller has left.
	 */
	WRITE_ONCE(vb->removed, true);
	wake_up(&vb->idle);
	mutex_lock(&vb->lock);
	mutex_unlock(&vb->lock);

	/* virtio 1.2 §2.4: after reset the device no longer touches memory */
	virtio_reset_device(vdev);
	while (virtqueue_detach_unused_buf(vb->vq))
		;
	vdev->config->del_vqs(vdev);
	vdev->priv = NULL;
	kref_put(&vb->ref, vlab_blk_release_state);
}

/** The devices this driver binds to: every block device. */
static const struct virtio_device_id vlab_blk_id_table[] = {
	{ VIRTIO_ID_BLOCK, VIRTIO_DEV_ANY_ID },
	{ 0 },
};

/** The feature bits this driver understands (virtio 1.2 §5.2.3). */
static const unsigned int vlab_blk_features[] = {
	VIRTIO_BLK_F_SIZE_MAX, VIRTIO_BLK_F_SEG_MAX, VIRTIO_BLK_F_RO,
	VIRTIO_BLK_F_BLK_SIZE, VIRTIO_BLK_F_FLUSH,
};

/** The block driver. */
static struct virtio_driver vlab_blk_driver = {
	.driver.name = KBUILD_MODNAME,
	.driver.owner = THIS_MODULE,
	.id_table = vlab_blk_id_table,
	.feature_table = vlab_blk_features,
	.feature_table_size = ARRAY_SIZE(vlab_blk_features),
	.probe = vlab_blk_probe,
	.remove = vlab_blk_remove,
	.config_changed = vlab_blk_config_changed,
};

module_virtio_driver(vlab_blk_driver);
MODULE_DEVICE_TABLE(virtio, vlab_blk_id_table);
MODULE_DESCRIPTION("virtio-lab block driver: /dev/vlab-blkN");
MODULE_LICENSE("GPL");
