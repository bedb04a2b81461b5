/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Error codes carried inside pointers, as in the kernel.
 *
 * The top 4095 values of the address space are never valid kernel pointers,
 * so a function such as virtio_find_single_vq() can return either a queue or
 * -errno in the same pointer.
 */
#ifndef _VLAB_LINUX_ERR_H
#define _VLAB_LINUX_ERR_H

#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/types.h>

/** Largest errno value that fits in an error pointer. */
#define MAX_ERRNO 4095

/** True when @p x is an error pointer value. */
#define IS_ERR_VALUE(x) unlikely((unsigned long)(x) >= (unsigned long)-MAX_ERRNO)

/**
 * ERR_PTR() - encode a negative errno as a pointer.
 * @param error a negative errno such as -ENOMEM.
 *
 * @return a pointer IS_ERR() recognises.
 */
static inline void *ERR_PTR(long error)
{
	return (void *)error;
}

/**
 * PTR_ERR() - decode the errno an error pointer carries.
 * @param ptr a pointer for which IS_ERR() is true.
 *
 * @return the negative errno.
 */
static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}

/**
 * IS_ERR() - tell an error pointer from a real one.
 * @param ptr the pointer to test.
 *
 * @return true when @p ptr carries an errno.
 */
static inline bool IS_ERR(const void *ptr)
{
	return IS_ERR_VALUE((unsigned long)ptr);
}

/**
 * IS_ERR_OR_NULL() - tell an error pointer or NULL from a real one.
 * @param ptr the pointer to test.
 *
 * @return true when @p ptr is NULL or carries an errno.
 */
static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return unlikely(!ptr) || IS_ERR_VALUE((unsigned long)ptr);
}

#endif /* _VLAB_LINUX_ERR_H */
