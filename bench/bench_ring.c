// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief make bench: stream buffers through one virtqueue in the free
 * schedule and print buffers per second, kicks per buffer and interrupts
 * per buffer for every ring configuration (median of 5 runs, with min and
 * max). A benchmark prints figures; it never passes or fails on a time.
 *
 * The driver here is shaped like virtio-net's transmit path: it adds one
 * request (16 readable + 16 writable bytes) and kicks each time, takes
 * used buffers back itself before adding, and only when the ring is full
 * does it ask for an interrupt, with virtqueue_enable_cb_delayed(); the
 * callback turns callbacks off again and wakes it. That is where
 * notification suppression pays: without EVENT_IDX every add that finds
 * the device not yet busy kicks, and the interrupt comes at the first
 * used buffer; with it, one kick per device wake-up, and the interrupt
 * waits until three quarters of the ring is used.
 */
#include <linux/completion.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/loopback.h"
#include "sim/session.h"
#include "virtio/shared/boundary.h"

/** Buffers per run. */
#define BUFFERS 100000
/** Runs per configuration. */
#define RUNS 5

/** The queue and what the callback has taken back. */
static struct virtqueue *bvq;
/** Serialises add (main thread) and get_buf (callback). */
static spinlock_t block;
/** Buffers taken back (by the producer thread only). */
static unsigned long bdone;
/** Signalled by the callback when the producer waits for used buffers. */
static struct completion room;

/**
 * bench_done() - the device used buffers while we waited: stop further
 * callbacks and wake the producer, which takes the buffers back itself.
 * @param vq the queue.
 */
static void bench_done(struct virtqueue *vq)
{
	unsigned long flags;

	spin_lock_irqsave(&block, flags);
	virtqueue_disable_cb(vq);
	spin_unlock_irqrestore(&block, flags);
	complete(&room);
}

/**
 * reclaim() - take back every used buffer (the producer's side).
 * @return how many.
 */
static unsigned long reclaim(void)
{
	unsigned long flags, n = 0;
	unsigned int len;

	spin_lock_irqsave(&block, flags);
	while (virtqueue_get_buf(bvq, &len))
		n++;
	spin_unlock_irqrestore(&block, flags);
	bdone += n;
	return n;
}

/**
 * wait_for_used() - nothing to take back: ask for an interrupt when
 * about 3/4 of what is outstanding is used, and sleep until it comes.
 */
static void wait_for_used(void)
{
	unsigned long flags;
	bool armed;

	reinit_completion(&room);
	spin_lock_irqsave(&block, flags);
	armed = virtqueue_enable_cb_delayed(bvq);
	if (!armed)
		virtqueue_disable_cb(bvq);	/* used meanwhile: no sleep */
	spin_unlock_irqrestore(&block, flags);
	if (armed)
		wait_for_completion(&room);
}

/**
 * bench_probe() - one queue with a callback.
 * @param vdev the device.
 * @return 0 or a negative errno.
 */
static int bench_probe(struct virtio_device *vdev)
{
	bvq = virtio_find_single_vq(vdev, bench_done, "bench");
	if (IS_ERR(bvq))
		return PTR_ERR(bvq);
	virtio_device_ready(vdev);
	return 0;
}

/**
 * bench_remove() - reset and delete.
 * @param vdev the device.
 */
static void bench_remove(struct virtio_device *vdev)
{
	virtio_reset_device(vdev);
	while (virtqueue_detach_unused_buf(bvq))
		;
	vdev->config->del_vqs(vdev);
}

/** The loopback device only. */
static const struct virtio_device_id bench_ids[] = {
	{ VLAB_ID_LOOPBACK, VIRTIO_DEV_ANY_ID },
	{ 0 },
};

/** The benchmark driver. */
static struct virtio_driver bench_driver = {
	.driver.name = KBUILD_MODNAME,
	.id_table = bench_ids,
	.probe = bench_probe,
	.remove = bench_remove,
};

module_virtio_driver(bench_driver);

/** Figures of one run. */
struct run {
	double bufs_per_sec;	/**< throughput */
	double kicks_per_buf;	/**< notifications the device received */
	double irqs_per_buf;	/**< interrupts the device raised */
};

/**
 * stream() - push BUFFERS requests through and time it.
 * @param ring what the device offers.
 * @param out receives the figures.
 * @return 0, or -1 when the machine could not run.
 */
static int stream(const struct vlab_ring_cfg *ring, struct run *out)
{
	struct vlab_session_opts opts = { .loglevel = 4, .ring = *ring };
	struct scatterlist o, i, *sgs[2] = { &o, &i };
	struct vlab_loopback lb;
	struct vlab_session s;
	struct vlab_device *dev;
	struct timespec t0, t1;
	unsigned long posted = 0, flags;
	char *buf;
	int err;

	memset(&lb, 0, sizeof(lb));
	if (vlab_session_init(&s, &opts))
		return -1;
	dev = vlab_session_add_device(&s, &vlab_loopback_model, &lb, "loop0");
	if (!dev)
		goto fail;
	if (vlab_session_boot(&s) || guest_module_load(KBUILD_MODNAME))
		goto fail;
	spin_lock_init(&block);
	init_completion(&room);
	bdone = 0;
	buf = kzalloc(32, GFP_KERNEL);
	sg_init_one(&o, buf, 16);
	sg_init_one(&i, buf + 16, 16);

	/* Callbacks off: the producer reclaims; it re-arms only when full */
	virtqueue_disable_cb(bvq);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (posted < BUFFERS) {
		reclaim();
		spin_lock_irqsave(&block, flags);
		err = virtqueue_add_sgs(bvq, sgs, 1, 1, buf, GFP_ATOMIC);
		if (!err)
			virtqueue_kick(bvq);
		spin_unlock_irqrestore(&block, flags);
		if (err == -ENOSPC) {
			if (!reclaim())
				wait_for_used();
			continue;
		}
		if (err)
			goto fail;
		posted++;
	}
	while (bdone < BUFFERS)
		if (!reclaim())
			wait_for_used();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	vlab_device_wait_idle(dev);

	out->bufs_per_sec = BUFFERS / ((double)(t1.tv_sec - t0.tv_sec) +
				       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	out->kicks_per_buf = (double)dev->vqs[0].stats.notifies / BUFFERS;
	out->irqs_per_buf = (double)dev->vqs[0].stats.irqs / BUFFERS;
	kfree(buf);
	vlab_session_fini(&s);
	return 0;
fail:
	vlab_session_fini(&s);
	return -1;
}

/**
 * cmp_double() - qsort order for doubles.
 * @param a first.
 * @param b second.
 * @return -1, 0 or 1.
 */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/**
 * trace_cost() - one configuration, RUNS runs, one line: what the build
 * at hand does with its trace points switched off.
 * @param label how the build treats trace points.
 * @return 0, or 1 when a run could not complete.
 */
static int trace_cost(const char *label)
{
	double rate[2 * RUNS - 1];
	unsigned int k, n = 2 * RUNS - 1;
	struct run r;

	for (k = 0; k < n; k++) {
		/* the steadiest configuration: few sleeps, so the per-event
		 * cost is not lost in wake-up noise */
		if (stream(&VLAB_RING_CFG_DEFAULT, &r)) {
			fprintf(stderr, "bench: run failed\n");
			return 1;
		}
		rate[k] = r.bufs_per_sec;
	}
	qsort(rate, n, sizeof(double), cmp_double);
	printf("  %-18s %9.0f buffers/s [%9.0f, %9.0f] (median of %u)\n",
	       label, rate[n / 2], rate[0], rate[n - 1], n);
	return 0;
}

/**
 * main() - every configuration, RUNS runs each; or, with --trace-cost
 * LABEL, the one line of trace_cost().
 * @param argc argument count.
 * @param argv arguments.
 * @return 0, or 1 when a run could not complete, 2 for bad arguments.
 */
int main(int argc, char **argv)
{
	static const struct {
		const char *layout;
		struct vlab_ring_cfg ring;
	} cfgs[] = {
		{ "split", { false, true, true } },
		{ "split", { false, true, false } },
		{ "split", { false, false, true } },
		{ "split", { false, false, false } },
		{ "packed", { true, true, true } },
		{ "packed", { true, true, false } },
		{ "packed", { true, false, true } },
		{ "packed", { true, false, false } },
	};
	double rate[RUNS], kicks[RUNS], irqs[RUNS];
	struct run r;
	unsigned int c, k;

	if (argc == 3 && !strcmp(argv[1], "--trace-cost"))
		return trace_cost(argv[2]);
	if (argc != 1) {
		fprintf(stderr, "usage: bench_ring [--trace-cost LABEL]\n");
		return 2;
	}
	printf("make bench: %d buffers per run (16 readable + 16 writable bytes each),\n"
	       "loopback device, 64-entry queue, free schedule; median [min, max] of %d runs\n\n",
	       BUFFERS, RUNS);
	printf("%-7s %-9s %-10s %-36s %-10s %-10s\n", "layout", "indirect",
	       "event-idx", "buffers/s", "kicks/buf", "irqs/buf");
	for (c = 0; c < sizeof(cfgs) / sizeof(cfgs[0]); c++) {
		for (k = 0; k < RUNS; k++) {
			if (stream(&cfgs[c].ring, &r)) {
				fprintf(stderr, "bench: run failed\n");
				return 1;
			}
			rate[k] = r.bufs_per_sec;
			kicks[k] = r.kicks_per_buf;
			irqs[k] = r.irqs_per_buf;
		}
		qsort(rate, RUNS, sizeof(double), cmp_double);
		qsort(kicks, RUNS, sizeof(double), cmp_double);
		qsort(irqs, RUNS, sizeof(double), cmp_double);
		printf("%-7s %-9s %-10s %9.0f [%9.0f, %9.0f]      %-10.4f %-10.4f\n",
		       cfgs[c].layout, cfgs[c].ring.indirect ? "on" : "off",
		       cfgs[c].ring.event_idx ? "on" : "off", rate[RUNS / 2],
		       rate[0], rate[RUNS - 1], kicks[RUNS / 2],
		       irqs[RUNS / 2]);
		fflush(stdout);
	}
	return 0;
}
