// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief A chain on the device side, for both ring layouts: the checks
 * every buffer and indirect table passes before a device model sees it
 * (RELIABILITY D5, D8-D13), and reading and writing a chain's bytes.
 *
 * sim/vq_split.c and sim/vq_packed.c walk their own descriptors and hand
 * each buffer here; a message cites the section of the layout in use
 * (struct vq_rules).
 */
#include "sim/vq_chain.h"

#include <errno.h>
#include <string.h>

#include "sim/device.h"
#include "sim/ram.h"

/**
 * rules_of() - the section table of the layout @p vq uses.
 * @param vq the queue.
 * @return vq_packed_rules or vq_split_rules.
 */
static const struct vq_rules *rules_of(const struct vlab_vq *vq)
{
	return vq->packed_ring ? &vq_packed_rules : &vq_split_rules;
}

int vq_chain_begin(struct vlab_device *dev, struct vlab_vq *vq,
		   struct vlab_chain *chain)
{
	if (vq->inflight >= vq->num) {
		/* RELIABILITY D13 */
		vlab_device_error(dev, vq, rules_of(vq)->inflight,
				  "more than %u buffers in flight", vq->num);
		return -1;
	}
	chain->nseg = 0;
	chain->seg = vq->segs;
	chain->out_bytes = 0;
	chain->in_bytes = 0;
	return 0;
}

int vq_chain_add_seg(struct vlab_device *dev, struct vlab_vq *vq,
		     struct vlab_chain *chain, unsigned int i, uint64_t addr,
		     uint32_t len, bool write, unsigned int max_segs)
{
	const struct vq_rules *rules = rules_of(vq);
	struct vlab_seg *seg;

	if (!write && chain->in_bytes) {
		/* RELIABILITY D8: readable buffers come first */
		vlab_device_error(dev, vq, rules->order,
				  "device-readable descriptor %u follows a device-writable one",
				  i);
		return -1;
	}
	if (len == 0) {
		/* RELIABILITY D10: an empty buffer is refused */
		vlab_device_error(dev, vq, rules->buffer,
				  "descriptor %u has length 0", i);
		return -1;
	}
	if (!vlab_ram_ptr(dev->ram, addr, len)) {
		/* RELIABILITY D9: every byte lies inside guest RAM */
		vlab_device_error(dev, vq, rules->buffer,
				  "descriptor %u buffer 0x%llx+%u is outside guest RAM",
				  i, (unsigned long long)addr, len);
		return -1;
	}
	if (chain->nseg == max_segs) {
		/* RELIABILITY D11 */
		vlab_device_error(dev, vq, rules->max_segs,
				  "buffer %u has more than the %u buffers this device accepts",
				  chain->head, max_segs);
		return -1;
	}
	if (chain->out_bytes + chain->in_bytes + len > UINT32_MAX) {
		/* RELIABILITY D12 */
		vlab_device_error(dev, vq, rules->total,
				  "buffer %u is longer than 2^32 bytes",
				  chain->head);
		return -1;
	}
	seg = &chain->seg[chain->nseg++];
	seg->host = vlab_ram_ptr(dev->ram, addr, len);
	seg->gpa = addr;
	seg->len = len;
	seg->write = write;
	if (write)
		chain->in_bytes += len;
	else
		chain->out_bytes += len;
	return 0;
}

void *vq_chain_indirect(struct vlab_device *dev, struct vlab_vq *vq,
			unsigned int i, uint64_t addr, uint32_t len)
{
	const struct vq_rules *rules = rules_of(vq);
	void *table;

	_Static_assert(sizeof(struct vring_desc) == VQ_DESC_BYTES,
		       "split descriptor is 16 bytes");
	_Static_assert(sizeof(struct vring_packed_desc) == VQ_DESC_BYTES,
		       "packed descriptor is 16 bytes");

	if (!vq->indirect) {
		vlab_device_error(dev, vq, rules->indirect_feature,
				  "descriptor %u has INDIRECT set but VIRTIO_F_INDIRECT_DESC was not negotiated",
				  i);
		return NULL;
	}
	if (len == 0 || len % VQ_DESC_BYTES) {
		/* RELIABILITY D5 */
		vlab_device_error(dev, vq, rules->indirect_table,
				  "indirect table of descriptor %u is %u bytes, not a positive multiple of 16",
				  i, len);
		return NULL;
	}
	table = vlab_ram_ptr(dev->ram, addr, len);
	if (!table || addr % VQ_DESC_BYTES) {
		/* RELIABILITY D9 */
		vlab_device_error(dev, vq, rules->indirect_table,
				  "indirect table 0x%llx+%u of descriptor %u is outside guest RAM or misaligned",
				  (unsigned long long)addr, len, i);
		return NULL;
	}
	return table;
}

int vlab_chain_span(const struct vlab_chain *c, bool writable, uint64_t off,
		    uint64_t n, vlab_span_fn fn, void *arg)
{
	uint64_t done = 0, skip = off;
	unsigned int i;
	size_t piece;
	int ret;

	if (off > (writable ? c->in_bytes : c->out_bytes) ||
	    n > (writable ? c->in_bytes : c->out_bytes) - off)
		return -EINVAL;
	for (i = 0; i < c->nseg && done < n; i++) {
		if (c->seg[i].write != writable)
			continue;
		if (skip >= c->seg[i].len) {
			skip -= c->seg[i].len;
			continue;
		}
		piece = c->seg[i].len - skip;
		if (piece > n - done)
			piece = n - done;
		ret = fn(arg, c->seg[i].host + skip, piece, done);
		if (ret)
			return ret;
		done += piece;
		skip = 0;
	}
	return 0;
}

/**
 * copy_out() - vlab_span_fn of vlab_chain_read(): chain to buffer.
 * @param arg the destination buffer.
 * @param host a piece of the chain.
 * @param len its length.
 * @param done where it goes in the destination.
 * @return 0.
 */
static int copy_out(void *arg, uint8_t *host, size_t len, uint64_t done)
{
	memcpy((uint8_t *)arg + done, host, len);
	return 0;
}

/**
 * copy_in() - vlab_span_fn of vlab_chain_write(): buffer to chain.
 * @param arg the source buffer.
 * @param host a piece of the chain.
 * @param len its length.
 * @param done where it comes from in the source.
 * @return 0.
 */
static int copy_in(void *arg, uint8_t *host, size_t len, uint64_t done)
{
	memcpy(host, (const uint8_t *)arg + done, len);
	return 0;
}

int vlab_chain_read(const struct vlab_chain *c, uint64_t off, void *dst,
		    size_t n)
{
	return vlab_chain_span(c, false, off, n, copy_out, dst);
}

int vlab_chain_write(const struct vlab_chain *c, uint64_t off,
		     const void *src, size_t n)
{
	return vlab_chain_span(c, true, off, n, copy_in, (void *)src);
}
