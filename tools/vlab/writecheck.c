// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief `vlab run --check-writes`: every change to the rings is listed
 * by the event after it, and every listed field holds what the event
 * says (see writecheck.h for why this can be exact in lockstep).
 */
#include "tools/vlab/writecheck.h"
#include "tools/vlab/ringview.h"

#include <endian.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_ring.h>

#include "sim/device.h"
#include "sim/ram.h"
#include "sim/trace.h"

/** Where a field lives: its region and its bytes there. */
struct span {
	struct vlab_wc_region *r;	/**< the region */
	uint32_t off;			/**< first byte in it */
	uint32_t len;			/**< bytes */
};

/**
 * ram() - the host bytes of a region.
 * @param wc the checker.
 * @param r the region.
 * @return a pointer, or NULL when RAM no longer holds it.
 */
static uint8_t *ram(const struct vlab_writecheck *wc,
		    const struct vlab_wc_region *r)
{
	return vlab_ram_ptr(&wc->m->ram, r->gpa, r->len);
}

/**
 * region_set() - follow a region from now on: its copy is what RAM holds.
 * @param wc the checker.
 * @param r the region.
 * @param gpa its first byte.
 * @param len its size.
 * @return true when RAM holds it.
 */
static bool region_set(struct vlab_writecheck *wc, struct vlab_wc_region *r,
		       uint64_t gpa, uint32_t len)
{
	uint8_t *p;

	free(r->copy);
	r->copy = NULL;
	r->gpa = gpa;
	r->len = len;
	p = ram(wc, r);
	if (!p || !len)
		return false;
	r->copy = malloc(len);
	if (!r->copy)
		return false;
	memcpy(r->copy, p, len);
	return true;
}

/**
 * region_grow() - extend a table's region to @p len bytes; the new bytes
 * are taken as they are (nothing says what they held before).
 * @param wc the checker.
 * @param r the region.
 * @param len its new size (larger).
 */
static void region_grow(struct vlab_writecheck *wc, struct vlab_wc_region *r,
			uint32_t len)
{
	struct vlab_wc_region n = { .gpa = r->gpa, .len = len };
	uint8_t *p = ram(wc, &n), *copy;

	if (!p || len <= r->len)
		return;
	copy = malloc(len);
	if (!copy)
		return;
	memcpy(copy, r->copy, r->len);
	memcpy(copy + r->len, p + r->len, len - r->len);
	free(r->copy);
	r->copy = copy;
	r->len = len;
}

/**
 * find_queue() - the queue an event is about.
 * @param wc the checker.
 * @param dev device slot.
 * @param index queue index.
 * @return the queue, or NULL when not followed.
 */
static struct vlab_wc_queue *find_queue(struct vlab_writecheck *wc, int dev,
					int index)
{
	unsigned int i;

	for (i = 0; i < VLAB_WC_QUEUES; i++)
		if (wc->q[i].live && wc->q[i].dev == dev &&
		    wc->q[i].index == index)
			return &wc->q[i];
	return NULL;
}

/**
 * find_table() - the followed indirect table at @p gpa.
 * @param wc the checker.
 * @param gpa its address.
 * @return the table, or NULL.
 */
static struct vlab_wc_table *find_table(struct vlab_writecheck *wc,
					uint64_t gpa)
{
	unsigned int i;

	for (i = 0; i < VLAB_WC_TABLES; i++)
		if (wc->t[i].live && wc->t[i].r.gpa == gpa)
			return &wc->t[i];
	return NULL;
}

/**
 * drop_table() - stop following a table (its buffer came back; the
 * driver freed it).
 * @param t the table.
 */
static void drop_table(struct vlab_wc_table *t)
{
	free(t->r.copy);
	memset(t, 0, sizeof(*t));
}

/**
 * field_span() - where a listed field lives.
 * @param wc the checker.
 * @param q the event's queue.
 * @param ev the event (its table, for an indirect entry).
 * @param f the field.
 * @param s receives the span.
 * @return true when the field is in memory the checker follows.
 */
static bool field_span(struct vlab_writecheck *wc, struct vlab_wc_queue *q,
		       const struct vlab_event *ev, const struct vlab_field *f,
		       struct span *s)
{
	uint32_t i = f->index, n = q->num;
	/* split: next, flags at 14, 12; packed: id, flags at 12, 14 */
	uint32_t id_off = q->packed ? 12 : 14, fl_off = q->packed ? 14 : 12;
	struct vlab_wc_table *t;

	s->r = &q->area[0];
	switch (f->area) {
	case VLAB_FIELD_DESC:
		*s = (struct span){ &q->area[0], 16 * i, 16 };
		break;
	case VLAB_FIELD_DESC_ADDR:
		*s = (struct span){ &q->area[0], 16 * i, 8 };
		break;
	case VLAB_FIELD_DESC_LEN:
		*s = (struct span){ &q->area[0], 16 * i + 8, 4 };
		break;
	case VLAB_FIELD_DESC_ID:
		*s = (struct span){ &q->area[0], 16 * i + id_off, 2 };
		break;
	case VLAB_FIELD_DESC_FLAGS:
		*s = (struct span){ &q->area[0], 16 * i + fl_off, 2 };
		break;
	case VLAB_FIELD_INDIRECT:
		t = find_table(wc, ev->desc.table);
		if (!t)
			return false;
		*s = (struct span){ &t->r, 16 * i, 16 };
		break;
	case VLAB_FIELD_AVAIL_FLAGS:
	case VLAB_FIELD_DRIVER_OFF_WRAP:
		*s = (struct span){ &q->area[1], 0, 2 };
		break;
	case VLAB_FIELD_AVAIL_IDX:
	case VLAB_FIELD_DRIVER_FLAGS:
		*s = (struct span){ &q->area[1], 2, 2 };
		break;
	case VLAB_FIELD_AVAIL_RING:
		*s = (struct span){ &q->area[1], 4 + 2 * i, 2 };
		break;
	case VLAB_FIELD_USED_EVENT:
		*s = (struct span){ &q->area[1], 4 + 2 * n, 2 };
		break;
	case VLAB_FIELD_USED_FLAGS:
	case VLAB_FIELD_DEVICE_OFF_WRAP:
		*s = (struct span){ &q->area[2], 0, 2 };
		break;
	case VLAB_FIELD_USED_IDX:
	case VLAB_FIELD_DEVICE_FLAGS:
		*s = (struct span){ &q->area[2], 2, 2 };
		break;
	case VLAB_FIELD_USED_RING:
		*s = (struct span){ &q->area[2], 4 + 8 * i, 8 };
		break;
	case VLAB_FIELD_AVAIL_EVENT:
		*s = (struct span){ &q->area[2], 4 + 8 * n, 2 };
		break;
	default:
		return false;
	}
	return s->r->copy && s->off + s->len <= s->r->len;
}

/**
 * name_byte() - the ring field a changed byte belongs to, for a report.
 * @param wc the checker.
 * @param r the region.
 * @param off the byte.
 * @param buf receives e.g. "rng0 q0 avail.idx".
 * @param size room in @p buf.
 */
static void name_byte(struct vlab_writecheck *wc,
		      const struct vlab_wc_region *r, uint32_t off, char *buf,
		      size_t size)
{
	static const char *const split_words[] = { "addr", "addr", "len",
						   "flags", "next" };
	static const char *const packed_words[] = { "addr", "addr", "len",
						    "id", "flags" };
	const char *const *w;
	unsigned int i, a;
	const char *dev;
	uint32_t n;

	for (i = 0; i < VLAB_WC_TABLES; i++)
		if (&wc->t[i].r == r) {
			snprintf(buf, size, "indirect table 0x%" PRIx64
				 " entry %u", r->gpa, off / 16);
			return;
		}
	for (i = 0; i < VLAB_WC_QUEUES; i++)
		for (a = 0; a < 3; a++)
			if (&wc->q[i].area[a] == r)
				goto found;
	snprintf(buf, size, "0x%" PRIx64, r->gpa + off);
	return;
found:
	dev = wc->m->devs[wc->q[i].dev]->name;
	n = wc->q[i].num;
	w = wc->q[i].packed ? packed_words : split_words;
	if (a == 0)
		snprintf(buf, size, "%s q%d desc[%u].%s", dev, wc->q[i].index,
			 off / 16, w[(off % 16) < 8 ? 0 : (off % 16) < 12 ? 2 :
				     (off % 16) < 14 ? 3 : 4]);
	else if (wc->q[i].packed)
		snprintf(buf, size, "%s q%d %s_event.%s", dev, wc->q[i].index,
			 a == 1 ? "driver" : "device",
			 off < 2 ? "off_wrap" : "flags");
	else if (off < 4)
		snprintf(buf, size, "%s q%d %s.%s", dev, wc->q[i].index,
			 a == 1 ? "avail" : "used", off < 2 ? "flags" : "idx");
	else if (a == 1 && off < 4 + 2 * n)
		snprintf(buf, size, "%s q%d avail.ring[%u]", dev,
			 wc->q[i].index, (off - 4) / 2);
	else if (a == 2 && off < 4 + 8 * n)
		snprintf(buf, size, "%s q%d used.ring[%u]", dev,
			 wc->q[i].index, (off - 4) / 8);
	else
		snprintf(buf, size, "%s q%d %s", dev, wc->q[i].index,
			 a == 1 ? "used_event" : "avail_event");
}

/**
 * violation() - report one broken promise (the first few in full).
 * @param wc the checker.
 * @param ev the event.
 * @param seq its number.
 * @param fmt printf format of what was wrong.
 */
static void __attribute__((format(printf, 4, 5)))
violation(struct vlab_writecheck *wc, const struct vlab_event *ev,
	  uint64_t seq, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	if (wc->violations++ >= VLAB_WC_SHOWN)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fprintf(wc->out, "vlab: check-writes: event %" PRIu64 " (%s by %s): %s\n",
		seq, vlab_event_kind_name(ev->kind),
		vlab_event_side(ev->kind) == VLAB_SIDE_DRIVER ? "the driver" :
		"the device", what);
}

/**
 * ld16() - a 16-bit little-endian load from ring bytes.
 * @param p the bytes.
 * @return the value.
 */
static uint16_t ld16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

/**
 * ld32() - a 32-bit little-endian load from ring bytes.
 * @param p the bytes.
 * @return the value.
 */
static uint32_t ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

/**
 * ld64() - a 64-bit little-endian load from ring bytes.
 * @param p the bytes.
 * @return the value.
 */
static uint64_t ld64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

/**
 * desc_matches() - does a descriptor (or table entry) hold what an add
 * event says it wrote?
 * @param ev the add event.
 * @param p the descriptor's bytes.
 * @param packed the layout.
 * @param whole false for a packed first descriptor (flags come later).
 * @return true when it does.
 */
static bool desc_matches(const struct vlab_event *ev, const uint8_t *p,
			 bool packed, bool whole)
{
	if (ld64(p) != ev->desc.addr || ld32(p + 8) != ev->desc.len)
		return false;
	if (packed)
		return ld16(p + 12) == ev->desc.next &&
		       (!whole || ld16(p + 14) == ev->desc.flags);
	return ld16(p + 12) == ev->desc.flags &&
	       (!(ev->desc.flags & VRING_DESC_F_NEXT) ||
		ld16(p + 14) == ev->desc.next);
}

/**
 * value_ok() - does a listed field hold the value its event names?
 * @param ev the event.
 * @param f the field.
 * @param p its bytes.
 * @param packed the layout.
 * @return true when it does, or when the event names no value for it.
 */
static bool value_ok(const struct vlab_event *ev, const struct vlab_field *f,
		     const uint8_t *p, bool packed)
{
	bool used = ev->kind == VLAB_EV_USED;

	switch (f->area) {
	case VLAB_FIELD_DESC:
	case VLAB_FIELD_INDIRECT:
		return desc_matches(ev, p, packed, true);
	case VLAB_FIELD_DESC_ADDR:
		return ld64(p) == ev->desc.addr;
	case VLAB_FIELD_DESC_LEN:
		return ld32(p) == (used ? ev->used.len : ev->desc.len);
	case VLAB_FIELD_DESC_ID:
		return ld16(p) == (used ? ev->used.id : ev->desc.next);
	case VLAB_FIELD_AVAIL_RING:
		return ld16(p) == ev->publish.head;
	case VLAB_FIELD_USED_RING:
		return ld32(p) == ev->used.id && ld32(p + 4) == ev->used.len;
	case VLAB_FIELD_DRIVER_FLAGS:
	case VLAB_FIELD_DEVICE_FLAGS:
		return ld16(p) == ev->supp.flags;
	case VLAB_FIELD_DESC_FLAGS:
		/* a packed flag write: AVAIL and USED as the wrap says */
		return true;
	default:
		/* indices, flags and event words: the value after */
		return ld16(p) == (uint16_t)ev->after;
	}
}

void vlab_writecheck_init(struct vlab_writecheck *wc,
			  const struct vlab_machine *m, FILE *out)
{
	memset(wc, 0, sizeof(*wc));
	wc->m = m;
	wc->out = out;
}

/**
 * forget_device() - a reset: the driver frees the device's rings and
 * tables after it, so stop following them.
 * @param wc the checker.
 * @param dev the device slot.
 */
static void forget_device(struct vlab_writecheck *wc, int dev)
{
	unsigned int i, a;

	for (i = 0; i < VLAB_WC_QUEUES; i++) {
		if (!wc->q[i].live || wc->q[i].dev != dev)
			continue;
		for (a = 0; a < 3; a++)
			free(wc->q[i].area[a].copy);
		memset(&wc->q[i], 0, sizeof(wc->q[i]));
	}
	for (i = 0; i < VLAB_WC_TABLES; i++)
		if (wc->t[i].live && wc->t[i].dev == dev)
			drop_table(&wc->t[i]);
}

/**
 * follow_queue() - a queue-setup event: follow its three areas, sized by
 * the layout (§2.7 split, §2.8 packed), from what they hold now.
 * @param wc the checker.
 * @param dev the device slot.
 * @param ev the event.
 */
static void follow_queue(struct vlab_writecheck *wc, int dev,
			 const struct vlab_event *ev)
{
	struct vlab_wc_queue *q = find_queue(wc, dev, ev->queue);
	uint32_t n = ev->queue_area.size;
	bool packed = ev->layout == VLAB_RING_PACKED;
	unsigned int i;

	for (i = 0; !q && i < VLAB_WC_QUEUES; i++)
		if (!wc->q[i].live)
			q = &wc->q[i];
	if (!q)
		return;
	q->live = true;
	q->dev = dev;
	q->index = ev->queue;
	q->packed = packed;
	q->num = n;
	region_set(wc, &q->area[0], ev->queue_area.desc, 16 * n);
	region_set(wc, &q->area[1], ev->queue_area.driver,
		   packed ? 4 : 6 + 2 * n);
	region_set(wc, &q->area[2], ev->queue_area.device,
		   packed ? 4 : 6 + 8 * n);
}

/**
 * note_table_entry() - an add event wrote an indirect table entry: follow
 * the table up to that entry (from its bytes now: nothing says what the
 * new memory held before).
 * @param wc the checker.
 * @param dev the device slot.
 * @param ev the event.
 */
static void note_table_entry(struct vlab_writecheck *wc, int dev,
			     const struct vlab_event *ev)
{
	struct vlab_wc_table *t = find_table(wc, ev->desc.table);
	uint32_t want = 16 * ((uint32_t)ev->desc.index + 1);
	unsigned int i;

	if (t) {
		region_grow(wc, &t->r, want);
		return;
	}
	for (i = 0; i < VLAB_WC_TABLES && !t; i++)
		if (!wc->t[i].live)
			t = &wc->t[i];
	if (!t)
		return;
	t->live = true;
	t->dev = dev;
	t->queue = ev->queue;
	t->id = -1;
	region_set(wc, &t->r, ev->desc.table, want);
}

/**
 * note_head() - an add event wrote a ring descriptor: one that points at
 * an indirect table links the table to its buffer, and gives its size.
 * @param wc the checker.
 * @param ev the event.
 */
static void note_head(struct vlab_writecheck *wc, const struct vlab_event *ev)
{
	struct vlab_wc_table *t;

	if (!(ev->desc.flags & VRING_DESC_F_INDIRECT))
		return;
	t = find_table(wc, ev->desc.addr);
	if (!t)
		return;
	/* split: the head's index is the buffer's id; packed: its id */
	t->id = ev->layout == VLAB_RING_PACKED ? ev->desc.next :
		ev->desc.index;
	region_grow(wc, &t->r, ev->desc.len);
}

/**
 * release_tables() - a buffer came back (get_buf, detach): its table is
 * freed (and poisoned) before the event, so it is no longer ring memory.
 * @param wc the checker.
 * @param dev the device slot.
 * @param ev the event.
 */
static void release_tables(struct vlab_writecheck *wc, int dev,
			   const struct vlab_event *ev)
{
	int id = ev->kind == VLAB_EV_GET_BUF ? ev->get_buf.id : ev->detach.id;
	unsigned int i;

	for (i = 0; i < VLAB_WC_TABLES; i++)
		if (wc->t[i].live && wc->t[i].dev == dev &&
		    wc->t[i].queue == ev->queue && wc->t[i].id == id)
			drop_table(&wc->t[i]);
}

/**
 * listed() - is byte @p off of region @p r inside a field the event
 * lists?
 * @param spans the event's fields, resolved.
 * @param n how many.
 * @param r the region.
 * @param off the byte.
 * @return true when it is.
 */
static bool listed(const struct span *spans, unsigned int n,
		   const struct vlab_wc_region *r, uint32_t off)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (spans[i].r == r && off >= spans[i].off &&
		    off < spans[i].off + spans[i].len)
			return true;
	return false;
}

/**
 * compare_region() - every byte of a region that changed since the last
 * event must be in a listed field; report the first unlisted byte of
 * each field-sized run, then take the new copy.
 * @param wc the checker.
 * @param r the region.
 * @param spans the event's fields.
 * @param n how many.
 * @param ev the event.
 * @param seq its number.
 */
static void compare_region(struct vlab_writecheck *wc,
			   struct vlab_wc_region *r, const struct span *spans,
			   unsigned int n, const struct vlab_event *ev,
			   uint64_t seq)
{
	uint8_t *p = r->copy ? ram(wc, r) : NULL;
	char name[96], last[96] = "";
	uint32_t i;

	if (!p)
		return;
	for (i = 0; i < r->len; i++) {
		if (p[i] == r->copy[i])
			continue;
		wc->bytes++;
		if (listed(spans, n, r, i))
			continue;
		name_byte(wc, r, i, name, sizeof(name));
		if (strcmp(name, last))
			violation(wc, ev, seq, "%s changed, and the event does not list it",
				  name);
		snprintf(last, sizeof(last), "%s", name);
	}
	memcpy(r->copy, p, r->len);
}

void vlab_writecheck_event(struct vlab_writecheck *wc,
			   const struct vlab_event *ev, uint64_t seq)
{
	struct span spans[VLAB_EV_MAX_FIELDS];
	struct vlab_wc_queue *q = NULL;
	int dev = vlab_event_device(wc->m, ev);
	unsigned int i, a, n = 0;
	char name[48];

	wc->events++;
	if (dev >= 0 && ev->queue >= 0)
		q = find_queue(wc, dev, ev->queue);
	/* what the event's thread did before the event, that we follow */
	if (dev >= 0 && (ev->kind == VLAB_EV_GET_BUF ||
			 ev->kind == VLAB_EV_DETACH))
		release_tables(wc, dev, ev);
	if (ev->kind == VLAB_EV_DESC_ADD && ev->desc.table && dev >= 0)
		note_table_entry(wc, dev, ev);
	for (i = 0; i < ev->nfields && i < VLAB_EV_MAX_FIELDS; i++) {
		wc->fields++;
		vlab_field_name(ev, &ev->fields[i], name, sizeof(name));
		if (!q && dev >= 0 && wc->reset[dev])
			continue;
		if (!q || !field_span(wc, q, ev, &ev->fields[i], &spans[n])) {
			violation(wc, ev, seq, "lists %s, which is not in a ring being followed",
				  name);
			continue;
		}
		if (!value_ok(ev, &ev->fields[i],
			      ram(wc, spans[n].r) + spans[n].off, q->packed))
			violation(wc, ev, seq, "lists %s, which does not hold the value the event names",
				  name);
		n++;
	}
	for (i = 0; i < VLAB_WC_QUEUES; i++)
		for (a = 0; wc->q[i].live && a < 3; a++)
			compare_region(wc, &wc->q[i].area[a], spans, n, ev, seq);
	for (i = 0; i < VLAB_WC_TABLES; i++)
		if (wc->t[i].live)
			compare_region(wc, &wc->t[i].r, spans, n, ev, seq);
	/* what the event starts */
	if (ev->kind == VLAB_EV_RESET && dev >= 0) {
		forget_device(wc, dev);
		wc->reset[dev] = true;
	} else if (ev->kind == VLAB_EV_QUEUE_SETUP && dev >= 0) {
		follow_queue(wc, dev, ev);
		wc->reset[dev] = false;
	}
	else if (ev->kind == VLAB_EV_DESC_ADD && !ev->desc.table)
		note_head(wc, ev);
}

int vlab_writecheck_fini(struct vlab_writecheck *wc)
{
	unsigned int i, a;

	fprintf(wc->out, "vlab: check-writes: %" PRIu64 " events, %" PRIu64
		" fields listed, %" PRIu64 " ring bytes changed; %" PRIu64
		" %s\n", wc->events, wc->fields, wc->bytes, wc->violations,
		wc->violations == 1 ? "violation" : "violations");
	for (i = 0; i < VLAB_WC_QUEUES; i++)
		for (a = 0; a < 3; a++)
			free(wc->q[i].area[a].copy);
	for (i = 0; i < VLAB_WC_TABLES; i++)
		free(wc->t[i].r.copy);
	return wc->violations ? 1 : 0;
}
