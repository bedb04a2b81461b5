// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The vlab command: boot a simulated machine, load a driver, run a
 * guest program against it, and show every step.
 *
 * Exit status: 0 on success, 1 when the run fails (the guest or device
 * reported an error), 2 for a bad command line.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/machine.h"
#include "sim/program.h"
#include "sim/rng.h"
#include "sim/sched.h"
#include "sim/stepper.h"
#include "sim/trace.h"
#include "virtio/guest.h"
#include <linux/virtio_config.h>

/** Largest --bytes accepted. */
#define MAX_BYTES (1u << 20)
/** How long a guest program may run before the watchdog kills it. */
#define PROGRAM_TIMEOUT_MS 10000

/** Trace formats of --trace-format. */
enum trace_format {
	FORMAT_TEXT,		/**< one aligned line per event */
	FORMAT_JSONL,		/**< one JSON object per line */
};

/** What the command line asked for. */
struct options {
	bool step;		/**< `vlab step` rather than `vlab run` */
	const char *device;	/**< device type to run */
	unsigned long bytes;	/**< bytes to read */
	bool seeded;		/**< --seed given */
	uint64_t seed;		/**< its value */
	bool free_schedule;	/**< --schedule free */
	bool trace;		/**< --trace or --trace-format */
	enum trace_format format; /**< --trace-format */
	char *dot_dir;			/**< --dot DIR, or NULL */
	long steps;		/**< --steps N, or -1 */
	bool dmesg;		/**< --dmesg: show the guest kernel log */
	bool packed;		/**< --ring packed */
	bool no_indirect;	/**< --no-indirect */
	bool no_event_idx;	/**< --no-event-idx */
	bool stats;		/**< --stats */
};

/**
 * usage() - print the help text.
 * @param out where to.
 */
static void usage(FILE *out)
{
	fputs("usage: vlab run rng [options]\n"
	      "       vlab step rng [options] [--steps N]\n"
	      "       vlab --help\n"
	      "\n"
	      "run: boot a simulated machine with a virtio-mmio entropy device,\n"
	      "load the driver driver/vlab_rng.c (module vlab_rng), read N bytes\n"
	      "from /dev/vlab-rng as a guest program would, unload the driver,\n"
	      "and print the bytes in hex.\n"
	      "step: the same run, stopped at every event: the event, the ring\n"
	      "of its queue with the fields it changed marked, and a prompt\n"
	      "(Enter or n: next; c: continue; b KIND: break on a kind; r: all\n"
	      "rings; s: counts; h: help; q: stop stepping). Commands are read\n"
	      "line by line from standard input, so a pipe can drive it.\n"
	      "\n"
	      "options:\n"
	      "  --bytes N   bytes to read, 1 to 1048576 (default 16)\n"
	      "  --seed S    0 to 2^64-1: makes the device's bytes a\n"
	      "              reproducible stream (SplitMix64 seeded with S) and\n"
	      "              chooses the lockstep interleaving. Without it the\n"
	      "              bytes come from the host's getrandom() and the\n"
	      "              interleaving from seed 0\n"
	      "  --schedule lockstep|free\n"
	      "              lockstep (the default): one simulated thread runs\n"
	      "              at a time and the seed picks which one runs after\n"
	      "              each event, so the same seed and options give the\n"
	      "              same trace, byte for byte. free: guest, IRQ and\n"
	      "              device threads run at once, as on real CPUs; the\n"
	      "              order of events is whatever happened (make bench\n"
	      "              and the test suites use it). step and --dot need\n"
	      "              lockstep\n"
	      "  --trace     print one line per event: status writes, feature\n"
	      "              reads and writes, queue setup, descriptors added,\n"
	      "              indices published, kicks, notifications, chains\n"
	      "              popped, used elements, interrupts, callbacks,\n"
	      "              buffers returned, sleeps and wake-ups, resets.\n"
	      "              Columns: number, thread, side, device, queue,\n"
	      "              event, virtio 1.2 section, what changed\n"
	      "  --trace-format text|jsonl\n"
	      "              --trace as aligned text (the default) or as one\n"
	      "              JSON object per line (seq, thread, side, kind, dev,\n"
	      "              queue, spec, before, after, v, text, what)\n"
	      "  --dot DIR   write DIR/event-NNNN.dot for every event: the rings\n"
	      "              of its device as Graphviz tables, the fields the\n"
	      "              event changed filled in yellow (render them with\n"
	      "              make dot-svg DOT_DIR=DIR). DIR is created if needed\n"
	      "  --steps N   step: show the first N events without asking,\n"
	      "              then let the run finish\n"
	      "  --dmesg     also print the guest kernel's informational log\n"
	      "  --ring split|packed\n"
	      "              the ring layout: split (virtio 1.2 §2.7, the\n"
	      "              default) or packed (§2.8: the device offers\n"
	      "              VIRTIO_F_RING_PACKED and the driver takes it)\n"
	      "  --no-indirect\n"
	      "              the device does not offer VIRTIO_RING_F_INDIRECT_DESC\n"
	      "  --no-event-idx\n"
	      "              the device does not offer VIRTIO_RING_F_EVENT_IDX:\n"
	      "              notifications are suppressed with the flags instead\n"
	      "  --stats     after the run, per queue: buffers, kicks sent and\n"
	      "              suppressed, interrupts sent and suppressed,\n"
	      "              buffers taken back (get_buf)\n"
	      "  --help      this text\n"
	      "\n"
	      "Schedules: run and step use lockstep unless --schedule free is\n"
	      "given; make bench and the test suites use the free schedule\n"
	      "(the golden-trace tests use lockstep).\n"
	      "Exit status: 0 success, 1 the run failed, 2 bad command line.\n",
	      out);
}

/**
 * bad_usage() - report a command-line error in one line and exit 2.
 * @param fmt printf format.
 */
static void __attribute__((noreturn, format(printf, 1, 2)))
bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("vlab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try 'vlab --help')\n", stderr);
	exit(2);
}

/**
 * parse_u64() - parse a whole decimal number, rejecting signs and junk.
 * @param s the text.
 * @param out receives the value.
 * @return true when @p s is entirely a number that fits in 64 bits.
 */
static bool parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

/**
 * parse_args() - read the command line.
 * @param argc argument count.
 * @param argv arguments.
 * @param o receives the options.
 */
static void parse_args(int argc, char **argv, struct options *o)
{
	uint64_t v;
	int i;

	memset(o, 0, sizeof(*o));
	o->bytes = 16;
	o->steps = -1;
	if (argc < 2)
		bad_usage("missing command");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		exit(0);
	}
	if (argv[1][0] == '-')
		bad_usage("unknown option '%s'", argv[1]);
	if (!strcmp(argv[1], "step"))
		o->step = true;
	else if (strcmp(argv[1], "run"))
		bad_usage("unknown command '%s' (known: run, step)", argv[1]);
	if (argc < 3 || argv[2][0] == '-')
		bad_usage("'%s' needs a device: rng", argv[1]);
	if (strcmp(argv[2], "rng"))
		bad_usage("unknown device '%s' (known: rng)", argv[2]);
	o->device = argv[2];

	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--trace")) {
			o->trace = true;
		} else if (!strcmp(argv[i], "--dmesg")) {
			o->dmesg = true;
		} else if (!strcmp(argv[i], "--no-indirect")) {
			o->no_indirect = true;
		} else if (!strcmp(argv[i], "--no-event-idx")) {
			o->no_event_idx = true;
		} else if (!strcmp(argv[i], "--stats")) {
			o->stats = true;
		} else if (!strcmp(argv[i], "--schedule")) {
			if (i + 1 == argc)
				bad_usage("--schedule needs a value: lockstep or free");
			i++;
			if (!strcmp(argv[i], "free"))
				o->free_schedule = true;
			else if (strcmp(argv[i], "lockstep"))
				bad_usage("--schedule takes lockstep or free, not '%s'",
					  argv[i]);
		} else if (!strcmp(argv[i], "--trace-format")) {
			if (i + 1 == argc)
				bad_usage("--trace-format needs a value: text or jsonl");
			i++;
			if (!strcmp(argv[i], "jsonl"))
				o->format = FORMAT_JSONL;
			else if (strcmp(argv[i], "text"))
				bad_usage("--trace-format takes text or jsonl, not '%s'",
					  argv[i]);
			o->trace = true;
		} else if (!strcmp(argv[i], "--dot")) {
			if (i + 1 == argc || !argv[i + 1][0])
				bad_usage("--dot needs a directory");
			o->dot_dir = argv[++i];
		} else if (!strcmp(argv[i], "--steps")) {
			if (i + 1 == argc)
				bad_usage("--steps needs a value");
			if (!parse_u64(argv[++i], &v) || v < 1 || v > 1000000)
				bad_usage("--steps needs a whole number from 1 to 1000000, not '%s'",
					  argv[i]);
			o->steps = (long)v;
		} else if (!strcmp(argv[i], "--ring")) {
			if (i + 1 == argc)
				bad_usage("--ring needs a value: split or packed");
			i++;
			if (!strcmp(argv[i], "packed"))
				o->packed = true;
			else if (strcmp(argv[i], "split"))
				bad_usage("--ring takes split or packed, not '%s'",
					  argv[i]);
		} else if (!strcmp(argv[i], "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(argv[i], "--bytes")) {
			if (i + 1 == argc)
				bad_usage("--bytes needs a value");
			if (!parse_u64(argv[++i], &v) || v < 1 || v > MAX_BYTES)
				bad_usage("--bytes needs a whole number from 1 to %u, not '%s'",
					  MAX_BYTES, argv[i]);
			o->bytes = (unsigned long)v;
		} else if (!strcmp(argv[i], "--seed")) {
			if (i + 1 == argc)
				bad_usage("--seed needs a value");
			if (!parse_u64(argv[++i], &o->seed))
				bad_usage("--seed needs a whole number from 0 to 18446744073709551615, not '%s'",
					  argv[i]);
			o->seeded = true;
		} else {
			bad_usage("unknown option '%s'", argv[i]);
		}
	}
	if (o->free_schedule && (o->step || o->dot_dir))
		bad_usage("%s needs the lockstep schedule, not --schedule free",
			  o->step ? "step" : "--dot");
	if (o->steps >= 0 && !o->step)
		bad_usage("--steps belongs to 'vlab step'");
	if (o->step && (o->trace || o->stats))
		bad_usage("step shows every event itself; --trace and --stats belong to 'vlab run'");
}

/**
 * print_hex() - print bytes as offset-prefixed hex lines of 16.
 * @param buf the bytes.
 * @param n how many.
 */
static void print_hex(const uint8_t *buf, size_t n)
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

/**
 * step() - announce a step of the scenario to a reader of the text trace
 * or of the stepper (JSON lines stay pure JSON).
 * @param o the options.
 * @param what the step.
 */
static void step(const struct options *o, const char *what)
{
	if (o->step || (o->trace && o->format == FORMAT_TEXT)) {
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
	else if (sk->trace)
		vlab_trace_text_sink(ev, seq, thread, stdout);
	if (sk->dot)
		vlab_dot_event(sk->dot, ev, seq, thread);
}

/**
 * run_rng() - the rng scenario.
 * @param o the options.
 * @return the exit status.
 */
static int run_rng(const struct options *o)
{
	struct vlab_machine_opts mopts = { .loglevel = o->dmesg ? 6 : 4 };
	static struct vlab_stepper stepper;
	static struct vlab_dot_writer dot;
	static struct sinks st;
	struct vlab_rng_source src;
	struct vlab_machine m;
	struct vlab_device *dev;
	char what[96];
	uint8_t *buf;
	int err, status = 1;

	buf = malloc(o->bytes);
	if (!buf) {
		fprintf(stderr, "vlab: out of memory for %lu bytes\n", o->bytes);
		return 1;
	}
	vlab_rng_source_init(&src, o->seeded, o->seed);
	/* before the machine starts its threads, so all of them take part */
	if (!o->free_schedule)
		vlab_sched_lockstep(o->seeded ? o->seed : 0);
	err = vlab_machine_init(&m, &mopts);
	if (err) {
		fprintf(stderr, "vlab: cannot build the machine: %s\n",
			strerror(-err));
		vlab_sched_free();
		free(buf);
		return 1;
	}
	dev = vlab_machine_add_device(&m, &vlab_rng_model, &src, "rng0");
	if (!dev) {
		fprintf(stderr, "vlab: cannot create the rng device\n");
		goto out;
	}
	if (o->packed)
		dev->ring_features |= 1ULL << VIRTIO_F_RING_PACKED;
	if (o->no_indirect)
		dev->ring_features &= ~(1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	if (o->no_event_idx)
		dev->ring_features &= ~(1ULL << VIRTIO_RING_F_EVENT_IDX);
	st.trace = o->trace;
	st.format = o->format;
	if (o->step) {
		vlab_stepper_init(&stepper, &m, stdin, stdout, o->steps);
		stepper.colour = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
		stepper.echo_off = isatty(STDIN_FILENO);
		st.stepper = &stepper;
	}
	if (o->dot_dir) {
		vlab_dot_writer_init(&dot, &m, o->dot_dir);
		st.dot = &dot;
	}
	if (o->step || (o->trace && o->format == FORMAT_TEXT)) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		vlab_trace_text_header(stdout);
	}
	if (o->trace || o->stats || o->step || o->dot_dir)
		vlab_trace_set_sink(all_sinks, &st);

	step(o, "boot: virtio-mmio finds rng0 at 0x0a000000, irq 16; the guest names it virtio0");
	err = vlab_machine_boot(&m, &mopts);
	if (err) {
		fprintf(stderr, "vlab: guest boot failed: %s\n", strerror(-err));
		goto out;
	}
	step(o, "insmod vlab_rng: the virtio core probes the driver");
	err = guest_module_load("vlab_rng");
	if (err) {
		fprintf(stderr, "vlab: loading vlab_rng failed: %s\n",
			strerror(-err));
		goto out;
	}
	snprintf(what, sizeof(what), "a guest program reads %lu bytes from /dev/vlab-rng",
		 o->bytes);
	step(o, what);
	/* a learner at the stepper takes all the time they want */
	err = vlab_prog_read_device("/dev/vlab-rng", buf, o->bytes,
				    o->step ? 0 : PROGRAM_TIMEOUT_MS);
	if (err) {
		fprintf(stderr, "vlab: reading /dev/vlab-rng failed: %s%s\n",
			strerror(-err), dev->errors ? "; see the device error above" : "");
		goto out;
	}
	step(o, "rmmod vlab_rng: remove() resets the device and deletes its queue");
	guest_module_unload("vlab_rng");
	status = 0;
out:
	vlab_machine_fini(&m);
	vlab_trace_set_sink(NULL, NULL);
	vlab_sched_free();
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
	if (!status) {
		if (o->trace && o->format == FORMAT_TEXT)
			printf("# %lu bytes read through driver/vlab_rng.c:\n",
			       o->bytes);
		if (o->trace && o->format == FORMAT_JSONL) {
			/* JSON lines end with the result, still JSON */
			printf("{\"result\":\"ok\",\"bytes\":\"");
			for (size_t i = 0; i < o->bytes; i++)
				printf("%02x", buf[i]);
			printf("\"}\n");
		} else {
			print_hex(buf, o->bytes);
		}
		if (o->stats)
			vlab_event_counts_print(stdout, &st.counts,
						vlab_rng_model.num_queues,
						"# stats: ");
	}
	free(buf);
	return status;
}

/**
 * main() - entry point.
 * @param argc argument count.
 * @param argv arguments.
 * @return the exit status.
 */
int main(int argc, char **argv)
{
	struct options o;

	struct stat sb;

	vlab_thread_set_name("guest");
	parse_args(argc, argv, &o);
	/* "out/" and "out" name one directory: file names get one slash */
	while (o.dot_dir && strlen(o.dot_dir) > 1 &&
	       o.dot_dir[strlen(o.dot_dir) - 1] == '/')
		o.dot_dir[strlen(o.dot_dir) - 1] = '\0';
	if (o.dot_dir && mkdir(o.dot_dir, 0777) && errno != EEXIST) {
		fprintf(stderr, "vlab: cannot create --dot directory %s: %s\n",
			o.dot_dir, strerror(errno));
		return 2;
	}
	if (o.dot_dir && (stat(o.dot_dir, &sb) || !S_ISDIR(sb.st_mode))) {
		fprintf(stderr, "vlab: --dot %s is not a directory\n",
			o.dot_dir);
		return 2;
	}
	return run_rng(&o);
}
