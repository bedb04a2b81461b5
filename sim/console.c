// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief Console device model (virtio 1.2 §5.3), one port.
 */
#include "sim/console.h"

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_ids.h>

#include "sim/sched.h"

/** Queue size of both queues (QueueNumMax). */
#define CONSOLE_QUEUE_NUM_MAX 64

/**
 * append() - add bytes to a growing buffer.
 * @param buf the buffer.
 * @param len its length.
 * @param cap its allocation.
 * @param src the bytes.
 * @param n how many.
 * @return 0 or -ENOMEM (the buffer is unchanged).
 */
static int append(uint8_t **buf, size_t *len, size_t *cap, const void *src,
		  size_t n)
{
	size_t want = *cap ? *cap : 256;
	uint8_t *p;

	while (want - *len < n)
		want *= 2;
	if (want != *cap) {
		p = realloc(*buf, want);
		if (!p)
			return -ENOMEM;
		*buf = p;
		*cap = want;
	}
	memcpy(*buf + *len, src, n);
	*len += n;
	return 0;
}

/**
 * bump() - add to a counter others read live.
 * @param counter the counter.
 * @param n how much.
 */
static void bump(unsigned long *counter, unsigned long n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

/**
 * deliver() - fill held receive buffers with waiting input, oldest buffer
 * first, and return them (§5.3.6: the device puts the host's bytes in
 * the buffers of receiveq0).
 * @param dev the device.
 */
static void deliver(struct vlab_device *dev)
{
	struct vlab_console_dev *c = dev->priv;
	struct vlab_vq *vq = &dev->vqs[VLAB_CONSOLE_RXQ];
	struct vlab_console_held h;
	struct vlab_chain ch;
	size_t n;

	while (vq->ready) {
		vlab_mutex_lock(&c->lock);
		if (!c->nheld || !c->in_len) {
			vlab_mutex_unlock(&c->lock);
			return;
		}
		h = c->held[0];
		ch = (struct vlab_chain){ .head = h.head, .ndescs = h.ndescs,
					  .nseg = h.nseg, .seg = h.seg,
					  .in_bytes = h.in_bytes };
		n = c->in_len < h.in_bytes ? c->in_len : (size_t)h.in_bytes;
		vlab_chain_write(&ch, 0, c->in, n);
		memmove(c->in, c->in + n, c->in_len - n);
		c->in_len -= n;
		memmove(c->held, c->held + 1, --c->nheld * sizeof(*c->held));
		vlab_mutex_unlock(&c->lock);

		bump(&c->stats.rx_bytes, n);
		bump(&c->stats.rx_bufs, 1);
		vlab_vq_push(dev, vq, &ch, (uint32_t)n);
		free(h.seg);
		/* §2.7.7: the rule is applied after each used element */
		vlab_vq_notify_driver(dev, vq);
	}
}

/**
 * rx_take() - take every receive buffer the driver posted and hold it
 * until there is input for it.
 * @param dev the device.
 * @param vq receiveq0.
 */
static void rx_take(struct vlab_device *dev, struct vlab_vq *vq)
{
	struct vlab_console_dev *c = dev->priv;
	struct vlab_console_held *h;
	struct vlab_chain ch;

	/*
	 * No limit of our own here: vlab_vq_pop() refuses a buffer beyond
	 * the queue size (RELIABILITY D13), and a model that stopped popping
	 * while buffers wait would spin its thread (L1).
	 */
	while (vlab_vq_pop(dev, vq, &ch, dev->model->max_segs) == 1) {
		if (c->nheld >= CONSOLE_QUEUE_NUM_MAX) {
			/* not while D13 holds: never overrun held[] */
			vlab_device_error(dev, vq, "§2.7.6",
					  "more than %u receive buffers held",
					  CONSOLE_QUEUE_NUM_MAX);
			return;
		}
		if (ch.out_bytes) {
			vlab_device_error(dev, vq, "§5.3.6.1",
					  "receive buffer %u is device-readable; receiveq0 takes writable buffers only",
					  ch.head);
			return;
		}
		vlab_mutex_lock(&c->lock);
		h = &c->held[c->nheld];
		h->seg = malloc(ch.nseg * sizeof(*ch.seg));
		if (h->seg) {
			memcpy(h->seg, ch.seg, ch.nseg * sizeof(*ch.seg));
			h->head = ch.head;
			h->ndescs = ch.ndescs;
			h->nseg = ch.nseg;
			h->in_bytes = ch.in_bytes;
			c->nheld++;
		}
		vlab_mutex_unlock(&c->lock);
		if (!h->seg) {
			/* out of host memory: give the buffer back empty */
			vlab_vq_push(dev, vq, &ch, 0);
			vlab_vq_notify_driver(dev, vq);
		}
	}
}

/**
 * tx_take() - consume every transmit buffer: its bytes go to the host
 * end (§5.3.6), and the buffer goes back with nothing written.
 * @param dev the device.
 * @param vq transmitq0.
 */
static void tx_take(struct vlab_device *dev, struct vlab_vq *vq)
{
	struct vlab_console_dev *c = dev->priv;
	struct vlab_chain ch;
	uint8_t *bytes;
	int err = 0;

	while (vlab_vq_pop(dev, vq, &ch, dev->model->max_segs) == 1) {
		if (ch.in_bytes) {
			vlab_device_error(dev, vq, "§5.3.6.1",
					  "transmit buffer %u is device-writable; transmitq0 takes readable buffers only",
					  ch.head);
			return;
		}
		bytes = malloc(ch.out_bytes ? ch.out_bytes : 1);
		if (bytes) {
			vlab_chain_read(&ch, 0, bytes, ch.out_bytes);
			vlab_mutex_lock(&c->lock);
			if (c->discard)
				bump(&c->stats.dropped, ch.out_bytes);
			else
				err = append(&c->out, &c->out_len,
					     &c->out_cap, bytes, ch.out_bytes);
			if (!err && c->loopback)
				err = append(&c->in, &c->in_len, &c->in_cap,
					     bytes, ch.out_bytes);
			vlab_mutex_unlock(&c->lock);
			if (c->out_stream && !c->discard) {
				fwrite(bytes, 1, ch.out_bytes, c->out_stream);
				fflush(c->out_stream);
			}
			free(bytes);
		}
		if (!bytes || err)
			fprintf(stderr, "[%s] out of host memory: %llu output bytes lost\n",
				dev->name, (unsigned long long)ch.out_bytes);
		bump(&c->stats.tx_bytes, ch.out_bytes);
		bump(&c->stats.tx_bufs, 1);
		vlab_vq_push(dev, vq, &ch, 0);
		vlab_vq_notify_driver(dev, vq);
	}
}

/**
 * console_process() - run a queue: take receive buffers and fill what
 * input there is, or consume transmit buffers.
 * @param dev the device.
 * @param vq the queue notified (or poked by the host side).
 */
static void console_process(struct vlab_device *dev, struct vlab_vq *vq)
{
	struct vlab_console_dev *c = dev->priv;

	if (vq->index == VLAB_CONSOLE_RXQ) {
		rx_take(dev, vq);
	} else {
		tx_take(dev, vq);
		if (!c->loopback)
			return;
	}
	if (vlab_device_live(dev))
		deliver(dev);
}

/**
 * console_reset() - device reset: the held receive buffers belong to the
 * old queue and are forgotten; input not yet delivered stays.
 * @param dev the device.
 */
static void console_reset(struct vlab_device *dev)
{
	struct vlab_console_dev *c = dev->priv;
	unsigned int i;

	vlab_mutex_lock(&c->lock);
	for (i = 0; i < c->nheld; i++)
		free(c->held[i].seg);
	c->nheld = 0;
	vlab_mutex_unlock(&c->lock);
}

/**
 * console_queue_stop() - QueueReady = 0: receive buffers held from
 * receiveq0 belong to the driver again; drop them (RELIABILITY D20).
 * @param dev the device.
 * @param vq the queue stopped.
 */
static void console_queue_stop(struct vlab_device *dev, struct vlab_vq *vq)
{
	if (vq->index == VLAB_CONSOLE_RXQ)
		console_reset(dev);
}

/** The console device type; vlab_console_init() copies it. */
static const struct vlab_device_model console_model = {
	.name = "console",
	.device_id = VIRTIO_ID_CONSOLE,
	.num_queues = 2,
	.queue_num_max = CONSOLE_QUEUE_NUM_MAX,
	.max_segs = CONSOLE_QUEUE_NUM_MAX,
	.reset = console_reset,
	.queue_stop = console_queue_stop,
	.process = console_process,
};

int vlab_console_init(struct vlab_console_dev *c,
		      const struct vlab_console_opts *o)
{
	memset(c, 0, sizeof(*c));
	c->held = calloc(CONSOLE_QUEUE_NUM_MAX, sizeof(*c->held));
	if (!c->held)
		return -ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	c->loopback = o->loopback;
	c->discard = o->discard;
	c->out_stream = o->out;
	c->model = console_model;
	/* §5.3.4: cols and rows are valid when F_SIZE is offered */
	if (o->size) {
		c->model.features |= 1ULL << VIRTIO_CONSOLE_F_SIZE;
		c->config.cols = htole16(o->cols);
		c->config.rows = htole16(o->rows);
	}
	c->config.max_nr_ports = htole32(1);
	c->model.config = (const uint8_t *)&c->config;
	c->model.config_size = sizeof(c->config);
	return 0;
}

void vlab_console_fini(struct vlab_console_dev *c)
{
	unsigned int i;

	for (i = 0; i < c->nheld; i++)
		free(c->held[i].seg);
	free(c->held);
	free(c->in);
	free(c->out);
	pthread_mutex_destroy(&c->lock);
	memset(c, 0, sizeof(*c));
}

int vlab_console_host_write(struct vlab_device *dev, struct vlab_console_dev *c,
			    const void *buf, size_t n)
{
	int err;

	vlab_mutex_lock(&c->lock);
	err = append(&c->in, &c->in_len, &c->in_cap, buf, n);
	vlab_mutex_unlock(&c->lock);
	if (!err && dev)
		vlab_device_poke(dev, VLAB_CONSOLE_RXQ);
	return err;
}

size_t vlab_console_output(struct vlab_console_dev *c, void *buf, size_t max)
{
	size_t len;

	vlab_mutex_lock(&c->lock);
	len = c->out_len;
	if (len && max)
		memcpy(buf, c->out, len < max ? len : max);
	vlab_mutex_unlock(&c->lock);
	return len;
}

size_t vlab_console_pending_input(struct vlab_console_dev *c)
{
	size_t len;

	vlab_mutex_lock(&c->lock);
	len = c->in_len;
	vlab_mutex_unlock(&c->lock);
	return len;
}

void vlab_console_resize(struct vlab_device *dev, uint16_t cols,
			 uint16_t rows)
{
	uint16_t le[2] = { htole16(cols), htole16(rows) };

	vlab_device_config_changed(dev, offsetof(struct virtio_console_config,
						 cols), le, sizeof(le));
}
