/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Byte order of __virtio16/32/64 fields.
 *
 * A modern (VIRTIO_F_VERSION_1) device is always little-endian; only legacy
 * devices used the guest's native order (virtio 1.2 §2.7.3). The helpers
 * take that choice as an argument so one ring implementation serves both.
 */
#ifndef _VLAB_LINUX_VIRTIO_BYTEORDER_H
#define _VLAB_LINUX_VIRTIO_BYTEORDER_H

#include <asm/byteorder.h>
#include <linux/types.h>
#include <linux/virtio_types.h>

/**
 * virtio_legacy_is_little_endian() - byte order of a legacy device.
 *
 * @return true on this (x86-64) guest, whose native order is little-endian.
 */
static inline bool virtio_legacy_is_little_endian(void)
{
	return true;
}

/**
 * __virtio16_to_cpu() - read a 16-bit ring or config field.
 * @param little_endian the device's order (true for every modern device).
 * @param val the field as stored in shared memory.
 *
 * @return the value in CPU order.
 */
static inline u16 __virtio16_to_cpu(bool little_endian, __virtio16 val)
{
	return little_endian ? le16_to_cpu((__le16)val) : (u16)val;
}

/**
 * __cpu_to_virtio16() - prepare a 16-bit ring or config field.
 * @param little_endian the device's order.
 * @param val the value in CPU order.
 *
 * @return the field as it must be stored in shared memory.
 */
static inline __virtio16 __cpu_to_virtio16(bool little_endian, u16 val)
{
	return little_endian ? (__virtio16)cpu_to_le16(val) : (__virtio16)val;
}

/**
 * __virtio32_to_cpu() - read a 32-bit ring or config field.
 * @param little_endian the device's order.
 * @param val the field as stored in shared memory.
 *
 * @return the value in CPU order.
 */
static inline u32 __virtio32_to_cpu(bool little_endian, __virtio32 val)
{
	return little_endian ? le32_to_cpu((__le32)val) : (u32)val;
}

/**
 * __cpu_to_virtio32() - prepare a 32-bit ring or config field.
 * @param little_endian the device's order.
 * @param val the value in CPU order.
 *
 * @return the field as it must be stored in shared memory.
 */
static inline __virtio32 __cpu_to_virtio32(bool little_endian, u32 val)
{
	return little_endian ? (__virtio32)cpu_to_le32(val) : (__virtio32)val;
}

/**
 * __virtio64_to_cpu() - read a 64-bit ring or config field.
 * @param little_endian the device's order.
 * @param val the field as stored in shared memory.
 *
 * @return the value in CPU order.
 */
static inline u64 __virtio64_to_cpu(bool little_endian, __virtio64 val)
{
	return little_endian ? le64_to_cpu((__le64)val) : (u64)val;
}

/**
 * __cpu_to_virtio64() - prepare a 64-bit ring or config field.
 * @param little_endian the device's order.
 * @param val the value in CPU order.
 *
 * @return the field as it must be stored in shared memory.
 */
static inline __virtio64 __cpu_to_virtio64(bool little_endian, u64 val)
{
	return little_endian ? (__virtio64)cpu_to_le64(val) : (__virtio64)val;
}

#endif /* _VLAB_LINUX_VIRTIO_BYTEORDER_H */
