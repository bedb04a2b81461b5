// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Interrupt controller and guest IRQ thread.
 */
#include "sim/irqchip.h"

#include <errno.h>

#include "sim/sched.h"
#include "sim/trace.h"

/**
 * irq_thread() - deliver raised lines, lowest first, until stopped.
 * @param arg the controller.
 * @return NULL.
 */
static void *irq_thread(void *arg)
{
	struct vlab_irqchip *chip = arg;
	unsigned int line;
	uint64_t pending;

	vlab_mutex_lock(&chip->lock);
	for (;;) {
		while (!chip->pending && !chip->stop) {
			vlab_wait_reason("an interrupt from a device");
			vlab_cond_wait(&chip->cond, &chip->lock);
		}
		if (!chip->pending && chip->stop)
			break;
		pending = chip->pending;
		chip->pending = 0;
		vlab_mutex_unlock(&chip->lock);
		for (line = 0; line < VLAB_IRQ_LINES; line++) {
			if (!(pending & (1ULL << line)))
				continue;
			chip->deliver(line);
			__atomic_fetch_add(&chip->delivered, 1,
					   __ATOMIC_RELAXED);
		}
		vlab_mutex_lock(&chip->lock);
	}
	vlab_mutex_unlock(&chip->lock);
	return NULL;
}

int vlab_irqchip_start(struct vlab_irqchip *chip,
		       void (*deliver)(unsigned int line))
{
	int err;

	pthread_mutex_init(&chip->lock, NULL);
	pthread_cond_init(&chip->cond, NULL);
	chip->deliver = deliver;
	err = vlab_thread_spawn(&chip->thread, "irq", irq_thread, chip);
	if (err)
		return err;
	chip->running = true;
	return 0;
}

void vlab_irqchip_stop(struct vlab_irqchip *chip)
{
	if (!chip->running)
		return;
	vlab_mutex_lock(&chip->lock);
	chip->stop = true;
	vlab_cond_signal(&chip->cond);
	vlab_mutex_unlock(&chip->lock);
	vlab_thread_join(chip->thread);
	chip->running = false;
	pthread_cond_destroy(&chip->cond);
	pthread_mutex_destroy(&chip->lock);
}

void vlab_irqchip_raise(struct vlab_irqchip *chip, unsigned int line)
{
	if (line >= VLAB_IRQ_LINES)
		return;
	vlab_mutex_lock(&chip->lock);
	chip->pending |= 1ULL << line;
	vlab_cond_signal(&chip->cond);
	vlab_mutex_unlock(&chip->lock);
}
