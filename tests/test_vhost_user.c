// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The vhost-user back-end (sim/vhost_user.h) against a front-end
 * played by the test over a socket pair: one rng request end to end
 * through a memfd region, eventfd kick and call; then every bad message
 * the back-end must refuse with a clear error (unknown request, short
 * message, oversized message, overlapping regions, a ring outside every
 * region, features never offered) and a front-end that goes away in the
 * middle of a request. Each test checks that the serve thread ends and
 * the device's threads stop: no thread is left waiting.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "sim/rng.h"
#include "sim/vhost_user.h"
#include "tests/harness.h"

/** Bytes of the memfd the test's "guest" lives in. */
#define MEM_BYTES (1u << 20)
/** Its guest-physical address. */
#define MEM_GPA 0x100000ULL
/** Queue size the test's driver uses. */
#define QSIZE 8
/** Offset of the descriptor table in the region. */
#define DESC_OFF 0x0
/** Offset of the avail ring. */
#define AVAIL_OFF 0x1000
/** Offset of the used ring. */
#define USED_OFF 0x2000
/** Offset of the buffer the test's driver posts. */
#define BUF_OFF 0x8000

/** One back-end with its serve thread and the test's end of the socket. */
struct fixture {
	struct vlab_vhost_user vu;	/**< the back-end */
	struct vlab_rng_source src;	/**< its rng model's state */
	int fe;				/**< the front-end's socket */
	pthread_t thread;		/**< runs vlab_vhost_user_serve() */
	int served;			/**< its return value (atomic) */
	int done;			/**< it returned (atomic) */
	int memfd;			/**< the guest memory */
	uint8_t *mem;			/**< the test's mapping of it */
	int kick;			/**< vring 0's kick eventfd */
	int call;			/**< vring 0's call eventfd */
};

/** The fixture of the running test. */
static struct fixture fx;

/**
 * serve_thread() - the back-end's connection thread.
 * @param arg the socket.
 * @return NULL.
 */
static void *serve_thread(void *arg)
{
	int r = vlab_vhost_user_serve(&fx.vu, (int)(intptr_t)arg);

	__atomic_store_n(&fx.served, r, __ATOMIC_RELAXED);
	__atomic_store_n(&fx.done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/**
 * start() - a back-end with an rng device, serving one end of a socket
 * pair, and a 1 MiB memfd for the guest memory.
 */
static void start(void)
{
	int sv[2];

	memset(&fx, 0, sizeof(fx));
	vlab_rng_source_init(&fx.src, true, 1);
	CU_ASSERT_EQUAL_FATAL(vlab_vhost_user_init(&fx.vu, &vlab_rng_model,
						   &fx.src, "rng0",
						   (1ULL << VIRTIO_RING_F_EVENT_IDX)),
			      0);
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC,
					 0, sv), 0);
	fx.fe = sv[0];
	CU_ASSERT_EQUAL_FATAL(pthread_create(&fx.thread, NULL, serve_thread,
					     (void *)(intptr_t)sv[1]), 0);
	fx.memfd = memfd_create("h18-vhost-test", MFD_CLOEXEC);
	CU_ASSERT_FATAL(fx.memfd >= 0);
	CU_ASSERT_EQUAL_FATAL(ftruncate(fx.memfd, MEM_BYTES), 0);
	fx.mem = mmap(NULL, MEM_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED,
		      fx.memfd, 0);
	CU_ASSERT_FATAL(fx.mem != MAP_FAILED);
	fx.kick = eventfd(0, EFD_CLOEXEC);
	fx.call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

/**
 * serve_done() - harness_wait() condition: the serve thread returned.
 * @param arg unused.
 * @return true once it has.
 */
static bool serve_done(void *arg)
{
	(void)arg;
	return __atomic_load_n(&fx.done, __ATOMIC_ACQUIRE);
}

static int reply(uint32_t req, void *payload, size_t max);
static void send_msg(uint32_t req, uint32_t flags, const void *payload,
		     uint32_t size, const int *fds, unsigned int nfds);

/**
 * finish() - hang up as a front-end would, check the serve thread ends
 * within the bound, stop the device's threads, free everything.
 * @param last_word send one more request and read its reply first: the
 * test's reads of the back-end's state then happen before whatever the
 * back-end does after the hang-up (ThreadSanitizer sees a send and the
 * recv of it as a release and an acquire; a hang-up, not). False for a
 * connection the back-end already ended, or a message left half sent.
 * @return what vlab_vhost_user_serve() returned.
 */
static int finish(bool last_word)
{
	uint64_t n = 0;

	if (last_word) {
		send_msg(VLAB_VU_GET_QUEUE_NUM, 0, NULL, 0, NULL, 0);
		CU_ASSERT_EQUAL(reply(VLAB_VU_GET_QUEUE_NUM, &n, sizeof(n)), 8);
		CU_ASSERT_EQUAL(n, 1);
	}
	if (fx.fe >= 0)
		close(fx.fe);
	fx.fe = -1;
	/* no thread stuck: the serve thread notices the hang-up in time */
	CU_ASSERT_FATAL(harness_wait(serve_done, NULL));
	pthread_join(fx.thread, NULL);
	/* the regions are unmapped, the device reset */
	CU_ASSERT_EQUAL(fx.vu.nmaps, 0);
	CU_ASSERT_EQUAL(fx.vu.ram.nregions, 0);
	CU_ASSERT_EQUAL(fx.vu.dev->status, 0);
	vlab_vhost_user_fini(&fx.vu);
	munmap(fx.mem, MEM_BYTES);
	close(fx.memfd);
	close(fx.kick);
	close(fx.call);
	return __atomic_load_n(&fx.served, __ATOMIC_RELAXED);
}

/**
 * send_msg() - send one message as QEMU does: header and payload in one
 * write, fds as SCM_RIGHTS.
 * @param req the request.
 * @param flags VLAB_VU_NEED_REPLY or 0 (the version is added).
 * @param payload the payload.
 * @param size its bytes.
 * @param fds fds to pass.
 * @param nfds how many.
 */
static void send_msg(uint32_t req, uint32_t flags, const void *payload,
		     uint32_t size, const int *fds, unsigned int nfds)
{
	struct vlab_vu_hdr h = { req, VLAB_VU_VERSION | flags, size };
	char ctl[CMSG_SPACE(sizeof(int) * VLAB_VU_MAX_FDS)];
	struct iovec iov[2] = { { &h, sizeof(h) },
				{ (void *)payload, size } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	struct cmsghdr *c;

	if (nfds) {
		memset(ctl, 0, sizeof(ctl));
		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	CU_ASSERT_EQUAL(sendmsg(fx.fe, &mh, MSG_NOSIGNAL),
			(ssize_t)(sizeof(h) + size));
}

/**
 * reply() - read one reply (2 s at most).
 * @param req the request it must answer.
 * @param payload receives its payload.
 * @param max room there.
 * @return its payload size, or -1 when none came.
 */
static int reply(uint32_t req, void *payload, size_t max)
{
	struct pollfd p = { .fd = fx.fe, .events = POLLIN };
	struct vlab_vu_hdr h;

	if (poll(&p, 1, 2000) != 1 ||
	    recv(fx.fe, &h, sizeof(h), MSG_WAITALL) != sizeof(h))
		return -1;
	CU_ASSERT_EQUAL(h.request, req);
	CU_ASSERT_EQUAL(h.flags, VLAB_VU_VERSION | VLAB_VU_REPLY);
	if (h.size > max)
		return -1;
	if (h.size && recv(fx.fe, payload, h.size, MSG_WAITALL) != h.size)
		return -1;
	return (int)h.size;
}

/**
 * ack() - send a request with NEED_REPLY and read its REPLY_ACK.
 * @param req the request.
 * @param payload its payload.
 * @param size its bytes.
 * @param fds fds to pass.
 * @param nfds how many.
 * @return the u64 of the reply: 0 success, else refused; -1 for no reply.
 */
static long ack(uint32_t req, const void *payload, uint32_t size,
		const int *fds, unsigned int nfds)
{
	uint64_t v = 0;

	send_msg(req, VLAB_VU_NEED_REPLY, payload, size, fds, nfds);
	if (reply(req, &v, sizeof(v)) != sizeof(v))
		return -1;
	return (long)v;
}

/**
 * mem_table() - the one region of the fixture's memfd.
 * @return the result of its REPLY_ACK.
 */
static long mem_table(void)
{
	struct vlab_vu_mem m = {
		.nregions = 1,
		.regions = { { MEM_GPA, MEM_BYTES, (uint64_t)(uintptr_t)fx.mem,
			       0 } },
	};

	return ack(VLAB_VU_SET_MEM_TABLE, &m,
		   8 + sizeof(struct vlab_vu_region), &fx.memfd, 1);
}

/**
 * negotiate() - features, protocol features, owner, memory table.
 */
static void negotiate(void)
{
	uint64_t f = 0, pf = 1ULL << VLAB_VU_PROTOCOL_F_REPLY_ACK;

	send_msg(VLAB_VU_GET_FEATURES, 0, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(reply(VLAB_VU_GET_FEATURES, &f, sizeof(f)), 8);
	/* CU_ASSERT takes an int: compare, never truncate 64 bits */
	CU_ASSERT((f & (1ULL << VLAB_VU_F_PROTOCOL_FEATURES)) != 0);
	CU_ASSERT((f & (1ULL << VIRTIO_F_VERSION_1)) != 0);
	send_msg(VLAB_VU_SET_PROTOCOL_FEATURES, 0, &pf, sizeof(pf), NULL, 0);
	CU_ASSERT_EQUAL(ack(VLAB_VU_SET_OWNER, NULL, 0, NULL, 0), 0);
	f = (1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_RING_F_EVENT_IDX) |
		(1ULL << VLAB_VU_F_PROTOCOL_FEATURES);
	CU_ASSERT_EQUAL(ack(VLAB_VU_SET_FEATURES, &f, sizeof(f), NULL, 0), 0);
	CU_ASSERT_EQUAL(mem_table(), 0);
	CU_ASSERT_EQUAL(fx.vu.ram.nregions, 1);
}

/**
 * ring_setup() - vring 0: size, base, addresses (front-end addresses of
 * the test's mapping), call and kick eventfds, enable.
 * @param used_off where the used ring goes in the region.
 * @return the REPLY_ACK of the kick (or else of the enable): 0 when the
 * ring runs.
 */
static long ring_setup(uint64_t used_off)
{
	struct vhost_vring_state num = { 0, QSIZE }, base = { 0, 0 };
	struct vhost_vring_state on = { 0, 1 };
	uint64_t ua = (uint64_t)(uintptr_t)fx.mem;
	struct vhost_vring_addr a = {
		.index = 0, .desc_user_addr = ua + DESC_OFF,
		.avail_user_addr = ua + AVAIL_OFF,
		.used_user_addr = ua + used_off,
	};
	uint64_t q0 = 0;
	long kick, enable;

	CU_ASSERT_EQUAL(ack(VLAB_VU_SET_VRING_NUM, &num, sizeof(num), NULL,
			    0), 0);
	CU_ASSERT_EQUAL(ack(VLAB_VU_SET_VRING_BASE, &base, sizeof(base), NULL,
			    0), 0);
	CU_ASSERT_EQUAL(ack(VLAB_VU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0),
			0);
	CU_ASSERT_EQUAL(ack(VLAB_VU_SET_VRING_CALL, &q0, sizeof(q0),
			    &fx.call, 1), 0);
	/* the ring is set up in the device once it has its kick fd */
	kick = ack(VLAB_VU_SET_VRING_KICK, &q0, sizeof(q0), &fx.kick, 1);
	enable = ack(VLAB_VU_SET_VRING_ENABLE, &on, sizeof(on), NULL, 0);
	return kick ? kick : enable;
}

/**
 * post_and_kick() - the test's driver: one 32-byte writable buffer in
 * desc[0], published in the avail ring, then a kick.
 */
static void post_and_kick(void)
{
	struct vring_desc *d = (struct vring_desc *)(fx.mem + DESC_OFF);
	struct vring_avail *av = (struct vring_avail *)(fx.mem + AVAIL_OFF);
	uint64_t one = 1;

	d[0].addr = htole64(MEM_GPA + BUF_OFF);
	d[0].len = htole32(32);
	d[0].flags = htole16(VRING_DESC_F_WRITE);
	av->ring[0] = 0;
	/*
	 * Release orders the descriptor and the ring entry before the idx:
	 * the device's acquire load of avail->idx then sees them.
	 */
	__atomic_store_n(&av->idx, htole16(1), __ATOMIC_RELEASE);
	CU_ASSERT_EQUAL(write(fx.kick, &one, sizeof(one)), 8);
}

/** A request end to end: negotiate, ring, kick, call, used element. */
static void test_rng_request(void)
{
	struct vhost_vring_state st = { 0, 0 };
	static const uint8_t zero[32];
	struct vring_used *u;
	struct pollfd p;
	uint64_t n;

	start();
	u = (struct vring_used *)(fx.mem + USED_OFF);
	negotiate();
	CU_ASSERT_EQUAL(ring_setup(USED_OFF), 0);
	post_and_kick();
	p = (struct pollfd){ .fd = fx.call, .events = POLLIN };
	CU_ASSERT_EQUAL(poll(&p, 1, 2000), 1);
	CU_ASSERT_EQUAL(read(fx.call, &n, sizeof(n)), 8);
	/* acquire pairs with the device's release store of used->idx */
	CU_ASSERT_EQUAL(le16toh(__atomic_load_n(&u->idx, __ATOMIC_ACQUIRE)),
			1);
	CU_ASSERT_EQUAL(le32toh(u->ring[0].id), 0);
	CU_ASSERT_EQUAL(le32toh(u->ring[0].len), 32);
	CU_ASSERT_NOT_EQUAL(memcmp(fx.mem + BUF_OFF, zero, 32), 0);
	/* the ring stops and says where it was */
	send_msg(VLAB_VU_GET_VRING_BASE, 0, &st, sizeof(st), NULL, 0);
	CU_ASSERT_EQUAL(reply(VLAB_VU_GET_VRING_BASE, &st, sizeof(st)), 8);
	CU_ASSERT_EQUAL(st.num, 1);
	CU_ASSERT_EQUAL(harness_dev_errors(fx.vu.dev), 0);
	CU_ASSERT_EQUAL(fx.vu.refused, 0);
	CU_ASSERT_EQUAL(finish(true), 0);
}

/** An unknown request: refused with a reason; the session goes on. */
static void test_unknown_request(void)
{
	uint64_t f = 0;

	start();
	CU_ASSERT_EQUAL(ack(99, NULL, 0, NULL, 0), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(fx.vu.last_error, "unknown"));
	send_msg(VLAB_VU_GET_FEATURES, 0, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL(reply(VLAB_VU_GET_FEATURES, &f, sizeof(f)), 8);
	CU_ASSERT_EQUAL(fx.vu.refused, 1);
	CU_ASSERT_EQUAL(finish(true), 0);
}

/** A payload too short for its request: refused; the session goes on. */
static void test_short_payload(void)
{
	uint32_t four = 0;

	start();
	negotiate();
	CU_ASSERT_EQUAL(ack(VLAB_VU_SET_VRING_NUM, &four, sizeof(four), NULL,
			    0), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(fx.vu.last_error, "too short"));
	CU_ASSERT_EQUAL(finish(true), 0);
}

/** A message cut short by a hang-up: the connection ends, -EPROTO. */
static void test_short_message(void)
{
	struct vlab_vu_hdr h = { VLAB_VU_SET_FEATURES, VLAB_VU_VERSION, 8 };
	uint32_t half = 0;

	start();
	CU_ASSERT_EQUAL(send(fx.fe, &h, sizeof(h), MSG_NOSIGNAL), 12);
	CU_ASSERT_EQUAL(send(fx.fe, &half, sizeof(half), MSG_NOSIGNAL), 4);
	CU_ASSERT_EQUAL(finish(false), -EPROTO);
}

/** A header announcing more than any request: the connection ends. */
static void test_oversized_message(void)
{
	struct vlab_vu_hdr h = { VLAB_VU_SET_MEM_TABLE, VLAB_VU_VERSION,
				 1u << 20 };

	start();
	CU_ASSERT_EQUAL(send(fx.fe, &h, sizeof(h), MSG_NOSIGNAL), 12);
	CU_ASSERT_FATAL(harness_wait(serve_done, NULL));
	CU_ASSERT_EQUAL(finish(false), -EPROTO);
}

/** Two regions that overlap: the table is refused whole, nothing mapped. */
static void test_region_overlap(void)
{
	struct vlab_vu_mem m = { .nregions = 2 };
	uint64_t ua;
	int fds[2];

	start();
	ua = (uint64_t)(uintptr_t)fx.mem;
	m.regions[0] = (struct vlab_vu_region){ MEM_GPA, MEM_BYTES / 2, ua, 0 };
	m.regions[1] = (struct vlab_vu_region){ MEM_GPA + 4096, MEM_BYTES / 2,
						ua + 4096, 4096 };
	fds[0] = fx.memfd;
	fds[1] = fx.memfd;
	CU_ASSERT_EQUAL(ack(VLAB_VU_SET_MEM_TABLE, &m,
			    8 + 2 * sizeof(struct vlab_vu_region), fds, 2), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(fx.vu.last_error, "overlap"));
	CU_ASSERT_EQUAL(fx.vu.nmaps, 0);
	CU_ASSERT_EQUAL(fx.vu.ram.nregions, 0);
	/* the same with fds missing: refused before anything is mapped */
	CU_ASSERT_EQUAL(ack(VLAB_VU_SET_MEM_TABLE, &m,
			    8 + 2 * sizeof(struct vlab_vu_region), fds, 1), 1);
	CU_ASSERT_EQUAL(finish(true), 0);
}

/** A ring whose address lies in no region: refused at SET_VRING_ADDR. */
static void test_ring_outside_regions(void)
{
	struct vhost_vring_addr a = {
		.index = 0, .desc_user_addr = 0x1000,
		.avail_user_addr = 0x2000, .used_user_addr = 0x3000,
	};

	start();
	negotiate();
	CU_ASSERT_EQUAL(ack(VLAB_VU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0),
			1);
	CU_ASSERT_PTR_NOT_NULL(strstr(fx.vu.last_error,
				      "outside every memory region"));
	CU_ASSERT_EQUAL(finish(true), 0);
}

/**
 * A used ring that begins in the region and runs past its end: the
 * register file refuses the queue (RELIABILITY D15); the ring never runs.
 */
static void test_ring_past_region_end(void)
{
	start();
	negotiate();
	CU_ASSERT_EQUAL(ring_setup(MEM_BYTES - 8), 1);
	CU_ASSERT_FALSE(fx.vu.dev->vqs[0].ready);
	CU_ASSERT_FALSE(fx.vu.vring[0].live);
	CU_ASSERT_PTR_NOT_NULL(strstr(fx.vu.last_error, "refused the ring"));
	CU_ASSERT_EQUAL(finish(true), 0);
}

/** Features GET_FEATURES never offered: refused, the device not started. */
static void test_features_not_offered(void)
{
	uint64_t f = (1ULL << VIRTIO_F_VERSION_1) | (1ULL << 40);

	start();
	CU_ASSERT_EQUAL(ack(VLAB_VU_SET_FEATURES, &f, sizeof(f), NULL, 0), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(fx.vu.last_error, "never offered"));
	CU_ASSERT_FALSE(fx.vu.features_set);
	CU_ASSERT_EQUAL(finish(true), 0);
}

/**
 * kick_seen() - harness_wait() condition: the device took the kick.
 * @param arg unused.
 * @return true once the queue counted a notification.
 */
static bool kick_seen(void *arg)
{
	(void)arg;
	return __atomic_load_n(&fx.vu.dev->vqs[0].stats.notifies,
			       __ATOMIC_RELAXED) > 0;
}

/**
 * The front-end dies with a request in the ring (the device is held
 * back, as a slow device would be): the serve thread ends, the ring is
 * stopped and the device reset before anything is written into memory
 * the guest no longer gives (RELIABILITY D20); every thread stops.
 */
static void test_disconnect_mid_request(void)
{
	struct vring_used *u;

	start();
	u = (struct vring_used *)(fx.mem + USED_OFF);
	negotiate();
	CU_ASSERT_EQUAL(ring_setup(USED_OFF), 0);
	vlab_device_set_stall(fx.vu.dev, true);
	post_and_kick();
	CU_ASSERT(harness_wait(kick_seen, NULL));
	/* QEMU killed: its end of the socket closes */
	close(fx.fe);
	fx.fe = -1;
	CU_ASSERT_FATAL(harness_wait(serve_done, NULL));
	CU_ASSERT_FALSE(fx.vu.dev->vqs[0].ready);
	vlab_device_set_stall(fx.vu.dev, false);
	CU_ASSERT(vlab_device_wait_idle(fx.vu.dev));
	CU_ASSERT_EQUAL(le16toh(__atomic_load_n(&u->idx, __ATOMIC_ACQUIRE)),
			0);
	CU_ASSERT_EQUAL(__atomic_load_n(&fx.vu.dev->vqs[0].stats.chains,
					__ATOMIC_RELAXED), 0);
	CU_ASSERT_EQUAL(finish(false), 0);
}

/**
 * Guest RAM of regions: a range inside one region translates; one that
 * runs past it, or across two regions that touch, or into a hole, does
 * not (RELIABILITY D9); overlapping or empty regions are refused.
 */
static void test_ram_regions(void)
{
	static uint8_t a[8192], b[8192];
	struct vlab_ram_region r[2] = {
		{ .gpa = 0x10000, .size = sizeof(b), .host = b },
		{ .gpa = 0x0, .size = sizeof(a), .host = a },
	};
	struct vlab_ram ram;

	memset(&ram, 0, sizeof(ram));
	CU_ASSERT_EQUAL_FATAL(vlab_ram_set_regions(&ram, r, 2), 0);
	CU_ASSERT_PTR_EQUAL(vlab_ram_ptr(&ram, 0x0, 16), a);
	CU_ASSERT_PTR_EQUAL(vlab_ram_ptr(&ram, 0x11ff0, 16), b + 0x1ff0);
	CU_ASSERT_PTR_EQUAL(vlab_ram_ptr(&ram, 0x10000, sizeof(b)), b);
	CU_ASSERT_PTR_NULL(vlab_ram_ptr(&ram, 0x11ff0, 17));
	CU_ASSERT_PTR_NULL(vlab_ram_ptr(&ram, 0x2000, 1));	/* the hole */
	CU_ASSERT_PTR_NULL(vlab_ram_ptr(&ram, 0x12000, 0));
	CU_ASSERT_PTR_NULL(vlab_ram_ptr(&ram, 0x1ff0, 0x10000));
	CU_ASSERT_PTR_NULL(vlab_ram_ptr(&ram, UINT64_MAX, 2));
	/* two regions that touch are still two mappings */
	r[0].gpa = sizeof(a);
	CU_ASSERT_EQUAL_FATAL(vlab_ram_set_regions(&ram, r, 2), 0);
	CU_ASSERT_PTR_EQUAL(vlab_ram_ptr(&ram, sizeof(a) - 8, 8), a + 8184);
	CU_ASSERT_PTR_NULL(vlab_ram_ptr(&ram, sizeof(a) - 8, 16));
	/* refused: overlap, empty, wrapping; the regions in force stay */
	r[0].gpa = sizeof(a) - 4096;
	CU_ASSERT_EQUAL(vlab_ram_set_regions(&ram, r, 2), -EINVAL);
	r[0].gpa = 0x10000;
	r[0].size = 0;
	CU_ASSERT_EQUAL(vlab_ram_set_regions(&ram, r, 2), -EINVAL);
	r[0].size = 2;
	r[0].gpa = UINT64_MAX;
	CU_ASSERT_EQUAL(vlab_ram_set_regions(&ram, r, 2), -EINVAL);
	CU_ASSERT_EQUAL(ram.nregions, 2);
	CU_ASSERT_PTR_EQUAL(vlab_ram_ptr(&ram, sizeof(a), 16), b);
}

/**
 * main() - run the suite.
 * @return 0 when every test passed.
 */
int main(void)
{
	static CU_TestInfo tests[] = {
		{ "D9 guest RAM of regions: translation edges",
		  test_ram_regions },
		{ "an rng request end to end over vhost-user",
		  test_rng_request },
		{ "unknown request refused, session goes on",
		  test_unknown_request },
		{ "payload too short for its request refused",
		  test_short_payload },
		{ "message cut short ends the connection", test_short_message },
		{ "oversized message ends the connection",
		  test_oversized_message },
		{ "overlapping regions refused", test_region_overlap },
		{ "ring outside every region refused",
		  test_ring_outside_regions },
		{ "ring running past its region refused (D15)",
		  test_ring_past_region_end },
		{ "features never offered refused (D19)",
		  test_features_not_offered },
		{ "front-end killed mid-request: no thread stuck (D20)",
		  test_disconnect_mid_request },
		CU_TEST_INFO_NULL,
	};

	return harness_run_suite("vhost-user back-end", tests);
}
