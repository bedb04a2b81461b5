/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief printk() and the pr_*() helpers: the guest kernel's log.
 *
 * Messages go to the simulated machine's console (stderr) with the level
 * prefix the kernel would print, so a learner reads the same lines here as
 * in dmesg on a real guest.
 */
#ifndef _VLAB_LINUX_PRINTK_H
#define _VLAB_LINUX_PRINTK_H

/** Level prefix: the system is unusable. */
#define KERN_EMERG "<0>"
/** Level prefix: error conditions. */
#define KERN_ERR "<3>"
/** Level prefix: warning conditions. */
#define KERN_WARNING "<4>"
/** Level prefix: normal but significant. */
#define KERN_NOTICE "<5>"
/** Level prefix: informational. */
#define KERN_INFO "<6>"
/** Level prefix: debug-level messages (hidden unless asked for). */
#define KERN_DEBUG "<7>"

/**
 * printk() - write one message to the guest kernel log.
 * @param fmt printf format, optionally starting with a KERN_* level prefix.
 *
 * @return the number of characters written, as the kernel's printk().
 */
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#ifndef pr_fmt
/** Per-file message prefix; a driver may define it before including. */
#define pr_fmt(fmt) fmt
#endif

/** Log an error. */
#define pr_err(fmt, ...) printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
/** Log a warning. */
#define pr_warn(fmt, ...) printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
/** Log a notice. */
#define pr_notice(fmt, ...) printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
/** Log an informational message. */
#define pr_info(fmt, ...) printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
/** Log a debug message. */
#define pr_debug(fmt, ...) printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)

#endif /* _VLAB_LINUX_PRINTK_H */
