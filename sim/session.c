// SPDX-License-Identifier: GPL-2.0
/*
 * One machine, its ring configuration and its schedule, started and
 * stopped in one order for the command, the tests and the benchmark.
 */
#include "sim/session.h"

#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "sim/sched.h"

uint64_t vlab_ring_cfg_features(const struct vlab_ring_cfg *cfg)
{
	uint64_t f = 0;

	if (cfg->packed)
		f |= 1ULL << VIRTIO_F_RING_PACKED;
	if (cfg->indirect)
		f |= 1ULL << VIRTIO_RING_F_INDIRECT_DESC;
	if (cfg->event_idx)
		f |= 1ULL << VIRTIO_RING_F_EVENT_IDX;
	return f;
}

int vlab_session_init(struct vlab_session *s,
		      const struct vlab_session_opts *opts)
{
	struct vlab_machine_opts mopts = {
		.ram_size = opts->ram_size, .loglevel = opts->loglevel,
	};
	int err;

	memset(s, 0, sizeof(*s));
	s->opts = *opts;
	/* before the machine starts its threads, so all of them take part */
	if (opts->lockstep) {
		err = vlab_sched_lockstep(opts->seed);
		if (err)
			return err;
		s->lockstep = true;
		vlab_sched_set_wake_latency(opts->wake_latency);
	}
	err = vlab_machine_init(&s->m, &mopts);
	if (err) {
		if (s->lockstep)
			vlab_sched_free();
		s->lockstep = false;
		return err;
	}
	s->built = true;
	return 0;
}

struct vlab_device *vlab_session_add_device(struct vlab_session *s,
					    const struct vlab_device_model *model,
					    void *priv, const char *name)
{
	struct vlab_device *dev;

	dev = vlab_machine_add_device(&s->m, model, priv, name);
	if (dev)
		dev->ring_features = vlab_ring_cfg_features(&s->opts.ring);
	return dev;
}

int vlab_session_boot(struct vlab_session *s)
{
	struct vlab_machine_opts mopts = { .loglevel = s->opts.loglevel };

	return vlab_machine_boot(&s->m, &mopts);
}

void vlab_session_fini(struct vlab_session *s)
{
	if (s->built)
		vlab_machine_fini(&s->m);
	s->built = false;
	if (s->lockstep)
		vlab_sched_free();
	s->lockstep = false;
}
