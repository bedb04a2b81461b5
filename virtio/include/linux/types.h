/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Kernel integer types on top of the UAPI <linux/types.h>.
 *
 * Drivers write u8/u32/dma_addr_t the way the kernel does; the UAPI header
 * already gives the __u8/__le32/__virtio16 spellings the wire layouts use, so
 * this header adds only the kernel-internal names.
 */
#ifndef _VLAB_LINUX_TYPES_H
#define _VLAB_LINUX_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Kernel name for an unsigned 8-bit value. */
typedef __u8 u8;
/** Kernel name for an unsigned 16-bit value. */
typedef __u16 u16;
/** Kernel name for an unsigned 32-bit value. */
typedef __u32 u32;
/** Kernel name for an unsigned 64-bit value. */
typedef __u64 u64;
/** Kernel name for a signed 8-bit value. */
typedef __s8 s8;
/** Kernel name for a signed 16-bit value. */
typedef __s16 s16;
/** Kernel name for a signed 32-bit value. */
typedef __s32 s32;
/** Kernel name for a signed 64-bit value. */
typedef __s64 s64;
/** Signed byte count returned by read() and write() handlers. */
typedef long ssize_t;
/** File offset, 64 bits wide as in the kernel. */
typedef long long loff_t;
/** Address a device uses for DMA: a guest-physical address here. */
typedef u64 dma_addr_t;
/** A guest-physical address. */
typedef u64 phys_addr_t;
/** Allocation flags (GFP_KERNEL, GFP_ATOMIC); see <linux/gfp.h>. */
typedef unsigned int gfp_t;
/** File mode bits. */
typedef unsigned short umode_t;

/** Kernel code spells the GNU typeof keyword without underscores. */
#define typeof __typeof__

#endif /* _VLAB_LINUX_TYPES_H */
