// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief How the simulator runs a guest program: the guest's system calls
 * as the shared scenarios call them, and a watchdog that kills a program
 * that runs too long.
 */
#include "tests/scenarios/program.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "virtio/shared/boundary.h"

/** A watchdog that kills the guest program when it runs too long. */
struct watchdog {
	pthread_mutex_t lock;	/**< protects @c done and @c fired */
	pthread_cond_t cond;	/**< signalled when the program ends */
	bool done;		/**< the program finished */
	bool fired;		/**< the watchdog killed it */
	unsigned int timeout_ms; /**< how long the program may run */
};

/**
 * watchdog_thread() - wait for the program or the deadline.
 * @param arg the watchdog.
 * @return NULL.
 */
static void *watchdog_thread(void *arg)
{
	struct watchdog *wd = arg;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += wd->timeout_ms / 1000;
	ts.tv_nsec += (long)(wd->timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&wd->lock);
	while (!wd->done)
		if (pthread_cond_timedwait(&wd->cond, &wd->lock, &ts) ==
		    ETIMEDOUT)
			break;
	if (!wd->done) {
		wd->fired = true;
		guest_kill(true);
	}
	pthread_mutex_unlock(&wd->lock);
	return NULL;
}

int vlab_prog_read_all(void *arg)
{
	struct vlab_prog_read *a = arg;
	size_t got = 0;
	ssize_t r;
	int fd;

	fd = guest_open(a->path);
	if (fd < 0)
		return fd;
	while (got < a->n) {
		r = guest_read(fd, a->buf + got, a->n - got);
		if (r < 0) {
			guest_close(fd);
			return (int)r;
		}
		if (r == 0) {
			guest_close(fd);
			return -EIO;
		}
		got += (size_t)r;
	}
	return guest_close(fd);
}

int vlab_prog_run(vlab_prog_fn body, void *arg, unsigned int timeout_ms)
{
	struct watchdog wd = { .timeout_ms = timeout_ms };
	pthread_t thread;
	int ret;

	pthread_mutex_init(&wd.lock, NULL);
	pthread_cond_init(&wd.cond, NULL);
	guest_kill(false);
	if (!timeout_ms) {
		/* no deadline: a learner stepping through takes their time */
		ret = body(arg);
		goto out;
	}
	if (pthread_create(&thread, NULL, watchdog_thread, &wd)) {
		ret = -EAGAIN;
		goto out;
	}
	ret = body(arg);
	pthread_mutex_lock(&wd.lock);
	wd.done = true;
	pthread_cond_signal(&wd.cond);
	pthread_mutex_unlock(&wd.lock);
	pthread_join(thread, NULL);
	if (wd.fired) {
		guest_kill(false);
		if (ret)
			ret = -ETIMEDOUT;
	}
out:
	pthread_cond_destroy(&wd.cond);
	pthread_mutex_destroy(&wd.lock);
	return ret;
}

int vlab_prog_read_device(const char *path, uint8_t *buf, size_t n,
			  unsigned int timeout_ms)
{
	struct vlab_prog_read a = { .path = path, .buf = buf, .n = n };

	return vlab_prog_run(vlab_prog_read_all, &a, timeout_ms);
}

/**
 * sim_open() - open(2) of the simulated guest.
 * @param path the node.
 * @return a descriptor or a negative errno.
 */
static int sim_open(const char *path)
{
	return guest_open(path);
}

/**
 * sim_read() - read(2) of the simulated guest.
 * @param fd descriptor.
 * @param buf destination.
 * @param count bytes wanted.
 * @return bytes read or a negative errno.
 */
static long sim_read(int fd, void *buf, size_t count)
{
	return (long)guest_read(fd, buf, count);
}

/**
 * sim_write() - write(2) of the simulated guest.
 * @param fd descriptor.
 * @param buf the bytes.
 * @param count byte count.
 * @return bytes written or a negative errno.
 */
static long sim_write(int fd, const void *buf, size_t count)
{
	return (long)guest_write(fd, buf, count);
}

/**
 * sim_pread() - pread(2) of the simulated guest.
 * @param fd descriptor.
 * @param buf destination.
 * @param count bytes wanted.
 * @param pos offset.
 * @return bytes read or a negative errno.
 */
static long sim_pread(int fd, void *buf, size_t count, long long pos)
{
	return (long)guest_pread(fd, buf, count, pos);
}

/**
 * sim_pwrite() - pwrite(2) of the simulated guest.
 * @param fd descriptor.
 * @param buf the bytes.
 * @param count byte count.
 * @param pos offset.
 * @return bytes written or a negative errno.
 */
static long sim_pwrite(int fd, const void *buf, size_t count, long long pos)
{
	return (long)guest_pwrite(fd, buf, count, pos);
}

/**
 * sim_seek_end() - lseek(fd, 0, SEEK_END) of the simulated guest.
 * @param fd descriptor.
 * @return the offset or a negative errno.
 */
static long long sim_seek_end(int fd)
{
	return guest_lseek(fd, 0, SEEK_END);
}

/**
 * sim_fsync() - fsync(2) of the simulated guest.
 * @param fd descriptor.
 * @return 0 or a negative errno.
 */
static int sim_fsync(int fd)
{
	return guest_fsync(fd);
}

/**
 * sim_close() - close(2) of the simulated guest.
 * @param fd descriptor.
 * @return 0 or a negative errno.
 */
static int sim_close(int fd)
{
	return guest_close(fd);
}

const struct scenario_sys vlab_prog_sys = {
	.open = sim_open,
	.read = sim_read,
	.close = sim_close,
	.write = sim_write,
	.pread = sim_pread,
	.pwrite = sim_pwrite,
	.seek_end = sim_seek_end,
	.fsync = sim_fsync,
};
