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
};

/** One entry per enum vlab_event_kind, in order. */
static const struct kind_info kinds[VLAB_EV_COUNT] = {
	[VLAB_EV_RESET] = { "reset", VLAB_SIDE_DRIVER, "§2.4" },
	[VLAB_EV_STATUS] = { "status", VLAB_SIDE_DRIVER, "§3.1.1" },
	[VLAB_EV_FEATURES_READ] = { "features-read", VLAB_SIDE_DRIVER, "§2.2" },
	[VLAB_EV_FEATURES_WRITE] = { "features-write", VLAB_SIDE_DRIVER, "§2.2" },
	[VLAB_EV_QUEUE_SETUP] = { "queue-setup", VLAB_SIDE_DRIVER, "§4.2.3.2" },
	[VLAB_EV_QUEUE_REFUSED] = { "queue-refused", VLAB_SIDE_DEVICE, "§4.2.3.2" },
	[VLAB_EV_CONFIG_READ] = { "config-read", VLAB_SIDE_DRIVER, "§2.5" },
	[VLAB_EV_DESC_ADD] = { "add", VLAB_SIDE_DRIVER, "§2.7.13.1" },
	[VLAB_EV_AVAIL_PUBLISH] = { "publish", VLAB_SIDE_DRIVER, "§2.7.13.3" },
	[VLAB_EV_KICK] = { "kick", VLAB_SIDE_DRIVER, "§2.7.13.4" },
	[VLAB_EV_KICK_SUPPRESSED] = { "kick-suppressed", VLAB_SIDE_DRIVER, "§2.7.10" },
	[VLAB_EV_NOTIFY] = { "notify", VLAB_SIDE_DEVICE, "§4.2.3.3" },
	[VLAB_EV_NOTIFY_IGNORED] = { "notify-ignored", VLAB_SIDE_DEVICE, "§4.2.3.3" },
	[VLAB_EV_POP] = { "pop", VLAB_SIDE_DEVICE, "§2.7.6" },
	[VLAB_EV_USED] = { "used", VLAB_SIDE_DEVICE, "§2.7.8" },
	[VLAB_EV_USED_PUBLISH] = { "publish-used", VLAB_SIDE_DEVICE, "§2.7.8" },
	[VLAB_EV_IRQ] = { "interrupt", VLAB_SIDE_DEVICE, "§4.2.3.4" },
	[VLAB_EV_IRQ_SUPPRESSED] = { "irq-suppressed", VLAB_SIDE_DEVICE, "§2.7.7" },
	[VLAB_EV_CONFIG_IRQ] = { "config-irq", VLAB_SIDE_DEVICE, "§2.1.2" },
	[VLAB_EV_DEVICE_ERROR] = { "device-error", VLAB_SIDE_DEVICE, "§2.1.2" },
	[VLAB_EV_CALLBACK] = { "callback", VLAB_SIDE_DRIVER, "§2.7.14" },
	[VLAB_EV_GET_BUF] = { "get_buf", VLAB_SIDE_DRIVER, "§2.7.14" },
	[VLAB_EV_DETACH] = { "detach", VLAB_SIDE_DRIVER, "§3.3.1" },
	[VLAB_EV_QUEUE_BROKEN] = { "queue-broken", VLAB_SIDE_DRIVER, "§2.7.8" },
	[VLAB_EV_SLEEP] = { "sleep", VLAB_SIDE_DRIVER, "§2.7.14" },
	[VLAB_EV_WAKE] = { "wake", VLAB_SIDE_DRIVER, "§2.7.14" },
	[VLAB_EV_DRIVER_EVENT] = { "driver-event", VLAB_SIDE_DRIVER, "§2.7.10" },
	[VLAB_EV_DEVICE_EVENT] = { "device-event", VLAB_SIDE_DEVICE, "§2.7.10" },
};

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
