// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The stepper of `vlab step` and the writer of `--dot DIR`.
 */
#include "tools/vlab/stepper.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "sim/device.h"
#include "sim/sched.h"

/**
 * tracker_init() - no snapshot yet of any queue of @p m.
 * @param t the tracker.
 * @param m the machine.
 */
static void tracker_init(struct vlab_ring_tracker *t, struct vlab_machine *m)
{
	memset(t, 0, sizeof(*t));
	t->m = m;
}

/**
 * tracker_fini() - release every snapshot.
 * @param t the tracker.
 */
static void tracker_fini(struct vlab_ring_tracker *t)
{
	unsigned int d, q;

	for (d = 0; d < VLAB_MAX_DEVICES; d++)
		for (q = 0; q < VLAB_STEP_QUEUES; q++)
			vlab_ringview_free(&t->prev[d][q]);
	vlab_ringview_free(&t->now);
}

/**
 * nqueues() - the queues of device slot @p d the tracker follows.
 * @param t the tracker.
 * @param d the device slot.
 * @return how many.
 */
static unsigned int nqueues(const struct vlab_ring_tracker *t, unsigned int d)
{
	unsigned int n = t->m->devs[d]->model->num_queues;

	return n < VLAB_STEP_QUEUES ? n : VLAB_STEP_QUEUES;
}

/** What to do with a queue whose snapshot was just taken. */
enum render {
	RENDER_NONE,	/**< only remember it */
	RENDER_TEXT,	/**< print it, changes marked */
	RENDER_DOT,	/**< draw it, changes filled */
};

/**
 * update() - take a new snapshot of every queue; render the ones @p want
 * selects, against the previous snapshot; keep the new one as previous.
 * @param t the tracker.
 * @param want which queues: device slot (-1 for all devices, -2 for none)
 * queue (or -1 for every queue of the device).
 * @param wq the queue, or -1.
 * @param how how to render the chosen ones.
 * @param out where to.
 * @param colour for RENDER_TEXT.
 * @param ev the event the snapshots follow: on its own queue, the
 *	shared fields it lists are the ones marked; NULL when none.
 */
static void update(struct vlab_ring_tracker *t, int want, int wq,
		   enum render how, FILE *out, bool colour,
		   const struct vlab_event *ev)
{
	struct vlab_ringview tmp;
	unsigned int d, q;
	bool chosen;

	for (d = 0; d < t->m->ndevs; d++) {
		for (q = 0; q < nqueues(t, d); q++) {
			if (vlab_ringview_take(&t->now, t->m->devs[d], q))
				continue;
			chosen = (want == -1 || want == (int)d) &&
				(wq < 0 || wq == (int)q);
			t->now.wrote = ev && want == (int)d &&
				ev->queue == (int)q ? ev : NULL;
			if (chosen && how == RENDER_TEXT &&
			    (t->now.ready || wq >= 0))
				vlab_ringview_print(out, &t->now,
						    &t->prev[d][q], colour);
			else if (chosen && how == RENDER_DOT)
				vlab_ringview_dot(out, &t->now,
						  &t->prev[d][q]);
			t->now.wrote = NULL;
			/* the new snapshot becomes the one to compare with */
			tmp = t->prev[d][q];
			t->prev[d][q] = t->now;
			t->now = tmp;
		}
	}
}

void vlab_stepper_init(struct vlab_stepper *st, struct vlab_machine *m,
		       FILE *in, FILE *out, long steps)
{
	memset(st, 0, sizeof(*st));
	tracker_init(&st->rings, m);
	st->in = in;
	st->out = out;
	st->steps = steps;
}

void vlab_stepper_fini(struct vlab_stepper *st)
{
	tracker_fini(&st->rings);
}

/**
 * kind_by_name() - the event kind called @p name.
 * @param name e.g. "kick".
 * @return the kind, or -1.
 */
static int kind_by_name(const char *name)
{
	int k;

	for (k = 0; k < VLAB_EV_COUNT; k++)
		if (!strcmp(vlab_event_kind_name(k), name))
			return k;
	return -1;
}

/**
 * list_kinds() - every kind's name, for `h` and a bad `b`.
 * @param out where to.
 */
static void list_kinds(FILE *out)
{
	int k;

	fputs("  kinds:", out);
	for (k = 0; k < VLAB_EV_COUNT; k++)
		fprintf(out, "%s %s", k % 8 ? "" : "\n   ",
			vlab_event_kind_name(k));
	fputc('\n', out);
}

/**
 * help() - the stepper's commands.
 * @param out where to.
 */
static void help(FILE *out)
{
	fputs("  Enter, n   next event\n"
	      "  c          continue to the next breakpoint (or the end)\n"
	      "  b KIND     break on every event of KIND (b alone lists them)\n"
	      "  r          show every ring of every device\n"
	      "  s          per-queue counts so far\n"
	      "  h          this help\n"
	      "  q          stop stepping; the run goes on to its end\n", out);
	list_kinds(out);
}

/**
 * breakpoint() - the `b` command.
 * @param st the stepper.
 * @param arg what follows "b", spaces skipped.
 */
static void breakpoint(struct vlab_stepper *st, const char *arg)
{
	int k;

	if (!*arg) {
		fputs("  breakpoints:", st->out);
		for (k = 0; k < VLAB_EV_COUNT; k++)
			if (st->breaks & (1ULL << k))
				fprintf(st->out, " %s", vlab_event_kind_name(k));
		fputs(st->breaks ? "\n" : " none\n", st->out);
		return;
	}
	k = kind_by_name(arg);
	if (k < 0) {
		fprintf(st->out, "  no event kind '%s'\n", arg);
		list_kinds(st->out);
		return;
	}
	st->breaks |= 1ULL << k;
	fprintf(st->out, "  break on %s\n", arg);
}

/**
 * stats() - the `s` command: events per queue.
 * @param st the stepper.
 */
static void stats(const struct vlab_stepper *st)
{
	unsigned int d, nq = 0;

	for (d = 0; d < st->rings.m->ndevs; d++)
		if (nqueues(&st->rings, d) > nq)
			nq = nqueues(&st->rings, d);
	vlab_event_counts_print(st->out, &st->counts, nq, "  ");
	fprintf(st->out, "  lockstep: the token changed threads %" PRIu64
		" times\n", vlab_sched_switches());
}

/**
 * stop() - stop showing events; the run goes on to its end.
 * @param st the stepper.
 * @param why the reason shown.
 */
static void stop(struct vlab_stepper *st, const char *why)
{
	st->quit = true;
	fprintf(st->out, "# %s: the run goes on to its end without stepping\n",
		why);
}

/**
 * ask() - read commands until one lets the machine go on.
 * @param st the stepper.
 */
static void ask(struct vlab_stepper *st)
{
	char line[128], *cmd, *end;

	for (;;) {
		fputs("step> ", st->out);
		fflush(st->out);
		if (!fgets(line, sizeof(line), st->in)) {
			fputc('\n', st->out);
			stop(st, "end of input");
			return;
		}
		/* from a pipe nothing echoes the command: show it */
		if (!st->echo_off)
			fputs(line[0] && line[strlen(line) - 1] == '\n' ? line :
			      "\n", st->out);
		for (cmd = line; *cmd == ' ' || *cmd == '\t'; cmd++)
			;
		end = cmd + strlen(cmd);
		while (end > cmd && (end[-1] == '\n' || end[-1] == '\r' ||
				     end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (!*cmd || !strcmp(cmd, "n"))
			return;
		if (!strcmp(cmd, "c")) {
			st->cont = true;
			return;
		}
		if (!strcmp(cmd, "q")) {
			stop(st, "quit");
			return;
		}
		if (cmd[0] == 'b' && (!cmd[1] || cmd[1] == ' ')) {
			for (cmd++; *cmd == ' '; cmd++)
				;
			breakpoint(st, cmd);
		} else if (!strcmp(cmd, "r")) {
			update(&st->rings, -1, -1, RENDER_TEXT, st->out,
			       st->colour, NULL);
		} else if (!strcmp(cmd, "s")) {
			stats(st);
		} else if (!strcmp(cmd, "h")) {
			help(st->out);
		} else {
			fprintf(st->out, "  unknown command '%s' (h for help)\n",
				cmd);
		}
	}
}

/**
 * print_wrote() - under an event's line, the shared fields it wrote, as
 * the event lists them: the ring view below stars those whose value
 * changed (a field written with the value it held is listed, not
 * starred).
 * @param out the stream.
 * @param ev the event.
 */
static void print_wrote(FILE *out, const struct vlab_event *ev)
{
	char name[48];
	unsigned int i;

	if (!ev->nfields)
		return;
	fputs("      wrote:", out);
	for (i = 0; i < ev->nfields && i < VLAB_EV_MAX_FIELDS; i++) {
		vlab_field_name(ev, &ev->fields[i], name, sizeof(name));
		fprintf(out, "%s %s", i ? "," : "", name);
	}
	fputc('\n', out);
}

void vlab_stepper_sink(const struct vlab_event *ev, uint64_t seq,
		       const char *thread, void *opaque)
{
	struct vlab_stepper *st = opaque;
	int d = vlab_event_device(st->rings.m, ev);

	vlab_event_counts_add(&st->counts, ev);
	if (st->quit) {
		update(&st->rings, -1, -1, RENDER_NONE, NULL, false, NULL);
		return;
	}
	vlab_trace_text_sink(ev, seq, thread, st->out);
	print_wrote(st->out, ev);
	if (st->cont && !(st->breaks & (1ULL << ev->kind))) {
		update(&st->rings, -1, -1, RENDER_NONE, NULL, false, NULL);
		return;
	}
	if (st->cont)
		fprintf(st->out, "# breakpoint: %s\n",
			vlab_event_kind_name(ev->kind));
	st->cont = false;
	/* the event's queue; for a device-wide event, the device's queues */
	update(&st->rings, d, ev->queue, RENDER_TEXT, st->out, st->colour, ev);
	if (st->steps >= 0) {
		if (--st->steps == 0)
			stop(st, "--steps done");
		return;
	}
	ask(st);
}

void vlab_dot_writer_init(struct vlab_dot_writer *w, struct vlab_machine *m,
			  const char *dir)
{
	memset(w, 0, sizeof(*w));
	tracker_init(&w->rings, m);
	w->dir = dir;
}

void vlab_dot_writer_fini(struct vlab_dot_writer *w)
{
	tracker_fini(&w->rings);
}

/**
 * dot_quoted() - print @p s inside a Graphviz double-quoted string.
 * @param out where to.
 * @param s the text.
 */
static void dot_quoted(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
}

void vlab_dot_event(struct vlab_dot_writer *w, const struct vlab_event *ev,
		    uint64_t seq, const char *thread)
{
	int d = vlab_event_device(w->rings.m, ev);
	char path[4096], what[256], q[16];
	FILE *out;

	if (w->error) {
		update(&w->rings, -1, -1, RENDER_NONE, NULL, false, NULL);
		return;
	}
	snprintf(path, sizeof(path), "%s/event-%04" PRIu64 ".dot", w->dir,
		 seq);
	out = fopen(path, "w");
	if (!out) {
		w->error = errno;
		update(&w->rings, -1, -1, RENDER_NONE, NULL, false, NULL);
		return;
	}
	vlab_event_format(ev, what, sizeof(what));
	fprintf(out, "digraph event_%04" PRIu64 " {\n"
		" graph [rankdir=LR, labelloc=t, fontname=\"monospace\", label=\"",
		seq);
	/* an event about the whole device names no queue */
	if (ev->queue >= 0)
		snprintf(q, sizeof(q), " q%d", ev->queue);
	else
		q[0] = '\0';
	fprintf(out, "#%" PRIu64 " %s (%s) %s %s%s %s: ", seq, thread,
		vlab_event_side(ev->kind) == VLAB_SIDE_DRIVER ? "driver" :
		"device", ev->dev ? ev->dev : "-", vlab_event_kind_name(ev->kind),
		q, vlab_event_spec(ev));
	dot_quoted(out, what);
	fputs("\"];\n node [fontname=\"monospace\", fontsize=10];\n", out);
	update(&w->rings, d, -1, RENDER_DOT, out, false, ev);
	fputs("}\n", out);
	if (fclose(out) && !w->error)
		w->error = errno;
	else
		w->files++;
}
