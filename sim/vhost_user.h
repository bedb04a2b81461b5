/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief A vhost-user back-end in front of a device model: QEMU (the
 * front-end) hands a real guest's virtqueues to virtio-lab's unchanged
 * device models over a Unix socket, following QEMU's
 * docs/interop/vhost-user.rst.
 *
 * The back-end plays the transport. Each message becomes what a driver
 * would have done through the virtio-mmio register file (sim/mmio.c):
 * SET_FEATURES becomes the DriverFeatures writes and FEATURES_OK, a ring
 * that is started and enabled becomes QueueNum, the three addresses and
 * QueueReady, a kick on the ring's eventfd becomes a QueueNotify. So every
 * check of the register file and the rings holds for a real guest too
 * (RELIABILITY D1-D16, D18, D20-D22), and every device event is traced as
 * for the simulator. Guest memory is the set of regions QEMU's file
 * descriptors map (struct vlab_ram, second form): no ring or buffer
 * outside them is ever touched. Interrupts leave on the ring's call
 * eventfd; a device error is signalled on its error eventfd.
 *
 * One thread runs the connection: it reads each message whole (the
 * header's size says how long it is; QEMU sends several back to back),
 * answers it, and waits on the kick eventfds of the running rings. The
 * device model runs on its own device thread, as in the simulator.
 */
#ifndef VLAB_SIM_VHOST_USER_H
#define VLAB_SIM_VHOST_USER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/vhost_types.h>

#include "sim/device.h"
#include "sim/irqchip.h"
#include "sim/ram.h"

/*
 * The message header is not in the Linux UAPI: it is defined here from
 * vhost-user.rst, "Message Specification": request, flags, size, then
 * size bytes of payload, all in the machine's byte order.
 */

/** vhost-user.rst "Header": 32-bit request, flags and payload size. */
struct vlab_vu_hdr {
	uint32_t request;	/**< enum vlab_vu_request */
	uint32_t flags;		/**< VLAB_VU_VERSION and the bits below */
	uint32_t size;		/**< payload bytes that follow */
};

/** "Header" flags: the lower 2 bits are the version, currently 1. */
#define VLAB_VU_VERSION 0x1u
/** Mask of the version bits. */
#define VLAB_VU_VERSION_MASK 0x3u
/** Bit 2: set on every reply from the back-end. */
#define VLAB_VU_REPLY (1u << 2)
/** Bit 3: the front-end wants an answer (REPLY_ACK, §"REPLY_ACK"). */
#define VLAB_VU_NEED_REPLY (1u << 3)

/** Largest payload accepted; a longer message ends the connection. */
#define VLAB_VU_MAX_PAYLOAD 4096u
/** Most file descriptors one message may carry (a memory table). */
#define VLAB_VU_MAX_FDS 8
/** Most vrings a back-end serves. */
#define VLAB_VU_MAX_VRINGS 8

/** "Front-end message types" this back-end knows, by their ids. */
enum vlab_vu_request {
	VLAB_VU_GET_FEATURES = 1,	/**< reply: u64 features */
	VLAB_VU_SET_FEATURES = 2,	/**< u64: the features acked */
	VLAB_VU_SET_OWNER = 3,		/**< session start */
	VLAB_VU_RESET_OWNER = 4,	/**< deprecated: disable all rings */
	VLAB_VU_SET_MEM_TABLE = 5,	/**< memory regions + one fd each */
	VLAB_VU_SET_LOG_BASE = 6,	/**< migration log (not offered) */
	VLAB_VU_SET_LOG_FD = 7,		/**< migration log (not offered) */
	VLAB_VU_SET_VRING_NUM = 8,	/**< vring state: its size */
	VLAB_VU_SET_VRING_ADDR = 9,	/**< vring address description */
	VLAB_VU_SET_VRING_BASE = 10,	/**< vring state: next avail idx */
	VLAB_VU_GET_VRING_BASE = 11,	/**< stop the ring; reply its base */
	VLAB_VU_SET_VRING_KICK = 12,	/**< u64 index + the kick eventfd */
	VLAB_VU_SET_VRING_CALL = 13,	/**< u64 index + the call eventfd */
	VLAB_VU_SET_VRING_ERR = 14,	/**< u64 index + the error eventfd */
	VLAB_VU_GET_PROTOCOL_FEATURES = 15, /**< reply: u64 */
	VLAB_VU_SET_PROTOCOL_FEATURES = 16, /**< u64 */
	VLAB_VU_GET_QUEUE_NUM = 17,	/**< reply: u64 queues */
	VLAB_VU_SET_VRING_ENABLE = 18,	/**< vring state: 1 on, 0 off */
	VLAB_VU_GET_CONFIG = 24,	/**< config space, both ways */
	VLAB_VU_SET_CONFIG = 25,	/**< config space written */
	VLAB_VU_RESET_DEVICE = 34,	/**< disable rings, reset state */
};

/**
 * Feature bit 30: the back-end speaks protocol features; QEMU 7.2 aborts
 * its realize without it ("Communication" in vhost-user.rst).
 */
#define VLAB_VU_F_PROTOCOL_FEATURES 30
/** Protocol feature 3: replies to NEED_REPLY (§"REPLY_ACK"). */
#define VLAB_VU_PROTOCOL_F_REPLY_ACK 3
/** Protocol feature 9: GET_CONFIG and SET_CONFIG. */
#define VLAB_VU_PROTOCOL_F_CONFIG 9

/** "Memory regions description": one region. */
struct vlab_vu_region {
	uint64_t guest_addr;	/**< guest-physical address */
	uint64_t size;		/**< bytes */
	uint64_t user_addr;	/**< the front-end's virtual address */
	uint64_t mmap_offset;	/**< where it starts in the fd */
};

/** "Memory regions description": the table of SET_MEM_TABLE. */
struct vlab_vu_mem {
	uint32_t nregions;	/**< regions used, one fd each */
	uint32_t padding;	/**< 0 */
	struct vlab_vu_region regions[VLAB_VU_MAX_FDS]; /**< the regions */
};

/** "Virtio device config space": GET_CONFIG and SET_CONFIG. */
struct vlab_vu_config {
	uint32_t offset;	/**< first byte of the config space */
	uint32_t size;		/**< bytes */
	uint32_t flags;		/**< 0: writable fields; 1: migration */
	uint8_t payload[256];	/**< the bytes (only @c size are sent) */
};

/** Bytes of struct vlab_vu_config before its payload. */
#define VLAB_VU_CONFIG_HDR 12u

/** u64 payload of SET_VRING_KICK/CALL/ERR: bits 0-7 the index. */
#define VLAB_VU_VRING_IDX_MASK 0xffu
/** ... and bit 8: no file descriptor comes with it (polling). */
#define VLAB_VU_VRING_NOFD (1u << 8)

/** What the back-end knows of one vring. */
struct vlab_vu_vring {
	uint32_t num;		/**< SET_VRING_NUM */
	struct vhost_vring_addr addr; /**< SET_VRING_ADDR (user addresses) */
	bool addr_set;		/**< SET_VRING_ADDR came */
	uint32_t base;		/**< SET_VRING_BASE: next avail idx */
	int kick_fd;		/**< eventfd the guest's kicks arrive on */
	int call_fd;		/**< eventfd interrupts leave on */
	int err_fd;		/**< eventfd a device error is signalled on */
	bool started;		/**< a kick fd came: the ring runs */
	bool enabled;		/**< SET_VRING_ENABLE 1 (or no protocol
				     features: enabled from the start) */
	bool live;		/**< the device's queue is set up (QueueReady) */
	unsigned long kicks;	/**< kicks read from @c kick_fd */
	unsigned long calls;	/**< interrupts sent on @c call_fd */
};

/** One mapping of a front-end region, as it must be unmapped. */
struct vlab_vu_map {
	uint8_t *base;		/**< start of the reservation, guards included */
	size_t len;		/**< its length */
	uint64_t user_addr;	/**< the region's front-end address */
	uint64_t gpa;		/**< and its guest-physical address */
	uint64_t size;		/**< its size */
	uint64_t mmap_offset;	/**< where it began in its fd */
	uint8_t *host;		/**< where the region's first byte is mapped */
};

/** A back-end: one device, the guest memory it was given, its vrings. */
struct vlab_vhost_user {
	struct vlab_device *dev;	/**< the device model's instance */
	struct vlab_ram ram;		/**< guest RAM: the regions */
	struct vlab_vu_map maps[VLAB_VU_MAX_FDS]; /**< their mappings */
	unsigned int nmaps;		/**< how many */
	struct vlab_irqchip irqchip;	/**< interrupts, delivered as calls */
	unsigned int line;		/**< this back-end's line on it */
	struct vlab_vu_vring vring[VLAB_VU_MAX_VRINGS]; /**< the rings */
	unsigned int nvrings;		/**< the model's queue count */
	uint64_t protocol_features;	/**< as SET_PROTOCOL_FEATURES said */
	bool protocol_acked;		/**< F_PROTOCOL_FEATURES acked */
	bool features_set;		/**< a SET_FEATURES was accepted */
	uint64_t features;		/**< its device features */
	bool owner;			/**< SET_OWNER came */
	int fd;				/**< the connection, or -1 */
	int stop;			/**< ask the serve loop to end (atomic) */
	pthread_mutex_t lock;		/**< guards call and error fds: the
					     IRQ thread writes them */
	unsigned long messages;		/**< messages handled */
	unsigned long refused;		/**< messages refused */
	char last_error[256];		/**< the last refusal, for tests */
	/** Narrates each message ("SET_VRING_NUM q0: 128"), or NULL. */
	void (*say)(void *arg, const char *text);
	void *say_arg;			/**< passed to @c say */
};

/**
 * vlab_vhost_user_init() - make the device and its threads, with no
 * connection and no memory yet.
 * @param vu the back-end (overwritten).
 * @param model the device type, at most VLAB_VU_MAX_VRINGS queues.
 * @param priv the model's state (the caller's).
 * @param name the device's name in traces, e.g. "blk0".
 * @param ring_features VIRTIO_RING_F_* the device offers (no packed ring).
 * @return 0 or a negative errno.
 */
int vlab_vhost_user_init(struct vlab_vhost_user *vu,
			 const struct vlab_device_model *model, void *priv,
			 const char *name, uint64_t ring_features);

/**
 * vlab_vhost_user_serve() - run one connection until the front-end goes
 * away, breaks the protocol beyond repair, or vlab_vhost_user_stop() is
 * called. Whatever way it ends, every ring is stopped (the device drops
 * what it held, RELIABILITY D20), the device is reset, the regions are
 * unmapped and every fd the front-end sent is closed: a killed QEMU leaves
 * no thread waiting and no memory mapped.
 * @param vu the back-end.
 * @param fd the connected socket (closed on return).
 * @return 0 when the front-end disconnected between messages or stop was
 * asked, -EPROTO after a message that could not be read whole (short,
 * too long, wrong version), another negative errno on a socket error.
 */
int vlab_vhost_user_serve(struct vlab_vhost_user *vu, int fd);

/**
 * vlab_vhost_user_stop() - ask the serve loop to end (from another
 * thread or a signal handler); it notices within 100 ms.
 * @param vu the back-end.
 */
void vlab_vhost_user_stop(struct vlab_vhost_user *vu);

/**
 * vlab_vhost_user_fini() - stop the device and its threads, free all.
 * @param vu the back-end, not serving.
 */
void vlab_vhost_user_fini(struct vlab_vhost_user *vu);

/**
 * vlab_vhost_user_listen() - a Unix stream socket listening at @p path
 * (an old socket file there is replaced).
 * @param path the socket's path.
 * @return the socket, or a negative errno.
 */
int vlab_vhost_user_listen(const char *path);

/**
 * vlab_vu_request_name() - the spec's name of a request.
 * @param request its id.
 * @return e.g. "SET_VRING_ADDR", or "unknown".
 */
const char *vlab_vu_request_name(uint32_t request);

#endif /* VLAB_SIM_VHOST_USER_H */
