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

#include "sim/loopback.h"
#include "tests/scenarios/program.h"
#include "sim/sched.h"
#include "sim/trace.h"
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

/** The trace of the scenario being run, as text. */
static struct {
	char *text;		/**< open_memstream() buffer */
	size_t size;		/**< its length */
	FILE *out;		/**< the stream the sink writes */
} trace;

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
	vlab_trace_set_sink(vlab_trace_text_sink, trace.out);
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
 * rng_run() - insmod vlab_rng, read 100 bytes, rmmod; the trace is left
 * in @c trace.text.
 * @param seed the interleaving (and the device's bytes).
 * @param packed the ring layout.
 */
static void rng_run(uint64_t seed, bool packed)
{
	uint8_t buf[100];

	start(seed, packed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(harness_boot_rng(seed, false));
	CU_ASSERT_EQUAL(guest_module_load("vlab_rng"), 0);
	/* no watchdog: lockstep reports a stuck run as a deadlock itself */
	CU_ASSERT_EQUAL(vlab_prog_read_device(SCENARIO_RNG_NODE, buf,
					      sizeof(buf), 0), 0);
	guest_module_unload("vlab_rng");
	finish();
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
 * or two events swapped, is reported as different.
 */
static void test_comparison_catches_drop_and_swap(void)
{
	static const char want[] = "1 add\n2 publish\n3 kick\n4 notify\n";
	static const char dropped[] = "1 add\n2 publish\n4 notify\n";
	static const char swapped[] = "1 add\n3 kick\n2 publish\n4 notify\n";
	static const char shorter[] = "1 add\n2 publish\n3 kick\n";
	unsigned int line;

	CU_ASSERT_FALSE(first_difference(want, want, &line));
	CU_ASSERT_TRUE(first_difference(want, dropped, &line));
	CU_ASSERT_EQUAL(line, 3);
	CU_ASSERT_TRUE(first_difference(want, swapped, &line));
	CU_ASSERT_EQUAL(line, 2);
	CU_ASSERT_TRUE(first_difference(want, shorter, &line));
	CU_ASSERT_EQUAL(line, 4);
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
		{ "same seed, same trace", test_same_seed_same_trace },
		{ "a dropped or swapped event is a difference",
		  test_comparison_catches_drop_and_swap },
		CU_TEST_INFO_NULL,
	};

	return harness_run_suite("golden traces (lockstep)", tests);
}
