// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The entropy device scenario, shared by the simulator and QEMU.
 */
#include "tests/scenarios/scenario.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/** Bytes per read: one request of the driver. */
#define RNG_READ 64

void scenario_check(struct scenario_result *r, bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("VLAB-CHECK %s ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (ok)
		r->passed++;
	else
		r->failed++;
}

/**
 * read_full() - read exactly @p n bytes, or fail.
 * @param sys the system calls.
 * @param fd an open descriptor.
 * @param buf destination.
 * @param n byte count.
 * @return @p n, or what went wrong (a negative errno, or fewer bytes when
 * a read returned 0).
 */
static long read_full(const struct scenario_sys *sys, int fd, uint8_t *buf,
		      size_t n)
{
	size_t got = 0;
	long r;

	while (got < n) {
		r = sys->read(fd, buf + got, n - got);
		if (r < 0)
			return r;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (long)got;
}

/**
 * all_alike() - whether every byte equals the first.
 * @param buf the bytes.
 * @param n how many.
 * @return true when all are alike.
 */
static bool all_alike(const uint8_t *buf, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (buf[i] != buf[0])
			return false;
	return true;
}

void scenario_rng(const struct scenario_sys *sys, struct scenario_result *r,
		  const char *node)
{
	uint8_t a[RNG_READ], b[RNG_READ];
	long got;
	int fd;

	fd = sys->open(node);
	scenario_check(r, fd >= 0, "rng: open %s (%d)", node, fd);
	if (fd < 0)
		return;
	got = read_full(sys, fd, a, sizeof(a));
	scenario_check(r, got == RNG_READ,
		       "rng: first read returns %d bytes (got %ld)", RNG_READ,
		       got);
	scenario_check(r, got == RNG_READ && !all_alike(a, sizeof(a)),
		       "rng: first read is not %d equal bytes", RNG_READ);
	got = read_full(sys, fd, b, sizeof(b));
	scenario_check(r, got == RNG_READ,
		       "rng: second read returns %d bytes (got %ld)", RNG_READ,
		       got);
	scenario_check(r, got == RNG_READ && memcmp(a, b, sizeof(a)),
		       "rng: the two reads differ");
	scenario_check(r, sys->close(fd) == 0, "rng: close");
}
