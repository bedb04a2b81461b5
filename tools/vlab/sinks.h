/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief The vlab command's trace sinks: the human-readable text line,
 * the JSON lines object, and counts by queue and kind. The stepper
 * (stepper.h) and the Graphviz writer (dot.h) are sinks too; run.c fans
 * every event out to those that are on.
 */
#ifndef VLAB_TOOLS_SINKS_H
#define VLAB_TOOLS_SINKS_H

#include <stdint.h>
#include <stdio.h>

#include "sim/trace.h"

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
 * vlab_trace_line() - one event as an aligned text line: number, thread,
 * side, device, queue, kind, spec section, then @p text (what changed),
 * as the text and canonical sinks both print it.
 * @param out where to.
 * @param ev the event.
 * @param seq its number.
 * @param thread the thread that made it.
 * @param text what changed, already formatted.
 */
void vlab_trace_line(FILE *out, const struct vlab_event *ev, uint64_t seq,
		     const char *thread, const char *text);

/**
 * vlab_event_counts_json() - the counts of vlab_event_counts_print() as
 * a JSON array, one object per queue, for the result line of JSON lines.
 * @param out where to.
 * @param c the counts.
 * @param nq queues to show.
 */
void vlab_event_counts_json(FILE *out, const struct vlab_event_counts *c,
			    unsigned int nq);

/**
 * vlab_json_string() - print a JSON string with every character that
 * JSON must escape escaped; NULL prints null.
 * @param out where to.
 * @param s the text, or NULL.
 */
void vlab_json_string(FILE *out, const char *s);

/**
 * vlab_events_reference() - the reference page of every event kind, as
 * Markdown (Doxygen page "events"): name, side, section, meaning, from
 * the same table the sinks use, so it cannot drift.
 * @param out where to.
 */
void vlab_events_reference(FILE *out);

#endif /* VLAB_TOOLS_SINKS_H */
