/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief The interrupt controller and the guest IRQ thread.
 *
 * Devices raise lines from their own threads; the controller records them
 * and wakes the guest IRQ thread, which delivers each pending line to the
 * guest kernel (guest_handle_irq()) in interrupt context. A line raised
 * again while its handler runs is delivered again afterwards, so no
 * interrupt is lost.
 */
#ifndef VLAB_SIM_IRQCHIP_H
#define VLAB_SIM_IRQCHIP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/** Lines the controller has. */
#define VLAB_IRQ_LINES 64

/** An interrupt controller with its delivery thread. */
struct vlab_irqchip {
	pthread_mutex_t lock;	/**< protects the fields below */
	pthread_cond_t cond;	/**< wakes the IRQ thread */
	uint64_t pending;	/**< one bit per raised line */
	bool stop;		/**< the thread must exit */
	bool running;		/**< the thread was started */
	pthread_t thread;	/**< the guest IRQ thread */
	void (*deliver)(unsigned int line); /**< the guest's entry */
	unsigned long delivered; /**< interrupts delivered (atomic) */
};

/**
 * vlab_irqchip_start() - start the guest IRQ thread.
 * @param chip the controller (zeroed by the caller).
 * @param deliver called on the IRQ thread for each raised line.
 * @return 0 or -errno.
 */
int vlab_irqchip_start(struct vlab_irqchip *chip,
		       void (*deliver)(unsigned int line));

/**
 * vlab_irqchip_stop() - stop the IRQ thread after pending deliveries.
 * @param chip the controller.
 */
void vlab_irqchip_stop(struct vlab_irqchip *chip);

/**
 * vlab_irqchip_raise() - raise a line; never blocks on the guest.
 * @param chip the controller.
 * @param line the line, below VLAB_IRQ_LINES.
 */
void vlab_irqchip_raise(struct vlab_irqchip *chip, unsigned int line);

#endif /* VLAB_SIM_IRQCHIP_H */
