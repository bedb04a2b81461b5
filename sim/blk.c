// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Block device model (virtio 1.2 §5.2).
 */
#include "sim/blk.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/virtio_ids.h>

#include "sim/sched.h"

/** Queue size the block device offers (QueueNumMax). */
#define BLK_QUEUE_NUM_MAX 128
/** Memory image size when none is given. */
#define BLK_DEFAULT_MEM (1u << 20)

/** A request's header as the device reads it (§5.2.6). */
struct blk_req {
	uint32_t type;		/**< VIRTIO_BLK_T_* */
	uint64_t sector;	/**< first 512-byte sector */
	uint64_t data_len;	/**< data bytes (without header and status) */
};

/** Arguments of disk_io() as a vlab_span_fn. */
struct disk_io_arg {
	struct vlab_blk_dev *b;	/**< the disk */
	uint64_t pos;		/**< byte offset of the span's first byte */
	bool to_disk;		/**< chain to disk (T_OUT), else back */
};

/**
 * disk_rw() - move @p len bytes between the backing and @p p.
 * @param b the disk.
 * @param to_disk direction.
 * @param p host memory.
 * @param len byte count.
 * @param pos byte offset on the disk.
 * @return 0 or -EIO.
 */
static int disk_rw(struct vlab_blk_dev *b, bool to_disk, uint8_t *p, size_t len,
		   uint64_t pos)
{
	ssize_t r;

	if (b->mem) {
		if (to_disk)
			memcpy(b->mem + pos, p, len);
		else
			memcpy(p, b->mem + pos, len);
		return 0;
	}
	while (len) {
		r = to_disk ? pwrite(b->fd, p, len, (off_t)pos) :
			pread(b->fd, p, len, (off_t)pos);
		if (r <= 0)
			return -EIO;
		p += r;
		pos += (uint64_t)r;
		len -= (size_t)r;
	}
	return 0;
}

/**
 * disk_io() - vlab_span_fn: one piece of a request's data to or from the
 * disk.
 * @param arg struct disk_io_arg.
 * @param host the piece.
 * @param len its length.
 * @param done its offset in the data.
 * @return 0 or -EIO.
 */
static int disk_io(void *arg, uint8_t *host, size_t len, uint64_t done)
{
	struct disk_io_arg *a = arg;

	return disk_rw(a->b, a->to_disk, host, len, a->pos + done);
}

/**
 * count_piece() - vlab_span_fn that counts pieces and finds the largest.
 * @param arg two unsigned longs: count, largest.
 * @param host unused.
 * @param len the piece's length.
 * @param done unused.
 * @return 0.
 */
static int count_piece(void *arg, uint8_t *host, size_t len, uint64_t done)
{
	unsigned long *c = arg;

	(void)host;
	(void)done;
	c[0]++;
	if (len > c[1])
		c[1] = len;
	return 0;
}

/**
 * bump() - add one to a counter others read live.
 * @param counter the counter.
 */
static void bump(unsigned long *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

/**
 * check_limits() - the data buffers of a request stay within what the
 * device offered: SEG_MAX buffers, each at most SIZE_MAX bytes
 * (§5.2.6.1: the driver must not exceed them).
 * @param dev the device.
 * @param vq the queue.
 * @param c the chain.
 * @param writable where the data is.
 * @param off its first byte in that part.
 * @param len its length.
 * @return true when within limits; otherwise the device error is raised.
 */
static bool check_limits(struct vlab_device *dev, struct vlab_vq *vq,
			 const struct vlab_chain *c, bool writable,
			 uint64_t off, uint64_t len)
{
	struct vlab_blk_dev *b = dev->priv;
	unsigned long pieces[2] = { 0, 0 };
	uint32_t seg_max = le32toh(b->config.seg_max);
	uint32_t size_max = le32toh(b->config.size_max);

	if (!len)
		return true;
	vlab_chain_span(c, writable, off, len, count_piece, pieces);
	if (pieces[0] > __atomic_load_n(&b->stats.max_data_segs,
					__ATOMIC_RELAXED))
		__atomic_store_n(&b->stats.max_data_segs, pieces[0],
				 __ATOMIC_RELAXED);
	/* the limits bind only when negotiated: look that up only when hit */
	if (pieces[0] > seg_max &&
	    vlab_device_has_feature(dev, VIRTIO_BLK_F_SEG_MAX)) {
		vlab_device_error(dev, vq, "§5.2.6.1",
				  "request %u has %lu data buffers; seg_max is %u",
				  c->head, pieces[0], seg_max);
		return false;
	}
	if (pieces[1] > size_max &&
	    vlab_device_has_feature(dev, VIRTIO_BLK_F_SIZE_MAX)) {
		vlab_device_error(dev, vq, "§5.2.6.1",
				  "request %u has a %lu-byte data buffer; size_max is %u",
				  c->head, pieces[1], size_max);
		return false;
	}
	return true;
}

/**
 * in_range() - whether @p len bytes from @p sector are whole sectors
 * inside the disk.
 * @param b the disk.
 * @param sector first sector.
 * @param len byte count.
 * @return true when the access is allowed.
 */
static bool in_range(struct vlab_blk_dev *b, uint64_t sector, uint64_t len)
{
	uint64_t cap = __atomic_load_n(&b->capacity, __ATOMIC_ACQUIRE);

	if (len % VLAB_BLK_SECTOR)
		return false;
	return sector <= cap && len / VLAB_BLK_SECTOR <= cap - sector;
}

/**
 * blk_execute() - carry out one request.
 * @param dev the device.
 * @param vq the queue.
 * @param c the chain.
 * @param rq its header.
 * @param written receives the data bytes written into the chain.
 * @return a VIRTIO_BLK_S_* status, or -1 after a device error (the
 * driver broke a rule; the request is not answered).
 */
static int blk_execute(struct vlab_device *dev, struct vlab_vq *vq,
		       const struct vlab_chain *c, const struct blk_req *rq,
		       uint32_t *written)
{
	struct vlab_blk_dev *b = dev->priv;
	struct disk_io_arg io = { .b = b };
	uint8_t id[VIRTIO_BLK_ID_BYTES];
	size_t n;

	*written = 0;
	switch (rq->type) {
	case VIRTIO_BLK_T_IN:
		/* data: every writable byte but the status */
		if (!check_limits(dev, vq, c, true, 0, rq->data_len))
			return -1;
		if (!in_range(b, rq->sector, rq->data_len))
			return VIRTIO_BLK_S_IOERR;
		io.pos = rq->sector * VLAB_BLK_SECTOR;
		if (vlab_chain_span(c, true, 0, rq->data_len, disk_io, &io))
			return VIRTIO_BLK_S_IOERR;
		*written = (uint32_t)rq->data_len;
		bump(&b->stats.reads);
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_OUT:
		/* data: every readable byte after the header */
		if (!check_limits(dev, vq, c, false,
				  sizeof(struct virtio_blk_outhdr),
				  rq->data_len))
			return -1;
		/* §5.2.6.2: a read-only device fails writes, writes nothing */
		if (b->model.features & (1ULL << VIRTIO_BLK_F_RO))
			return VIRTIO_BLK_S_IOERR;
		if (!in_range(b, rq->sector, rq->data_len))
			return VIRTIO_BLK_S_IOERR;
		io.pos = rq->sector * VLAB_BLK_SECTOR;
		io.to_disk = true;
		if (vlab_chain_span(c, false, sizeof(struct virtio_blk_outhdr),
				    rq->data_len, disk_io, &io))
			return VIRTIO_BLK_S_IOERR;
		bump(&b->stats.writes);
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		/* only a device that offered it knows it (§5.2.6.2) */
		if (!vlab_device_has_feature(dev, VIRTIO_BLK_F_FLUSH))
			return VIRTIO_BLK_S_UNSUPP;
		if (b->fd >= 0 && fdatasync(b->fd))
			return VIRTIO_BLK_S_IOERR;
		bump(&b->stats.flushes);
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		/* up to 20 bytes, zero padded, no terminator when all used */
		memcpy(id, b->serial, sizeof(id));
		n = rq->data_len < sizeof(id) ? (size_t)rq->data_len :
			sizeof(id);
		if (vlab_chain_write(c, 0, id, n))
			return VIRTIO_BLK_S_IOERR;
		*written = (uint32_t)n;
		bump(&b->stats.get_ids);
		return VIRTIO_BLK_S_OK;
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/**
 * blk_process() - answer every request offered (§5.2.6).
 * @param dev the device.
 * @param vq the request queue.
 */
static void blk_process(struct vlab_device *dev, struct vlab_vq *vq)
{
	struct vlab_blk_dev *b = dev->priv;
	struct virtio_blk_outhdr hdr;
	struct vlab_chain c;
	struct blk_req rq;
	uint32_t written;
	uint8_t status;
	int r, st;

	while ((r = vlab_vq_pop(dev, vq, &c, dev->model->max_segs)) == 1) {
		/* §5.2.6.1: header first (device-readable), status last */
		if (c.out_bytes < sizeof(hdr) || c.in_bytes < 1) {
			vlab_device_error(dev, vq, "§5.2.6.1",
					  "request %u has %llu readable and %llu writable bytes; it needs a 16-byte header and a status byte",
					  c.head,
					  (unsigned long long)c.out_bytes,
					  (unsigned long long)c.in_bytes);
			return;
		}
		vlab_chain_read(&c, 0, &hdr, sizeof(hdr));
		rq.type = le32toh(hdr.type);
		rq.sector = le64toh(hdr.sector);
		rq.data_len = rq.type == VIRTIO_BLK_T_OUT ?
			c.out_bytes - sizeof(hdr) : c.in_bytes - 1;
		st = blk_execute(dev, vq, &c, &rq, &written);
		if (st < 0)
			return;
		if (st == VIRTIO_BLK_S_IOERR)
			bump(&b->stats.ioerr);
		else if (st == VIRTIO_BLK_S_UNSUPP)
			bump(&b->stats.unsupp);
		/* the status byte is the last writable byte, written last */
		status = (uint8_t)st;
		vlab_chain_write(&c, c.in_bytes - 1, &status, 1);
		vlab_vq_push(dev, vq, &c, written + 1);
		/* §2.7.7: the rule is applied after each used element */
		vlab_vq_notify_driver(dev, vq);
	}
}

/** The block device type; vlab_blk_init() copies it per instance. */
static const struct vlab_device_model blk_model = {
	.name = "blk",
	.device_id = VIRTIO_ID_BLOCK,
	.num_queues = 1,
	.queue_num_max = BLK_QUEUE_NUM_MAX,
	.max_segs = BLK_QUEUE_NUM_MAX,
	.process = blk_process,
};

int vlab_blk_init(struct vlab_blk_dev *b, const struct vlab_blk_opts *o,
		  char *err, size_t errlen)
{
	uint64_t features = 0;
	const char *serial;
	struct stat sb;
	int e;

	memset(b, 0, sizeof(*b));
	b->fd = -1;
	if (o->blk_size && (o->blk_size < VLAB_BLK_SECTOR ||
			    o->blk_size & (o->blk_size - 1))) {
		snprintf(err, errlen, "block size %u is not a power of two of at least 512",
			 o->blk_size);
		return -EINVAL;
	}
	if (o->path) {
		b->fd = open(o->path, (o->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (b->fd < 0) {
			e = errno;
			snprintf(err, errlen, "cannot open disk image %s: %s",
				 o->path, strerror(e));
			return -e;
		}
		if (fstat(b->fd, &sb) || !S_ISREG(sb.st_mode)) {
			snprintf(err, errlen, "disk image %s is not a regular file",
				 o->path);
			close(b->fd);
			b->fd = -1;
			return -EINVAL;
		}
		b->backing_bytes = (uint64_t)sb.st_size;
	} else {
		b->backing_bytes = o->mem_bytes ? o->mem_bytes :
			BLK_DEFAULT_MEM;
		b->mem = calloc(1, b->backing_bytes);
		if (!b->mem) {
			snprintf(err, errlen, "no memory for a %llu-byte disk",
				 (unsigned long long)b->backing_bytes);
			return -ENOMEM;
		}
	}
	b->capacity = b->backing_bytes / VLAB_BLK_SECTOR;
	if (!b->capacity) {
		snprintf(err, errlen, "disk image %s is smaller than one 512-byte sector",
			 o->path ? o->path : "(memory)");
		vlab_blk_fini(b);
		return -EINVAL;
	}
	/* §5.2.6: up to 20 bytes, zero padded, no terminator when all 20 */
	serial = o->serial ? o->serial : "vlab-blk";
	memcpy(b->serial, serial, strnlen(serial, sizeof(b->serial)));

	/* §5.2.4: each optional field is valid when its feature is offered */
	b->config.capacity = htole64(b->capacity);
	if (o->size_max) {
		features |= 1ULL << VIRTIO_BLK_F_SIZE_MAX;
		b->config.size_max = htole32(o->size_max);
	}
	if (o->seg_max) {
		features |= 1ULL << VIRTIO_BLK_F_SEG_MAX;
		b->config.seg_max = htole32(o->seg_max);
	}
	if (o->blk_size) {
		features |= 1ULL << VIRTIO_BLK_F_BLK_SIZE;
		b->config.blk_size = htole32(o->blk_size);
	}
	if (o->ro)
		features |= 1ULL << VIRTIO_BLK_F_RO;
	if (o->flush)
		features |= 1ULL << VIRTIO_BLK_F_FLUSH;

	b->model = blk_model;
	b->model.features = features;
	b->model.config = (const uint8_t *)&b->config;
	b->model.config_size = sizeof(b->config);
	return 0;
}

void vlab_blk_fini(struct vlab_blk_dev *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	free(b->mem);
	b->mem = NULL;
}

int vlab_blk_set_capacity(struct vlab_device *dev, struct vlab_blk_dev *b,
			  uint64_t sectors)
{
	uint64_t le = htole64(sectors);

	if (sectors > b->backing_bytes / VLAB_BLK_SECTOR)
		return -EINVAL;
	__atomic_store_n(&b->capacity, sectors, __ATOMIC_RELEASE);
	b->config.capacity = le;
	vlab_device_config_changed(dev, offsetof(struct virtio_blk_config,
						 capacity), &le, sizeof(le));
	return 0;
}

int vlab_blk_peek(struct vlab_blk_dev *b, uint64_t pos, void *buf, size_t n)
{
	if (pos > b->backing_bytes || n > b->backing_bytes - pos)
		return -EINVAL;
	return disk_rw(b, false, buf, n, pos);
}
