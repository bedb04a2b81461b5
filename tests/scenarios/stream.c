// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The streaming program: many small packets through
 * /dev/vlab-stream0, for watching notification suppression.
 */
#include "tests/scenarios/scenario.h"

#include <errno.h>
#include <stdint.h>

/** Packets handed to the driver per write(). */
#define PACKETS_PER_WRITE 64

int scenario_stream(const struct scenario_sys *sys, const char *node,
		    unsigned int packets)
{
	static uint8_t buf[PACKETS_PER_WRITE * SCENARIO_STREAM_PKT];
	unsigned int sent = 0, n, i;
	long r = 0;
	int fd;

	fd = sys->open(node);
	if (fd < 0)
		return fd;
	while (sent < packets) {
		n = packets - sent;
		if (n > PACKETS_PER_WRITE)
			n = PACKETS_PER_WRITE;
		for (i = 0; i < n * SCENARIO_STREAM_PKT; i++)
			buf[i] = (uint8_t)(sent * SCENARIO_STREAM_PKT + i);
		r = sys->write(fd, buf, (size_t)n * SCENARIO_STREAM_PKT);
		if (r != (long)n * SCENARIO_STREAM_PKT) {
			if (r >= 0)
				r = -EIO;
			break;
		}
		sent += n;
	}
	sys->close(fd);
	return r < 0 ? (int)r : 0;
}
