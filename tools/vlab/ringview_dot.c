// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief A queue as a Graphviz cluster, in a fixed layout: the ring
 * structures, the device's counters and the driver's own state in one
 * left column, the descriptor table right of it, edges from ring entries
 * to the chains they name.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "sim/device.h"
#include "tools/vlab/ringview.h"
#include "tools/vlab/ringview_rows.h"

/**
 * td() - one table cell of a Graphviz HTML label.
 * @param out where to.
 * @param changed fill it to show the event changed it.
 * @param port the cell's port name, or NULL.
 * @param fmt printf format of its text.
 */
static void __attribute__((format(printf, 4, 5)))
td(FILE *out, bool changed, const char *port, const char *fmt, ...)
{
	va_list ap;

	fputs("<TD", out);
	if (port)
		fprintf(out, " PORT=\"%s\"", port);
	if (changed)
		fputs(" BGCOLOR=\"" CHANGED_FILL "\"", out);
	fputc('>', out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputs("</TD>", out);
}

/** Opening of every table node. */
#define TABLE_OPEN "[shape=plaintext, label=<<TABLE BORDER=\"0\" " \
	"CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"3\">"
/** Closing of every table node. */
#define TABLE_CLOSE "</TABLE>>];\n"
/** A table inside the left column's node (column_open()). */
#define INNER_OPEN "<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" " \
	"CELLPADDING=\"3\">"
/** Its end, and the start of the column's next cell. */
#define INNER_NEXT "</TABLE></TD></TR><TR><TD>\n"

/**
 * column_open() - the left column of a queue's picture: one node holding
 * the ring structures and the device's counters, one under the other, so
 * they stand in the same place in every frame; the descriptor table
 * stands to its right, where every edge from a ring entry points.
 * @param out where to.
 * @param q the queue's node prefix.
 */
static void column_open(FILE *out, const char *q)
{
	fprintf(out, "  %s_rings [shape=plaintext, label=<<TABLE BORDER=\"0\" "
		"CELLSPACING=\"10\"><TR><TD>\n", q);
}

/**
 * column_close() - end the left column and put the table right of it.
 * @param out where to.
 * @param q the queue's node prefix.
 */
static void column_close(FILE *out, const char *q)
{
	fprintf(out, "</TABLE></TD></TR></TABLE>>];\n"
		"  %s_rings -> %s_desc [style=invis];\n", q, q);
}

/**
 * dot_descs() - the descriptor table (split) or ring (packed) as one
 * Graphviz table; row i has port "d<i>" for the edges.
 * @param out where to.
 * @param q node name prefix.
 * @param now the snapshot.
 * @param b the previous one when rv_comparable, else NULL.
 * @param r the rows to show.
 */
static void dot_descs(FILE *out, const char *q, const struct vlab_ringview *now,
		      const struct vlab_ringview *b, const struct rows *r)
{
	unsigned int i;
	char port[16], tail[16], f[64];

	fprintf(out, "  %s_desc " TABLE_OPEN "<TR><TD COLSPAN=\"5\"><B>%s</B> (%s)</TD></TR>"
		"<TR><TD>i</TD><TD>addr</TD><TD>len</TD><TD>flags</TD><TD>%s</TD></TR>\n",
		q, now->packed ? "descriptor ring" : "descriptor table",
		now->packed ? "§2.8.13" : "§2.7.5", now->packed ? "id" : "next");
	for (i = 0; i < now->num; i++) {
		const struct vlab_ringview_desc *d = &now->desc[i];
		const struct vlab_ringview_desc *o = b ? &b->desc[i] : NULL;

		if (!r->desc[i])
			continue;
		/* d: where ring entries point; n: where chains leave, right */
		snprintf(port, sizeof(port), "d%u", i);
		snprintf(tail, sizeof(tail), "n%u", i);
		fputs("<TR>", out);
		td(out, false, port, "%u", i);
		td(out, rv_mark(now, o && o->addr != d->addr, VLAB_FIELD_DESC_ADDR, i),
	   NULL, "0x%" PRIx64, d->addr);
		td(out, rv_mark(now, o && o->len != d->len, VLAB_FIELD_DESC_LEN, i),
	   NULL, "%u", d->len);
		td(out, rv_mark(now, o && o->flags != d->flags,
			   VLAB_FIELD_DESC_FLAGS, i), NULL, "%s",
		   rv_flags_text(d->flags, f, sizeof(f)));
		td(out, rv_mark(now, o && o->tag != d->tag, VLAB_FIELD_DESC_ID, i),
	   tail, "%u", d->tag);
		fputs("</TR>\n", out);
	}
	fputs(TABLE_CLOSE, out);
}

/**
 * dot_driver() - the driver's private state as one more table of the
 * left column (nothing when the guest has no such queue).
 * @param out where to.
 * @param now the snapshot.
 * @param b the previous one, or NULL.
 */
static void dot_driver(FILE *out, const struct vlab_ringview *now,
		       const struct vlab_ringview *b)
{
	const struct guest_vq_private *d = &now->drv;
	const struct guest_vq_private *o = b && b->drv_known ? &b->drv : NULL;

	if (!now->drv_known)
		return;
	fputs(INNER_NEXT INNER_OPEN "<TR><TD COLSPAN=\"2\"><B>driver</B> (its own)</TD></TR><TR><TD>last_used</TD>",
	      out);
	td(out, o && o->last_used != d->last_used, NULL, "%u%s", d->last_used,
	   d->packed ? (d->used_wrap ? " wrap 1" : " wrap 0") : "");
	if (d->packed) {
		fputs("</TR><TR><TD>next_avail</TD>", out);
		td(out, o && (o->next_avail != d->next_avail ||
			      o->avail_wrap != d->avail_wrap), NULL, "%u wrap %d",
		   d->next_avail, d->avail_wrap);
	}
	fputs("</TR><TR><TD>free_head</TD>", out);
	td(out, o && o->free_head != d->free_head, NULL, "%u", d->free_head);
	fputs("</TR><TR><TD>num_free</TD>", out);
	td(out, o && o->num_free != d->num_free, NULL, "%u", d->num_free);
	fputs("</TR>", out);
}

/**
 * dot_split() - a split queue's rings and their links to the table.
 * @param out where to.
 * @param q node name prefix.
 * @param now the snapshot.
 * @param b the previous one when rv_comparable, else NULL.
 * @param r the rows to show.
 */
static void dot_split(FILE *out, const char *q,
		      const struct vlab_ringview *now,
		      const struct vlab_ringview *b, const struct rows *r)
{
	unsigned int i;
	char port[16];

	column_open(out, q);
	fputs(INNER_OPEN "<TR><TD COLSPAN=\"2\"><B>avail ring</B> (§2.7.6)</TD></TR><TR><TD>flags</TD>",
	      out);
	td(out, rv_mark(now, b && b->avail_flags != now->avail_flags,
			VLAB_FIELD_AVAIL_FLAGS, 0), NULL, "%s",
	   now->avail_flags & VRING_AVAIL_F_NO_INTERRUPT ? "NO_INTERRUPT" :
	   "0");
	fputs("</TR><TR><TD>idx</TD>", out);
	td(out, rv_mark(now, b && b->avail_idx != now->avail_idx,
			VLAB_FIELD_AVAIL_IDX, 0), NULL, "%u",
	   now->avail_idx);
	fputs("</TR>\n", out);
	for (i = 0; i < now->num; i++) {
		if (!r->avail[i])
			continue;
		snprintf(port, sizeof(port), "a%u", i);
		fprintf(out, "<TR><TD>ring[%u]</TD>", i);
		td(out, rv_mark(now, b && b->avail_ring[i] != now->avail_ring[i],
			    VLAB_FIELD_AVAIL_RING, i), port,
		   "%u", now->avail_ring[i]);
		fputs("</TR>\n", out);
	}
	if (now->event_idx) {
		fputs("<TR><TD>used_event</TD>", out);
		td(out, rv_mark(now, b && b->used_event != now->used_event,
			    VLAB_FIELD_USED_EVENT, 0), NULL, "%u",
		   now->used_event);
		fputs("</TR>", out);
	}
	fputs(INNER_NEXT INNER_OPEN "<TR><TD COLSPAN=\"3\"><B>used ring</B> (§2.7.8)</TD></TR><TR><TD>flags</TD>",
	      out);
	td(out, rv_mark(now, b && b->used_flags != now->used_flags,
			VLAB_FIELD_USED_FLAGS, 0), NULL, "%s",
	   now->used_flags & VRING_USED_F_NO_NOTIFY ? "NO_NOTIFY" : "0");
	fputs("<TD></TD></TR><TR><TD>idx</TD>", out);
	td(out, rv_mark(now, b && b->used_idx != now->used_idx,
			VLAB_FIELD_USED_IDX, 0), NULL, "%u", now->used_idx);
	fputs("<TD></TD></TR>\n", out);
	for (i = 0; i < now->num; i++) {
		const struct vring_used_elem *u = &now->used_ring[i];

		if (!r->used[i])
			continue;
		snprintf(port, sizeof(port), "u%u", i);
		fprintf(out, "<TR><TD>ring[%u]</TD>", i);
		/* the edge leaves from the row's last cell, past its text */
		td(out, rv_mark(now, b && b->used_ring[i].id != u->id,
			    VLAB_FIELD_USED_RING, i), NULL, "id %u", u->id);
		td(out, rv_mark(now, b && b->used_ring[i].len != u->len,
			    VLAB_FIELD_USED_RING, i), port, "len %u",
		   u->len);
		fputs("</TR>\n", out);
	}
	if (now->event_idx) {
		fputs("<TR><TD>avail_event</TD>", out);
		td(out, rv_mark(now, b && b->avail_event != now->avail_event,
			    VLAB_FIELD_AVAIL_EVENT, 0), NULL, "%u",
		   now->avail_event);
		fputs("<TD></TD></TR>", out);
	}
	fputs(INNER_NEXT INNER_OPEN "<TR><TD COLSPAN=\"2\"><B>device</B></TD></TR><TR><TD>last_avail</TD>",
	      out);
	td(out, b && b->last_avail != now->last_avail, NULL, "%u",
	   now->last_avail);
	fputs("</TR>", out);
	dot_driver(out, now, b);
	column_close(out, q);
	/* avail entries name chain heads; chains follow next; used ids
	 * name the heads they give back */
	for (i = 0; i < now->num; i++) {
		if (r->avail[i] && now->avail_ring[i] < now->num &&
		    r->desc[now->avail_ring[i]])
			fprintf(out, "  %s_rings:a%u:e -> %s_desc:d%u:w;\n", q,
				i, q, now->avail_ring[i]);
		if (r->desc[i] && (now->desc[i].flags & VRING_DESC_F_NEXT) &&
		    now->desc[i].tag < now->num && r->desc[now->desc[i].tag])
			fprintf(out, "  %s_desc:n%u:e -> %s_desc:n%u:e [style=dashed, color=\"#666666\"];\n",
				q, i, q, now->desc[i].tag);
		if (r->used[i] && now->used_ring[i].id < now->num &&
		    r->desc[now->used_ring[i].id])
			fprintf(out, "  %s_rings:u%u:e -> %s_desc:d%u:w [color=\"#2a7f2a\"];\n",
				q, i, q, now->used_ring[i].id);
	}
}

/**
 * dot_packed() - a packed queue's event structures, counters and the
 * links along each buffer.
 * @param out where to.
 * @param q node name prefix.
 * @param now the snapshot.
 * @param b the previous one when rv_comparable, else NULL.
 * @param r the rows to show.
 */
static void dot_packed(FILE *out, const char *q,
		       const struct vlab_ringview *now,
		       const struct vlab_ringview *b, const struct rows *r)
{
	unsigned int i, next;

	column_open(out, q);
	fputs(INNER_OPEN "<TR><TD COLSPAN=\"3\"><B>event suppression</B> (§2.8.10)</TD></TR>"
	      "<TR><TD></TD><TD>flags</TD><TD>off_wrap</TD></TR><TR><TD>driver</TD>",
	      out);
	td(out, rv_mark(now, b && b->drv_flags != now->drv_flags,
			VLAB_FIELD_DRIVER_FLAGS, 0), NULL, "%s",
	   rv_event_flags_text(now->drv_flags));
	td(out, rv_mark(now, b && b->drv_off_wrap != now->drv_off_wrap,
			VLAB_FIELD_DRIVER_OFF_WRAP, 0), NULL, "0x%04x",
	   now->drv_off_wrap);
	fputs("</TR><TR><TD>device</TD>", out);
	td(out, rv_mark(now, b && b->dev_flags != now->dev_flags,
			VLAB_FIELD_DEVICE_FLAGS, 0), NULL, "%s",
	   rv_event_flags_text(now->dev_flags));
	td(out, rv_mark(now, b && b->dev_off_wrap != now->dev_off_wrap,
			VLAB_FIELD_DEVICE_OFF_WRAP, 0), NULL, "0x%04x",
	   now->dev_off_wrap);
	fputs("</TR>" INNER_NEXT INNER_OPEN "<TR><TD COLSPAN=\"3\"><B>device</B></TD></TR><TR><TD>next_avail</TD>",
	      out);
	td(out, b && b->next_avail != now->next_avail, NULL, "%u",
	   now->next_avail);
	td(out, b && b->avail_wrap != now->avail_wrap, NULL, "wrap %d",
	   now->avail_wrap);
	fputs("</TR><TR><TD>next_used</TD>", out);
	td(out, b && b->next_used != now->next_used, NULL, "%u",
	   now->next_used);
	td(out, b && b->used_wrap != now->used_wrap, NULL, "wrap %d",
	   now->used_wrap);
	fputs("</TR>", out);
	dot_driver(out, now, b);
	column_close(out, q);
	/* a buffer's descriptors follow each other round the ring */
	for (i = 0; i < now->num; i++) {
		next = (i + 1) % now->num;
		if (r->desc[i] && r->desc[next] &&
		    (now->desc[i].flags & VRING_DESC_F_NEXT))
			fprintf(out, "  %s_desc:n%u:e -> %s_desc:n%u:e [style=dashed, color=\"#666666\"];\n",
				q, i, q, next);
	}
}

void vlab_ringview_dot(FILE *out, const struct vlab_ringview *now,
		       const struct vlab_ringview *before)
{
	const struct vlab_ringview *b = rv_comparable(now, before) ? before : NULL;
	char q[48];
	struct rows r;

	snprintf(q, sizeof(q), "%s_q%u", now->dev->name, now->index);
	fprintf(out, " subgraph cluster_%s {\n  label=\"%s q%u: ", q,
		now->dev->name, now->index);
	if (!now->ready) {
		fprintf(out, "not set up\";\n  %s_none [shape=none, label=\"\"];\n }\n",
			q);
		return;
	}
	fprintf(out, "%s ring, size %u\";\n",
		now->packed ? "packed" : "split", now->num);
	if (rv_pick_rows(now, b, &r)) {
		rv_free_rows(&r);
		fputs(" }\n", out);
		return;
	}
	dot_descs(out, q, now, b, &r);
	if (now->packed)
		dot_packed(out, q, now, b, &r);
	else
		dot_split(out, q, now, b, &r);
	rv_free_rows(&r);
	fputs(" }\n", out);
}
