/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Canonical traces: guest-physical addresses named by what they
 * belong to, so that two correct drivers that allocate differently give
 * the same trace, and a lab's trace can be compared with the reference's.
 *
 * The ring areas a queue-setup event announces are named
 * DEVICE.qN.desc, .driver and .device. Every other address is named by
 * the guest kernel allocation that holds it (guest_mem_block()), in the
 * order the trace first meets them: buf0, buf1, ..., plus the offset into
 * it (buf1+0x10). An address outside every live allocation (memory
 * already freed, say) keeps its number.
 *
 * Descriptor indices, ids and ring indices stay as they are. The spec
 * lets a driver take free descriptors in any order, but every driver here
 * runs on the same virtio core, whose free list decides the order; a
 * driver can only change it by adding in another order, which is a
 * different conversation and should compare different.
 */
#ifndef VLAB_TOOLS_CANON_H
#define VLAB_TOOLS_CANON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/trace.h"

/** Most names one trace gives out. */
#define VLAB_CANON_NAMES 256

/** One named range of guest-physical addresses. */
struct vlab_canon_name {
	uint64_t base;		/**< its first address */
	uint64_t size;		/**< its size, 0 for a ring area (open end) */
	char name[32];		/**< e.g. "buf3" or "rng0.q0.desc" */
};

/** The names given out so far in one trace. */
struct vlab_canon {
	struct vlab_canon_name names[VLAB_CANON_NAMES]; /**< by first use */
	unsigned int n;		/**< how many */
	unsigned int bufs;	/**< the next bufN */
};

/**
 * vlab_canon_reset() - forget every name: a new trace starts.
 * @param c the names.
 */
void vlab_canon_reset(struct vlab_canon *c);

/**
 * vlab_canon_format() - the text of an event as vlab_event_format()
 * gives it, with every guest-physical address named.
 * @param c the names (new ones are added).
 * @param ev the event; called while it happens, so the allocations it
 *	names are still live.
 * @param buf receives the line.
 * @param size room in @p buf.
 */
void vlab_canon_format(struct vlab_canon *c, const struct vlab_event *ev,
		       char *buf, size_t size);

/**
 * vlab_trace_canon_sink() - the text sink's lines in canonical form: the
 * same columns, addresses named.
 * @param ev the event.
 * @param seq its number.
 * @param thread its thread.
 * @param opaque a struct vlab_canon_out.
 */
void vlab_trace_canon_sink(const struct vlab_event *ev, uint64_t seq,
			   const char *thread, void *opaque);

/** Where vlab_trace_canon_sink() writes, and its names. */
struct vlab_canon_out {
	FILE *out;		/**< the stream */
	struct vlab_canon names; /**< the names of this trace */
};

/**
 * vlab_trace_diff() - compare two traces (text or canonical, as files),
 * event lines only: the first event that differs, with both lines.
 * @param a the first file.
 * @param b the second file.
 * @param out where the report goes.
 * @return 0 when every event matches, 1 when one differs, 2 when a file
 * cannot be read (the reason is printed on stderr).
 */
int vlab_trace_diff(const char *a, const char *b, FILE *out);

#endif /* VLAB_TOOLS_CANON_H */
