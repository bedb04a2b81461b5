/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief The machine's end of the trace: numbering events, handing them
 * to the one sink installed, and the table of event kinds (name, side,
 * spec section). The sinks themselves belong to the vlab command
 * (tools/vlab/sinks.h).
 *
 * What an event is, and the call that emits one, are the boundary's
 * (virtio/shared/trace_event.h): the guest kernel emits events through it
 * without seeing any of this.
 */
#ifndef VLAB_SIM_TRACE_H
#define VLAB_SIM_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio/shared/trace_event.h"

/**
 * A trace sink: receives every event in order while tracing is on.
 * @param ev the event.
 * @param seq its number, from 1.
 * @param thread the simulated thread that made it.
 * @param opaque the sink's own pointer.
 */
typedef void vlab_trace_sink_fn(const struct vlab_event *ev, uint64_t seq,
				const char *thread, void *opaque);

/**
 * vlab_trace_set_sink() - install a sink, or remove it with NULL.
 * @param sink the sink.
 * @param opaque passed back to it.
 *
 * Installing resets the event counter to 1.
 */
void vlab_trace_set_sink(vlab_trace_sink_fn *sink, void *opaque);

/**
 * vlab_event_kind_name() - short name of a kind, e.g. "kick".
 * @param kind the kind.
 * @return the name.
 */
const char *vlab_event_kind_name(enum vlab_event_kind kind);

/**
 * vlab_event_kind_what() - one line on what an event of a kind means:
 * the event reference (`vlab events`, the book's page) prints it.
 * @param kind the kind.
 * @return the line.
 */
const char *vlab_event_kind_what(enum vlab_event_kind kind);

/**
 * vlab_event_kind_spec() - the virtio 1.2 section a kind follows by
 * default (an event may name another, see vlab_event_spec()).
 * @param kind the kind.
 * @return e.g. "§2.7.13.4".
 */
const char *vlab_event_kind_spec(enum vlab_event_kind kind);

/**
 * vlab_event_side() - which side makes events of a kind.
 * @param kind the kind.
 * @return driver or device.
 */
enum vlab_side vlab_event_side(enum vlab_event_kind kind);

/**
 * vlab_event_spec() - the virtio 1.2 section an event follows.
 * @param ev the event.
 * @return e.g. "§2.7.13.4".
 */
const char *vlab_event_spec(const struct vlab_event *ev);

/**
 * vlab_trace_refresh() - recompute @c vlab_trace_on after a sink or the
 * schedule changed.
 */
void vlab_trace_refresh(void);

#endif /* VLAB_SIM_TRACE_H */
