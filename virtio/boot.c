// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Guest kernel boot and shutdown, and the board's device list.
 */
#include <stdio.h>
#include <stdlib.h>

#include <linux/platform_device.h>
#include <linux/slab.h>

#include "virtio/boot.h"

/** A virtio-mmio board device and the resources it owns. */
struct board_device {
	struct platform_device pdev;	/**< what the platform bus sees */
	struct resource res[2];		/**< its MMIO window and its line */
	struct board_device *next;	/**< the next one on the board */
};

/** The board's virtio-mmio devices, for hot-unplug by address. */
static struct board_device *board_devices;

/** Whether the guest kernel is running. */
static bool booted;
/** Instance number of the next virtio-mmio board device. */
static int next_board_id;

int guest_boot(const struct guest_hw *hw)
{
	int err;

	if (booted)
		return -EBUSY;
	guest_log_init(hw->loglevel);
	err = guest_mem_init(hw->ram_host, hw->ram_gpa, hw->ram_size);
	if (err)
		return err;
	err = guest_io_init(hw);
	if (err)
		goto err_mem;
	err = virtio_mmio_init();
	if (err)
		goto err_io;
	guest_kill(false);
	next_board_id = 0;
	booted = true;
	return 0;

err_io:
	guest_io_fini();
err_mem:
	guest_mem_fini();
	return err;
}

void guest_shutdown(void)
{
	if (!booted)
		return;
	guest_kill(true);
	guest_files_close_all();
	guest_modules_unload_all();
	guest_platform_devices_remove_all();
	virtio_mmio_exit();
	guest_io_fini();
	guest_mem_fini();
	booted = false;
}

/**
 * board_device_release() - free a board device once unregistered.
 * @param dev the generic device inside it.
 */
static void board_device_release(struct device *dev)
{
	struct platform_device *pdev;

	struct board_device *bd, **pp;

	pdev = container_of(dev, struct platform_device, dev);
	bd = container_of(pdev, struct board_device, pdev);
	for (pp = &board_devices; *pp; pp = &(*pp)->next) {
		if (*pp == bd) {
			*pp = bd->next;
			break;
		}
	}
	free(bd);
}

int guest_add_virtio_mmio(uint64_t base, uint64_t size, unsigned int irq)
{
	struct board_device *bd;

	if (!booted)
		return -ENODEV;
	/* Board descriptions are host-side data, not guest kernel memory */
	bd = calloc(1, sizeof(*bd));
	if (!bd)
		return -ENOMEM;
	bd->res[0].start = base;
	bd->res[0].end = base + size - 1;
	bd->res[0].flags = IORESOURCE_MEM;
	bd->res[1].start = irq;
	bd->res[1].end = irq;
	bd->res[1].flags = IORESOURCE_IRQ;
	bd->pdev.name = "virtio-mmio";
	bd->pdev.id = next_board_id++;
	bd->pdev.num_resources = 2;
	bd->pdev.resource = bd->res;
	bd->pdev.dev.release = board_device_release;
	bd->next = board_devices;
	board_devices = bd;
	return platform_device_register(&bd->pdev);
}

int guest_remove_virtio_mmio(uint64_t base)
{
	struct board_device *bd;

	if (!booted)
		return -ENODEV;
	for (bd = board_devices; bd; bd = bd->next)
		if (bd->res[0].start == base)
			break;
	if (!bd)
		return -ENOENT;
	/* the transport's remove() unbinds the driver and frees the device */
	platform_device_unregister(&bd->pdev);
	return 0;
}
