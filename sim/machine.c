// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Machine assembly and the MMIO bus.
 */
#include "sim/machine.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "virtio/shared/boundary.h"

/**
 * bus_device() - the device whose window holds @p gpa.
 * @param m the machine.
 * @param gpa a guest-physical MMIO address.
 * @param offset receives the offset into the window.
 * @return the device, or NULL for an empty window.
 */
static struct vlab_device *bus_device(struct vlab_machine *m, uint64_t gpa,
				      uint64_t *offset)
{
	uint64_t slot;

	if (gpa < VLAB_MMIO_BASE)
		return NULL;
	slot = (gpa - VLAB_MMIO_BASE) / VLAB_MMIO_SLOT;
	if (slot >= m->ndevs)
		return NULL;
	*offset = (gpa - VLAB_MMIO_BASE) % VLAB_MMIO_SLOT;
	return m->devs[slot];
}

/**
 * bus_read() - a guest load from MMIO space (the VM exit).
 * @param opaque the machine.
 * @param gpa address.
 * @param size width.
 * @return the value; an empty window reads as 0, like unassigned MMIO.
 */
static uint64_t bus_read(void *opaque, uint64_t gpa, unsigned int size)
{
	uint64_t offset;
	struct vlab_device *dev = bus_device(opaque, gpa, &offset);

	return dev ? vlab_mmio_device_read(dev, offset, size) : 0;
}

/**
 * bus_write() - a guest store to MMIO space.
 * @param opaque the machine.
 * @param gpa address.
 * @param val value.
 * @param size width.
 */
static void bus_write(void *opaque, uint64_t gpa, uint64_t val,
		      unsigned int size)
{
	uint64_t offset;
	struct vlab_device *dev = bus_device(opaque, gpa, &offset);

	if (dev)
		vlab_mmio_device_write(dev, offset, val, size);
}

int vlab_machine_init(struct vlab_machine *m,
		      const struct vlab_machine_opts *opts)
{
	uint64_t size = opts && opts->ram_size ? opts->ram_size :
		VLAB_RAM_DEFAULT_SIZE;
	int err;

	void *window;

	memset(m, 0, sizeof(*m));
	/* MMIO space: plain loads and stores fault, readl()/writel() trap */
	window = mmap(NULL, VLAB_MAX_DEVICES * VLAB_MMIO_SLOT, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (window == MAP_FAILED)
		return -errno;
	m->mmio_window = window;
	err = vlab_ram_init(&m->ram, size);
	if (err)
		goto err_window;
	err = vlab_irqchip_start(&m->irqchip, guest_handle_irq);
	if (err)
		goto err_ram;
	return 0;
err_ram:
	vlab_ram_fini(&m->ram);
err_window:
	munmap(m->mmio_window, VLAB_MAX_DEVICES * VLAB_MMIO_SLOT);
	m->mmio_window = NULL;
	return err;
}

struct vlab_device *vlab_machine_add_device(struct vlab_machine *m,
					    const struct vlab_device_model *model,
					    void *priv, const char *name)
{
	struct vlab_device *dev;
	uint64_t base;

	if (m->ndevs == VLAB_MAX_DEVICES)
		return NULL;
	base = VLAB_MMIO_BASE + m->ndevs * VLAB_MMIO_SLOT;
	dev = vlab_device_create(model, priv, name, &m->ram, &m->irqchip,
				 VLAB_IRQ_BASE + m->ndevs, base);
	if (!dev)
		return NULL;
	m->devs[m->ndevs++] = dev;
	if (m->booted)
		guest_add_virtio_mmio(base, VLAB_MMIO_SLOT, dev->irq);
	return dev;
}

int vlab_machine_boot(struct vlab_machine *m,
		      const struct vlab_machine_opts *opts)
{
	struct guest_hw hw = {
		.ram_host = m->ram.host,
		.ram_gpa = m->ram.gpa,
		.ram_size = m->ram.size,
		.mmio_window = m->mmio_window,
		.mmio_gpa = VLAB_MMIO_BASE,
		.mmio_size = VLAB_MAX_DEVICES * VLAB_MMIO_SLOT,
		.mmio_read = bus_read,
		.mmio_write = bus_write,
		.opaque = m,
		.loglevel = opts ? opts->loglevel : 4,
	};
	unsigned int i;
	int err;

	err = guest_boot(&hw);
	if (err)
		return err;
	m->booted = true;
	for (i = 0; i < m->ndevs; i++) {
		err = guest_add_virtio_mmio(m->devs[i]->mmio_base,
					    VLAB_MMIO_SLOT, m->devs[i]->irq);
		if (err)
			return err;
	}
	return 0;
}

void vlab_machine_fini(struct vlab_machine *m)
{
	unsigned int i;

	if (m->booted)
		guest_shutdown();
	m->booted = false;
	vlab_irqchip_stop(&m->irqchip);
	for (i = 0; i < m->ndevs; i++)
		vlab_device_destroy(m->devs[i]);
	m->ndevs = 0;
	vlab_ram_fini(&m->ram);
	if (m->mmio_window)
		munmap(m->mmio_window, VLAB_MAX_DEVICES * VLAB_MMIO_SLOT);
	m->mmio_window = NULL;
}
