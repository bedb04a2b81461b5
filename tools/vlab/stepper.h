/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Watching the machine event by event: the interactive stepper and
 * the Graphviz snapshot writer.
 *
 * Both are trace sinks for the lockstep schedule: while one of them runs,
 * every other thread of the machine waits for the token, so the rings
 * they show are exactly the rings after the event, not a moment later.
 * Each keeps the previous snapshot of every queue, so that it can mark
 * what the event changed.
 */
#ifndef VLAB_TOOLS_STEPPER_H
#define VLAB_TOOLS_STEPPER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/machine.h"
#include "tools/vlab/ringview.h"
#include "sim/trace.h"
#include "tools/vlab/sinks.h"

/** Most queues per device the stepper follows. */
#define VLAB_STEP_QUEUES 8

/** The last snapshot of every queue of a machine. */
struct vlab_ring_tracker {
	struct vlab_machine *m;	/**< the machine watched */
	/** previous snapshot, by device slot and queue */
	struct vlab_ringview prev[VLAB_MAX_DEVICES][VLAB_STEP_QUEUES];
	struct vlab_ringview now; /**< scratch for the current one */
};

/** The interactive stepper of `vlab step`. */
struct vlab_stepper {
	struct vlab_ring_tracker rings; /**< snapshots */
	FILE *in;		/**< commands (a terminal or a pipe) */
	FILE *out;		/**< what it shows */
	bool colour;		/**< mark changes in colour */
	bool echo_off;		/**< commands come from a terminal, which
				     echoes them itself */
	bool quit;		/**< `q` or end of input: stop showing */
	bool cont;		/**< `c`: run to the next breakpoint */
	long steps;		/**< --steps N: events left to show, or -1 */
	uint64_t breaks;	/**< bit per enum vlab_event_kind */
	struct vlab_event_counts counts; /**< events so far, for `s` */
};

/**
 * vlab_stepper_init() - a stepper for machine @p m.
 * @param st the stepper.
 * @param m the machine.
 * @param in commands come from here.
 * @param out the display goes here.
 * @param steps show this many events without asking, then stop; -1 to
 * ask after each event.
 */
void vlab_stepper_init(struct vlab_stepper *st, struct vlab_machine *m,
		       FILE *in, FILE *out, long steps);

/**
 * vlab_stepper_fini() - release the stepper's snapshots.
 * @param st the stepper.
 */
void vlab_stepper_fini(struct vlab_stepper *st);

/**
 * vlab_stepper_sink() - the trace sink: show the event, the rings of its
 * queue, and wait for a command.
 * @param ev the event.
 * @param seq its number.
 * @param thread the thread that made it.
 * @param opaque the struct vlab_stepper.
 */
void vlab_stepper_sink(const struct vlab_event *ev, uint64_t seq,
		       const char *thread, void *opaque);

/** The Graphviz writer of `--dot DIR`. */
struct vlab_dot_writer {
	struct vlab_ring_tracker rings; /**< snapshots */
	const char *dir;	/**< where the .dot files go */
	unsigned long files;	/**< files written */
	int error;		/**< first errno from writing, or 0 */
};

/**
 * vlab_dot_writer_init() - a writer into @p dir, which must exist.
 * @param w the writer.
 * @param m the machine.
 * @param dir the directory.
 */
void vlab_dot_writer_init(struct vlab_dot_writer *w, struct vlab_machine *m,
			  const char *dir);

/**
 * vlab_dot_writer_fini() - release the writer's snapshots.
 * @param w the writer.
 */
void vlab_dot_writer_fini(struct vlab_dot_writer *w);

/**
 * vlab_dot_event() - write one file, DIR/event-NNNN.dot: the event as the
 * title and every queue of its device, changed fields filled.
 * @param w the writer.
 * @param ev the event.
 * @param seq its number.
 * @param thread the thread that made it.
 */
void vlab_dot_event(struct vlab_dot_writer *w, const struct vlab_event *ev,
		    uint64_t seq, const char *thread);

#endif /* VLAB_TOOLS_STEPPER_H */
