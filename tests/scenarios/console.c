// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The console scenario, shared by the simulator and QEMU.
 */
#include "tests/scenarios/scenario.h"

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
