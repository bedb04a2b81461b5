// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The vlab command: boot a simulated machine, load a driver, run a
 * guest program against it, and show every step. Three devices: rng
 * (read random bytes), blk (write a sector or a file, read it back),
 * console (the host sends lines, the guest echoes them).
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
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/blk.h"
#include "sim/console.h"
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
/** Most --line options. */
#define MAX_LINES 64
/** Longest console line. */
#define MAX_LINE_BYTES 200
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
	/* blk */
	const char *disk;	/**< --disk FILE, or NULL for memory */
	bool ro;		/**< --ro */
	uint32_t blk_size;	/**< --blk-size N (0: not offered) */
	uint32_t seg_max;	/**< --seg-max N (0: not offered) */
	uint32_t size_max;	/**< --size-max N (0: not offered) */
	bool no_flush;		/**< --no-flush */
	uint64_t sector;	/**< --sector N */
	const char *write_file;	/**< --write-file FILE */
	/* console */
	const char *lines[MAX_LINES]; /**< --line TEXT, in order */
	unsigned int nlines;	/**< how many */
	bool loopback;		/**< --loopback */
	uint16_t cols;		/**< --size COLSxROWS: columns (0: no size) */
	uint16_t rows;		/**< --size: rows */
};

/**
 * usage() - print the help text.
 * @param out where to.
 */
static void usage(FILE *out)
{
	fputs("usage: vlab run rng|blk|console [options]\n"
	      "       vlab step rng|blk|console [options] [--steps N]\n"
	      "       vlab --help\n"
	      "\n"
	      "run: boot a simulated machine with one virtio-mmio device, load\n"
	      "its driver from driver/, run a guest program against its /dev\n"
	      "node, unload the driver and show the result:\n"
	      "  rng      read N bytes from /dev/vlab-rng0 (driver/vlab_rng.c)\n"
	      "           and print them in hex\n"
	      "  blk      write a sector (or a file) through /dev/vlab-blk0\n"
	      "           (driver/vlab_blk.c), read it back, fsync\n"
	      "  console  the host sends lines; a guest program reads them from\n"
	      "           /dev/vlab-console0 (driver/vlab_console.c) and writes\n"
	      "           each back as \"echo: LINE\"; the host prints what it got\n"
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
	      "blk options:\n"
	      "  --disk FILE the disk image (a regular file; its size in whole\n"
	      "              sectors is the capacity). Writes land in it. Default:\n"
	      "              a 1 MiB image in memory\n"
	      "  --sector N  where to write (default 1)\n"
	      "  --write-file FILE\n"
	      "              write FILE (padded with zeros to whole sectors)\n"
	      "              instead of one sector of text\n"
	      "  --ro        offer VIRTIO_BLK_F_RO: the write is refused\n"
	      "  --blk-size N  offer VIRTIO_BLK_F_BLK_SIZE (512 to 4096)\n"
	      "  --seg-max N   offer VIRTIO_BLK_F_SEG_MAX: data buffers/request\n"
	      "  --size-max N  offer VIRTIO_BLK_F_SIZE_MAX: bytes per buffer\n"
	      "  --no-flush  do not offer VIRTIO_BLK_F_FLUSH (fsync sends none)\n"
	      "\n"
	      "console options:\n"
	      "  --line TEXT what the host sends, one line each (up to 64);\n"
	      "              without any, the lines of standard input when it\n"
	      "              is not a terminal (and not vlab step, which reads\n"
	      "              its commands there), else two example lines\n"
	      "  --loopback  the device sends the guest's output back to it:\n"
	      "              the guest writes each line and reads it back\n"
	      "  --size COLSxROWS\n"
	      "              offer VIRTIO_CONSOLE_F_SIZE with this size\n"
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
 * parse_uint() - the value of a numeric option, or a one-line error.
 * @param argc argument count.
 * @param argv arguments.
 * @param i index of the option; moved to its value.
 * @param lo smallest value.
 * @param hi largest value.
 * @return the value.
 */
static uint64_t parse_uint(int argc, char **argv, int *i, uint64_t lo,
			   uint64_t hi)
{
	const char *opt = argv[*i];
	uint64_t v;

	if (*i + 1 == argc)
		bad_usage("%s needs a value", opt);
	if (!parse_u64(argv[++*i], &v) || v < lo || v > hi)
		bad_usage("%s needs a whole number from %llu to %llu, not '%s'",
			  opt, (unsigned long long)lo, (unsigned long long)hi,
			  argv[*i]);
	return v;
}

/**
 * device_only() - refuse an option of another device.
 * @param o the options so far (the device is known).
 * @param opt the option.
 * @param device the device it belongs to.
 */
static void device_only(const struct options *o, const char *opt,
			const char *device)
{
	if (strcmp(o->device, device))
		bad_usage("%s belongs to 'vlab run %s'", opt, device);
}

/**
 * parse_device_option() - the options of blk and console.
 * @param argc argument count.
 * @param argv arguments.
 * @param i index of the option; moved past its value.
 * @param o receives it.
 * @return true when argv[*i] was one of them.
 */
static bool parse_device_option(int argc, char **argv, int *i,
				struct options *o)
{
	const char *opt = argv[*i];
	unsigned int cols, rows;
	char extra;

	if (!strcmp(opt, "--disk") || !strcmp(opt, "--write-file")) {
		device_only(o, opt, "blk");
		if (*i + 1 == argc || !argv[*i + 1][0])
			bad_usage("%s needs a file", opt);
		if (!strcmp(opt, "--disk"))
			o->disk = argv[++*i];
		else
			o->write_file = argv[++*i];
	} else if (!strcmp(opt, "--ro")) {
		device_only(o, opt, "blk");
		o->ro = true;
	} else if (!strcmp(opt, "--no-flush")) {
		device_only(o, opt, "blk");
		o->no_flush = true;
	} else if (!strcmp(opt, "--sector")) {
		device_only(o, opt, "blk");
		o->sector = parse_uint(argc, argv, i, 0, 1ULL << 40);
	} else if (!strcmp(opt, "--blk-size")) {
		device_only(o, opt, "blk");
		o->blk_size = (uint32_t)parse_uint(argc, argv, i, 512, 4096);
		if (o->blk_size & (o->blk_size - 1))
			bad_usage("--blk-size needs a power of two, not %u",
				  o->blk_size);
	} else if (!strcmp(opt, "--seg-max")) {
		device_only(o, opt, "blk");
		o->seg_max = (uint32_t)parse_uint(argc, argv, i, 1, 126);
	} else if (!strcmp(opt, "--size-max")) {
		device_only(o, opt, "blk");
		o->size_max = (uint32_t)parse_uint(argc, argv, i, 512,
						   1u << 20);
	} else if (!strcmp(opt, "--line")) {
		device_only(o, opt, "console");
		if (*i + 1 == argc)
			bad_usage("--line needs a text");
		if (o->nlines == MAX_LINES)
			bad_usage("at most %d --line options", MAX_LINES);
		if (strlen(argv[*i + 1]) > MAX_LINE_BYTES ||
		    strchr(argv[*i + 1], '\n'))
			bad_usage("--line takes one line of at most %d bytes",
				  MAX_LINE_BYTES);
		o->lines[o->nlines++] = argv[++*i];
	} else if (!strcmp(opt, "--loopback")) {
		device_only(o, opt, "console");
		o->loopback = true;
	} else if (!strcmp(opt, "--size")) {
		device_only(o, opt, "console");
		if (*i + 1 == argc ||
		    sscanf(argv[*i + 1], "%ux%u%c", &cols, &rows, &extra) != 2 ||
		    !cols || !rows || cols > 65535 || rows > 65535)
			bad_usage("--size needs COLSxROWS, e.g. 80x25");
		o->cols = (uint16_t)cols;
		o->rows = (uint16_t)rows;
		++*i;
	} else {
		return false;
	}
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
		bad_usage("'%s' needs a device: rng, blk or console", argv[1]);
	if (strcmp(argv[2], "rng") && strcmp(argv[2], "blk") &&
	    strcmp(argv[2], "console"))
		bad_usage("unknown device '%s' (known: rng, blk, console)",
			  argv[2]);
	o->device = argv[2];
	o->sector = 1;

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
		} else if (parse_device_option(argc, argv, &i, o)) {
			continue;
		} else {
			bad_usage("unknown option '%s'", argv[i]);
		}
	}
	if (strcmp(o->device, "rng") && o->bytes != 16)
		bad_usage("--bytes belongs to 'vlab run rng'");
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

/** The sinks, stepper and Graphviz writer of the one run. */
static struct sinks st;
/** The stepper of `vlab step`. */
static struct vlab_stepper stepper;
/** The writer of --dot. */
static struct vlab_dot_writer dot;

/** A machine with one device and its driver, for the length of a run. */
struct run {
	const struct options *o;	/**< the command line */
	struct vlab_machine m;		/**< the machine */
	struct vlab_device *dev;	/**< its device */
	const char *module;		/**< the driver's module name */
	bool built;			/**< @c m needs vlab_machine_fini() */
};

/**
 * run_start() - build the machine with one device, turn on the sinks,
 * boot and load the driver.
 * @param r the run; @c o and @c module set.
 * @param model the device type.
 * @param priv its state.
 * @param name the device's name, e.g. "blk0".
 * @return 0, or 1 when something failed (already reported).
 */
static int run_start(struct run *r, const struct vlab_device_model *model,
		     void *priv, const char *name)
{
	const struct options *o = r->o;
	struct vlab_machine_opts mopts = { .loglevel = o->dmesg ? 6 : 4 };
	char what[128];
	int err;

	/* before the machine starts its threads, so all of them take part */
	if (!o->free_schedule)
		vlab_sched_lockstep(o->seeded ? o->seed : 0);
	err = vlab_machine_init(&r->m, &mopts);
	if (err) {
		fprintf(stderr, "vlab: cannot build the machine: %s\n",
			strerror(-err));
		vlab_sched_free();
		return 1;
	}
	r->built = true;
	r->dev = vlab_machine_add_device(&r->m, model, priv, name);
	if (!r->dev) {
		fprintf(stderr, "vlab: cannot create the %s device\n",
			model->name);
		return 1;
	}
	if (o->packed)
		r->dev->ring_features |= 1ULL << VIRTIO_F_RING_PACKED;
	if (o->no_indirect)
		r->dev->ring_features &= ~(1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	if (o->no_event_idx)
		r->dev->ring_features &= ~(1ULL << VIRTIO_RING_F_EVENT_IDX);
	st.trace = o->trace;
	st.format = o->format;
	if (o->step) {
		vlab_stepper_init(&stepper, &r->m, stdin, stdout, o->steps);
		stepper.colour = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
		stepper.echo_off = isatty(STDIN_FILENO);
		st.stepper = &stepper;
	}
	if (o->dot_dir) {
		vlab_dot_writer_init(&dot, &r->m, o->dot_dir);
		st.dot = &dot;
	}
	if (o->step || (o->trace && o->format == FORMAT_TEXT)) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		vlab_trace_text_header(stdout);
	}
	if (o->trace || o->stats || o->step || o->dot_dir)
		vlab_trace_set_sink(all_sinks, &st);

	snprintf(what, sizeof(what),
		 "boot: virtio-mmio finds %s at 0x0a000000, irq 16; the guest names it virtio0",
		 name);
	step(o, what);
	err = vlab_machine_boot(&r->m, &mopts);
	if (err) {
		fprintf(stderr, "vlab: guest boot failed: %s\n", strerror(-err));
		return 1;
	}
	snprintf(what, sizeof(what), "insmod %s: the virtio core probes the driver",
		 r->module);
	step(o, what);
	err = guest_module_load(r->module);
	if (err) {
		fprintf(stderr, "vlab: loading %s failed: %s\n", r->module,
			strerror(-err));
		return 1;
	}
	return 0;
}

/**
 * run_stop() - unload the driver when the run succeeded, stop the
 * machine and the sinks.
 * @param r the run.
 * @param status the run's exit status so far.
 * @return the final exit status (1 when --dot could not write).
 */
static int run_stop(struct run *r, int status)
{
	const struct options *o = r->o;
	unsigned int nq = r->dev ? r->dev->model->num_queues : 0;
	char what[128];

	if (!status) {
		snprintf(what, sizeof(what),
			 "rmmod %s: remove() resets the device and deletes its queues",
			 r->module);
		step(o, what);
		guest_module_unload(r->module);
	}
	if (r->built)
		vlab_machine_fini(&r->m);
	r->dev = NULL;	/* freed with the machine */
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
	if (!status && o->stats)
		vlab_event_counts_print(stdout, &st.counts, nq, "# stats: ");
	return status;
}

/**
 * run_program() - announce and run the scenario's guest program under
 * the watchdog (none while stepping: a learner takes all the time they
 * want); report a failure in one line.
 * @param r the run.
 * @param what the step, as the trace and the stepper show it.
 * @param name the program, for the error line.
 * @param body the program.
 * @param arg its argument.
 * @return 0, or 1 when it failed.
 */
static int run_program(const struct run *r, const char *what,
		       const char *name, vlab_prog_fn body, void *arg)
{
	int err;

	step(r->o, what);
	err = vlab_prog_run(body, arg, r->o->step ? 0 : PROGRAM_TIMEOUT_MS);
	if (!err)
		return 0;
	fprintf(stderr, "vlab: %s failed: %s%s\n", name, strerror(-err),
		r->dev && r->dev->errors ? "; see the device error above" : "");
	return 1;
}

/**
 * run_rng() - the rng scenario.
 * @param o the options.
 * @return the exit status.
 */
static int run_rng(const struct options *o)
{
	struct run r = { .o = o, .module = "vlab_rng" };
	struct vlab_rng_source src;
	struct vlab_prog_read rd = { .path = "/dev/vlab-rng0" };
	char what[96];
	uint8_t *buf;
	int status = 1;

	buf = malloc(o->bytes);
	rd.buf = buf;
	rd.n = o->bytes;
	if (!buf) {
		fprintf(stderr, "vlab: out of memory for %lu bytes\n", o->bytes);
		return 1;
	}
	vlab_rng_source_init(&src, o->seeded, o->seed);
	if (run_start(&r, &vlab_rng_model, &src, "rng0"))
		goto out;
	snprintf(what, sizeof(what), "a guest program reads %lu bytes from /dev/vlab-rng0",
		 o->bytes);
	status = run_program(&r, what, "reading /dev/vlab-rng0",
			     vlab_prog_read_all, &rd);
out:
	status = run_stop(&r, status);
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
	}
	free(buf);
	return status;
}

/** What the blk guest program does and what it found. */
struct blk_prog {
	bool ro;		/**< expect the write to be refused */
	uint8_t *data;		/**< bytes to write (whole sectors) */
	size_t len;		/**< their count */
	int64_t pos;		/**< byte offset */
	uint8_t *back;		/**< what the read gave back */
	ssize_t write_ret;	/**< what pwrite returned */
	int fsync_ret;		/**< what fsync returned */
};

/**
 * blk_program() - the guest program of `vlab run blk`: write, read back,
 * fsync; on a read-only disk, read, then try to write.
 * @param arg struct blk_prog.
 * @return 0 or a negative errno.
 */
static int blk_program(void *arg)
{
	struct blk_prog *p = arg;
	ssize_t got;
	int fd, err = 0;

	fd = guest_open("/dev/vlab-blk0");
	if (fd < 0)
		return fd;
	if (!p->ro) {
		p->write_ret = guest_pwrite(fd, p->data, p->len, p->pos);
		if (p->write_ret != (ssize_t)p->len)
			err = p->write_ret < 0 ? (int)p->write_ret : -EIO;
	}
	if (!err) {
		got = guest_pread(fd, p->back, p->len, p->pos);
		if (got != (ssize_t)p->len)
			err = got < 0 ? (int)got : -EIO;
	}
	if (!err && p->ro)
		p->write_ret = guest_pwrite(fd, p->data, p->len, p->pos);
	if (!err && !p->ro) {
		p->fsync_ret = guest_fsync(fd);
		err = p->fsync_ret;
	}
	guest_close(fd);
	return err;
}

/**
 * read_host_file() - a whole (small) host file.
 * @param path the file.
 * @param max most bytes accepted.
 * @param len receives its length.
 * @return the bytes (malloc'd), or NULL after a one-line error.
 */
static uint8_t *read_host_file(const char *path, size_t max, size_t *len)
{
	uint8_t *buf = malloc(max + 1);
	size_t n = 0;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf) {
		fprintf(stderr, "vlab: cannot read %s: %s\n", path,
			strerror(buf ? errno : ENOMEM));
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while (n <= max && (r = read(fd, buf + n, max + 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	if (n > max) {
		fprintf(stderr, "vlab: %s is larger than the %zu bytes the disk holds from there\n",
			path, max);
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/**
 * run_blk() - the blk scenario.
 * @param o the options.
 * @return the exit status (2 for a disk or file that cannot be used).
 */
static int run_blk(const struct options *o)
{
	struct vlab_blk_opts bo = {
		.path = o->disk, .ro = o->ro, .blk_size = o->blk_size,
		.seg_max = o->seg_max, .size_max = o->size_max,
		.flush = !o->no_flush, .serial = "vlab-blk0",
	};
	struct run r = { .o = o, .module = "vlab_blk" };
	struct blk_prog p = { .ro = o->ro };
	static struct vlab_blk b;
	size_t file_len = 0, room;
	char err_text[256], what[160];
	uint32_t bs = o->blk_size ? o->blk_size : VLAB_BLK_SECTOR;
	int status = 1;

	if (vlab_blk_init(&b, &bo, err_text, sizeof(err_text))) {
		fprintf(stderr, "vlab: %s\n", err_text);
		return 2;
	}
	p.pos = (int64_t)(o->sector * VLAB_BLK_SECTOR);
	if (o->sector >= b.capacity || p.pos % bs) {
		fprintf(stderr, "vlab: --sector %llu is %s\n",
			(unsigned long long)o->sector,
			o->sector >= b.capacity ? "past the end of the disk" :
			"not on a block boundary");
		vlab_blk_fini(&b);
		return 2;
	}
	room = (size_t)((b.capacity - o->sector) * VLAB_BLK_SECTOR);
	if (o->write_file) {
		p.data = read_host_file(o->write_file, room, &file_len);
		if (!p.data) {
			vlab_blk_fini(&b);
			return 2;
		}
	} else {
		p.data = malloc(bs);
		if (p.data) {
			memset(p.data, 0, bs);
			file_len = (size_t)snprintf((char *)p.data, bs,
				"virtio-lab: sector %llu, written by a guest program through /dev/vlab-blk0\n",
				(unsigned long long)o->sector);
		}
	}
	/* whole blocks: pad with zeros */
	p.len = (file_len + bs - 1) / bs * bs;
	if (!p.len)
		p.len = bs;
	if (p.data)
		p.data = realloc(p.data, p.len);
	p.back = calloc(1, p.len);
	if (!p.data || !p.back || p.len > room) {
		fprintf(stderr, "vlab: %s\n", p.len > room ?
			"the data does not fit between --sector and the end of the disk" :
			"out of memory");
		goto out;
	}
	memset(p.data + file_len, 0, p.len - file_len);

	if (run_start(&r, &b.model, &b, "blk0"))
		goto out;
	if (o->ro)
		snprintf(what, sizeof(what),
			 "a guest program reads sector %llu of /dev/vlab-blk0, then tries to write it",
			 (unsigned long long)o->sector);
	else
		snprintf(what, sizeof(what),
			 "a guest program writes %zu bytes at sector %llu of /dev/vlab-blk0, reads them back, fsyncs",
			 p.len, (unsigned long long)o->sector);
	status = run_program(&r, what, "the /dev/vlab-blk0 program",
			     blk_program, &p);
out:
	status = run_stop(&r, status);
	if (!status && o->ro) {
		printf("# sector %llu as read through driver/vlab_blk.c:\n",
		       (unsigned long long)o->sector);
		print_hex(p.back, p.len < 64 ? p.len : 64);
		printf("# the write was %s: %s\n",
		       p.write_ret == -EROFS ? "refused" : "NOT refused",
		       p.write_ret < 0 ? strerror((int)-p.write_ret) :
		       "it returned a byte count");
		if (p.write_ret != -EROFS)
			status = 1;
	} else if (!status) {
		if (memcmp(p.data, p.back, p.len)) {
			fprintf(stderr, "vlab: the bytes read back differ from those written\n");
			status = 1;
		}
		printf("# %zu bytes written at byte %lld of %s, read back %s, fsync %s\n",
		       p.len, (long long)p.pos,
		       o->disk ? o->disk : "the memory disk",
		       status ? "DIFFERENT" : "identical",
		       o->no_flush ? "had nothing to flush (no VIRTIO_BLK_F_FLUSH)" :
		       "sent VIRTIO_BLK_T_FLUSH");
		if (o->write_file && o->disk)
			printf("# check on the host: cmp -n %zu %s %s 0 %lld\n",
			       file_len, o->write_file, o->disk,
			       (long long)p.pos);
		else
			print_hex(p.back, p.len < 128 ? p.len : 128);
	}
	if (!status)
		printf("# device: %lu reads, %lu writes, %lu flushes, %lu get-id, %lu IOERR, %lu UNSUPP; at most %lu data buffers in one request\n",
		       b.stats.reads, b.stats.writes, b.stats.flushes,
		       b.stats.get_ids, b.stats.ioerr, b.stats.unsupp,
		       b.stats.max_data_segs);
	free(p.data);
	free(p.back);
	vlab_blk_fini(&b);
	return status;
}

/** What the console guest program does. */
struct console_prog {
	bool loopback;		/**< write each line, read it back */
	const char *input;	/**< the host's lines (loopback: the guest's) */
	unsigned int lines;	/**< how many */
	unsigned int done;	/**< lines handled */
};

/**
 * read_line() - read from the console until a newline arrives.
 * @param fd the open console.
 * @param buf receives the line, NUL-terminated, newline included.
 * @param size room in @p buf.
 * @param have bytes already in @p buf (left over from the last read).
 * @param used receives the length of the line; the rest stays after it.
 * @return bytes in @p buf, or a negative errno.
 */
static ssize_t read_line(int fd, char *buf, size_t size, size_t have,
			 size_t *used)
{
	char *nl;
	ssize_t r;

	buf[have] = '\0';
	while (!(nl = strchr(buf, '\n'))) {
		if (have + 1 >= size)
			return -E2BIG;
		r = guest_read(fd, buf + have, size - 1 - have);
		if (r <= 0)
			return r < 0 ? r : -EIO;
		have += (size_t)r;
		buf[have] = '\0';
	}
	*used = (size_t)(nl - buf) + 1;
	return (ssize_t)have;
}

/**
 * console_program() - the guest program of `vlab run console`: read each
 * line the host sends and write it back as "echo: LINE" (loopback: write
 * each line and read it back).
 * @param arg struct console_prog.
 * @return 0 or a negative errno.
 */
static int console_program(void *arg)
{
	struct console_prog *p = arg;
	char buf[4 * MAX_LINE_BYTES], out[MAX_LINE_BYTES + 16];
	const char *line = p->input, *nl;
	size_t have = 0, used, n = 0;
	ssize_t r = 0;
	int fd;

	fd = guest_open("/dev/vlab-console0");
	if (fd < 0)
		return fd;
	for (p->done = 0; p->done < p->lines; p->done++) {
		if (p->loopback) {
			nl = strchr(line, '\n');
			n = (size_t)(nl - line) + 1;
			r = guest_write(fd, line, n);
			if (r < 0)
				break;
		}
		r = read_line(fd, buf, sizeof(buf), have, &used);
		if (r < 0)
			break;
		have = (size_t)r;
		if (p->loopback) {
			if (used != n || memcmp(buf, line, n)) {
				r = -EIO;
				break;
			}
			line += n;
		} else {
			snprintf(out, sizeof(out), "echo: %.*s", (int)used,
				 buf);
			r = guest_write(fd, out, strlen(out));
			if (r < 0)
				break;
		}
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	guest_close(fd);
	return r < 0 ? (int)r : 0;
}

/**
 * console_input() - the lines the host sends: --line options, else
 * standard input when it is not a terminal, else two examples.
 * @param o the options.
 * @param lines receives how many.
 * @return the text, one '\n' after each line (malloc'd), or NULL after
 * a one-line error.
 */
static char *console_input(const struct options *o, unsigned int *lines)
{
	static char typed[MAX_LINES][MAX_LINE_BYTES + 2];
	static const char *const example[] = { "hello, virtio", "bye" };
	const char *from[MAX_LINES];
	unsigned int i, n = 0;
	size_t len = 0, at = 0;
	char *text;

	/* vlab step reads its commands from standard input */
	if (!o->nlines && !o->step && !isatty(STDIN_FILENO)) {
		while (fgets(typed[n % MAX_LINES], sizeof(typed[0]), stdin)) {
			if (n == MAX_LINES) {
				fprintf(stderr, "vlab: more than %d input lines\n",
					MAX_LINES);
				return NULL;
			}
			len = strcspn(typed[n], "\n");
			if (!typed[n][len] && !feof(stdin)) {
				fprintf(stderr, "vlab: an input line is longer than %d bytes\n",
					MAX_LINE_BYTES);
				return NULL;
			}
			typed[n][len] = '\0';
			from[n] = typed[n];
			n++;
		}
	}
	for (i = 0; !n && i < o->nlines; i++)
		from[i] = o->lines[i];
	if (!n)
		n = o->nlines;
	for (i = 0; !n && i < 2; i++)
		from[i] = example[i];
	if (!n)
		n = 2;

	for (i = 0, len = 1; i < n; i++)
		len += strlen(from[i]) + 1;
	text = malloc(len);
	if (!text) {
		fprintf(stderr, "vlab: out of memory\n");
		return NULL;
	}
	for (i = 0; i < n; i++)
		at += (size_t)sprintf(text + at, "%s\n", from[i]);
	*lines = n;
	return text;
}

/**
 * run_console() - the console scenario.
 * @param o the options.
 * @return the exit status.
 */
static int run_console(const struct options *o)
{
	struct vlab_console_opts co = {
		.size = o->cols > 0, .cols = o->cols, .rows = o->rows,
		.loopback = o->loopback,
	};
	struct run r = { .o = o, .module = "vlab_console" };
	struct console_prog p = { .loopback = o->loopback };
	static struct vlab_console c;
	char what[128], *out = NULL;
	size_t out_len;
	int status = 1;

	p.input = console_input(o, &p.lines);
	if (!p.input)
		return 2;
	if (vlab_console_init(&c, &co)) {
		fprintf(stderr, "vlab: out of memory\n");
		free((char *)p.input);
		return 1;
	}
	/* the host's lines wait in the device until the driver posts buffers */
	if (!o->loopback &&
	    vlab_console_host_write(NULL, &c, p.input, strlen(p.input))) {
		fprintf(stderr, "vlab: out of memory\n");
		goto out;
	}
	if (run_start(&r, &c.model, &c, "console0"))
		goto out;
	snprintf(what, sizeof(what), o->loopback ?
		 "a guest program writes %u lines to /dev/vlab-console0 and reads each back" :
		 "the host sends %u lines; a guest program reads each from /dev/vlab-console0 and writes it back",
		 p.lines);
	status = run_program(&r, what, "the /dev/vlab-console0 program",
			     console_program, &p);
	/* every transmit buffer consumed before the host's side is read */
	if (!status)
		vlab_device_wait_idle(r.dev);
out:
	status = run_stop(&r, status);
	out_len = vlab_console_output(&c, what, 0);
	out = malloc(out_len + 1);
	if (!status && out) {
		vlab_console_output(&c, out, out_len);
		out[out_len] = '\0';
		if (o->loopback)
			printf("# %u lines went out on transmitq0 and came back on receiveq0:\n%s",
			       p.done, out);
		else
			printf("# the host sent:\n%s# the host received:\n%s",
			       p.input, out);
	}
	free(out);
	free((char *)p.input);
	vlab_console_fini(&c);
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
	if (!strcmp(o.device, "blk"))
		return run_blk(&o);
	if (!strcmp(o.device, "console"))
		return run_console(&o);
	return run_rng(&o);
}
