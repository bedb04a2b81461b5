// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief One run of the vlab command: a session with one device and its
 * driver, the sinks that watch its events (the text or JSON lines trace,
 * the stepper, the Graphviz writer, the counts of --stats), and the guest
 * program it runs.
 */
#include "tools/vlab/run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/trace.h"
#include "sim/sched.h"
#include "tools/vlab/canon.h"
#include "tools/vlab/diagnose.h"
#include "tools/vlab/sinks.h"
#include "tools/vlab/writecheck.h"
#include "tools/vlab/stepper.h"
#include "virtio/shared/boundary.h"

void vlab_run_hex(const uint8_t *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i % 16 == 0)
			printf("%08zx ", i);
		printf(" %02x", buf[i]);
		if (i % 16 == 15 || i + 1 == n)
			putchar('\n');
	}
}

bool vlab_run_json(const struct options *o)
{
	return o->trace && o->format == FORMAT_JSONL;
}

void vlab_run_say(const struct options *o, const char *what)
{
	if (vlab_run_json(o)) {
		fputs("{\"kind\":\"narration\",\"text\":", stdout);
		vlab_json_string(stdout, what);
		fputs("}\n", stdout);
		return;
	}
	if (o->step || o->trace) {
		printf("# %s\n", what);
		fflush(stdout);
	}
}

/** Everything that watches the events of one run. */
struct sinks {
	struct vlab_event_counts counts; /**< for --stats */
	bool trace;			/**< print each event */
	enum trace_format format;	/**< how */
	struct vlab_stepper *stepper;	/**< vlab step, or NULL */
	struct vlab_dot_writer *dot;	/**< --dot, or NULL */
	struct vlab_canon_out canon;	/**< --trace-format canon */
	struct vlab_writecheck *wc;	/**< --check-writes, or NULL */
	struct vlab_fault_state fault;	/**< --fault */
};

/**
 * all_sinks() - count every event by queue and kind, and hand it to the
 * stepper, the trace printer and the Graphviz writer that are on (step
 * refuses --trace, so the stepper is the only printer when it is on).
 * @param ev the event.
 * @param seq its number.
 * @param thread its thread.
 * @param opaque the struct sinks.
 */
static void all_sinks(const struct vlab_event *ev, uint64_t seq,
		      const char *thread, void *opaque)
{
	struct sinks *sk = opaque;

	/* the stepper keeps its own counts, for its `s` command */
	if (sk->stepper)
		vlab_stepper_sink(ev, seq, thread, sk->stepper);
	else
		vlab_event_counts_add(&sk->counts, ev);
	if (sk->trace && sk->format == FORMAT_JSONL)
		vlab_trace_jsonl_sink(ev, seq, thread, stdout);
	else if (sk->trace && sk->format == FORMAT_CANON)
		vlab_trace_canon_sink(ev, seq, thread, &sk->canon);
	else if (sk->trace)
		vlab_trace_text_sink(ev, seq, thread, stdout);
	if (sk->dot)
		vlab_dot_event(sk->dot, ev, seq, thread);
	if (sk->wc)
		vlab_writecheck_event(sk->wc, ev, seq);
	vlab_fault_event(&sk->fault, ev);
}

/** The sinks, stepper and Graphviz writer of the one run. */
static struct sinks st;
/** The stepper of `vlab step`. */
static struct vlab_stepper stepper;
/** The writer of --dot. */
static struct vlab_dot_writer dot;
/** The checker of --check-writes. */
static struct vlab_writecheck wc;

/**
 * run_stuck() - the lockstep deadlock hook: every thread waits, the run
 * cannot finish; say what the rings show, in a learner's terms.
 * @param arg the struct vlab_run.
 */
static void run_stuck(void *arg)
{
	struct vlab_run *r = arg;

	fflush(stdout);
	fprintf(stderr, "vlab: what the rings show:\n");
	vlab_diagnose_rings(stderr, &r->s.m);
}

int vlab_run_start(struct vlab_run *r, const struct vlab_device_model *model,
		   void *priv, const char *name)
{
	const struct options *o = r->o;
	struct vlab_session_opts sopts = {
		.loglevel = o->dmesg ? 6 : 4,
		.ring = { .packed = o->packed, .indirect = !o->no_indirect,
			  .event_idx = !o->no_event_idx },
		.lockstep = !o->free_schedule,
		.seed = o->seeded ? o->seed : 0,
		.wake_latency = o->wake_latency,
	};
	char what[128];
	int err;

	err = vlab_session_init(&r->s, &sopts);
	if (err) {
		fprintf(stderr, "vlab: cannot build the machine: %s\n",
			strerror(-err));
		return 1;
	}
	r->started = true;
	vlab_sched_set_deadlock_hook(run_stuck, r);
	r->dev = vlab_session_add_device(&r->s, model, priv, name);
	if (!r->dev) {
		fprintf(stderr, "vlab: cannot create the %s device\n",
			model->name);
		return 1;
	}
	st.trace = o->trace;
	st.format = o->format;
	vlab_fault_arm(&st.fault, o->fault, r->dev, &r->s.m);
	if (o->step) {
		vlab_stepper_init(&stepper, &r->s.m, stdin, stdout, o->steps);
		stepper.colour = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
		stepper.echo_off = isatty(STDIN_FILENO);
		st.stepper = &stepper;
	}
	if (o->dot_dir) {
		vlab_dot_writer_init(&dot, &r->s.m, o->dot_dir);
		st.dot = &dot;
	}
	/*
	 * A terminal (or the stepper's dialogue) sees each line as it is
	 * made; a file or a pipe gets the trace in large writes, not one
	 * write() per event.
	 */
	if (o->step || isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOLBF, 0);
	else if (o->trace)
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (o->step || (o->trace && o->format != FORMAT_JSONL))
		vlab_trace_text_header(stdout);
	if (o->check_writes) {
		vlab_writecheck_init(&wc, &r->s.m, stderr);
		st.wc = &wc;
	}
	vlab_canon_reset(&st.canon.names);
	st.canon.out = stdout;
	/* JSON lines open with the schema they follow */
	if (vlab_run_json(o))
		printf("{\"kind\":\"schema\",\"schema\":\"%s\",\"version\":%d}\n",
		       VLAB_TRACE_SCHEMA, VLAB_TRACE_SCHEMA_VERSION);
	if (o->trace || o->stats || o->step || o->dot_dir || o->check_writes ||
	    (o->fault && o->fault->driver))
		vlab_trace_set_sink(all_sinks, &st);

	snprintf(what, sizeof(what),
		 "boot: virtio-mmio finds %s at 0x0a000000, irq 16; the guest names it virtio0",
		 name);
	vlab_run_say(o, what);
	err = vlab_session_boot(&r->s);
	if (err) {
		fprintf(stderr, "vlab: guest boot failed: %s\n", strerror(-err));
		return 1;
	}
	snprintf(what, sizeof(what), "insmod %s: the virtio core probes the driver",
		 r->module);
	vlab_run_say(o, what);
	err = guest_module_load(r->module);
	if (err) {
		fprintf(stderr, "vlab: loading %s failed: %s\n", r->module,
			strerror(-err));
		return 1;
	}
	return 0;
}

int vlab_run_stop(struct vlab_run *r, int status)
{
	const struct options *o = r->o;
	char what[128];

	r->nq = r->dev ? r->dev->model->num_queues : 0;
	if (!status) {
		snprintf(what, sizeof(what),
			 "rmmod %s: remove() resets the device and deletes its queues",
			 r->module);
		vlab_run_say(o, what);
		guest_module_unload(r->module);
	}
	if (r->started)
		vlab_session_fini(&r->s);
	vlab_sched_set_deadlock_hook(NULL, NULL);
	r->started = false;
	r->dev = NULL;	/* freed with the machine */
	vlab_trace_set_sink(NULL, NULL);
	if (st.wc && vlab_writecheck_fini(st.wc))
		status = 1;
	st.wc = NULL;
	if (o->step)
		vlab_stepper_fini(&stepper);
	if (o->dot_dir) {
		if (dot.error) {
			fprintf(stderr, "vlab: writing %s/event-*.dot: %s\n",
				o->dot_dir, strerror(dot.error));
			status = 1;
		} else {
			fprintf(stderr, "vlab: %lu Graphviz files in %s/\n",
				dot.files, o->dot_dir);
		}
		vlab_dot_writer_fini(&dot);
	}
	if (!status && o->stats && !vlab_run_json(o))
		vlab_event_counts_print(stdout, &st.counts, r->nq, "# stats: ");
	return status;
}

void vlab_result_begin(const struct vlab_run *r, int status)
{
	if (!vlab_run_json(r->o))
		return;
	printf("{\"kind\":\"result\",\"device\":");
	vlab_json_string(stdout, r->o->device);
	printf(",\"status\":\"%s\"", status ? "failed" : "ok");
}

void vlab_result_u64(const struct vlab_run *r, const char *key, uint64_t v)
{
	if (vlab_run_json(r->o))
		printf(",\"%s\":%llu", key, (unsigned long long)v);
}

void vlab_result_str(const struct vlab_run *r, const char *key,
		     const char *s)
{
	if (!vlab_run_json(r->o))
		return;
	printf(",\"%s\":", key);
	vlab_json_string(stdout, s);
}

void vlab_result_hex(const struct vlab_run *r, const char *key,
		     const uint8_t *buf, size_t n)
{
	size_t i;

	if (!vlab_run_json(r->o))
		return;
	printf(",\"%s\":\"", key);
	for (i = 0; i < n; i++)
		printf("%02x", buf[i]);
	putchar('"');
}

void vlab_result_end(const struct vlab_run *r)
{
	if (!vlab_run_json(r->o))
		return;
	if (r->o->stats) {
		fputs(",\"stats\":", stdout);
		vlab_event_counts_json(stdout, &st.counts, r->nq);
	}
	fputs("}\n", stdout);
}

int vlab_run_program(const struct vlab_run *r, const char *what,
		     const char *name, vlab_prog_fn body, void *arg)
{
	unsigned int timeout_s = r->o->timeout_s;
	int err;

	if (!timeout_s)
		timeout_s = r->o->free_schedule ? VLAB_FREE_TIMEOUT_S :
			VLAB_LOCKSTEP_TIMEOUT_S;
	vlab_run_say(r->o, what);
	err = vlab_prog_run(body, arg, r->o->step ? 0 : timeout_s * 1000);
	if (!err)
		return 0;
	fprintf(stderr, "vlab: %s failed: %s%s\n", name, strerror(-err),
		r->dev && r->dev->errors ? "; see the device error above" : "");
	if (err == -ETIMEDOUT) {
		fprintf(stderr, "vlab: it made no progress in %u s; what the rings show:\n",
			timeout_s);
		vlab_diagnose_rings(stderr, &r->s.m);
	}
	return 1;
}
