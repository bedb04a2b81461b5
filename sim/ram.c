// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Guest RAM mapping and bounds-checked translation.
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

void *vlab_ram_ptr(const struct vlab_ram *ram, uint64_t gpa, uint64_t len)
{
	uint64_t off;

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
