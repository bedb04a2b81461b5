/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Boot-time hooks between the pieces of the guest kernel runtime.
 *
 * guest_boot() brings the pieces up in order (log, memory, MMIO, then the
 * buses) and guest_shutdown() takes them down in reverse; each piece keeps
 * its state to itself and exposes only these calls.
 */
#ifndef VLAB_VIRTIO_BOOT_H
#define VLAB_VIRTIO_BOOT_H

#include "virtio/shared/boundary.h"

/**
 * guest_log_init() - start the kernel log.
 * @param loglevel highest printk level copied to the console.
 */
void guest_log_init(int loglevel);

/**
 * guest_mem_init() - hand guest RAM to the allocator.
 * @param host host mapping of RAM.
 * @param gpa its guest-physical base.
 * @param size its size.
 * @return 0 or -ENOMEM.
 */
int guest_mem_init(void *host, uint64_t gpa, uint64_t size);

/**
 * guest_mem_fini() - forget guest RAM; reports leaked blocks.
 */
void guest_mem_fini(void);

/**
 * guest_io_init() - set up the MMIO window behind ioremap().
 * @param hw the board (MMIO window and trap callbacks).
 * @return 0 or -EINVAL when the board gave no window.
 */
int guest_io_init(const struct guest_hw *hw);

/**
 * guest_io_fini() - tear the MMIO window down.
 */
void guest_io_fini(void);

/**
 * guest_modules_unload_all() - rmmod every loaded module, newest first.
 */
void guest_modules_unload_all(void);

/**
 * guest_files_close_all() - close what guest programs left open.
 */
void guest_files_close_all(void);

/**
 * virtio_mmio_init() - register the virtio-mmio platform driver.
 * @return 0 or a negative errno.
 */
int virtio_mmio_init(void);

/**
 * virtio_mmio_exit() - unregister it, removing every virtio-mmio device.
 */
void virtio_mmio_exit(void);

/**
 * guest_platform_devices_remove_all() - unregister every board device.
 */
void guest_platform_devices_remove_all(void);

#endif /* VLAB_VIRTIO_BOOT_H */
