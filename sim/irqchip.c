// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Interrupt controller and guest IRQ thread.
 */
#include "sim/irqchip.h"

#include <errno.h>

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

	vlab_thread_set_name("irq");
	pthread_mutex_lock(&chip->lock);
	for (;;) {
		while (!chip->pending && !chip->stop)
			pthread_cond_wait(&chip->cond, &chip->lock);
		if (!chip->pending && chip->stop)
			break;
		pending = chip->pending;
		chip->pending = 0;
		pthread_mutex_unlock(&chip->lock);
		for (line = 0; line < VLAB_IRQ_LINES; line++) {
			if (!(pending & (1ULL << line)))
				continue;
			chip->deliver(line);
			__atomic_fetch_add(&chip->delivered, 1,
					   __ATOMIC_RELAXED);
		}
		pthread_mutex_lock(&chip->lock);
	}
	pthread_mutex_unlock(&chip->lock);
	return NULL;
}

int vlab_irqchip_start(struct vlab_irqchip *chip,
		       void (*deliver)(unsigned int line))
{
	int err;

	pthread_mutex_init(&chip->lock, NULL);
	pthread_cond_init(&chip->cond, NULL);
	chip->deliver = deliver;
	err = pthread_create(&chip->thread, NULL, irq_thread, chip);
	if (err)
		return -err;
	chip->running = true;
	return 0;
}

void vlab_irqchip_stop(struct vlab_irqchip *chip)
{
	if (!chip->running)
		return;
	pthread_mutex_lock(&chip->lock);
	chip->stop = true;
	pthread_cond_signal(&chip->cond);
	pthread_mutex_unlock(&chip->lock);
	pthread_join(chip->thread, NULL);
	chip->running = false;
	pthread_cond_destroy(&chip->cond);
	pthread_mutex_destroy(&chip->lock);
}

void vlab_irqchip_raise(struct vlab_irqchip *chip, unsigned int line)
{
	if (line >= VLAB_IRQ_LINES)
		return;
	pthread_mutex_lock(&chip->lock);
	chip->pending |= 1ULL << line;
	pthread_cond_signal(&chip->cond);
	pthread_mutex_unlock(&chip->lock);
}
