// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The console scenario, shared by the simulator and QEMU.
 */
#include "tests/scenarios/scenario.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/** Longest line the scenario handles. */
#define LINE_MAX_BYTES 128

size_t scenario_console_expected(char *buf, size_t size)
{
	const char *in = SCENARIO_CONSOLE_INPUT, *nl;
	size_t len = 0;
	int n;

	buf[0] = '\0';
	while ((nl = strchr(in, '\n'))) {
		n = snprintf(buf + len, size - len, "%s%.*s\n",
			     SCENARIO_CONSOLE_PREFIX, (int)(nl - in), in);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
		in = nl + 1;
	}
	return len;
}

void scenario_console(const struct scenario_sys *sys,
		      struct scenario_result *r, const char *node)
{
	char got[512], line[LINE_MAX_BYTES + sizeof(SCENARIO_CONSOLE_PREFIX)];
	size_t have = 0, used = 0, len;
	unsigned int lines = 0;
	char *nl;
	long n;
	int fd;

	fd = sys->open(node);
	scenario_check(r, fd >= 0, "console: open %s (%d)", node, fd);
	if (fd < 0)
		return;
	/* read() returns what has arrived; lines may come in pieces */
	while (lines < SCENARIO_CONSOLE_LINES && have < sizeof(got) - 1) {
		n = sys->read(fd, got + have, sizeof(got) - 1 - have);
		if (n <= 0) {
			scenario_check(r, false,
				       "console: read returns the host's bytes (got %ld)",
				       n);
			break;
		}
		have += (size_t)n;
		got[have] = '\0';
		/* echo every complete line the host sent */
		while (lines < SCENARIO_CONSOLE_LINES &&
		       (nl = strchr(got + used, '\n'))) {
			len = (size_t)(nl - (got + used)) + 1;
			if (len > LINE_MAX_BYTES)
				len = LINE_MAX_BYTES;
			snprintf(line, sizeof(line), "%s%.*s",
				 SCENARIO_CONSOLE_PREFIX, (int)len,
				 got + used);
			n = sys->write(fd, line, strlen(line));
			scenario_check(r, n == (long)strlen(line),
				       "console: write of echo %u returns %zu (got %ld)",
				       lines + 1, strlen(line), n);
			used += len;
			lines++;
		}
	}
	scenario_check(r, have == strlen(SCENARIO_CONSOLE_INPUT) &&
		       !memcmp(got, SCENARIO_CONSOLE_INPUT, have),
		       "console: the guest read exactly the host's %zu bytes (got %zu)",
		       strlen(SCENARIO_CONSOLE_INPUT), have);
	scenario_check(r, sys->close(fd) == 0, "console: close");
}

/** Longest line scenario_console_echo() takes. */
#define ECHO_LINE_MAX 1024

/**
 * read_line() - read from the console until a newline arrives.
 * @param sys the system calls.
 * @param fd the open console.
 * @param buf receives the line, NUL-terminated, newline included.
 * @param size room in @p buf.
 * @param have bytes already in @p buf (left over from the last read).
 * @param used receives the length of the line; the rest stays after it.
 * @return bytes in @p buf, or a negative errno.
 */
static long read_line(const struct scenario_sys *sys, int fd, char *buf,
		      size_t size, size_t have, size_t *used)
{
	char *nl;
	long r;

	buf[have] = '\0';
	while (!(nl = strchr(buf, '\n'))) {
		if (have + 1 >= size)
			return -E2BIG;
		r = sys->read(fd, buf + have, size - 1 - have);
		if (r <= 0)
			return r < 0 ? r : -EIO;
		have += (size_t)r;
		buf[have] = '\0';
	}
	*used = (size_t)(nl - buf) + 1;
	return (long)have;
}

int scenario_console_echo(const struct scenario_sys *sys,
			  struct scenario_console_echo *e)
{
	char buf[2 * ECHO_LINE_MAX];
	char out[ECHO_LINE_MAX + sizeof(SCENARIO_CONSOLE_PREFIX)];
	const char *line = e->input, *nl;
	size_t have = 0, used, n = 0;
	long r = 0;
	int fd;

	fd = sys->open(e->path);
	if (fd < 0)
		return fd;
	for (e->done = 0; e->done < e->lines; e->done++) {
		if (e->loopback) {
			nl = strchr(line, '\n');
			n = (size_t)(nl - line) + 1;
			if (n > ECHO_LINE_MAX) {
				r = -E2BIG;
				break;
			}
			r = sys->write(fd, line, n);
			if (r < 0)
				break;
		}
		r = read_line(sys, fd, buf, sizeof(buf), have, &used);
		if (r < 0)
			break;
		have = (size_t)r;
		if (e->loopback) {
			if (used != n || memcmp(buf, line, n)) {
				r = -EIO;
				break;
			}
			line += n;
		} else {
			snprintf(out, sizeof(out), "%s%.*s",
				 SCENARIO_CONSOLE_PREFIX, (int)used, buf);
			r = sys->write(fd, out, strlen(out));
			if (r < 0)
				break;
		}
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	sys->close(fd);
	return r < 0 ? (int)r : 0;
}
