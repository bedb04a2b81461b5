// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The vhost-user back-end's guest memory and vrings: the memory
 * table mapped as guest RAM regions, each vring's messages turned into the
 * queue registers of the device, kicks in and interrupts out on eventfds
 * (QEMU's docs/interop/vhost-user.rst, "Ring states").
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "sim/sched.h"
#include "sim/vhost_user_vring.h"

/** Which back-end owns each interrupt line (one line each). */
static struct vlab_vhost_user *line_owner[VLAB_IRQ_LINES];
/** Guards @c line_owner. */
static pthread_mutex_t line_lock = PTHREAD_MUTEX_INITIALIZER;

int vu_line_get(struct vlab_vhost_user *vu)
{
	int line = -EBUSY;
	unsigned int i;

	pthread_mutex_lock(&line_lock);
	for (i = 0; i < VLAB_IRQ_LINES; i++)
		if (!line_owner[i]) {
			line_owner[i] = vu;
			line = (int)i;
			break;
		}
	pthread_mutex_unlock(&line_lock);
	return line;
}

void vu_line_put(struct vlab_vhost_user *vu)
{
	pthread_mutex_lock(&line_lock);
	if (vu->line < VLAB_IRQ_LINES && line_owner[vu->line] == vu)
		line_owner[vu->line] = NULL;
	pthread_mutex_unlock(&line_lock);
}

/**
 * signal_fd() - add 1 to an eventfd, as an irqfd or QEMU's error notifier
 * reads it.
 * @param fd the eventfd.
 * @return true when written.
 */
static bool signal_fd(int fd)
{
	uint64_t one = 1;

	return write(fd, &one, sizeof(one)) == (ssize_t)sizeof(one);
}

void vu_deliver(unsigned int line)
{
	struct vlab_vhost_user *vu;
	struct vlab_vu_vring *r;
	uint32_t bits, status;
	unsigned int i;

	pthread_mutex_lock(&line_lock);
	vu = line < VLAB_IRQ_LINES ? line_owner[line] : NULL;
	pthread_mutex_unlock(&line_lock);
	if (!vu)
		return;
	/* the back-end acknowledges for the guest: it reads no register */
	vlab_mutex_lock(&vu->dev->lock);
	bits = vu->dev->interrupt_status;
	vu->dev->interrupt_status = 0;
	status = vu->dev->status;
	vlab_mutex_unlock(&vu->dev->lock);

	pthread_mutex_lock(&vu->lock);
	for (i = 0; i < vu->nvrings; i++) {
		r = &vu->vring[i];
		if (!r->live)
			continue;
		if ((bits & VIRTIO_MMIO_INT_VRING) && r->call_fd >= 0 &&
		    signal_fd(r->call_fd))
			__atomic_fetch_add(&r->calls, 1, __ATOMIC_RELAXED);
		/*
		 * No config interrupt reaches the guest without the back-end
		 * request channel: the error eventfd tells QEMU instead.
		 */
		if ((bits & VIRTIO_MMIO_INT_CONFIG) && r->err_fd >= 0 &&
		    (status & VIRTIO_CONFIG_S_NEEDS_RESET))
			signal_fd(r->err_fd);
	}
	pthread_mutex_unlock(&vu->lock);
}

/**
 * unmap_one() - undo one region's mapping and its guards.
 * @param m the mapping.
 */
static void unmap_one(struct vlab_vu_map *m)
{
	if (m->base)
		munmap(m->base, m->len);
	memset(m, 0, sizeof(*m));
}

void vu_unmap_all(struct vlab_vhost_user *vu)
{
	unsigned int i;

	vlab_ram_set_regions(&vu->ram, NULL, 0);
	for (i = 0; i < vu->nmaps; i++)
		unmap_one(&vu->maps[i]);
	vu->nmaps = 0;
}

/**
 * map_region() - map one region of the front-end's memory between two
 * guard areas that no access may touch, as our own RAM is (sim/ram.c).
 * @param r the region.
 * @param fd its file descriptor.
 * @param out receives the mapping.
 * @return 0, or a negative errno.
 */
static int map_region(const struct vlab_vu_region *r, int fd,
		      struct vlab_vu_map *out)
{
	size_t len;
	uint8_t *p;
	void *q;

	if (!r->size || r->mmap_offset % 4096 ||
	    r->size > SIZE_MAX / 2 || r->mmap_offset > SIZE_MAX / 4)
		return -EINVAL;
	len = (size_t)(r->mmap_offset + r->size);
	p = mmap(NULL, len + 2 * VLAB_RAM_GUARD, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	/* the fd from its start: mmap_offset is where the region begins */
	q = mmap(p + VLAB_RAM_GUARD, len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd, 0);
	if (q == MAP_FAILED) {
		munmap(p, len + 2 * VLAB_RAM_GUARD);
		return -errno;
	}
	out->base = p;
	out->len = len + 2 * VLAB_RAM_GUARD;
	out->user_addr = r->user_addr;
	out->gpa = r->guest_addr;
	out->size = r->size;
	out->mmap_offset = r->mmap_offset;
	out->host = p + VLAB_RAM_GUARD + r->mmap_offset;
	return 0;
}

/**
 * same_table() - whether a memory table is the one in force: same
 * regions, same front-end addresses, same offsets (the fds may differ;
 * they name the same memory).
 * @param vu the back-end.
 * @param mem the table received.
 * @return true when nothing would change.
 */
static bool same_table(const struct vlab_vhost_user *vu,
		       const struct vlab_vu_mem *mem)
{
	const struct vlab_vu_region *r;
	const struct vlab_vu_map *m;
	unsigned int i;

	if (mem->nregions != vu->nmaps)
		return false;
	for (i = 0; i < vu->nmaps; i++) {
		r = &mem->regions[i];
		m = &vu->maps[i];
		if (r->guest_addr != m->gpa || r->size != m->size ||
		    r->user_addr != m->user_addr ||
		    r->mmap_offset != m->mmap_offset)
			return false;
	}
	return true;
}

int vu_set_mem_table(struct vlab_vhost_user *vu, struct vu_msg *m)
{
	struct vlab_ram_region rr[VLAB_VU_MAX_FDS];
	struct vlab_vu_map maps[VLAB_VU_MAX_FDS];
	const struct vlab_vu_mem *mem = &m->p.mem;
	struct vlab_ram probe;
	unsigned int i, n = mem->nregions;
	int err;

	if (m->hdr.size < 8 || n == 0 || n > VLAB_VU_MAX_FDS ||
	    m->hdr.size < 8 + n * sizeof(struct vlab_vu_region))
		return vu_refuse(vu, m, "%u regions in a %u-byte table",
				 n, m->hdr.size);
	if (m->nfds != n)
		return vu_refuse(vu, m, "%u regions but %u file descriptors",
				 n, m->nfds);
	if (vu_any_live(vu)) {
		/* QEMU resends the table it sent when a ring started */
		if (same_table(vu, mem))
			return 0;
		return vu_refuse(vu, m, "a new memory table under running rings: the device holds pointers into the old one");
	}
	for (i = 0; i < n; i++) {
		rr[i].gpa = mem->regions[i].guest_addr;
		rr[i].size = mem->regions[i].size;
		rr[i].host = (uint8_t *)(uintptr_t)4096; /* checked below */
	}
	/* RELIABILITY D9: disjoint, non-empty, no wrap, before any mmap */
	memset(&probe, 0, sizeof(probe));
	if (vlab_ram_set_regions(&probe, rr, n))
		return vu_refuse(vu, m, "regions are empty, wrap around 2^64 or overlap");
	for (i = 0; i < n; i++) {
		err = map_region(&mem->regions[i], m->fds[i], &maps[i]);
		if (err) {
			const struct vlab_vu_region *bad = &mem->regions[i];
			unsigned int k = i;

			while (k--)
				unmap_one(&maps[k]);
			return vu_refuse(vu, m, "region %u (guest 0x%llx, %llu bytes, fd offset 0x%llx) cannot be mapped: %s",
					 i, (unsigned long long)bad->guest_addr,
					 (unsigned long long)bad->size,
					 (unsigned long long)bad->mmap_offset,
					 strerror(-err));
		}
		rr[i].host = maps[i].host;
	}
	vu_unmap_all(vu);
	for (i = 0; i < n; i++) {
		vu->maps[i] = maps[i];
		/* mapped: the fd is no longer needed */
		close(m->fds[i]);
		m->fds[i] = -1;
		vu_say(vu, "SET_MEM_TABLE region %u: guest 0x%llx-0x%llx at front-end address 0x%llx",
		       i, (unsigned long long)maps[i].gpa,
		       (unsigned long long)(maps[i].gpa + maps[i].size - 1),
		       (unsigned long long)maps[i].user_addr);
	}
	vu->nmaps = n;
	vlab_ram_set_regions(&vu->ram, rr, n);
	return 0;
}

/**
 * gpa_of() - the guest-physical address of a front-end address: the ring
 * addresses of SET_VRING_ADDR are the front-end's own (vhost-user.rst,
 * "A vring address description").
 * @param vu the back-end.
 * @param ua the front-end address.
 * @param gpa receives the guest-physical address.
 * @return true when a region holds @p ua.
 */
static bool gpa_of(const struct vlab_vhost_user *vu, uint64_t ua,
		   uint64_t *gpa)
{
	const struct vlab_vu_map *m;
	unsigned int i;

	for (i = 0; i < vu->nmaps; i++) {
		m = &vu->maps[i];
		if (ua >= m->user_addr && ua - m->user_addr < m->size) {
			*gpa = m->gpa + (ua - m->user_addr);
			return true;
		}
	}
	return false;
}

bool vu_any_live(const struct vlab_vhost_user *vu)
{
	unsigned int i;

	for (i = 0; i < vu->nvrings; i++)
		if (vu->vring[i].live)
			return true;
	return false;
}

bool vu_polled(const struct vlab_vhost_user *vu, unsigned int i)
{
	return vu->vring[i].live && vu->vring[i].enabled &&
		vu->vring[i].kick_fd >= 0;
}

/**
 * set_fd() - replace one of a ring's fds (the IRQ thread may be using
 * the call and error fds: under the back-end's lock).
 * @param vu the back-end.
 * @param slot the ring's fd.
 * @param fd the new one, or -1.
 */
static void set_fd(struct vlab_vhost_user *vu, int *slot, int fd)
{
	int old;

	pthread_mutex_lock(&vu->lock);
	old = *slot;
	*slot = fd;
	pthread_mutex_unlock(&vu->lock);
	if (old >= 0)
		close(old);
}

/**
 * ring_stop() - stop a live ring (GET_VRING_BASE, a disconnect): wait for
 * the device thread, read where the device is, then QueueReady = 0, which
 * drops whatever the model held (RELIABILITY D20).
 * @param vu the back-end.
 * @param i the ring.
 * @return the next avail index the device would have taken.
 */
static uint32_t ring_stop(struct vlab_vhost_user *vu, unsigned int i)
{
	struct vlab_device *dev = vu->dev;
	uint32_t base = vu->vring[i].base;

	if (!vu->vring[i].live)
		return base;
	vlab_mutex_lock(&dev->lock);
	/* RELIABILITY L2: bounded; the index is read with the thread idle */
	vlab_device_quiesce_locked(dev, "GET_VRING_BASE");
	if (dev->vqs[i].ready)
		base = dev->vqs[i].split.last_avail_idx;
	vlab_mutex_unlock(&dev->lock);
	vu_reg_write(vu, VIRTIO_MMIO_QUEUE_SEL, i);
	vu_reg_write(vu, VIRTIO_MMIO_QUEUE_READY, 0);
	pthread_mutex_lock(&vu->lock);
	vu->vring[i].live = false;
	pthread_mutex_unlock(&vu->lock);
	return base;
}

/**
 * ring_try_start() - once a ring has its size, addresses, memory, a kick
 * fd and accepted features, set the device's queue up as a driver would
 * (QueueNum, the three areas, QueueReady), then DRIVER_OK. The register
 * file checks the setup (RELIABILITY D15) and traces it.
 * @param vu the back-end.
 * @param i the ring.
 * @return 0 (nothing to do yet, or started), or -EINVAL when refused.
 */
static int ring_try_start(struct vlab_vhost_user *vu, unsigned int i)
{
	struct vlab_vu_vring *r = &vu->vring[i];
	uint64_t desc, avail, used;
	struct vlab_vq *vq = &vu->dev->vqs[i];
	uint32_t status;

	if (r->live || !r->started || !r->addr_set || !vu->features_set)
		return 0;
	if (!gpa_of(vu, r->addr.desc_user_addr, &desc) ||
	    !gpa_of(vu, r->addr.avail_user_addr, &avail) ||
	    !gpa_of(vu, r->addr.used_user_addr, &used))
		return -EINVAL;
	vu_reg_write(vu, VIRTIO_MMIO_QUEUE_SEL, i);
	vu_reg_write(vu, VIRTIO_MMIO_QUEUE_NUM, r->num);
	vu_reg_write(vu, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	vu_reg_write(vu, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	vu_reg_write(vu, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)avail);
	vu_reg_write(vu, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(avail >> 32));
	vu_reg_write(vu, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)used);
	vu_reg_write(vu, VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(used >> 32));
	vu_reg_write(vu, VIRTIO_MMIO_QUEUE_READY, 1);
	if (!vu_reg_read(vu, VIRTIO_MMIO_QUEUE_READY))
		return -EINVAL;
	if (r->base) {
		/*
		 * A ring resumed where it stopped: the device takes the next
		 * avail entry at the base; the used index is what the used
		 * ring says. No kick has been read yet, so the device thread
		 * has not looked at this queue.
		 */
		vlab_mutex_lock(&vu->dev->lock);
		vq->split.last_avail_idx = (uint16_t)r->base;
		vq->split.used_idx = le16toh(__atomic_load_n(
			&vq->split.used->idx, __ATOMIC_ACQUIRE));
		vlab_mutex_unlock(&vu->dev->lock);
	}
	pthread_mutex_lock(&vu->lock);
	r->live = true;
	pthread_mutex_unlock(&vu->lock);
	status = vu_reg_read(vu, VIRTIO_MMIO_STATUS);
	if (!(status & VIRTIO_CONFIG_S_DRIVER_OK))
		vu_reg_write(vu, VIRTIO_MMIO_STATUS,
			     status | VIRTIO_CONFIG_S_DRIVER_OK);
	vu_say(vu, "q%u runs: size %u, desc 0x%llx, avail 0x%llx, used 0x%llx (guest-physical), from avail index %u",
	       i, r->num, (unsigned long long)desc,
	       (unsigned long long)avail, (unsigned long long)used, r->base);
	return 0;
}

void vu_stop_all(struct vlab_vhost_user *vu)
{
	struct vlab_vu_vring *r;
	unsigned int i;

	for (i = 0; i < vu->nvrings; i++) {
		r = &vu->vring[i];
		ring_stop(vu, i);
		set_fd(vu, &r->kick_fd, -1);
		set_fd(vu, &r->call_fd, -1);
		set_fd(vu, &r->err_fd, -1);
		r->started = false;
		r->enabled = false;
		r->addr_set = false;
		r->num = 0;
		r->base = 0;
	}
}

void vu_kicked(struct vlab_vhost_user *vu, unsigned int i)
{
	uint64_t n;

	/* the counter is reset by the read: many kicks, one look */
	if (read(vu->vring[i].kick_fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return;
	vu->vring[i].kicks++;
	vu_reg_write(vu, VIRTIO_MMIO_QUEUE_NOTIFY, i);
}

/**
 * ring_file() - SET_VRING_KICK, CALL or ERR: the eventfd in the ancillary
 * data, or none when the payload's bit 8 says so.
 * @param vu the back-end.
 * @param m the message.
 * @param i the ring.
 * @return 0 or -EINVAL.
 */
static int ring_file(struct vlab_vhost_user *vu, struct vu_msg *m,
		     unsigned int i)
{
	struct vlab_vu_vring *r = &vu->vring[i];
	bool nofd = m->p.u64 & VLAB_VU_VRING_NOFD;
	int fd;

	if (nofd ? m->nfds != 0 : m->nfds != 1)
		return vu_refuse(vu, m, "%u file descriptors with the invalid-fd flag %s",
				 m->nfds, nofd ? "set" : "clear");
	if (nofd && m->hdr.request == VLAB_VU_SET_VRING_KICK)
		return vu_refuse(vu, m, "q%u: polling without a kick fd is not supported",
				 i);
	fd = nofd ? -1 : m->fds[0];
	if (!nofd)
		m->fds[0] = -1;
	switch (m->hdr.request) {
	case VLAB_VU_SET_VRING_KICK:
		set_fd(vu, &r->kick_fd, fd);
		/* "the back-end must start the ring upon receiving a kick" fd */
		r->started = true;
		if (!vu->protocol_acked)
			r->enabled = true;
		break;
	case VLAB_VU_SET_VRING_CALL:
		set_fd(vu, &r->call_fd, fd);
		break;
	default:
		set_fd(vu, &r->err_fd, fd);
		break;
	}
	return 0;
}

/**
 * ring_addr() - SET_VRING_ADDR: keep the front-end's addresses, and check
 * at once that each area begins in a region (the register file checks
 * each whole area when the ring starts, RELIABILITY D15).
 * @param vu the back-end.
 * @param m the message.
 * @param i the ring.
 * @return 0 or -EINVAL.
 */
static int ring_addr(struct vlab_vhost_user *vu, struct vu_msg *m,
		     unsigned int i)
{
	const struct vhost_vring_addr *a = &m->p.addr;
	uint64_t g;

	if (m->hdr.size < sizeof(*a))
		return vu_refuse(vu, m, "%u bytes; a vring address takes %zu",
				 m->hdr.size, sizeof(*a));
	if (a->flags & (1u << VHOST_VRING_F_LOG))
		return vu_refuse(vu, m, "q%u: dirty logging was never offered",
				 i);
	if (!gpa_of(vu, a->desc_user_addr, &g) ||
	    !gpa_of(vu, a->avail_user_addr, &g) ||
	    !gpa_of(vu, a->used_user_addr, &g))
		return vu_refuse(vu, m, "q%u: ring at front-end address desc 0x%llx, avail 0x%llx, used 0x%llx lies outside every memory region",
				 i, (unsigned long long)a->desc_user_addr,
				 (unsigned long long)a->avail_user_addr,
				 (unsigned long long)a->used_user_addr);
	vu->vring[i].addr = *a;
	vu->vring[i].addr_set = true;
	return 0;
}

int vu_vring_msg(struct vlab_vhost_user *vu, struct vu_msg *m, bool *replied)
{
	uint32_t req = m->hdr.request;
	struct vhost_vring_state st;
	struct vlab_vu_vring *r;
	bool file = req == VLAB_VU_SET_VRING_KICK ||
		req == VLAB_VU_SET_VRING_CALL || req == VLAB_VU_SET_VRING_ERR;
	unsigned int i;
	int err;

	if (m->hdr.size < (file ? sizeof(uint64_t) : sizeof(st)))
		return vu_refuse(vu, m, "%u-byte payload is too short",
				 m->hdr.size);
	i = file ? (unsigned int)(m->p.u64 & VLAB_VU_VRING_IDX_MASK) :
		m->p.state.index;
	/* RELIABILITY D14: a ring the device does not have */
	if (i >= vu->nvrings)
		return vu_refuse(vu, m, "vring %u: the device has %u", i,
				 vu->nvrings);
	r = &vu->vring[i];
	if (r->live && (req == VLAB_VU_SET_VRING_NUM ||
			req == VLAB_VU_SET_VRING_ADDR ||
			req == VLAB_VU_SET_VRING_BASE))
		/* §4.2.2.3 as for the registers: not under a running ring */
		return vu_refuse(vu, m, "q%u is running", i);
	switch (req) {
	case VLAB_VU_SET_VRING_NUM:
		r->num = m->p.state.num;
		break;
	case VLAB_VU_SET_VRING_BASE:
		r->base = m->p.state.num;
		if (r->base > UINT16_MAX)
			return vu_refuse(vu, m, "q%u: base %u is not a split-ring index",
					 i, r->base);
		break;
	case VLAB_VU_SET_VRING_ADDR:
		err = ring_addr(vu, m, i);
		if (err)
			return err;
		break;
	case VLAB_VU_GET_VRING_BASE:
		/* "stop ring upon receiving VHOST_USER_GET_VRING_BASE" */
		st.index = i;
		st.num = ring_stop(vu, i);
		r->started = false;
		set_fd(vu, &r->kick_fd, -1);
		vu_say(vu, "q%u stopped at avail index %u", i, st.num);
		*replied = true;
		return vu_send_reply(vu, req, &st, sizeof(st));
	case VLAB_VU_SET_VRING_ENABLE:
		r->enabled = m->p.state.num != 0;
		break;
	default:
		err = ring_file(vu, m, i);
		if (err)
			return err;
		break;
	}
	if (ring_try_start(vu, i))
		return vu_refuse(vu, m, "q%u: the device refused the ring (see above)",
				 i);
	return 0;
}
