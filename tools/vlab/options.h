/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief The vlab command line: what `vlab run` and `vlab step` accept,
 * read into one struct options. A bad option or value is one line on
 * stderr and exit status 2, never a silent default.
 */
#ifndef VLAB_TOOLS_OPTIONS_H
#define VLAB_TOOLS_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "tools/vlab/faults.h"

/** Largest --bytes accepted. */
#define MAX_BYTES (1u << 20)
/** Most --buffers of `vlab run stream`. */
#define MAX_BUFFERS (1u << 20)
/**
 * --wake-latency of `vlab run stream` unless given: a device thread woken
 * by a kick sits out this many events, time in which the writer adds
 * dozens of packets, as a vhost thread's wake-up takes microseconds.
 */
#define VLAB_STREAM_WAKE_LATENCY 200
/** Most --line options. */
#define MAX_LINES 64
/** Longest console line. */
#define MAX_LINE_BYTES 200

/** Trace formats of --trace-format. */
enum trace_format {
	FORMAT_TEXT,		/**< one aligned line per event */
	FORMAT_JSONL,		/**< one JSON object per line */
	FORMAT_CANON,		/**< text, addresses named (canon.h) */
};

/** What the command line asked for. */
struct options {
	bool step;		/**< `vlab step` rather than `vlab run` */
	bool serve;		/**< `vlab serve`: a vhost-user back-end */
	const char *vhost_user;	/**< serve: --vhost-user SOCKET */
	bool events;		/**< `vlab events`: the event reference */
	const char *diff_a;	/**< `vlab diff A B`: the first trace */
	const char *diff_b;	/**< and the second */
	const char *device;	/**< device type to run */
	unsigned long bytes;	/**< bytes to read */
	unsigned int buffers;	/**< stream: packets to send (--buffers) */
	bool seeded;		/**< --seed given */
	uint64_t seed;		/**< its value */
	bool free_schedule;	/**< --schedule free */
	unsigned int timeout_s;	/**< --timeout S, or 0 for the default */
	unsigned int wake_latency; /**< --wake-latency N (lockstep) */
	bool wake_latency_set;	/**< --wake-latency was given */
	bool trace;		/**< --trace or --trace-format */
	enum trace_format format; /**< --trace-format */
	char *dot_dir;			/**< --dot DIR, or NULL */
	long steps;		/**< --steps N, or -1 */
	bool dmesg;		/**< --dmesg: show the guest kernel log */
	bool packed;		/**< --ring packed */
	bool no_indirect;	/**< --no-indirect */
	bool no_event_idx;	/**< --no-event-idx */
	bool stats;		/**< --stats */
	bool check_writes;	/**< --check-writes */
	const struct vlab_fault *fault; /**< --fault NAME, or NULL */
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
 * vlab_options_parse() - read the command line; print the help and exit
 * 0 for --help, print one line and exit 2 for anything it refuses.
 * @param argc argument count.
 * @param argv arguments.
 * @param o receives the options.
 */
void vlab_options_parse(int argc, char **argv, struct options *o);

#endif /* VLAB_TOOLS_OPTIONS_H */
