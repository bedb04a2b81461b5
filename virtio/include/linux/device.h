/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief The driver-model core: devices, drivers and their log helpers.
 */
#ifndef _VLAB_LINUX_DEVICE_H
#define _VLAB_LINUX_DEVICE_H

#include <linux/kernel.h>

struct module;
struct device;

/** What every driver has, whatever its bus. */
struct device_driver {
	const char *name;	/**< driver name, shown in logs */
	struct module *owner;	/**< THIS_MODULE */
};

/** What every device has, whatever its bus. */
struct device {
	struct device *parent;		/**< the device this one hangs off */
	struct device_driver *driver;	/**< bound driver, or NULL */
	void *driver_data;		/**< dev_set_drvdata() pointer */
	char name[32];			/**< e.g. "virtio0" */
	void (*release)(struct device *dev); /**< frees the device */
};

/**
 * dev_name() - the device's name as logs show it.
 * @param dev the device.
 * @return e.g. "virtio0".
 */
static inline const char *dev_name(const struct device *dev)
{
	return dev->name;
}

/**
 * dev_set_drvdata() - attach the driver's state to a device.
 * @param dev the device.
 * @param data the driver's state.
 */
static inline void dev_set_drvdata(struct device *dev, void *data)
{
	dev->driver_data = data;
}

/**
 * dev_get_drvdata() - the driver's state attached to a device.
 * @param dev the device.
 * @return what dev_set_drvdata() stored.
 */
static inline void *dev_get_drvdata(const struct device *dev)
{
	return dev->driver_data;
}

/** Log an error about @p dev, prefixed by its name. */
#define dev_err(dev, fmt, ...) \
	printk(KERN_ERR "%s: " fmt, dev_name(dev), ##__VA_ARGS__)
/** Log a warning about @p dev. */
#define dev_warn(dev, fmt, ...) \
	printk(KERN_WARNING "%s: " fmt, dev_name(dev), ##__VA_ARGS__)
/** Log information about @p dev. */
#define dev_info(dev, fmt, ...) \
	printk(KERN_INFO "%s: " fmt, dev_name(dev), ##__VA_ARGS__)
/** Log a debug message about @p dev. */
#define dev_dbg(dev, fmt, ...) \
	printk(KERN_DEBUG "%s: " fmt, dev_name(dev), ##__VA_ARGS__)

#endif /* _VLAB_LINUX_DEVICE_H */
