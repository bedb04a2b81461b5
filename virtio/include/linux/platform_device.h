/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Platform devices: devices found from a description of the board
 * rather than by probing a bus. virtio-mmio devices are found this way
 * (virtio 1.2 §4.2.1), one per MMIO window and interrupt line.
 */
#ifndef _VLAB_LINUX_PLATFORM_DEVICE_H
#define _VLAB_LINUX_PLATFORM_DEVICE_H

#include <linux/device.h>
#include <linux/list.h>

/** Resource type: a range of MMIO addresses. */
#define IORESOURCE_MEM 0x00000200
/** Resource type: an interrupt line. */
#define IORESOURCE_IRQ 0x00000400

/** An address range or interrupt line a device uses. */
struct resource {
	phys_addr_t start;	/**< first address, or the line */
	phys_addr_t end;	/**< last address (inclusive), or the line */
	unsigned long flags;	/**< IORESOURCE_MEM or IORESOURCE_IRQ */
};

/** A device described by the board. */
struct platform_device {
	const char *name;		/**< matched against driver names */
	int id;				/**< instance number */
	struct device dev;		/**< the generic device */
	unsigned int num_resources;	/**< entries in @c resource */
	struct resource *resource;	/**< its MMIO range and interrupt */
	struct list_head list;		/**< on the list of platform devices */
};

/** A driver for platform devices of one name. */
struct platform_driver {
	int (*probe)(struct platform_device *pdev);	/**< bind */
	int (*remove)(struct platform_device *pdev);	/**< unbind */
	struct device_driver driver;	/**< name to match, owner */
	struct list_head list;		/**< on the list of drivers */
};

/**
 * platform_get_resource() - the @p num -th resource of a given type.
 * @param pdev the device.
 * @param type IORESOURCE_MEM or IORESOURCE_IRQ.
 * @param num index among resources of that type.
 * @return the resource, or NULL.
 */
struct resource *platform_get_resource(struct platform_device *pdev,
				       unsigned int type, unsigned int num);

/**
 * platform_get_irq() - the @p num -th interrupt line of a device.
 * @param pdev the device.
 * @param num index among its interrupt resources.
 * @return the line, or -ENXIO.
 */
int platform_get_irq(struct platform_device *pdev, unsigned int num);

/**
 * resource_size() - length of an address range.
 * @param res the resource.
 * @return end - start + 1.
 */
static inline phys_addr_t resource_size(const struct resource *res)
{
	return res->end - res->start + 1;
}

/**
 * platform_set_drvdata() - attach driver state to a platform device.
 * @param pdev the device.
 * @param data the state.
 */
static inline void platform_set_drvdata(struct platform_device *pdev,
					void *data)
{
	dev_set_drvdata(&pdev->dev, data);
}

/**
 * platform_get_drvdata() - driver state of a platform device.
 * @param pdev the device.
 * @return what platform_set_drvdata() stored.
 */
static inline void *platform_get_drvdata(const struct platform_device *pdev)
{
	return dev_get_drvdata(&pdev->dev);
}

/**
 * platform_driver_register() - add a driver; it probes matching devices.
 * @param drv the driver.
 * @return 0 or a negative errno.
 */
int platform_driver_register(struct platform_driver *drv);

/**
 * platform_driver_unregister() - remove a driver after unbinding it.
 * @param drv the driver.
 */
void platform_driver_unregister(struct platform_driver *drv);

/**
 * platform_device_register() - add a device; a matching driver probes it.
 * @param pdev the device.
 * @return 0 or a negative errno (the probe's error is logged, not returned).
 */
int platform_device_register(struct platform_device *pdev);

/**
 * platform_device_unregister() - unbind and remove a device.
 * @param pdev the device.
 */
void platform_device_unregister(struct platform_device *pdev);

#endif /* _VLAB_LINUX_PLATFORM_DEVICE_H */
