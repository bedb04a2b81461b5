// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The rings of a stuck run, in a learner's terms.
 */
#include "tools/vlab/diagnose.h"

#include "sim/device.h"
#include "tools/vlab/ringview.h"

/**
 * published_not_taken() - buffers the driver made available that the
 * device has not taken yet.
 * @param rv the queue.
 * @return a count (split: exact; packed: 1 when the next descriptor the
 *	device would read is available, else 0).
 */
static unsigned int published_not_taken(const struct vlab_ringview *rv)
{
	const struct vlab_ringview_desc *d;
	bool avail, used;

	if (!rv->packed)
		return (uint16_t)(rv->avail_idx - rv->last_avail);
	if (rv->next_avail >= rv->num || !rv->desc)
		return 0;
	/* §2.8.1: available when AVAIL matches the device's wrap counter
	 * and USED does not */
	d = &rv->desc[rv->next_avail];
	avail = d->flags & (1u << VRING_PACKED_DESC_F_AVAIL);
	used = d->flags & (1u << VRING_PACKED_DESC_F_USED);
	return avail == rv->avail_wrap && used != rv->avail_wrap;
}

unsigned int vlab_diagnose_rings(FILE *out, const struct vlab_machine *m)
{
	struct vlab_ringview rv = { 0 };
	const struct vlab_device *dev;
	unsigned int d, q, pending, stuck = 0;
	unsigned long notifies;

	for (d = 0; d < m->ndevs; d++) {
		dev = m->devs[d];
		for (q = 0; q < dev->model->num_queues; q++) {
			if (vlab_ringview_take(&rv, dev, q) || !rv.ready)
				continue;
			pending = published_not_taken(&rv);
			notifies = __atomic_load_n(&dev->vqs[q].stats.notifies,
						   __ATOMIC_RELAXED);
			if (!pending) {
				fprintf(out, "vlab:   %s q%u: nothing published that the device has not taken\n",
					dev->name, q);
				continue;
			}
			stuck++;
			fprintf(out, "vlab:   %s q%u: the driver published %s%u buffer(s) the device never took (%s %u, device at %u)",
				dev->name, q, rv.packed ? "at least " : "",
				pending, rv.packed ? "next_avail" : "avail.idx",
				rv.packed ? rv.next_avail : rv.avail_idx,
				rv.packed ? rv.next_avail : rv.last_avail);
			if (!notifies)
				fprintf(out, ", and no QueueNotify was ever written for this queue: the driver never notified the device; a missing virtqueue_kick() (§2.7.13.4)?\n");
			else
				fprintf(out, "; %lu QueueNotify written in all, yet these wait: was a notification the device asked for skipped (the kick decision, §2.7.10)?\n",
					notifies);
		}
	}
	vlab_ringview_free(&rv);
	return stuck;
}
