// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief `vlab run --fault NAME`: each hostile behaviour the reliability
 * catalogue names, played against the reference driver or device, and
 * the text its defence prints (see faults.h).
 */
#include "tools/vlab/faults.h"

#include <endian.h>
#include <string.h>
#include <linux/virtio_ring.h>

#include "sim/ram.h"

/**
 * Every fault; tests/faults.sh runs each and looks for its defence. Two
 * rules are not here because one rng request at a time cannot show them:
 * R2 (a duplicate completion names head 0, which the driver has already
 * offered again) and D18 (the device finishes a head before it reads the
 * duplicate entry). tests/test_ring.c and tests/test_device_errors.c show
 * both with several buffers in flight.
 */
static const struct vlab_fault faults[] = {
	/* the device misbehaves; the driver defends (R-rules) */
	{ "bad-used-id", "R1", false, false, false,
	  "the device returns a used id past the queue size" },
	{ "used-idx-jump", "R3", false, true, false,
	  "the device moves used.idx a queue's worth too far" },
	{ "used-len-too-long", "R4", false, false, false,
	  "the device claims 1000 bytes more than the buffer holds" },
	{ "refuse-features-ok", "R5", false, false, false,
	  "the device never accepts FEATURES_OK" },
	{ "stuck-in-reset", "R6", false, false, false,
	  "the device's Status never reads 0 after a reset" },
	/* the driver breaks a ring rule; the device defends (D-rules) */
	{ "avail-idx-jump", "D1", true, true, false,
	  "avail.idx moves a queue's worth too far" },
	{ "head-out-of-range", "D2", true, true, false,
	  "the avail ring names a head past the queue size" },
	{ "next-out-of-range", "D3", true, true, false,
	  "a descriptor's next is past the queue size" },
	{ "descriptor-loop", "D4", true, true, false,
	  "a descriptor chains to itself" },
	{ "indirect-and-next", "D7", true, true, false,
	  "a descriptor has both INDIRECT and NEXT" },
	{ "readable-after-writable", "D8", true, true, false,
	  "a device-readable buffer follows a device-writable one" },
	{ "outside-ram", "D9", true, false, false,
	  "a buffer address outside guest RAM" },
	{ "zero-length", "D10", true, false, false,
	  "a buffer of length 0" },
	{ "next-not-available", "D22", true, false, true,
	  "packed: NEXT on the first descriptor, the next one not made available" },
};

/** Entries in the table. */
#define NFAULTS (sizeof(faults) / sizeof(faults[0]))

const struct vlab_fault *vlab_fault_find(const char *name)
{
	size_t i;

	for (i = 0; i < NFAULTS; i++)
		if (!strcmp(faults[i].name, name))
			return &faults[i];
	return NULL;
}

void vlab_fault_help(FILE *out)
{
	size_t i;

	for (i = 0; i < NFAULTS; i++)
		fprintf(out, "  %-24s %-3s %s%s\n", faults[i].name,
			faults[i].rule, faults[i].what,
			faults[i].split_only ? " (split)" :
			faults[i].packed_only ? " (packed)" : "");
}

void vlab_fault_arm(struct vlab_fault_state *st, const struct vlab_fault *f,
		    struct vlab_device *dev, const struct vlab_machine *m)
{
	memset(st, 0, sizeof(*st));
	st->f = f;
	st->m = m;
	if (!f || f->driver)
		return;
	if (!strcmp(f->rule, "R1"))
		dev->faults.used_bad_id = true;
	else if (!strcmp(f->rule, "R3"))
		dev->faults.used_idx_jump = true;
	else if (!strcmp(f->rule, "R4"))
		dev->faults.used_len_extra = 1000;
	else if (!strcmp(f->rule, "R5"))
		dev->faults.refuse_features_ok = true;
	else if (!strcmp(f->rule, "R6"))
		dev->faults.stuck_in_reset = true;
}

/**
 * ring() - host bytes of guest memory the fault rewrites.
 * @param st the state.
 * @param gpa guest-physical address.
 * @param len bytes.
 * @return a pointer, or NULL outside RAM.
 */
static uint8_t *ring(const struct vlab_fault_state *st, uint64_t gpa,
		     uint64_t len)
{
	return vlab_ram_ptr(&st->m->ram, gpa, len);
}

/**
 * rw16() - add @p delta to, or (with @p set) store @p v in, a 16-bit
 * little-endian ring field.
 * @param p the field.
 * @param set store rather than add.
 * @param v the value or the delta.
 */
static void rw16(uint8_t *p, bool set, uint16_t v)
{
	uint16_t x;

	memcpy(&x, p, sizeof(x));
	x = htole16(set ? v : (uint16_t)(le16toh(x) + v));
	memcpy(p, &x, sizeof(x));
}

/**
 * corrupt_split() - rewrite a split ring right after the driver
 * published head @p head in avail slot @p slot.
 * @param st the state.
 * @param head the head.
 * @param slot its avail ring slot.
 */
static void corrupt_split(struct vlab_fault_state *st, uint16_t head,
			  uint16_t slot)
{
	uint8_t *desc = ring(st, st->desc, 16ULL * st->num);
	uint8_t *avail = ring(st, st->driver, 6 + 2ULL * st->num);
	uint8_t *d, *d2;
	uint16_t spare = (uint16_t)((head + 1) % st->num);
	const char *rule = st->f->rule;

	if (!desc || !avail)
		return;
	d = desc + 16 * head;
	if (!strcmp(rule, "D1")) {
		rw16(avail + 2, false, (uint16_t)st->num);
	} else if (!strcmp(rule, "D2")) {
		rw16(avail + 4 + 2 * slot, true, (uint16_t)st->num);
	} else if (!strcmp(rule, "D3")) {
		rw16(d + 12, false, VRING_DESC_F_NEXT);
		rw16(d + 14, true, (uint16_t)(st->num + 136));
	} else if (!strcmp(rule, "D4")) {
		rw16(d + 12, false, VRING_DESC_F_NEXT);
		rw16(d + 14, true, head);
	} else if (!strcmp(rule, "D7")) {
		rw16(d + 12, false, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT);
	} else if (!strcmp(rule, "D8")) {
		/* a readable copy of the buffer after the writable head */
		d2 = desc + 16 * spare;
		memcpy(d2, d, 16);
		rw16(d2 + 12, true, 0);
		rw16(d + 12, false, VRING_DESC_F_NEXT);
		rw16(d + 14, true, spare);
	} else if (!strcmp(rule, "D9")) {
		memset(d, 0, 8);
		d[1] = 0x10;	/* addr 0x1000, below RAM */
	} else if (!strcmp(rule, "D10")) {
		memset(d + 8, 0, 4);
	}
}

/**
 * corrupt_packed() - rewrite a packed ring right after the driver made
 * the buffer at descriptor @p pos available.
 * @param st the state.
 * @param pos the buffer's first descriptor.
 */
static void corrupt_packed(struct vlab_fault_state *st, uint16_t pos)
{
	uint8_t *desc = ring(st, st->desc, 16ULL * st->num);
	const char *rule = st->f->rule;
	uint8_t *d;

	if (!desc)
		return;
	d = desc + 16 * pos;
	if (!strcmp(rule, "D9")) {
		memset(d, 0, 8);
		d[1] = 0x10;	/* addr 0x1000, below RAM */
	} else if (!strcmp(rule, "D10")) {
		memset(d + 8, 0, 4);
	} else if (!strcmp(rule, "D22")) {
		rw16(d + 14, false, VRING_DESC_F_NEXT);
	}
}

void vlab_fault_event(struct vlab_fault_state *st,
		      const struct vlab_event *ev)
{
	if (!st->f || !st->f->driver || st->done || ev->queue != 0)
		return;
	if (ev->kind == VLAB_EV_QUEUE_SETUP) {
		st->have_queue = true;
		st->packed = ev->layout == VLAB_RING_PACKED;
		st->num = ev->queue_area.size;
		st->desc = ev->queue_area.desc;
		st->driver = ev->queue_area.driver;
		st->device = ev->queue_area.device;
		return;
	}
	if (ev->kind != VLAB_EV_AVAIL_PUBLISH || !st->have_queue || !st->num)
		return;
	st->done = true;
	if (st->packed)
		corrupt_packed(st, ev->publish.slot);
	else
		corrupt_split(st, ev->publish.head, ev->publish.slot);
}
