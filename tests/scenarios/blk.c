// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The block device scenario, shared by the simulator and QEMU.
 */
#include "tests/scenarios/scenario.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Bytes in a sector. */
#define SECTOR 512
/** The large write: more than one request of the driver (64 KiB). */
#define BIG (128 * 1024)
/** Where the large write goes. */
#define BIG_OFFSET (64 * 1024)

/**
 * fill_pattern() - bytes that differ from sector to sector and from run
 * to run of the pattern, so a misplaced sector shows.
 * @param buf destination.
 * @param n byte count.
 * @param salt varies the pattern.
 */
static void fill_pattern(uint8_t *buf, size_t n, unsigned int salt)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)(i * 7 + i / SECTOR * 13 + salt);
}

/**
 * write_read_back() - pwrite @p n bytes at @p pos, pread them back and
 * compare, as two checks.
 * @param sys the system calls.
 * @param r the counts.
 * @param fd open device.
 * @param buf the bytes.
 * @param back scratch of @p n bytes.
 * @param n byte count.
 * @param pos offset.
 * @param what name of the step.
 */
static void write_read_back(const struct scenario_sys *sys,
			    struct scenario_result *r, int fd,
			    const uint8_t *buf, uint8_t *back, size_t n,
			    long long pos, const char *what)
{
	long got;

	got = sys->pwrite(fd, buf, n, pos);
	scenario_check(r, got == (long)n,
		       "blk: %s: pwrite of %zu bytes at %lld returns %zu (got %ld)",
		       what, n, pos, n, got);
	memset(back, 0, n);
	got = sys->pread(fd, back, n, pos);
	scenario_check(r, got == (long)n && !memcmp(buf, back, n),
		       "blk: %s: pread gives the same %zu bytes back (got %ld)",
		       what, n, got);
}

void scenario_blk(const struct scenario_sys *sys, struct scenario_result *r,
		  const char *node, const void *payload, size_t len)
{
	uint8_t *buf = malloc(SCENARIO_BLK_PAYLOAD_MAX + SECTOR);
	uint8_t *back = malloc(SCENARIO_BLK_PAYLOAD_MAX + SECTOR);
	long long end;
	size_t padded;
	long got;
	int fd;

	if (!buf || !back) {
		scenario_check(r, false, "blk: memory for the scenario");
		goto out;
	}
	fd = sys->open(node);
	scenario_check(r, fd >= 0, "blk: open %s (%d)", node, fd);
	if (fd < 0)
		goto out;

	/* one sector: header + one data buffer + status */
	fill_pattern(buf, SECTOR, 1);
	write_read_back(sys, r, fd, buf, back, SECTOR, SECTOR, "one sector");

	/* 128 KiB: several requests, each within SEG_MAX x SIZE_MAX */
	fill_pattern(buf, BIG, 2);
	write_read_back(sys, r, fd, buf, back, BIG, BIG_OFFSET, "128 KiB");

	got = sys->pwrite(fd, buf, SECTOR, 100);
	scenario_check(r, got == -EINVAL,
		       "blk: a write at offset 100 (not block aligned) fails with EINVAL (got %ld)",
		       got);
	got = sys->pread(fd, back, 100, 0);
	scenario_check(r, got == -EINVAL,
		       "blk: a read of 100 bytes (not whole blocks) fails with EINVAL (got %ld)",
		       got);

	end = sys->seek_end(fd);
	scenario_check(r, end >= 1024 * 1024 && end % SECTOR == 0,
		       "blk: the disk holds at least 1 MiB of whole sectors (lseek SEEK_END: %lld)",
		       end);
	if (end > 0) {
		got = sys->pread(fd, back, SECTOR, end);
		scenario_check(r, got == 0,
			       "blk: a read at the end of the disk returns 0 (got %ld)",
			       got);
		got = sys->pwrite(fd, buf, SECTOR, end);
		scenario_check(r, got == -ENOSPC,
			       "blk: a write at the end of the disk fails with ENOSPC (got %ld)",
			       got);
	}
	scenario_check(r, sys->fsync(fd) == 0, "blk: fsync");

	/* the payload file, for the host to find in its image */
	if (payload && len <= SCENARIO_BLK_PAYLOAD_MAX) {
		padded = (len + SECTOR - 1) / SECTOR * SECTOR;
		memset(buf, 0, padded);
		memcpy(buf, payload, len);
		write_read_back(sys, r, fd, buf, back, padded,
				SCENARIO_BLK_PAYLOAD_OFFSET, "payload file");
		scenario_check(r, sys->fsync(fd) == 0,
			       "blk: fsync after the payload file");
	} else if (payload) {
		scenario_check(r, false, "blk: payload of %zu bytes fits (max %d)",
			       len, SCENARIO_BLK_PAYLOAD_MAX);
	}
	scenario_check(r, sys->close(fd) == 0, "blk: close");
out:
	free(back);
	free(buf);
}

int scenario_blk_transfer(const struct scenario_sys *sys,
			  struct scenario_blk_transfer *t)
{
	long got;
	int fd, err = 0;

	fd = sys->open(t->path);
	if (fd < 0)
		return fd;
	if (!t->ro) {
		t->write_ret = sys->pwrite(fd, t->data, t->len, t->pos);
		if (t->write_ret != (long)t->len)
			err = t->write_ret < 0 ? (int)t->write_ret : -EIO;
	}
	if (!err) {
		got = sys->pread(fd, t->back, t->len, t->pos);
		if (got != (long)t->len)
			err = got < 0 ? (int)got : -EIO;
	}
	if (!err && t->ro)
		t->write_ret = sys->pwrite(fd, t->data, t->len, t->pos);
	if (!err && !t->ro) {
		t->fsync_ret = sys->fsync(fd);
		err = t->fsync_ret;
	}
	sys->close(fd);
	return err;
}
