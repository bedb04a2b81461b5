/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief The device side of a virtqueue, split (virtio 1.2 §2.7) or packed
 * (§2.8): the queue state and the API device models use.
 *
 * A device model takes chains with vlab_vq_pop(), reads or fills their
 * buffers (vlab_chain_read(), vlab_chain_write()), and returns them with
 * vlab_vq_push(); vlab_vq_notify_driver() then raises the used-buffer
 * interrupt unless the driver opted out.
 *
 * The code is laid out as Linux's virtio_ring.c: sim/vq.c is this API and
 * dispatches each call to the layout in use; sim/vq_split.c and
 * sim/vq_packed.c each walk one ring layout; sim/vq_chain.c checks every
 * buffer and indirect table for both, and reads and writes chains.
 *
 * The driver is not trusted. Every descriptor is read once into a local
 * copy, and only the copy is checked and used (no double fetch, RELIABILITY
 * D16). Every address is translated through vlab_ram_ptr(). A chain that
 * breaks a rule is never half-processed: the device reports the rule and
 * its section, sets DEVICE_NEEDS_RESET and ignores the queue until reset.
 */
#ifndef VLAB_SIM_VQ_H
#define VLAB_SIM_VQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_ring.h>

struct vlab_device;

/** One buffer of a chain, already translated and bounds-checked. */
struct vlab_seg {
	uint8_t *host;		/**< host pointer to its first byte */
	uint64_t gpa;		/**< its guest-physical address */
	uint32_t len;		/**< its length */
	bool write;		/**< device-writable (else device-readable) */
};

/** A chain (split) or buffer (packed) taken from the driver. */
struct vlab_chain {
	uint16_t head;		/**< the id to return: head index (split),
				     buffer id (packed) */
	uint16_t ndescs;	/**< ring descriptors it took (packed) */
	unsigned int nseg;	/**< buffers in @c seg */
	struct vlab_seg *seg;	/**< the buffers, readable ones first */
	uint64_t out_bytes;	/**< device-readable bytes */
	uint64_t in_bytes;	/**< device-writable bytes */
};

/** Per-queue counters, for --stats and benchmarks (atomic: read live). */
struct vlab_vq_stats {
	unsigned long chains;	/**< chains popped */
	unsigned long notifies;	/**< notifications received */
	unsigned long irqs;	/**< used-buffer interrupts raised */
	unsigned long irqs_suppressed; /**< interrupts the driver declined */
};

/**
 * vlab_stat_inc() - count one on a counter that only the calling thread
 * writes, while other threads may read it live: an atomic load and an
 * atomic store (plain moves on x86) instead of __atomic_fetch_add(), whose
 * locked read-modify-write costs several ns per buffer on the device's
 * hot path and buys nothing when no one else writes.
 * @param c the counter.
 */
static inline void vlab_stat_inc(unsigned long *c)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELAXED);
}

/** Device-side state of a split ring (§2.7): three areas, two indices. */
struct vlab_vq_split {
	struct vring_desc *desc; /**< descriptor table (QueueDesc) */
	struct vring_avail *avail; /**< driver area (QueueDriver) */
	struct vring_used *used; /**< device area (QueueDevice) */
	uint16_t last_avail_idx; /**< next avail entry to take */
	uint16_t used_idx;	/**< next used entry to write */
	uint16_t signalled_used; /**< used idx at the last interrupt decision */
	bool signalled_used_valid; /**< @c signalled_used means something */
};

/**
 * Device-side state of a packed ring (§2.8): one descriptor ring, two
 * event suppression structures, a position and a wrap counter per
 * direction.
 */
struct vlab_vq_packed {
	struct vring_packed_desc *desc; /**< descriptor ring (QueueDesc) */
	struct vring_packed_desc_event *driver; /**< driver event suppression
						     (QueueDriver) */
	struct vring_packed_desc_event *device; /**< device event suppression
						     (QueueDevice) */
	uint16_t next_avail;	/**< next descriptor to look at */
	bool avail_wrap;	/**< its lap (wrap counter) */
	uint16_t next_used;	/**< next descriptor to write used */
	bool used_wrap;		/**< its lap (wrap counter) */
	uint32_t unsignalled;	/**< descriptors marked used since the last
				     interrupt decision (its event window) */
};

/**
 * One queue of a device: its registers, what both layouts share, and the
 * state of the layout in use (@c split or @c packed, chosen by
 * @c packed_ring when the queue is enabled).
 */
struct vlab_vq {
	unsigned int index;	/**< queue index */
	uint16_t num_max;	/**< QueueNumMax */
	uint32_t num;		/**< QueueNum as written by the driver */
	bool ready;		/**< QueueReady */
	uint64_t desc_gpa;	/**< QueueDesc */
	uint64_t driver_gpa;	/**< QueueDriver (split: avail ring; packed:
				     driver event suppression) */
	uint64_t device_gpa;	/**< QueueDevice (split: used ring; packed:
				     device event suppression) */
	bool packed_ring;	/**< VIRTIO_F_RING_PACKED negotiated */
	bool event_idx;		/**< VIRTIO_RING_F_EVENT_IDX negotiated */
	bool indirect;		/**< VIRTIO_RING_F_INDIRECT_DESC negotiated */
	unsigned int inflight;	/**< chains popped, not yet pushed */
	bool looked;		/**< the model called vlab_vq_pop() since
				     vlab_vq_disable_notify() (L1) */
	struct vlab_seg *segs;	/**< scratch for chains, num_max entries */
	uint8_t *head_busy;	/**< split: 1 for each head in flight,
				     num_max entries (RELIABILITY D18) */
	struct vlab_vq_stats stats; /**< counters */
	/** The layout in use: one of the two, per @c packed_ring. */
	union {
		struct vlab_vq_split split;	/**< split ring (§2.7) */
		struct vlab_vq_packed packed;	/**< packed ring (§2.8) */
	};
};

/**
 * vlab_vq_enable() - check and translate a queue setup (QueueReady = 1,
 * §4.2.3.2) against the rules of the layout the features chose: split
 * (§2.7, §2.7.1) or packed (§2.8, §2.8.10.1).
 *
 * Trace event: none here; the transport traces queue-setup, or
 * queue-refused when this fails.
 * @param dev the device.
 * @param vq the queue, with num and the three addresses written.
 * @return 0, or -EINVAL when the setup breaks a rule (RELIABILITY D15):
 * a size the layout does not allow (split: not a power of two) or above
 * QueueNumMax, an area misaligned or outside guest RAM.
 */
int vlab_vq_enable(struct vlab_device *dev, struct vlab_vq *vq);

/**
 * vlab_vq_stop() - QueueReady = 0: the queue stops and forgets its ring
 * state and what it had in flight (RELIABILITY D20); the setup registers
 * keep their values, as the transport says (§4.2.2).
 * @param vq the queue.
 */
void vlab_vq_stop(struct vlab_vq *vq);

/**
 * vlab_vq_reset() - forget a queue's setup and state (device reset).
 * @param vq the queue.
 */
void vlab_vq_reset(struct vlab_vq *vq);

/**
 * vlab_vq_avail_pending() - whether the driver has made a buffer
 * available that the device has not taken yet: a look at the avail idx
 * (split) or the next descriptor's flags (packed), with no trace event
 * and no check. The device thread polls with it before it sleeps, as
 * vhost's busy-poll does; vlab_vq_pop() then takes and checks the buffer.
 * @param vq a ready queue.
 * @return true when vlab_vq_pop() would find something.
 */
bool vlab_vq_avail_pending(const struct vlab_vq *vq);

/**
 * vlab_vq_pop() - take the next chain the driver offered: from the avail
 * ring (split, §2.7.6) or the descriptor ring (packed, §2.8.6), every
 * descriptor validated before the model sees it.
 *
 * Trace event: pop; device-error when the driver broke a rule.
 * @param dev the device.
 * @param vq the queue (ready).
 * @param chain receives the chain; its segments live until the next pop.
 * @param max_segs most segments this device accepts (RELIABILITY D11);
 * never more than QueueNumMax, the size of the segment scratch array
 * (vlab_device_create() refuses a model that asks for more).
 * @return 1 when a chain was taken, 0 when none is pending, -1 when the
 * driver broke a rule (the device now needs a reset).
 */
int vlab_vq_pop(struct vlab_device *dev, struct vlab_vq *vq,
		struct vlab_chain *chain, unsigned int max_segs);

/**
 * vlab_vq_push() - return a chain: a used ring element (split, §2.7.8) or
 * a used descriptor (packed, §2.8.1), written, then published.
 *
 * Trace events: used, then publish-used.
 * @param dev the device.
 * @param vq the queue.
 * @param c the chain vlab_vq_pop() gave.
 * @param len bytes written into its device-writable buffers.
 */
void vlab_vq_push(struct vlab_device *dev, struct vlab_vq *vq,
		  const struct vlab_chain *c, uint32_t len);

/**
 * vlab_vq_disable_notify() - tell the driver that kicks are not needed
 * while the device works the queue (split §2.7.10:
 * VRING_USED_F_NO_NOTIFY, or with EVENT_IDX simply leaving avail_event
 * behind; packed §2.8.10: the device event flags say DISABLE).
 * @param dev the device.
 * @param vq the queue.
 */
void vlab_vq_disable_notify(struct vlab_device *dev, struct vlab_vq *vq);

/**
 * vlab_vq_enable_notify() - ask for kicks again (§2.7.10, §2.8.10), then
 * look once more, so no buffer published meanwhile goes unseen.
 *
 * A model that did not look at the ring this round (it holds all it
 * can) gets false even with buffers pending: it waits for the next
 * notification instead of spinning its thread (RELIABILITY L1).
 * @param dev the device.
 * @param vq the queue.
 * @return true when the driver published buffers meanwhile and the model
 * is taking them: process again.
 */
bool vlab_vq_enable_notify(struct vlab_device *dev, struct vlab_vq *vq);

/**
 * vlab_vq_notify_driver() - the interrupt decision: send the used-buffer
 * notification (§4.2.3.4) unless the driver suppressed it (split §2.7.7:
 * with EVENT_IDX, only when the used index crossed used_event since the
 * last decision; without, unless VRING_AVAIL_F_NO_INTERRUPT is set;
 * packed §2.8.10: its event flags and offset).
 *
 * Trace event: interrupt, or irq-suppressed.
 * @param dev the device.
 * @param vq the queue.
 */
void vlab_vq_notify_driver(struct vlab_device *dev, struct vlab_vq *vq);

/**
 * vlab_span_fn - called by vlab_chain_span() for each contiguous piece.
 * @param arg the caller's argument.
 * @param host the piece, in guest RAM.
 * @param len its length.
 * @param done bytes of the span handled before this piece.
 * @return 0 to go on, else a value vlab_chain_span() returns at once.
 */
typedef int (*vlab_span_fn)(void *arg, uint8_t *host, size_t len,
			    uint64_t done);

/**
 * vlab_chain_span() - visit bytes @p off to @p off + @p n of a chain's
 * device-readable (or device-writable) buffers, piece by piece.
 *
 * A device must not assume how the driver split a request into
 * descriptors (virtio 1.2 §2.6.4, message framing): a block request's
 * 16-byte header may arrive in two buffers, its data in many. Device
 * models reach request bytes through this and never through seg[] by
 * hand.
 * @param c the chain.
 * @param writable false: the device-readable bytes; true: the writable.
 * @param off first byte, counted from the start of that part.
 * @param n byte count.
 * @param fn called for each piece, in order.
 * @param arg passed to @p fn.
 * @return 0, -EINVAL when the part has fewer than @p off + @p n bytes, or
 * what @p fn returned.
 */
int vlab_chain_span(const struct vlab_chain *c, bool writable, uint64_t off,
		    uint64_t n, vlab_span_fn fn, void *arg);

/**
 * vlab_chain_read() - copy device-readable bytes out of a chain.
 * @param c the chain.
 * @param off offset into its device-readable bytes.
 * @param dst destination.
 * @param n byte count.
 * @return 0, or -EINVAL when the chain is too short.
 */
int vlab_chain_read(const struct vlab_chain *c, uint64_t off, void *dst,
		    size_t n);

/**
 * vlab_chain_write() - copy bytes into a chain's device-writable buffers.
 * @param c the chain.
 * @param off offset into its device-writable bytes.
 * @param src the bytes.
 * @param n byte count.
 * @return 0, or -EINVAL when the chain is too short.
 */
int vlab_chain_write(const struct vlab_chain *c, uint64_t off,
		     const void *src, size_t n);

#endif /* VLAB_SIM_VQ_H */
