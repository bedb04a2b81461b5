/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Entering and leaving interrupt context on the guest IRQ thread.
 */
#ifndef VLAB_VIRTIO_IRQ_CONTEXT_H
#define VLAB_VIRTIO_IRQ_CONTEXT_H

/**
 * guest_irq_context_enter() - from here on in_interrupt() is true and
 * sleeping calls are reported.
 */
void guest_irq_context_enter(void);

/**
 * guest_irq_context_exit() - back to process context.
 */
void guest_irq_context_exit(void);

#endif /* VLAB_VIRTIO_IRQ_CONTEXT_H */
