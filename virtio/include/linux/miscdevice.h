/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Misc character devices: the simplest way for a driver to appear
 * as a file under /dev.
 *
 * misc_register() makes /dev/NAME openable by guest programs (in the
 * simulator: guest_open()); misc_deregister() takes it away again. Files
 * already open stay open, so the driver must keep its state alive until
 * their release() runs.
 */
#ifndef _VLAB_LINUX_MISCDEVICE_H
#define _VLAB_LINUX_MISCDEVICE_H

#include <linux/fs.h>
#include <linux/list.h>

/** Ask misc_register() to choose the minor number. */
#define MISC_DYNAMIC_MINOR 255

/** A misc character device. */
struct miscdevice {
	int minor;			/**< minor, or MISC_DYNAMIC_MINOR */
	const char *name;		/**< node name: /dev/NAME */
	const struct file_operations *fops; /**< what the file does */
	struct list_head list;		/**< on the list of misc devices */
	struct device *parent;		/**< the device behind it */
	struct device *this_device;	/**< unused here */
	const char *nodename;		/**< unused here */
	umode_t mode;			/**< unused here */
};

/**
 * misc_register() - create /dev/NAME.
 * @param misc the device, which must stay valid until deregistered.
 * @return 0, -EBUSY when the name is taken, -EINVAL for a bad name.
 */
int misc_register(struct miscdevice *misc);

/**
 * misc_deregister() - remove the device node; no new open() can find it.
 * @param misc the device.
 *
 * Once this returns, no open of the node is in progress either.
 */
void misc_deregister(struct miscdevice *misc);

#endif /* _VLAB_LINUX_MISCDEVICE_H */
