// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The guest kernel log, bug reports and context checks.
 *
 * printk() keeps the last lines in a small log (dmesg) that tests search,
 * and copies lines up to the console level to stderr. WARN_ON() and
 * might_sleep() reports are counted so a test can prove a driver bug was
 * reported rather than silently ignored.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include <linux/kernel.h>
#include <linux/preempt.h>

#include "virtio/shared/boundary.h"
#include "virtio/boot.h"
#include "virtio/irq_context.h"

/** Lines the kernel log keeps. */
#define LOG_LINES 256
/** Longest kept line. */
#define LOG_LINE_LEN 240

/** Protects the kernel log. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
/** The last LOG_LINES lines, oldest overwritten first. */
static char log_ring[LOG_LINES][LOG_LINE_LEN];
/** Slot the next line goes to. */
static unsigned int log_next;
/** Lines kept so far. */
static unsigned int log_count;
/** Highest level copied to the console. */
static int console_loglevel = 4;
/** WARN_ON() and might_sleep() reports since boot. */
static unsigned long warnings;
/** True on the IRQ thread while a handler runs. */
static _Thread_local bool irq_context;

/**
 * irq_context_addr() - this OS thread's @c irq_context, for the lockstep
 * schedule to carry with each simulated thread.
 * @return its address.
 */
static void *irq_context_addr(void)
{
	return &irq_context;
}

/**
 * carry_irq_context() - each simulated thread has its own interrupt
 * context flag, also in lockstep where they share one OS thread.
 */
static void __attribute__((constructor)) carry_irq_context(void)
{
	vlab_thread_carry(irq_context_addr, sizeof(irq_context));
}

void guest_log_init(int loglevel)
{
	pthread_mutex_lock(&log_lock);
	log_next = 0;
	log_count = 0;
	console_loglevel = loglevel;
	__atomic_store_n(&warnings, 0, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&log_lock);
}

int printk(const char *fmt, ...)
{
	char line[LOG_LINE_LEN];
	int level = 4;
	va_list ap;
	int n;

	if (fmt[0] == '<' && fmt[1] >= '0' && fmt[1] <= '7' && fmt[2] == '>') {
		level = fmt[1] - '0';
		fmt += 3;
	}
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return n;

	pthread_mutex_lock(&log_lock);
	snprintf(log_ring[log_next], LOG_LINE_LEN, "%s", line);
	log_next = (log_next + 1) % LOG_LINES;
	if (log_count < LOG_LINES)
		log_count++;
	if (level <= console_loglevel)
		fprintf(stderr, "[guest] %s%s", line,
			n > 0 && line[strlen(line) - 1] == '\n' ? "" : "\n");
	pthread_mutex_unlock(&log_lock);
	return n;
}

bool guest_dmesg_contains(const char *needle)
{
	bool found = false;
	unsigned int i;

	pthread_mutex_lock(&log_lock);
	for (i = 0; i < log_count && !found; i++)
		found = strstr(log_ring[i], needle) != NULL;
	pthread_mutex_unlock(&log_lock);
	return found;
}

unsigned long guest_kernel_warnings(void)
{
	return __atomic_load_n(&warnings, __ATOMIC_RELAXED);
}

void vlab_bug(const char *file, int line)
{
	printk(KERN_EMERG "kernel BUG at %s:%d!\n", file, line);
	fprintf(stderr, "[guest] kernel BUG at %s:%d! (simulated oops)\n",
		file, line);
	abort();
}

void vlab_warn(const char *file, int line, const char *cond)
{
	__atomic_fetch_add(&warnings, 1, __ATOMIC_RELAXED);
	printk(KERN_WARNING "WARNING: at %s:%d: %s (thread %s)\n", file, line,
	       cond, vlab_thread_name());
}

bool in_interrupt(void)
{
	return irq_context;
}

void guest_irq_context_enter(void)
{
	irq_context = true;
}

void guest_irq_context_exit(void)
{
	irq_context = false;
}

void __might_sleep(const char *file, int line)
{
	if (!irq_context)
		return;
	__atomic_fetch_add(&warnings, 1, __ATOMIC_RELAXED);
	printk(KERN_ERR
	       "BUG: sleeping function called from invalid context at %s:%d\n",
	       file, line);
}
