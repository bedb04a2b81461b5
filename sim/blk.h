/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief The simulated block device (virtio 1.2 §5.2).
 *
 * One request queue, "requestq". Every request is a 16-byte header the
 * device reads (type, reserved, sector), data (read by the device for
 * T_OUT, written by it for T_IN and T_GET_ID) and one status byte the
 * device writes last: OK, IOERR or UNSUPP. The disk behind it is a file
 * on the host (writes land in the file, flushes reach its disk with
 * fdatasync()) or an image in memory.
 *
 * Which optional parts the device offers is set per instance, so a test
 * or a learner can watch the driver change its behaviour: read-only,
 * block size, the segment count and size limits, and the flush command.
 */
#ifndef VLAB_SIM_BLK_H
#define VLAB_SIM_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_blk.h>

#include "sim/device.h"

/** Bytes in a virtio-blk sector, whatever the block size (§5.2.6). */
#define VLAB_BLK_SECTOR 512

/** What a block device offers and what is behind it. */
struct vlab_blk_opts {
	const char *path;	/**< backing file, or NULL for memory */
	uint64_t mem_bytes;	/**< size of the memory image (0: 1 MiB) */
	bool ro;		/**< offer VIRTIO_BLK_F_RO */
	uint32_t blk_size;	/**< offer VIRTIO_BLK_F_BLK_SIZE with it (0:
				     do not offer it) */
	uint32_t seg_max;	/**< offer VIRTIO_BLK_F_SEG_MAX (0: not) */
	uint32_t size_max;	/**< offer VIRTIO_BLK_F_SIZE_MAX (0: not) */
	bool flush;		/**< offer VIRTIO_BLK_F_FLUSH */
	const char *serial;	/**< what T_GET_ID answers (at most 20 bytes) */
};

/** Requests the device finished, by outcome (atomic: read live). */
struct vlab_blk_stats {
	unsigned long reads;	/**< T_IN completed with OK */
	unsigned long writes;	/**< T_OUT completed with OK */
	unsigned long flushes;	/**< T_FLUSH completed with OK */
	unsigned long get_ids;	/**< T_GET_ID completed with OK */
	unsigned long ioerr;	/**< answered IOERR */
	unsigned long unsupp;	/**< answered UNSUPP */
	unsigned long max_data_segs; /**< most data buffers in one request */
};

/** A block device's state: the model instance and its disk. */
struct vlab_blk_dev {
	struct vlab_device_model model;	/**< the type, with this instance's
					     features and configuration */
	struct virtio_blk_config config; /**< its configuration space (LE) */
	int fd;			/**< backing file, or -1 */
	uint8_t *mem;		/**< memory image, or NULL */
	uint64_t backing_bytes;	/**< size of the file or image */
	uint64_t capacity;	/**< sectors the device exposes (atomic) */
	char serial[VIRTIO_BLK_ID_BYTES]; /**< T_GET_ID answer, zero padded */
	struct vlab_blk_stats stats; /**< counters */
};

/**
 * vlab_blk_init() - open the backing (or allocate the image) and build
 * the model instance. The capacity is the backing's size in whole
 * sectors.
 * @param b the state.
 * @param o what to offer.
 * @param err receives a one-line reason on failure.
 * @param errlen its size.
 * @return 0 or a negative errno.
 */
int vlab_blk_init(struct vlab_blk_dev *b, const struct vlab_blk_opts *o,
		  char *err, size_t errlen);

/**
 * vlab_blk_fini() - close the backing file or free the image.
 * @param b the state.
 */
void vlab_blk_fini(struct vlab_blk_dev *b);

/**
 * vlab_blk_set_capacity() - the disk changed size (a host resize): new
 * capacity in config space, generation bumped and a configuration-change
 * interrupt sent (virtio 1.2 §2.5, §5.2.4).
 * @param dev the device whose priv is @p b.
 * @param b the state.
 * @param sectors the new capacity, at most the backing's size.
 * @return 0, or -EINVAL when the backing is smaller.
 */
int vlab_blk_set_capacity(struct vlab_device *dev, struct vlab_blk_dev *b,
			  uint64_t sectors);

/**
 * vlab_blk_peek() - the disk's bytes as the host sees them (memory image
 * or backing file), for tests and the scenario's check.
 * @param b the state.
 * @param pos byte offset.
 * @param buf receives them.
 * @param n byte count.
 * @return 0, or -EINVAL past the end, or -EIO.
 */
int vlab_blk_peek(struct vlab_blk_dev *b, uint64_t pos, void *buf, size_t n);

#endif /* VLAB_SIM_BLK_H */
