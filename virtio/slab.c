// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The guest kernel's memory allocator, inside guest RAM.
 *
 * RAM is cut into 64-byte granules; a bitmap says which are taken and a
 * side table records each block's length. The bookkeeping lives outside
 * guest RAM, so a device (or a buggy driver) scribbling over guest memory
 * cannot corrupt the allocator, and a bad kfree() is caught and reported
 * instead of corrupting the heap.
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/slab.h>

#include "virtio/boot.h"

/** Allocation unit and minimum alignment. */
#define GRANULE 64u
/** What freed memory is filled with: Linux's POISON_FREE. */
#define VLAB_POISON_FREE 0x6b

/**
 * Protects the allocator: 0 free, 1 taken (mem_lock_take()). A lock word
 * rather than a pthread mutex: every kmalloc() and kfree() takes it
 * (twice per request with indirect tables), and a mutex's unlock is a
 * second locked instruction where a release store will do.
 */
static int mem_lock;
/** Host mapping of guest RAM. */
static uint8_t *ram_host;
/** Guest-physical base of RAM. */
static uint64_t ram_gpa;
/** Bytes of RAM. */
static uint64_t ram_size;
/** One bit per granule: taken. */
static uint64_t *used_map;
/** Granules of the block that starts at each granule. */
static uint32_t *block_len;
/** Granules in RAM. */
static size_t granules;
/** Bytes allocated, rounded up to granules. */
static size_t in_use;
/** Where the next search starts. */
static size_t search_hint;

/**
 * mem_lock_take() - take @c mem_lock. Held for a few hundred instructions
 * at most and never across a scheduling point, so a holder is seldom
 * found; one that is may have lost its CPU: yield to it.
 */
static void mem_lock_take(void)
{
	/*
	 * Acquire: the bookkeeping the last holder wrote before its release
	 * store in mem_lock_give() is visible to our reads of it.
	 */
	while (__atomic_exchange_n(&mem_lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&mem_lock, __ATOMIC_RELAXED))
			sched_yield();
}

/**
 * mem_lock_give() - release @c mem_lock.
 */
static void mem_lock_give(void)
{
	/*
	 * Release: our writes to the bookkeeping before the next holder's
	 * acquire exchange in mem_lock_take() that sees the lock free.
	 */
	__atomic_store_n(&mem_lock, 0, __ATOMIC_RELEASE);
}

int guest_mem_init(void *host, uint64_t gpa, uint64_t size)
{
	granules = size / GRANULE;
	used_map = calloc((granules + 63) / 64, sizeof(*used_map));
	block_len = calloc(granules, sizeof(*block_len));
	if (!used_map || !block_len) {
		free(used_map);
		free(block_len);
		used_map = NULL;
		block_len = NULL;
		return -ENOMEM;
	}
	ram_host = host;
	ram_gpa = gpa;
	ram_size = size;
	in_use = 0;
	search_hint = 0;
	return 0;
}

void guest_mem_fini(void)
{
	if (in_use)
		printk(KERN_WARNING "slab: %zu bytes still allocated at shutdown\n",
		       in_use);
	free(used_map);
	free(block_len);
	used_map = NULL;
	block_len = NULL;
	ram_host = NULL;
	ram_size = 0;
	granules = 0;
}

size_t guest_mem_in_use(void)
{
	size_t n;

	mem_lock_take();
	n = in_use;
	mem_lock_give();
	return n;
}

bool guest_mem_block(uint64_t gpa, uint64_t *base, uint64_t *size)
{
	size_t g, start;
	bool found = false;

	mem_lock_take();
	if (used_map && gpa >= ram_gpa && gpa - ram_gpa < ram_size) {
		g = (size_t)((gpa - ram_gpa) / GRANULE);
		/* the block holding granule g starts at or before it */
		for (start = g + 1; start-- > 0;) {
			if (!block_len[start])
				continue;
			if (start + block_len[start] > g) {
				*base = ram_gpa + (uint64_t)start * GRANULE;
				*size = (uint64_t)block_len[start] * GRANULE;
				found = true;
			}
			break;
		}
	}
	mem_lock_give();
	return found;
}

/**
 * granule_taken() - tell whether granule @p g is allocated.
 * @param g granule index.
 * @return true when taken.
 */
static bool granule_taken(size_t g)
{
	return used_map[g / 64] & (1ULL << (g % 64));
}

/**
 * mark_granules() - set or clear the taken bit of @p n granules.
 * @param g first granule.
 * @param n count.
 * @param taken new state.
 */
static void mark_granules(size_t g, size_t n, bool taken)
{
	size_t i;

	for (i = g; i < g + n; i++) {
		if (taken)
			used_map[i / 64] |= 1ULL << (i % 64);
		else
			used_map[i / 64] &= ~(1ULL << (i % 64));
	}
}

/**
 * find_free_run() - first-fit search for @p n free granules aligned to
 * @p align granules, starting at the hint and wrapping once.
 * @param n granules wanted.
 * @param align alignment in granules (a power of two).
 * @return the first granule, or granules when nothing fits.
 */
static size_t find_free_run(size_t n, size_t align)
{
	size_t start = search_hint, g, run, pass;

	for (pass = 0; pass < 2; pass++) {
		g = (start + align - 1) & ~(align - 1);
		while (g + n <= granules) {
			for (run = 0; run < n && !granule_taken(g + run); run++)
				;
			if (run == n)
				return g;
			g = (g + run + 1 + align - 1) & ~(align - 1);
		}
		start = 0;
	}
	return granules;
}

/**
 * guest_alloc() - allocate @p size bytes aligned to @p align.
 * @param size bytes.
 * @param align a power of two, at least GRANULE.
 * @param flags GFP flags.
 * @return the block, or NULL.
 */
static void *guest_alloc(size_t size, size_t align, gfp_t flags)
{
	size_t n, g;
	void *p = NULL;

	if (flags & __GFP_DIRECT_RECLAIM)
		might_sleep();
	if (size == 0 || size > ram_size)
		return NULL;
	n = (size + GRANULE - 1) / GRANULE;

	mem_lock_take();
	if (used_map) {
		g = find_free_run(n, align / GRANULE);
		if (g < granules) {
			mark_granules(g, n, true);
			block_len[g] = (uint32_t)n;
			in_use += n * GRANULE;
			search_hint = g + n;
			p = ram_host + g * GRANULE;
		}
	}
	mem_lock_give();

	if (!p) {
		if (!(flags & __GFP_NOWARN))
			printk(KERN_WARNING "slab: out of guest memory for %zu bytes\n",
			       size);
		return NULL;
	}
	if (flags & __GFP_ZERO)
		memset(p, 0, size);
	return p;
}

void *kmalloc(size_t size, gfp_t flags)
{
	return guest_alloc(size, GRANULE, flags);
}

void kfree(const void *ptr)
{
	const uint8_t *p = ptr;
	size_t g, n;

	if (!ptr)
		return;
	mem_lock_take();
	if (!used_map || p < ram_host || p >= ram_host + ram_size ||
	    (size_t)(p - ram_host) % GRANULE ||
	    !block_len[(size_t)(p - ram_host) / GRANULE]) {
		mem_lock_give();
		vlab_warn(__FILE__, __LINE__,
			  "kfree() of memory kmalloc() did not return");
		return;
	}
	g = (size_t)(p - ram_host) / GRANULE;
	n = block_len[g];
	block_len[g] = 0;
	/*
	 * Poison the block as slub_debug=P does: a use after free then reads
	 * 0x6b6b... and a pointer taken from it faults at once, instead of
	 * quietly finding the old contents.
	 */
	memset(ram_host + g * GRANULE, VLAB_POISON_FREE, n * GRANULE);
	mark_granules(g, n, false);
	in_use -= n * GRANULE;
	if (g < search_hint)
		search_hint = g;
	mem_lock_give();
}

void *dma_alloc_coherent(struct device *dev, size_t size,
			 dma_addr_t *dma_handle, gfp_t gfp)
{
	void *p;

	(void)dev;
	p = guest_alloc(size, 4096, gfp | __GFP_ZERO);
	if (p)
		*dma_handle = virt_to_phys(p);
	return p;
}

void dma_free_coherent(struct device *dev, size_t size, void *cpu_addr,
		       dma_addr_t dma_handle)
{
	(void)dev;
	(void)size;
	WARN_ON(virt_to_phys(cpu_addr) != dma_handle);
	kfree(cpu_addr);
}

bool vlab_virt_range_valid(const void *addr, size_t len)
{
	const uint8_t *p = addr;

	if (!ram_host || p < ram_host || p >= ram_host + ram_size)
		return false;
	return len <= (size_t)(ram_host + ram_size - p);
}

phys_addr_t virt_to_phys(const volatile void *addr)
{
	const uint8_t *p = (const uint8_t *)addr;

	if (!vlab_virt_range_valid(p, 1))
		return 0;
	return ram_gpa + (uint64_t)(p - ram_host);
}

void *phys_to_virt(phys_addr_t phys)
{
	if (phys < ram_gpa || phys - ram_gpa >= ram_size)
		return NULL;
	return ram_host + (phys - ram_gpa);
}
