/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief A simulated virtio device: state common to every device type,
 * its thread, its interrupts and its error handling.
 *
 * A device type (sim/rng.c, ...) supplies a struct vlab_device_model: its
 * ID, features, queues and a process() function. The core runs process()
 * on the device's own thread whenever the driver notifies a queue (a
 * QueueNotify write wakes it, like an ioeventfd), keeps the register state
 * of virtio-mmio (sim/mmio.c decodes the accesses), and turns any broken
 * rule into DEVICE_NEEDS_RESET plus a configuration-change interrupt
 * (virtio 1.2 §2.1.2).
 */
#ifndef VLAB_SIM_DEVICE_H
#define VLAB_SIM_DEVICE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/irqchip.h"
#include "sim/ram.h"
#include "sim/vq.h"

struct vlab_device;

/** What a device type supplies. */
struct vlab_device_model {
	const char *name;	/**< type name, e.g. "rng" */
	uint32_t device_id;	/**< virtio device ID (virtio 1.2 §5) */
	uint64_t features;	/**< device-specific feature bits offered */
	unsigned int num_queues; /**< queues it has */
	uint16_t queue_num_max;	/**< QueueNumMax of every queue */
	unsigned int max_segs;	/**< most buffers per chain it accepts */
	/** device reset: forget the model's own state (may be NULL) */
	void (*reset)(struct vlab_device *dev);
	/**
	 * QueueReady = 0 on @c vq: drop every chain held from it, since the
	 * driver took that memory back (RELIABILITY D20; may be NULL for a
	 * model that holds nothing)
	 */
	void (*queue_stop)(struct vlab_device *dev, struct vlab_vq *vq);
	/** take and complete chains of @c vq; runs on the device thread */
	void (*process)(struct vlab_device *dev, struct vlab_vq *vq);
	/** QueueNumMax of each queue, or NULL: all are queue_num_max */
	const uint16_t *queue_sizes;
	/** initial device configuration space (may be NULL) */
	const uint8_t *config;
	/** its size in bytes, at most 256 */
	size_t config_size;
};

/** Ways to make a device misbehave on purpose, for tests and labs. */
struct vlab_faults {
	bool refuse_features_ok; /**< R5: never accept FEATURES_OK (§3.1.1) */
	bool stuck_in_reset;	/**< R6: Status never reads back 0 after reset */
	bool used_bad_id;	/**< R1: return ids past the queue size */
	bool used_repeat;	/**< R2: return every chain twice */
	bool used_idx_jump;	/**< R3: move used idx a queue's worth too far */
	uint32_t used_len_extra; /**< R4: claim this many more bytes written */
	unsigned int config_flaps; /**< R8: change the config in the middle of
				       the next N multi-field reads */
	bool rewrite_after_read; /**< D16: play a driver that rewrites each
				      descriptor right after the device read it */
	bool stall;		/**< a slow device (rate-limited, throttled):
				     notifications wait until it is cleared;
				     set with vlab_device_set_stall() */
};

/** Ring features a device offers (virtio 1.2 §6): all on by default. */
#define VLAB_RING_FEATURES_ALL ((1ULL << VIRTIO_RING_F_INDIRECT_DESC) | \
				(1ULL << VIRTIO_RING_F_EVENT_IDX))

/**
 * How long a device thread polls its ring for more buffers before it asks
 * for kicks and sleeps, in ns (free schedule only), unless
 * vlab_device_set_poll_ns() says otherwise. Chosen by measurement with
 * make bench (README, Benchmark).
 */
#define VLAB_DEVICE_POLL_NS 20000UL

/** A device instance. */
struct vlab_device {
	const struct vlab_device_model *model; /**< its type */
	void *priv;		/**< the model's state */
	char name[16];		/**< e.g. "rng0", in traces and logs */
	const struct vlab_ram *ram; /**< guest memory it may reach */
	struct vlab_irqchip *irqchip; /**< where it raises interrupts */
	unsigned int irq;	/**< its line */
	uint64_t mmio_base;	/**< guest-physical base of its registers */
	struct vlab_faults faults; /**< injected misbehaviour */
	uint64_t ring_features;	/**< VIRTIO_RING_F_* / F_RING_PACKED offered */
	unsigned long poll_ns;	/**< poll before sleeping, ns (atomic) */

	pthread_mutex_t lock;	/**< protects everything below */
	pthread_cond_t cond;	/**< device thread waits; quiesce waits */
	pthread_t thread;	/**< the device thread */
	bool stop;		/**< the thread must exit */
	bool busy;		/**< the thread is processing queues */
	uint64_t notify_pending; /**< one bit per notified queue (stored
				     atomically: the poll reads it unlocked) */
	uint64_t host_pending;	/**< one bit per queue the host side has
				     work for (vlab_device_poke()) */

	uint32_t status;	/**< Status register (§2.1); stored atomically,
				     read unlocked by vlab_device_live() */
	uint32_t device_features_sel; /**< DeviceFeaturesSel */
	uint32_t driver_features_sel; /**< DriverFeaturesSel */
	uint64_t driver_features; /**< DriverFeatures, both halves */
	uint64_t features;	/**< the features in force: DriverFeatures as
				     accepted at FEATURES_OK, 0 before
				     (RELIABILITY D19, §2.2, §3.1.1) */
	uint32_t queue_sel;	/**< QueueSel */
	uint32_t interrupt_status; /**< InterruptStatus bits */
	uint32_t config_generation; /**< ConfigGeneration */
	uint8_t config[256];	/**< device configuration space */
	size_t config_size;	/**< bytes of it the model uses */
	struct vlab_vq *vqs;	/**< model->num_queues queues */
	unsigned int quiesce_ms; /**< bound of every wait for the device
				      thread (RELIABILITY L2) */
	char last_error[256];	/**< the last rule a driver broke */
	unsigned long errors;	/**< broken rules fully reported (logged, traced,
				     interrupt raised); tests wait on it */
};

/**
 * vlab_device_create() - make a device and start its thread.
 * @param model its type.
 * @param priv the model's state.
 * @param name e.g. "rng0".
 * @param ram guest memory.
 * @param irqchip interrupt controller.
 * @param irq its line.
 * @param mmio_base guest-physical base of its registers.
 * @return the device, or NULL.
 */
struct vlab_device *vlab_device_create(const struct vlab_device_model *model,
				       void *priv, const char *name,
				       const struct vlab_ram *ram,
				       struct vlab_irqchip *irqchip,
				       unsigned int irq, uint64_t mmio_base);

/**
 * vlab_device_destroy() - stop the thread and free the device.
 * @param dev the device (the model's priv is the caller's).
 */
void vlab_device_destroy(struct vlab_device *dev);

/**
 * vlab_device_offered_features() - every feature bit the device offers:
 * the model's, the ring features it was given, and VIRTIO_F_VERSION_1 (a
 * modern device).
 * @param dev the device.
 * @return the 64 bits.
 */
uint64_t vlab_device_offered_features(const struct vlab_device *dev);

/**
 * vlab_device_error() - the driver broke a rule: log it with its section,
 * set DEVICE_NEEDS_RESET and send a configuration-change interrupt
 * (§2.1.2). The device ignores its queues until the driver resets it.
 * @param dev the device.
 * @param vq the queue involved, or NULL.
 * @param spec the section broken, e.g. "§2.7.5".
 * @param fmt printf format of the rule.
 */
void vlab_device_error(struct vlab_device *dev, const struct vlab_vq *vq,
		       const char *spec, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/**
 * vlab_device_config_changed() - the device changed its configuration:
 * bump the generation (§2.5) and send a configuration-change interrupt.
 * @param dev the device.
 * @param offset first byte to change.
 * @param bytes new contents.
 * @param len how many bytes.
 */
void vlab_device_config_changed(struct vlab_device *dev, size_t offset,
				const void *bytes, size_t len);

/**
 * vlab_device_raise() - set InterruptStatus bits and raise the line.
 * @param dev the device.
 * @param bits VIRTIO_MMIO_INT_VRING and/or VIRTIO_MMIO_INT_CONFIG.
 */
void vlab_device_raise(struct vlab_device *dev, uint32_t bits);

/**
 * vlab_device_has_feature() - whether the driver accepted a feature (the
 * subset it wrote before FEATURES_OK).
 * @param dev the device.
 * @param bit the feature bit.
 * @return true when negotiated.
 */
bool vlab_device_has_feature(struct vlab_device *dev, unsigned int bit);

/**
 * vlab_device_live() - whether the device may process queues now.
 * @param dev the device.
 * @return true when DRIVER_OK is set and DEVICE_NEEDS_RESET is not.
 */
bool vlab_device_live(struct vlab_device *dev);

/**
 * vlab_device_set_poll_ns() - how long the device thread watches its
 * ring for more buffers before it sleeps (vhost's busy-poll), in the
 * free schedule; lockstep never polls.
 * @param dev the device.
 * @param ns nanoseconds; 0 turns polling off.
 */
void vlab_device_set_poll_ns(struct vlab_device *dev, unsigned long ns);

/**
 * vlab_device_notify_locked() - a QueueNotify for queue @p index: wake the
 * device thread (called with the lock held, from the register file).
 * @param dev the device.
 * @param index the queue index the driver wrote.
 * @return NULL when the device thread was woken (it traces the notify
 * event itself when it wakes, so the trace shows the device taking the
 * notification wherever the schedule lets it run), else why the
 * notification is ignored, for the caller to trace once it has dropped
 * the lock.
 */
const char *vlab_device_notify_locked(struct vlab_device *dev,
				      uint32_t index);

/**
 * vlab_device_set_stall() - hold the device's work back, or let it go:
 * while stalled, buffers the driver posts wait in the ring, as they do
 * behind a rate-limited or throttled device, so a test can kill the
 * process waiting for one.
 * @param dev the device.
 * @param stall true to hold, false to process what was notified.
 */
void vlab_device_set_stall(struct vlab_device *dev, bool stall);

/**
 * vlab_device_poke() - the host side of the device has work for queue
 * @p index (a console got input from the host, say): run the model's
 * process() for it on the device thread, as a notification would, but
 * with no notification event, since the driver sent none. Nothing runs
 * until the driver has set DRIVER_OK; the work waits until then.
 * @param dev the device.
 * @param index the queue.
 */
void vlab_device_poke(struct vlab_device *dev, unsigned int index);

/**
 * How long reset, QueueReady and vlab_device_wait_idle() wait for the
 * device thread by default (RELIABILITY L2); struct vlab_device's
 * @c quiesce_ms.
 */
#define VLAB_QUIESCE_MS 5000

/**
 * vlab_device_wait_idle() - wait until the device thread has nothing
 * notified and nothing in hand: every decision it makes about the work
 * offered so far (used elements, interrupts) has been made. Bounded by
 * @c quiesce_ms (RELIABILITY L2).
 * @param dev the device.
 * @return true when idle, false (after a message) when the bound passed.
 */
bool vlab_device_wait_idle(struct vlab_device *dev);

/**
 * vlab_device_quiesce_locked() - wait until the device thread is idle, so
 * queue state can change under it. Called with the lock held. Bounded
 * by @c quiesce_ms (RELIABILITY L2): a model that never returns cannot
 * hang the register write that waits for it.
 * @param dev the device.
 * @param what the write that waits, for the message.
 * @return 0, or -ETIMEDOUT after saying so.
 */
int vlab_device_quiesce_locked(struct vlab_device *dev, const char *what);

/**
 * vlab_device_reset_locked() - device reset (§2.4): status, features,
 * queues and interrupts back to their initial state. When the device
 * thread does not go idle within the bound (RELIABILITY L2) nothing is
 * reset: the status keeps DEVICE_NEEDS_RESET and does not read 0, and
 * the driver's bounded reset wait (R6) reports it.
 * @param dev the device, lock held.
 * @return 0, or -ETIMEDOUT.
 */
int vlab_device_reset_locked(struct vlab_device *dev);

/**
 * vlab_mmio_device_read() - a driver load from the device's registers.
 * @param dev the device.
 * @param offset register offset (virtio 1.2 §4.2.2).
 * @param size access width: 4 for a register, 1, 2 or 4 in the
 * configuration space; any other is refused (RELIABILITY D21).
 * @return the value; 0 for unknown registers and refused widths.
 */
uint64_t vlab_mmio_device_read(struct vlab_device *dev, uint64_t offset,
			       unsigned int size);

/**
 * vlab_mmio_device_write() - a driver store to the device's registers.
 * @param dev the device.
 * @param offset register offset.
 * @param val the value.
 * @param size access width, as for vlab_mmio_device_read() (D21).
 */
void vlab_mmio_device_write(struct vlab_device *dev, uint64_t offset,
			    uint64_t val, unsigned int size);

#endif /* VLAB_SIM_DEVICE_H */
