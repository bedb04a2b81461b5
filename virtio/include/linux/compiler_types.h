/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Same as <linux/compiler.h> here; kept because virtio_config.h in the
 * kernel includes this name.
 */
#ifndef _VLAB_LINUX_COMPILER_TYPES_H
#define _VLAB_LINUX_COMPILER_TYPES_H
#include <linux/compiler.h>
#endif
