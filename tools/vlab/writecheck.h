/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief `vlab run --check-writes`: proves, event by event, that every
 * byte of shared ring memory that changed was listed by the event that
 * followed the write, and that each listed field holds what the event
 * says.
 *
 * The trace promises a learner that nothing in the rings moves unseen.
 * In lockstep only one simulated thread runs between two events, so the
 * bytes that changed between event N-1 and event N were written by event
 * N's thread: this checker keeps a copy of every ring (descriptor table,
 * avail/used rings and their event words, packed event structures, and
 * every indirect table while its buffer is out), compares after each
 * event, and reports any change the event does not list.
 */
#ifndef VLAB_TOOLS_WRITECHECK_H
#define VLAB_TOOLS_WRITECHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/machine.h"
#include "virtio/shared/trace_event.h"

/** Most queues (over all devices) the checker follows. */
#define VLAB_WC_QUEUES 16
/** Most indirect tables out at once. */
#define VLAB_WC_TABLES 512
/** Violations printed in full; the rest are only counted. */
#define VLAB_WC_SHOWN 10

/** One region of ring memory and the copy it is compared against. */
struct vlab_wc_region {
	uint64_t gpa;		/**< first byte */
	uint32_t len;		/**< bytes */
	uint8_t *copy;		/**< its bytes after the last event */
};

/** One queue's rings, as its queue-setup event described them. */
struct vlab_wc_queue {
	bool live;		/**< followed */
	int dev;		/**< device slot in the machine */
	int index;		/**< queue index */
	bool packed;		/**< layout */
	uint32_t num;		/**< entries */
	/** desc, driver and device areas */
	struct vlab_wc_region area[3];
};

/** An indirect table while its buffer is out. */
struct vlab_wc_table {
	bool live;		/**< followed */
	int dev;		/**< device slot */
	int queue;		/**< queue index */
	int id;			/**< head or buffer id; -1 until linked */
	struct vlab_wc_region r; /**< its entries */
};

/** The checker's state over one run. */
struct vlab_writecheck {
	const struct vlab_machine *m;	/**< whose RAM */
	FILE *out;			/**< where violations go */
	struct vlab_wc_queue q[VLAB_WC_QUEUES]; /**< rings followed */
	struct vlab_wc_table t[VLAB_WC_TABLES]; /**< tables followed */
	/**
	 * Per device slot: reset, and no queue set up since. Its rings are
	 * no longer shared (§2.4: a reset device uses none), so a field
	 * the driver lists there while it takes buffers back is not one
	 * the device can see, and is not checked.
	 */
	bool reset[VLAB_MAX_DEVICES];
	uint64_t events;		/**< events checked */
	uint64_t bytes;			/**< ring bytes seen to change */
	uint64_t fields;		/**< fields listed */
	uint64_t violations;		/**< unlisted changes, bad values */
};

/**
 * vlab_writecheck_init() - start checking a run.
 * @param wc the checker.
 * @param m the machine whose RAM holds the rings.
 * @param out where to print violations (standard error).
 */
void vlab_writecheck_init(struct vlab_writecheck *wc,
			  const struct vlab_machine *m, FILE *out);

/**
 * vlab_writecheck_event() - compare the rings after one event with the
 * copies taken after the previous one; then take new copies.
 * @param wc the checker.
 * @param ev the event.
 * @param seq its number.
 */
void vlab_writecheck_event(struct vlab_writecheck *wc,
			   const struct vlab_event *ev, uint64_t seq);

/**
 * vlab_writecheck_fini() - print the summary line and free the copies.
 * @param wc the checker.
 * @return 0 when every change was listed, 1 otherwise.
 */
int vlab_writecheck_fini(struct vlab_writecheck *wc);

#endif /* VLAB_TOOLS_WRITECHECK_H */
