/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief MMIO accessors and address conversion.
 *
 * ioremap() hands out addresses in a host window that is mapped with no
 * access at all: a stray dereference faults at once, as a wild MMIO access
 * would. readl()/writel() on such an address leave the guest and trap into
 * the simulated device's register file, the way a VM exit reaches the
 * hypervisor (virtio 1.2 §4.2.2).
 */
#ifndef _VLAB_LINUX_IO_H
#define _VLAB_LINUX_IO_H

#include <linux/types.h>
#include <linux/compiler.h>

/**
 * vlab_mmio_read() - trap a load from MMIO space into the simulator.
 * @param addr an address returned by ioremap() plus an offset.
 * @param size access width in bytes: 1, 2, 4 or 8.
 *
 * @return the value the device returned.
 */
u64 vlab_mmio_read(const volatile void __iomem *addr, unsigned int size);

/**
 * vlab_mmio_write() - trap a store to MMIO space into the simulator.
 * @param addr an address returned by ioremap() plus an offset.
 * @param val the value.
 * @param size access width in bytes: 1, 2, 4 or 8.
 */
void vlab_mmio_write(volatile void __iomem *addr, u64 val, unsigned int size);

/**
 * readb() - 8-bit MMIO load.
 * @param addr MMIO address.
 *
 * @return the register's value.
 */
static inline u8 readb(const volatile void __iomem *addr)
{
	return (u8)vlab_mmio_read(addr, 1);
}

/**
 * readw() - 16-bit little-endian MMIO load.
 * @param addr MMIO address.
 *
 * @return the register's value.
 */
static inline u16 readw(const volatile void __iomem *addr)
{
	return (u16)vlab_mmio_read(addr, 2);
}

/**
 * readl() - 32-bit little-endian MMIO load.
 * @param addr MMIO address.
 *
 * @return the register's value.
 */
static inline u32 readl(const volatile void __iomem *addr)
{
	return (u32)vlab_mmio_read(addr, 4);
}

/**
 * writeb() - 8-bit MMIO store.
 * @param val value.
 * @param addr MMIO address.
 */
static inline void writeb(u8 val, volatile void __iomem *addr)
{
	vlab_mmio_write(addr, val, 1);
}

/**
 * writew() - 16-bit little-endian MMIO store.
 * @param val value.
 * @param addr MMIO address.
 */
static inline void writew(u16 val, volatile void __iomem *addr)
{
	vlab_mmio_write(addr, val, 2);
}

/**
 * writel() - 32-bit little-endian MMIO store.
 * @param val value.
 * @param addr MMIO address.
 */
static inline void writel(u32 val, volatile void __iomem *addr)
{
	vlab_mmio_write(addr, val, 4);
}

/**
 * ioremap() - map a guest-physical MMIO range for readl()/writel().
 * @param phys start of the range (for virtio-mmio, the device's base).
 * @param size length of the range.
 *
 * @return the address to pass to the accessors, or NULL when the range
 * lies outside the machine's MMIO window.
 */
void __iomem *ioremap(phys_addr_t phys, size_t size);

/**
 * iounmap() - forget a mapping made by ioremap().
 * @param addr the address ioremap() returned.
 */
void iounmap(volatile void __iomem *addr);

/**
 * vlab_virt_range_valid() - tell whether a range is guest kernel memory.
 * @param addr start of the range.
 * @param len its length in bytes.
 *
 * @return true when the whole range lies in guest RAM, i.e. it came from
 * kmalloc() or a DMA allocation and has a guest-physical address.
 */
bool vlab_virt_range_valid(const void *addr, size_t len);

/** True when @p addr points into guest RAM (the kernel's test). */
#define virt_addr_valid(addr) vlab_virt_range_valid((addr), 1)

/**
 * virt_to_phys() - the guest-physical address of guest kernel memory.
 * @param addr a pointer into guest RAM.
 *
 * @return its guest-physical address (0 when @p addr is outside RAM).
 */
phys_addr_t virt_to_phys(const volatile void *addr);

/**
 * phys_to_virt() - the guest kernel pointer for a guest-physical address.
 * @param phys an address inside guest RAM.
 *
 * @return the pointer, or NULL when @p phys is outside RAM.
 */
void *phys_to_virt(phys_addr_t phys);

#endif /* _VLAB_LINUX_IO_H */
