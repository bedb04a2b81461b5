/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Coherent DMA memory: where virtqueue rings live.
 *
 * There is no IOMMU in the simulated machine (VIRTIO_F_ACCESS_PLATFORM is not
 * offered), so a DMA address is the guest-physical address.
 */
#ifndef _VLAB_LINUX_DMA_MAPPING_H
#define _VLAB_LINUX_DMA_MAPPING_H

#include <linux/gfp.h>
#include <linux/types.h>

struct device;

/** Which way data moves in a DMA transfer. */
enum dma_data_direction {
	DMA_BIDIRECTIONAL = 0,	/**< both ways */
	DMA_TO_DEVICE = 1,	/**< the device reads */
	DMA_FROM_DEVICE = 2,	/**< the device writes */
	DMA_NONE = 3,		/**< no transfer */
};

/**
 * dma_alloc_coherent() - allocate memory both CPU and device see alike.
 * @param dev the device (unused: one coherent address space).
 * @param size bytes wanted; the block is page aligned.
 * @param dma_handle receives the block's guest-physical address.
 * @param gfp GFP_KERNEL or GFP_ATOMIC.
 *
 * @return zeroed, page-aligned memory, or NULL.
 */
void *dma_alloc_coherent(struct device *dev, size_t size,
			 dma_addr_t *dma_handle, gfp_t gfp);

/**
 * dma_free_coherent() - free memory from dma_alloc_coherent().
 * @param dev the device.
 * @param size the size passed to the allocation.
 * @param cpu_addr the pointer the allocation returned.
 * @param dma_handle the address the allocation returned.
 */
void dma_free_coherent(struct device *dev, size_t size, void *cpu_addr,
		       dma_addr_t dma_handle);

#endif /* _VLAB_LINUX_DMA_MAPPING_H */
