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
 * One event. Fields a kind does not use stay zero; @c queue is -1 when the
 * event is about the whole device.
 */
struct vlab_event {
	enum vlab_event_kind kind;	/**< what happened */
	const char *dev;		/**< device name, e.g. "rng0" */
	int queue;			/**< queue index, or -1 */
	uint32_t before;		/**< index or register before */
	uint32_t after;			/**< index or register after */
	uint64_t v[4];			/**< kind-specific values */
	const char *text;		/**< kind-specific text, or NULL */
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
