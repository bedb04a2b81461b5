/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Loadable modules: module_init()/module_exit() and module info.
 *
 * A module's init and exit functions are recorded under its KBUILD_MODNAME
 * (the build passes it, as Kbuild does) when the program starts; the
 * simulated machine then loads and unloads modules by name, like insmod and
 * rmmod in a real guest.
 */
#ifndef _VLAB_LINUX_MODULE_H
#define _VLAB_LINUX_MODULE_H

#include <linux/kernel.h>

/** A loaded module (opaque). */
struct module;

/** The module being built; built-in code in a kernel also has NULL here. */
#define THIS_MODULE ((struct module *)0)

/**
 * vlab_module_record() - record a module's init or exit function.
 * @param name KBUILD_MODNAME of the module.
 * @param init its init function, or NULL when recording the exit.
 * @param exit its exit function, or NULL when recording the init.
 */
void vlab_module_record(const char *name, int (*init)(void),
			void (*exit)(void));

/** Run @p fn when the module is loaded. */
#define module_init(fn)							\
	static void __attribute__((constructor)) __vlab_init_##fn(void)	\
	{								\
		vlab_module_record(KBUILD_MODNAME, fn, NULL);		\
	}

/** Run @p fn when the module is unloaded. */
#define module_exit(fn)							\
	static void __attribute__((constructor)) __vlab_exit_##fn(void)	\
	{								\
		vlab_module_record(KBUILD_MODNAME, NULL, fn);		\
	}

/**
 * Define a module whose init registers @p __driver with @p __register and
 * whose exit unregisters it (module_virtio_driver() builds on this).
 */
#define module_driver(__driver, __register, __unregister, ...)	\
static int __init __driver##_init(void)				\
{								\
	return __register(&(__driver), ##__VA_ARGS__);		\
}								\
module_init(__driver##_init);					\
static void __exit __driver##_exit(void)			\
{								\
	__unregister(&(__driver), ##__VA_ARGS__);		\
}								\
module_exit(__driver##_exit)

/** Module licence (kept in the .ko by Kbuild; nothing to record here). */
#define MODULE_LICENSE(x) extern int __vlab_modinfo
/** Module author. */
#define MODULE_AUTHOR(x) extern int __vlab_modinfo
/** One-line module description. */
#define MODULE_DESCRIPTION(x) extern int __vlab_modinfo
/** Device table that lets udev load the module for matching devices. */
#define MODULE_DEVICE_TABLE(type, name) extern int __vlab_modinfo

#endif /* _VLAB_LINUX_MODULE_H */
