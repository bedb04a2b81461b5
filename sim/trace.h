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
#include <stddef.h>
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

/** How a kind's named value is stored, so sinks can print any of them. */
enum vlab_arg_type {
	VLAB_ARG_U8,	/**< uint8_t */
	VLAB_ARG_U16,	/**< uint16_t */
	VLAB_ARG_U32,	/**< uint32_t */
	VLAB_ARG_U64,	/**< uint64_t */
	VLAB_ARG_ADDR,	/**< uint64_t guest-physical address */
	VLAB_ARG_STR,	/**< const char *, may be NULL */
	VLAB_ARG_SUPP,	/**< enum vlab_supp_field, printed by name */
};

/**
 * One named value of a kind: where it sits in struct vlab_event, so the
 * JSON sink and the reference page need no code of their own per kind.
 */
struct vlab_event_arg {
	const char *name;	/**< JSON key, e.g. "addr" */
	enum vlab_arg_type type; /**< how it is stored */
	size_t offset;		/**< offsetof() in struct vlab_event */
	const char *doc;	/**< one line for the reference page */
};

/**
 * What every event of one kind has in common: the one table that the
 * sinks, the stepper and the reference page all read (sim/trace_kinds.c).
 */
struct vlab_kind_info {
	const char *name;	/**< short name, e.g. "kick" */
	enum vlab_side side;	/**< who acts */
	const char *spec;	/**< virtio 1.2 section followed */
	const char *what;	/**< one line for the reference page */
	const char *before;	/**< what @c before holds, or NULL */
	const char *after;	/**< what @c after holds, or NULL */
	/** The sentence of the text trace. */
	void (*format)(const struct vlab_event *ev, char *buf, size_t size);
	const struct vlab_event_arg *args; /**< named values, or NULL */
	unsigned int nargs;	/**< entries of @c args */
};

/**
 * vlab_event_kind_info() - the table entry of a kind.
 * @param kind the kind.
 * @return the entry, NULL for a kind out of range.
 */
const struct vlab_kind_info *vlab_event_kind_info(enum vlab_event_kind kind);

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
 * vlab_event_format() - the sentence a text trace prints for an event,
 * from its kind's entry in the table.
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
void vlab_event_format(const struct vlab_event *ev, char *buf, size_t size);

/**
 * vlab_event_arg_value() - a numeric named value of an event.
 * @param ev the event.
 * @param arg one of its kind's args (not a string).
 * @return the value.
 */
uint64_t vlab_event_arg_value(const struct vlab_event *ev,
			      const struct vlab_event_arg *arg);

/**
 * vlab_event_arg_string() - a named value that is text.
 * @param ev the event.
 * @param arg one of its kind's args.
 * @return the text (NULL when unset or when @p arg is a number).
 */
const char *vlab_event_arg_string(const struct vlab_event *ev,
				  const struct vlab_event_arg *arg);

/**
 * vlab_field_name() - the name of a shared-memory field an event lists,
 * as the spec names it: "desc[3].flags", "avail.idx", "used_event".
 * @param ev the event (its layout words desc[].next as .id for packed).
 * @param f the field.
 * @param buf receives the name.
 * @param size room in @p buf.
 */
void vlab_field_name(const struct vlab_event *ev, const struct vlab_field *f,
		     char *buf, size_t size);

/**
 * vlab_trace_refresh() - recompute @c vlab_trace_on after a sink or the
 * schedule changed.
 */
void vlab_trace_refresh(void);

#endif /* VLAB_SIM_TRACE_H */
