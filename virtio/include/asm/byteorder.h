/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief cpu_to_le32() and friends, on top of the UAPI __cpu_to_le32().
 *
 * virtio 1.x structures are little-endian (virtio 1.2 §1.4); every field a
 * driver puts into shared memory goes through one of these.
 */
#ifndef _VLAB_ASM_BYTEORDER_H
#define _VLAB_ASM_BYTEORDER_H

#include_next <asm/byteorder.h>

/** CPU order to little-endian, 16 bits. */
#define cpu_to_le16 __cpu_to_le16
/** CPU order to little-endian, 32 bits. */
#define cpu_to_le32 __cpu_to_le32
/** CPU order to little-endian, 64 bits. */
#define cpu_to_le64 __cpu_to_le64
/** Little-endian to CPU order, 16 bits. */
#define le16_to_cpu __le16_to_cpu
/** Little-endian to CPU order, 32 bits. */
#define le32_to_cpu __le32_to_cpu
/** Little-endian to CPU order, 64 bits. */
#define le64_to_cpu __le64_to_cpu

#endif /* _VLAB_ASM_BYTEORDER_H */
