/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief What the two pictures of a queue share (ringview.c draws text,
 * ringview_dot.c Graphviz): which entries are worth showing and how
 * flags read. Private to tools/vlab/.
 */
#ifndef VLAB_TOOLS_RINGVIEW_ROWS_H
#define VLAB_TOOLS_RINGVIEW_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tools/vlab/ringview.h"

/** Fill colour of a changed field in the Graphviz pictures. */
#define CHANGED_FILL "#ffe066"
/** Most entries of an indirect table shown under its descriptor. */
#define TABLE_ROWS 16

/** The rows of one queue worth showing, and which of them changed. */
struct rows {
	bool *desc;		/**< descriptor (or packed slot) shown */
	bool *avail;		/**< split: avail ring entry shown */
	bool *used;		/**< split: used ring entry shown */
};

/**
 * rv_comparable() - whether @p before describes the same queue layout as
 * @p now, so that a field-by-field comparison means something.
 * @param now the snapshot shown.
 * @param before the previous one, or NULL.
 * @return true when changes can be marked.
 */
bool rv_comparable(const struct vlab_ringview *now,
		   const struct vlab_ringview *before);

/**
 * rv_pick_rows() - choose the entries to show: those in flight and
 * those the event changed.
 * @param now the snapshot.
 * @param before the previous one, or NULL.
 * @param r receives the choice; free with rv_free_rows().
 * @return 0 or -ENOMEM.
 */
int rv_pick_rows(const struct vlab_ringview *now,
		 const struct vlab_ringview *before, struct rows *r);

/**
 * rv_free_rows() - release what rv_pick_rows() allocated.
 * @param r the rows.
 */
void rv_free_rows(struct rows *r);

/**
 * rv_mark() - whether a shared field is marked: listed by the event the
 * snapshot follows, or (with no such event) changed since the last one.
 * tests/writes.sh shows the two agree on every byte that changed.
 * @param now the snapshot.
 * @param changed whether its value changed.
 * @param area the field (for a descriptor: its part, or
 *	VLAB_FIELD_DESC for any part).
 * @param index the element, for arrays.
 * @return true to mark it.
 */
bool rv_mark(const struct vlab_ringview *now, bool changed,
	     enum vlab_field_area area, unsigned int index);

/**
 * rv_flags_text() - descriptor flags as names.
 * @param flags VRING_DESC_F_* bits, and AVAIL/USED for packed.
 * @param buf receives e.g. "NEXT|WRITE|AVAIL".
 * @param size size of @p buf.
 * @return @p buf.
 */
const char *rv_flags_text(uint16_t flags, char *buf, size_t size);

/**
 * rv_event_flags_text() - a packed event structure's flags (§2.8.10).
 * @param flags RING_EVENT_FLAGS_* value.
 * @return its name.
 */
const char *rv_event_flags_text(uint16_t flags);

#endif /* VLAB_TOOLS_RINGVIEW_ROWS_H */
