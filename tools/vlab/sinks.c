// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The vlab command's trace sinks: each event as an aligned text
 * line or a JSON object, and the per-queue counts of --stats and the
 * stepper's `s`.
 */
#include "tools/vlab/sinks.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

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

	vlab_event_format(ev, text, sizeof(text));
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

/**
 * json_args() - an event's named values, as its kind's table entry names
 * them: `"addr":1073742592,"len":16`.
 * @param out the stream.
 * @param ev the event.
 */
static void json_args(FILE *out, const struct vlab_event *ev)
{
	const struct vlab_kind_info *k = vlab_event_kind_info(ev->kind);
	const struct vlab_event_arg *arg;
	unsigned int i;

	for (i = 0; k && i < k->nargs; i++) {
		arg = &k->args[i];
		fprintf(out, ",\"%s\":", arg->name);
		if (arg->type == VLAB_ARG_STR || arg->type == VLAB_ARG_SUPP)
			vlab_json_string(out, vlab_event_arg_string(ev, arg));
		else
			fprintf(out, "%" PRIu64, vlab_event_arg_value(ev, arg));
	}
}

/**
 * json_fields() - the shared-memory fields an event wrote, by name.
 * @param out the stream.
 * @param ev the event.
 */
static void json_fields(FILE *out, const struct vlab_event *ev)
{
	char name[48];
	unsigned int i;

	fputs(",\"fields\":[", out);
	for (i = 0; i < ev->nfields && i < VLAB_EV_MAX_FIELDS; i++) {
		vlab_field_name(ev, &ev->fields[i], name, sizeof(name));
		fprintf(out, "%s\"%s\"", i ? "," : "", name);
	}
	fputc(']', out);
}

void vlab_trace_jsonl_sink(const struct vlab_event *ev, uint64_t seq,
			   const char *thread, void *opaque)
{
	static const char *const layouts[] = { NULL, "split", "packed" };
	FILE *out = opaque;
	char text[256];

	vlab_event_format(ev, text, sizeof(text));
	fprintf(out, "{\"seq\":%" PRIu64 ",\"thread\":", seq);
	vlab_json_string(out, thread);
	fprintf(out, ",\"side\":\"%s\",\"kind\":\"%s\",\"dev\":",
		vlab_event_side(ev->kind) == VLAB_SIDE_DRIVER ? "driver" :
		"device", vlab_event_kind_name(ev->kind));
	vlab_json_string(out, ev->dev);
	fprintf(out, ",\"queue\":%d,\"layout\":", ev->queue);
	vlab_json_string(out, layouts[ev->layout % 3]);
	fputs(",\"spec\":", out);
	vlab_json_string(out, vlab_event_spec(ev));
	fprintf(out, ",\"before\":%u,\"after\":%u", ev->before, ev->after);
	json_args(out, ev);
	json_fields(out, ev);
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

/**
 * reference_kind() - one kind's section of the reference page: what it
 * means, what before and after hold, and its named values.
 * @param out the stream.
 * @param k the kind's table entry.
 */
static void reference_kind(FILE *out, const struct vlab_kind_info *k)
{
	unsigned int i;

	fprintf(out, "### %s\n\n%c%s (%s, %s).\n\n", k->name,
		toupper((unsigned char)k->what[0]), k->what + 1,
		k->side == VLAB_SIDE_DRIVER ? "driver" : "device", k->spec);
	fputs("| key | meaning |\n|---|---|\n", out);
	if (k->before)
		fprintf(out, "| `before` | %s |\n", k->before);
	if (k->after)
		fprintf(out, "| `after` | %s |\n", k->after);
	for (i = 0; i < k->nargs; i++)
		fprintf(out, "| `%s` | %s |\n", k->args[i].name,
			k->args[i].doc);
	fputc('\n', out);
}

void vlab_events_reference(FILE *out)
{
	int k;

	fputs("Trace events {#events}\n"
	      "============\n\n"
	      "Every line of `vlab run ... --trace` is one of these events (and\n"
	      "every object of `--trace-format jsonl` has its name in `kind`).\n"
	      "This page is made by `vlab events` from the kind table in\n"
	      "sim/trace_kinds.c, the table the text and JSON sinks, the\n"
	      "canonical form and the stepper's `b` command use.\n\n"
	      "| event | side | virtio 1.2 | what happened |\n"
	      "|---|---|---|---|\n", out);
	for (k = 0; k < VLAB_EV_COUNT; k++)
		fprintf(out, "| `%s` | %s | %s | %s |\n",
			vlab_event_kind_name(k),
			vlab_event_side(k) == VLAB_SIDE_DRIVER ? "driver" :
			"device", vlab_event_kind_spec(k),
			vlab_event_kind_what(k));
	fputs("\nJSON lines {#events_json}\n"
	      "----------\n\n"
	      "With `--trace-format jsonl` the first line is\n"
	      "`{\"kind\":\"schema\",\"schema\":\"virtio-lab-trace\",\"version\":2}`,\n"
	      "narration lines have kind `narration`, and the last line has kind\n"
	      "`result`. Every event object has the keys `seq`, `thread`, `side`,\n"
	      "`kind`, `dev`, `queue` (-1 for the whole device), `layout`\n"
	      "(`split`, `packed` or null), `spec`, `before`, `after`, the named\n"
	      "values of its kind (below), `fields` and `what` (the text line).\n\n"
	      "`fields` lists the shared ring memory the event's thread wrote\n"
	      "since its previous event, by the spec's names: `desc[3]` (the whole\n"
	      "descriptor), `desc[3].addr`, `.len`, `.next` (split) or `.id`\n"
	      "(packed), `.flags`; `indirect[1]` (an entry of the table in\n"
	      "`table`); `avail.flags`, `avail.idx`, `avail.ring[2]`,\n"
	      "`used_event`; `used.flags`, `used.idx`, `used.ring[2]`,\n"
	      "`avail_event`; `driver_event.off_wrap`, `driver_event.flags`,\n"
	      "`device_event.off_wrap`, `device_event.flags`. Every write to\n"
	      "the rings is listed by exactly one event, after the write: `vlab\n"
	      "run --check-writes` proves it for a run, and tests/writes.sh for\n"
	      "every device, layout and seed 1-20.\n\n"
	      "The kinds, one by one {#events_kinds}\n"
	      "--------------------\n\n", out);
	for (k = 0; k < VLAB_EV_COUNT; k++)
		reference_kind(out, vlab_event_kind_info(k));
}
