// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief libFuzzer target: the driver-side used-ring reader (virtio/
 * virtio_ring*.c) against a scripted hostile device. The guest code is
 * the real one; the device is this file, writing the used ring (split)
 * or used descriptors (packed) straight into shared memory.
 *
 * Every token get_buf returns was outstanding and comes back once, with
 * a length no larger than the writable bytes posted for it; a broken
 * queue stays broken (get_buf NULL, add -EIO, kick false); at the end
 * every buffer is detached and no guest memory is leaked (RELIABILITY
 * R1-R4).
 *
 * Input: byte 0 picks the layout, EVENT_IDX, INDIRECT_DESC and the queue
 * size; byte 1 how many buffers to post first; then one byte per buffer
 * shape; then operations, an opcode byte and its operands each.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "virtio/boot.h"
#include "virtio/shared/boundary.h"
#include "virtio/shared/vring_packed.h"
#include "virtio/vring_virtqueue.h"

/** Guest RAM of the target. */
#define FUZZ_RAM (256u << 10)
/** Guest-physical base of that RAM. */
#define FUZZ_GPA 0x40000000ull
/** Largest queue size the target picks. */
#define FUZZ_NUM 16
/** Tokens in flight at most (a queue never holds more than its size). */
#define FUZZ_TOKENS FUZZ_NUM
/** Operations per input at most: every input ends quickly. */
#define FUZZ_OPS 256

/** One buffer the driver posted: the token is its address. */
struct tok {
	bool out;		/**< outstanding: posted, not yet returned */
	void *rd;		/**< readable part (kmalloc'd), or NULL */
	void *wr;		/**< writable part (kmalloc'd), or NULL */
	u32 in_len;		/**< device-writable bytes posted */
};

/** What one input works on. */
static struct {
	struct virtio_driver drv;	/**< bound, so features can be read */
	struct virtio_device vdev;	/**< the device, no transport */
	struct virtqueue *vq;		/**< the queue under test */
	struct vring_virtqueue *vvq;	/**< its private side */
	struct tok tok[FUZZ_TOKENS];	/**< the buffers, by slot */
	/** the device's queue of posted ids, oldest first */
	struct {
		u16 id;			/**< head or buffer id */
		u16 ndescs;		/**< ring descriptors it took */
		struct tok *t;		/**< its token */
	} fifo[FUZZ_TOKENS];
	unsigned int nfifo;		/**< entries in @c fifo */
	u16 used_idx;			/**< split: next used idx */
	u16 used_pos;			/**< packed: next used position */
	bool used_wrap;			/**< packed: its wrap counter */
	const uint8_t *in;		/**< rest of the input */
	size_t left;			/**< its length */
} f;

/**
 * next() - take one input byte.
 * @return the byte, 0 once the input is used up.
 */
static uint8_t next(void)
{
	if (!f.left)
		return 0;
	f.left--;
	return *f.in++;
}

/**
 * fuzz_notify() - the transport's kick: there is no device to wake.
 * @param vq the queue.
 * @return true, the notification went out.
 */
static bool fuzz_notify(struct virtqueue *vq)
{
	(void)vq;
	return true;
}

/**
 * broken() - whether the queue is broken; once it is, it must stay so.
 * @param was what the previous call said.
 * @return the state now.
 */
static bool broken(bool was)
{
	bool now = virtqueue_is_broken(f.vq);

	if (was && !now)
		abort();
	return now;
}

/**
 * tok_free() - give back a token's guest memory.
 * @param t the token.
 */
static void tok_free(struct tok *t)
{
	kfree(t->rd);
	kfree(t->wr);
	memset(t, 0, sizeof(*t));
}

/**
 * tok_returned() - check a token the driver handed back and retire it.
 * @param data what get_buf or detach returned.
 * @param len the length get_buf returned, or 0.
 */
static void tok_returned(void *data, unsigned int len)
{
	struct tok *t = data;
	unsigned int i;

	if (t < f.tok || t >= f.tok + FUZZ_TOKENS ||
	    (uintptr_t)((char *)t - (char *)f.tok) % sizeof(*t))
		abort();	/* not a token we gave */
	if (!t->out)
		abort();	/* not outstanding, or returned twice */
	if (len > t->in_len)
		abort();	/* R4: longer than what was writable */
	for (i = 0; i < f.nfifo; i++) {
		if (f.fifo[i].t != t)
			continue;
		memmove(&f.fifo[i], &f.fifo[i + 1],
			(f.nfifo - i - 1) * sizeof(f.fifo[0]));
		f.nfifo--;
		break;
	}
	tok_free(t);
}

/**
 * post() - post one buffer of a shape the input picks.
 * @param shape bits 0-1: readable segments, 2-3: writable ones, 4-7:
 *	their size.
 * @param was_broken whether the queue was broken before.
 */
static void post(uint8_t shape, bool was_broken)
{
	struct scatterlist sg_rd[3], sg_wr[3], *sgs[2];
	unsigned int nrd = shape & 3, nwr = shape >> 2 & 3, i, n = 0;
	size_t unit = 8u * ((shape >> 4) + 1);
	struct tok *t = NULL;
	int r;

	if (!nrd && !nwr)
		nwr = 1;
	for (i = 0; i < FUZZ_TOKENS && !t; i++)
		if (!f.tok[i].out)
			t = &f.tok[i];
	if (!t)
		return;
	if (nrd) {
		t->rd = kmalloc(nrd * unit, GFP_KERNEL);
		if (!t->rd)
			abort();
		sg_init_table(sg_rd, nrd);
		for (i = 0; i < nrd; i++)
			sg_set_buf(&sg_rd[i], (char *)t->rd + i * unit,
				   (unsigned int)unit);
		sgs[n++] = sg_rd;
	}
	if (nwr) {
		t->wr = kmalloc(nwr * unit, GFP_KERNEL);
		if (!t->wr)
			abort();
		sg_init_table(sg_wr, nwr);
		for (i = 0; i < nwr; i++)
			sg_set_buf(&sg_wr[i], (char *)t->wr + i * unit,
				   (unsigned int)unit);
		sgs[n++] = sg_wr;
		t->in_len = (u32)(nwr * unit);
	}
	r = virtqueue_add_sgs(f.vq, sgs, nrd ? 1 : 0, nwr ? 1 : 0, t,
			      GFP_KERNEL);
	if (was_broken && r != -EIO)
		abort();
	if (r) {
		if (r != -EIO && r != -ENOSPC)
			abort();
		tok_free(t);
		return;
	}
	t->out = true;
	/* the device learns the id from the ring; we look it up faster */
	for (i = 0; i < virtqueue_get_vring_size(f.vq); i++) {
		if (f.vvq->desc_state[i].data != t)
			continue;
		f.fifo[f.nfifo].id = (u16)i;
		f.fifo[f.nfifo].ndescs = f.vvq->desc_state[i].ndescs;
		f.fifo[f.nfifo].t = t;
		f.nfifo++;
		return;
	}
	abort();	/* posted, yet not in the driver's records */
}

/**
 * dev_used() - the device writes one used element at its cursor and
 * publishes it (split: used idx; packed: the flags, last).
 * @param id the id it claims.
 * @param len the length it claims.
 * @param ndescs packed: how far its cursor moves.
 */
static void dev_used(u16 id, u32 len, unsigned int ndescs)
{
	struct vring_virtqueue *vq = f.vvq;
	unsigned int num = virtqueue_get_vring_size(f.vq);

	if (!vq->packed_ring) {
		struct vring_used *used = vq->split.vring.used;
		unsigned int slot = f.used_idx & (num - 1);

		used->ring[slot].id = cpu_to_le32(id);
		used->ring[slot].len = cpu_to_le32(len);
		f.used_idx++;
		/* release: the element before the index (acquire in get_buf) */
		smp_store_release(&used->idx, cpu_to_le16(f.used_idx));
		return;
	}
	vq->packed.desc[f.used_pos].id = cpu_to_le16(id);
	vq->packed.desc[f.used_pos].len = cpu_to_le32(len);
	/* release: id and len before the flags that mark them used */
	smp_store_release(&vq->packed.desc[f.used_pos].flags,
			  cpu_to_le16(vring_packed_used_flags(f.used_wrap)));
	vring_packed_advance(&f.used_pos, &f.used_wrap,
			     ndescs ? ndescs % (num + 1) : 1, num);
}

/**
 * dev_complete() - the device completes the k-th posted buffer it knows
 * of, with a length the input picks (sometimes too long: R4).
 * @param k which one, modulo how many it knows of.
 * @param lb the length byte.
 */
static void dev_complete(uint8_t k, uint8_t lb)
{
	unsigned int i;
	u32 len;

	if (!f.nfifo)
		return;
	i = k % f.nfifo;
	len = f.fifo[i].t->in_len;
	len = lb < 0xf0 ? lb % (len + 1) : len + lb;
	dev_used(f.fifo[i].id, len, f.fifo[i].ndescs);
	memmove(&f.fifo[i], &f.fifo[i + 1],
		(f.nfifo - i - 1) * sizeof(f.fifo[0]));
	f.nfifo--;
}

/**
 * dev_scribble() - the device writes what it likes where the driver
 * reads: used idx (R3), a raw used flags word, or the event areas.
 * @param what which field.
 * @param a first operand byte.
 * @param b second operand byte.
 */
static void dev_scribble(uint8_t what, uint8_t a, uint8_t b)
{
	struct vring_virtqueue *vq = f.vvq;
	unsigned int num = virtqueue_get_vring_size(f.vq);
	u16 v = (u16)(a | b << 8);

	if (!vq->packed_ring) {
		struct vring *vr = &vq->split.vring;

		switch (what % 3) {
		case 0:		/* used idx jumps */
			f.used_idx = (u16)(f.used_idx + a);
			/* release, as a device publishes an index */
			smp_store_release(&vr->used->idx,
					  cpu_to_le16(f.used_idx));
			break;
		case 1:		/* avail_event, read by kick_prepare */
			WRITE_ONCE(vring_avail_event(vr), cpu_to_le16(v));
			break;
		default:	/* used flags (NO_NOTIFY) */
			WRITE_ONCE(vr->used->flags, cpu_to_le16(v));
			break;
		}
		return;
	}
	switch (what % 3) {
	case 0:		/* any flags on any descriptor */
		WRITE_ONCE(vq->packed.desc[a % num].flags, cpu_to_le16(v));
		break;
	case 1:		/* the device event structure */
		WRITE_ONCE(vq->packed.device->off_wrap, cpu_to_le16(v));
		break;
	default:
		WRITE_ONCE(vq->packed.device->flags, cpu_to_le16(v & 3));
		break;
	}
}

/**
 * get_one() - virtqueue_get_buf(), with its result checked.
 * @param was_broken whether the queue was broken before.
 * @return true when it returned a token.
 */
static bool get_one(bool was_broken)
{
	unsigned int len = 0;
	void *data = virtqueue_get_buf(f.vq, &len);

	if (!data)
		return false;
	if (was_broken)
		abort();	/* a broken queue returns nothing */
	tok_returned(data, len);
	return true;
}

/**
 * setup() - the queue an input asks for.
 * @param cfg bit 0 packed, bit 1 EVENT_IDX, bit 2 INDIRECT_DESC, bits
 *	3-4 the queue size.
 * @return 0, or -1 when the queue could not be made.
 */
static int setup(uint8_t cfg)
{
	static const unsigned int sizes[] = { 8, 16, 4, 2 };

	memset(&f.vdev, 0, sizeof(f.vdev));
	memcpy(f.vdev.dev.name, "fuzz0", 6);
	f.vdev.dev.driver = &f.drv.driver;
	spin_lock_init(&f.vdev.config_lock);
	spin_lock_init(&f.vdev.vqs_list_lock);
	INIT_LIST_HEAD(&f.vdev.vqs);
	f.vdev.features = BIT_ULL(VIRTIO_F_VERSION_1) |
		(cfg & 1 ? BIT_ULL(VIRTIO_F_RING_PACKED) : 0) |
		(cfg & 2 ? BIT_ULL(VIRTIO_RING_F_EVENT_IDX) : 0) |
		(cfg & 4 ? BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC) : 0);
	f.vq = vring_create_virtqueue(0, sizes[cfg >> 3 & 3], PAGE_SIZE,
				      &f.vdev, true, false, false,
				      fuzz_notify, NULL, "fuzz-used");
	if (!f.vq)
		return -1;
	f.vvq = to_vvq(f.vq);
	f.nfifo = 0;
	f.used_idx = 0;
	f.used_pos = 0;
	f.used_wrap = true;
	return 0;
}

/**
 * teardown() - what a driver does at reset: detach every buffer still
 * posted, then delete the queue.
 */
static void teardown(void)
{
	unsigned int i;
	void *data;

	while ((data = virtqueue_detach_unused_buf(f.vq)))
		tok_returned(data, 0);
	for (i = 0; i < FUZZ_TOKENS; i++)
		if (f.tok[i].out)
			abort();	/* posted, never returned */
	vring_del_virtqueue(f.vq);
	f.vq = NULL;
	f.vvq = NULL;
}

/**
 * LLVMFuzzerInitialize() - give the guest its RAM once, quiet its log.
 * @param argc unused.
 * @param argv unused.
 * @return 0.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	void *ram = aligned_alloc(4096, FUZZ_RAM);

	(void)argc;
	(void)argv;
	if (!ram || guest_mem_init(ram, FUZZ_GPA, FUZZ_RAM))
		abort();
	guest_log_init(-1);
	f.drv.driver.name = "fuzz_used";
	return 0;
}

/**
 * LLVMFuzzerTestOneInput() - one queue, buffers posted, then the device
 * and the driver take turns as the input says.
 * @param data the input.
 * @param size its length.
 * @return 0.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t before = guest_mem_in_use();
	bool brk = false;
	unsigned int i, n, ops;
	uint8_t op;

	if (size < 2)
		return 0;
	f.in = data;
	f.left = size;
	if (setup(next()))
		abort();	/* 256 KiB hold any of these queues */
	n = next() % (virtqueue_get_vring_size(f.vq) + 1);
	for (i = 0; i < n; i++)
		post(next(), brk);
	virtqueue_kick(f.vq);
	for (ops = 0; f.left && ops < FUZZ_OPS; ops++) {
		op = next();
		switch (op % 12) {
		case 0:		/* complete the oldest buffer */
			dev_complete(0, next());
			break;
		case 1:		/* complete any buffer, out of order */
			op = next();
			dev_complete(op, next());
			break;
		case 2:		/* a used element, any id and length */
			op = next();
			dev_used(op, next(), 1);
			break;
		case 3:
			op = next();
			dev_scribble(op, next(), next());
			break;
		case 4:
		case 5:
			get_one(brk);
			break;
		case 6:
			while (get_one(brk))
				;
			break;
		case 7:
			virtqueue_disable_cb(f.vq);
			break;
		case 8:
			virtqueue_enable_cb(f.vq);
			break;
		case 9:
			virtqueue_enable_cb_delayed(f.vq);
			break;
		case 10:
			post(next(), brk);
			break;
		default:
			if (virtqueue_kick(f.vq) && brk)
				abort();	/* broken: no kick */
			break;
		}
		brk = broken(brk);
	}
	teardown();
	if (guest_mem_in_use() != before)
		abort();	/* the queue or a buffer leaked guest memory */
	return 0;
}
