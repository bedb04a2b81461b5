/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief The guest kernel as the simulator sees it: boot, board
 * description, module loading, the system calls of guest programs and the
 * interrupt entry.
 *
 * This is the only header that both worlds include. It uses plain C types
 * so that sim/ never sees a kernel header and driver/ never sees a host one.
 * There is one guest kernel per process, as there is one kernel per
 * machine: guest_boot() starts it, guest_shutdown() stops it.
 */
#ifndef VLAB_VIRTIO_GUEST_H
#define VLAB_VIRTIO_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/** What the simulated board gives the guest kernel at boot. */
struct guest_hw {
	void *ram_host;		/**< host mapping of guest RAM */
	uint64_t ram_gpa;	/**< its guest-physical base */
	uint64_t ram_size;	/**< its size in bytes */
	void *mmio_window;	/**< host pages behind the MMIO window, mapped
				     with no access: plain loads and stores
				     fault, only readl()/writel() trap */
	uint64_t mmio_gpa;	/**< guest-physical base of the MMIO window */
	uint64_t mmio_size;	/**< size of the MMIO window */
	/** a load from MMIO: the VM exit into the simulator */
	uint64_t (*mmio_read)(void *opaque, uint64_t gpa, unsigned int size);
	/** a store to MMIO: the VM exit into the simulator */
	void (*mmio_write)(void *opaque, uint64_t gpa, uint64_t val,
			   unsigned int size);
	void *opaque;		/**< passed back to the two above */
	int loglevel;		/**< print printk levels up to this (0-7) */
};

/**
 * guest_boot() - start the guest kernel on the given hardware.
 * @param hw the board; copied.
 * @return 0, -EBUSY when a guest is already running, -ENOMEM.
 */
int guest_boot(const struct guest_hw *hw);

/**
 * guest_shutdown() - unload every module, remove every device, stop.
 */
void guest_shutdown(void);

/**
 * guest_add_virtio_mmio() - describe one virtio-mmio device to the guest
 * (what a device tree node or "virtio_mmio.device=" does, virtio 1.2
 * §4.2.1); the virtio-mmio transport probes it at once.
 * @param base guest-physical base of its registers.
 * @param size size of its register window.
 * @param irq its interrupt line.
 * @return 0 or a negative errno.
 */
int guest_add_virtio_mmio(uint64_t base, uint64_t size, unsigned int irq);

/**
 * guest_remove_virtio_mmio() - hot-unplug the virtio-mmio device at
 * @p base (what QEMU's device_del does): the transport unregisters it,
 * its driver's remove() runs, and the guest frees the device, even while
 * guest programs still hold its files open.
 * @param base guest-physical base of its registers.
 * @return 0, -ENOENT when no device is there, -ENODEV before boot.
 */
int guest_remove_virtio_mmio(uint64_t base);

/**
 * guest_module_load() - insmod: run a module's init function.
 * @param name the module's KBUILD_MODNAME, e.g. "vlab_rng".
 * @return init's return value; -ENOENT when no such module is built in;
 * -EEXIST when already loaded.
 */
int guest_module_load(const char *name);

/**
 * guest_module_unload() - rmmod: run a module's exit function.
 * @param name the module name.
 * @return 0; -ENOENT when not loaded.
 */
int guest_module_unload(const char *name);

/**
 * guest_open() - open(2) of a device node in a guest program.
 * @param path e.g. "/dev/vlab-rng".
 * @return a file descriptor, or a negative errno (-ENOENT: no such node).
 */
int guest_open(const char *path);

/**
 * guest_read() - read(2) in a guest program.
 * @param fd from guest_open().
 * @param buf the program's buffer.
 * @param count bytes wanted.
 * @return bytes read, or a negative errno.
 */
ssize_t guest_read(int fd, void *buf, size_t count);

/**
 * guest_write() - write(2) in a guest program.
 * @param fd from guest_open().
 * @param buf the program's bytes.
 * @param count byte count.
 * @return bytes written, or a negative errno.
 */
ssize_t guest_write(int fd, const void *buf, size_t count);

/**
 * guest_pread() - pread(2) in a guest program: read at @p pos without
 * moving the file offset.
 * @param fd from guest_open().
 * @param buf the program's buffer.
 * @param count bytes wanted.
 * @param pos file offset, at least 0.
 * @return bytes read, or a negative errno (-EINVAL for a negative @p pos).
 */
ssize_t guest_pread(int fd, void *buf, size_t count, int64_t pos);

/**
 * guest_pwrite() - pwrite(2) in a guest program.
 * @param fd from guest_open().
 * @param buf the program's bytes.
 * @param count byte count.
 * @param pos file offset, at least 0.
 * @return bytes written, or a negative errno.
 */
ssize_t guest_pwrite(int fd, const void *buf, size_t count, int64_t pos);

/**
 * guest_lseek() - lseek(2) in a guest program.
 * @param fd from guest_open().
 * @param offset the offset.
 * @param whence SEEK_SET, SEEK_CUR or SEEK_END.
 * @return the new offset, or a negative errno (-ESPIPE when the driver
 * has no llseek, as in Linux).
 */
int64_t guest_lseek(int fd, int64_t offset, int whence);

/**
 * guest_fsync() - fsync(2) in a guest program.
 * @param fd from guest_open().
 * @return 0 or a negative errno (-EINVAL when the driver has no fsync).
 */
int guest_fsync(int fd);

/**
 * guest_close() - close(2) in a guest program.
 * @param fd from guest_open().
 * @return 0 or -EBADF.
 */
int guest_close(int fd);

/**
 * guest_kill() - deliver (or clear) a fatal signal to guest programs:
 * killable sleeps return -ERESTARTSYS while it is pending.
 * @param pending true to kill, false to clear before the next program.
 */
void guest_kill(bool pending);

/**
 * guest_handle_irq() - interrupt entry: run the handlers of @p line in
 * interrupt context. Called on the simulator's guest IRQ thread only.
 * @param line the interrupt line.
 */
void guest_handle_irq(unsigned int line);

/**
 * guest_kernel_warnings() - count of WARN_ON()s and other bug reports.
 * @return the count since boot.
 */
unsigned long guest_kernel_warnings(void);

/**
 * guest_dmesg_contains() - search the guest kernel log.
 * @param needle text to look for.
 * @return true when a line since boot contains it.
 */
bool guest_dmesg_contains(const char *needle);

/**
 * guest_mem_in_use() - bytes of guest RAM currently allocated by the guest.
 * @return the count; tests compare it before and after to find leaks.
 */
size_t guest_mem_in_use(void);

#endif /* VLAB_VIRTIO_GUEST_H */
