/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief struct vring_virtqueue, the driver's private state of one
 * virtqueue, and the calls the three ring files make of each other.
 *
 * The driver side of a virtqueue is three files, as in Linux:
 *  - virtio_ring.c: the API drivers call, the dispatch on the layout, and
 *    what both layouts share (the head of add, the free-list bookkeeping,
 *    the checks on what the device returns, the interrupt entry point,
 *    creation and deletion);
 *  - virtio_ring_split.c: the split layout (virtio 1.2 §2.7);
 *  - virtio_ring_packed.c: the packed layout (virtio 1.2 §2.8).
 *
 * Only these three files include this header. Every function declared here
 * is documented where it is defined.
 */
#ifndef VLAB_VIRTIO_VRING_VIRTQUEUE_H
#define VLAB_VIRTIO_VRING_VIRTQUEUE_H

#include <linux/virtio.h>
#include <linux/virtio_ring.h>
#include <linux/scatterlist.h>

#include "virtio/shared/boundary.h"

/**
 * The driver's own record of one buffer it offered: by head index on a
 * split ring, by buffer id on a packed ring. Never read back from shared
 * memory: every id the device returns is checked against it.
 */
struct vring_desc_state {
	void *data;		/**< token; NULL when not in use */
	void *ctx;		/**< ctx given with it */
	void *indir_desc;	/**< its indirect table, or NULL */
	u32 in_len;		/**< device-writable bytes posted */
	u16 ndescs;		/**< ring descriptors it takes */
	u16 next;		/**< packed: free-id list link (a split ring
				     links free descriptors in desc_extra) */
};

/**
 * The driver's own copy of one split-ring descriptor (never read back from
 * RAM): the driver walks its own copy of a chain, never the shared table.
 * @c next is the chain link while the descriptor is in use and the
 * free-list link while it is free.
 */
struct vring_desc_extra {
	dma_addr_t addr;	/**< buffer address */
	u32 len;		/**< buffer length */
	u16 flags;		/**< VRING_DESC_F_* */
	u16 next;		/**< chain link, or free-list link */
};

/** A virtqueue, split or packed: the public part plus private state. */
struct vring_virtqueue {
	struct virtqueue vq;	/**< what drivers see */
	bool packed_ring;	/**< VIRTIO_F_RING_PACKED negotiated */
	bool weak_barriers;	/**< CPU barriers suffice */
	bool broken;		/**< stopped after an error */
	bool use_ctx;		/**< chains carry a ctx */
	bool event;		/**< VIRTIO_RING_F_EVENT_IDX negotiated */
	bool indirect;		/**< VIRTIO_RING_F_INDIRECT_DESC negotiated */
	unsigned int free_head;	/**< first free descriptor (split) or
				     buffer id (packed) */
	unsigned int num_added;	/**< added since the last kick_prepare */
	u16 last_used_idx;	/**< next used entry to read (read by the IRQ
				     thread too: READ_ONCE/WRITE_ONCE); packed:
				     position | used wrap counter << 15 */
	bool (*notify)(struct virtqueue *vq); /**< the transport's kick */
	struct vring_desc_state *desc_state; /**< by head (split) or id */
	/** the split ring (§2.7): virtio_ring_split.c */
	struct {
		struct vring vring;	/**< pointers to the three areas */
		u16 avail_flags_shadow;	/**< last avail->flags written */
		u16 avail_idx_shadow;	/**< last avail->idx written */
		struct vring_desc_extra *desc_extra; /**< by descriptor */
		dma_addr_t queue_dma_addr;	/**< guest-physical base */
		size_t queue_size_in_bytes;	/**< allocation size */
	} split;
	/** the packed ring (§2.8): virtio_ring_packed.c */
	struct {
		unsigned int num;		/**< queue size */
		struct vring_packed_desc *desc;	/**< the descriptor ring */
		struct vring_packed_desc_event *driver; /**< our wishes */
		struct vring_packed_desc_event *device; /**< the device's */
		bool avail_wrap_counter;	/**< lap of next_avail_idx */
		u16 next_avail_idx;		/**< next descriptor to fill */
		u16 event_flags_shadow;		/**< driver->flags as written */
		dma_addr_t ring_dma_addr;	/**< guest-physical base */
		size_t ring_size_in_bytes;	/**< allocation size */
	} packed;
};

/** The vring_virtqueue of a public virtqueue. */
#define to_vvq(_vq) container_of(_vq, struct vring_virtqueue, vq)

/**
 * One add in progress: what the head of add, shared by both layouts,
 * found out before the layout writes a single descriptor.
 */
struct vring_add_req {
	void *table;		/**< indirect table, or NULL: direct */
	unsigned int descs_used; /**< ring descriptors it takes */
	unsigned int free_before; /**< num_free before it (for the trace) */
	u32 in_len;		/**< device-writable bytes */
	u16 id;			/**< head (split) or buffer id (packed) */
};

/**
 * vq_dev_name() - name of the queue's device for trace events.
 * @param vq the queue.
 * @return e.g. "virtio0".
 */
static inline const char *vq_dev_name(const struct vring_virtqueue *vq)
{
	return dev_name(&vq->vq.vdev->dev);
}

/**
 * vring_tracing() - whether trace points will emit, for code that builds
 * several events in a loop.
 * @return true while tracing (or the lockstep schedule) is on.
 */
static inline bool vring_tracing(void)
{
	return unlikely(__atomic_load_n(&vlab_trace_on, __ATOMIC_RELAXED));
}

/* virtio_ring.c: what both layouts share */
void vring_bad_ring(struct vring_virtqueue *vq, const char *why);
void vring_buf_claim(struct vring_virtqueue *vq,
		     const struct vring_add_req *req, unsigned int next_free,
		     void *data, void *ctx);
void *vring_buf_release(struct vring_virtqueue *vq, unsigned int id,
			u16 *last_link, void **ctx);
struct vring_desc_state *vring_check_used(struct vring_virtqueue *vq,
					  unsigned int id, u32 *len);
struct virtqueue *vring_publish_vq(struct vring_virtqueue *vq);
void vring_init_vq(struct vring_virtqueue *vq, unsigned int index,
		   unsigned int num, struct virtio_device *vdev,
		   bool weak_barriers, bool ctx,
		   bool (*notify)(struct virtqueue *vq),
		   void (*callback)(struct virtqueue *vq), const char *name);

/* virtio_ring_split.c: the split layout (§2.7) */
int virtqueue_add_split(struct vring_virtqueue *vq, struct scatterlist *sgs[],
			unsigned int total_sg, unsigned int out_sgs,
			unsigned int in_sgs, void *data, void *ctx,
			const struct vring_add_req *req);
bool kick_prepare_split(struct vring_virtqueue *vq);
void *get_buf_ctx_split(struct vring_virtqueue *vq, unsigned int *len,
			void **ctx);
void disable_cb_split(struct vring_virtqueue *vq);
unsigned int enable_cb_prepare_split(struct vring_virtqueue *vq);
bool poll_split(struct vring_virtqueue *vq, unsigned int last_used_idx);
bool enable_cb_delayed_split(struct vring_virtqueue *vq);
void *detach_unused_buf_split(struct vring_virtqueue *vq);
bool used_hint_split(struct vring_virtqueue *vq);
struct virtqueue *vring_create_virtqueue_split(unsigned int index,
		unsigned int num, unsigned int vring_align,
		struct virtio_device *vdev, bool weak_barriers,
		bool may_reduce_num, bool ctx,
		bool (*notify)(struct virtqueue *vq),
		void (*callback)(struct virtqueue *vq), const char *name);
void vring_free_split(struct vring_virtqueue *vq);

/* virtio_ring_packed.c: the packed layout (§2.8) */
int virtqueue_add_packed(struct vring_virtqueue *vq, struct scatterlist *sgs[],
			 unsigned int total_sg, unsigned int out_sgs,
			 unsigned int in_sgs, void *data, void *ctx,
			 const struct vring_add_req *req);
bool kick_prepare_packed(struct vring_virtqueue *vq);
void *get_buf_ctx_packed(struct vring_virtqueue *vq, unsigned int *len,
			 void **ctx);
void disable_cb_packed(struct vring_virtqueue *vq);
unsigned int enable_cb_prepare_packed(struct vring_virtqueue *vq);
bool poll_packed(struct vring_virtqueue *vq, unsigned int off_wrap);
bool enable_cb_delayed_packed(struct vring_virtqueue *vq);
void *detach_unused_buf_packed(struct vring_virtqueue *vq);
bool used_hint_packed(struct vring_virtqueue *vq);
struct virtqueue *vring_create_virtqueue_packed(unsigned int index,
		unsigned int num, struct virtio_device *vdev,
		bool weak_barriers, bool ctx,
		bool (*notify)(struct virtqueue *vq),
		void (*callback)(struct virtqueue *vq), const char *name);
void vring_free_packed(struct vring_virtqueue *vq);

#endif /* VLAB_VIRTIO_VRING_VIRTQUEUE_H */
