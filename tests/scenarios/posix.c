// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief vlab-scenarios: the shared scenarios as a static program for a
 * real Linux guest (the QEMU run).
 *
 * Usage: vlab-scenarios rng | blk [PAYLOAD-FILE] | console, and for the
 * host side of the console: console-input | console-expected
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/scenarios/scenario.h"

/**
 * posix_open() - open(2), returning -errno on failure.
 * @param path the node.
 * @return a descriptor or a negative errno.
 */
static int posix_open(const char *path)
{
	int fd = open(path, O_RDWR);

	return fd < 0 ? -errno : fd;
}

/**
 * posix_read() - read(2), returning -errno on failure.
 * @param fd descriptor.
 * @param buf destination.
 * @param count bytes wanted.
 * @return bytes read or a negative errno.
 */
static long posix_read(int fd, void *buf, size_t count)
{
	ssize_t r = read(fd, buf, count);

	return r < 0 ? -errno : (long)r;
}

/**
 * posix_close() - close(2), returning -errno on failure.
 * @param fd descriptor.
 * @return 0 or a negative errno.
 */
static int posix_close(int fd)
{
	return close(fd) < 0 ? -errno : 0;
}

/**
 * posix_write() - write(2), returning -errno on failure.
 * @param fd descriptor.
 * @param buf the bytes.
 * @param count byte count.
 * @return bytes written or a negative errno.
 */
static long posix_write(int fd, const void *buf, size_t count)
{
	ssize_t r = write(fd, buf, count);

	return r < 0 ? -errno : (long)r;
}

/**
 * posix_pread() - pread(2), returning -errno on failure.
 * @param fd descriptor.
 * @param buf destination.
 * @param count bytes wanted.
 * @param pos offset.
 * @return bytes read or a negative errno.
 */
static long posix_pread(int fd, void *buf, size_t count, long long pos)
{
	ssize_t r = pread(fd, buf, count, (off_t)pos);

	return r < 0 ? -errno : (long)r;
}

/**
 * posix_pwrite() - pwrite(2), returning -errno on failure.
 * @param fd descriptor.
 * @param buf the bytes.
 * @param count byte count.
 * @param pos offset.
 * @return bytes written or a negative errno.
 */
static long posix_pwrite(int fd, const void *buf, size_t count,
			 long long pos)
{
	ssize_t r = pwrite(fd, buf, count, (off_t)pos);

	return r < 0 ? -errno : (long)r;
}

/**
 * posix_seek_end() - lseek(2) to the end, returning -errno on failure.
 * @param fd descriptor.
 * @return the offset or a negative errno.
 */
static long long posix_seek_end(int fd)
{
	off_t r = lseek(fd, 0, SEEK_END);

	return r < 0 ? -errno : (long long)r;
}

/**
 * posix_fsync() - fsync(2), returning -errno on failure.
 * @param fd descriptor.
 * @return 0 or a negative errno.
 */
static int posix_fsync(int fd)
{
	return fsync(fd) < 0 ? -errno : 0;
}

/**
 * read_payload() - the payload file of the blk scenario.
 * @param path its path.
 * @param buf receives at most SCENARIO_BLK_PAYLOAD_MAX + 1 bytes.
 * @return its length, or -1 when it cannot be read.
 */
static long read_payload(const char *path, unsigned char *buf)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, SCENARIO_BLK_PAYLOAD_MAX + 1, f);
	fclose(f);
	return (long)n;
}

/**
 * hold() - for the QEMU stress run: open @p node, say so, wait until the
 * file @p go exists (at most 120 s), then use the file that stayed open
 * while its device went away (unbind, device_del): fsync, lseek to the
 * end, read. Each result is printed, "VLAB-HOLD NODE OP RESULT", RESULT a
 * byte count or -errno; the kernel must survive every one of them.
 * @param node the device node.
 * @param go the file whose creation releases the hold.
 * @return 0 when the node opened, 1 otherwise.
 */
static int hold(const char *node, const char *go)
{
	char buf[512];
	int fd, i;
	long r;

	fd = open(node, O_RDWR);
	if (fd < 0)
		fd = open(node, O_RDONLY);
	printf("VLAB-HOLD %s open %d\n", node, fd < 0 ? -errno : 0);
	fflush(stdout);
	if (fd < 0)
		return 1;
	for (i = 0; i < 1200 && access(go, F_OK); i++)
		usleep(100000);
	r = fsync(fd);
	printf("VLAB-HOLD %s fsync %ld\n", node, r < 0 ? (long)-errno : r);
	r = (long)lseek(fd, 0, SEEK_END);
	printf("VLAB-HOLD %s lseek %ld\n", node, r < 0 ? (long)-errno : r);
	r = (long)read(fd, buf, sizeof(buf));
	printf("VLAB-HOLD %s read %ld\n", node, r < 0 ? (long)-errno : r);
	fflush(stdout);
	close(fd);
	return 0;
}

/**
 * main() - run the scenario named on the command line.
 * @param argc argument count.
 * @param argv arguments: the scenario name, the device node, and for blk
 * the payload file.
 * @return 0 when every check held, 1 otherwise, 2 for bad usage.
 */
int main(int argc, char **argv)
{
	static const struct scenario_sys sys = {
		.open = posix_open,
		.read = posix_read,
		.close = posix_close,
		.write = posix_write,
		.pread = posix_pread,
		.pwrite = posix_pwrite,
		.seek_end = posix_seek_end,
		.fsync = posix_fsync,
	};
	static unsigned char payload[SCENARIO_BLK_PAYLOAD_MAX + 1];
	static char expected[1024];
	struct scenario_result r = { 0, 0 };
	long len = 0;

	if (argc == 3 && !strcmp(argv[1], "rng")) {
		scenario_rng(&sys, &r, argv[2]);
	} else if ((argc == 3 || argc == 4) && !strcmp(argv[1], "blk")) {
		if (argc == 4) {
			len = read_payload(argv[3], payload);
			if (len < 0 || len > SCENARIO_BLK_PAYLOAD_MAX) {
				fprintf(stderr, "vlab-scenarios: cannot use payload %s\n",
					argv[3]);
				return 2;
			}
		}
		scenario_blk(&sys, &r, argv[2], argc == 4 ? payload : NULL,
			     (size_t)len);
	} else if (argc == 3 && !strcmp(argv[1], "console")) {
		scenario_console(&sys, &r, argv[2]);
	} else if (argc == 4 && !strcmp(argv[1], "hold")) {
		return hold(argv[2], argv[3]);
	} else if (argc == 2 && !strcmp(argv[1], "console-input")) {
		/* for the host: what to send */
		fputs(SCENARIO_CONSOLE_INPUT, stdout);
	} else if (argc == 2 && !strcmp(argv[1], "console-expected")) {
		/* for the host: what it must receive */
		scenario_console_expected(expected, sizeof(expected));
		fputs(expected, stdout);
	} else {
		fprintf(stderr, "usage: vlab-scenarios rng NODE | blk NODE [PAYLOAD-FILE] | console NODE | hold NODE GO-FILE | console-input | console-expected\n");
		return 2;
	}
	return r.failed ? 1 : 0;
}
