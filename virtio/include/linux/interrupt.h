/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Interrupt handlers.
 *
 * A handler registered with request_irq() runs on the guest IRQ thread each
 * time the simulated interrupt controller delivers its line: that thread is
 * interrupt context, where nothing may sleep.
 */
#ifndef _VLAB_LINUX_INTERRUPT_H
#define _VLAB_LINUX_INTERRUPT_H

#include <linux/kernel.h>
#include <linux/preempt.h>

/** What a handler tells the interrupt core. */
typedef enum irqreturn {
	IRQ_NONE = 0,		/**< the interrupt was not ours */
	IRQ_HANDLED = 1,	/**< the interrupt was ours and is handled */
} irqreturn_t;

/** An interrupt handler. */
typedef irqreturn_t (*irq_handler_t)(int irq, void *dev_id);

/** The line may be shared with other devices. */
#define IRQF_SHARED 0x80UL

/**
 * request_irq() - run @p handler whenever line @p irq is raised.
 * @param irq the line (from the platform resource).
 * @param handler the handler.
 * @param flags IRQF_* flags.
 * @param name shown in logs and traces.
 * @param dev_id passed back to the handler; identifies it for free_irq().
 * @return 0, -EINVAL for a bad line, -EBUSY when taken and not shared.
 */
int __must_check request_irq(unsigned int irq, irq_handler_t handler,
			     unsigned long flags, const char *name,
			     void *dev_id);

/**
 * free_irq() - remove a handler; waits until it no longer runs.
 * @param irq the line.
 * @param dev_id the value given to request_irq().
 * @return the name given to request_irq(), or NULL.
 */
const void *free_irq(unsigned int irq, void *dev_id);

/**
 * synchronize_irq() - wait until running handlers of @p irq have returned.
 * @param irq the line.
 */
void synchronize_irq(unsigned int irq);

#endif /* _VLAB_LINUX_INTERRUPT_H */
