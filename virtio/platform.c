// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The platform bus: board devices matched to drivers by name.
 */
#include <string.h>
#include <pthread.h>

#include <linux/platform_device.h>

#include "virtio/boot.h"
#include "virtio/shared/boundary.h"

/** Serialises binding on the platform bus. */
static pthread_mutex_t platform_lock = PTHREAD_MUTEX_INITIALIZER;
/** Board devices. */
static LIST_HEAD(platform_devices);
/** Platform drivers. */
static LIST_HEAD(platform_drivers);

struct resource *platform_get_resource(struct platform_device *pdev,
				       unsigned int type, unsigned int num)
{
	unsigned int i;

	for (i = 0; i < pdev->num_resources; i++)
		if ((pdev->resource[i].flags & type) && num-- == 0)
			return &pdev->resource[i];
	return NULL;
}

int platform_get_irq(struct platform_device *pdev, unsigned int num)
{
	struct resource *r = platform_get_resource(pdev, IORESOURCE_IRQ, num);

	return r ? (int)r->start : -ENXIO;
}

/**
 * platform_try_bind() - probe @p pdev with @p drv when the names match.
 * @param drv the driver.
 * @param pdev an unbound device.
 */
static void platform_try_bind(struct platform_driver *drv,
			      struct platform_device *pdev)
{
	int err;

	if (pdev->dev.driver || strcmp(drv->driver.name, pdev->name))
		return;
	pdev->dev.driver = &drv->driver;
	err = drv->probe(pdev);
	if (err) {
		pdev->dev.driver = NULL;
		dev_err(&pdev->dev, "probe with driver %s failed: %d\n",
			drv->driver.name, err);
	}
}

/**
 * platform_unbind() - remove @p pdev from its driver, if bound.
 * @param pdev the device.
 */
static void platform_unbind(struct platform_device *pdev)
{
	struct platform_driver *drv;

	if (!pdev->dev.driver)
		return;
	drv = container_of(pdev->dev.driver, struct platform_driver, driver);
	if (drv->remove)
		drv->remove(pdev);
	pdev->dev.driver = NULL;
}

int platform_driver_register(struct platform_driver *drv)
{
	struct platform_device *pdev;

	vlab_mutex_lock(&platform_lock);
	list_add_tail(&drv->list, &platform_drivers);
	list_for_each_entry(pdev, &platform_devices, list)
		platform_try_bind(drv, pdev);
	vlab_mutex_unlock(&platform_lock);
	return 0;
}

void platform_driver_unregister(struct platform_driver *drv)
{
	struct platform_device *pdev;

	vlab_mutex_lock(&platform_lock);
	list_for_each_entry(pdev, &platform_devices, list)
		if (pdev->dev.driver == &drv->driver)
			platform_unbind(pdev);
	list_del(&drv->list);
	vlab_mutex_unlock(&platform_lock);
}

int platform_device_register(struct platform_device *pdev)
{
	struct platform_driver *drv;

	snprintf(pdev->dev.name, sizeof(pdev->dev.name), "%s.%d", pdev->name,
		 pdev->id);
	vlab_mutex_lock(&platform_lock);
	list_add_tail(&pdev->list, &platform_devices);
	list_for_each_entry(drv, &platform_drivers, list)
		platform_try_bind(drv, pdev);
	vlab_mutex_unlock(&platform_lock);
	return 0;
}

void platform_device_unregister(struct platform_device *pdev)
{
	vlab_mutex_lock(&platform_lock);
	platform_unbind(pdev);
	list_del(&pdev->list);
	vlab_mutex_unlock(&platform_lock);
	if (pdev->dev.release)
		pdev->dev.release(&pdev->dev);
}

void guest_platform_devices_remove_all(void)
{
	struct platform_device *pdev;

	for (;;) {
		vlab_mutex_lock(&platform_lock);
		pdev = list_empty(&platform_devices) ? NULL :
			list_entry(platform_devices.next,
				   struct platform_device, list);
		vlab_mutex_unlock(&platform_lock);
		if (!pdev)
			return;
		platform_device_unregister(pdev);
	}
}
