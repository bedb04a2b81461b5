// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Interrupt lines and their handlers.
 *
 * The simulator's interrupt controller calls guest_handle_irq() on the
 * guest IRQ thread; the handlers registered for that line run there, in
 * interrupt context. One lock is held while handlers run, so free_irq()
 * and synchronize_irq() return only once no handler of the line is
 * running, as in the kernel.
 */
#include <string.h>
#include <pthread.h>

#include <linux/interrupt.h>

#include "virtio/shared/boundary.h"
#include "virtio/irq_context.h"

/** Interrupt lines the guest knows. */
#define NR_IRQS 64
/** Handlers one line may share. */
#define IRQ_SHARERS 4

/** One registered handler. */
struct irq_action {
	irq_handler_t handler;	/**< the function, NULL when free */
	const char *name;	/**< for logs */
	void *dev_id;		/**< its argument and identity */
	unsigned long flags;	/**< IRQF_* */
};

/** Held while handlers run and while the table changes. */
static pthread_mutex_t irq_lock = PTHREAD_MUTEX_INITIALIZER;
/** Handlers of each line. */
static struct irq_action actions[NR_IRQS][IRQ_SHARERS];

int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags,
		const char *name, void *dev_id)
{
	struct irq_action *a;
	int i, slot = -1, ret = 0;

	if (irq >= NR_IRQS || !handler)
		return -EINVAL;
	vlab_mutex_lock(&irq_lock);
	for (i = 0; i < IRQ_SHARERS; i++) {
		a = &actions[irq][i];
		if (!a->handler) {
			if (slot < 0)
				slot = i;
		} else if (!(a->flags & flags & IRQF_SHARED)) {
			ret = -EBUSY;
		}
	}
	if (!ret && slot < 0)
		ret = -EBUSY;
	if (!ret) {
		a = &actions[irq][slot];
		a->handler = handler;
		a->name = name;
		a->dev_id = dev_id;
		a->flags = flags;
	}
	vlab_mutex_unlock(&irq_lock);
	return ret;
}

const void *free_irq(unsigned int irq, void *dev_id)
{
	const char *name = NULL;
	int i;

	if (irq >= NR_IRQS)
		return NULL;
	vlab_mutex_lock(&irq_lock);
	for (i = 0; i < IRQ_SHARERS; i++) {
		if (actions[irq][i].handler && actions[irq][i].dev_id == dev_id) {
			name = actions[irq][i].name;
			memset(&actions[irq][i], 0, sizeof(actions[irq][i]));
			break;
		}
	}
	vlab_mutex_unlock(&irq_lock);
	WARN_ON(!name);
	return name;
}

void synchronize_irq(unsigned int irq)
{
	(void)irq;
	vlab_mutex_lock(&irq_lock);
	vlab_mutex_unlock(&irq_lock);
}

void guest_handle_irq(unsigned int line)
{
	irqreturn_t ret = IRQ_NONE;
	int i;

	if (line >= NR_IRQS)
		return;
	vlab_mutex_lock(&irq_lock);
	guest_irq_context_enter();
	for (i = 0; i < IRQ_SHARERS; i++)
		if (actions[line][i].handler)
			ret |= actions[line][i].handler((int)line,
							actions[line][i].dev_id);
	guest_irq_context_exit();
	vlab_mutex_unlock(&irq_lock);
	/* A line nobody claims is a spurious interrupt: tolerated (§2.7.7.1) */
	if (ret == IRQ_NONE)
		pr_debug("irq %u: nobody cared\n", line);
}
