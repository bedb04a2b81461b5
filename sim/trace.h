/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief The machine's end of the trace: numbering events, handing them
 * to a sink, counting them, and formatting them as text or JSON lines.
 *
 * What an event is, and the call that emits one, are the boundary's
 * (virtio/shared/trace_event.h): the guest kernel emits events through it
 * without seeing any of this.
 */
#ifndef VLAB_SIM_TRACE_H
#define VLAB_SIM_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

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
 * vlab_trace_text_sink() - the human-readable sink: one line per event.
 * @param ev the event.
 * @param seq its number.
 * @param thread the thread that made it.
 * @param opaque a FILE * to write to.
 */
void vlab_trace_text_sink(const struct vlab_event *ev, uint64_t seq,
			  const char *thread, void *opaque);

/**
 * vlab_trace_jsonl_sink() - the machine-readable sink: one JSON object per
 * line with every field of the event (see the README for the keys).
 * @param ev the event.
 * @param seq its number.
 * @param thread the thread that made it.
 * @param opaque a FILE * to write to.
 */
void vlab_trace_jsonl_sink(const struct vlab_event *ev, uint64_t seq,
			   const char *thread, void *opaque);

/** Most queues a struct vlab_event_counts keeps counts for. */
#define VLAB_COUNT_QUEUES 8

/** Events by queue and kind: what `--stats` and the stepper's `s` show. */
struct vlab_event_counts {
	unsigned long n[VLAB_COUNT_QUEUES][VLAB_EV_COUNT]; /**< by queue, kind */
};

/**
 * vlab_event_counts_add() - count one event (device-wide events and
 * queues past VLAB_COUNT_QUEUES are not counted).
 * @param c the counts.
 * @param ev the event.
 */
void vlab_event_counts_add(struct vlab_event_counts *c,
			   const struct vlab_event *ev);

/**
 * vlab_event_counts_print() - one line per queue: buffers, kicks sent
 * and suppressed, interrupts sent and suppressed, buffers taken back.
 * @param out where to.
 * @param c the counts.
 * @param nq queues to show.
 * @param prefix printed before every line, e.g. "# stats: ".
 */
void vlab_event_counts_print(FILE *out, const struct vlab_event_counts *c,
			     unsigned int nq, const char *prefix);

/**
 * vlab_trace_text_header() - the column names of the text sink's lines.
 * @param out where to print them.
 */
void vlab_trace_text_header(FILE *out);

/**
 * vlab_trace_format() - the text of one event, without number or thread.
 * @param ev the event.
 * @param buf receives a NUL-terminated line without newline.
 * @param size size of @p buf.
 */
void vlab_trace_format(const struct vlab_event *ev, char *buf, size_t size);

/**
 * vlab_event_kind_name() - short name of a kind, e.g. "kick".
 * @param kind the kind.
 * @return the name.
 */
const char *vlab_event_kind_name(enum vlab_event_kind kind);

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
