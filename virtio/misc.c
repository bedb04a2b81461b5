// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Misc character devices and the file system calls of guest
 * programs.
 *
 * misc_register() puts a device on a list; guest_open("/dev/<name>") finds
 * it under the same lock misc_deregister() takes, sets private_data to the
 * miscdevice and calls the driver's open(), as misc_open() does in Linux.
 * An open file holds no lock afterwards: the driver must keep what the file
 * uses alive until release().
 */
#include <limits.h>
#include <string.h>
#include <pthread.h>

#include <linux/miscdevice.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "virtio/boot.h"
#include "virtio/shared/boundary.h"

/** Files guest programs may have open at once. */
#define MAX_FILES 64
/** Character major of misc devices. */
#define MISC_MAJOR 10

/** misc_open()'s lock: lookups, opens and deregistration. */
static pthread_mutex_t misc_mtx = PTHREAD_MUTEX_INITIALIZER;
/** Registered misc devices. */
static LIST_HEAD(misc_list);
/** Next dynamic minor number. */
static unsigned int next_minor = 64;

/** Protects the descriptor table. */
static pthread_mutex_t files_lock = PTHREAD_MUTEX_INITIALIZER;
/** Open files of guest programs, by descriptor. */
static struct file *files[MAX_FILES];
/** Marks a descriptor whose open() is still running. */
static struct file reserved_slot;

int misc_register(struct miscdevice *misc)
{
	struct miscdevice *c;
	int ret = 0;

	if (!misc->name || !misc->name[0] || strchr(misc->name, '/') ||
	    !misc->fops)
		return -EINVAL;
	vlab_mutex_lock(&misc_mtx);
	list_for_each_entry(c, &misc_list, list) {
		if (!strcmp(c->name, misc->name)) {
			ret = -EBUSY;
			goto out;
		}
	}
	if (misc->minor == MISC_DYNAMIC_MINOR)
		misc->minor = (int)next_minor++;
	list_add_tail(&misc->list, &misc_list);
out:
	vlab_mutex_unlock(&misc_mtx);
	return ret;
}

void misc_deregister(struct miscdevice *misc)
{
	vlab_mutex_lock(&misc_mtx);
	list_del(&misc->list);
	vlab_mutex_unlock(&misc_mtx);
}

int guest_open(const char *path)
{
	struct miscdevice *c, *found = NULL;
	struct inode inode;
	struct file *file;
	int fd, ret;

	if (!path || strncmp(path, "/dev/", 5))
		return -ENOENT;
	file = kzalloc(sizeof(*file), GFP_KERNEL);
	if (!file)
		return -ENOMEM;

	vlab_mutex_lock(&files_lock);
	for (fd = 0; fd < MAX_FILES && files[fd]; fd++)
		;
	if (fd == MAX_FILES) {
		vlab_mutex_unlock(&files_lock);
		kfree(file);
		return -EMFILE;
	}
	files[fd] = &reserved_slot;
	vlab_mutex_unlock(&files_lock);

	vlab_mutex_lock(&misc_mtx);
	list_for_each_entry(c, &misc_list, list) {
		if (!strcmp(c->name, path + 5)) {
			found = c;
			break;
		}
	}
	ret = -ENOENT;
	if (found) {
		file->f_op = found->fops;
		file->private_data = found;
		inode.i_rdev = (MISC_MAJOR << 20) | (unsigned int)found->minor;
		ret = found->fops->open ? found->fops->open(&inode, file) : 0;
	}
	vlab_mutex_unlock(&misc_mtx);

	vlab_mutex_lock(&files_lock);
	files[fd] = ret ? NULL : file;
	vlab_mutex_unlock(&files_lock);
	if (ret) {
		kfree(file);
		return ret;
	}
	return fd;
}

/**
 * file_of() - the open file behind a descriptor.
 * @param fd the descriptor.
 * @return the file, or NULL.
 */
static struct file *file_of(int fd)
{
	struct file *f = NULL;

	if (fd < 0 || fd >= MAX_FILES)
		return NULL;
	vlab_mutex_lock(&files_lock);
	f = files[fd];
	vlab_mutex_unlock(&files_lock);
	return f == &reserved_slot ? NULL : f;
}

/**
 * file_rw() - read(2), write(2), pread(2) and pwrite(2) in one: find the
 * open file, check that the driver has the operation, and call it at
 * @p pos, or at the file's own offset when @p pos is NULL.
 * @param fd the descriptor.
 * @param write true for the write operation.
 * @param buf the program's buffer.
 * @param count byte count.
 * @param pos the offset of pread/pwrite, or NULL.
 * @return what the driver returned, or a negative errno.
 */
static ssize_t file_rw(int fd, bool write, void *buf, size_t count,
		       const int64_t *pos)
{
	struct file *f = file_of(fd);
	loff_t off = pos ? *pos : 0;
	loff_t *ppos = pos ? &off : NULL;

	if (!f)
		return -EBADF;
	if (off < 0)
		return -EINVAL;
	if (write ? !f->f_op->write : !f->f_op->read)
		return -EINVAL;
	if (!ppos)
		ppos = &f->f_pos;
	return write ? f->f_op->write(f, buf, count, ppos) :
		f->f_op->read(f, buf, count, ppos);
}

ssize_t guest_read(int fd, void *buf, size_t count)
{
	return file_rw(fd, false, buf, count, NULL);
}

ssize_t guest_write(int fd, const void *buf, size_t count)
{
	return file_rw(fd, true, (void *)buf, count, NULL);
}

ssize_t guest_pread(int fd, void *buf, size_t count, int64_t pos)
{
	return file_rw(fd, false, buf, count, &pos);
}

ssize_t guest_pwrite(int fd, const void *buf, size_t count, int64_t pos)
{
	return file_rw(fd, true, (void *)buf, count, &pos);
}

int64_t guest_lseek(int fd, int64_t offset, int whence)
{
	struct file *f = file_of(fd);

	if (!f)
		return -EBADF;
	if (!f->f_op->llseek)
		return -ESPIPE;
	return f->f_op->llseek(f, offset, whence);
}

int guest_fsync(int fd)
{
	struct file *f = file_of(fd);

	if (!f)
		return -EBADF;
	if (!f->f_op->fsync)
		return -EINVAL;
	return f->f_op->fsync(f, 0, LLONG_MAX, 0);
}

int guest_close(int fd)
{
	struct inode inode = { 0 };
	struct file *f;

	if (fd < 0 || fd >= MAX_FILES)
		return -EBADF;
	vlab_mutex_lock(&files_lock);
	f = files[fd];
	if (f == &reserved_slot)
		f = NULL;
	if (f)
		files[fd] = NULL;
	vlab_mutex_unlock(&files_lock);
	if (!f)
		return -EBADF;
	if (f->f_op->release)
		f->f_op->release(&inode, f);
	kfree(f);
	return 0;
}

void guest_files_close_all(void)
{
	int fd;

	for (fd = 0; fd < MAX_FILES; fd++)
		if (file_of(fd))
			guest_close(fd);
}

unsigned long copy_to_user(void __user *to, const void *from,
			   unsigned long n)
{
	might_sleep();
	if (!to)
		return n;
	memcpy(to, from, n);
	return 0;
}

unsigned long copy_from_user(void *to, const void __user *from,
			     unsigned long n)
{
	might_sleep();
	if (!from)
		return n;
	memcpy(to, from, n);
	return 0;
}
