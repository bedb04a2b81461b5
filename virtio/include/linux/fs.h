/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief Files and file operations: how a guest program reaches a driver.
 */
#ifndef _VLAB_LINUX_FS_H
#define _VLAB_LINUX_FS_H

#include <linux/kernel.h>
/* SEEK_SET, SEEK_CUR, SEEK_END: the UAPI header of the same name */
#include_next <linux/fs.h>

struct module;
struct file;

/** The inode behind an open device file. */
struct inode {
	unsigned int i_rdev;	/**< device number: (major << 20) | minor */
};

/** The system calls a character device implements. */
struct file_operations {
	struct module *owner;	/**< THIS_MODULE */
	/** lseek(); NULL keeps the offset where it is */
	loff_t (*llseek)(struct file *file, loff_t offset, int whence);
	/** read(): copy up to @c count bytes to user memory */
	ssize_t (*read)(struct file *file, char __user *buf, size_t count,
			loff_t *ppos);
	/** write(): take up to @c count bytes from user memory */
	ssize_t (*write)(struct file *file, const char __user *buf,
			 size_t count, loff_t *ppos);
	/** open(); private_data already points at the miscdevice */
	int (*open)(struct inode *inode, struct file *file);
	/** last close() of this open file */
	int (*release)(struct inode *inode, struct file *file);
	/** fsync()/fdatasync() */
	int (*fsync)(struct file *file, loff_t start, loff_t end,
		     int datasync);
};

/** One open of a device file. */
struct file {
	const struct file_operations *f_op;	/**< the driver's operations */
	void *private_data;	/**< driver's pointer (miscdevice at open) */
	loff_t f_pos;		/**< current offset */
	unsigned int f_flags;	/**< O_* flags given to open() */
};

/**
 * nonseekable_open() - mark a file as a stream without offsets.
 * @param inode the inode.
 * @param file the open file.
 * @return 0.
 */
static inline int nonseekable_open(struct inode *inode, struct file *file)
{
	(void)inode;
	(void)file;
	return 0;
}

#endif /* _VLAB_LINUX_FS_H */
