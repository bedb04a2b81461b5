// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The vhost-user back-end's connection: reading each message whole
 * with its file descriptors, answering it, the messages about the whole
 * device (features, protocol features, owner, config, reset), and the
 * serve loop that waits on the socket and the kick eventfds (QEMU's
 * docs/interop/vhost-user.rst). The vrings and guest memory are in
 * sim/vhost_user_vring.c.
 */
#include "sim/vhost_user.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "sim/sched.h"
#include "sim/vhost_user_vring.h"

/**
 * protocol_features() - the protocol features this back-end offers:
 * REPLY_ACK, and CONFIG for a device with a configuration space (QEMU
 * warns about CONFIG offered to a device that has none).
 * @param vu the back-end.
 * @return the bits.
 */
static uint64_t protocol_features(const struct vlab_vhost_user *vu)
{
	uint64_t f = 1ULL << VLAB_VU_PROTOCOL_F_REPLY_ACK;

	if (vu->dev->model->config_size)
		f |= 1ULL << VLAB_VU_PROTOCOL_F_CONFIG;
	return f;
}

const char *vlab_vu_request_name(uint32_t request)
{
	static const char *const names[] = {
		[VLAB_VU_GET_FEATURES] = "GET_FEATURES",
		[VLAB_VU_SET_FEATURES] = "SET_FEATURES",
		[VLAB_VU_SET_OWNER] = "SET_OWNER",
		[VLAB_VU_RESET_OWNER] = "RESET_OWNER",
		[VLAB_VU_SET_MEM_TABLE] = "SET_MEM_TABLE",
		[VLAB_VU_SET_LOG_BASE] = "SET_LOG_BASE",
		[VLAB_VU_SET_LOG_FD] = "SET_LOG_FD",
		[VLAB_VU_SET_VRING_NUM] = "SET_VRING_NUM",
		[VLAB_VU_SET_VRING_ADDR] = "SET_VRING_ADDR",
		[VLAB_VU_SET_VRING_BASE] = "SET_VRING_BASE",
		[VLAB_VU_GET_VRING_BASE] = "GET_VRING_BASE",
		[VLAB_VU_SET_VRING_KICK] = "SET_VRING_KICK",
		[VLAB_VU_SET_VRING_CALL] = "SET_VRING_CALL",
		[VLAB_VU_SET_VRING_ERR] = "SET_VRING_ERR",
		[VLAB_VU_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
		[VLAB_VU_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
		[VLAB_VU_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
		[VLAB_VU_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
		[VLAB_VU_GET_CONFIG] = "GET_CONFIG",
		[VLAB_VU_SET_CONFIG] = "SET_CONFIG",
		[VLAB_VU_RESET_DEVICE] = "RESET_DEVICE",
	};

	if (request < sizeof(names) / sizeof(names[0]) && names[request])
		return names[request];
	return "unknown";
}

int vu_refuse(struct vlab_vhost_user *vu, const struct vu_msg *m,
	      const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(vu->last_error, sizeof(vu->last_error), "%s: %s",
		 vlab_vu_request_name(m->hdr.request), why);
	vu->refused++;
	fprintf(stderr, "[%s] vhost-user: %s (request %u) refused: %s\n",
		vu->dev->name, vlab_vu_request_name(m->hdr.request),
		m->hdr.request, why);
	return -EINVAL;
}

void vu_say(struct vlab_vhost_user *vu, const char *fmt, ...)
{
	char text[256];
	va_list ap;

	if (!vu->say)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	vu->say(vu->say_arg, text);
}

void vu_reg_write(struct vlab_vhost_user *vu, uint64_t offset, uint32_t val)
{
	vlab_mmio_device_write(vu->dev, offset, val, 4);
}

uint32_t vu_reg_read(struct vlab_vhost_user *vu, uint64_t offset)
{
	return (uint32_t)vlab_mmio_device_read(vu->dev, offset, 4);
}

int vu_send_reply(struct vlab_vhost_user *vu, uint32_t request,
		  const void *payload, uint32_t size)
{
	struct vlab_vu_hdr hdr = {
		.request = request, .flags = VLAB_VU_VERSION | VLAB_VU_REPLY,
		.size = size,
	};
	struct iovec iov[2] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)payload, .iov_len = size },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n;

	n = sendmsg(vu->fd, &mh, MSG_NOSIGNAL);
	if (n < 0)
		return -errno;
	return (size_t)n == sizeof(hdr) + size ? 0 : -EPIPE;
}

/**
 * read_full() - read exactly @p len bytes, or learn why not.
 * @param fd the socket.
 * @param buf where to.
 * @param len how many.
 * @return bytes read (less than @p len at end of file), or -errno.
 */
static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = recv(fd, (uint8_t *)buf + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/**
 * read_msg() - read one message whole: the header (the fds come with its
 * first byte, SCM_RIGHTS), then exactly the payload bytes it announces.
 * QEMU sends several messages back to back: the header's size is the only
 * frame.
 * @param vu the back-end.
 * @param m receives the message.
 * @return 1 when read, 0 at end of file between messages, -EPROTO for a
 * message that cannot be read (short, too long, wrong version), another
 * -errno on a socket error.
 */
static int read_msg(struct vlab_vhost_user *vu, struct vu_msg *m)
{
	char ctl[CMSG_SPACE(sizeof(int) * VLAB_VU_MAX_FDS)];
	struct iovec iov = { .iov_base = &m->hdr, .iov_len = sizeof(m->hdr) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *c;
	ssize_t n, more;
	size_t nfd, k;

	memset(&m->hdr, 0, sizeof(m->hdr));
	m->nfds = 0;
	do
		n = recvmsg(vu->fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return 0;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (k = 0; k < nfd; k++) {
			int got;

			memcpy(&got, CMSG_DATA(c) + k * sizeof(int),
			       sizeof(int));
			/* more than a message may carry: not kept open */
			if (m->nfds < VLAB_VU_MAX_FDS)
				m->fds[m->nfds++] = got;
			else
				close(got);
		}
	}
	if ((size_t)n < sizeof(m->hdr)) {
		more = read_full(vu->fd, (uint8_t *)&m->hdr + n,
				 sizeof(m->hdr) - (size_t)n);
		if (more < 0)
			return (int)more;
		n += more;
	}
	if ((size_t)n < sizeof(m->hdr)) {
		fprintf(stderr, "[%s] vhost-user: short message: %zd of the %zu header bytes, then the connection ended\n",
			vu->dev->name, n, sizeof(m->hdr));
		return -EPROTO;
	}
	if ((m->hdr.flags & VLAB_VU_VERSION_MASK) != VLAB_VU_VERSION) {
		fprintf(stderr, "[%s] vhost-user: %s with protocol version %u, not 1: closing\n",
			vu->dev->name, vlab_vu_request_name(m->hdr.request),
			m->hdr.flags & VLAB_VU_VERSION_MASK);
		return -EPROTO;
	}
	if (m->hdr.size > VLAB_VU_MAX_PAYLOAD) {
		/* nothing tells where the next message would begin */
		fprintf(stderr, "[%s] vhost-user: %s announces a %u-byte payload, more than any request takes (%u): closing\n",
			vu->dev->name, vlab_vu_request_name(m->hdr.request),
			m->hdr.size, VLAB_VU_MAX_PAYLOAD);
		return -EPROTO;
	}
	memset(&m->p, 0, sizeof(m->p));
	more = read_full(vu->fd, &m->p, m->hdr.size);
	if (more < 0)
		return (int)more;
	if ((uint32_t)more < m->hdr.size) {
		fprintf(stderr, "[%s] vhost-user: short message: %s announces %u payload bytes, the connection ended after %zd\n",
			vu->dev->name, vlab_vu_request_name(m->hdr.request),
			m->hdr.size, more);
		return -EPROTO;
	}
	return 1;
}

/**
 * set_features() - SET_FEATURES: the features in force from now on
 * (RELIABILITY D19). The front-end sends them once the guest's driver set
 * DRIVER_OK; the back-end replays the negotiation into the register file:
 * reset if needed, ACKNOWLEDGE|DRIVER, DriverFeatures, FEATURES_OK, which
 * the device accepts only for bits it offered.
 * @param vu the back-end.
 * @param m the message.
 * @return 0 or -EINVAL.
 */
static int set_features(struct vlab_vhost_user *vu, const struct vu_msg *m)
{
	uint64_t f = m->p.u64, offered = vlab_device_offered_features(vu->dev);
	uint32_t ok = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	if (m->hdr.size < sizeof(uint64_t))
		return vu_refuse(vu, m, "%u-byte payload is too short",
				 m->hdr.size);
	vu->protocol_acked = f & (1ULL << VLAB_VU_F_PROTOCOL_FEATURES);
	f &= ~(1ULL << VLAB_VU_F_PROTOCOL_FEATURES);
	if (f & ~offered)
		return vu_refuse(vu, m, "features 0x%llx include 0x%llx, never offered by GET_FEATURES",
				 (unsigned long long)f,
				 (unsigned long long)(f & ~offered));
	/*
	 * QEMU sends the features again at every start of the rings: the
	 * same ones on a healthy device need no new negotiation.
	 */
	if (vu->features_set && f == vu->features &&
	    !(vu_reg_read(vu, VIRTIO_MMIO_STATUS) &
	      VIRTIO_CONFIG_S_NEEDS_RESET))
		return 0;
	if (vu_any_live(vu))
		return vu_refuse(vu, m, "features change under running rings");
	if (vu_reg_read(vu, VIRTIO_MMIO_STATUS))
		vu_reg_write(vu, VIRTIO_MMIO_STATUS, 0);
	vu->features_set = false;
	vu_say(vu, "SET_FEATURES 0x%llx: the guest's driver accepted these; the back-end commits them as FEATURES_OK",
	       (unsigned long long)f);
	vu_reg_write(vu, VIRTIO_MMIO_STATUS, ok);
	vu_reg_write(vu, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vu_reg_write(vu, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	vu_reg_write(vu, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vu_reg_write(vu, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
	vu_reg_write(vu, VIRTIO_MMIO_STATUS, ok | VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(vu_reg_read(vu, VIRTIO_MMIO_STATUS) &
	      VIRTIO_CONFIG_S_FEATURES_OK))
		return vu_refuse(vu, m, "the device did not accept features 0x%llx (a modern device needs VIRTIO_F_VERSION_1)",
				 (unsigned long long)f);
	vu->features = f;
	vu->features_set = true;
	return 0;
}

/**
 * get_config() - GET_CONFIG: the device's configuration space, exactly
 * as many bytes as asked ("payload size MUST match the front-end's
 * request"; a zero-length payload says error).
 * @param vu the back-end.
 * @param m the message.
 * @return 0, or a negative errno from the reply.
 */
static int get_config(struct vlab_vhost_user *vu, const struct vu_msg *m)
{
	const struct vlab_vu_config *q = &m->p.config;
	struct vlab_vu_config a;
	struct vlab_device *dev = vu->dev;
	uint32_t i;

	if (m->hdr.size < VLAB_VU_CONFIG_HDR || q->size > sizeof(q->payload) ||
	    q->offset > sizeof(q->payload) - q->size ||
	    m->hdr.size != VLAB_VU_CONFIG_HDR + q->size) {
		vu_refuse(vu, m, "offset %u, size %u in a %u-byte message",
			  q->offset, q->size, m->hdr.size);
		return vu_send_reply(vu, m->hdr.request, NULL, 0);
	}
	a = *q;
	memset(a.payload, 0, sizeof(a.payload));
	vlab_mutex_lock(&dev->lock);
	for (i = 0; i < q->size; i++)
		if (q->offset + i < dev->config_size)
			a.payload[i] = dev->config[q->offset + i];
	vlab_mutex_unlock(&dev->lock);
	return vu_send_reply(vu, m->hdr.request, &a,
			     VLAB_VU_CONFIG_HDR + q->size);
}

/**
 * reset_device() - RESET_OWNER or RESET_DEVICE, and a disconnect: every
 * ring stopped, the device reset (§2.4), the features forgotten.
 * @param vu the back-end.
 */
static void reset_device(struct vlab_vhost_user *vu)
{
	vu_stop_all(vu);
	if (vu_reg_read(vu, VIRTIO_MMIO_STATUS))
		vu_reg_write(vu, VIRTIO_MMIO_STATUS, 0);
	vu->features_set = false;
	vu->features = 0;
}

/**
 * dispatch() - handle one message.
 * @param vu the back-end.
 * @param m the message.
 * @param replied set when the handler sent its own reply.
 * @return 0, or -EINVAL when refused; a negative errno other than that
 * when a reply could not be sent.
 */
static int dispatch(struct vlab_vhost_user *vu, struct vu_msg *m,
		    bool *replied)
{
	uint64_t v;

	switch (m->hdr.request) {
	case VLAB_VU_GET_FEATURES:
		v = vlab_device_offered_features(vu->dev) |
			(1ULL << VLAB_VU_F_PROTOCOL_FEATURES);
		*replied = true;
		return vu_send_reply(vu, m->hdr.request, &v, sizeof(v));
	case VLAB_VU_GET_PROTOCOL_FEATURES:
		v = protocol_features(vu);
		*replied = true;
		return vu_send_reply(vu, m->hdr.request, &v, sizeof(v));
	case VLAB_VU_GET_QUEUE_NUM:
		v = vu->nvrings;
		*replied = true;
		return vu_send_reply(vu, m->hdr.request, &v, sizeof(v));
	case VLAB_VU_SET_PROTOCOL_FEATURES:
		if (m->hdr.size < sizeof(uint64_t))
			return vu_refuse(vu, m, "%u-byte payload is too short",
					 m->hdr.size);
		v = protocol_features(vu);
		if (m->p.u64 & ~v)
			return vu_refuse(vu, m, "protocol features 0x%llx were never offered",
					 (unsigned long long)(m->p.u64 & ~v));
		vu->protocol_features = m->p.u64;
		return 0;
	case VLAB_VU_SET_FEATURES:
		return set_features(vu, m);
	case VLAB_VU_SET_OWNER:
		vu->owner = true;
		return 0;
	case VLAB_VU_RESET_OWNER:
	case VLAB_VU_RESET_DEVICE:
		reset_device(vu);
		return 0;
	case VLAB_VU_SET_MEM_TABLE:
		return vu_set_mem_table(vu, m);
	case VLAB_VU_GET_CONFIG:
		*replied = true;
		return get_config(vu, m);
	case VLAB_VU_SET_CONFIG:
		return vu_refuse(vu, m, "no configuration field of this device is writable");
	case VLAB_VU_SET_VRING_NUM:
	case VLAB_VU_SET_VRING_ADDR:
	case VLAB_VU_SET_VRING_BASE:
	case VLAB_VU_GET_VRING_BASE:
	case VLAB_VU_SET_VRING_KICK:
	case VLAB_VU_SET_VRING_CALL:
	case VLAB_VU_SET_VRING_ERR:
	case VLAB_VU_SET_VRING_ENABLE:
		return vu_vring_msg(vu, m, replied);
	default:
		return vu_refuse(vu, m, "unknown or unsupported request");
	}
}

/**
 * narrate() - say which message came, with its payload in the form the
 * spec gives it, for a reader of the trace.
 * @param vu the back-end.
 * @param m the message.
 */
static void narrate(struct vlab_vhost_user *vu, const struct vu_msg *m)
{
	const char *name = vlab_vu_request_name(m->hdr.request);

	switch (m->hdr.request) {
	case VLAB_VU_SET_FEATURES:
	case VLAB_VU_SET_PROTOCOL_FEATURES:
		vu_say(vu, "vhost-user %s 0x%llx", name,
		       (unsigned long long)m->p.u64);
		break;
	case VLAB_VU_SET_VRING_KICK:
	case VLAB_VU_SET_VRING_CALL:
	case VLAB_VU_SET_VRING_ERR:
		vu_say(vu, "vhost-user %s q%u (%u fd)", name,
		       (unsigned int)(m->p.u64 & VLAB_VU_VRING_IDX_MASK),
		       m->nfds);
		break;
	case VLAB_VU_SET_VRING_NUM:
	case VLAB_VU_SET_VRING_BASE:
	case VLAB_VU_SET_VRING_ENABLE:
	case VLAB_VU_GET_VRING_BASE:
		vu_say(vu, "vhost-user %s q%u %u", name, m->p.state.index,
		       m->p.state.num);
		break;
	case VLAB_VU_SET_VRING_ADDR:
		vu_say(vu, "vhost-user %s q%u desc 0x%llx avail 0x%llx used 0x%llx (front-end addresses)",
		       name, m->p.addr.index,
		       (unsigned long long)m->p.addr.desc_user_addr,
		       (unsigned long long)m->p.addr.avail_user_addr,
		       (unsigned long long)m->p.addr.used_user_addr);
		break;
	case VLAB_VU_GET_CONFIG:
		vu_say(vu, "vhost-user %s %u bytes at %u", name,
		       m->p.config.size, m->p.config.offset);
		break;
	default:
		vu_say(vu, "vhost-user %s (request %u, %u bytes, %u fds)", name,
		       m->hdr.request, m->hdr.size, m->nfds);
		break;
	}
}

/**
 * handle() - read and handle one message, and answer NEED_REPLY when the
 * request has no reply of its own (REPLY_ACK: 0 success, 1 failure).
 * @param vu the back-end.
 * @return 1 to go on, 0 at a clean end of the connection, or a negative
 * errno that ends it.
 */
static int handle(struct vlab_vhost_user *vu)
{
	static _Thread_local struct vu_msg m;
	bool replied = false;
	unsigned int i;
	uint64_t ack;
	int r;

	r = read_msg(vu, &m);
	if (r > 0) {
		vu->messages++;
		narrate(vu, &m);
		r = dispatch(vu, &m, &replied);
		if (!replied && (m.hdr.flags & VLAB_VU_NEED_REPLY)) {
			ack = r ? 1 : 0;
			r = vu_send_reply(vu, m.hdr.request, &ack, sizeof(ack));
		} else if (r == -EINVAL) {
			r = 0;	/* refused and said so; the session goes on */
		}
		r = r < 0 && r != -EINVAL ? r : 1;
	}
	/* fds no handler took are closed, whatever happened */
	for (i = 0; i < m.nfds; i++)
		if (m.fds[i] >= 0)
			close(m.fds[i]);
	m.nfds = 0;
	return r;
}

int vlab_vhost_user_serve(struct vlab_vhost_user *vu, int fd)
{
	struct pollfd pfd[1 + VLAB_VU_MAX_VRINGS];
	unsigned int ring[1 + VLAB_VU_MAX_VRINGS], i, n;
	int r = 1;

	vu->fd = fd;
	/* the register writes it makes for the front-end, in the trace */
	vlab_thread_set_name("vhost");
	while (r > 0 && !__atomic_load_n(&vu->stop, __ATOMIC_RELAXED)) {
		pfd[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
		for (i = 0, n = 1; i < vu->nvrings; i++)
			if (vu_polled(vu, i)) {
				ring[n] = i;
				pfd[n++] = (struct pollfd){
					.fd = vu->vring[i].kick_fd,
					.events = POLLIN };
			}
		/* a bounded wait, so a stop request is seen (RELIABILITY L2) */
		if (poll(pfd, n, 100) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		for (i = 1; i < n; i++)
			if (pfd[i].revents & POLLIN)
				vu_kicked(vu, ring[i]);
		if (pfd[0].revents)
			r = handle(vu);
	}
	if (r == 0)
		fprintf(stderr, "[%s] vhost-user: the front-end disconnected after %lu messages\n",
			vu->dev->name, vu->messages);
	/* a killed front-end: stop what runs, forget its memory and fds */
	reset_device(vu);
	vu_unmap_all(vu);
	close(fd);
	vu->fd = -1;
	vu->owner = false;
	vu->protocol_features = 0;
	vu->protocol_acked = false;
	return r > 0 ? 0 : r;
}

void vlab_vhost_user_stop(struct vlab_vhost_user *vu)
{
	__atomic_store_n(&vu->stop, 1, __ATOMIC_RELAXED);
}

int vlab_vhost_user_init(struct vlab_vhost_user *vu,
			 const struct vlab_device_model *model, void *priv,
			 const char *name, uint64_t ring_features)
{
	unsigned int i;
	int line, err;

	memset(vu, 0, sizeof(*vu));
	vu->fd = -1;
	if (model->num_queues > VLAB_VU_MAX_VRINGS)
		return -EINVAL;
	vu->nvrings = model->num_queues;
	for (i = 0; i < VLAB_VU_MAX_VRINGS; i++) {
		vu->vring[i].kick_fd = -1;
		vu->vring[i].call_fd = -1;
		vu->vring[i].err_fd = -1;
	}
	pthread_mutex_init(&vu->lock, NULL);
	line = vu_line_get(vu);
	if (line < 0) {
		err = line;
		goto err_lock;
	}
	vu->line = (unsigned int)line;
	err = vlab_irqchip_start(&vu->irqchip, vu_deliver);
	if (err)
		goto err_line;
	vu->dev = vlab_device_create(model, priv, name, &vu->ram,
				     &vu->irqchip, vu->line, 0);
	if (!vu->dev) {
		err = -ENOMEM;
		goto err_chip;
	}
	/* the front-end offers the split layout only: no packed ring */
	vu->dev->ring_features = ring_features &
		~(1ULL << VIRTIO_F_RING_PACKED);
	return 0;
err_chip:
	vlab_irqchip_stop(&vu->irqchip);
err_line:
	vu_line_put(vu);
err_lock:
	pthread_mutex_destroy(&vu->lock);
	return err;
}

void vlab_vhost_user_fini(struct vlab_vhost_user *vu)
{
	if (!vu->dev)
		return;
	vlab_device_destroy(vu->dev);
	vu->dev = NULL;
	vlab_irqchip_stop(&vu->irqchip);
	vu_line_put(vu);
	vu_unmap_all(vu);
	pthread_mutex_destroy(&vu->lock);
}

int vlab_vhost_user_listen(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd, e;

	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1)) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}
