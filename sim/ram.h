/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Guest RAM: one host mapping with its own guest-physical addresses.
 *
 * Guest-physical addresses start at VLAB_RAM_BASE, so they never equal the
 * host pointers behind them: a device that used a ring address as a host
 * pointer would fault at once. Devices reach guest memory only through
 * vlab_ram_ptr(), which refuses any range not wholly inside RAM, including
 * ranges whose end wraps around 2^64 (RELIABILITY D9).
 *
 * Guest RAM has a second form: a set of regions mapped from someone
 * else's memory, as a vhost-user back-end maps the file descriptors its
 * front-end hands it (sim/vhost_user.h). The same translation serves
 * both, and in both a range must lie wholly inside one piece of RAM.
 */
#ifndef VLAB_SIM_RAM_H
#define VLAB_SIM_RAM_H

#include <stdint.h>

/** Guest-physical address of the first byte of RAM (as on QEMU's arm virt). */
#define VLAB_RAM_BASE 0x40000000ULL
/** Default RAM size. */
#define VLAB_RAM_DEFAULT_SIZE (16ULL << 20)

/**
 * Bytes of inaccessible (PROT_NONE) host memory mapped before and after
 * guest RAM: a stray host access just outside it faults in every build,
 * sanitizers or not, instead of reading or corrupting a neighbour.
 */
#define VLAB_RAM_GUARD (64ULL << 10)

/** Most regions one RAM of the second form holds. */
#define VLAB_RAM_MAX_REGIONS 8

/**
 * One region of guest RAM mapped from elsewhere: a contiguous range of
 * guest-physical addresses behind one host mapping.
 */
struct vlab_ram_region {
	uint64_t gpa;		/**< guest-physical address of its first byte */
	uint64_t size;		/**< bytes */
	uint8_t *host;		/**< host pointer of its first byte */
};

/**
 * A machine's RAM: one mapping of our own (@c host, @c gpa, @c size), or,
 * when @c nregions is not 0, the regions of @c regions and nothing else.
 */
struct vlab_ram {
	uint8_t *host;		/**< host mapping of the first byte */
	uint64_t gpa;		/**< guest-physical address of that byte */
	uint64_t size;		/**< bytes */
	/** regions mapped from elsewhere, sorted by address, disjoint */
	struct vlab_ram_region regions[VLAB_RAM_MAX_REGIONS];
	unsigned int nregions;	/**< regions in use; 0: the one mapping */
};

/**
 * vlab_ram_init() - map zeroed guest RAM between two guard areas of
 * VLAB_RAM_GUARD bytes that no access may touch.
 * @param ram receives the mapping.
 * @param size bytes, a multiple of 4096.
 * @return 0, or -errno when the host cannot map it.
 */
int vlab_ram_init(struct vlab_ram *ram, uint64_t size);

/**
 * vlab_ram_fini() - unmap guest RAM.
 * @param ram the RAM.
 */
void vlab_ram_fini(struct vlab_ram *ram);

/**
 * vlab_ram_ptr() - translate a guest-physical range for a device access.
 * @param ram the RAM.
 * @param gpa first byte of the range.
 * @param len its length; 0 is allowed and checks @p gpa alone.
 * @return the host pointer of @p gpa, or NULL when any byte of the range is
 * outside RAM or the range wraps. With regions, the whole range must lie
 * inside one region: two regions that happen to touch are two mappings,
 * not one run of host memory.
 */
void *vlab_ram_ptr(const struct vlab_ram *ram, uint64_t gpa, uint64_t len);

/**
 * vlab_ram_set_regions() - make @p ram the second form: the given regions
 * and nothing else. Nothing is mapped or unmapped here; the caller owns
 * the mappings and must keep every device off this RAM while it changes.
 * @param ram the RAM (its own mapping, if any, is left alone and unused).
 * @param r the regions, in any order.
 * @param n how many, at most VLAB_RAM_MAX_REGIONS; 0 leaves no RAM at all.
 * @return 0, or -EINVAL when a region is empty, wraps around 2^64, or
 * overlaps another (nothing changed then).
 */
int vlab_ram_set_regions(struct vlab_ram *ram,
			 const struct vlab_ram_region *r, unsigned int n);

#endif /* VLAB_SIM_RAM_H */
