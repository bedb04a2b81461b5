// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Built-in modules, loaded and unloaded by name.
 *
 * Each driver file records its init and exit functions under its
 * KBUILD_MODNAME before main() runs (see module_init()); insmod and rmmod
 * become guest_module_load() and guest_module_unload().
 */
#include <string.h>
#include <pthread.h>

#include <linux/module.h>

#include "virtio/boot.h"
#include "virtio/shared/boundary.h"

/** Modules one program can hold. */
#define MAX_MODULES 16

/** A module built into this program. */
struct builtin_module {
	const char *name;	/**< KBUILD_MODNAME */
	int (*init)(void);	/**< module_init() function */
	void (*exit)(void);	/**< module_exit() function */
	bool loaded;		/**< init ran and succeeded */
	unsigned long order;	/**< load order, to unload newest first */
};

/** Modules built into this program. */
static struct builtin_module modules[MAX_MODULES];
/** Serialises insmod and rmmod. */
static pthread_mutex_t module_lock = PTHREAD_MUTEX_INITIALIZER;
/** Counts loads, to unload newest first. */
static unsigned long load_counter;

/**
 * find_module() - the record of module @p name.
 * @param name the module name.
 * @param create make a record when there is none.
 * @return the record, or NULL.
 */
static struct builtin_module *find_module(const char *name, bool create)
{
	int i;

	for (i = 0; i < MAX_MODULES; i++)
		if (modules[i].name && !strcmp(modules[i].name, name))
			return &modules[i];
	if (!create)
		return NULL;
	for (i = 0; i < MAX_MODULES; i++) {
		if (!modules[i].name) {
			modules[i].name = name;
			return &modules[i];
		}
	}
	BUG();
}

void vlab_module_record(const char *name, int (*init)(void),
			void (*exit)(void))
{
	struct builtin_module *m = find_module(name, true);

	if (init)
		m->init = init;
	if (exit)
		m->exit = exit;
}

int guest_module_load(const char *name)
{
	struct builtin_module *m;
	int ret;

	vlab_mutex_lock(&module_lock);
	m = find_module(name, false);
	if (!m || !m->init) {
		vlab_mutex_unlock(&module_lock);
		return -ENOENT;
	}
	if (m->loaded) {
		vlab_mutex_unlock(&module_lock);
		return -EEXIST;
	}
	ret = m->init();
	if (!ret) {
		m->loaded = true;
		m->order = ++load_counter;
	}
	vlab_mutex_unlock(&module_lock);
	return ret;
}

int guest_module_unload(const char *name)
{
	struct builtin_module *m;

	vlab_mutex_lock(&module_lock);
	m = find_module(name, false);
	if (!m || !m->loaded) {
		vlab_mutex_unlock(&module_lock);
		return -ENOENT;
	}
	if (m->exit)
		m->exit();
	m->loaded = false;
	vlab_mutex_unlock(&module_lock);
	return 0;
}

void guest_modules_unload_all(void)
{
	struct builtin_module *newest;
	int i;

	for (;;) {
		newest = NULL;
		vlab_mutex_lock(&module_lock);
		for (i = 0; i < MAX_MODULES; i++)
			if (modules[i].loaded &&
			    (!newest || modules[i].order > newest->order))
				newest = &modules[i];
		vlab_mutex_unlock(&module_lock);
		if (!newest)
			return;
		guest_module_unload(newest->name);
	}
}
