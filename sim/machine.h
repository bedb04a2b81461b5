/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief The simulated machine: RAM, an interrupt controller, virtio-mmio
 * devices on an MMIO bus, and the guest kernel that runs on them.
 *
 * Board layout (as on QEMU's arm "virt" machine): RAM at 0x40000000,
 * virtio-mmio windows of 0x200 bytes from 0x0a000000, device N on
 * interrupt line 16 + N.
 */
#ifndef VLAB_SIM_MACHINE_H
#define VLAB_SIM_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/device.h"
#include "sim/irqchip.h"
#include "sim/ram.h"

/** Guest-physical base of the first virtio-mmio window. */
#define VLAB_MMIO_BASE 0x0a000000ULL
/** Size of one virtio-mmio window. */
#define VLAB_MMIO_SLOT 0x200ULL
/** Most devices one machine holds. */
#define VLAB_MAX_DEVICES 32
/** Interrupt line of device 0. */
#define VLAB_IRQ_BASE 16

/** Machine settings. */
struct vlab_machine_opts {
	uint64_t ram_size;	/**< bytes of RAM; 0 for the default */
	int loglevel;		/**< guest printk levels shown (0-7) */
};

/** A machine. */
struct vlab_machine {
	struct vlab_ram ram;	/**< guest RAM */
	struct vlab_irqchip irqchip; /**< interrupts and the IRQ thread */
	void *mmio_window;	/**< no-access host pages behind MMIO space */
	struct vlab_device *devs[VLAB_MAX_DEVICES]; /**< its devices */
	unsigned int ndevs;	/**< how many */
	bool booted;		/**< the guest kernel runs */
};

/**
 * vlab_machine_init() - build a machine with no devices yet.
 * @param m the machine (any contents).
 * @param opts settings, or NULL for the defaults.
 * @return 0 or -errno.
 */
int vlab_machine_init(struct vlab_machine *m,
		      const struct vlab_machine_opts *opts);

/**
 * vlab_machine_add_device() - plug a device into the next MMIO window;
 * on a booted machine the guest probes it at once (hotplug).
 * @param m the machine.
 * @param model the device type.
 * @param priv the model's state (owned by the caller).
 * @param name its name in traces, e.g. "rng0".
 * @return the device, or NULL.
 */
struct vlab_device *vlab_machine_add_device(struct vlab_machine *m,
					    const struct vlab_device_model *model,
					    void *priv, const char *name);

/**
 * vlab_machine_boot() - start the guest kernel and let it probe every
 * device (virtio-mmio only; drivers come with guest_module_load()).
 * @param m the machine.
 * @param opts the loglevel to use, or NULL.
 * @return 0 or a negative errno.
 */
int vlab_machine_boot(struct vlab_machine *m,
		      const struct vlab_machine_opts *opts);

/**
 * vlab_machine_fini() - shut the guest down, stop every thread, free all.
 * @param m the machine.
 */
void vlab_machine_fini(struct vlab_machine *m);

#endif /* VLAB_SIM_MACHINE_H */
