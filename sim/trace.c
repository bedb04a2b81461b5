// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The machine's end of the trace: the kind table, event numbering
 * and the one sink that is installed.
 */
#include "sim/trace.h"

#include "sim/sched.h"

#include <pthread.h>

int vlab_trace_on;

/** Serialises events: one line at a time, numbered in order. */
static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;
/** Where events go; NULL while tracing is off. */
static vlab_trace_sink_fn *trace_sink;
/** The sink's own pointer. */
static void *trace_opaque;
/** Number of the last event emitted. */
static uint64_t trace_seq;
/** The calling thread's name in trace lines. */
static _Thread_local const char *thread_name;

/** What every event of one kind has in common. */
struct kind_info {
	const char *name;	/**< short name */
	enum vlab_side side;	/**< who acts */
	const char *spec;	/**< virtio 1.2 section followed */
	const char *what;	/**< one line for the reference page */
};

/** One entry per enum vlab_event_kind, in order. */
static const struct kind_info kinds[VLAB_EV_COUNT] = {
	[VLAB_EV_RESET] = { "reset", VLAB_SIDE_DRIVER, "§2.4",
		"the driver wrote 0 to Status: the device resets" },
	[VLAB_EV_STATUS] = { "status", VLAB_SIDE_DRIVER, "§3.1.1",
		"the driver set Status bits (ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK)" },
	[VLAB_EV_FEATURES_READ] = { "features-read", VLAB_SIDE_DRIVER, "§2.2",
		"the driver read 32 of the device's feature bits" },
	[VLAB_EV_FEATURES_WRITE] = { "features-write", VLAB_SIDE_DRIVER, "§2.2",
		"the driver wrote 32 of the feature bits it accepts" },
	[VLAB_EV_QUEUE_SETUP] = { "queue-setup", VLAB_SIDE_DRIVER, "§4.2.3.2",
		"the driver set a queue up: size, the three areas, QueueReady" },
	[VLAB_EV_QUEUE_REFUSED] = { "queue-refused", VLAB_SIDE_DEVICE, "§4.2.3.2",
		"the device refused a queue setup (size, alignment, areas)" },
	[VLAB_EV_CONFIG_READ] = { "config-read", VLAB_SIDE_DRIVER, "§2.5",
		"the driver read device configuration, generation checked" },
	[VLAB_EV_DESC_ADD] = { "add", VLAB_SIDE_DRIVER, "§2.7.13.1",
		"the driver wrote a descriptor (or an indirect table entry)" },
	[VLAB_EV_AVAIL_PUBLISH] = { "publish", VLAB_SIDE_DRIVER, "§2.7.13.3",
		"the driver published a chain: avail ring entry, then avail idx (split) or the head's flags (packed)" },
	[VLAB_EV_KICK] = { "kick", VLAB_SIDE_DRIVER, "§2.7.13.4",
		"the driver wrote QueueNotify: the device asked for this notification" },
	[VLAB_EV_KICK_SUPPRESSED] = { "kick-suppressed", VLAB_SIDE_DRIVER, "§2.7.10",
		"the driver skipped QueueNotify: the device said it need not be told" },
	[VLAB_EV_NOTIFY] = { "notify", VLAB_SIDE_DEVICE, "§4.2.3.3",
		"the device thread woke to a QueueNotify and looks at the ring" },
	[VLAB_EV_NOTIFY_IGNORED] = { "notify-ignored", VLAB_SIDE_DEVICE, "§4.2.3.3",
		"the device ignored a notification (no such queue, not live)" },
	[VLAB_EV_POP] = { "pop", VLAB_SIDE_DEVICE, "§2.7.6",
		"the device took a chain from the ring and checked every descriptor" },
	[VLAB_EV_USED] = { "used", VLAB_SIDE_DEVICE, "§2.7.8",
		"the device wrote a used element (split) or a used descriptor (packed)" },
	[VLAB_EV_USED_PUBLISH] = { "publish-used", VLAB_SIDE_DEVICE, "§2.7.8",
		"the device published used idx (split)" },
	[VLAB_EV_IRQ] = { "interrupt", VLAB_SIDE_DEVICE, "§4.2.3.4",
		"the device raised a used-buffer interrupt" },
	[VLAB_EV_IRQ_SUPPRESSED] = { "irq-suppressed", VLAB_SIDE_DEVICE, "§2.7.7",
		"the device skipped the interrupt: the driver said it need not be told" },
	[VLAB_EV_CONFIG_IRQ] = { "config-irq", VLAB_SIDE_DEVICE, "§2.1.2",
		"the device raised a configuration-change interrupt" },
	[VLAB_EV_DEVICE_ERROR] = { "device-error", VLAB_SIDE_DEVICE, "§2.1.2",
		"the device found a broken rule: DEVICE_NEEDS_RESET, the queue stops" },
	[VLAB_EV_CALLBACK] = { "callback", VLAB_SIDE_DRIVER, "§2.7.14",
		"the driver's callback runs in interrupt context (vring_interrupt)" },
	[VLAB_EV_GET_BUF] = { "get_buf", VLAB_SIDE_DRIVER, "§2.7.14",
		"the driver took a used buffer back and checked it" },
	[VLAB_EV_DETACH] = { "detach", VLAB_SIDE_DRIVER, "§3.3.1",
		"the driver took back a buffer the device never used (after reset)" },
	[VLAB_EV_QUEUE_BROKEN] = { "queue-broken", VLAB_SIDE_DRIVER, "§2.7.8",
		"the driver found the device misbehaving: the queue is broken" },
	[VLAB_EV_SLEEP] = { "sleep", VLAB_SIDE_DRIVER, "§2.7.14",
		"a guest thread sleeps (wait_for_completion, wait_event)" },
	[VLAB_EV_WAKE] = { "wake", VLAB_SIDE_DRIVER, "§2.7.14",
		"complete() or wake_up() lets a sleeping thread run again" },
	[VLAB_EV_DRIVER_EVENT] = { "driver-event", VLAB_SIDE_DRIVER, "§2.7.10",
		"the driver wrote a notification-suppression field: avail.flags, used_event, the packed driver event structure" },
	[VLAB_EV_DEVICE_EVENT] = { "device-event", VLAB_SIDE_DEVICE, "§2.7.10",
		"the device wrote a notification-suppression field: used.flags, avail_event, the packed device event structure" },
};

const char *vlab_event_kind_what(enum vlab_event_kind kind)
{
	return kind < VLAB_EV_COUNT ? kinds[kind].what : "";
}

const char *vlab_event_kind_spec(enum vlab_event_kind kind)
{
	return kind < VLAB_EV_COUNT ? kinds[kind].spec : "";
}

const char *vlab_event_kind_name(enum vlab_event_kind kind)
{
	return kind < VLAB_EV_COUNT ? kinds[kind].name : "?";
}

enum vlab_side vlab_event_side(enum vlab_event_kind kind)
{
	return kind < VLAB_EV_COUNT ? kinds[kind].side : VLAB_SIDE_DRIVER;
}

const char *vlab_event_spec(const struct vlab_event *ev)
{
	if (ev->spec)
		return ev->spec;
	return ev->kind < VLAB_EV_COUNT ? kinds[ev->kind].spec : "";
}

void vlab_thread_set_name(const char *name)
{
	thread_name = name;
}

const char *vlab_thread_name(void)
{
	return thread_name ? thread_name : "guest";
}

void vlab_trace_set_sink(vlab_trace_sink_fn *sink, void *opaque)
{
	pthread_mutex_lock(&trace_lock);
	trace_sink = sink;
	trace_opaque = opaque;
	trace_seq = 0;
	pthread_mutex_unlock(&trace_lock);
	vlab_trace_refresh();
}

void vlab_trace_refresh(void)
{
	int on;

	pthread_mutex_lock(&trace_lock);
	on = trace_sink != NULL || vlab_sched_is_lockstep();
	__atomic_store_n(&vlab_trace_on, on, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&trace_lock);
}

void vlab_trace_emit(const struct vlab_event *ev)
{
	pthread_mutex_lock(&trace_lock);
	if (trace_sink)
		trace_sink(ev, ++trace_seq, vlab_thread_name(), trace_opaque);
	pthread_mutex_unlock(&trace_lock);
	/* lockstep: the event is a point where another thread may run */
	vlab_sched_point();
}
