/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Guest scenarios that run unchanged in two places: in the
 * simulator (against the simulated guest kernel's system calls) and in a
 * real Linux guest under QEMU (against the real ones).
 *
 * A scenario only opens, reads and closes device nodes, through the
 * struct scenario_sys it is given, and reports each check as one line:
 *
 *     VLAB-CHECK PASS rng: first read returns 64 bytes
 *     VLAB-CHECK FAIL rng: the two reads differ (...)
 *
 * The QEMU host script and the CUnit suites both count those lines, so a
 * check written once is checked in both runs.
 */
#ifndef VLAB_TESTS_SCENARIO_H
#define VLAB_TESTS_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>

/** The system calls a scenario may use. */
struct scenario_sys {
	/** open(2) of a device node: a descriptor or a negative errno */
	int (*open)(const char *path);
	/** read(2): bytes read or a negative errno */
	long (*read)(int fd, void *buf, size_t count);
	/** close(2): 0 or a negative errno */
	int (*close)(int fd);
	/** write(2): bytes written or a negative errno */
	long (*write)(int fd, const void *buf, size_t count);
	/** pread(2): bytes read or a negative errno */
	long (*pread)(int fd, void *buf, size_t count, long long pos);
	/** pwrite(2): bytes written or a negative errno */
	long (*pwrite)(int fd, const void *buf, size_t count, long long pos);
	/** lseek(2) with SEEK_END: the new offset or a negative errno */
	long long (*seek_end)(int fd);
	/** fsync(2): 0 or a negative errno */
	int (*fsync)(int fd);
};

/**
 * The nodes of the first device of each kind. Each driver names its node
 * after the lowest free number of its ida (driver/vlab_*.c), so the
 * second device of a kind is /dev/vlab-rng1, and so on.
 */
#define SCENARIO_RNG_NODE "/dev/vlab-rng0"
/** The first block device's node. */
#define SCENARIO_BLK_NODE "/dev/vlab-blk0"
/** The first console device's node. */
#define SCENARIO_CONSOLE_NODE "/dev/vlab-console0"

/** Byte offset where scenario_blk() writes the payload file. */
#define SCENARIO_BLK_PAYLOAD_OFFSET (256 * 1024)
/** Largest payload scenario_blk() takes. */
#define SCENARIO_BLK_PAYLOAD_MAX (512 * 1024)
/** Lines the host sends in scenario_console(), one per line. */
#define SCENARIO_CONSOLE_INPUT "hello, virtio console\nsecond line: 0123456789\nbye\n"
/** How many lines that is. */
#define SCENARIO_CONSOLE_LINES 3
/** What the guest sends back for each line: this prefix, then the line. */
#define SCENARIO_CONSOLE_PREFIX "echo: "

/** Counts of one scenario run. */
struct scenario_result {
	unsigned int passed;	/**< checks that held */
	unsigned int failed;	/**< checks that did not */
};

/**
 * scenario_check() - record and print one check.
 * @param r the counts.
 * @param ok whether the check held.
 * @param fmt printf format of the check's name (and details on failure).
 */
void scenario_check(struct scenario_result *r, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * scenario_rng() - the entropy device scenario: two reads of 64 bytes
 * from an entropy node; each returns 64 bytes, not all alike, and the
 * two differ.
 * @param sys the system calls.
 * @param r receives the counts.
 * @param node the device node, e.g. SCENARIO_RNG_NODE.
 */
void scenario_rng(const struct scenario_sys *sys, struct scenario_result *r,
		  const char *node);

/**
 * scenario_blk() - the block device scenario on a block node (a disk of
 * at least 1 MiB, writable): a sector written and read back, a 128 KiB
 * write that takes several requests, an unaligned access refused, reads
 * and writes at the end of the disk, fsync, and finally @p payload
 * written at SCENARIO_BLK_PAYLOAD_OFFSET (padded with zeros to whole
 * sectors), read back and flushed, for the host to find in its image.
 * @param sys the system calls.
 * @param r receives the counts.
 * @param node the device node, e.g. SCENARIO_BLK_NODE.
 * @param payload the file's bytes (NULL: skip that part).
 * @param len their count, at most SCENARIO_BLK_PAYLOAD_MAX.
 */
void scenario_blk(const struct scenario_sys *sys, struct scenario_result *r,
		  const char *node, const void *payload, size_t len);

/**
 * One transfer of scenario_blk_transfer(): what the program of `vlab run
 * blk` does, and what it found.
 */
struct scenario_blk_transfer {
	const char *path;	/**< the disk's node */
	bool ro;		/**< read first, then expect the write refused */
	const void *data;	/**< bytes to write (whole blocks) */
	size_t len;		/**< their count */
	long long pos;		/**< byte offset on the disk */
	void *back;		/**< receives what the read gave back (@c len) */
	long write_ret;		/**< what pwrite returned */
	int fsync_ret;		/**< what fsync returned */
};

/**
 * scenario_blk_transfer() - write @c data at @c pos, read it back, fsync;
 * on a read-only disk (@c ro) read first, then try the write, whose
 * refusal the caller checks in @c write_ret.
 * @param sys the system calls.
 * @param t the transfer; its results are filled in.
 * @return 0, or the negative errno of the first call that failed (-EIO
 * for a short read or write).
 */
int scenario_blk_transfer(const struct scenario_sys *sys,
			  struct scenario_blk_transfer *t);

/**
 * scenario_console() - the console scenario on a console node: the
 * host sends SCENARIO_CONSOLE_INPUT; the guest reads it line by line and
 * writes each line back with SCENARIO_CONSOLE_PREFIX in front. The host
 * then checks what it received (scenario_console_expected()).
 * @param sys the system calls.
 * @param r receives the counts.
 * @param node the device node, e.g. SCENARIO_CONSOLE_NODE.
 */
void scenario_console(const struct scenario_sys *sys,
		      struct scenario_result *r, const char *node);

/** What scenario_console_echo() does, and how far it got. */
struct scenario_console_echo {
	const char *path;	/**< the console's node */
	bool loopback;		/**< write each line, then read it back */
	const char *input;	/**< the lines, each ending in '\n' */
	unsigned int lines;	/**< how many */
	unsigned int done;	/**< lines handled */
};

/**
 * scenario_console_echo() - the program of `vlab run console`: read each
 * line the host sends and write it back behind SCENARIO_CONSOLE_PREFIX;
 * with @c loopback (the device sends output straight back), write each
 * line of @c input and read the same bytes back.
 * @param sys the system calls.
 * @param e what to do; @c done is filled in.
 * @return 0, or the negative errno of the first call that failed (-EIO
 * when a looped-back line differs, -E2BIG for a line over 1 KiB).
 */
int scenario_console_echo(const struct scenario_sys *sys,
			  struct scenario_console_echo *e);

/** Bytes per packet of scenario_stream(): one buffer each. */
#define SCENARIO_STREAM_PKT 64
/** The stream node of the first loopback device. */
#define SCENARIO_STREAM_NODE "/dev/vlab-stream0"

/**
 * scenario_stream() - the program of `vlab run stream`: write @p packets
 * packets of SCENARIO_STREAM_PKT bytes to the stream node, 64 packets per
 * write() (the driver cuts them apart again), each byte numbered so a
 * lost or repeated packet would show at the device.
 * @param sys the system calls.
 * @param node the device node, e.g. SCENARIO_STREAM_NODE.
 * @param packets how many.
 * @return 0, or the negative errno of the first call that failed (-EIO
 * for a short write).
 */
int scenario_stream(const struct scenario_sys *sys, const char *node,
		    unsigned int packets);

/**
 * scenario_console_expected() - what the host must receive from
 * scenario_console().
 * @param buf receives the text, NUL-terminated.
 * @param size room in @p buf.
 * @return its length.
 */
size_t scenario_console_expected(char *buf, size_t size);

#endif /* VLAB_TESTS_SCENARIO_H */
