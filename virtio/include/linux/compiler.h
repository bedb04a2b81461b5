/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Annotations and single-copy accesses a driver expects from the
 * kernel's <linux/compiler.h>.
 *
 * READ_ONCE()/WRITE_ONCE() are relaxed C11 atomics (GCC __atomic builtins on
 * plain objects): one untorn access the compiler may not merge or repeat, and
 * which ThreadSanitizer sees as intentional when two threads share a field
 * such as a ring's flags word.
 */
#ifndef _VLAB_LINUX_COMPILER_H
#define _VLAB_LINUX_COMPILER_H

/** Marks a pointer into MMIO space; only readl()/writel() may use it. */
#define __iomem
/** Marks a pointer into the calling program's memory. */
#define __user
/** Code run only at module load in a real kernel. */
#define __init
/** Code run only at module unload in a real kernel. */
#define __exit
/** The caller must look at the return value. */
#define __must_check __attribute__((warn_unused_result))
/** The parameter or variable is deliberately unused. */
#define __always_unused __attribute__((unused))
/** The parameter or variable may be unused in some configurations. */
#define __maybe_unused __attribute__((unused))
/** The annotated variable is rarely written and often read. */
#define __read_mostly

/** Branch hint: @p x is expected to be true. */
#define likely(x) __builtin_expect(!!(x), 1)
/** Branch hint: @p x is expected to be false. */
#define unlikely(x) __builtin_expect(!!(x), 0)

/** Compiler barrier: no memory access moves across it at compile time. */
#define barrier() __asm__ __volatile__("" ::: "memory")

/** One untorn load of @p x that the compiler cannot merge or repeat. */
#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
/** One untorn store of @p val to @p x. */
#define WRITE_ONCE(x, val) __atomic_store_n(&(x), (val), __ATOMIC_RELAXED)

#endif /* _VLAB_LINUX_COMPILER_H */
