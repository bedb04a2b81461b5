// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief What the fuzz targets link instead of the interrupt controller:
 * an interrupt goes nowhere, and is counted (a fuzz target has no guest).
 */
#include "sim/irqchip.h"

/** Interrupts the code under test raised. */
unsigned long fuzz_irqs;

void vlab_irqchip_raise(struct vlab_irqchip *chip, unsigned int line)
{
	(void)chip;
	(void)line;
	__atomic_fetch_add(&fuzz_irqs, 1, __ATOMIC_RELAXED);
}
