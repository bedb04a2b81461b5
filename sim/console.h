/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief The simulated console device (virtio 1.2 §5.3), single port.
 *
 * Two queues: receiveq0 (index 0) carries bytes from the host to the
 * guest in buffers the driver keeps posted; transmitq0 (index 1) carries
 * the guest's bytes to the host. MULTIPORT is not offered, so there is no
 * control queue. With VIRTIO_CONSOLE_F_SIZE the configuration space holds
 * the console's columns and rows.
 *
 * The host end is a pair of byte streams. Input waits in the device until
 * the driver has posted a buffer for it: the device takes the posted
 * buffers as they come and fills them when there is something to say, so
 * bytes from the host are never dropped while no guest program reads.
 * Output is kept for the caller to look at and, when asked, copied to a
 * host stream (vlab's stdout). In loopback mode everything the guest
 * sends comes straight back as input, the console's own echo test.
 */
#ifndef VLAB_SIM_CONSOLE_H
#define VLAB_SIM_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/virtio_console.h>

#include "sim/device.h"

/** Index of receiveq0: host to guest (§5.3.2). */
#define VLAB_CONSOLE_RXQ 0
/** Index of transmitq0: guest to host (§5.3.2). */
#define VLAB_CONSOLE_TXQ 1

/** What a console device offers and where its host end goes. */
struct vlab_console_opts {
	bool size;		/**< offer VIRTIO_CONSOLE_F_SIZE */
	uint16_t cols;		/**< columns, with @c size */
	uint16_t rows;		/**< rows, with @c size */
	bool loopback;		/**< the guest's output comes back as input */
	FILE *out;		/**< also copy output here (NULL: keep only) */
	bool discard;		/**< no reader on the host end: output is
				     taken from the guest and dropped */
};

/** Bytes and buffers through the console (atomic: read live). */
struct vlab_console_stats {
	unsigned long rx_bytes;	/**< host to guest, delivered */
	unsigned long rx_bufs;	/**< receive buffers filled */
	unsigned long tx_bytes;	/**< guest to host */
	unsigned long tx_bufs;	/**< transmit buffers consumed */
	unsigned long dropped;	/**< output bytes nobody read (discard) */
};

/** A receive buffer the device took and has not filled yet. */
struct vlab_console_held {
	uint16_t head;		/**< its id */
	uint16_t ndescs;	/**< descriptors it took (packed) */
	unsigned int nseg;	/**< its buffers */
	struct vlab_seg *seg;	/**< copies of them (the ring's scratch is
				     reused by the next pop) */
	uint64_t in_bytes;	/**< room in it */
};

/** A console device's state. */
struct vlab_console_dev {
	struct vlab_device_model model;	/**< the type, this instance's
					     features and configuration */
	struct virtio_console_config config; /**< configuration space (LE) */
	bool loopback;		/**< see struct vlab_console_opts */
	bool discard;		/**< see struct vlab_console_opts */
	FILE *out_stream;	/**< see struct vlab_console_opts */
	pthread_mutex_t lock;	/**< protects the byte streams */
	uint8_t *in;		/**< input not yet delivered */
	size_t in_len;		/**< its length */
	size_t in_cap;		/**< its allocation */
	uint8_t *out;		/**< output so far */
	size_t out_len;		/**< its length */
	size_t out_cap;		/**< its allocation */
	struct vlab_console_held *held; /**< receive buffers in hand, oldest
					     first (device thread only) */
	unsigned int nheld;	/**< how many */
	struct vlab_console_stats stats; /**< counters */
};

/**
 * vlab_console_init() - build a console instance.
 * @param c the state.
 * @param o what to offer and where output goes.
 * @return 0 or -ENOMEM.
 */
int vlab_console_init(struct vlab_console_dev *c,
		      const struct vlab_console_opts *o);

/**
 * vlab_console_fini() - free the streams and held buffers (after the
 * device is destroyed).
 * @param c the state.
 */
void vlab_console_fini(struct vlab_console_dev *c);

/**
 * vlab_console_host_write() - the host types: queue @p n bytes for the
 * guest and let the device deliver them when it can. Before the device
 * exists (@p dev NULL) the bytes wait for it.
 * @param dev the device whose priv is @p c, or NULL.
 * @param c the state.
 * @param buf the bytes.
 * @param n byte count.
 * @return 0 or -ENOMEM.
 */
int vlab_console_host_write(struct vlab_device *dev, struct vlab_console_dev *c,
			    const void *buf, size_t n);

/**
 * vlab_console_output() - what the guest has sent so far.
 * @param c the state.
 * @param buf receives up to @p max bytes of it.
 * @param max room in @p buf.
 * @return the total output length (may exceed @p max).
 */
size_t vlab_console_output(struct vlab_console_dev *c, void *buf, size_t max);

/**
 * vlab_console_pending_input() - host bytes not yet delivered.
 * @param c the state.
 * @return the count.
 */
size_t vlab_console_pending_input(struct vlab_console_dev *c);

/**
 * vlab_console_resize() - the host window changed size: new cols and
 * rows in config space and a configuration-change interrupt (§5.3.4).
 * @param dev the device.
 * @param cols columns.
 * @param rows rows.
 */
void vlab_console_resize(struct vlab_device *dev, uint16_t cols,
			 uint16_t rows);

#endif /* VLAB_SIM_CONSOLE_H */
