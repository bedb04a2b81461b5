// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Guest RAM mapping and bounds-checked translation, for RAM of our
 * own and for regions mapped from a vhost-user front-end.
 */
#include "sim/ram.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

int vlab_ram_init(struct vlab_ram *ram, uint64_t size)
{
	void *p;

	if (size == 0 || size % 4096)
		return -EINVAL;
	if (size > UINT64_MAX - 2 * VLAB_RAM_GUARD)
		return -EINVAL;
	/* the whole span inaccessible, then RAM opened in its middle */
	p = mmap(NULL, size + 2 * VLAB_RAM_GUARD, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (mprotect((uint8_t *)p + VLAB_RAM_GUARD, size,
		     PROT_READ | PROT_WRITE)) {
		munmap(p, size + 2 * VLAB_RAM_GUARD);
		return -ENOMEM;
	}
	ram->host = (uint8_t *)p + VLAB_RAM_GUARD;
	ram->gpa = VLAB_RAM_BASE;
	ram->size = size;
	ram->nregions = 0;
	return 0;
}

void vlab_ram_fini(struct vlab_ram *ram)
{
	if (ram->host)
		munmap(ram->host - VLAB_RAM_GUARD,
		       ram->size + 2 * VLAB_RAM_GUARD);
	ram->host = NULL;
	ram->size = 0;
}

/**
 * region_ptr() - vlab_ram_ptr() over the regions of the second form.
 * @param ram the RAM, with @c nregions > 0.
 * @param gpa first byte.
 * @param len its length.
 * @return the host pointer, or NULL unless the range lies in one region.
 */
static void *region_ptr(const struct vlab_ram *ram, uint64_t gpa,
			uint64_t len)
{
	const struct vlab_ram_region *r;
	unsigned int i;
	uint64_t off;

	for (i = 0; i < ram->nregions; i++) {
		r = &ram->regions[i];
		if (gpa < r->gpa)
			continue;
		off = gpa - r->gpa;
		/* as below: no sum can wrap */
		if (off >= r->size || len > r->size - off)
			continue;
		return r->host + off;
	}
	return NULL;
}

int vlab_ram_set_regions(struct vlab_ram *ram,
			 const struct vlab_ram_region *r, unsigned int n)
{
	struct vlab_ram_region sorted[VLAB_RAM_MAX_REGIONS], t;
	unsigned int i, j;

	if (n > VLAB_RAM_MAX_REGIONS)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!r[i].size || r[i].gpa > UINT64_MAX - (r[i].size - 1))
			return -EINVAL;
		sorted[i] = r[i];
		for (j = i; j > 0 && sorted[j - 1].gpa > sorted[j].gpa; j--) {
			t = sorted[j - 1];
			sorted[j - 1] = sorted[j];
			sorted[j] = t;
		}
	}
	/* sorted: each must end before the next begins (RELIABILITY D9) */
	for (i = 1; i < n; i++)
		if (sorted[i].gpa - sorted[i - 1].gpa < sorted[i - 1].size)
			return -EINVAL;
	for (i = 0; i < n; i++)
		ram->regions[i] = sorted[i];
	ram->nregions = n;
	return 0;
}

void *vlab_ram_ptr(const struct vlab_ram *ram, uint64_t gpa, uint64_t len)
{
	uint64_t off;

	if (ram->nregions)
		return region_ptr(ram, gpa, len);
	if (gpa < ram->gpa)
		return NULL;
	off = gpa - ram->gpa;
	/* Written so that no sum can wrap: off <= size, then len <= rest */
	if (off > ram->size || len > ram->size - off)
		return NULL;
	if (len == 0 && off == ram->size)
		return NULL;
	return ram->host + off;
}
