/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief in_interrupt(): which context the calling guest thread runs in.
 */
#ifndef _VLAB_LINUX_PREEMPT_H
#define _VLAB_LINUX_PREEMPT_H

#include <linux/types.h>

/**
 * in_interrupt() - tell interrupt context from process context.
 *
 * @return true on the guest IRQ thread while it runs a handler, where
 * sleeping (mutex_lock(), wait_for_completion(), GFP_KERNEL) is a bug.
 */
bool in_interrupt(void);

#endif /* _VLAB_LINUX_PREEMPT_H */
