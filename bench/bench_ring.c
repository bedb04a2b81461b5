// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief make bench: stream buffers through one virtqueue in the free
 * schedule and print buffers per second, kicks per buffer and interrupts
 * per buffer for every ring configuration (median of 9 interleaved
 * rounds, with min and max). A benchmark prints figures; it never passes
 * or fails on a time.
 *
 * The driver here is shaped like virtio-net's transmit path: under one
 * lock hold it takes used buffers back, adds one request (16 readable +
 * 16 writable bytes) and kicks; only when the ring is full does it ask
 * for an interrupt, with virtqueue_enable_cb_delayed(); the callback
 * turns callbacks off again and wakes it. One thing it does that a real
 * driver would not: before it asks for that interrupt it spins on the
 * used ring for a while (poll_used()), burning a CPU that a guest would
 * give to other work, so that the benchmark measures the rings rather
 * than two thread wake-ups per ring-full. That is where
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
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/loopback.h"
#include "sim/sched.h"
#include "sim/session.h"
#include "virtio/shared/boundary.h"

/** Buffers per run, unless --buffers says otherwise. */
#define BUFFERS 200000
/** Interleaved rounds, unless --rounds says otherwise. */
#define ROUNDS 9
/** Most rounds and queue sizes on one command line. */
#define MAX_ROUNDS 99
/** Most queue sizes on one command line. */
#define MAX_SIZES 8

/** The queue and what the callback has taken back. */
static struct virtqueue *bvq;
/** Serialises add (main thread) and get_buf (callback). */
static spinlock_t block;
/** Buffers taken back (by the producer thread only). */
static unsigned long bdone;
/** Times the producer slept for an interrupt. */
static unsigned long bsleeps;
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
 * reclaim_locked() - take back every used buffer (the producer's side),
 * with @c block held.
 * @return how many.
 */
static unsigned long reclaim_locked(void)
{
	unsigned long n = 0;
	unsigned int len;

	while (virtqueue_get_buf(bvq, &len))
		n++;
	bdone += n;
	return n;
}

/**
 * reclaim() - reclaim_locked() for a caller without the lock.
 * @return how many.
 */
static unsigned long reclaim(void)
{
	unsigned long flags, n;

	spin_lock_irqsave(&block, flags);
	n = reclaim_locked();
	spin_unlock_irqrestore(&block, flags);
	return n;
}

/** How long the producer polls for used buffers before it sleeps, ns. */
static long producer_poll_ns = 20000;

/**
 * now_ns() - the monotonic clock.
 * @return nanoseconds.
 */
static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/**
 * poll_used() - what a real driver would not do: spin on the used ring
 * for up to producer_poll_ns before asking for an interrupt. The device
 * is busy on another CPU and will use a buffer within microseconds; the
 * interrupt would take two thread wake-ups (device -> IRQ thread ->
 * producer) to say so.
 * @return buffers taken back (0: the time ran out).
 */
static unsigned long poll_used(void)
{
	long long end;
	unsigned long n;

	if (producer_poll_ns <= 0)
		return 0;
	end = now_ns() + producer_poll_ns;
	do {
		n = reclaim();
		if (n)
			return n;
		/* the device thread may be waiting for this CPU */
		sched_yield();
	} while (now_ns() < end);
	return 0;
}

/**
 * wait_for_used() - nothing to take back: poll a little (poll_used()),
 * then ask for an interrupt when about 3/4 of what is outstanding is
 * used, and sleep until it comes.
 */
static void wait_for_used(void)
{
	unsigned long flags;
	bool armed;

	if (poll_used())
		return;
	reinit_completion(&room);
	spin_lock_irqsave(&block, flags);
	armed = virtqueue_enable_cb_delayed(bvq);
	if (!armed)
		virtqueue_disable_cb(bvq);	/* used meanwhile: no sleep */
	spin_unlock_irqrestore(&block, flags);
	if (armed) {
		bsleeps++;
		wait_for_completion(&room);
	}
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

/** What the command line chose. */
struct bench_opts {
	unsigned int buffers;		/**< per run */
	unsigned int rounds;		/**< interleaved rounds */
	unsigned int sizes[MAX_SIZES];	/**< queue sizes */
	unsigned int nsizes;		/**< how many */
	unsigned int only;		/**< bit c: run cfgs[c] (0: all) */
	long device_poll_ns;		/**< device poll, -1: its default */
	int cpu_producer;		/**< CPU of the producer, or -1 */
	int cpu_device;			/**< CPU of the device, or -1 */
	int cpu_irq;			/**< CPU of the IRQ thread, or -1 */
};

/** Figures of one run. */
struct run {
	double bufs_per_sec;	/**< throughput */
	double kicks_per_buf;	/**< notifications the device received */
	double irqs_per_buf;	/**< interrupts the device raised */
	double sleeps_per_buf;	/**< times the producer slept */
};

/**
 * pin() - put a thread on a CPU when asked; say so once when it fails.
 * @param t the thread.
 * @param cpu the CPU, or -1 to leave it alone.
 */
static void pin(pthread_t t, int cpu)
{
	static bool said;

	if (cpu >= 0 && vlab_thread_pin(t, cpu) && !said) {
		fprintf(stderr, "bench: cannot pin a thread to CPU %d\n", cpu);
		said = true;
	}
}

/**
 * stream() - push @c o->buffers requests through and time it.
 * @param o the command line.
 * @param ring what the device offers.
 * @param size the queue size (QueueNumMax of the loopback device).
 * @param out receives the figures.
 * @return 0, or -1 when the machine could not run.
 */
static int stream(const struct bench_opts *o, const struct vlab_ring_cfg *ring,
		  unsigned int size, struct run *out)
{
	struct vlab_session_opts opts = { .loglevel = 4, .ring = *ring };
	struct scatterlist so, si, *sgs[2] = { &so, &si };
	struct vlab_device_model model = vlab_loopback_model;
	struct vlab_loopback lb;
	struct vlab_session s;
	struct vlab_device *dev;
	unsigned long posted = 0, flags;
	long long t0, t1;
	char *buf;
	int err;

	memset(&lb, 0, sizeof(lb));
	model.queue_num_max = (uint16_t)size;
	if (vlab_session_init(&s, &opts))
		return -1;
	dev = vlab_session_add_device(&s, &model, &lb, "loop0");
	if (!dev)
		goto fail;
	if (o->device_poll_ns >= 0)
		vlab_device_set_poll_ns(dev, (unsigned long)o->device_poll_ns);
	if (vlab_session_boot(&s) || guest_module_load(KBUILD_MODNAME))
		goto fail;
	pin(pthread_self(), o->cpu_producer);
	pin(dev->thread, o->cpu_device);
	pin(s.m.irqchip.thread, o->cpu_irq);
	spin_lock_init(&block);
	init_completion(&room);
	bdone = 0;
	bsleeps = 0;
	buf = kzalloc(32, GFP_KERNEL);
	sg_init_one(&so, buf, 16);
	sg_init_one(&si, buf + 16, 16);

	/* Callbacks off: the producer reclaims; it re-arms only when full */
	virtqueue_disable_cb(bvq);
	t0 = now_ns();
	while (posted < o->buffers) {
		/* one lock hold per request, as virtio-net's start_xmit */
		spin_lock_irqsave(&block, flags);
		reclaim_locked();
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
	while (bdone < o->buffers)
		if (!reclaim())
			wait_for_used();
	t1 = now_ns();
	vlab_device_wait_idle(dev);

	out->bufs_per_sec = o->buffers / ((double)(t1 - t0) / 1e9);
	out->kicks_per_buf = (double)dev->vqs[0].stats.notifies / o->buffers;
	out->irqs_per_buf = (double)dev->vqs[0].stats.irqs / o->buffers;
	out->sleeps_per_buf = (double)bsleeps / o->buffers;
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
 * median() - sort @p v and return its middle element.
 * @param v the values.
 * @param n how many (at least one).
 * @return the median.
 */
static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return v[n / 2];
}

/**
 * trace_cost() - one configuration, o->rounds runs, one line: what the
 * build at hand does with its trace points switched off.
 * @param o the command line.
 * @param label how the build treats trace points.
 * @return 0, or 1 when a run could not complete.
 */
static int trace_cost(const struct bench_opts *o, const char *label)
{
	double rate[MAX_ROUNDS];
	unsigned int k, n = o->rounds;
	struct run r;

	for (k = 0; k < n; k++) {
		/* the steadiest configuration: few sleeps, so the per-event
		 * cost is not lost in wake-up noise */
		if (stream(o, &VLAB_RING_CFG_DEFAULT, o->sizes[0], &r)) {
			fprintf(stderr, "bench: run failed\n");
			return 1;
		}
		rate[k] = r.bufs_per_sec;
	}
	median(rate, n);
	printf("  %-18s %9.0f buffers/s [%9.0f, %9.0f] (median of %u)\n",
	       label, rate[n / 2], rate[0], rate[n - 1], n);
	return 0;
}

/** The ring configurations, in the order of the table. */
static const struct {
	const char *layout;		/**< split or packed */
	struct vlab_ring_cfg ring;	/**< packed, indirect, event idx */
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

/** Configurations in the table. */
#define NCFGS (sizeof(cfgs) / sizeof(cfgs[0]))

/** Every figure of every round, per queue size and configuration. */
static struct run results[MAX_SIZES][NCFGS][MAX_ROUNDS];

/**
 * chosen() - whether the command line asked for configuration @p c.
 * @param o the command line.
 * @param c an index into cfgs[].
 * @return true when --config named it, or named none.
 */
static bool chosen(const struct bench_opts *o, unsigned int c)
{
	return !o->only || (o->only & 1u << c);
}

/**
 * table() - run every configuration at every size, one round at a time
 * (rounds interleave, so a slow spell of the machine spreads over all of
 * them; odd rounds run the table backwards), and print one table per
 * size: median [min, max].
 * @param o the command line.
 * @return 0, or 1 when a run could not complete.
 */
static int table(const struct bench_opts *o)
{
	double rate[MAX_ROUNDS], kicks[MAX_ROUNDS], irqs[MAX_ROUNDS];
	double sleeps[MAX_ROUNDS];
	unsigned int z, c, k, i;

	for (k = 0; k < o->rounds; k++)
		for (z = 0; z < o->nsizes; z++)
			for (i = 0; i < NCFGS; i++) {
				/*
				 * Odd rounds run the table backwards: each
				 * on/off pair runs in both orders equally
				 * often, so neither gains by going first.
				 */
				c = k & 1 ? NCFGS - 1 - i : i;
				if (chosen(o, c) &&
				    stream(o, &cfgs[c].ring, o->sizes[z],
					   &results[z][c][k])) {
					fprintf(stderr, "bench: run failed\n");
					return 1;
				}
			}
	for (z = 0; z < o->nsizes; z++) {
		printf("\n%u-entry queue\n", o->sizes[z]);
		printf("%-7s %-9s %-10s %-36s %-10s %-10s %-10s\n", "layout",
		       "indirect", "event-idx", "buffers/s", "kicks/buf",
		       "irqs/buf", "sleeps/buf");
		for (c = 0; c < NCFGS; c++) {
			if (!chosen(o, c))
				continue;
			for (k = 0; k < o->rounds; k++) {
				rate[k] = results[z][c][k].bufs_per_sec;
				kicks[k] = results[z][c][k].kicks_per_buf;
				irqs[k] = results[z][c][k].irqs_per_buf;
				sleeps[k] = results[z][c][k].sleeps_per_buf;
			}
			median(rate, o->rounds);
			printf("%-7s %-9s %-10s %9.0f [%9.0f, %9.0f]      %-10.4f %-10.4f %-10.4f\n",
			       cfgs[c].layout,
			       cfgs[c].ring.indirect ? "on" : "off",
			       cfgs[c].ring.event_idx ? "on" : "off",
			       rate[o->rounds / 2], rate[0],
			       rate[o->rounds - 1], median(kicks, o->rounds),
			       median(irqs, o->rounds),
			       median(sleeps, o->rounds));
		}
	}
	return 0;
}

/** The usage line. */
static const char usage[] =
	"usage: bench_ring [--size N]... [--rounds N] [--buffers N]\n"
	"                  [--device-poll-ns N] [--producer-poll-ns N]\n"
	"                  [--cpu-producer C] [--cpu-device C] [--cpu-irq C]\n"
	"                  [--config N]... [--trace-cost LABEL]\n"
	"--config N runs only row N (1-8, in the table's order) of each size\n";

/**
 * number() - a decimal option value in [lo, hi], or exit 2.
 * @param name the option.
 * @param v its value.
 * @param lo smallest allowed.
 * @param hi largest allowed.
 * @return the value.
 */
static long number(const char *name, const char *v, long lo, long hi)
{
	char *end;
	long n;

	n = v ? strtol(v, &end, 10) : 0;
	if (!v || *end || end == v || n < lo || n > hi) {
		fprintf(stderr, "bench: %s wants a number from %ld to %ld\n",
			name, lo, hi);
		exit(2);
	}
	return n;
}

/**
 * main() - every configuration at every queue size, interleaved rounds;
 * or, with --trace-cost LABEL, the one line of trace_cost().
 * @param argc argument count.
 * @param argv arguments.
 * @return 0, or 1 when a run could not complete, 2 for bad arguments.
 */
int main(int argc, char **argv)
{
	struct bench_opts o = {
		.buffers = BUFFERS, .rounds = ROUNDS, .device_poll_ns = -1,
		.cpu_producer = -1, .cpu_device = -1, .cpu_irq = -1,
	};
	const char *cost = NULL, *a, *v;
	int i;

	for (i = 1; i < argc; i++) {
		a = argv[i];
		v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--trace-cost") && v)
			cost = v;
		else if (!strcmp(a, "--size") && o.nsizes < MAX_SIZES)
			/* a split ring needs a power of two; packed does not */
			o.sizes[o.nsizes++] =
				(unsigned int)number(a, v, 2, 32768);
		else if (!strcmp(a, "--config"))
			o.only |= 1u << (number(a, v, 1, NCFGS) - 1);
		else if (!strcmp(a, "--rounds"))
			o.rounds = (unsigned int)number(a, v, 1, MAX_ROUNDS);
		else if (!strcmp(a, "--buffers"))
			o.buffers = (unsigned int)number(a, v, 1, 100000000);
		else if (!strcmp(a, "--device-poll-ns"))
			o.device_poll_ns = number(a, v, 0, 1000000);
		else if (!strcmp(a, "--producer-poll-ns"))
			producer_poll_ns = number(a, v, 0, 1000000);
		else if (!strcmp(a, "--cpu-producer"))
			o.cpu_producer = (int)number(a, v, 0, 1023);
		else if (!strcmp(a, "--cpu-device"))
			o.cpu_device = (int)number(a, v, 0, 1023);
		else if (!strcmp(a, "--cpu-irq"))
			o.cpu_irq = (int)number(a, v, 0, 1023);
		else {
			fputs(usage, stderr);
			return 2;
		}
		i++;
	}
	if (!o.nsizes) {
		o.sizes[o.nsizes++] = 64;
		o.sizes[o.nsizes++] = 256;
	}
	if (cost)
		return trace_cost(&o, cost);
	printf("make bench: %u buffers per run (16 readable + 16 writable bytes each),\n"
	       "loopback device, free schedule; median [min, max] of %u interleaved rounds;\n"
	       "device poll %ld ns, producer poll %ld ns; CPUs (-1: any): producer %d, device %d, irq %d\n",
	       o.buffers, o.rounds,
	       o.device_poll_ns < 0 ? (long)VLAB_DEVICE_POLL_NS :
	       o.device_poll_ns,
	       producer_poll_ns, o.cpu_producer, o.cpu_device, o.cpu_irq);
	return table(&o);
}
