/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief What the rings say when a run is stuck: for each queue, buffers
 * the driver published that the device has not taken, and whether it was
 * ever notified of them. The lockstep schedule calls it when every thread
 * waits (a deadlock), so the learner reads "no QueueNotify was written:
 * a missing virtqueue_kick()?" instead of a time-out.
 */
#ifndef VLAB_TOOLS_DIAGNOSE_H
#define VLAB_TOOLS_DIAGNOSE_H

#include <stdio.h>

#include "sim/machine.h"

/**
 * vlab_diagnose_rings() - one line per queue that is set up: what the
 * driver published, what the device took, how often it was notified, and
 * what that suggests. Call it only while no thread of the machine runs
 * (a lockstep deadlock, or after the run).
 * @param out where to.
 * @param m the machine.
 * @return how many queues hold published buffers the device never took.
 */
unsigned int vlab_diagnose_rings(FILE *out, const struct vlab_machine *m);

#endif /* VLAB_TOOLS_DIAGNOSE_H */
