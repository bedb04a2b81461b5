/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief `vlab run --fault NAME`: play a hostile device or a hostile
 * driver against the reference code, so a learner can watch each defence
 * of the reliability catalogue (docs/reliability.md) happen.
 *
 * A device fault (the R-rules) switches on one misbehaviour of the
 * device model (struct vlab_faults) before the guest boots. A driver fault
 * (the D-rules) plays the driver that breaks a ring rule: when the
 * reference driver publishes its first buffer, and before the device may
 * look (lockstep: nothing else runs until the next event), the ring is
 * rewritten the way a buggy or hostile driver would have written it.
 */
#ifndef VLAB_TOOLS_FAULTS_H
#define VLAB_TOOLS_FAULTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/device.h"
#include "sim/machine.h"
#include "virtio/shared/trace_event.h"

/** One fault: its name, the rule it breaks, and where it applies. */
struct vlab_fault {
	const char *name;	/**< e.g. "bad-used-id" */
	const char *rule;	/**< the catalogue's rule, e.g. "R1" */
	bool driver;		/**< played by the driver (D), else device (R) */
	bool split_only;	/**< only the split layout has the field */
	bool packed_only;	/**< only the packed layout has the rule */
	const char *what;	/**< one line for --help */
};

/** A driver fault in progress: where queue 0's rings are, done or not. */
struct vlab_fault_state {
	const struct vlab_fault *f;	/**< the fault, or NULL */
	const struct vlab_machine *m;	/**< whose RAM */
	bool have_queue;		/**< queue 0 was set up */
	bool packed;			/**< its layout */
	uint32_t num;			/**< its size */
	uint64_t desc;			/**< its descriptor area */
	uint64_t driver;		/**< its driver area */
	uint64_t device;		/**< its device area */
	bool done;			/**< the ring was rewritten */
};

/**
 * vlab_fault_find() - a fault by name.
 * @param name the name given to --fault.
 * @return the fault, or NULL.
 */
const struct vlab_fault *vlab_fault_find(const char *name);

/**
 * vlab_fault_help() - every fault, one per line, for `vlab --help`.
 * @param out where to.
 */
void vlab_fault_help(FILE *out);

/**
 * vlab_fault_arm() - before the guest boots: switch a device fault on in
 * the device model; a driver fault only starts watching the trace.
 * @param st the state to fill.
 * @param f the fault.
 * @param dev the device.
 * @param m the machine.
 */
void vlab_fault_arm(struct vlab_fault_state *st, const struct vlab_fault *f,
		    struct vlab_device *dev, const struct vlab_machine *m);

/**
 * vlab_fault_event() - called for every event (from the trace sink):
 * learns queue 0's rings, and at the first publish on it rewrites them
 * as the driver fault says.
 * @param st the state.
 * @param ev the event.
 */
void vlab_fault_event(struct vlab_fault_state *st,
		      const struct vlab_event *ev);

#endif /* VLAB_TOOLS_FAULTS_H */
