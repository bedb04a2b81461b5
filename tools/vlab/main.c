// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The vlab command: boot a simulated machine, load a driver, run a
 * guest program against it, and show every step. Three devices: rng
 * (read random bytes), blk (write a sector or a file, read it back),
 * console (the host sends lines, the guest echoes them). The guest
 * programs are the shared scenarios of tests/scenarios, the same ones
 * the tests and the QEMU guest run.
 *
 * Exit status: 0 on success, 1 when the run fails (the guest or device
 * reported an error), 2 for a bad command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/blk.h"
#include "sim/console.h"
#include "sim/device.h"
#include "sim/loopback.h"
#include "sim/rng.h"
#include "tests/scenarios/scenario.h"
#include "tools/vlab/canon.h"
#include "tools/vlab/run.h"
#include "tools/vlab/serve.h"
#include "tools/vlab/sinks.h"
#include "virtio/shared/boundary.h"

/**
 * run_rng() - the rng scenario.
 * @param o the options.
 * @return the exit status.
 */
static int run_rng(const struct options *o)
{
	struct vlab_run r = { .o = o, .module = "vlab_rng" };
	struct vlab_rng_source src;
	struct vlab_prog_read rd = { .path = SCENARIO_RNG_NODE };
	char what[96];
	uint8_t *buf;
	int status = 1;

	buf = malloc(o->bytes);
	rd.buf = buf;
	rd.n = o->bytes;
	if (!buf) {
		fprintf(stderr, "vlab: out of memory for %lu bytes\n", o->bytes);
		return 1;
	}
	vlab_rng_source_init(&src, o->seeded, o->seed);
	if (vlab_run_start(&r, &vlab_rng_model, &src, "rng0"))
		goto out;
	snprintf(what, sizeof(what), "a guest program reads %lu bytes from /dev/vlab-rng0",
		 o->bytes);
	status = vlab_run_program(&r, what, "reading /dev/vlab-rng0",
			     vlab_prog_read_all, &rd);
out:
	status = vlab_run_stop(&r, status);
	if (!status && !vlab_run_json(o)) {
		if (o->trace)
			printf("# %lu bytes read through driver/vlab_rng.c:\n",
			       o->bytes);
		vlab_run_hex(buf, o->bytes);
	}
	vlab_result_begin(&r, status);
	if (!status) {
		vlab_result_u64(&r, "bytes_read", o->bytes);
		vlab_result_hex(&r, "bytes", buf, o->bytes);
	}
	vlab_result_end(&r);
	free(buf);
	return status;
}

/**
 * blk_program() - the guest program of `vlab run blk`, the shared
 * scenario's transfer (tests/scenarios/blk.c) on the simulator.
 * @param arg struct scenario_blk_transfer.
 * @return 0 or a negative errno.
 */
static int blk_program(void *arg)
{
	return scenario_blk_transfer(&vlab_prog_sys, arg);
}

/**
 * read_host_file() - a whole (small) host file.
 * @param path the file.
 * @param max most bytes accepted.
 * @param len receives its length.
 * @return the bytes (malloc'd), or NULL after a one-line error.
 */
static uint8_t *read_host_file(const char *path, size_t max, size_t *len)
{
	uint8_t *buf = malloc(max + 1);
	size_t n = 0;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf) {
		fprintf(stderr, "vlab: cannot read %s: %s\n", path,
			strerror(buf ? errno : ENOMEM));
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while (n <= max && (r = read(fd, buf + n, max + 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	if (n > max) {
		fprintf(stderr, "vlab: %s is larger than the %zu bytes the disk holds from there\n",
			path, max);
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/**
 * run_blk() - the blk scenario.
 * @param o the options.
 * @return the exit status (2 for a disk or file that cannot be used).
 */
static int run_blk(const struct options *o)
{
	struct vlab_blk_opts bo = {
		.path = o->disk, .ro = o->ro, .blk_size = o->blk_size,
		.seg_max = o->seg_max, .size_max = o->size_max,
		.flush = !o->no_flush, .serial = "vlab-blk0",
	};
	struct vlab_run r = { .o = o, .module = "vlab_blk" };
	struct scenario_blk_transfer p = {
		.path = SCENARIO_BLK_NODE, .ro = o->ro,
	};
	uint8_t *data = NULL, *back = NULL;
	bool identical, ran;
	static struct vlab_blk_dev b;
	size_t file_len = 0, room;
	char err_text[256], what[160];
	uint32_t bs = o->blk_size ? o->blk_size : VLAB_BLK_SECTOR;
	int status = 1;

	if (vlab_blk_init(&b, &bo, err_text, sizeof(err_text))) {
		fprintf(stderr, "vlab: %s\n", err_text);
		return 2;
	}
	p.pos = (int64_t)(o->sector * VLAB_BLK_SECTOR);
	if (o->sector >= b.capacity || p.pos % bs) {
		fprintf(stderr, "vlab: --sector %llu is %s\n",
			(unsigned long long)o->sector,
			o->sector >= b.capacity ? "past the end of the disk" :
			"not on a block boundary");
		vlab_blk_fini(&b);
		return 2;
	}
	room = (size_t)((b.capacity - o->sector) * VLAB_BLK_SECTOR);
	if (o->write_file) {
		data = read_host_file(o->write_file, room, &file_len);
		if (!data) {
			vlab_blk_fini(&b);
			return 2;
		}
	} else {
		data = malloc(bs);
		if (data) {
			memset(data, 0, bs);
			file_len = (size_t)snprintf((char *)data, bs,
				"virtio-lab: sector %llu, written by a guest program through /dev/vlab-blk0\n",
				(unsigned long long)o->sector);
		}
	}
	/* whole blocks: pad with zeros */
	p.len = (file_len + bs - 1) / bs * bs;
	if (!p.len)
		p.len = bs;
	if (data) {
		uint8_t *whole = realloc(data, p.len);

		if (!whole)
			free(data);
		data = whole;
	}
	back = calloc(1, p.len);
	if (!data || !back || p.len > room) {
		fprintf(stderr, "vlab: %s\n", p.len > room ?
			"the data does not fit between --sector and the end of the disk" :
			"out of memory");
		goto out;
	}
	memset(data + file_len, 0, p.len - file_len);
	p.data = data;
	p.back = back;

	if (vlab_run_start(&r, &b.model, &b, "blk0"))
		goto out;
	if (o->ro)
		snprintf(what, sizeof(what),
			 "a guest program reads sector %llu of /dev/vlab-blk0, then tries to write it",
			 (unsigned long long)o->sector);
	else
		snprintf(what, sizeof(what),
			 "a guest program writes %zu bytes at sector %llu of /dev/vlab-blk0, reads them back, fsyncs",
			 p.len, (unsigned long long)o->sector);
	status = vlab_run_program(&r, what, "the /dev/vlab-blk0 program",
			     blk_program, &p);
out:
	status = vlab_run_stop(&r, status);
	/* the verdict first: a write that was not refused, bytes that differ */
	ran = !status;
	if (ran && o->ro && p.write_ret != -EROFS)
		status = 1;
	identical = ran && !o->ro && !memcmp(data, back, p.len);
	if (ran && !o->ro && !identical) {
		fprintf(stderr, "vlab: the bytes read back differ from those written\n");
		status = 1;
	}
	if (ran && o->ro && !vlab_run_json(o)) {
		printf("# sector %llu as read through driver/vlab_blk.c:\n",
		       (unsigned long long)o->sector);
		vlab_run_hex(back, p.len < 64 ? p.len : 64);
		printf("# the write was %s: %s\n",
		       p.write_ret == -EROFS ? "refused" : "NOT refused",
		       p.write_ret < 0 ? strerror((int)-p.write_ret) :
		       "it returned a byte count");
	} else if (ran && !vlab_run_json(o)) {
		printf("# %zu bytes written at byte %lld of %s, read back %s, fsync %s\n",
		       p.len, (long long)p.pos,
		       o->disk ? o->disk : "the memory disk",
		       identical ? "identical" : "DIFFERENT",
		       o->no_flush ? "had nothing to flush (no VIRTIO_BLK_F_FLUSH)" :
		       "sent VIRTIO_BLK_T_FLUSH");
		if (o->write_file && o->disk)
			printf("# check on the host: cmp -n %zu %s %s 0 %lld\n",
			       file_len, o->write_file, o->disk,
			       (long long)p.pos);
		else
			vlab_run_hex(back, p.len < 128 ? p.len : 128);
	}
	if (!status && !vlab_run_json(o))
		printf("# device: %lu reads, %lu writes, %lu flushes, %lu get-id, %lu IOERR, %lu UNSUPP; at most %lu data buffers in one request\n",
		       b.stats.reads, b.stats.writes, b.stats.flushes,
		       b.stats.get_ids, b.stats.ioerr, b.stats.unsupp,
		       b.stats.max_data_segs);
	vlab_result_begin(&r, status);
	vlab_result_str(&r, "disk", o->disk ? o->disk : "memory");
	vlab_result_u64(&r, "offset", (uint64_t)p.pos);
	vlab_result_u64(&r, "bytes", p.len);
	if (o->ro)
		vlab_result_str(&r, "write", p.write_ret == -EROFS ?
				"refused" : "not refused");
	else
		vlab_result_str(&r, "read_back", identical ? "identical" :
				"different");
	if (!o->ro)
		vlab_result_str(&r, "fsync", o->no_flush ? "nothing to flush" :
				"VIRTIO_BLK_T_FLUSH sent");
	vlab_result_u64(&r, "reads", b.stats.reads);
	vlab_result_u64(&r, "writes", b.stats.writes);
	vlab_result_u64(&r, "flushes", b.stats.flushes);
	vlab_result_u64(&r, "get_ids", b.stats.get_ids);
	vlab_result_u64(&r, "ioerr", b.stats.ioerr);
	vlab_result_u64(&r, "unsupp", b.stats.unsupp);
	vlab_result_u64(&r, "max_data_buffers", b.stats.max_data_segs);
	vlab_result_end(&r);
	free(data);
	free(back);
	vlab_blk_fini(&b);
	return status;
}

/**
 * console_program() - the guest program of `vlab run console`, the
 * shared scenario's echo (tests/scenarios/console.c) on the simulator.
 * @param arg struct scenario_console_echo.
 * @return 0 or a negative errno.
 */
static int console_program(void *arg)
{
	return scenario_console_echo(&vlab_prog_sys, arg);
}

/**
 * console_input() - the lines the host sends: --line options, else
 * standard input when it is not a terminal, else two examples.
 * @param o the options.
 * @param lines receives how many.
 * @return the text, one '\n' after each line (malloc'd), or NULL after
 * a one-line error.
 */
static char *console_input(const struct options *o, unsigned int *lines)
{
	static char typed[MAX_LINES][MAX_LINE_BYTES + 2];
	static const char *const example[] = { "hello, virtio", "bye" };
	const char *from[MAX_LINES];
	unsigned int i, n = 0;
	size_t len = 0, at = 0;
	char *text;

	/* vlab step reads its commands from standard input */
	if (!o->nlines && !o->step && !isatty(STDIN_FILENO)) {
		while (fgets(typed[n % MAX_LINES], sizeof(typed[0]), stdin)) {
			if (n == MAX_LINES) {
				fprintf(stderr, "vlab: more than %d input lines\n",
					MAX_LINES);
				return NULL;
			}
			len = strcspn(typed[n], "\n");
			if (!typed[n][len] && !feof(stdin)) {
				fprintf(stderr, "vlab: an input line is longer than %d bytes\n",
					MAX_LINE_BYTES);
				return NULL;
			}
			typed[n][len] = '\0';
			from[n] = typed[n];
			n++;
		}
	}
	for (i = 0; !n && i < o->nlines; i++)
		from[i] = o->lines[i];
	if (!n)
		n = o->nlines;
	for (i = 0; !n && i < 2; i++)
		from[i] = example[i];
	if (!n)
		n = 2;

	for (i = 0, len = 1; i < n; i++)
		len += strlen(from[i]) + 1;
	text = malloc(len);
	if (!text) {
		fprintf(stderr, "vlab: out of memory\n");
		return NULL;
	}
	for (i = 0; i < n; i++)
		at += (size_t)sprintf(text + at, "%s\n", from[i]);
	*lines = n;
	return text;
}

/**
 * run_console() - the console scenario.
 * @param o the options.
 * @return the exit status.
 */
static int run_console(const struct options *o)
{
	struct vlab_console_opts co = {
		.size = o->cols > 0, .cols = o->cols, .rows = o->rows,
		.loopback = o->loopback,
	};
	struct vlab_run r = { .o = o, .module = "vlab_console" };
	struct scenario_console_echo p = {
		.path = SCENARIO_CONSOLE_NODE, .loopback = o->loopback,
	};
	static struct vlab_console_dev c;
	char what[128], *out = NULL;
	size_t out_len;
	int status = 1;

	p.input = console_input(o, &p.lines);
	if (!p.input)
		return 2;
	if (vlab_console_init(&c, &co)) {
		fprintf(stderr, "vlab: out of memory\n");
		free((char *)p.input);
		return 1;
	}
	/* the host's lines wait in the device until the driver posts buffers */
	if (!o->loopback &&
	    vlab_console_host_write(NULL, &c, p.input, strlen(p.input))) {
		fprintf(stderr, "vlab: out of memory\n");
		goto out;
	}
	if (vlab_run_start(&r, &c.model, &c, "console0"))
		goto out;
	snprintf(what, sizeof(what), o->loopback ?
		 "a guest program writes %u lines to /dev/vlab-console0 and reads each back" :
		 "the host sends %u lines; a guest program reads each from /dev/vlab-console0 and writes it back",
		 p.lines);
	status = vlab_run_program(&r, what, "the /dev/vlab-console0 program",
			     console_program, &p);
	/* every transmit buffer consumed before the host's side is read */
	if (!status)
		vlab_device_wait_idle(r.dev);
out:
	status = vlab_run_stop(&r, status);
	out_len = vlab_console_output(&c, what, 0);
	out = malloc(out_len + 1);
	if (out) {
		vlab_console_output(&c, out, out_len);
		out[out_len] = '\0';
	}
	if (!status && out && !vlab_run_json(o)) {
		if (o->loopback)
			printf("# %u lines went out on transmitq0 and came back on receiveq0:\n%s",
			       p.done, out);
		else
			printf("# the host sent:\n%s# the host received:\n%s",
			       p.input, out);
	}
	vlab_result_begin(&r, status);
	vlab_result_str(&r, "mode", o->loopback ? "loopback" : "echo");
	vlab_result_u64(&r, "lines", p.done);
	vlab_result_str(&r, "sent", p.input);
	vlab_result_str(&r, "received", out);
	vlab_result_end(&r);
	free(out);
	free((char *)p.input);
	vlab_console_fini(&c);
	return status;
}

/**
 * stream_program() - the guest program of `vlab run stream`, the shared
 * scenario's packet stream (tests/scenarios/stream.c).
 * @param arg the packet count (unsigned int *).
 * @return 0 or a negative errno.
 */
static int stream_program(void *arg)
{
	return scenario_stream(&vlab_prog_sys, SCENARIO_STREAM_NODE,
			       *(unsigned int *)arg);
}

/**
 * run_stream() - the streaming scenario: many small buffers through a
 * transmit-shaped driver, so that notification suppression shows in the
 * counts (kicks and interrupts per buffer).
 * @param o the options.
 * @return the exit status.
 */
static int run_stream(const struct options *o)
{
	struct vlab_run r = { .o = o, .module = "vlab_stream" };
	static struct vlab_loopback lb;
	unsigned int packets = o->buffers;
	unsigned long chains = 0, kicks = 0, irqs = 0;
	char what[160];
	int status = 1;

	if (vlab_run_start(&r, &vlab_loopback_model, &lb, "loop0"))
		goto out;
	snprintf(what, sizeof(what),
		 "a guest program writes %u packets of %d bytes to %s",
		 packets, SCENARIO_STREAM_PKT, SCENARIO_STREAM_NODE);
	status = vlab_run_program(&r, what, "the stream program",
				  stream_program, &packets);
	if (!status) {
		/* every packet reached the device before the counts are read */
		vlab_device_wait_idle(r.dev);
		chains = __atomic_load_n(&r.dev->vqs[0].stats.chains,
					 __ATOMIC_RELAXED);
		kicks = __atomic_load_n(&r.dev->vqs[0].stats.notifies,
					__ATOMIC_RELAXED);
		irqs = __atomic_load_n(&r.dev->vqs[0].stats.irqs,
				       __ATOMIC_RELAXED);
		if (chains != packets) {
			fprintf(stderr, "vlab: the device saw %lu of %u packets\n",
				chains, packets);
			status = 1;
		}
	}
out:
	status = vlab_run_stop(&r, status);
	if (!status && !vlab_run_json(o))
		printf("# %u packets through driver/vlab_stream.c: %lu kicks (%.4f per buffer), %lu interrupts (%.4f per buffer); event idx %s\n",
		       packets, kicks, (double)kicks / packets, irqs,
		       (double)irqs / packets, o->no_event_idx ? "off" : "on");
	vlab_result_begin(&r, status);
	vlab_result_u64(&r, "buffers", packets);
	vlab_result_u64(&r, "device_buffers", chains);
	vlab_result_u64(&r, "kicks", kicks);
	vlab_result_u64(&r, "interrupts", irqs);
	vlab_result_str(&r, "event_idx", o->no_event_idx ? "off" : "on");
	vlab_result_end(&r);
	return status;
}

/**
 * main() - entry point.
 * @param argc argument count.
 * @param argv arguments.
 * @return the exit status.
 */
int main(int argc, char **argv)
{
	struct options o;

	struct stat sb;

	vlab_thread_set_name("guest");
	vlab_options_parse(argc, argv, &o);
	if (o.diff_a)
		return vlab_trace_diff(o.diff_a, o.diff_b, stdout);
	if (o.events) {
		vlab_events_reference(stdout);
		return 0;
	}
	if (o.serve)
		return vlab_serve(&o);
	/* "out/" and "out" name one directory: file names get one slash */
	while (o.dot_dir && strlen(o.dot_dir) > 1 &&
	       o.dot_dir[strlen(o.dot_dir) - 1] == '/')
		o.dot_dir[strlen(o.dot_dir) - 1] = '\0';
	if (o.dot_dir && mkdir(o.dot_dir, 0777) && errno != EEXIST) {
		fprintf(stderr, "vlab: cannot create --dot directory %s: %s\n",
			o.dot_dir, strerror(errno));
		return 2;
	}
	if (o.dot_dir && (stat(o.dot_dir, &sb) || !S_ISDIR(sb.st_mode))) {
		fprintf(stderr, "vlab: --dot %s is not a directory\n",
			o.dot_dir);
		return 2;
	}
	if (!strcmp(o.device, "blk"))
		return run_blk(&o);
	if (!strcmp(o.device, "console"))
		return run_console(&o);
	if (!strcmp(o.device, "stream"))
		return run_stream(&o);
	return run_rng(&o);
}
