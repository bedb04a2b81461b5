/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief The everyday helpers of <linux/kernel.h>: container_of(), min(),
 * ARRAY_SIZE(), BIT_ULL(), snprintf() and might_sleep().
 */
#ifndef _VLAB_LINUX_KERNEL_H
#define _VLAB_LINUX_KERNEL_H

#include <stdio.h>

#include <asm/byteorder.h>
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/err.h>
#include <linux/printk.h>
#include <linux/types.h>

/** Number of elements of a true array (not a pointer). */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/** The containing structure of @p ptr, which points at its @p member. */
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/** Smaller of two values of the same type, each evaluated once. */
#define min(a, b) ({ typeof(a) _a = (a); typeof(b) _b = (b); \
		     (void)(&_a == &_b); _a < _b ? _a : _b; })
/** Larger of two values of the same type, each evaluated once. */
#define max(a, b) ({ typeof(a) _a = (a); typeof(b) _b = (b); \
		     (void)(&_a == &_b); _a > _b ? _a : _b; })
/** Smaller of two values after converting both to @p type. */
#define min_t(type, a, b) ({ type _a = (a); type _b = (b); \
			     _a < _b ? _a : _b; })
/** Larger of two values after converting both to @p type. */
#define max_t(type, a, b) ({ type _a = (a); type _b = (b); \
			     _a > _b ? _a : _b; })

/** A 64-bit value with only bit @p nr set (feature masks). */
#define BIT_ULL(nr) (1ULL << (nr))
/** An unsigned long with only bit @p nr set. */
#define BIT(nr) (1UL << (nr))

/** Round @p x up to a multiple of @p a, a power of two. */
#define ALIGN(x, a) (((x) + ((a) - 1)) & ~((typeof(x))(a) - 1))

/** Compile-time check that @p x has type @p type; always 1. */
#define typecheck(type, x) ({ type __dummy; typeof(x) __dummy2; \
			      (void)(&__dummy == &__dummy2); 1; })

/**
 * __might_sleep() - report a sleeping call made where sleeping is illegal.
 * @param file source file of the call.
 * @param line source line of the call.
 *
 * On the guest IRQ thread (interrupt context) this prints the kernel's
 * "BUG: sleeping function called from invalid context" and counts a warning.
 */
void __might_sleep(const char *file, int line);

/** Annotation: the calling function may sleep; checked in interrupt context. */
#define might_sleep() __might_sleep(__FILE__, __LINE__)

#endif /* _VLAB_LINUX_KERNEL_H */
