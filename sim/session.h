/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief A session: one simulated machine with its devices, the ring
 * layout and ring features they offer, and the schedule its threads run
 * in. The vlab command, the test harness and the benchmark all start and
 * stop machines through it, so the ring set-up is written once.
 *
 * Order of a session: vlab_session_init() (the schedule first, so that
 * every thread the machine starts takes part in it), one
 * vlab_session_add_device() per device, vlab_session_boot(), then the
 * guest's work (guest_module_load(), guest programs), and
 * vlab_session_fini().
 */
#ifndef VLAB_SIM_SESSION_H
#define VLAB_SIM_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/machine.h"

/**
 * The ring configuration devices offer (§2.7, §2.8, §2.7.5.3, §2.7.10):
 * which ring layout and which of the two optional ring features. Every
 * suite runs over the matrix of these, and the command's --ring,
 * --no-indirect and --no-event-idx set them.
 */
struct vlab_ring_cfg {
	bool packed;		/**< offer VIRTIO_F_RING_PACKED (§2.8) */
	bool indirect;		/**< offer VIRTIO_RING_F_INDIRECT_DESC */
	bool event_idx;		/**< offer VIRTIO_RING_F_EVENT_IDX */
};

/** What a device offers unless told otherwise: split, both features. */
#define VLAB_RING_CFG_DEFAULT \
	((struct vlab_ring_cfg){ .indirect = true, .event_idx = true })

/**
 * vlab_ring_cfg_features() - the feature bits a ring configuration
 * offers, as a device's @c ring_features holds them.
 * @param cfg the configuration.
 * @return VIRTIO_F_RING_PACKED, VIRTIO_RING_F_INDIRECT_DESC and
 * VIRTIO_RING_F_EVENT_IDX bits as @p cfg says.
 */
uint64_t vlab_ring_cfg_features(const struct vlab_ring_cfg *cfg);

/** How to start a session. */
struct vlab_session_opts {
	uint64_t ram_size;	/**< bytes of guest RAM; 0 for the default */
	int loglevel;		/**< guest printk levels shown (0-7) */
	struct vlab_ring_cfg ring; /**< what every device offers */
	bool lockstep;		/**< the lockstep schedule, else free */
	uint64_t seed;		/**< lockstep: chooses the interleaving */
	unsigned int wake_latency; /**< lockstep: events a woken thread
				       sits out (vlab_sched_set_wake_latency) */
};

/** One running session. */
struct vlab_session {
	struct vlab_machine m;		/**< the machine */
	struct vlab_session_opts opts;	/**< as started */
	bool built;			/**< @c m needs vlab_machine_fini() */
	bool lockstep;			/**< this session turned lockstep on */
};

/**
 * vlab_session_init() - turn the schedule on and build the machine
 * (RAM, interrupt controller), with no device yet.
 * @param s the session (overwritten).
 * @param opts how; copied.
 * @return 0, -EBUSY when lockstep is on already, or another negative
 * errno from building the machine (the schedule is off again then).
 */
int vlab_session_init(struct vlab_session *s,
		      const struct vlab_session_opts *opts);

/**
 * vlab_session_add_device() - plug a device in, offering the session's
 * ring configuration.
 * @param s the session.
 * @param model the device type.
 * @param priv the model's state (owned by the caller).
 * @param name its name in traces, e.g. "rng0".
 * @return the device, or NULL when the machine is full.
 */
struct vlab_device *vlab_session_add_device(struct vlab_session *s,
					    const struct vlab_device_model *model,
					    void *priv, const char *name);

/**
 * vlab_session_boot() - start the guest kernel; the virtio-mmio
 * transport probes every device (drivers come with guest_module_load()).
 * @param s the session.
 * @return 0 or a negative errno.
 */
int vlab_session_boot(struct vlab_session *s);

/**
 * vlab_session_fini() - shut the guest down, stop every thread, free the
 * machine and turn the schedule off. Safe on a session whose init failed.
 * @param s the session.
 */
void vlab_session_fini(struct vlab_session *s);

#endif /* VLAB_SIM_SESSION_H */
