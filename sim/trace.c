// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The machine's end of the trace: event numbering and the one
 * sink that is installed (the kind table is sim/trace_kinds.c).
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
