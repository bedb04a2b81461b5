// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The vlab command line: the help text and the option parser.
 */
#include "tools/vlab/options.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/**
 * usage() - print the help text.
 * @param out where to.
 */
static void usage(FILE *out)
{
	fputs("usage: vlab run rng|blk|console|stream [options]\n"
	      "       vlab step rng|blk|console|stream [options] [--steps N]\n"
	      "       vlab serve rng|blk --vhost-user SOCKET [options]\n"
	      "       vlab diff TRACE-A TRACE-B\n"
	      "       vlab events\n"
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
	      "  stream   a guest program writes N 64-byte packets to\n"
	      "           /dev/vlab-stream0 (driver/vlab_stream.c, shaped like\n"
	      "           virtio-net's transmit path) over the loopback test\n"
	      "           device; with --stats, compare the kicks and interrupts\n"
	      "           per buffer with and without --no-event-idx\n"
	      "serve: be the device of a real guest: listen on SOCKET for\n"
	      "QEMU's vhost-user-rng-pci or vhost-user-blk-pci (chardev\n"
	      "socket, guest memory from memory-backend-memfd,share=on) and\n"
	      "run the same device model on the rings of the guest's own\n"
	      "virtio_rng or virtio_blk driver. Serves one front-end, ends\n"
	      "when it disconnects (or on SIGINT/SIGTERM); exit 1 when the\n"
	      "driver broke a rule or the protocol failed. With --trace each\n"
	      "message is narrated and each pop lists the buffers it read\n"
	      "events: every kind of trace event, its side, its section of\n"
	      "virtio 1.2 and what it means, as a Markdown page (the book's\n"
	      "event reference is made from it)\n"
	      "diff: compare two traces saved from --trace (best in canon form),\n"
	      "event by event, and print the first event that differs with both\n"
	      "lines; exit 0 when they match, 1 when they differ\n"
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
	      "  --wake-latency N\n"
	      "              lockstep: a thread woken from a wait (a device\n"
	      "              by a kick, the IRQ thread by an interrupt) sits\n"
	      "              out N events of the others first, as a sleeping\n"
	      "              thread takes time to wake on a real CPU (default\n"
	      "              0: it may run at once; 200 for stream)\n"
	      "  --timeout S end a guest program that runs longer than S\n"
	      "              seconds (1 to 3600; default 5 in the free\n"
	      "              schedule, 120 in lockstep, where a run in which\n"
	      "              every thread waits stops at once) and show what\n"
	      "              the rings hold\n"
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
	      "  --trace-format text|jsonl|canon\n"
	      "              --trace as aligned text (the default), as one\n"
	      "              JSON object per line (seq, thread, side, kind, dev,\n"
	      "              queue, spec, before, after, v, text, what), or as\n"
	      "              canonical text: guest-physical addresses named by\n"
	      "              the allocation or ring area they belong to\n"
	      "              (buf0+0x10, rng0.q0.desc), so that traces of two\n"
	      "              drivers compare with vlab diff\n"
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
	      "  --check-writes\n"
	      "              compare the rings before and after every event:\n"
	      "              each changed byte must be in a field the event\n"
	      "              lists, each listed field must hold the value the\n"
	      "              event names; a summary goes to standard error and\n"
	      "              any violation makes the run fail (lockstep only)\n"
	      "  --fault NAME\n"
	      "              play a hostile device (R) or driver (D) from\n"
	      "              the list below and watch the other side defend\n"
	      "              (docs/reliability.md); driver faults need lockstep\n"
	      "  --help      this text\n"
	      "\n"
	      "serve options: --vhost-user SOCKET (required), --trace,\n"
	      "  --trace-format text|jsonl, --seed, --no-indirect,\n"
	      "  --no-event-idx, and for blk --disk and the offers below\n"
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
	      "stream options:\n"
	      "  --buffers N packets of 64 bytes to send, 1 to 1048576\n"
	      "              (default 1024)\n"
	      "\n"
	      "Schedules: run and step use lockstep unless --schedule free is\n"
	      "given; make bench and the test suites use the free schedule\n"
	      "(the golden-trace tests use lockstep).\n"
	      "Exit status: 0 success, 1 the run failed, 2 bad command line.\n"
	      "\n"
	      "faults (--fault NAME; the rule of docs/reliability.md it breaks):\n",
	      out);
	vlab_fault_help(out);
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
	} else if (!strcmp(opt, "--buffers")) {
		device_only(o, opt, "stream");
		o->buffers = (unsigned int)parse_uint(argc, argv, i, 1,
						      MAX_BUFFERS);
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
 * check_serve() - what `vlab serve` refuses: a device it cannot serve, no
 * socket, and the options of a simulated run (the guest is real: no
 * lockstep, no stepping, no guest program).
 * @param o the options parsed.
 */
static void check_serve(struct options *o)
{
	if (strcmp(o->device, "rng") && strcmp(o->device, "blk"))
		bad_usage("serve has rng and blk, not '%s'", o->device);
	if (!o->vhost_user)
		bad_usage("serve needs --vhost-user SOCKET");
	if (o->dot_dir || o->check_writes || o->steps >= 0 || o->packed ||
	    o->wake_latency_set || o->timeout_s || o->bytes != 16 ||
	    o->write_file || o->sector != 1 || o->dmesg || o->stats)
		bad_usage("serve takes --vhost-user, --trace, --trace-format, --seed, --no-indirect, --no-event-idx and the blk offers; the other options belong to 'vlab run'");
	if (o->format == FORMAT_CANON)
		bad_usage("serve prints --trace-format text or jsonl");
	/* a real guest runs in real time: the free schedule */
	o->free_schedule = true;
}

void vlab_options_parse(int argc, char **argv, struct options *o)
{
	uint64_t v;
	int i;

	memset(o, 0, sizeof(*o));
	o->bytes = 16;
	o->buffers = 1024;
	o->steps = -1;
	if (argc < 2)
		bad_usage("missing command");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		exit(0);
	}
	if (argv[1][0] == '-')
		bad_usage("unknown option '%s'", argv[1]);
	if (!strcmp(argv[1], "events")) {
		if (argc != 2)
			bad_usage("events takes no options");
		o->events = true;
		return;
	}
	if (!strcmp(argv[1], "diff")) {
		if (argc != 4)
			bad_usage("diff needs two trace files");
		o->diff_a = argv[2];
		o->diff_b = argv[3];
		return;
	}
	if (!strcmp(argv[1], "step"))
		o->step = true;
	else if (!strcmp(argv[1], "serve"))
		o->serve = true;
	else if (strcmp(argv[1], "run"))
		bad_usage("unknown command '%s' (known: run, step, serve, diff, events)",
			  argv[1]);
	if (argc < 3 || argv[2][0] == '-')
		bad_usage("'%s' needs a device: rng, blk, console or stream",
			  argv[1]);
	if (strcmp(argv[2], "rng") && strcmp(argv[2], "blk") &&
	    strcmp(argv[2], "console") && strcmp(argv[2], "stream"))
		bad_usage("unknown device '%s' (known: rng, blk, console, stream)",
			  argv[2]);
	o->device = argv[2];
	o->sector = 1;

	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--trace")) {
			o->trace = true;
		} else if (!strcmp(argv[i], "--vhost-user")) {
			if (!o->serve)
				bad_usage("--vhost-user belongs to 'vlab serve'");
			if (i + 1 == argc || !argv[i + 1][0])
				bad_usage("--vhost-user needs a socket path");
			o->vhost_user = argv[++i];
		} else if (!strcmp(argv[i], "--dmesg")) {
			o->dmesg = true;
		} else if (!strcmp(argv[i], "--no-indirect")) {
			o->no_indirect = true;
		} else if (!strcmp(argv[i], "--no-event-idx")) {
			o->no_event_idx = true;
		} else if (!strcmp(argv[i], "--stats")) {
			o->stats = true;
		} else if (!strcmp(argv[i], "--check-writes")) {
			o->check_writes = true;
		} else if (!strcmp(argv[i], "--fault")) {
			if (i + 1 == argc || !argv[i + 1][0])
				bad_usage("--fault needs a name");
			o->fault = vlab_fault_find(argv[++i]);
			if (!o->fault)
				bad_usage("unknown fault '%s'", argv[i]);
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
				bad_usage("--trace-format needs a value: text, jsonl or canon");
			i++;
			if (!strcmp(argv[i], "jsonl"))
				o->format = FORMAT_JSONL;
			else if (!strcmp(argv[i], "canon"))
				o->format = FORMAT_CANON;
			else if (strcmp(argv[i], "text"))
				bad_usage("--trace-format takes text, jsonl or canon, not '%s'",
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
		} else if (!strcmp(argv[i], "--wake-latency")) {
			o->wake_latency = (unsigned int)parse_uint(argc, argv,
								   &i, 0,
								   100000);
			o->wake_latency_set = true;
		} else if (!strcmp(argv[i], "--timeout")) {
			o->timeout_s = (unsigned int)parse_uint(argc, argv, &i,
								1, 3600);
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
	if (o->serve)
		check_serve(o);
	if (strcmp(o->device, "rng") && o->bytes != 16)
		bad_usage("--bytes belongs to 'vlab run rng'");
	/* the stream run models a device thread that needs time to wake */
	if (!o->wake_latency_set && !strcmp(o->device, "stream") &&
	    !o->free_schedule)
		o->wake_latency = VLAB_STREAM_WAKE_LATENCY;
	if (o->free_schedule && o->wake_latency)
		bad_usage("--wake-latency belongs to the lockstep schedule");
	if (o->free_schedule && (o->step || o->dot_dir || o->check_writes))
		bad_usage("%s needs the lockstep schedule, not --schedule free",
			  o->step ? "step" : o->dot_dir ? "--dot" :
			  "--check-writes");
	if (o->step && o->check_writes)
		bad_usage("--check-writes belongs to 'vlab run'");
	if (o->fault && o->fault->driver && o->free_schedule)
		bad_usage("--fault %s plays the driver: it needs the lockstep schedule",
			  o->fault->name);
	if (o->fault && o->check_writes)
		bad_usage("--fault and --check-writes: a hostile writer lists nothing");
	if (o->fault && o->fault->split_only && o->packed)
		bad_usage("--fault %s breaks a rule of the split ring only",
			  o->fault->name);
	if (o->fault && o->fault->packed_only && !o->packed)
		bad_usage("--fault %s breaks a rule of the packed ring: add --ring packed",
			  o->fault->name);
	if (o->steps >= 0 && !o->step)
		bad_usage("--steps belongs to 'vlab step'");
	if (o->step && (o->trace || o->stats))
		bad_usage("step shows every event itself; --trace and --stats belong to 'vlab run'");
}
