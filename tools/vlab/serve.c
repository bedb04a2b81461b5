// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief `vlab serve rng|blk --vhost-user SOCKET`: one device model behind
 * a vhost-user back-end, its trace with each message narrated and each
 * pop's buffers listed, and a summary when the front-end goes away.
 */
#include "tools/vlab/serve.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ring.h>

#include "sim/blk.h"
#include "sim/rng.h"
#include "sim/session.h"
#include "sim/trace.h"
#include "sim/vhost_user.h"
#include "tools/vlab/run.h"
#include "tools/vlab/sinks.h"

/** The back-end being served, for the signal handler. */
static struct vlab_vhost_user *serving;
/** Set by SIGINT or SIGTERM before a front-end connected. */
static volatile sig_atomic_t stop_asked;

/**
 * on_signal() - SIGINT, SIGTERM: end the serve loop (it polls every
 * 100 ms), or the wait for a front-end.
 * @param sig the signal.
 */
static void on_signal(int sig)
{
	(void)sig;
	stop_asked = 1;
	if (serving)
		vlab_vhost_user_stop(serving);
}

/** What the serve sink needs. */
struct serve_sink {
	const struct options *o;	/**< the command line */
	struct vlab_vhost_user *vu;	/**< the back-end */
};

/**
 * blk_type_name() - a virtio-blk request type by its spec name.
 * @param type VIRTIO_BLK_T_*.
 * @return e.g. "T_IN".
 */
static const char *blk_type_name(uint32_t type)
{
	switch (type) {
	case VIRTIO_BLK_T_IN: return "T_IN (read)";
	case VIRTIO_BLK_T_OUT: return "T_OUT (write)";
	case VIRTIO_BLK_T_FLUSH: return "T_FLUSH";
	case VIRTIO_BLK_T_GET_ID: return "T_GET_ID";
	default: return "another type";
	}
}

/**
 * pop_buffers() - under a pop line, the buffers the device read out of
 * the descriptors (its checked local copy, RELIABILITY D16), and for a
 * block request the header they carry. The guest is real: these lines are
 * the only view of what its driver wrote. The sink runs on the device
 * thread, right after the pop, while the chain is the queue's scratch.
 * @param sk the sink.
 * @param ev the pop event.
 */
static void pop_buffers(const struct serve_sink *sk,
			const struct vlab_event *ev)
{
	const struct vlab_vq *vq = &sk->vu->dev->vqs[ev->queue];
	struct vlab_chain c = { .seg = vq->segs, .nseg = ev->pop.nseg };
	struct virtio_blk_outhdr h;
	uint16_t flags;
	unsigned int i;

	/* the head descriptor, as the ring still shows it, for its kind */
	flags = le16toh(__atomic_load_n(&vq->split.desc[ev->pop.head].flags,
					__ATOMIC_RELAXED));
	if (flags & VRING_DESC_F_INDIRECT)
		printf("        desc[%u]: INDIRECT, a table of %u descriptors at 0x%llx\n",
		       ev->pop.head,
		       le32toh(vq->split.desc[ev->pop.head].len) / 16,
		       (unsigned long long)le64toh(
			       vq->split.desc[ev->pop.head].addr));
	for (i = 0; i < c.nseg; i++) {
		printf("        buffer %u: 0x%09llx %5u bytes %s\n", i,
		       (unsigned long long)c.seg[i].gpa, c.seg[i].len,
		       c.seg[i].write ? "device-writable" : "device-readable");
		c.out_bytes += c.seg[i].write ? 0 : c.seg[i].len;
		c.in_bytes += c.seg[i].write ? c.seg[i].len : 0;
	}
	if (!strcmp(sk->o->device, "blk") && c.out_bytes >= sizeof(h) &&
	    !vlab_chain_read(&c, 0, &h, sizeof(h)))
		printf("        virtio_blk_outhdr: %s, sector %llu; %llu data bytes; status byte last\n",
		       blk_type_name(le32toh(h.type)),
		       (unsigned long long)le64toh(h.sector),
		       (unsigned long long)(le32toh(h.type) == VIRTIO_BLK_T_OUT ?
					    c.out_bytes - sizeof(h) :
					    c.in_bytes - 1));
}

/**
 * serve_sink() - the trace of `vlab serve`: the text line (or JSON
 * object) of each event, and under each pop its buffers.
 * @param ev the event.
 * @param seq its number.
 * @param thread its thread.
 * @param opaque the struct serve_sink.
 */
static void serve_sink(const struct vlab_event *ev, uint64_t seq,
		       const char *thread, void *opaque)
{
	struct serve_sink *sk = opaque;

	if (sk->o->format == FORMAT_JSONL) {
		vlab_trace_jsonl_sink(ev, seq, thread, stdout);
		return;
	}
	vlab_trace_text_sink(ev, seq, thread, stdout);
	if (ev->kind == VLAB_EV_POP && ev->queue >= 0 &&
	    ev->layout == VLAB_RING_SPLIT)
		pop_buffers(sk, ev);
}

/**
 * say() - narration of the back-end: a "# " line, or a JSON narration.
 * @param arg the options.
 * @param text what happened.
 */
static void say(void *arg, const char *text)
{
	vlab_run_say(arg, text);
}

/**
 * accept_one() - wait for the front-end to connect (QEMU's chardev
 * socket is the client), or for a stop signal.
 * @param lfd the listening socket.
 * @return the connection, or -1.
 */
static int accept_one(int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	while (!stop_asked) {
		if (poll(&p, 1, 100) > 0)
			return accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	}
	return -1;
}

/**
 * serve_device() - the back-end's life: listen, serve one front-end,
 * say what it did.
 * @param o the options.
 * @param model the device type.
 * @param priv its state.
 * @param name its name.
 * @return the exit status.
 */
static int serve_device(const struct options *o,
			const struct vlab_device_model *model, void *priv,
			const char *name)
{
	struct vlab_ring_cfg ring = { .indirect = !o->no_indirect,
				      .event_idx = !o->no_event_idx };
	static struct vlab_vhost_user vu;
	struct serve_sink sk = { .o = o, .vu = &vu };
	struct sigaction sa = { .sa_handler = on_signal };
	int lfd, fd, err, status = 0;
	unsigned int q;

	err = vlab_vhost_user_init(&vu, model, priv, name,
				   vlab_ring_cfg_features(&ring));
	if (err) {
		fprintf(stderr, "vlab: cannot start the %s device: %s\n",
			model->name, strerror(-err));
		return 1;
	}
	lfd = vlab_vhost_user_listen(o->vhost_user);
	if (lfd < 0) {
		fprintf(stderr, "vlab: cannot listen on %s: %s\n",
			o->vhost_user, strerror(-lfd));
		vlab_vhost_user_fini(&vu);
		return 2;
	}
	if (o->trace) {
		vu.say = say;
		vu.say_arg = (void *)o;
		setvbuf(stdout, NULL, _IOLBF, 0);
		if (o->format == FORMAT_JSONL)
			printf("{\"kind\":\"schema\",\"schema\":\"%s\",\"version\":%d}\n",
			       VLAB_TRACE_SCHEMA, VLAB_TRACE_SCHEMA_VERSION);
		else
			vlab_trace_text_header(stdout);
		vlab_trace_set_sink(serve_sink, &sk);
	}
	serving = &vu;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "vlab serve: %s waits for a vhost-user front-end on %s\n",
		name, o->vhost_user);
	fd = accept_one(lfd);
	close(lfd);
	if (fd >= 0) {
		err = vlab_vhost_user_serve(&vu, fd);
		if (err) {
			fprintf(stderr, "vlab serve: the connection ended: %s\n",
				strerror(-err));
			status = 1;
		}
	}
	serving = NULL;
	unlink(o->vhost_user);
	/* the IRQ and device threads count atomically; they are idle now */
	for (q = 0; q < vu.nvrings; q++)
		fprintf(stderr, "vlab serve: %s q%u: %lu kicks, %lu interrupts, %lu buffers\n",
			name, q, vu.vring[q].kicks,
			__atomic_load_n(&vu.vring[q].calls, __ATOMIC_RELAXED),
			__atomic_load_n(&vu.dev->vqs[q].stats.chains,
					__ATOMIC_RELAXED));
	fprintf(stderr, "vlab serve: %lu messages, %lu refused; %lu device errors%s%s\n",
		vu.messages, vu.refused, vu.dev->errors,
		vu.dev->errors ? ": " : "", vu.dev->errors ?
		vu.dev->last_error : "");
	if (vu.dev->errors)
		status = 1;
	vlab_trace_set_sink(NULL, NULL);
	vlab_vhost_user_fini(&vu);
	return status;
}

int vlab_serve(const struct options *o)
{
	struct vlab_blk_opts bo = {
		.path = o->disk, .ro = o->ro, .blk_size = o->blk_size,
		.seg_max = o->seg_max, .size_max = o->size_max,
		.flush = !o->no_flush, .serial = "vlab-blk0",
	};
	static struct vlab_rng_source src;
	static struct vlab_blk_dev b;
	char err_text[256];
	int status;

	if (!strcmp(o->device, "rng")) {
		vlab_rng_source_init(&src, o->seeded, o->seed);
		return serve_device(o, &vlab_rng_model, &src, "rng0");
	}
	if (vlab_blk_init(&b, &bo, err_text, sizeof(err_text))) {
		fprintf(stderr, "vlab: %s\n", err_text);
		return 2;
	}
	status = serve_device(o, &b.model, &b, "blk0");
	fprintf(stderr, "vlab serve: blk0: %lu reads, %lu writes, %lu flushes, %lu get-id, %lu IOERR, %lu UNSUPP; at most %lu data buffers in one request\n",
		b.stats.reads, b.stats.writes, b.stats.flushes,
		b.stats.get_ids, b.stats.ioerr, b.stats.unsupp,
		b.stats.max_data_segs);
	vlab_blk_fini(&b);
	return status;
}
