/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief errno values: the UAPI ones plus the kernel-internal ones.
 */
#ifndef _VLAB_LINUX_ERRNO_H
#define _VLAB_LINUX_ERRNO_H

#include_next <linux/errno.h>

/** A sleep was interrupted by a signal; the system call restarts. */
#define ERESTARTSYS 512
/** Operation not supported (kernel-internal spelling). */
#define ENOTSUPP 524

#endif /* _VLAB_LINUX_ERRNO_H */
