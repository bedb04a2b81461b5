// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Golden traces: scenarios run in the lockstep schedule with fixed
 * seeds must print, event for event, the trace checked in under
 * tests/golden/.
 *
 * A golden trace pins down the whole conversation between driver and
 * device: every register access, descriptor, index, notification,
 * interrupt, sleep and wake-up, in order, with the thread that made it.
 * Traces are compared in canonical form (tools/vlab/canon.h): addresses
 * are named by the allocation or ring area they belong to, so a driver
 * that allocates elsewhere, or in another order, still matches.
 * Any change to that conversation shows up here as the first line that
 * differs. After an intended change, regenerate the files with
 * `make golden` and review the diff like any other change.
 *
 * Kernel code, like tests/test_ring.c: a small driver for the loopback
 * test device lives here, next to the rng driver of driver/.
 */
#include <linux/completion.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/blk.h"
#include "sim/console.h"
#include "sim/device.h"
#include "sim/loopback.h"
#include "tests/scenarios/program.h"
#include "sim/sched.h"
#include "sim/trace.h"
#include "tools/vlab/canon.h"
#include "tools/vlab/sinks.h"
#include "tests/harness.h"
#include "virtio/shared/boundary.h"

/** Where the golden files live, from the top of the tree. */
#define GOLDEN_DIR "tests/golden"
/** Requests the loopback scenario sends. */
#define LB_REQUESTS 3

/** The loopback driver's state. */
static struct {
	struct virtqueue *vq;	/**< its one queue */
	spinlock_t lock;	/**< add (test thread) vs get_buf (callback) */
	struct completion done;	/**< one complete() per buffer back */
} gl;

/** What the loopback device saw. */
static struct vlab_loopback lb;

/**
 * gl_done() - the callback: take every used buffer back, wake the test.
 * @param vq the queue.
 */
static void gl_done(struct virtqueue *vq)
{
	unsigned long flags;
	unsigned int len;

	spin_lock_irqsave(&gl.lock, flags);
	while (virtqueue_get_buf(vq, &len))
		complete(&gl.done);
	spin_unlock_irqrestore(&gl.lock, flags);
}

/**
 * gl_probe() - one queue, then DRIVER_OK.
 * @param vdev the device.
 * @return 0 or a negative errno.
 */
static int gl_probe(struct virtio_device *vdev)
{
	gl.vq = virtio_find_single_vq(vdev, gl_done, "golden");
	if (IS_ERR(gl.vq))
		return PTR_ERR(gl.vq);
	spin_lock_init(&gl.lock);
	init_completion(&gl.done);
	virtio_device_ready(vdev);
	return 0;
}

/**
 * gl_remove() - reset, reclaim, delete the queue.
 * @param vdev the device.
 */
static void gl_remove(struct virtio_device *vdev)
{
	virtio_reset_device(vdev);
	while (virtqueue_detach_unused_buf(gl.vq))
		;
	vdev->config->del_vqs(vdev);
}

/** The one-queue loopback device only. */
static const struct virtio_device_id gl_ids[] = {
	{ VLAB_ID_LOOPBACK, VIRTIO_DEV_ANY_ID },
	{ 0 },
};

/** The in-test driver. */
static struct virtio_driver gl_driver = {
	.driver.name = KBUILD_MODNAME,
	.id_table = gl_ids,
	.probe = gl_probe,
	.remove = gl_remove,
};

module_virtio_driver(gl_driver);

/** The trace of the scenario being run, as canonical text. */
static struct {
	char *text;		/**< open_memstream() buffer */
	size_t size;		/**< its length */
	FILE *out;		/**< the stream the sink writes */
	struct vlab_canon_out canon; /**< the sink's names */
} trace;

/** Raw text instead of canonical, for the test that compares the two. */
static bool raw_trace;

/**
 * start() - lockstep with @p seed, ring layout @p packed, text trace on.
 * @param seed the interleaving.
 * @param packed the ring layout.
 */
static void start(uint64_t seed, bool packed)
{
	static struct harness_cfg cfg;

	cfg = (struct harness_cfg){ .name = "golden", .packed = packed,
				    .indirect = true, .event_idx = true };
	harness_set_cfg(&cfg);
	trace.out = open_memstream(&trace.text, &trace.size);
	CU_ASSERT_PTR_NOT_NULL_FATAL(trace.out);
	CU_ASSERT_EQUAL_FATAL(vlab_sched_lockstep(seed), 0);
	vlab_canon_reset(&trace.canon.names);
	trace.canon.out = trace.out;
	if (raw_trace)
		vlab_trace_set_sink(vlab_trace_text_sink, trace.out);
	else
		vlab_trace_set_sink(vlab_trace_canon_sink, &trace.canon);
}

/**
 * finish() - stop the machine and the schedule; the trace is complete.
 */
static void finish(void)
{
	harness_shutdown();
	vlab_trace_set_sink(NULL, NULL);
	vlab_sched_free();
	fclose(trace.out);
}

/**
 * first_difference() - the first line where two texts differ.
 * @param want the expected text.
 * @param got the actual text.
 * @param line receives that line's number, from 1.
 * @return true when they differ.
 */
static bool first_difference(const char *want, const char *got,
			     unsigned int *line)
{
	const char *w = want, *g = got;

	*line = 1;
	while (*w && *w == *g) {
		if (*w == '\n')
			(*line)++;
		w++;
		g++;
	}
	return *w != *g;
}

/**
 * show_line() - print line @p n of @p text, for a failure report.
 * @param tag "want" or "got".
 * @param text the text.
 * @param n line number, from 1.
 */
static void show_line(const char *tag, const char *text, unsigned int n)
{
	const char *end;

	while (--n && (text = strchr(text, '\n')))
		text++;
	if (!text || !*text) {
		printf("    %s: (end of trace)\n", tag);
		return;
	}
	end = strchr(text, '\n');
	printf("    %s: %.*s\n", tag, end ? (int)(end - text) : (int)strlen(text),
	       text);
}

/**
 * read_file() - a whole file as a string.
 * @param path the file.
 * @return the text (free it), or NULL.
 */
static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t size = 0;
	FILE *m;
	int c;

	if (!f)
		return NULL;
	m = open_memstream(&text, &size);
	if (m) {
		while ((c = fgetc(f)) != EOF)
			fputc(c, m);
		fclose(m);
	}
	fclose(f);
	return text;
}

/**
 * check_golden() - compare the trace with tests/golden/@p name, or write
 * it there when VLAB_GOLDEN_UPDATE is set (make golden).
 * @param name the file name.
 */
static void check_golden(const char *name)
{
	char path[256], *want;
	unsigned int line;
	FILE *f;

	snprintf(path, sizeof(path), GOLDEN_DIR "/%s", name);
	CU_ASSERT_FATAL(trace.size > 0);
	if (getenv("VLAB_GOLDEN_UPDATE")) {
		f = fopen(path, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fputs(trace.text, f);
		CU_ASSERT_EQUAL(fclose(f), 0);
		printf("(wrote %s) ", path);
		free(trace.text);
		return;
	}
	want = read_file(path);
	if (!want)
		printf("\n    %s is missing: run make golden\n", path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	if (first_difference(want, trace.text, &line)) {
		printf("\n    %s differs first at line %u:\n", path, line);
		show_line("want", want, line);
		show_line("got ", trace.text, line);
		CU_FAIL("trace differs from its golden file");
	}
	free(want);
	free(trace.text);
}

/**
 * rng_run_shifted() - insmod vlab_rng, read 100 bytes, rmmod; the trace
 * is left in @c trace.text. With @p pad, a block of that many bytes is
 * allocated first, so the driver's memory lands elsewhere: what a driver
 * that allocates differently does.
 * @param seed the interleaving (and the device's bytes).
 * @param packed the ring layout.
 * @param pad bytes to allocate before the driver loads, or 0.
 */
static void rng_run_shifted(uint64_t seed, bool packed, size_t pad)
{
	uint8_t buf[100];
	void *padding = NULL;

	start(seed, packed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(harness_boot_rng(seed, false));
	if (pad)
		padding = kmalloc(pad, GFP_KERNEL);
	CU_ASSERT_EQUAL(guest_module_load("vlab_rng"), 0);
	/* no watchdog: lockstep reports a stuck run as a deadlock itself */
	CU_ASSERT_EQUAL(vlab_prog_read_device(SCENARIO_RNG_NODE, buf,
					      sizeof(buf), 0), 0);
	guest_module_unload("vlab_rng");
	kfree(padding);
	finish();
}

/**
 * rng_run() - rng_run_shifted() without the shift.
 * @param seed the interleaving (and the device's bytes).
 * @param packed the ring layout.
 */
static void rng_run(uint64_t seed, bool packed)
{
	rng_run_shifted(seed, packed, 0);
}

/**
 * rng_scenario() - the rng run, compared with its golden file.
 * @param seed the interleaving (and the device's bytes).
 * @param packed the ring layout.
 * @param name golden file.
 */
static void rng_scenario(uint64_t seed, bool packed, const char *name)
{
	rng_run(seed, packed);
	check_golden(name);
}

/**
 * loopback_scenario() - three requests of 8 readable + 8 writable bytes,
 * each kicked as it is added, so the device works while the driver adds.
 * @param seed the interleaving.
 * @param packed the ring layout.
 * @param name golden file.
 */
static void loopback_scenario(uint64_t seed, bool packed, const char *name)
{
	struct scatterlist out, in, *sgs[2] = { &out, &in };
	unsigned long flags;
	unsigned int i;
	char *buf;

	start(seed, packed);
	memset(&lb, 0, sizeof(lb));
	CU_ASSERT_PTR_NOT_NULL_FATAL(harness_boot(&vlab_loopback_model, &lb,
						  "loop0"));
	CU_ASSERT_EQUAL_FATAL(guest_module_load(KBUILD_MODNAME), 0);
	buf = kzalloc(LB_REQUESTS * 16, GFP_KERNEL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	for (i = 0; i < LB_REQUESTS; i++) {
		memset(buf + i * 16, 'a' + i, 8);
		sg_init_one(&out, buf + i * 16, 8);
		sg_init_one(&in, buf + i * 16 + 8, 8);
		spin_lock_irqsave(&gl.lock, flags);
		CU_ASSERT_EQUAL(virtqueue_add_sgs(gl.vq, sgs, 1, 1,
						  buf + i * 16, GFP_ATOMIC), 0);
		spin_unlock_irqrestore(&gl.lock, flags);
		virtqueue_kick(gl.vq);
	}
	for (i = 0; i < LB_REQUESTS; i++)
		wait_for_completion(&gl.done);
	/* the device echoed each request's readable bytes */
	for (i = 0; i < LB_REQUESTS; i++)
		CU_ASSERT_EQUAL(memcmp(buf + i * 16, buf + i * 16 + 8, 8), 0);
	kfree(buf);
	guest_module_unload(KBUILD_MODNAME);
	finish();
	check_golden(name);
}

/**
 * blk_scenario() - insmod vlab_blk, write a sector, read it back, fsync
 * (the program of `vlab run blk`), rmmod; compared with its golden file.
 * @param seed the interleaving.
 * @param packed the ring layout.
 * @param name the golden file.
 */
static void blk_scenario(uint64_t seed, bool packed, const char *name)
{
	static struct vlab_blk_dev b;
	struct vlab_blk_opts o = { .flush = true, .serial = "golden" };
	uint8_t data[512], back[512];
	struct scenario_blk_transfer t = {
		.path = SCENARIO_BLK_NODE, .data = data, .len = sizeof(data),
		.pos = 512, .back = back,
	};
	char err[128];

	memset(data, 'g', sizeof(data));
	CU_ASSERT_EQUAL_FATAL(vlab_blk_init(&b, &o, err, sizeof(err)), 0);
	start(seed, packed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(harness_boot(&b.model, &b, "blk0"));
	CU_ASSERT_EQUAL(guest_module_load("vlab_blk"), 0);
	CU_ASSERT_EQUAL(scenario_blk_transfer(&vlab_prog_sys, &t), 0);
	CU_ASSERT_EQUAL(memcmp(data, back, sizeof(data)), 0);
	guest_module_unload("vlab_blk");
	finish();
	vlab_blk_fini(&b);
	check_golden(name);
}

/**
 * console_scenario() - the host sends two lines, the guest echoes them
 * (the program of `vlab run console`); compared with its golden file.
 * @param seed the interleaving.
 * @param packed the ring layout.
 * @param name the golden file.
 */
static void console_scenario(uint64_t seed, bool packed, const char *name)
{
	static const char input[] = "hello\nworld\n";
	static struct vlab_console_dev c;
	struct vlab_console_opts o = { 0 };
	struct scenario_console_echo e = {
		.path = SCENARIO_CONSOLE_NODE, .input = input, .lines = 2,
	};
	struct vlab_device *dev;
	char out[64];
	size_t n;

	CU_ASSERT_EQUAL_FATAL(vlab_console_init(&c, &o), 0);
	CU_ASSERT_EQUAL_FATAL(vlab_console_host_write(NULL, &c, input,
						      strlen(input)), 0);
	start(seed, packed);
	dev = harness_boot(&c.model, &c, "console0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	CU_ASSERT_EQUAL(guest_module_load("vlab_console"), 0);
	CU_ASSERT_EQUAL(scenario_console_echo(&vlab_prog_sys, &e), 0);
	vlab_device_wait_idle(dev);
	guest_module_unload("vlab_console");
	finish();
	n = vlab_console_output(&c, out, sizeof(out) - 1);
	out[n < sizeof(out) ? n : sizeof(out) - 1] = '\0';
	CU_ASSERT_STRING_EQUAL(out, "echo: hello\necho: world\n");
	vlab_console_fini(&c);
	check_golden(name);
}

/** blk, split ring, seed 1. */
static void test_blk_split_1(void)
{
	blk_scenario(1, false, "blk-split-seed1.txt");
}

/** blk, packed ring, seed 1. */
static void test_blk_packed_1(void)
{
	blk_scenario(1, true, "blk-packed-seed1.txt");
}

/** console, split ring, seed 1. */
static void test_console_split_1(void)
{
	console_scenario(1, false, "console-split-seed1.txt");
}

/** console, packed ring, seed 1. */
static void test_console_packed_1(void)
{
	console_scenario(1, true, "console-packed-seed1.txt");
}

/**
 * Canonical traces name addresses by allocation: a driver whose memory
 * lands elsewhere gives another raw trace but the same canonical one.
 */
static void test_canonical_ignores_addresses(void)
{
	char *raw[2], *canon[2];
	unsigned int line;
	int i;

	for (i = 0; i < 2; i++) {
		raw_trace = true;
		rng_run_shifted(5, false, i ? 4096 : 0);
		raw[i] = trace.text;
		raw_trace = false;
		rng_run_shifted(5, false, i ? 4096 : 0);
		canon[i] = trace.text;
	}
	CU_ASSERT_TRUE(first_difference(raw[0], raw[1], &line));
	CU_ASSERT_FALSE(first_difference(canon[0], canon[1], &line));
	CU_ASSERT_PTR_NOT_NULL(strstr(canon[0], "addr buf0"));
	for (i = 0; i < 2; i++) {
		free(raw[i]);
		free(canon[i]);
	}
}

/** rng, split ring, seed 1. */
static void test_rng_split_1(void)
{
	rng_scenario(1, false, "rng-split-seed1.txt");
}

/** rng, split ring, seed 3: another interleaving of the same run. */
static void test_rng_split_3(void)
{
	rng_scenario(3, false, "rng-split-seed3.txt");
}

/** rng, packed ring, seed 1. */
static void test_rng_packed_1(void)
{
	rng_scenario(1, true, "rng-packed-seed1.txt");
}

/** Loopback, split ring, seed 1. */
static void test_loopback_split_1(void)
{
	loopback_scenario(1, false, "loopback-split-seed1.txt");
}

/** Loopback, packed ring, seed 2. */
static void test_loopback_packed_2(void)
{
	loopback_scenario(2, true, "loopback-packed-seed2.txt");
}

/**
 * Lockstep is deterministic: the same seed twice gives the same trace;
 * seeds 1 and 3 give two interleavings of the same run.
 */
static void test_same_seed_same_trace(void)
{
	char *first, *second, *other;
	unsigned int line;

	rng_run(5, false);
	first = trace.text;
	rng_run(5, false);
	second = trace.text;
	rng_run(3, false);
	other = trace.text;
	CU_ASSERT_FALSE(first_difference(first, second, &line));
	CU_ASSERT_TRUE(first_difference(first, other, &line));
	free(first);
	free(second);
	free(other);
}

/**
 * The comparison itself can fail: a golden trace with one event dropped,
 * two events swapped, or one changed, is reported as different.
 */
static void test_comparison_catches_drop_and_swap(void)
{
	static const char want[] = "1 add\n2 publish\n3 kick\n4 notify\n";
	static const char dropped[] = "1 add\n2 publish\n4 notify\n";
	static const char swapped[] = "1 add\n3 kick\n2 publish\n4 notify\n";
	static const char shorter[] = "1 add\n2 publish\n3 kick\n";
	static const char changed[] =
		"1 add\n2 publish\n3 kick-suppressed\n4 notify\n";
	unsigned int line;

	CU_ASSERT_FALSE(first_difference(want, want, &line));
	CU_ASSERT_TRUE(first_difference(want, dropped, &line));
	CU_ASSERT_EQUAL(line, 3);
	CU_ASSERT_TRUE(first_difference(want, swapped, &line));
	CU_ASSERT_EQUAL(line, 2);
	CU_ASSERT_TRUE(first_difference(want, shorter, &line));
	CU_ASSERT_EQUAL(line, 4);
	CU_ASSERT_TRUE(first_difference(want, changed, &line));
	CU_ASSERT_EQUAL(line, 3);
}

/**
 * main() - the golden suite.
 * @return 0 when every trace matched.
 */
int main(void)
{
	static CU_TestInfo tests[] = {
		{ "rng, split, seed 1", test_rng_split_1 },
		{ "rng, split, seed 3", test_rng_split_3 },
		{ "rng, packed, seed 1", test_rng_packed_1 },
		{ "loopback, split, seed 1", test_loopback_split_1 },
		{ "loopback, packed, seed 2", test_loopback_packed_2 },
		{ "blk, split, seed 1", test_blk_split_1 },
		{ "blk, packed, seed 1", test_blk_packed_1 },
		{ "console, split, seed 1", test_console_split_1 },
		{ "console, packed, seed 1", test_console_packed_1 },
		{ "canonical traces ignore where memory lands",
		  test_canonical_ignores_addresses },
		{ "same seed, same trace", test_same_seed_same_trace },
		{ "a dropped or swapped event is a difference",
		  test_comparison_catches_drop_and_swap },
		CU_TEST_INFO_NULL,
	};

	return harness_run_suite("golden traces (lockstep)", tests);
}
