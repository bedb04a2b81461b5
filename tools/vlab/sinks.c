// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The vlab command's trace sinks: each event as an aligned text
 * line or a JSON object, and the per-queue counts of --stats and the
 * stepper's `s`.
 */
#include "tools/vlab/sinks.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

/**
 * status_names() - names of the status bits set in @p bits.
 * @param bits status bits.
 * @param buf receives e.g. "ACKNOWLEDGE|DRIVER".
 * @param size size of @p buf.
 */
static void status_names(uint32_t bits, char *buf, size_t size)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ VIRTIO_CONFIG_S_ACKNOWLEDGE, "ACKNOWLEDGE" },
		{ VIRTIO_CONFIG_S_DRIVER, "DRIVER" },
		{ VIRTIO_CONFIG_S_FEATURES_OK, "FEATURES_OK" },
		{ VIRTIO_CONFIG_S_DRIVER_OK, "DRIVER_OK" },
		{ VIRTIO_CONFIG_S_NEEDS_RESET, "NEEDS_RESET" },
		{ VIRTIO_CONFIG_S_FAILED, "FAILED" },
	};
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((bits & names[i].bit) && used < size)
			used += (size_t)snprintf(buf + used, size - used, "%s%s",
						 used ? "|" : "", names[i].name);
	if (!used)
		snprintf(buf, size, "none");
}

/**
 * desc_flag_names() - names of descriptor flags.
 * @param flags VRING_DESC_F_* bits.
 * @return a constant string such as "NEXT|WRITE".
 */
static const char *desc_flag_names(uint64_t flags)
{
	static const char *const names[] = {
		"-", "NEXT", "WRITE", "NEXT|WRITE", "INDIRECT",
		"NEXT|INDIRECT", "WRITE|INDIRECT", "NEXT|WRITE|INDIRECT",
	};

	return names[flags & 7];
}

/**
 * packed_flag_names() - names of a packed descriptor's flags.
 * @param flags the flags, AVAIL and USED included.
 * @param buf receives e.g. "NEXT|WRITE|AVAIL".
 * @param size size of @p buf.
 */
static void packed_flag_names(uint64_t flags, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", desc_flag_names(flags & 7),
		 flags & (1u << VRING_PACKED_DESC_F_AVAIL) ? "|AVAIL" : "",
		 flags & (1u << VRING_PACKED_DESC_F_USED) ? "|USED" : "");
}

/**
 * format_packed() - the text of an event of the packed ring.
 * @param ev the event (text "packed").
 * @param buf receives the line.
 * @param size size of @p buf.
 * @return true when the kind has a packed wording.
 */
static bool format_packed(const struct vlab_event *ev, char *buf, size_t size)
{
	char f[64];

	switch (ev->kind) {
	case VLAB_EV_DESC_ADD:
		packed_flag_names(ev->v[3] & 0xffff, f, sizeof(f));
		snprintf(buf, size, "desc[%" PRIu64 "] = {addr 0x%" PRIx64
			 ", len %" PRIu64 ", id %" PRIu64 ", %s}; free %u -> %u",
			 ev->v[0], ev->v[1], ev->v[2], ev->v[3] >> 16, f,
			 ev->before, ev->after);
		return true;
	case VLAB_EV_AVAIL_PUBLISH:
		snprintf(buf, size, "desc[%" PRIu64 "].flags written last: buffer %"
			 PRIu64 " available; next_avail %u -> %u, wrap %" PRIu64,
			 ev->v[0], ev->v[1], ev->before, ev->after, ev->v[2]);
		return true;
	case VLAB_EV_KICK:
		snprintf(buf, size, "QueueNotify <- %d (next_avail %u)",
			 ev->queue, ev->after);
		return true;
	case VLAB_EV_POP:
		snprintf(buf, size, "buffer %" PRIu64 ": %" PRIu64
			 " element(s), %" PRIu64 " readable + %" PRIu64
			 " writable bytes; next_avail %u -> %u",
			 ev->v[0], ev->v[1], ev->v[2], ev->v[3], ev->before,
			 ev->after);
		return true;
	case VLAB_EV_USED:
		snprintf(buf, size, "desc[%" PRIu64 "] = {id %" PRIu64 ", len %"
			 PRIu64 "}", ev->v[0], ev->v[1], ev->v[2]);
		return true;
	case VLAB_EV_USED_PUBLISH:
		snprintf(buf, size, "flags AVAIL=USED written last: used; next_used %u -> %u, wrap %"
			 PRIu64, ev->before, ev->after, ev->v[0]);
		return true;
	case VLAB_EV_GET_BUF:
		snprintf(buf, size, "desc[%" PRIu64 "] used: id %" PRIu64 ", len %"
			 PRIu64 "; last_used %u -> %u, wrap %" PRIu64,
			 ev->v[2], ev->v[0], ev->v[1], ev->before, ev->after,
			 ev->v[3]);
		return true;
	default:
		return false;
	}
}

/**
 * suppression_text() - a write of a notification-suppression field
 * (§2.7.10, §2.8.10): which field, its value before and after, and what
 * the other side now reads in it.
 * @param ev a driver-event or device-event; @c text names the field,
 *	@c v[0] says which kind of field (0 flags, 1 an event index,
 *	2 a packed event structure: its flags in @c v[1], off_wrap before
 *	and after).
 * @param buf receives the line.
 * @param size its room.
 */
static void suppression_text(const struct vlab_event *ev, char *buf,
			     size_t size)
{
	bool drv = ev->kind == VLAB_EV_DRIVER_EVENT;
	const char *who = drv ? "interrupts" : "kicks";

	switch (ev->v[0]) {
	case 0:
		snprintf(buf, size, "%s %u -> %u: %s %s", ev->text, ev->before,
			 ev->after, ev->after ? "no" : "all", who);
		break;
	case 1:
		snprintf(buf, size,
			 "%s %u -> %u: %s once the %s index passes %u",
			 ev->text, ev->before, ev->after, who,
			 drv ? "used" : "avail", ev->after);
		break;
	default:
		snprintf(buf, size, "%s flags %s, off_wrap 0x%04x -> 0x%04x",
			 ev->text, ev->v[1] == 0 ? "ENABLE" :
			 ev->v[1] == 1 ? "DISABLE" : "DESC", ev->before,
			 ev->after);
		break;
	}
}

void vlab_trace_format(const struct vlab_event *ev, char *buf, size_t size)
{
	char a[96], b[96];

	if (ev->text && !strcmp(ev->text, "packed") &&
	    format_packed(ev, buf, size))
		return;
	switch (ev->kind) {
	case VLAB_EV_RESET:
		snprintf(buf, size, "status 0x%02x -> 0x00: device reset",
			 ev->before);
		break;
	case VLAB_EV_STATUS:
		status_names(ev->after & ~ev->before, a, sizeof(a));
		status_names(ev->after, b, sizeof(b));
		snprintf(buf, size, "status 0x%02x -> 0x%02x: +%s (now %s)",
			 ev->before, ev->after, a, b);
		break;
	case VLAB_EV_FEATURES_READ:
		snprintf(buf, size, "device features[%" PRIu64 "] = 0x%08" PRIx64,
			 ev->v[0], ev->v[1]);
		break;
	case VLAB_EV_FEATURES_WRITE:
		snprintf(buf, size, "driver features[%" PRIu64 "] = 0x%08" PRIx64,
			 ev->v[0], ev->v[1]);
		break;
	case VLAB_EV_QUEUE_SETUP:
	case VLAB_EV_QUEUE_REFUSED:
		snprintf(buf, size,
			 "size %" PRIu64 ", desc 0x%" PRIx64 ", driver 0x%" PRIx64
			 ", device 0x%" PRIx64 ": %s",
			 ev->v[0], ev->v[1], ev->v[2], ev->v[3],
			 ev->kind == VLAB_EV_QUEUE_SETUP ? "ready" : "refused");
		break;
	case VLAB_EV_CONFIG_READ:
		snprintf(buf, size, "config[0x%" PRIx64 "], %" PRIu64
			 " bytes = 0x%" PRIx64 " (generation %" PRIu64 ")",
			 ev->v[0], ev->v[1], ev->v[2], ev->v[3]);
		break;
	case VLAB_EV_DESC_ADD:
		if (ev->v[3] & VRING_DESC_F_NEXT)
			snprintf(a, sizeof(a), ", next %" PRIu64, ev->v[3] >> 16);
		else
			a[0] = '\0';
		snprintf(buf, size,
			 "%s[%" PRIu64 "] = {addr 0x%" PRIx64 ", len %" PRIu64
			 ", %s%s}; free %u -> %u",
			 ev->text ? ev->text : "desc", ev->v[0], ev->v[1], ev->v[2],
			 desc_flag_names(ev->v[3] & 0xffff), a,
			 ev->before, ev->after);
		break;
	case VLAB_EV_AVAIL_PUBLISH:
		snprintf(buf, size, "avail.ring[%" PRIu64 "] = %" PRIu64
			 "; avail.idx %u -> %u",
			 ev->v[1], ev->v[0], ev->before, ev->after);
		break;
	case VLAB_EV_KICK:
		snprintf(buf, size, "QueueNotify <- %d (avail.idx %u)",
			 ev->queue, ev->after);
		break;
	case VLAB_EV_KICK_SUPPRESSED:
		snprintf(buf, size, "device asked for no notification; avail.idx %u -> %u not signalled",
			 ev->before, ev->after);
		break;
	case VLAB_EV_NOTIFY:
		snprintf(buf, size, "woken by QueueNotify = %d: look at the ring",
			 ev->queue);
		break;
	case VLAB_EV_NOTIFY_IGNORED:
		snprintf(buf, size, "QueueNotify = %d ignored: %s", ev->queue,
			 ev->text ? ev->text : "");
		break;
	case VLAB_EV_POP:
		snprintf(buf, size,
			 "head %" PRIu64 ": %" PRIu64 " buffer(s), %" PRIu64
			 " readable + %" PRIu64 " writable bytes; last_avail %u -> %u",
			 ev->v[0], ev->v[1], ev->v[2], ev->v[3], ev->before,
			 ev->after);
		break;
	case VLAB_EV_USED:
		snprintf(buf, size, "used.ring[%" PRIu64 "] = {id %" PRIu64
			 ", len %" PRIu64 "}", ev->v[0], ev->v[1], ev->v[2]);
		break;
	case VLAB_EV_USED_PUBLISH:
		snprintf(buf, size, "used.idx %u -> %u", ev->before, ev->after);
		break;
	case VLAB_EV_IRQ:
		snprintf(buf, size, "InterruptStatus |= VRING; raise irq %" PRIu64,
			 ev->v[0]);
		break;
	case VLAB_EV_IRQ_SUPPRESSED:
		snprintf(buf, size, "driver asked for no interrupt (used.idx %u)",
			 ev->after);
		break;
	case VLAB_EV_CONFIG_IRQ:
		snprintf(buf, size, "InterruptStatus |= CONFIG; raise irq %" PRIu64,
			 ev->v[0]);
		break;
	case VLAB_EV_DEVICE_ERROR:
		snprintf(buf, size, "%s; status |= DEVICE_NEEDS_RESET",
			 ev->text ? ev->text : "");
		break;
	case VLAB_EV_CALLBACK:
		snprintf(buf, size, "vring_interrupt -> callback of \"%s\"",
			 ev->text ? ev->text : "");
		break;
	case VLAB_EV_GET_BUF:
		snprintf(buf, size, "used.ring[%" PRIu64 "] = {id %" PRIu64
			 ", len %" PRIu64 "}; last_used %u -> %u",
			 ev->v[2], ev->v[0], ev->v[1], ev->before, ev->after);
		break;
	case VLAB_EV_DETACH:
		snprintf(buf, size, "head %" PRIu64 " taken back unused",
			 ev->v[0]);
		break;
	case VLAB_EV_QUEUE_BROKEN:
		snprintf(buf, size, "%s; queue broken", ev->text ? ev->text : "");
		break;
	case VLAB_EV_SLEEP:
		/* v[0]: 0 for a completion, 1 for a wait queue */
		snprintf(buf, size, "%s, %s sleeps",
			 ev->v[0] ? "wait_event: condition false" :
			 "wait_for_completion: not done yet",
			 ev->text ? ev->text : "the thread");
		break;
	case VLAB_EV_WAKE:
		snprintf(buf, size, "%s",
			 ev->v[0] ? "wake_up(): sleepers test their condition again" :
			 "complete(): the sleeping thread may run again");
		break;
	case VLAB_EV_DRIVER_EVENT:
	case VLAB_EV_DEVICE_EVENT:
		suppression_text(ev, buf, size);
		break;
	default:
		snprintf(buf, size, "?");
		break;
	}
}

void vlab_trace_text_header(FILE *out)
{
	fprintf(out, "%-4s  %-5s %-6s %-7s %-3s %-15s %-10s%s\n", "#  n",
		"thread", "side", "device", "q", "event", "spec",
		"what changed");
}

void vlab_trace_line(FILE *out, const struct vlab_event *ev, uint64_t seq,
		     const char *thread, const char *text)
{
	char q[16];

	if (ev->queue >= 0)
		snprintf(q, sizeof(q), "q%d", ev->queue);
	else
		snprintf(q, sizeof(q), "-");
	fprintf(out, "%4" PRIu64 "  %-5s %-6s %-7s %-3s %-15s %-10s %s\n", seq,
		thread, vlab_event_side(ev->kind) == VLAB_SIDE_DRIVER ?
		"driver" : "device", ev->dev ? ev->dev : "-", q,
		vlab_event_kind_name(ev->kind), vlab_event_spec(ev), text);
}

void vlab_trace_text_sink(const struct vlab_event *ev, uint64_t seq,
			  const char *thread, void *opaque)
{
	char text[256];

	vlab_trace_format(ev, text, sizeof(text));
	vlab_trace_line(opaque, ev, seq, thread, text);
}

void vlab_json_string(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

void vlab_trace_jsonl_sink(const struct vlab_event *ev, uint64_t seq,
			   const char *thread, void *opaque)
{
	FILE *out = opaque;
	char text[256];

	vlab_trace_format(ev, text, sizeof(text));
	fprintf(out, "{\"seq\":%" PRIu64 ",\"thread\":", seq);
	vlab_json_string(out, thread);
	fprintf(out, ",\"side\":\"%s\",\"kind\":\"%s\",\"dev\":",
		vlab_event_side(ev->kind) == VLAB_SIDE_DRIVER ? "driver" :
		"device", vlab_event_kind_name(ev->kind));
	vlab_json_string(out, ev->dev);
	fprintf(out, ",\"queue\":%d,\"spec\":", ev->queue);
	vlab_json_string(out, vlab_event_spec(ev));
	fprintf(out, ",\"before\":%u,\"after\":%u,\"v\":[%" PRIu64 ",%" PRIu64
		",%" PRIu64 ",%" PRIu64 "],\"text\":", ev->before, ev->after,
		ev->v[0], ev->v[1], ev->v[2], ev->v[3]);
	vlab_json_string(out, ev->text);
	fputs(",\"what\":", out);
	vlab_json_string(out, text);
	fputs("}\n", out);
}

void vlab_event_counts_add(struct vlab_event_counts *c,
			   const struct vlab_event *ev)
{
	if (ev->queue >= 0 && ev->queue < VLAB_COUNT_QUEUES)
		c->n[ev->queue][ev->kind]++;
}

void vlab_event_counts_print(FILE *out, const struct vlab_event_counts *c,
			     unsigned int nq, const char *prefix)
{
	const unsigned long *n;
	unsigned int q;

	fprintf(out, "%squeue  buffers  kicks-sent  kicks-suppressed  irqs-sent  irqs-suppressed  get_buf\n",
		prefix);
	for (q = 0; q < nq && q < VLAB_COUNT_QUEUES; q++) {
		n = c->n[q];
		fprintf(out, "%s%5u  %7lu  %10lu  %16lu  %9lu  %15lu  %7lu\n",
			prefix, q, n[VLAB_EV_POP], n[VLAB_EV_KICK],
			n[VLAB_EV_KICK_SUPPRESSED], n[VLAB_EV_IRQ],
			n[VLAB_EV_IRQ_SUPPRESSED], n[VLAB_EV_GET_BUF]);
	}
}

void vlab_event_counts_json(FILE *out, const struct vlab_event_counts *c,
			    unsigned int nq)
{
	const unsigned long *n;
	unsigned int q;

	fputc('[', out);
	for (q = 0; q < nq && q < VLAB_COUNT_QUEUES; q++) {
		n = c->n[q];
		fprintf(out, "%s{\"queue\":%u,\"buffers\":%lu,\"kicks_sent\":%lu,"
			"\"kicks_suppressed\":%lu,\"irqs_sent\":%lu,"
			"\"irqs_suppressed\":%lu,\"get_buf\":%lu}",
			q ? "," : "", q, n[VLAB_EV_POP], n[VLAB_EV_KICK],
			n[VLAB_EV_KICK_SUPPRESSED], n[VLAB_EV_IRQ],
			n[VLAB_EV_IRQ_SUPPRESSED], n[VLAB_EV_GET_BUF]);
	}
	fputc(']', out);
}

void vlab_events_reference(FILE *out)
{
	int k;

	fputs("Trace events {#events}\n"
	      "============\n\n"
	      "Every line of `vlab run ... --trace` is one of these events (and\n"
	      "every object of `--trace-format jsonl` has its name in `kind`).\n"
	      "This page is made by `vlab events` from the kind table in\n"
	      "sim/trace.c, the table the text and JSON sinks and the stepper's\n"
	      "`b` command use.\n\n"
	      "| event | side | virtio 1.2 | what happened |\n"
	      "|---|---|---|---|\n", out);
	for (k = 0; k < VLAB_EV_COUNT; k++)
		fprintf(out, "| `%s` | %s | %s | %s |\n",
			vlab_event_kind_name(k),
			vlab_event_side(k) == VLAB_SIDE_DRIVER ? "driver" :
			"device", vlab_event_kind_spec(k),
			vlab_event_kind_what(k));
}
