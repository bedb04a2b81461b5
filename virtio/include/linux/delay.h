/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Sleeping delays.
 */
#ifndef _VLAB_LINUX_DELAY_H
#define _VLAB_LINUX_DELAY_H

/**
 * msleep() - sleep at least @p msecs milliseconds (process context only).
 * @param msecs milliseconds.
 */
void msleep(unsigned int msecs);

#endif /* _VLAB_LINUX_DELAY_H */
