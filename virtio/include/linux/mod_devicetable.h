/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Device ID tables: which devices a driver binds to.
 */
#ifndef _VLAB_LINUX_MOD_DEVICETABLE_H
#define _VLAB_LINUX_MOD_DEVICETABLE_H

#include <linux/types.h>

/** Matches any vendor (or any device) in a virtio_device_id. */
#define VIRTIO_DEV_ANY_ID 0xffffffff

/**
 * One entry of a virtio driver's id_table; a table ends with a zeroed
 * entry. The device ID is the one of virtio 1.2 §5 (VIRTIO_ID_RNG is 4).
 */
struct virtio_device_id {
	__u32 device;	/**< virtio device ID, from <linux/virtio_ids.h> */
	__u32 vendor;	/**< vendor ID, or VIRTIO_DEV_ANY_ID */
};

#endif /* _VLAB_LINUX_MOD_DEVICETABLE_H */
