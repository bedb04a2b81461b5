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

#include "sim/machine.h"
#include "sim/program.h"
#include "sim/rng.h"
#include "sim/trace.h"
#include "virtio/guest.h"
#include <linux/virtio_config.h>

/** Largest --bytes accepted. */
#define MAX_BYTES (1u << 20)
/** How long a guest program may run before the watchdog kills it. */
#define PROGRAM_TIMEOUT_MS 10000

/** What the command line asked for. */
struct options {
	const char *device;	/**< device type to run */
	unsigned long bytes;	/**< bytes to read */
	bool seeded;		/**< --seed given */
	uint64_t seed;		/**< its value */
	bool trace;		/**< --trace */
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
	fputs("usage: vlab run rng [--bytes N] [--seed S] [--trace] [--dmesg]\n"
	      "                      [--ring split|packed] [--no-indirect]\n"
	      "                      [--no-event-idx]\n"
	      "                      [--stats]\n"
	      "       vlab --help\n"
	      "\n"
	      "Boot a simulated machine with a virtio-mmio entropy device, load\n"
	      "the driver driver/vlab_rng.c (module vlab_rng), read N bytes from\n"
	      "/dev/vlab-rng as a guest program would, unload the driver, and\n"
	      "print the bytes in hex.\n"
	      "\n"
	      "options:\n"
	      "  --bytes N   bytes to read, 1 to 1048576 (default 16)\n"
	      "  --seed S    make the device's bytes a reproducible stream\n"
	      "              (SplitMix64 seeded with S, 0 to 2^64-1); without it\n"
	      "              they come from the host's getrandom()\n"
	      "  --trace     print one line per event: status writes, feature\n"
	      "              reads and writes, queue setup, descriptors added,\n"
	      "              indices published, kicks, notifications, chains\n"
	      "              popped, used elements, interrupts, callbacks,\n"
	      "              buffers returned, resets. Columns: number, thread,\n"
	      "              side, device, queue, event, virtio 1.2 section,\n"
	      "              what changed\n"
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
	      "              suppressed, interrupts sent and suppressed\n"
	      "  --help      this text\n"
	      "\n"
	      "Schedule: the free schedule (guest, IRQ and device threads run\n"
	      "concurrently); event order follows real execution.\n"
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
	if (argc < 2)
		bad_usage("missing command");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		exit(0);
	}
	if (argv[1][0] == '-')
		bad_usage("unknown option '%s'", argv[1]);
	if (strcmp(argv[1], "run"))
		bad_usage("unknown command '%s'", argv[1]);
	if (argc < 3 || argv[2][0] == '-')
		bad_usage("'run' needs a device: rng");
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
 * step() - announce a step of the scenario when tracing.
 * @param o the options.
 * @param what the step.
 */
static void step(const struct options *o, const char *what)
{
	if (o->trace) {
		printf("# %s\n", what);
		fflush(stdout);
	}
}

/** Queues --stats keeps counts for. */
#define STATS_QUEUES 8

/** Event counts per queue, gathered by stats_sink(). */
struct stats {
	unsigned long n[STATS_QUEUES][VLAB_EV_COUNT];	/**< by queue, kind */
	bool trace;		/**< also print each event (--trace) */
};

/**
 * stats_sink() - count every event by queue and kind; print it too when
 * tracing.
 * @param ev the event.
 * @param seq its number.
 * @param thread its thread.
 * @param opaque the struct stats.
 */
static void stats_sink(const struct vlab_event *ev, uint64_t seq,
		       const char *thread, void *opaque)
{
	struct stats *st = opaque;

	if (ev->queue >= 0 && ev->queue < STATS_QUEUES)
		st->n[ev->queue][ev->kind]++;
	if (st->trace)
		vlab_trace_text_sink(ev, seq, thread, stdout);
}

/**
 * print_stats() - per-queue counters of a run (--stats).
 * @param st the counts.
 * @param nq queues of the device.
 */
static void print_stats(const struct stats *st, unsigned int nq)
{
	const unsigned long *n;
	unsigned int q;

	printf("# stats: queue  buffers  kicks-sent  kicks-suppressed  irqs-sent  irqs-suppressed\n");
	for (q = 0; q < nq && q < STATS_QUEUES; q++) {
		n = st->n[q];
		printf("# stats: %5u  %7lu  %10lu  %16lu  %9lu  %15lu\n", q,
		       n[VLAB_EV_POP], n[VLAB_EV_KICK], n[VLAB_EV_KICK_SUPPRESSED],
		       n[VLAB_EV_IRQ], n[VLAB_EV_IRQ_SUPPRESSED]);
	}
}

/**
 * run_rng() - the rng scenario.
 * @param o the options.
 * @return the exit status.
 */
static int run_rng(const struct options *o)
{
	struct vlab_machine_opts mopts = { .loglevel = o->dmesg ? 6 : 4 };
	static struct stats st;
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
	err = vlab_machine_init(&m, &mopts);
	if (err) {
		fprintf(stderr, "vlab: cannot build the machine: %s\n",
			strerror(-err));
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
	if (o->trace) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		vlab_trace_text_header(stdout);
		vlab_trace_set_sink(vlab_trace_text_sink, stdout);
	}
	if (o->stats) {
		st.trace = o->trace;
		vlab_trace_set_sink(stats_sink, &st);
	}

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
	err = vlab_prog_read_device("/dev/vlab-rng", buf, o->bytes,
				    PROGRAM_TIMEOUT_MS);
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
	if (!status) {
		if (o->trace)
			printf("# %lu bytes read through driver/vlab_rng.c:\n",
			       o->bytes);
		print_hex(buf, o->bytes);
		if (o->stats)
			print_stats(&st, vlab_rng_model.num_queues);
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

	vlab_thread_set_name("guest");
	parse_args(argc, argv, &o);
	return run_rng(&o);
}
