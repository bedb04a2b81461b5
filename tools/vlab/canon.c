// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Canonical traces: addresses named by the allocation or ring
 * area they belong to; and the comparison of two traces, event by event.
 */
#include "tools/vlab/canon.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tools/vlab/sinks.h"
#include "virtio/shared/boundary.h"

/** Words after which the text of an event prints an address. */
static const char *const addr_words[] = { "addr ", "desc ", "driver ",
					  "device " };

void vlab_canon_reset(struct vlab_canon *c)
{
	memset(c, 0, sizeof(*c));
}

/**
 * add_name() - give out a name for a range.
 * @param c the names.
 * @param base its first address.
 * @param size its size; 0 for a ring area, which runs to the end of the
 *	allocation that holds it or to the next area.
 * @param fmt printf format of the name.
 * @return the entry, or NULL when the table is full.
 */
static struct vlab_canon_name * __attribute__((format(printf, 4, 5)))
add_name(struct vlab_canon *c, uint64_t base, uint64_t size,
	 const char *fmt, ...)
{
	struct vlab_canon_name *n;
	va_list ap;

	if (c->n == VLAB_CANON_NAMES)
		return NULL;
	n = &c->names[c->n++];
	n->base = base;
	n->size = size;
	va_start(ap, fmt);
	vsnprintf(n->name, sizeof(n->name), fmt, ap);
	va_end(ap);
	return n;
}

/**
 * name_of() - the name of an address: the ring area at or below it in
 * the same allocation, else its allocation (named on first use).
 * @param c the names.
 * @param gpa the address.
 * @param out receives "NAME" or "NAME+0xOFF", or the number itself.
 * @param size room in @p out.
 */
static void name_of(struct vlab_canon *c, uint64_t gpa, char *out,
		    size_t size)
{
	const struct vlab_canon_name *best = NULL, *n;
	uint64_t base = 0, bytes = 0;
	bool live = guest_mem_block(gpa, &base, &bytes);
	unsigned int i;

	for (i = 0; i < c->n; i++) {
		n = &c->names[i];
		if (n->size || n->base > gpa)
			continue;
		/* a ring area: only within the allocation that holds it */
		if (live && n->base >= base && n->base < base + bytes &&
		    (!best || n->base > best->base))
			best = n;
	}
	if (!best && live) {
		for (i = 0; i < c->n; i++)
			if (c->names[i].size && c->names[i].base == base &&
			    c->names[i].size == bytes)
				best = &c->names[i];
		if (!best)
			best = add_name(c, base, bytes, "buf%u", c->bufs++);
	}
	if (!best)
		snprintf(out, size, "0x%" PRIx64, gpa);
	else if (gpa == best->base)
		snprintf(out, size, "%s", best->name);
	else
		snprintf(out, size, "%s+0x%" PRIx64, best->name,
			 gpa - best->base);
}

/**
 * note_queue() - a queue-setup event names its three ring areas.
 * @param c the names.
 * @param ev the event.
 */
static void note_queue(struct vlab_canon *c, const struct vlab_event *ev)
{
	static const char *const area[] = { "desc", "driver", "device" };
	const uint64_t gpa[] = { ev->queue_area.desc, ev->queue_area.driver,
				 ev->queue_area.device };
	unsigned int i, j;

	for (i = 0; i < 3; i++) {
		/* the same area set up again keeps its name */
		for (j = 0; j < c->n; j++)
			if (!c->names[j].size && c->names[j].base == gpa[i])
				break;
		if (j == c->n)
			add_name(c, gpa[i], 0, "%s.q%d.%s",
				 ev->dev ? ev->dev : "dev", ev->queue,
				 area[i]);
	}
}

void vlab_canon_format(struct vlab_canon *c, const struct vlab_event *ev,
		       char *buf, size_t size)
{
	char raw[256], name[64];
	const char *p = raw, *word;
	size_t at = 0, len, w;
	uint64_t gpa;
	char *end;

	if (ev->kind == VLAB_EV_QUEUE_SETUP)
		note_queue(c, ev);
	vlab_event_format(ev, raw, sizeof(raw));
	buf[0] = '\0';
	while (*p && at + 1 < size) {
		word = NULL;
		for (w = 0; w < sizeof(addr_words) / sizeof(addr_words[0]); w++)
			if (!strncmp(p, addr_words[w], strlen(addr_words[w])))
				word = addr_words[w];
		if (word && !strncmp(p + strlen(word), "0x", 2)) {
			len = strlen(word);
			gpa = strtoull(p + len, &end, 16);
			name_of(c, gpa, name, sizeof(name));
			at += (size_t)snprintf(buf + at, size - at, "%s%s",
					       word, name);
			if (at >= size)
				at = size - 1;
			p = end;
			continue;
		}
		buf[at++] = *p++;
		buf[at] = '\0';
	}
}

void vlab_trace_canon_sink(const struct vlab_event *ev, uint64_t seq,
			   const char *thread, void *opaque)
{
	struct vlab_canon_out *co = opaque;
	char text[320];

	vlab_canon_format(&co->names, ev, text, sizeof(text));
	vlab_trace_line(co->out, ev, seq, thread, text);
}

/** One trace file, read line by line. */
struct trace_file {
	const char *path;	/**< its name */
	FILE *f;		/**< the open file */
	char line[1024];	/**< the current event line */
	unsigned int lineno;	/**< its line number in the file */
	unsigned int events;	/**< events read so far */
};

/**
 * next_event() - the next event line: numbered lines only (narration,
 * headers, stepper prompts and ring views are skipped).
 * @param t the file.
 * @return true with t->line set, false at the end.
 */
static bool next_event(struct trace_file *t)
{
	const char *p;

	while (fgets(t->line, sizeof(t->line), t->f)) {
		t->lineno++;
		p = t->line;
		while (*p == ' ')
			p++;
		if (!isdigit((unsigned char)*p))
			continue;
		t->line[strcspn(t->line, "\n")] = '\0';
		t->events++;
		return true;
	}
	return false;
}

/**
 * without_number() - an event line past its event number, which shifts
 * by one for every event dropped or added before it.
 * @param line the line.
 * @return where the thread column starts.
 */
static const char *without_number(const char *line)
{
	while (*line == ' ')
		line++;
	while (isdigit((unsigned char)*line))
		line++;
	while (*line == ' ')
		line++;
	return line;
}

int vlab_trace_diff(const char *a, const char *b, FILE *out)
{
	struct trace_file t[2] = { { .path = a }, { .path = b } };
	bool more[2];
	int i, ret = 0;

	for (i = 0; i < 2; i++) {
		t[i].f = fopen(t[i].path, "r");
		if (!t[i].f) {
			fprintf(stderr, "vlab: cannot read %s: %s\n",
				t[i].path, strerror(errno));
			if (i)
				fclose(t[0].f);
			return 2;
		}
	}
	for (;;) {
		more[0] = next_event(&t[0]);
		more[1] = next_event(&t[1]);
		if (!more[0] && !more[1])
			break;
		if (more[0] && more[1] &&
		    !strcmp(without_number(t[0].line),
			    without_number(t[1].line)))
			continue;
		fprintf(out, "the traces differ first at event %u:\n",
			more[0] ? t[0].events : t[1].events);
		for (i = 0; i < 2; i++) {
			if (more[i])
				fprintf(out, "  %s:%u: %s\n", t[i].path,
					t[i].lineno, t[i].line);
			else
				fprintf(out, "  %s: (no more events)\n",
					t[i].path);
		}
		ret = 1;
		break;
	}
	if (!ret && !t[0].events) {
		fprintf(stderr, "vlab: %s and %s hold no numbered event lines (vlab diff reads --trace or --trace-format canon output)\n",
			a, b);
		ret = 2;
	} else if (!ret) {
		fprintf(out, "the traces match: %u events\n", t[0].events);
	}
	fclose(t[0].f);
	fclose(t[1].f);
	return ret;
}
