/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief One run of the vlab command: start a session with one device,
 * turn the sinks on, boot and load the driver; run the guest program
 * under a watchdog; unload, stop and print the counts. Each device's
 * part of the command (tools/vlab/main.c) is these calls around its own
 * scenario.
 */
#ifndef VLAB_TOOLS_RUN_H
#define VLAB_TOOLS_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/session.h"
#include "tests/scenarios/program.h"
#include "tools/vlab/options.h"

/** The name of the JSON lines trace's schema (its first line). */
#define VLAB_TRACE_SCHEMA "virtio-lab-trace"
/**
 * Its version. 2: an event's seq, thread, side, kind, dev, queue, layout,
 * spec, before, after, its kind's named values, the shared-memory fields
 * it wrote and what (the page `vlab events` prints); plus narration and
 * result lines. 1 had a positional v[4] and text instead of the named
 * values, and no layout or fields.
 */
#define VLAB_TRACE_SCHEMA_VERSION 2

/**
 * How long a guest program may run in the free schedule before the
 * watchdog ends it and the rings are shown (--timeout changes it).
 */
#define VLAB_FREE_TIMEOUT_S 5
/**
 * The same in lockstep: only a safety net there, since a run in which
 * every thread waits is found at once, without a clock.
 */
#define VLAB_LOCKSTEP_TIMEOUT_S 120

/** A session with one device and its driver, for the length of a run. */
struct vlab_run {
	const struct options *o;	/**< the command line */
	struct vlab_session s;		/**< the machine and its schedule */
	struct vlab_device *dev;	/**< its device */
	const char *module;		/**< the driver's module name */
	bool started;			/**< @c s needs vlab_session_fini() */
	unsigned int nq;		/**< the device's queues, for --stats */
};

/**
 * vlab_run_json() - whether this run prints JSON lines (then every line
 * of standard output is one JSON object, the result last).
 * @param o the options.
 * @return true for --trace-format jsonl.
 */
bool vlab_run_json(const struct options *o);

/**
 * vlab_run_say() - narrate a step of the scenario ("# insmod ...") to a
 * reader of the text trace or of the stepper; JSON lines stay pure JSON.
 * @param o the options.
 * @param what the step.
 */
void vlab_run_say(const struct options *o, const char *what);

/**
 * vlab_run_hex() - print bytes as offset-prefixed hex lines of 16.
 * @param buf the bytes.
 * @param n how many.
 */
void vlab_run_hex(const uint8_t *buf, size_t n);

/**
 * vlab_run_start() - start the session with one device (the options'
 * ring configuration and schedule), turn the sinks on, boot and load the
 * driver.
 * @param r the run; @c o and @c module set.
 * @param model the device type.
 * @param priv its state.
 * @param name the device's name, e.g. "blk0".
 * @return 0, or 1 when something failed (already reported).
 */
int vlab_run_start(struct vlab_run *r, const struct vlab_device_model *model,
		   void *priv, const char *name);

/**
 * vlab_run_stop() - unload the driver when the run succeeded, stop the
 * session and the sinks, print the --stats counts.
 * @param r the run.
 * @param status the run's exit status so far.
 * @return the final exit status (1 when --dot could not write).
 */
int vlab_run_stop(struct vlab_run *r, int status);

/**
 * vlab_run_program() - announce and run the scenario's guest program
 * under the watchdog (none while stepping: a learner takes all the time
 * they want); report a failure in one line.
 * @param r the run.
 * @param what the step, as the trace and the stepper show it.
 * @param name the program, for the error line.
 * @param body the program.
 * @param arg its argument.
 * @return 0, or 1 when it failed.
 */
int vlab_run_program(const struct vlab_run *r, const char *what,
		     const char *name, vlab_prog_fn body, void *arg);

/**
 * vlab_result_begin() - with JSON lines, open the last line: the result
 * object, {"kind":"result","device":...,"status":"ok" or "failed", then
 * the fields the device's run adds with vlab_result_u64() and its
 * siblings. Without JSON lines these calls print nothing (the device's
 * run prints its text lines itself).
 * @param r the run (stopped).
 * @param status its exit status.
 */
void vlab_result_begin(const struct vlab_run *r, int status);

/**
 * vlab_result_u64() - a number in the result object.
 * @param r the run.
 * @param key its name.
 * @param v its value.
 */
void vlab_result_u64(const struct vlab_run *r, const char *key, uint64_t v);

/**
 * vlab_result_str() - a string in the result object.
 * @param r the run.
 * @param key its name.
 * @param s its value (NULL: null).
 */
void vlab_result_str(const struct vlab_run *r, const char *key,
		     const char *s);

/**
 * vlab_result_hex() - bytes in the result object, as one hex string.
 * @param r the run.
 * @param key its name.
 * @param buf the bytes.
 * @param n how many.
 */
void vlab_result_hex(const struct vlab_run *r, const char *key,
		     const uint8_t *buf, size_t n);

/**
 * vlab_result_end() - close the result object, with the per-queue counts
 * under "stats" when --stats asked for them.
 * @param r the run.
 */
void vlab_result_end(const struct vlab_run *r);

#endif /* VLAB_TOOLS_RUN_H */
