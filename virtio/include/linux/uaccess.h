/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Copies between the kernel and a guest program's memory.
 */
#ifndef _VLAB_LINUX_UACCESS_H
#define _VLAB_LINUX_UACCESS_H

#include <linux/kernel.h>

/**
 * copy_to_user() - copy kernel bytes to a program's buffer.
 * @param to the program's buffer.
 * @param from kernel memory.
 * @param n bytes.
 * @return the number of bytes NOT copied (0 on success), as in the kernel.
 */
unsigned long __must_check copy_to_user(void __user *to, const void *from,
					unsigned long n);

/**
 * copy_from_user() - copy a program's bytes into kernel memory.
 * @param to kernel memory.
 * @param from the program's buffer.
 * @param n bytes.
 * @return the number of bytes NOT copied (0 on success).
 */
unsigned long __must_check copy_from_user(void *to, const void __user *from,
					  unsigned long n);

#endif /* _VLAB_LINUX_UACCESS_H */
