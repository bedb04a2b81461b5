/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief The trace vocabulary both worlds speak: every kind of event, the
 * event itself, and the one call that emits it.
 *
 * Driver side (virtio/) and device side (sim/) report each step as one
 * event: a status write, a descriptor written, an index published, a kick,
 * a notification, a chain popped, a used element, an interrupt, a callback,
 * a buffer returned. An event names its side, the thread that made it, the
 * device and queue, the spec section it follows, and the ring index before
 * and after. With tracing off a trace point costs one predictable branch.
 *
 * A trace point comes after the change it reports: a sink that looks at
 * the rings (the stepper, the Graphviz writer) sees them as the event
 * left them. The machine (sim/trace.c) numbers the events and hands them
 * to the sinks; this header is what the guest kernel needs to emit them.
 */
#ifndef VLAB_SHARED_TRACE_EVENT_H
#define VLAB_SHARED_TRACE_EVENT_H

#include <stdbool.h>
#include <stdint.h>

/** Every kind of event; vlab_event_kind_name() gives each a short name. */
enum vlab_event_kind {
	VLAB_EV_RESET,		/**< driver wrote 0 to Status (§2.4) */
	VLAB_EV_STATUS,		/**< driver set Status bits (§3.1.1) */
	VLAB_EV_FEATURES_READ,	/**< driver read 32 device feature bits */
	VLAB_EV_FEATURES_WRITE,	/**< driver wrote 32 driver feature bits */
	VLAB_EV_QUEUE_SETUP,	/**< driver enabled a queue (QueueReady) */
	VLAB_EV_QUEUE_REFUSED,	/**< device refused a queue setup */
	VLAB_EV_CONFIG_READ,	/**< driver read device configuration */
	VLAB_EV_DESC_ADD,	/**< driver wrote a descriptor */
	VLAB_EV_AVAIL_PUBLISH,	/**< driver published avail idx */
	VLAB_EV_KICK,		/**< driver sent an available notification */
	VLAB_EV_KICK_SUPPRESSED, /**< driver skipped it: device opted out */
	VLAB_EV_NOTIFY,		/**< device saw QueueNotify */
	VLAB_EV_NOTIFY_IGNORED,	/**< device ignored a notification */
	VLAB_EV_POP,		/**< device took a chain from avail */
	VLAB_EV_USED,		/**< device wrote a used element */
	VLAB_EV_USED_PUBLISH,	/**< device published used idx */
	VLAB_EV_IRQ,		/**< device raised a used-buffer interrupt */
	VLAB_EV_IRQ_SUPPRESSED,	/**< device skipped it: driver opted out */
	VLAB_EV_CONFIG_IRQ,	/**< device raised a config-change interrupt */
	VLAB_EV_DEVICE_ERROR,	/**< device found a broken rule; needs reset */
	VLAB_EV_CALLBACK,	/**< driver callback entered (interrupt ctx) */
	VLAB_EV_GET_BUF,	/**< driver took a used buffer back */
	VLAB_EV_DETACH,		/**< driver reclaimed an unused buffer */
	VLAB_EV_QUEUE_BROKEN,	/**< driver found the device misbehaving */
	VLAB_EV_SLEEP,		/**< a guest thread sleeps for a completion */
	VLAB_EV_WAKE,		/**< complete() wakes the sleeping thread */
	VLAB_EV_DRIVER_EVENT,	/**< driver wrote its suppression field:
				     avail.flags, used_event, or the
				     packed driver event structure */
	VLAB_EV_DEVICE_EVENT,	/**< device wrote its suppression field:
				     used.flags, avail_event, or the packed
				     device event structure */
	VLAB_EV_COUNT		/**< number of kinds */
};

/** Which end of the virtqueue acted. */
enum vlab_side {
	VLAB_SIDE_DRIVER,	/**< the guest's driver and virtio core */
	VLAB_SIDE_DEVICE,	/**< the simulated device */
};

/**
 * The ring layout an event is about, so that a sink words it for that
 * layout (virtio 1.2 §2.7 split, §2.8 packed) without guessing.
 */
enum vlab_ring_layout {
	VLAB_RING_NONE,		/**< not about a ring (status, features...) */
	VLAB_RING_SPLIT,	/**< a split virtqueue (§2.7) */
	VLAB_RING_PACKED,	/**< a packed virtqueue (§2.8) */
};

/**
 * A field of shared ring memory. An event lists the fields its thread
 * wrote since its previous event, so a reader (and the write check of
 * `vlab run --check-writes`) knows exactly which bytes of the rings moved
 * and why. Names follow the spec's structures: `desc[3]`, `avail.idx`,
 * `used.ring[2]`, `used_event`, `driver_event.off_wrap`.
 */
enum vlab_field_area {
	VLAB_FIELD_DESC,	/**< desc[i], all of it */
	VLAB_FIELD_DESC_ADDR,	/**< desc[i].addr */
	VLAB_FIELD_DESC_LEN,	/**< desc[i].len */
	VLAB_FIELD_DESC_ID,	/**< desc[i].next (split), .id (packed) */
	VLAB_FIELD_DESC_FLAGS,	/**< desc[i].flags */
	VLAB_FIELD_INDIRECT,	/**< entry i of the event's indirect table */
	VLAB_FIELD_AVAIL_FLAGS,	/**< avail.flags (split) */
	VLAB_FIELD_AVAIL_IDX,	/**< avail.idx (split) */
	VLAB_FIELD_AVAIL_RING,	/**< avail.ring[i] (split) */
	VLAB_FIELD_USED_EVENT,	/**< used_event, after avail.ring (split) */
	VLAB_FIELD_USED_FLAGS,	/**< used.flags (split) */
	VLAB_FIELD_USED_IDX,	/**< used.idx (split) */
	VLAB_FIELD_USED_RING,	/**< used.ring[i], id and len (split) */
	VLAB_FIELD_AVAIL_EVENT,	/**< avail_event, after used.ring (split) */
	VLAB_FIELD_DRIVER_OFF_WRAP, /**< driver_event.off_wrap (packed) */
	VLAB_FIELD_DRIVER_FLAGS, /**< driver_event.flags (packed) */
	VLAB_FIELD_DEVICE_OFF_WRAP, /**< device_event.off_wrap (packed) */
	VLAB_FIELD_DEVICE_FLAGS, /**< device_event.flags (packed) */
};

/** One field an event wrote: an area and, for arrays, the element. */
struct vlab_field {
	enum vlab_field_area area;	/**< which field */
	uint16_t index;			/**< element of desc/ring arrays */
};

/** Most fields one event writes (a packed head: addr, len, id). */
#define VLAB_EV_MAX_FIELDS 4

/**
 * Which notification-suppression field a driver-event or device-event
 * wrote (§2.7.10 split, §2.8.10 packed).
 */
enum vlab_supp_field {
	VLAB_SUPP_FLAGS,	/**< avail.flags or used.flags */
	VLAB_SUPP_EVENT_IDX,	/**< used_event or avail_event */
	VLAB_SUPP_PACKED,	/**< a packed event structure */
};

/**
 * One event. Every kind fills its own member of the union, so each value
 * has a name (`desc.addr`, `pop.in_bytes`); the kind table in
 * sim/trace_kinds.c names them for the sinks and the reference page.
 * @c queue is -1 when the event is about the whole device. @c before and
 * @c after are the index or register the kind moves (the table says
 * which), zero when it moves none.
 */
struct vlab_event {
	enum vlab_event_kind kind;	/**< what happened */
	const char *dev;		/**< device name, e.g. "rng0" */
	int queue;			/**< queue index, or -1 */
	enum vlab_ring_layout layout;	/**< ring layout, or none */
	uint32_t before;		/**< index or register before */
	uint32_t after;			/**< index or register after */
	/** The kind's own values; the kind table names each one. */
	union {
		/** features-read, features-write */
		struct {
			uint32_t word;	/**< which 32 bits (FeaturesSel) */
			uint32_t bits;	/**< their value */
		} features;
		/** queue-setup, queue-refused */
		struct {
			uint32_t size;	/**< QueueNum */
			uint64_t desc;	/**< descriptor area */
			uint64_t driver; /**< driver area */
			uint64_t device; /**< device area */
		} queue_area;
		/** config-read */
		struct {
			uint32_t offset; /**< byte offset in the config */
			uint32_t len;	/**< bytes read */
			uint64_t value;	/**< what was read */
			uint32_t generation; /**< ConfigGeneration */
		} config;
		/** add: one descriptor or indirect-table entry written */
		struct {
			uint16_t index;	/**< in the ring, or in the table */
			uint64_t addr;	/**< buffer (or table) address */
			uint32_t len;	/**< its length */
			uint16_t flags;	/**< flags as written or to be */
			uint16_t next;	/**< split: next; packed: buffer id */
			uint64_t table;	/**< the indirect table, or 0 */
		} desc;
		/** publish */
		struct {
			uint16_t head;	/**< chain head (buffer id) */
			uint16_t slot;	/**< avail.ring slot (split) */
			uint8_t wrap;	/**< avail wrap counter (packed) */
		} publish;
		/** pop */
		struct {
			uint16_t head;	/**< chain head (buffer id) */
			uint16_t nseg;	/**< buffers in it */
			uint32_t out_bytes; /**< device-readable bytes */
			uint32_t in_bytes; /**< device-writable bytes */
		} pop;
		/** used: the element (split) or descriptor (packed) */
		struct {
			uint16_t slot;	/**< used.ring slot or desc index */
			uint16_t id;	/**< the chain's head / buffer id */
			uint32_t len;	/**< bytes the device wrote */
		} used;
		/** publish-used */
		struct {
			uint16_t slot;	/**< packed: the descriptor flagged */
			uint8_t wrap;	/**< packed: used wrap counter */
		} used_publish;
		/** interrupt, config-irq */
		struct {
			uint32_t irq;	/**< the line raised */
		} irq;
		/** get_buf */
		struct {
			uint16_t id;	/**< the chain's head / buffer id */
			uint32_t len;	/**< used length the device reported */
			uint16_t slot;	/**< used.ring slot or desc index */
			uint8_t wrap;	/**< packed: used wrap counter */
		} get_buf;
		/** detach */
		struct {
			uint16_t id;	/**< the buffer taken back */
		} detach;
		/** notify-ignored, device-error, queue-broken */
		struct {
			const char *why; /**< the rule or reason */
		} reason;
		/** callback */
		struct {
			const char *name; /**< the virtqueue's name */
		} callback;
		/** sleep, wake */
		struct {
			const char *who; /**< sleep: the thread that sleeps */
			uint8_t wait_queue; /**< 1: wait queue, 0: completion */
		} wait;
		/** driver-event, device-event */
		struct {
			enum vlab_supp_field field; /**< what was written */
			uint16_t flags;	/**< packed: the structure's flags */
		} supp;
	};
	/** Shared ring fields written since the thread's previous event. */
	struct vlab_field fields[VLAB_EV_MAX_FIELDS];
	uint8_t nfields;		/**< entries of @c fields used */
	const char *spec;		/**< section, if not the kind's own */
};

/**
 * Nonzero while a sink is installed or the lockstep schedule is on (its
 * threads take turns at trace points); read by every trace point.
 */
extern int vlab_trace_on;

/**
 * vlab_trace_emit() - number an event, hand it to the sink, and in
 * lockstep let the schedule choose the next thread.
 * @param ev the event (copied by the sink if it wants to keep it).
 */
void vlab_trace_emit(const struct vlab_event *ev);

#ifdef VLAB_TRACE_COMPILED_OUT
/** Whether events are wanted now: never in this build. */
#define VLAB_TRACING() 0
/*
 * Only for the benchmark that measures what a trace point costs when off:
 * no sink and no lockstep can work in such a build. The dead branch keeps
 * the arguments "used", and the compiler drops it.
 */
#define VLAB_TRACE(...)							\
	do {								\
		if (0)							\
			vlab_trace_emit(&(struct vlab_event){ __VA_ARGS__ }); \
	} while (0)
#else
/**
 * Whether events are wanted now: for a trace point that must look at
 * memory before it writes (to report only what changed), so that with
 * tracing off it still costs one predictable branch.
 */
#define VLAB_TRACING()							\
	__builtin_expect(__atomic_load_n(&vlab_trace_on, __ATOMIC_RELAXED), 0)
/** Emit an event built from designated initialisers, if tracing is on. */
#define VLAB_TRACE(...)							\
	do {								\
		if (__builtin_expect(__atomic_load_n(&vlab_trace_on,	\
				      __ATOMIC_RELAXED), 0))		\
			vlab_trace_emit(&(struct vlab_event){ __VA_ARGS__ }); \
	} while (0)
#endif

/**
 * vlab_thread_set_name() - name the calling thread in trace lines.
 * @param name e.g. "guest", "irq", "rng0"; must outlive the thread.
 */
void vlab_thread_set_name(const char *name);

/**
 * vlab_thread_name() - the calling thread's trace name.
 * @return the name, "guest" when never set.
 */
const char *vlab_thread_name(void);

#endif /* VLAB_SHARED_TRACE_EVENT_H */
