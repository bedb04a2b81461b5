/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief The one boundary between the guest kernel (virtio/, driver/) and
 * the simulated machine (sim/), as a real guest meets its hypervisor only
 * at the transport.
 *
 * Both worlds include this header and nothing else of each other. It uses
 * plain C types, so sim/ never sees a kernel header and driver/ never sees
 * a host one. It has three parts:
 *
 * 1. What the guest needs from the machine: guest RAM and the MMIO trap
 *    (struct guest_hw, handed over at boot); the scheduling points of the
 *    lockstep schedule (every lock, condition and sleep of the guest
 *    kernel goes through vlab_mutex_lock() and its siblings, so that a
 *    waiting thread hands the token on); and the trace
 *    (virtio/shared/trace_event.h: VLAB_TRACE() and thread names).
 *    sim/ implements these.
 * 2. What the machine calls in the guest: guest_boot(), guest_shutdown(),
 *    guest_add_virtio_mmio() and the interrupt entry guest_handle_irq().
 *    virtio/ implements these.
 * 3. What guest programs call: module loading and the system calls on
 *    device nodes (guest_open(), guest_read(), ...), and what tests read
 *    back from the guest kernel (warnings, dmesg, memory in use).
 *    virtio/ implements these.
 *
 * There is one guest kernel per process, as there is one kernel per
 * machine: guest_boot() starts it, guest_shutdown() stops it.
 */
#ifndef VLAB_SHARED_BOUNDARY_H
#define VLAB_SHARED_BOUNDARY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "virtio/shared/trace_event.h"

/* Part 1: what the guest needs from the machine. */

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

/*
 * The scheduling points. In the free schedule each is the pthread call
 * it wraps; in lockstep a thread that must wait hands the token on
 * (sim/sched.c).
 */

/**
 * vlab_mutex_lock() - take a lock; in lockstep, wait for it without the
 * token if another thread holds it (it may have stopped at an event while
 * holding it).
 * @param m the lock.
 */
void vlab_mutex_lock(pthread_mutex_t *m);

/**
 * vlab_mutex_unlock() - release a lock and let waiters look again.
 * @param m the lock.
 */
void vlab_mutex_unlock(pthread_mutex_t *m);

/**
 * vlab_cond_wait() - wait on a condition, as pthread_cond_wait(). The
 * caller re-checks its condition in a loop, as with pthread.
 * @param c the condition variable.
 * @param m the lock the caller holds; released while waiting.
 */
void vlab_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);

/**
 * vlab_cond_wait_ms() - as vlab_cond_wait(), but in the free schedule
 * wake after @p ms milliseconds at the latest; the caller looks at a flag
 * no one signals (a fatal signal). In lockstep the wait is untimed: when
 * every thread waits, that is a deadlock, not a reason to poll.
 * @param c the condition variable.
 * @param m the lock the caller holds.
 * @param ms the longest sleep in the free schedule.
 */
void vlab_cond_wait_ms(pthread_cond_t *c, pthread_mutex_t *m,
		       unsigned int ms);

/**
 * vlab_cond_signal() - wake one waiter.
 * @param c the condition variable.
 */
void vlab_cond_signal(pthread_cond_t *c);

/**
 * vlab_cond_broadcast() - wake every waiter.
 * @param c the condition variable.
 */
void vlab_cond_broadcast(pthread_cond_t *c);

/**
 * vlab_sleep_ms() - sleep; in lockstep on the virtual clock, which moves
 * only when every thread waits.
 * @param ms how long.
 */
void vlab_sleep_ms(unsigned int ms);

/**
 * vlab_wait_reason() - say what the calling thread's next condition wait
 * is for, in the terms of the code that waits ("wait_for_completion():
 * ..."): the lockstep schedule names it when every thread waits.
 * @param why a string that outlives the wait.
 */
void vlab_wait_reason(const char *why);

/**
 * vlab_sched_wake() - a thread outside the schedule (a watchdog) changed
 * something simulated threads wait for: let them look again.
 */
void vlab_sched_wake(void);

/**
 * vlab_thread_carry() - name a thread-local variable of the guest that
 * each simulated thread must keep as its own. The lockstep schedule runs
 * every simulated thread as a coroutine of one OS thread (only one runs
 * at a time; a switch in user space costs a fraction of a kernel
 * hand-over), so a C thread-local would be shared by all of them. The
 * schedule saves each carried variable when a thread gives the token
 * away and puts it back when the thread runs again; a new simulated
 * thread starts with it zero, as a new thread's thread-locals do. Call it
 * once per variable (a constructor does); repeats are ignored.
 * @param addr returns the calling OS thread's instance of the variable.
 * @param size its size in bytes, at most 16.
 */
void vlab_thread_carry(void *(*addr)(void), size_t size);

/* Part 2: what the machine calls in the guest. */

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
 * guest_handle_irq() - interrupt entry: run the handlers of @p line in
 * interrupt context. Called on the simulator's guest IRQ thread only.
 * @param line the interrupt line.
 */
void guest_handle_irq(unsigned int line);

/* Part 3: what guest programs and tests call in the guest. */

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
 * What the driver keeps of a queue for itself, never in shared memory:
 * the ring view shows it next to the rings (guest_vq_private()).
 */
struct guest_vq_private {
	bool packed;		/**< the packed layout */
	unsigned int num_free;	/**< descriptors free */
	unsigned int free_head;	/**< next free descriptor (split) or id */
	uint16_t last_used;	/**< next used entry (split index; packed
				     position) */
	bool used_wrap;		/**< packed: the lap of last_used */
	uint16_t next_avail;	/**< split: avail idx as written; packed:
				     next descriptor to fill */
	bool avail_wrap;	/**< packed: the lap of next_avail */
};

/**
 * guest_vq_private() - the driver's own state of the queue whose
 * descriptors start at @p desc_gpa (QueueDesc).
 * @param desc_gpa the queue's descriptor area, guest-physical.
 * @param out receives the state.
 * @return true when the guest has such a queue.
 */
bool guest_vq_private(uint64_t desc_gpa, struct guest_vq_private *out);

/**
 * guest_mem_block() - the allocation of the guest kernel's that holds a
 * guest-physical address: what a canonical trace names addresses by
 * (tools/vlab/canon.c), so that two drivers that allocate differently
 * compare equal.
 * @param gpa the address.
 * @param base receives the allocation's first address.
 * @param size receives its size (rounded up to the allocator's unit).
 * @return true when @p gpa lies in a live allocation.
 */
bool guest_mem_block(uint64_t gpa, uint64_t *base, uint64_t *size);

/**
 * guest_mem_in_use() - bytes of guest RAM currently allocated by the guest.
 * @return the count; tests compare it before and after to find leaks.
 */
size_t guest_mem_in_use(void);

#endif /* VLAB_SHARED_BOUNDARY_H */
