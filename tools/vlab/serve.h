/* SPDX-License-Identifier: GPL-2.0 */
/**
 * @file
 * @brief `vlab serve`: virtio-lab's device models as the devices of a
 * real guest, through a vhost-user back-end (sim/vhost_user.h), with the
 * trace showing what the guest's own driver put in the rings.
 */
#ifndef VLAB_TOOLS_SERVE_H
#define VLAB_TOOLS_SERVE_H

#include "tools/vlab/options.h"

/**
 * vlab_serve() - listen on the --vhost-user socket, serve one front-end
 * until it disconnects (or SIGINT/SIGTERM), print what was served.
 * @param o the options (serve, device rng or blk).
 * @return 0; 1 when the protocol failed or the device found the driver
 * breaking a rule; 2 when the socket or the disk cannot be used.
 */
int vlab_serve(const struct options *o);

#endif /* VLAB_TOOLS_SERVE_H */
