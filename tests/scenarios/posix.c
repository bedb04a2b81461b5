// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief vlab-scenarios: the shared scenarios as a static program for a
 * real Linux guest (the QEMU run). Usage: vlab-scenarios rng
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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
	int fd = open(path, O_RDONLY);

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
 * main() - run the scenario named on the command line.
 * @param argc argument count.
 * @param argv arguments: the scenario name.
 * @return 0 when every check held, 1 otherwise, 2 for bad usage.
 */
int main(int argc, char **argv)
{
	static const struct scenario_sys sys = {
		.open = posix_open,
		.read = posix_read,
		.close = posix_close,
	};
	struct scenario_result r = { 0, 0 };

	if (argc != 2 || strcmp(argv[1], "rng")) {
		fprintf(stderr, "usage: vlab-scenarios rng\n");
		return 2;
	}
	scenario_rng(&sys, &r);
	return r.failed ? 1 : 0;
}
