/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief BUG()/WARN_ON(): how the guest kernel reports its own bugs.
 *
 * As in Linux, BUG() stops the machine (a simulated oops: the process
 * aborts after printing where), while WARN_ON() prints a "WARNING:" line,
 * counts it and lets the code go on. Tests read the count through
 * guest_kernel_warnings() to prove a driver bug was reported.
 */
#ifndef _VLAB_LINUX_BUG_H
#define _VLAB_LINUX_BUG_H

#include <linux/compiler.h>

/**
 * vlab_bug() - report a fatal kernel bug and stop the simulated machine.
 * @param file source file of the failed check.
 * @param line source line of the failed check.
 */
void vlab_bug(const char *file, int line) __attribute__((noreturn));

/**
 * vlab_warn() - report a kernel warning and count it.
 * @param file source file of the check.
 * @param line source line of the check.
 * @param cond the condition text that held.
 */
void vlab_warn(const char *file, int line, const char *cond);

/** Stop the machine: the code reached a state it must never reach. */
#define BUG() vlab_bug(__FILE__, __LINE__)

/** Stop the machine when @p cond holds. */
#define BUG_ON(cond)						\
	do {							\
		if (unlikely(cond))				\
			BUG();					\
	} while (0)

/** Print and count a warning when @p cond holds; evaluates to @p cond. */
#define WARN_ON(cond) ({					\
	int __ret_warn = !!(cond);				\
	if (unlikely(__ret_warn))				\
		vlab_warn(__FILE__, __LINE__, #cond);		\
	unlikely(__ret_warn);					\
})

/** As WARN_ON(), but prints only the first time this site fires. */
#define WARN_ON_ONCE(cond) ({					\
	static bool __warned;					\
	int __ret_warn_once = !!(cond);				\
	if (unlikely(__ret_warn_once) && !__warned) {		\
		__warned = true;				\
		vlab_warn(__FILE__, __LINE__, #cond);		\
	}							\
	unlikely(__ret_warn_once);				\
})

/** Compile-time assertion: the build fails when @p cond is true. */
#define BUILD_BUG_ON(cond) _Static_assert(!(cond), "BUILD_BUG_ON: " #cond)

#endif /* _VLAB_LINUX_BUG_H */
