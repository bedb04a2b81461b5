// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The virtio bus: devices meet drivers, and the device status
 * lifecycle of virtio 1.2 §3.1.1 runs around the driver's probe.
 *
 * A transport (virtio_mmio.c) finds a device and calls
 * register_virtio_device(); a module calls register_virtio_driver(). When
 * a device's ID matches a driver's id_table, the core walks the
 * initialisation sequence:
 *
 *  1. reset the device (register_virtio_device)
 *  2. set ACKNOWLEDGE: a guest has noticed the device
 *  3. set DRIVER: the guest knows how to drive it
 *  4. read the device's features, keep those the driver lists
 *  5. write them and set FEATURES_OK
 *  6. read the status back: if FEATURES_OK did not stick, the device
 *     refused the subset and the probe fails
 *  7. the driver's probe() sets up the queues...
 *  8. ...and sets DRIVER_OK with virtio_device_ready()
 *
 * Any failure sets FAILED. On unbind the driver resets the device and
 * deletes its queues; the core checks the reset happened.
 */
#include <pthread.h>

#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <linux/slab.h>

#include "virtio/shared/boundary.h"

/* Devices and drivers, and the lock that serialises binding. */
/** Serialises binding and unbinding on the virtio bus. */
static pthread_mutex_t bus_lock = PTHREAD_MUTEX_INITIALIZER;
/** Registered virtio drivers. */
static LIST_HEAD(virtio_drivers);
/** Bit N set: the name virtioN is taken. */
static unsigned long device_index_map;

/** A registered device, on the bus's list. */
struct virtio_bus_entry {
	struct virtio_device *dev;	/**< the device */
	bool probe_failed;		/**< FAILED is set: wait for a reset */
	struct list_head list;		/**< on bus_devices */
};

/** Registered virtio devices. */
static LIST_HEAD(bus_devices);

/** A registered driver, on the bus's list. */
struct virtio_driver_entry {
	struct virtio_driver *drv;	/**< the driver */
	struct list_head list;		/**< on virtio_drivers */
};

void virtio_add_status(struct virtio_device *dev, unsigned int status)
{
	might_sleep();
	dev->config->set_status(dev, dev->config->get_status(dev) | status);
}

void virtio_check_driver_offered_feature(const struct virtio_device *vdev,
					 unsigned int fbit)
{
	const struct virtio_driver *drv;
	unsigned int i;

	/*
	 * No driver: the caller uses a device after remove(). Linux follows
	 * the NULL pointer here (an oops); the simulator reports it as a
	 * WARNING a test can count, and carries on.
	 */
	if (WARN_ON(!vdev->dev.driver))
		return;
	drv = container_of(vdev->dev.driver, struct virtio_driver, driver);
	for (i = 0; i < drv->feature_table_size; i++)
		if (drv->feature_table[i] == fbit)
			return;
	for (i = 0; i < drv->feature_table_size_legacy; i++)
		if (drv->feature_table_legacy[i] == fbit)
			return;
	/* Testing a bit the driver never offered can only return false */
	BUG();
}

void virtio_reset_device(struct virtio_device *dev)
{
	/* No callback may run on a queue the device is about to forget */
	virtio_break_device(dev);
	if (dev->config->synchronize_cbs)
		dev->config->synchronize_cbs(dev);
	dev->config->reset(dev);
}

void virtio_config_changed(struct virtio_device *dev)
{
	struct virtio_driver *drv = NULL;
	unsigned long flags;

	spin_lock_irqsave(&dev->config_lock, flags);
	if (!dev->config_enabled)
		dev->config_change_pending = true;
	else if (dev->dev.driver)
		drv = drv_to_virtio(dev->dev.driver);
	spin_unlock_irqrestore(&dev->config_lock, flags);
	if (drv && drv->config_changed)
		drv->config_changed(dev);
}

/**
 * virtio_config_enable() - let config_changed reach the driver, and
 * deliver a change that came while it was off.
 * @param dev the device.
 */
static void virtio_config_enable(struct virtio_device *dev)
{
	bool pending;

	spin_lock(&dev->config_lock);
	dev->config_enabled = true;
	pending = dev->config_change_pending;
	dev->config_change_pending = false;
	spin_unlock(&dev->config_lock);
	if (pending)
		virtio_config_changed(dev);
}

/**
 * virtio_config_disable() - hold config_changed back (during remove).
 * @param dev the device.
 */
static void virtio_config_disable(struct virtio_device *dev)
{
	spin_lock(&dev->config_lock);
	dev->config_enabled = false;
	spin_unlock(&dev->config_lock);
}

/**
 * virtio_features_ok() - steps 5-6 of §3.1.1: set FEATURES_OK and check
 * that it stuck.
 * @param dev the device, features already written.
 * @return 0, or -ENODEV when the device refused the feature subset.
 */
static int virtio_features_ok(struct virtio_device *dev)
{
	unsigned int status;

	might_sleep();
	virtio_add_status(dev, VIRTIO_CONFIG_S_FEATURES_OK);
	status = dev->config->get_status(dev);
	if (!(status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		dev_err(&dev->dev, "virtio: device refuses features: %x\n",
			status);
		return -ENODEV;
	}
	return 0;
}

/* book: [dev_probe] */
/**
 * virtio_dev_probe() - bind @p drv to @p dev: steps 3-8 of §3.1.1.
 * @param dev the device (ACKNOWLEDGE set).
 * @param drv a driver whose id_table matches.
 * @return 0, or the error; FAILED is then set.
 */
static int virtio_dev_probe(struct virtio_device *dev,
			    struct virtio_driver *drv)
{
	u64 device_features, driver_features = 0, features;
	unsigned int i;
	int err;

	dev->dev.driver = &drv->driver;

	/* Step 3: we have a driver */
	virtio_add_status(dev, VIRTIO_CONFIG_S_DRIVER);

	/* Step 4: what the device offers, what the driver understands */
	device_features = dev->config->get_features(dev);
	for (i = 0; i < drv->feature_table_size; i++) {
		BUG_ON(drv->feature_table[i] >= 64);
		driver_features |= BIT_ULL(drv->feature_table[i]);
	}
	dev->features = driver_features & device_features;

	/* Transport features (ring layout, VERSION_1...) the core decides */
	for (i = VIRTIO_TRANSPORT_F_START; i < VIRTIO_TRANSPORT_F_END; i++)
		if (device_features & BIT_ULL(i))
			__virtio_set_bit(dev, i);

	/* Step 5: write the subset; the transport insists on VERSION_1 */
	err = dev->config->finalize_features(dev);
	if (err)
		goto err;

	if (drv->validate) {
		features = dev->features;
		err = drv->validate(dev);
		if (err)
			goto err;
		if (features != dev->features) {
			err = dev->config->finalize_features(dev);
			if (err)
				goto err;
		}
	}

	/* Steps 5-6: FEATURES_OK must stick, or the device said no */
	err = virtio_features_ok(dev);
	if (err)
		goto err;

	/* Step 7: device-specific setup: queues, config, its misc device */
	err = drv->probe(dev);
	if (err)
		goto err;

	/* Step 8: if probe did not set DRIVER_OK itself, do it now */
	if (!(dev->config->get_status(dev) & VIRTIO_CONFIG_S_DRIVER_OK))
		virtio_device_ready(dev);

	if (drv->scan)
		drv->scan(dev);
	virtio_config_enable(dev);
	return 0;

err:
	dev->dev.driver = NULL;
	virtio_add_status(dev, VIRTIO_CONFIG_S_FAILED);
	return err;
}
/* book: [dev_probe] */

/**
 * virtio_dev_remove() - unbind the driver of @p dev.
 * @param dev a bound device.
 */
static void virtio_dev_remove(struct virtio_device *dev)
{
	struct virtio_driver *drv = drv_to_virtio(dev->dev.driver);

	virtio_config_disable(dev);
	drv->remove(dev);

	/* The driver must have reset the device in its remove() */
	WARN_ON_ONCE(dev->config->get_status(dev));

	dev->dev.driver = NULL;
	/* Step 2 again: the device is known, waiting for a driver */
	virtio_add_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
}

/**
 * virtio_id_match() - tell whether a driver's id_table names the device.
 * @param dev the device.
 * @param id the driver's table, ended by a zero device ID.
 * @return true on a match.
 */
static bool virtio_id_match(const struct virtio_device *dev,
			    const struct virtio_device_id *id)
{
	for (; id->device; id++)
		if (id->device == dev->id.device &&
		    (id->vendor == VIRTIO_DEV_ANY_ID ||
		     id->vendor == dev->id.vendor))
			return true;
	return false;
}

/**
 * virtio_try_bind() - probe a device with the first matching driver.
 * @param be the device's bus entry; a device whose probe failed keeps
 *	FAILED and is not probed again, since its state is unknown.
 */
static void virtio_try_bind(struct virtio_bus_entry *be)
{
	struct virtio_device *dev = be->dev;
	struct virtio_driver_entry *e;

	if (dev->dev.driver || be->probe_failed)
		return;
	list_for_each_entry(e, &virtio_drivers, list) {
		if (!virtio_id_match(dev, e->drv->id_table))
			continue;
		if (virtio_dev_probe(dev, e->drv)) {
			be->probe_failed = true;
			dev_err(&dev->dev, "probe of driver %s failed\n",
				e->drv->driver.name);
		}
		return;
	}
}

int register_virtio_device(struct virtio_device *dev)
{
	struct virtio_bus_entry *e;
	int index;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;

	vlab_mutex_lock(&bus_lock);
	for (index = 0; index < 64 && (device_index_map & BIT_ULL(index));
	     index++)
		;
	if (index == 64) {
		vlab_mutex_unlock(&bus_lock);
		kfree(e);
		return -ENOSPC;
	}
	device_index_map |= BIT_ULL(index);
	dev->index = index;
	snprintf(dev->dev.name, sizeof(dev->dev.name), "virtio%d", index);
	dev->config_enabled = false;
	dev->config_change_pending = false;
	spin_lock_init(&dev->config_lock);
	spin_lock_init(&dev->vqs_list_lock);
	INIT_LIST_HEAD(&dev->vqs);
	dev->dev.driver = NULL;

	/* Step 1: reset, in case firmware or an old driver left it running */
	dev->config->reset(dev);
	/* Step 2: a guest has noticed the device */
	virtio_add_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE);

	e->dev = dev;
	list_add_tail(&e->list, &bus_devices);
	virtio_try_bind(e);
	vlab_mutex_unlock(&bus_lock);
	return 0;
}

void unregister_virtio_device(struct virtio_device *dev)
{
	struct virtio_bus_entry *e, *n;

	vlab_mutex_lock(&bus_lock);
	if (dev->dev.driver)
		virtio_dev_remove(dev);
	list_for_each_entry_safe(e, n, &bus_devices, list) {
		if (e->dev == dev) {
			list_del(&e->list);
			kfree(e);
		}
	}
	device_index_map &= ~BIT_ULL(dev->index);
	vlab_mutex_unlock(&bus_lock);
}

int register_virtio_driver(struct virtio_driver *drv)
{
	struct virtio_driver_entry *d;
	struct virtio_bus_entry *e;

	BUG_ON(drv->feature_table_size && !drv->feature_table);
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->drv = drv;
	vlab_mutex_lock(&bus_lock);
	list_add_tail(&d->list, &virtio_drivers);
	list_for_each_entry(e, &bus_devices, list)
		virtio_try_bind(e);
	vlab_mutex_unlock(&bus_lock);
	return 0;
}

void unregister_virtio_driver(struct virtio_driver *drv)
{
	struct virtio_driver_entry *d, *n;
	struct virtio_bus_entry *e;

	vlab_mutex_lock(&bus_lock);
	list_for_each_entry(e, &bus_devices, list)
		if (e->dev->dev.driver == &drv->driver)
			virtio_dev_remove(e->dev);
	list_for_each_entry_safe(d, n, &virtio_drivers, list) {
		if (d->drv == drv) {
			list_del(&d->list);
			kfree(d);
		}
	}
	vlab_mutex_unlock(&bus_lock);
}
