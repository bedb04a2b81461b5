/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief ID allocators: small numbers handed out and given back, such as
 * the N of /dev/vlab-rngN.
 *
 * A driver that can bind to several devices needs a distinct name for
 * each one's node; it takes the lowest free number from an ida at probe
 * and gives it back at remove, as Linux drivers do (virtio_blk's vdN,
 * the virtio core's virtioN). Linux keeps the numbers in an xarray; here
 * a fixed bitmap of IDA_MAX_IDS bits is enough. The names and signatures
 * are those of include/linux/idr.h.
 */
#ifndef _VLAB_LINUX_IDR_H
#define _VLAB_LINUX_IDR_H

#include <linux/gfp.h>
#include <linux/kernel.h>

/** Numbers one ida can hand out in the simulator (0 to IDA_MAX_IDS - 1). */
#define IDA_MAX_IDS 256

/** A set of allocated IDs. */
struct ida {
	/** bit N set: N is taken */
	unsigned long bits[IDA_MAX_IDS / (8 * sizeof(unsigned long))];
};

/** Define an empty ida named @p name. */
#define DEFINE_IDA(name) struct ida name = { { 0 } }

/**
 * ida_init() - make an ida empty before first use.
 * @param ida the ida.
 */
void ida_init(struct ida *ida);

/**
 * ida_alloc_range() - take the lowest free ID in [@p min, @p max].
 * @param ida the ida.
 * @param min the lowest acceptable ID.
 * @param max the highest acceptable ID.
 * @param gfp allocation flags (unused: the bitmap is preallocated).
 * @return the ID, or -ENOSPC when every ID in the range is taken.
 */
int ida_alloc_range(struct ida *ida, unsigned int min, unsigned int max,
		    gfp_t gfp);

/**
 * ida_alloc() - take the lowest free ID.
 * @param ida the ida.
 * @param gfp allocation flags.
 * @return the ID, or a negative errno.
 */
static inline int ida_alloc(struct ida *ida, gfp_t gfp)
{
	return ida_alloc_range(ida, 0, ~0u, gfp);
}

/**
 * ida_free() - give an ID back; freeing one not taken is a bug (WARN).
 * @param ida the ida.
 * @param id the ID.
 */
void ida_free(struct ida *ida, unsigned int id);

/**
 * ida_destroy() - forget every ID (module exit).
 * @param ida the ida.
 */
void ida_destroy(struct ida *ida);

/**
 * ida_is_empty() - whether no ID is taken.
 * @param ida the ida.
 * @return true when empty.
 */
bool ida_is_empty(const struct ida *ida);

#endif /* _VLAB_LINUX_IDR_H */
