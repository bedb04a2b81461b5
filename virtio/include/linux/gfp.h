/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Allocation context flags.
 *
 * GFP_KERNEL may sleep to find memory and is for process context only;
 * GFP_ATOMIC never sleeps and is what interrupt context must use.
 */
#ifndef _VLAB_LINUX_GFP_H
#define _VLAB_LINUX_GFP_H

#include <linux/types.h>

/** The allocator may sleep (reclaim memory) before it gives up. */
#define __GFP_DIRECT_RECLAIM 0x400u
/** Fill the allocation with zeroes. */
#define __GFP_ZERO 0x100u
/** Do not print a warning when the allocation fails. */
#define __GFP_NOWARN 0x200u
/** Normal allocation for process context: may sleep. */
#define GFP_KERNEL (__GFP_DIRECT_RECLAIM)
/** Allocation from interrupt context or under a spinlock: never sleeps. */
#define GFP_ATOMIC 0u

#endif /* _VLAB_LINUX_GFP_H */
