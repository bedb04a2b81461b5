// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Device core: thread, notifications, interrupts, errors, reset.
 */
#include "sim/device.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "sim/sched.h"
#include "sim/trace.h"

static bool vlab_device_live_locked(const struct vlab_device *dev);

/**
 * now_ns() - the monotonic clock, for the poll budget.
 * @return nanoseconds.
 */
static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/**
 * stalled() - whether a test stalled the device (vlab_device_set_stall())
 * while the thread was working or polling; if so, leave queue @p q as
 * host-side work, so that it is looked at again (without a notify event
 * the driver never sent) once the stall is cleared.
 * @param dev the device.
 * @param q the queue in hand.
 * @return true to stop working the queue now.
 */
static bool stalled(struct vlab_device *dev, unsigned int q)
{
	/*
	 * Acquire pairs with the release in vlab_device_set_stall(): a
	 * buffer the driver published after the stall was set (and which
	 * the poll saw with its acquire) comes with the stall.
	 */
	if (!__atomic_load_n(&dev->faults.stall, __ATOMIC_ACQUIRE))
		return false;
	vlab_mutex_lock(&dev->lock);
	dev->host_pending |= 1ULL << q;
	vlab_mutex_unlock(&dev->lock);
	return true;
}

/**
 * device_poll() - before the thread asks for kicks again and sleeps,
 * watch the ring for up to @c poll_ns (vhost's busy-poll, which also
 * gives the CPU up when another thread needs it): a driver that
 * refills the ring within that time is served without a kick, a wake-up
 * and a context switch on either side. Notifications stay disabled while
 * it polls, so the driver does not kick a device that is looking anyway.
 * @param dev the device.
 * @param vq the queue it just processed.
 * @param budget nanoseconds; 0 returns at once.
 * @return true when the driver made a buffer available in time.
 *
 * Never in lockstep (the caller passes 0 there): nothing in that
 * schedule may depend on the wall clock, and a missing kick must show.
 * The poll ends early when another queue is notified.
 */
static bool device_poll(struct vlab_device *dev, struct vlab_vq *vq,
			uint64_t budget)
{
	uint64_t end, others = ~(1ULL << vq->index);
	unsigned int spins = 0;

	if (!budget)
		return false;
	end = now_ns() + budget;
	for (;;) {
		if (vlab_vq_avail_pending(vq))
			return true;
		if (__atomic_load_n(&dev->notify_pending, __ATOMIC_RELAXED) &
		    others)
			return false;
		/*
		 * Every 16 looks: the clock (it costs tens of ns), and the CPU
		 * given to any thread waiting for it. On a machine with fewer
		 * free CPUs than busy threads that thread is often the driver
		 * this poll waits for; a poll that kept the CPU measured
		 * slower than no poll at all (README, Benchmark).
		 */
		if (!(++spins & 15)) {
			if (now_ns() >= end)
				return false;
			sched_yield();
		}
		__builtin_ia32_pause();
	}
}

/**
 * device_thread() - wait for notifications and process notified queues.
 * @param arg the device.
 * @return NULL.
 *
 * The queues are processed without the lock: the register file waits for
 * the thread to be idle (vlab_device_quiesce_locked()) before it changes
 * anything a queue depends on.
 */
static void *device_thread(void *arg)
{
	struct vlab_device *dev = arg;
	uint64_t pending, host, budget;
	struct vlab_vq *vq;
	unsigned int q;

	vlab_mutex_lock(&dev->lock);
	for (;;) {
		while (!dev->stop &&
		       (dev->faults.stall ||
			(!dev->notify_pending &&
			 !(dev->host_pending && vlab_device_live_locked(dev))))) {
			vlab_wait_reason(dev->faults.stall ?
					 "its stall to end (a slow device)" :
					 "a QueueNotify (the driver's kick) or host input");
			vlab_cond_wait(&dev->cond, &dev->lock);
		}
		if (dev->stop)
			break;
		pending = __atomic_exchange_n(&dev->notify_pending, 0,
					      __ATOMIC_RELAXED);
		host = 0;
		if (vlab_device_live_locked(dev)) {
			host = dev->host_pending;
			dev->host_pending = 0;
		}
		dev->busy = true;
		vlab_mutex_unlock(&dev->lock);
		budget = vlab_sched_is_lockstep() ? 0 :
			__atomic_load_n(&dev->poll_ns, __ATOMIC_RELAXED);

		for (q = 0; q < dev->model->num_queues; q++) {
			if (!((pending | host) & (1ULL << q)))
				continue;
			/* §4.2.3.3: the device learns which queue to look at */
			if (pending & (1ULL << q))
				VLAB_TRACE(.kind = VLAB_EV_NOTIFY,
					   .dev = dev->name, .queue = (int)q);
			if (!dev->vqs[q].ready)
				continue;
			/*
			 * While the thread works the queue, the driver need not
			 * kick it (§2.7.10); once it is done (and has polled, in
			 * the free schedule) it asks for kicks again and looks
			 * once more, so a buffer published in between is never
			 * left behind.
			 */
			vq = &dev->vqs[q];
			do {
				do {
					if (!vlab_device_live(dev))
						goto next;
					if (stalled(dev, q))
						goto next;
					vlab_vq_disable_notify(dev, vq);
					dev->model->process(dev, vq);
				/* RELIABILITY L1: no poll for a model that
				 * took nothing: it would spin */
				} while (vq->looked &&
					 device_poll(dev, vq, budget));
			} while (vlab_vq_enable_notify(dev, vq));
next:
			;
		}

		vlab_mutex_lock(&dev->lock);
		dev->busy = false;
		vlab_cond_broadcast(&dev->cond);
	}
	vlab_mutex_unlock(&dev->lock);
	return NULL;
}

struct vlab_device *vlab_device_create(const struct vlab_device_model *model,
				       void *priv, const char *name,
				       const struct vlab_ram *ram,
				       struct vlab_irqchip *irqchip,
				       unsigned int irq, uint64_t mmio_base)
{
	struct vlab_device *dev;
	unsigned int q;

	if (model->num_queues > 64)
		return NULL;
	for (q = 0; q < model->num_queues; q++)
		if (model->max_segs > (model->queue_sizes ?
				       model->queue_sizes[q] :
				       model->queue_num_max)) {
			/*
			 * A chain's segments live in a scratch array of
			 * QueueNumMax entries: a model must not accept more.
			 */
			fprintf(stderr, "device %s: model %s accepts %u buffers per chain, more than queue %u has entries\n",
				name, model->name, model->max_segs, q);
			return NULL;
		}
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return NULL;
	dev->vqs = calloc(model->num_queues, sizeof(*dev->vqs));
	if (!dev->vqs)
		goto err;
	for (q = 0; q < model->num_queues; q++) {
		dev->vqs[q].index = q;
		dev->vqs[q].num_max = model->queue_sizes ? model->queue_sizes[q] :
			model->queue_num_max;
		dev->vqs[q].segs = calloc(dev->vqs[q].num_max,
					  sizeof(*dev->vqs[q].segs));
		dev->vqs[q].head_busy = calloc(dev->vqs[q].num_max, 1);
		if (!dev->vqs[q].segs || !dev->vqs[q].head_busy)
			goto err;
	}
	dev->model = model;
	dev->priv = priv;
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	dev->ram = ram;
	dev->irqchip = irqchip;
	dev->irq = irq;
	dev->mmio_base = mmio_base;
	dev->ring_features = VLAB_RING_FEATURES_ALL;
	dev->poll_ns = VLAB_DEVICE_POLL_NS;
	dev->quiesce_ms = VLAB_QUIESCE_MS;
	if (model->config && model->config_size <= sizeof(dev->config)) {
		memcpy(dev->config, model->config, model->config_size);
		dev->config_size = model->config_size;
	}
	pthread_mutex_init(&dev->lock, NULL);
	pthread_cond_init(&dev->cond, NULL);
	if (vlab_thread_spawn(&dev->thread, dev->name, device_thread, dev)) {
		pthread_cond_destroy(&dev->cond);
		pthread_mutex_destroy(&dev->lock);
		goto err;
	}
	return dev;
err:
	if (dev->vqs)
		for (q = 0; q < model->num_queues; q++) {
			free(dev->vqs[q].segs);
			free(dev->vqs[q].head_busy);
		}
	free(dev->vqs);
	free(dev);
	return NULL;
}

void vlab_device_destroy(struct vlab_device *dev)
{
	unsigned int q;

	if (!dev)
		return;
	vlab_mutex_lock(&dev->lock);
	dev->stop = true;
	vlab_cond_broadcast(&dev->cond);
	vlab_mutex_unlock(&dev->lock);
	vlab_thread_join(dev->thread);
	pthread_cond_destroy(&dev->cond);
	pthread_mutex_destroy(&dev->lock);
	for (q = 0; q < dev->model->num_queues; q++) {
		free(dev->vqs[q].segs);
		free(dev->vqs[q].head_busy);
	}
	free(dev->vqs);
	free(dev);
}

uint64_t vlab_device_offered_features(const struct vlab_device *dev)
{
	return dev->model->features | dev->ring_features |
		(1ULL << VIRTIO_F_VERSION_1);
}

bool vlab_device_has_feature(struct vlab_device *dev, unsigned int bit)
{
	bool has;

	vlab_mutex_lock(&dev->lock);
	/* RELIABILITY D19: only what FEATURES_OK committed is in force */
	has = dev->features & (1ULL << bit);
	vlab_mutex_unlock(&dev->lock);
	return has;
}

/**
 * status_live() - whether a status word lets the device work its queues.
 * @param status the status.
 * @return true with DRIVER_OK after an accepted FEATURES_OK, and no
 * DEVICE_NEEDS_RESET.
 */
static bool status_live(uint32_t status)
{
	/* RELIABILITY D19: DRIVER_OK counts after an accepted FEATURES_OK */
	return (status & VIRTIO_CONFIG_S_DRIVER_OK) &&
		(status & VIRTIO_CONFIG_S_FEATURES_OK) &&
		!(status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

/**
 * vlab_device_live_locked() - vlab_device_live() with the lock held.
 * @param dev the device.
 * @return true when DRIVER_OK is set and DEVICE_NEEDS_RESET is not.
 */
static bool vlab_device_live_locked(const struct vlab_device *dev)
{
	return status_live(dev->status);
}

bool vlab_device_live(struct vlab_device *dev)
{
	/*
	 * No lock: every store of the status word is atomic (under the
	 * lock), so this load sees one whole value. Relaxed: it orders
	 * nothing; the ring reads that follow have their own acquires, and
	 * whatever changes a queue under the device waits for it to be idle
	 * (vlab_device_quiesce_locked()).
	 */
	return status_live(__atomic_load_n(&dev->status, __ATOMIC_RELAXED));
}

void vlab_device_set_poll_ns(struct vlab_device *dev, unsigned long ns)
{
	__atomic_store_n(&dev->poll_ns, ns, __ATOMIC_RELAXED);
}

void vlab_device_set_stall(struct vlab_device *dev, bool stall)
{
	vlab_mutex_lock(&dev->lock);
	/* atomic: the device thread looks at it between chains unlocked */
	__atomic_store_n(&dev->faults.stall, stall, __ATOMIC_RELEASE);
	vlab_cond_broadcast(&dev->cond);
	/*
	 * A thread still walking its rings (a request posted just before)
	 * would pop what the driver posts next: let it park first, so that
	 * everything posted from now on waits.
	 */
	if (stall && vlab_device_quiesce_locked(dev, "stall"))
		fprintf(stderr, "[%s] stall: the device thread did not park\n",
			dev->name);
	vlab_mutex_unlock(&dev->lock);
}

void vlab_device_poke(struct vlab_device *dev, unsigned int index)
{
	/* the host side only names queues the model has */
	if (dev->model->num_queues <= index)
		return;
	vlab_mutex_lock(&dev->lock);
	dev->host_pending |= 1ULL << index;
	vlab_cond_broadcast(&dev->cond);
	vlab_mutex_unlock(&dev->lock);
}

void vlab_device_raise(struct vlab_device *dev, uint32_t bits)
{
	vlab_mutex_lock(&dev->lock);
	dev->interrupt_status |= bits;
	vlab_mutex_unlock(&dev->lock);
	vlab_irqchip_raise(dev->irqchip, dev->irq);
}

void vlab_device_config_changed(struct vlab_device *dev, size_t offset,
				const void *bytes, size_t len)
{
	vlab_mutex_lock(&dev->lock);
	if (offset <= dev->config_size && len <= dev->config_size - offset)
		memcpy(dev->config + offset, bytes, len);
	/* §2.5: a driver that read across this change must read again */
	dev->config_generation++;
	vlab_mutex_unlock(&dev->lock);
	VLAB_TRACE(.kind = VLAB_EV_CONFIG_IRQ, .dev = dev->name, .queue = -1,
		   .irq = { .irq = dev->irq });
	vlab_device_raise(dev, VIRTIO_MMIO_INT_CONFIG);
}

void vlab_device_error(struct vlab_device *dev, const struct vlab_vq *vq,
		       const char *spec, const char *fmt, ...)
{
	char rule[200];
	va_list ap;
	bool first;

	va_start(ap, fmt);
	vsnprintf(rule, sizeof(rule), fmt, ap);
	va_end(ap);

	vlab_mutex_lock(&dev->lock);
	first = !(dev->status & VIRTIO_CONFIG_S_NEEDS_RESET);
	__atomic_store_n(&dev->status,
			 dev->status | VIRTIO_CONFIG_S_NEEDS_RESET,
			 __ATOMIC_RELAXED);
	snprintf(dev->last_error, sizeof(dev->last_error), "%s: %s", spec,
		 rule);
	vlab_mutex_unlock(&dev->lock);

	fprintf(stderr, "[%s] driver broke virtio 1.2 %s: %s%s\n", dev->name,
		spec, rule, first ? "; device needs reset" : "");
	VLAB_TRACE(.kind = VLAB_EV_DEVICE_ERROR, .dev = dev->name,
		   .queue = vq ? (int)vq->index : -1,
		   .reason = { .why = rule },
		   .spec = spec);
	if (first) {
		/* §2.1.2: tell the driver through a config-change interrupt */
		VLAB_TRACE(.kind = VLAB_EV_CONFIG_IRQ, .dev = dev->name,
			   .queue = -1, .irq = { .irq = dev->irq });
		vlab_device_raise(dev, VIRTIO_MMIO_INT_CONFIG);
	}
	/* counted last, so whoever sees the count sees the whole report */
	vlab_mutex_lock(&dev->lock);
	dev->errors++;
	vlab_mutex_unlock(&dev->lock);
}

const char *vlab_device_notify_locked(struct vlab_device *dev,
				      uint32_t index)
{
	const char *why = NULL;

	if (index >= dev->model->num_queues)
		why = "no such queue";	/* RELIABILITY D14 */
	else if (!(dev->status & VIRTIO_CONFIG_S_DRIVER_OK))
		why = "before DRIVER_OK"; /* RELIABILITY D17, §3.1.1 */
	else if (dev->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		why = "device needs reset";	/* §2.1.2 */
	else if (!dev->vqs[index].ready)
		why = "queue not ready";
	if (why)
		return why;
	__atomic_fetch_add(&dev->vqs[index].stats.notifies, 1,
			   __ATOMIC_RELAXED);
	/* atomic: the device thread's poll reads it without the lock */
	__atomic_fetch_or(&dev->notify_pending, 1ULL << index,
			  __ATOMIC_RELAXED);
	vlab_cond_broadcast(&dev->cond);
	return NULL;
}

/**
 * ms_since() - milliseconds of the monotonic clock since @p t0.
 * @param t0 the start.
 * @return the time passed.
 */
static unsigned long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (unsigned long)((t.tv_sec - t0->tv_sec) * 1000 +
			       (t.tv_nsec - t0->tv_nsec) / 1000000);
}

/**
 * wait_while_locked() - wait on the device's condition while @p busy says
 * so, at most @c quiesce_ms (RELIABILITY L2). Lock held.
 * @param dev the device.
 * @param busy the condition waited out.
 * @return true when it cleared, false when the bound passed.
 */
static bool wait_while_locked(struct vlab_device *dev,
			      bool (*busy)(const struct vlab_device *dev))
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (busy(dev)) {
		if (ms_since(&t0) >= dev->quiesce_ms)
			return false;
		vlab_cond_wait_ms(&dev->cond, &dev->lock, 10);
	}
	return true;
}

/**
 * thread_busy() - the device thread is processing queues.
 * @param dev the device.
 * @return true while it is.
 */
static bool thread_busy(const struct vlab_device *dev)
{
	return dev->busy;
}

/**
 * thread_has_work() - processing, or notified and not started yet.
 * @param dev the device.
 * @return true while either holds.
 */
static bool thread_has_work(const struct vlab_device *dev)
{
	/* a stalled device leaves its notifications pending: not idle, done */
	return dev->busy || (dev->notify_pending && !dev->faults.stall);
}

bool vlab_device_wait_idle(struct vlab_device *dev)
{
	bool idle;

	vlab_mutex_lock(&dev->lock);
	idle = wait_while_locked(dev, thread_has_work);
	vlab_mutex_unlock(&dev->lock);
	if (!idle)
		fprintf(stderr, "[%s] device thread still busy after %u ms (RELIABILITY L2)\n",
			dev->name, dev->quiesce_ms);
	return idle;
}

int vlab_device_quiesce_locked(struct vlab_device *dev, const char *what)
{
	if (wait_while_locked(dev, thread_busy))
		return 0;
	/* RELIABILITY L2: a bounded wait, then a clear error */
	fprintf(stderr, "[%s] %s refused: the device thread is still busy after %u ms (RELIABILITY L2)\n",
		dev->name, what, dev->quiesce_ms);
	return -ETIMEDOUT;
}

int vlab_device_reset_locked(struct vlab_device *dev)
{
	unsigned int q;

	if (vlab_device_quiesce_locked(dev, "reset")) {
		/* nothing changed under the thread; the driver must see it */
		__atomic_or_fetch(&dev->status, VIRTIO_CONFIG_S_NEEDS_RESET,
				  __ATOMIC_RELAXED);
		return -ETIMEDOUT;
	}
	__atomic_store_n(&dev->status, 0, __ATOMIC_RELAXED);
	dev->device_features_sel = 0;
	dev->driver_features_sel = 0;
	dev->driver_features = 0;
	dev->features = 0;
	dev->queue_sel = 0;
	dev->interrupt_status = 0;
	__atomic_store_n(&dev->notify_pending, 0, __ATOMIC_RELAXED);
	for (q = 0; q < dev->model->num_queues; q++)
		vlab_vq_reset(&dev->vqs[q]);
	if (dev->model->reset)
		dev->model->reset(dev);
	return 0;
}
