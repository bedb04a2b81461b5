/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief What the two halves of the vhost-user back-end share: one
 * message as read from the socket, and the calls sim/vhost_user.c (the
 * connection and the messages about the whole device) makes into
 * sim/vhost_user_vring.c (guest memory and the vrings). Private to
 * sim/vhost_user*.c.
 */
#ifndef VLAB_SIM_VHOST_USER_VRING_H
#define VLAB_SIM_VHOST_USER_VRING_H

#include <stdint.h>

#include "sim/vhost_user.h"

/** One message, read whole, with the file descriptors that came with it. */
struct vu_msg {
	struct vlab_vu_hdr hdr;		/**< its header */
	/** Its payload, in the forms vhost-user.rst names. */
	union {
		uint64_t u64;			/**< a single 64-bit integer */
		struct vhost_vring_state state;	/**< vring state */
		struct vhost_vring_addr addr;	/**< vring address */
		struct vlab_vu_mem mem;		/**< memory regions */
		struct vlab_vu_config config;	/**< device config space */
		uint8_t bytes[VLAB_VU_MAX_PAYLOAD]; /**< any of them, raw */
	} p;
	int fds[VLAB_VU_MAX_FDS];	/**< fds received; -1 once taken */
	unsigned int nfds;		/**< how many came */
};

/**
 * vu_refuse() - refuse a message: log why with the request's name, count
 * it, keep it as the back-end's last error.
 * @param vu the back-end.
 * @param m the message.
 * @param fmt printf format of the reason.
 * @return -EINVAL, for the handler to return.
 */
int vu_refuse(struct vlab_vhost_user *vu, const struct vu_msg *m,
	      const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/**
 * vu_say() - narrate what a message did, when a narrator is installed.
 * @param vu the back-end.
 * @param fmt printf format.
 */
void vu_say(struct vlab_vhost_user *vu, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * vu_reg_write() - a register write, as the virtio-mmio driver would make
 * it: the back-end plays the transport.
 * @param vu the back-end.
 * @param offset the register (<linux/virtio_mmio.h>).
 * @param val the value.
 */
void vu_reg_write(struct vlab_vhost_user *vu, uint64_t offset, uint32_t val);

/**
 * vu_reg_read() - a register read.
 * @param vu the back-end.
 * @param offset the register.
 * @return its value.
 */
uint32_t vu_reg_read(struct vlab_vhost_user *vu, uint64_t offset);

/**
 * vu_set_mem_table() - SET_MEM_TABLE: map each region from its fd and make
 * them the device's guest RAM, or refuse the table whole.
 * @param vu the back-end.
 * @param m the message (its fds are taken).
 * @return 0 or -EINVAL.
 */
int vu_set_mem_table(struct vlab_vhost_user *vu, struct vu_msg *m);

/**
 * vu_unmap_all() - forget guest RAM: unmap every region (no ring may be
 * live).
 * @param vu the back-end.
 */
void vu_unmap_all(struct vlab_vhost_user *vu);

/**
 * vu_vring_msg() - the messages about one vring: NUM, ADDR, BASE,
 * GET_VRING_BASE, KICK, CALL, ERR, ENABLE.
 * @param vu the back-end.
 * @param m the message (fds taken as needed).
 * @param replied set when the handler sent its own reply.
 * @return 0, or -EINVAL when refused.
 */
int vu_vring_msg(struct vlab_vhost_user *vu, struct vu_msg *m, bool *replied);

/**
 * vu_send_reply() - send a reply: the request's id, the reply flag, the
 * payload.
 * @param vu the back-end.
 * @param request the request answered.
 * @param payload the bytes.
 * @param size how many.
 * @return 0 or a negative errno.
 */
int vu_send_reply(struct vlab_vhost_user *vu, uint32_t request,
		  const void *payload, uint32_t size);

/**
 * vu_any_live() - whether any vring is set up in the device.
 * @param vu the back-end.
 * @return true when one is.
 */
bool vu_any_live(const struct vlab_vhost_user *vu);

/**
 * vu_stop_all() - stop every ring (the device drops what it held,
 * RELIABILITY D20) and close the fds of each.
 * @param vu the back-end.
 */
void vu_stop_all(struct vlab_vhost_user *vu);

/**
 * vu_kicked() - a ring's kick eventfd is readable: consume it and notify
 * the device's queue, as a QueueNotify write would.
 * @param vu the back-end.
 * @param i the vring.
 */
void vu_kicked(struct vlab_vhost_user *vu, unsigned int i);

/**
 * vu_polled() - whether the serve loop waits on a ring's kicks: it is
 * live and enabled. Kicks of a ring that is not wait in its eventfd.
 * @param vu the back-end.
 * @param i the vring.
 * @return true when polled.
 */
bool vu_polled(const struct vlab_vhost_user *vu, unsigned int i);

/**
 * vu_deliver() - the interrupt controller's delivery for back-ends: a
 * used-buffer interrupt becomes a write to the call eventfd of each live
 * ring; a device error, one to their error eventfds (QEMU logs it).
 * @param line the line raised: one back-end's.
 */
void vu_deliver(unsigned int line);

/**
 * vu_line_get() - a free interrupt line for a back-end.
 * @param vu the back-end.
 * @return the line, or -EBUSY when all are taken.
 */
int vu_line_get(struct vlab_vhost_user *vu);

/**
 * vu_line_put() - give a back-end's line back.
 * @param vu the back-end.
 */
void vu_line_put(struct vlab_vhost_user *vu);

#endif /* VLAB_SIM_VHOST_USER_VRING_H */
