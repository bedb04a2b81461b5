// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Snapshots of a virtqueue, shown as text or as Graphviz tables.
 *
 * Which entries are shown: those in flight and those the event changed.
 * For a split ring (§2.7) the avail entries from used idx up to avail idx
 * are in flight, with every descriptor reachable from them; for a packed
 * ring (§2.8.1) a descriptor is in flight while its AVAIL and USED bits
 * differ. Everything else is left out, so a 256-entry queue with two
 * requests in flight shows two requests.
 */
#include "tools/vlab/ringview.h"
#include "tools/vlab/ringview_rows.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim/device.h"
#include "virtio/shared/vring_split.h"


int vlab_ringview_take(struct vlab_ringview *rv, const struct vlab_device *dev,
		       unsigned int q)
{
	const struct vlab_vq *vq = &dev->vqs[q];
	unsigned int i, num = vq->num;

	rv->dev = dev;
	rv->index = q;
	rv->ready = vq->ready && (vq->packed_ring ?
				  vq->packed.desc != NULL :
				  vq->split.desc != NULL);
	if (!rv->ready)
		return 0;
	if (num > rv->cap) {
		void *d = realloc(rv->desc, num * sizeof(*rv->desc));
		void *a, *u;

		if (!d)
			return -ENOMEM;
		rv->desc = d;
		a = realloc(rv->avail_ring, num * sizeof(*rv->avail_ring));
		if (!a)
			return -ENOMEM;
		rv->avail_ring = a;
		u = realloc(rv->used_ring, num * sizeof(*rv->used_ring));
		if (!u)
			return -ENOMEM;
		rv->used_ring = u;
		rv->cap = num;
	}
	rv->packed = vq->packed_ring;
	rv->event_idx = vq->event_idx;
	rv->num = num;
	/* the driver's own bookkeeping, which no shared byte shows */
	rv->drv_known = guest_vq_private(vq->desc_gpa, &rv->drv);
	if (vq->packed_ring) {
		for (i = 0; i < num; i++) {
			rv->desc[i].addr = le64toh(vq->packed.desc[i].addr);
			rv->desc[i].len = le32toh(vq->packed.desc[i].len);
			rv->desc[i].flags = le16toh(vq->packed.desc[i].flags);
			rv->desc[i].tag = le16toh(vq->packed.desc[i].id);
		}
		rv->drv_flags = le16toh(vq->packed.driver->flags);
		rv->drv_off_wrap = le16toh(vq->packed.driver->off_wrap);
		rv->dev_flags = le16toh(vq->packed.device->flags);
		rv->dev_off_wrap = le16toh(vq->packed.device->off_wrap);
		rv->next_avail = vq->packed.next_avail;
		rv->avail_wrap = vq->packed.avail_wrap;
		rv->next_used = vq->packed.next_used;
		rv->used_wrap = vq->packed.used_wrap;
		return 0;
	}
	for (i = 0; i < num; i++) {
		rv->desc[i].addr = le64toh(vq->split.desc[i].addr);
		rv->desc[i].len = le32toh(vq->split.desc[i].len);
		rv->desc[i].flags = le16toh(vq->split.desc[i].flags);
		rv->desc[i].tag = le16toh(vq->split.desc[i].next);
		rv->avail_ring[i] = le16toh(vq->split.avail->ring[i]);
		rv->used_ring[i].id = le32toh(vq->split.used->ring[i].id);
		rv->used_ring[i].len = le32toh(vq->split.used->ring[i].len);
	}
	rv->avail_flags = le16toh(vq->split.avail->flags);
	rv->avail_idx = le16toh(vq->split.avail->idx);
	/* §2.7.10: used_event sits after the avail ring, avail_event after
	 * the used ring */
	rv->used_event = le16toh(*vring_split_used_event(vq->split.avail,
							 num));
	rv->used_flags = le16toh(vq->split.used->flags);
	rv->used_idx = le16toh(vq->split.used->idx);
	memcpy(&rv->avail_event, vring_split_avail_event(vq->split.used, num),
	       sizeof(uint16_t));
	rv->avail_event = le16toh(rv->avail_event);
	rv->last_avail = vq->split.last_avail_idx;
	return 0;
}

int vlab_event_device(const struct vlab_machine *m,
		      const struct vlab_event *ev)
{
	unsigned int d;

	if (!ev->dev)
		return -1;
	for (d = 0; d < m->ndevs; d++)
		if (!strcmp(m->devs[d]->name, ev->dev))
			return (int)d;
	if (sscanf(ev->dev, "virtio%u", &d) == 1 && d < m->ndevs)
		return (int)d;
	return -2;
}

void vlab_ringview_free(struct vlab_ringview *rv)
{
	free(rv->desc);
	free(rv->avail_ring);
	free(rv->used_ring);
	memset(rv, 0, sizeof(*rv));
}

bool rv_comparable(const struct vlab_ringview *now,
		       const struct vlab_ringview *before)
{
	return before && before->ready && now->ready &&
		before->packed == now->packed && before->num == now->num;
}


int rv_pick_rows(const struct vlab_ringview *now,
		     const struct vlab_ringview *before, struct rows *r)
{
	bool cmp = rv_comparable(now, before);
	unsigned int num = now->num, i, j, k;
	uint16_t idx;

	r->desc = calloc(num, sizeof(bool));
	r->avail = calloc(num, sizeof(bool));
	r->used = calloc(num, sizeof(bool));
	if (!r->desc || !r->avail || !r->used)
		return -ENOMEM;
	for (i = 0; cmp && i < num; i++)
		r->desc[i] = memcmp(&now->desc[i], &before->desc[i],
				    sizeof(now->desc[i])) != 0;
	if (now->packed) {
		for (i = 0; i < num; i++) {
			uint16_t f = now->desc[i].flags;
			bool a = f & (1u << VRING_PACKED_DESC_F_AVAIL);
			bool u = f & (1u << VRING_PACKED_DESC_F_USED);

			r->desc[i] |= a != u;
		}
		return 0;
	}
	/* in flight: avail entries not yet answered in the used ring */
	for (idx = now->used_idx; idx != now->avail_idx; idx++) {
		if ((uint16_t)(idx - now->used_idx) >= num)
			break;	/* a broken avail idx: show one lap */
		r->avail[idx % num] = true;
		/* the chain it names, bounded like the device walks it */
		j = now->avail_ring[idx % num];
		for (k = 0; j < num && k < num; k++) {
			r->desc[j] = true;
			if (!(now->desc[j].flags & VRING_DESC_F_NEXT))
				break;
			j = now->desc[j].tag;
		}
	}
	if (now->used_idx)
		r->used[(uint16_t)(now->used_idx - 1) % num] = true;
	if (cmp) {
		for (i = 0; i < num; i++) {
			if (now->avail_ring[i] != before->avail_ring[i])
				r->avail[i] = true;
			if (memcmp(&now->used_ring[i], &before->used_ring[i],
				   sizeof(now->used_ring[i])))
				r->used[i] = true;
		}
	}
	/* what the event lists is shown, changed or not */
	for (i = 0; now->wrote && i < now->wrote->nfields; i++) {
		const struct vlab_field *f = &now->wrote->fields[i];

		if (f->index >= num)
			continue;
		if (f->area == VLAB_FIELD_AVAIL_RING)
			r->avail[f->index] = true;
		else if (f->area == VLAB_FIELD_USED_RING)
			r->used[f->index] = true;
		else if (f->area <= VLAB_FIELD_DESC_FLAGS)
			r->desc[f->index] = true;
	}
	/* a used entry shown brings the head it gives back */
	for (i = 0; i < num; i++)
		if (r->used[i] && now->used_ring[i].id < num)
			r->desc[now->used_ring[i].id] = true;
	return 0;
}


bool rv_mark(const struct vlab_ringview *now, bool changed,
	     enum vlab_field_area area, unsigned int index)
{
	const struct vlab_event *ev = now->wrote;
	const struct vlab_field *f;
	unsigned int i;

	if (!ev)
		return changed;
	for (i = 0; i < ev->nfields && i < VLAB_EV_MAX_FIELDS; i++) {
		f = &ev->fields[i];
		if (f->area == VLAB_FIELD_INDIRECT)
			continue;
		if (f->index != index && f->area <= VLAB_FIELD_DESC_FLAGS)
			continue;
		if ((f->area == VLAB_FIELD_AVAIL_RING ||
		     f->area == VLAB_FIELD_USED_RING) && f->index != index)
			continue;
		/* a whole descriptor marks each part; a part, itself */
		if (f->area == area ||
		    (f->area == VLAB_FIELD_DESC &&
		     area <= VLAB_FIELD_DESC_FLAGS))
			return true;
	}
	return false;
}

void rv_free_rows(struct rows *r)
{
	free(r->desc);
	free(r->avail);
	free(r->used);
}

const char *rv_flags_text(uint16_t flags, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s%s",
		 flags & VRING_DESC_F_NEXT ? "|NEXT" : "",
		 flags & VRING_DESC_F_WRITE ? "|WRITE" : "",
		 flags & VRING_DESC_F_INDIRECT ? "|INDIRECT" : "",
		 flags & (1u << VRING_PACKED_DESC_F_AVAIL) ? "|AVAIL" : "",
		 flags & (1u << VRING_PACKED_DESC_F_USED) ? "|USED" : "");
	if (!buf[0])
		return "-";
	return buf + 1;
}

const char *rv_event_flags_text(uint16_t flags)
{
	switch (flags & 3) {
	case VRING_PACKED_EVENT_FLAG_ENABLE:
		return "ENABLE";
	case VRING_PACKED_EVENT_FLAG_DISABLE:
		return "DISABLE";
	case VRING_PACKED_EVENT_FLAG_DESC:
		return "DESC";
	default:
		return "reserved";
	}
}

/** Where printed fields go and how changes are marked. */
struct textout {
	FILE *out;		/**< the stream */
	bool colour;		/**< terminal colour, else '*' */
};

/**
 * field() - print " name value", the value marked when it changed.
 * @param t the output.
 * @param changed whether to mark it.
 * @param name the field's name, or "" for none.
 * @param fmt printf format of the value.
 */
static void __attribute__((format(printf, 4, 5)))
field(const struct textout *t, bool changed, const char *name,
      const char *fmt, ...)
{
	char value[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	fprintf(t->out, " %s%s", name, name[0] ? " " : "");
	if (changed && t->colour)
		fprintf(t->out, "\033[1;33m%s\033[0m", value);
	else
		fprintf(t->out, "%s%s", value, changed ? "*" : "");
}

/**
 * print_table() - the entries of an indirect table, under the descriptor
 * that points at it (§2.7.5.3, §2.8.7).
 * @param t the output.
 * @param rv the snapshot (for its device's RAM).
 * @param addr table address.
 * @param len table length in bytes.
 */
static void print_table(const struct textout *t,
			const struct vlab_ringview *rv, uint64_t addr,
			uint32_t len)
{
	const struct vring_desc *table;
	unsigned int i, n = len / sizeof(*table);
	char f[64];

	table = vlab_ram_ptr(rv->dev->ram, addr, len);
	if (!table || !n || len % sizeof(*table)) {
		fprintf(t->out, "      (indirect table 0x%" PRIx64
			"+%u is not a valid table)\n", addr, len);
		return;
	}
	for (i = 0; i < n && i < TABLE_ROWS; i++) {
		/* both layouts keep addr, len and flags at the same place */
		fprintf(t->out, "      table[%u]  addr 0x%" PRIx64 "  len %u  %s",
			i, (uint64_t)le64toh(table[i].addr),
			le32toh(table[i].len),
			rv_flags_text(le16toh(table[i].flags), f, sizeof(f)));
		if (!rv->packed &&
		    (le16toh(table[i].flags) & VRING_DESC_F_NEXT))
			fprintf(t->out, "  next %u", le16toh(table[i].next));
		fputc('\n', t->out);
	}
	if (n > TABLE_ROWS)
		fprintf(t->out, "      ... %u more entries\n", n - TABLE_ROWS);
}

/**
 * print_descs() - the descriptors shown, with an indirect table under
 * each descriptor that points at one; both layouts.
 * @param t the output.
 * @param now the snapshot.
 * @param b the previous snapshot when rv_comparable, else NULL.
 * @param r the rows to show.
 */
static void print_descs(const struct textout *t,
			const struct vlab_ringview *now,
			const struct vlab_ringview *b, const struct rows *r)
{
	const char *tag = now->packed ? "id" : "next";
	unsigned int i, shown = 0;
	char f[64];

	for (i = 0; i < now->num; i++) {
		const struct vlab_ringview_desc *d = &now->desc[i];
		const struct vlab_ringview_desc *o = b ? &b->desc[i] : NULL;

		if (!r->desc[i])
			continue;
		shown++;
		fprintf(t->out, "    desc[%u]", i);
		field(t, rv_mark(now, o && o->addr != d->addr,
				 VLAB_FIELD_DESC_ADDR, i), "addr", "0x%" PRIx64,
		      d->addr);
		field(t, rv_mark(now, o && o->len != d->len,
				 VLAB_FIELD_DESC_LEN, i), "len", "%u", d->len);
		field(t, rv_mark(now, o && o->flags != d->flags,
				 VLAB_FIELD_DESC_FLAGS, i), "flags", "%s",
		      rv_flags_text(d->flags, f, sizeof(f)));
		field(t, rv_mark(now, o && o->tag != d->tag,
				 VLAB_FIELD_DESC_ID, i), tag, "%u", d->tag);
		fputc('\n', t->out);
		if (d->flags & VRING_DESC_F_INDIRECT)
			print_table(t, now, d->addr, d->len);
	}
	if (!shown)
		fprintf(t->out, "    (no descriptor in flight)\n");
}

/**
 * print_driver() - the driver's private state: what it has not told the
 * device (next avail, free descriptors) and how far it has read the used
 * ring, changed fields marked.
 * @param t where to.
 * @param now the snapshot.
 * @param b the previous one, or NULL.
 */
static void print_driver(const struct textout *t,
			 const struct vlab_ringview *now,
			 const struct vlab_ringview *b)
{
	const struct guest_vq_private *d = &now->drv, *o = b ? &b->drv : NULL;

	fprintf(t->out, "    driver   ");
	field(t, o && o->last_used != d->last_used, "last_used", "%u",
	      d->last_used);
	if (d->packed) {
		field(t, o && o->used_wrap != d->used_wrap, "wrap", "%d",
		      d->used_wrap);
		field(t, o && o->next_avail != d->next_avail, "next_avail",
		      "%u", d->next_avail);
		field(t, o && o->avail_wrap != d->avail_wrap, "wrap", "%d",
		      d->avail_wrap);
	}
	field(t, o && o->free_head != d->free_head, "free_head", "%u",
	      d->free_head);
	field(t, o && o->num_free != d->num_free, "num_free", "%u",
	      d->num_free);
	fputc('\n', t->out);
}

/**
 * print_split() - a split queue's two rings as text.
 * @param t the output.
 * @param now the snapshot.
 * @param b the previous snapshot when rv_comparable, else NULL.
 * @param r the rows to show.
 */
static void print_split(const struct textout *t,
			const struct vlab_ringview *now,
			const struct vlab_ringview *b, const struct rows *r)
{
	unsigned int i;

	fprintf(t->out, "    avail    ");
	field(t, rv_mark(now, b && b->avail_flags != now->avail_flags,
			 VLAB_FIELD_AVAIL_FLAGS, 0), "flags", "%s",
	      now->avail_flags & VRING_AVAIL_F_NO_INTERRUPT ? "NO_INTERRUPT" :
	      "0");
	field(t, rv_mark(now, b && b->avail_idx != now->avail_idx,
			 VLAB_FIELD_AVAIL_IDX, 0), "idx", "%u",
	      now->avail_idx);
	if (now->event_idx)
		field(t, rv_mark(now, b && b->used_event != now->used_event,
				 VLAB_FIELD_USED_EVENT, 0), "used_event",
		      "%u", now->used_event);
	fputc('\n', t->out);
	for (i = 0; i < now->num; i++) {
		if (!r->avail[i])
			continue;
		fprintf(t->out, "    avail.ring[%u]", i);
		field(t, rv_mark(now, b && b->avail_ring[i] !=
				 now->avail_ring[i], VLAB_FIELD_AVAIL_RING, i),
		      "head", "%u", now->avail_ring[i]);
		fputc('\n', t->out);
	}
	fprintf(t->out, "    used     ");
	field(t, rv_mark(now, b && b->used_flags != now->used_flags,
			 VLAB_FIELD_USED_FLAGS, 0), "flags", "%s",
	      now->used_flags & VRING_USED_F_NO_NOTIFY ? "NO_NOTIFY" : "0");
	field(t, rv_mark(now, b && b->used_idx != now->used_idx,
			 VLAB_FIELD_USED_IDX, 0), "idx", "%u",
	      now->used_idx);
	if (now->event_idx)
		field(t, rv_mark(now, b && b->avail_event != now->avail_event,
				 VLAB_FIELD_AVAIL_EVENT, 0),
		      "avail_event", "%u", now->avail_event);
	fputc('\n', t->out);
	for (i = 0; i < now->num; i++) {
		const struct vring_used_elem *u = &now->used_ring[i];

		if (!r->used[i])
			continue;
		fprintf(t->out, "    used.ring[%u]", i);
		field(t, rv_mark(now, b && b->used_ring[i].id != u->id,
				 VLAB_FIELD_USED_RING, i), "id", "%u", u->id);
		field(t, rv_mark(now, b && b->used_ring[i].len != u->len,
				 VLAB_FIELD_USED_RING, i), "len", "%u",
		      u->len);
		fputc('\n', t->out);
	}
}

/**
 * print_packed() - a packed queue's event structures as text.
 * @param t the output.
 * @param now the snapshot.
 * @param b the previous snapshot when rv_comparable, else NULL.
 */
static void print_packed(const struct textout *t,
			 const struct vlab_ringview *now,
			 const struct vlab_ringview *b)
{
	fprintf(t->out, "    driver event");
	field(t, rv_mark(now, b && b->drv_flags != now->drv_flags,
			 VLAB_FIELD_DRIVER_FLAGS, 0), "flags", "%s",
	      rv_event_flags_text(now->drv_flags));
	field(t, rv_mark(now, b && b->drv_off_wrap != now->drv_off_wrap,
			 VLAB_FIELD_DRIVER_OFF_WRAP, 0), "off_wrap",
	      "0x%04x", now->drv_off_wrap);
	fprintf(t->out, "\n    device event");
	field(t, rv_mark(now, b && b->dev_flags != now->dev_flags,
			 VLAB_FIELD_DEVICE_FLAGS, 0), "flags", "%s",
	      rv_event_flags_text(now->dev_flags));
	field(t, rv_mark(now, b && b->dev_off_wrap != now->dev_off_wrap,
			 VLAB_FIELD_DEVICE_OFF_WRAP, 0), "off_wrap",
	      "0x%04x", now->dev_off_wrap);
	fputc('\n', t->out);
}

void vlab_ringview_print(FILE *out, const struct vlab_ringview *now,
			 const struct vlab_ringview *before, bool colour)
{
	const struct vlab_ringview *b = rv_comparable(now, before) ? before : NULL;
	struct textout t = { out, colour };
	struct rows r;

	fprintf(out, "  %s q%u:", now->dev->name, now->index);
	if (!now->ready) {
		fprintf(out, " not set up\n");
		return;
	}
	fprintf(out, " %s ring, size %u, event idx %s; device:",
		now->packed ? "packed" : "split", now->num,
		now->event_idx ? "on" : "off");
	if (now->packed) {
		field(&t, b && b->next_avail != now->next_avail, "next_avail",
		      "%u", now->next_avail);
		field(&t, b && b->avail_wrap != now->avail_wrap, "wrap", "%d",
		      now->avail_wrap);
		field(&t, b && b->next_used != now->next_used, "next_used",
		      "%u", now->next_used);
		field(&t, b && b->used_wrap != now->used_wrap, "wrap", "%d",
		      now->used_wrap);
	} else {
		field(&t, b && b->last_avail != now->last_avail, "last_avail",
		      "%u", now->last_avail);
	}
	fputc('\n', out);
	if (now->drv_known)
		print_driver(&t, now, b && b->drv_known ? b : NULL);
	if (rv_pick_rows(now, b, &r)) {
		rv_free_rows(&r);
		fprintf(out, "    (out of memory)\n");
		return;
	}
	print_descs(&t, now, b, &r);
	if (now->packed)
		print_packed(&t, now, b);
	else
		print_split(&t, now, b, &r);
	rv_free_rows(&r);
}
