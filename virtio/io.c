// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief ioremap() and the MMIO trap.
 *
 * The board backs the guest's MMIO window with host pages mapped with no
 * access: any plain dereference faults, only readl()/writel() work. They turn the host
 * address back into a guest-physical one and call the board's trap, which
 * is where the simulated device's register file answers.
 */
#include <linux/io.h>
#include <linux/kernel.h>

#include "virtio/boot.h"

/** Host pages behind the MMIO window (no access allowed). */
static uint8_t *window;
/** The board: window base and the trap callbacks. */
static struct guest_hw io_hw;

int guest_io_init(const struct guest_hw *hw)
{
	if (!hw->mmio_window || !hw->mmio_read || !hw->mmio_write)
		return -EINVAL;
	window = hw->mmio_window;
	io_hw = *hw;
	return 0;
}

void guest_io_fini(void)
{
	window = NULL;
}

void __iomem *ioremap(phys_addr_t phys, size_t size)
{
	if (!window || phys < io_hw.mmio_gpa ||
	    phys - io_hw.mmio_gpa > io_hw.mmio_size ||
	    size > io_hw.mmio_size - (phys - io_hw.mmio_gpa))
		return NULL;
	return window + (phys - io_hw.mmio_gpa);
}

void iounmap(volatile void __iomem *addr)
{
	(void)addr;
}

/**
 * mmio_gpa() - guest-physical address behind an ioremap()ed pointer.
 * @param addr the pointer.
 * @param size access width.
 * @return the address; BUG() when the access is outside the window.
 */
static uint64_t mmio_gpa(const volatile void __iomem *addr, unsigned int size)
{
	const volatile uint8_t *p = addr;

	BUG_ON(!window || p < window || p + size > window + io_hw.mmio_size);
	return io_hw.mmio_gpa + (uint64_t)(p - window);
}

u64 vlab_mmio_read(const volatile void __iomem *addr, unsigned int size)
{
	return io_hw.mmio_read(io_hw.opaque, mmio_gpa(addr, size), size);
}

void vlab_mmio_write(volatile void __iomem *addr, u64 val, unsigned int size)
{
	io_hw.mmio_write(io_hw.opaque, mmio_gpa(addr, size), val, size);
}
