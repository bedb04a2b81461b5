// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The event-kind table: for every kind its name, side, spec
 * section, what it means, its named values and the sentence that reports
 * it; and the names of the shared-memory fields events list.
 *
 * Everything that shows an event reads this one table: the text and JSON
 * sinks, the canonical form, the stepper's `b` command and the reference
 * page `vlab events` prints (the book's page of events). A kind added
 * here is documented, printed and serialised in one place.
 */
#include "sim/trace.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

/** A kind's value, by its place in struct vlab_event. */
#define ARG(n, t, m, d) { n, VLAB_ARG_##t, offsetof(struct vlab_event, m), d }

/* ------------------------------------------------------------------ */
/* Words for flags and states                                          */

/**
 * status_names() - names of the status bits set in @p bits.
 * @param bits status bits.
 * @param buf receives e.g. "ACKNOWLEDGE|DRIVER".
 * @param size size of @p buf.
 */
static void status_names(uint32_t bits, char *buf, size_t size)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ VIRTIO_CONFIG_S_ACKNOWLEDGE, "ACKNOWLEDGE" },
		{ VIRTIO_CONFIG_S_DRIVER, "DRIVER" },
		{ VIRTIO_CONFIG_S_FEATURES_OK, "FEATURES_OK" },
		{ VIRTIO_CONFIG_S_DRIVER_OK, "DRIVER_OK" },
		{ VIRTIO_CONFIG_S_NEEDS_RESET, "NEEDS_RESET" },
		{ VIRTIO_CONFIG_S_FAILED, "FAILED" },
	};
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((bits & names[i].bit) && used < size)
			used += (size_t)snprintf(buf + used, size - used, "%s%s",
						 used ? "|" : "", names[i].name);
	if (!used)
		snprintf(buf, size, "none");
}

/**
 * desc_flag_names() - names of descriptor flags.
 * @param flags VRING_DESC_F_* bits.
 * @return a constant string such as "NEXT|WRITE".
 */
static const char *desc_flag_names(unsigned int flags)
{
	static const char *const names[] = {
		"-", "NEXT", "WRITE", "NEXT|WRITE", "INDIRECT",
		"NEXT|INDIRECT", "WRITE|INDIRECT", "NEXT|WRITE|INDIRECT",
	};

	return names[flags & 7];
}

/**
 * packed_flag_names() - names of a packed descriptor's flags.
 * @param flags the flags, AVAIL and USED included.
 * @param buf receives e.g. "NEXT|WRITE|AVAIL".
 * @param size size of @p buf.
 */
static void packed_flag_names(unsigned int flags, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", desc_flag_names(flags & 7),
		 flags & (1u << VRING_PACKED_DESC_F_AVAIL) ? "|AVAIL" : "",
		 flags & (1u << VRING_PACKED_DESC_F_USED) ? "|USED" : "");
}

/** Is @p ev about a packed ring? */
#define PACKED(ev) ((ev)->layout == VLAB_RING_PACKED)

/* ------------------------------------------------------------------ */
/* One sentence per kind                                               */

/**
 * fmt_reset() - reset: the status the device had.
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_reset(const struct vlab_event *ev, char *buf, size_t size)
{
	snprintf(buf, size, "status 0x%02x -> 0x00: device reset", ev->before);
}

/**
 * fmt_status() - status: the bits the driver added, and the whole register.
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_status(const struct vlab_event *ev, char *buf, size_t size)
{
	char a[96], b[96];

	status_names(ev->after & ~ev->before, a, sizeof(a));
	status_names(ev->after, b, sizeof(b));
	snprintf(buf, size, "status 0x%02x -> 0x%02x: +%s (now %s)",
		 ev->before, ev->after, a, b);
}

/**
 * fmt_features() - features-read, features-write: one 32-bit word.
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_features(const struct vlab_event *ev, char *buf, size_t size)
{
	snprintf(buf, size, "%s features[%u] = 0x%08x",
		 ev->kind == VLAB_EV_FEATURES_READ ? "device" : "driver",
		 ev->features.word, ev->features.bits);
}

/**
 * fmt_queue() - queue-setup, queue-refused: the size and the three areas.
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_queue(const struct vlab_event *ev, char *buf, size_t size)
{
	snprintf(buf, size, "size %u, desc 0x%" PRIx64 ", driver 0x%" PRIx64
		 ", device 0x%" PRIx64 ": %s", ev->queue_area.size,
		 ev->queue_area.desc, ev->queue_area.driver,
		 ev->queue_area.device,
		 ev->kind == VLAB_EV_QUEUE_SETUP ? "ready" : "refused");
}

/**
 * fmt_config() - config-read: where, how much, what, under which generation.
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_config(const struct vlab_event *ev, char *buf, size_t size)
{
	snprintf(buf, size, "config[0x%x], %u bytes = 0x%" PRIx64
		 " (generation %u)", ev->config.offset, ev->config.len,
		 ev->config.value, ev->config.generation);
}

/**
 * fmt_add() - add: the descriptor as written (packed: with its flags to come).
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_add(const struct vlab_event *ev, char *buf, size_t size)
{
	char f[64];

	if (PACKED(ev) && !ev->desc.table) {
		packed_flag_names(ev->desc.flags, f, sizeof(f));
		snprintf(buf, size, "desc[%u] = {addr 0x%" PRIx64
			 ", len %u, id %u, %s}; free %u -> %u", ev->desc.index,
			 ev->desc.addr, ev->desc.len, ev->desc.next, f,
			 ev->before, ev->after);
		return;
	}
	if (ev->desc.flags & VRING_DESC_F_NEXT)
		snprintf(f, sizeof(f), ", next %u", ev->desc.next);
	else
		f[0] = '\0';
	snprintf(buf, size, "%s[%u] = {addr 0x%" PRIx64 ", len %u, %s%s}; "
		 "free %u -> %u", ev->desc.table ? "indirect" : "desc",
		 ev->desc.index, ev->desc.addr, ev->desc.len,
		 desc_flag_names(ev->desc.flags), f, ev->before, ev->after);
}

/**
 * fmt_publish() - publish: split avail ring and idx, or the packed head's flags.
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_publish(const struct vlab_event *ev, char *buf, size_t size)
{
	if (PACKED(ev))
		snprintf(buf, size, "desc[%u].flags written last: buffer %u "
			 "available; next_avail %u -> %u, wrap %u",
			 ev->publish.slot, ev->publish.head, ev->before,
			 ev->after, ev->publish.wrap);
	else
		snprintf(buf, size, "avail.ring[%u] = %u; avail.idx %u -> %u",
			 ev->publish.slot, ev->publish.head, ev->before,
			 ev->after);
}

/**
 * fmt_kick() - kick: the queue notified and how far the driver had published.
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_kick(const struct vlab_event *ev, char *buf, size_t size)
{
	snprintf(buf, size, "QueueNotify <- %d (%s %u)", ev->queue,
		 PACKED(ev) ? "next_avail" : "avail.idx", ev->after);
}

/**
 * fmt_kick_suppressed() - kick-suppressed: the window not signalled.
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_kick_suppressed(const struct vlab_event *ev, char *buf,
				size_t size)
{
	snprintf(buf, size, "device asked for no notification; avail.idx %u "
		 "-> %u not signalled", ev->before, ev->after);
}

/**
 * fmt_notify() - notify: the device thread woke for a queue.
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_notify(const struct vlab_event *ev, char *buf, size_t size)
{
	snprintf(buf, size, "woken by QueueNotify = %d: look at the ring",
		 ev->queue);
}

/**
 * fmt_notify_ignored() - notify-ignored: why.
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_notify_ignored(const struct vlab_event *ev, char *buf,
			       size_t size)
{
	snprintf(buf, size, "QueueNotify = %d ignored: %s", ev->queue,
		 ev->reason.why ? ev->reason.why : "");
}

/**
 * fmt_pop() - pop: the chain the device took.
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_pop(const struct vlab_event *ev, char *buf, size_t size)
{
	snprintf(buf, size, "%s %u: %u %s, %u readable + %u writable bytes; "
		 "%s %u -> %u", PACKED(ev) ? "buffer" : "head", ev->pop.head,
		 ev->pop.nseg, PACKED(ev) ? "element(s)" : "buffer(s)",
		 ev->pop.out_bytes, ev->pop.in_bytes,
		 PACKED(ev) ? "next_avail" : "last_avail", ev->before,
		 ev->after);
}

/**
 * fmt_used() - used: the used element (split) or descriptor (packed).
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_used(const struct vlab_event *ev, char *buf, size_t size)
{
	snprintf(buf, size, "%s[%u] = {id %u, len %u}",
		 PACKED(ev) ? "desc" : "used.ring", ev->used.slot, ev->used.id,
		 ev->used.len);
}

/**
 * fmt_publish_used() - publish-used: used idx, or the packed descriptor's flags.
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_publish_used(const struct vlab_event *ev, char *buf,
			     size_t size)
{
	if (PACKED(ev))
		snprintf(buf, size, "flags AVAIL=USED written last: used; "
			 "next_used %u -> %u, wrap %u", ev->before, ev->after,
			 ev->used_publish.wrap);
	else
		snprintf(buf, size, "used.idx %u -> %u", ev->before, ev->after);
}

/**
 * fmt_irq() - interrupt, config-irq: the line raised.
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_irq(const struct vlab_event *ev, char *buf, size_t size)
{
	snprintf(buf, size, "InterruptStatus |= %s; raise irq %u",
		 ev->kind == VLAB_EV_IRQ ? "VRING" : "CONFIG", ev->irq.irq);
}

/**
 * fmt_irq_suppressed() - irq-suppressed: where used idx stood.
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_irq_suppressed(const struct vlab_event *ev, char *buf,
			       size_t size)
{
	snprintf(buf, size, "driver asked for no interrupt (used.idx %u)",
		 ev->after);
}

/**
 * fmt_reason() - device-error, queue-broken: the rule broken.
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_reason(const struct vlab_event *ev, char *buf, size_t size)
{
	snprintf(buf, size, "%s; %s", ev->reason.why ? ev->reason.why : "",
		 ev->kind == VLAB_EV_DEVICE_ERROR ?
		 "status |= DEVICE_NEEDS_RESET" : "queue broken");
}

/**
 * fmt_callback() - callback: whose.
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_callback(const struct vlab_event *ev, char *buf, size_t size)
{
	snprintf(buf, size, "vring_interrupt -> callback of \"%s\"",
		 ev->callback.name ? ev->callback.name : "");
}

/**
 * fmt_get_buf() - get_buf: the used entry taken back.
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_get_buf(const struct vlab_event *ev, char *buf, size_t size)
{
	if (PACKED(ev))
		snprintf(buf, size, "desc[%u] used: id %u, len %u; last_used "
			 "%u -> %u, wrap %u", ev->get_buf.slot, ev->get_buf.id,
			 ev->get_buf.len, ev->before, ev->after,
			 ev->get_buf.wrap);
	else
		snprintf(buf, size, "used.ring[%u] = {id %u, len %u}; "
			 "last_used %u -> %u", ev->get_buf.slot,
			 ev->get_buf.id, ev->get_buf.len, ev->before,
			 ev->after);
}

/**
 * fmt_detach() - detach: the buffer taken back unused.
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_detach(const struct vlab_event *ev, char *buf, size_t size)
{
	snprintf(buf, size, "head %u taken back unused", ev->detach.id);
}

/**
 * fmt_sleep() - sleep: which wait, who.
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_sleep(const struct vlab_event *ev, char *buf, size_t size)
{
	snprintf(buf, size, "%s, %s sleeps", ev->wait.wait_queue ?
		 "wait_event: condition false" :
		 "wait_for_completion: not done yet",
		 ev->wait.who ? ev->wait.who : "the thread");
}

/**
 * fmt_wake() - wake: complete() or wake_up().
 * @param ev the event.
 * @param buf receives the sentence.
 * @param size room in @p buf.
 */
static void fmt_wake(const struct vlab_event *ev, char *buf, size_t size)
{
	snprintf(buf, size, "%s", ev->wait.wait_queue ?
		 "wake_up(): sleepers test their condition again" :
		 "complete(): the sleeping thread may run again");
}

/**
 * fmt_supp() - driver-event, device-event: a notification-suppression
 * field (§2.7.10, §2.8.10), its value before and after, and what the
 * other side now reads in it.
 * @param ev the event.
 * @param buf receives the line.
 * @param size its room.
 */
static void fmt_supp(const struct vlab_event *ev, char *buf, size_t size)
{
	bool drv = ev->kind == VLAB_EV_DRIVER_EVENT;
	const char *who = drv ? "interrupts" : "kicks";

	switch (ev->supp.field) {
	case VLAB_SUPP_FLAGS:
		snprintf(buf, size, "%s %u -> %u: %s %s",
			 drv ? "avail.flags" : "used.flags", ev->before,
			 ev->after, ev->after ? "no" : "all", who);
		break;
	case VLAB_SUPP_EVENT_IDX:
		snprintf(buf, size,
			 "%s %u -> %u: %s once the %s index passes %u",
			 drv ? "used_event" : "avail_event", ev->before,
			 ev->after, who, drv ? "used" : "avail", ev->after);
		break;
	default:
		snprintf(buf, size, "%s flags %s, off_wrap 0x%04x -> 0x%04x",
			 drv ? "driver event" : "device event",
			 ev->supp.flags == VRING_PACKED_EVENT_FLAG_ENABLE ?
			 "ENABLE" : ev->supp.flags ==
			 VRING_PACKED_EVENT_FLAG_DISABLE ? "DISABLE" : "DESC",
			 ev->before, ev->after);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* The named values of each kind                                       */

/** features-read, features-write */
static const struct vlab_event_arg args_features[] = {
	ARG("word", U32, features.word, "which 32 feature bits (FeaturesSel)"),
	ARG("bits", U32, features.bits, "their value"),
};

/** queue-setup, queue-refused */
static const struct vlab_event_arg args_queue[] = {
	ARG("size", U32, queue_area.size, "QueueNum: entries in the ring"),
	ARG("desc", ADDR, queue_area.desc, "descriptor area (guest-physical)"),
	ARG("driver", ADDR, queue_area.driver,
	    "driver area: avail ring (split), driver event (packed)"),
	ARG("device", ADDR, queue_area.device,
	    "device area: used ring (split), device event (packed)"),
};

/** config-read */
static const struct vlab_event_arg args_config[] = {
	ARG("offset", U32, config.offset, "byte offset in the device config"),
	ARG("len", U32, config.len, "bytes read"),
	ARG("value", U64, config.value, "what was read"),
	ARG("generation", U32, config.generation, "ConfigGeneration seen"),
};

/** add */
static const struct vlab_event_arg args_add[] = {
	ARG("index", U16, desc.index, "the descriptor, in the ring or table"),
	ARG("addr", ADDR, desc.addr, "the buffer (or table) it points at"),
	ARG("len", U32, desc.len, "its length"),
	ARG("flags", U16, desc.flags,
	    "flags (a packed first descriptor: as publish will write them)"),
	ARG("next", U16, desc.next, "split: next in chain; packed: buffer id"),
	ARG("table", ADDR, desc.table, "the indirect table, or 0"),
};

/** publish */
static const struct vlab_event_arg args_publish[] = {
	ARG("head", U16, publish.head, "chain head (split), buffer id (packed)"),
	ARG("slot", U16, publish.slot,
	    "avail.ring slot (split), first descriptor (packed)"),
	ARG("wrap", U8, publish.wrap, "packed: avail wrap counter after"),
};

/** pop */
static const struct vlab_event_arg args_pop[] = {
	ARG("head", U16, pop.head, "chain head (split), buffer id (packed)"),
	ARG("nseg", U16, pop.nseg, "buffers in the chain"),
	ARG("out_bytes", U32, pop.out_bytes, "device-readable bytes"),
	ARG("in_bytes", U32, pop.in_bytes, "device-writable bytes"),
};

/** used */
static const struct vlab_event_arg args_used[] = {
	ARG("slot", U16, used.slot, "used.ring slot (split), descriptor (packed)"),
	ARG("id", U16, used.id, "the chain's head or buffer id"),
	ARG("len", U32, used.len, "bytes the device wrote"),
};

/** publish-used */
static const struct vlab_event_arg args_publish_used[] = {
	ARG("slot", U16, used_publish.slot, "packed: the descriptor flagged"),
	ARG("wrap", U8, used_publish.wrap, "packed: used wrap counter after"),
};

/** interrupt, config-irq */
static const struct vlab_event_arg args_irq[] = {
	ARG("irq", U32, irq.irq, "the interrupt line"),
};

/** get_buf */
static const struct vlab_event_arg args_get_buf[] = {
	ARG("id", U16, get_buf.id, "the chain's head or buffer id"),
	ARG("len", U32, get_buf.len, "used length the device reported"),
	ARG("slot", U16, get_buf.slot,
	    "used.ring slot (split), descriptor (packed)"),
	ARG("wrap", U8, get_buf.wrap, "packed: used wrap counter read"),
};

/** detach */
static const struct vlab_event_arg args_detach[] = {
	ARG("id", U16, detach.id, "the buffer taken back"),
};

/** notify-ignored, device-error, queue-broken */
static const struct vlab_event_arg args_reason[] = {
	ARG("why", STR, reason.why, "the rule broken, or the reason"),
};

/** callback */
static const struct vlab_event_arg args_callback[] = {
	ARG("name", STR, callback.name, "the virtqueue's name"),
};

/** sleep, wake */
static const struct vlab_event_arg args_wait[] = {
	ARG("who", STR, wait.who, "sleep: the thread that sleeps"),
	ARG("wait_queue", U8, wait.wait_queue,
	    "1: a wait queue (wait_event), 0: a completion"),
};

/** driver-event, device-event */
static const struct vlab_event_arg args_supp[] = {
	ARG("field", SUPP, supp.field,
	    "flags, event_idx (split) or packed (the event structure)"),
	ARG("flags", U16, supp.flags, "packed: the structure's flags"),
};

/* ------------------------------------------------------------------ */
/* The table                                                           */

/** A kind's named values: the array and its length. */
#define ARGS(a) .args = (a), .nargs = sizeof(a) / sizeof((a)[0])

/** One entry per enum vlab_event_kind, in order. */
static const struct vlab_kind_info kinds[VLAB_EV_COUNT] = {
	[VLAB_EV_RESET] = { "reset", VLAB_SIDE_DRIVER, "§2.4",
		"the driver wrote 0 to Status: the device resets",
		"status before", NULL, fmt_reset },
	[VLAB_EV_STATUS] = { "status", VLAB_SIDE_DRIVER, "§3.1.1",
		"the driver set Status bits (ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK)",
		"status before", "status after", fmt_status },
	[VLAB_EV_FEATURES_READ] = { "features-read", VLAB_SIDE_DRIVER, "§2.2",
		"the driver read 32 of the device's feature bits",
		NULL, NULL, fmt_features, ARGS(args_features) },
	[VLAB_EV_FEATURES_WRITE] = { "features-write", VLAB_SIDE_DRIVER,
		"§2.2", "the driver wrote 32 of the feature bits it accepts",
		NULL, NULL, fmt_features, ARGS(args_features) },
	[VLAB_EV_QUEUE_SETUP] = { "queue-setup", VLAB_SIDE_DRIVER, "§4.2.3.2",
		"the driver set a queue up: size, the three areas, QueueReady",
		NULL, NULL, fmt_queue, ARGS(args_queue) },
	[VLAB_EV_QUEUE_REFUSED] = { "queue-refused", VLAB_SIDE_DEVICE,
		"§4.2.3.2",
		"the device refused a queue setup (size, alignment, areas)",
		NULL, NULL, fmt_queue, ARGS(args_queue) },
	[VLAB_EV_CONFIG_READ] = { "config-read", VLAB_SIDE_DRIVER, "§2.5",
		"the driver read device configuration, generation checked",
		NULL, NULL, fmt_config, ARGS(args_config) },
	[VLAB_EV_DESC_ADD] = { "add", VLAB_SIDE_DRIVER, "§2.7.13.1",
		"the driver wrote a descriptor (or an indirect table entry)",
		"free descriptors before the request",
		"free descriptors after it", fmt_add, ARGS(args_add) },
	[VLAB_EV_AVAIL_PUBLISH] = { "publish", VLAB_SIDE_DRIVER, "§2.7.13.3",
		"the driver published a chain: avail ring entry, then avail idx (split) or the head's flags (packed)",
		"avail.idx (split), first descriptor (packed) before",
		"avail.idx (split), next_avail (packed) after", fmt_publish,
		ARGS(args_publish) },
	[VLAB_EV_KICK] = { "kick", VLAB_SIDE_DRIVER, "§2.7.13.4",
		"the driver wrote QueueNotify: the device asked for this notification",
		NULL, "avail.idx (split), next_avail (packed)", fmt_kick },
	[VLAB_EV_KICK_SUPPRESSED] = { "kick-suppressed", VLAB_SIDE_DRIVER,
		"§2.7.10",
		"the driver skipped QueueNotify: the device said it need not be told",
		"avail index at the last kick", "avail index now",
		fmt_kick_suppressed },
	[VLAB_EV_NOTIFY] = { "notify", VLAB_SIDE_DEVICE, "§4.2.3.3",
		"the device thread woke to a QueueNotify and looks at the ring",
		NULL, NULL, fmt_notify },
	[VLAB_EV_NOTIFY_IGNORED] = { "notify-ignored", VLAB_SIDE_DEVICE,
		"§4.2.3.3",
		"the device ignored a notification (no such queue, not live)",
		NULL, NULL, fmt_notify_ignored, ARGS(args_reason) },
	[VLAB_EV_POP] = { "pop", VLAB_SIDE_DEVICE, "§2.7.6",
		"the device took a chain from the ring and checked every descriptor",
		"device's avail position before", "after", fmt_pop,
		ARGS(args_pop) },
	[VLAB_EV_USED] = { "used", VLAB_SIDE_DEVICE, "§2.7.8",
		"the device wrote a used element (split) or a used descriptor (packed)",
		NULL, NULL, fmt_used, ARGS(args_used) },
	[VLAB_EV_USED_PUBLISH] = { "publish-used", VLAB_SIDE_DEVICE, "§2.7.8",
		"the device published used idx (split) or the used descriptor's flags (packed)",
		"used.idx (split), next_used (packed) before", "after",
		fmt_publish_used, ARGS(args_publish_used) },
	[VLAB_EV_IRQ] = { "interrupt", VLAB_SIDE_DEVICE, "§4.2.3.4",
		"the device raised a used-buffer interrupt",
		NULL, "used index the interrupt covers", fmt_irq,
		ARGS(args_irq) },
	[VLAB_EV_IRQ_SUPPRESSED] = { "irq-suppressed", VLAB_SIDE_DEVICE,
		"§2.7.7",
		"the device skipped the interrupt: the driver said it need not be told",
		NULL, "used index not signalled", fmt_irq_suppressed },
	[VLAB_EV_CONFIG_IRQ] = { "config-irq", VLAB_SIDE_DEVICE, "§2.1.2",
		"the device raised a configuration-change interrupt",
		NULL, NULL, fmt_irq, ARGS(args_irq) },
	[VLAB_EV_DEVICE_ERROR] = { "device-error", VLAB_SIDE_DEVICE, "§2.1.2",
		"the device found a broken rule: DEVICE_NEEDS_RESET, the queue stops",
		NULL, NULL, fmt_reason, ARGS(args_reason) },
	[VLAB_EV_CALLBACK] = { "callback", VLAB_SIDE_DRIVER, "§2.7.14",
		"the driver's callback runs in interrupt context (vring_interrupt)",
		NULL, NULL, fmt_callback, ARGS(args_callback) },
	[VLAB_EV_GET_BUF] = { "get_buf", VLAB_SIDE_DRIVER, "§2.7.14",
		"the driver took a used buffer back and checked it",
		"last_used before", "last_used after", fmt_get_buf,
		ARGS(args_get_buf) },
	[VLAB_EV_DETACH] = { "detach", VLAB_SIDE_DRIVER, "§3.3.1",
		"the driver took back a buffer the device never used (after reset)",
		"avail.idx before (split)", "avail.idx after (split)",
		fmt_detach, ARGS(args_detach) },
	[VLAB_EV_QUEUE_BROKEN] = { "queue-broken", VLAB_SIDE_DRIVER, "§2.7.8",
		"the driver found the device misbehaving: the queue is broken",
		NULL, NULL, fmt_reason, ARGS(args_reason) },
	[VLAB_EV_SLEEP] = { "sleep", VLAB_SIDE_DRIVER, "§2.7.14",
		"a guest thread sleeps (wait_for_completion, wait_event)",
		NULL, NULL, fmt_sleep, ARGS(args_wait) },
	[VLAB_EV_WAKE] = { "wake", VLAB_SIDE_DRIVER, "§2.7.14",
		"complete() or wake_up() lets a sleeping thread run again",
		NULL, NULL, fmt_wake, ARGS(args_wait) },
	[VLAB_EV_DRIVER_EVENT] = { "driver-event", VLAB_SIDE_DRIVER, "§2.7.10",
		"the driver wrote a notification-suppression field: avail.flags, used_event, the packed driver event structure",
		"the field before (packed: off_wrap)", "after", fmt_supp,
		ARGS(args_supp) },
	[VLAB_EV_DEVICE_EVENT] = { "device-event", VLAB_SIDE_DEVICE, "§2.7.10",
		"the device wrote a notification-suppression field: used.flags, avail_event, the packed device event structure",
		"the field before (packed: off_wrap)", "after", fmt_supp,
		ARGS(args_supp) },
};

const struct vlab_kind_info *vlab_event_kind_info(enum vlab_event_kind kind)
{
	return kind < VLAB_EV_COUNT ? &kinds[kind] : NULL;
}

const char *vlab_event_kind_what(enum vlab_event_kind kind)
{
	return kind < VLAB_EV_COUNT ? kinds[kind].what : "";
}

const char *vlab_event_kind_spec(enum vlab_event_kind kind)
{
	return kind < VLAB_EV_COUNT ? kinds[kind].spec : "";
}

const char *vlab_event_kind_name(enum vlab_event_kind kind)
{
	return kind < VLAB_EV_COUNT ? kinds[kind].name : "?";
}

enum vlab_side vlab_event_side(enum vlab_event_kind kind)
{
	return kind < VLAB_EV_COUNT ? kinds[kind].side : VLAB_SIDE_DRIVER;
}

const char *vlab_event_spec(const struct vlab_event *ev)
{
	if (ev->spec)
		return ev->spec;
	return ev->kind < VLAB_EV_COUNT ? kinds[ev->kind].spec : "";
}

void vlab_event_format(const struct vlab_event *ev, char *buf, size_t size)
{
	if (ev->kind < VLAB_EV_COUNT)
		kinds[ev->kind].format(ev, buf, size);
	else
		snprintf(buf, size, "?");
}

uint64_t vlab_event_arg_value(const struct vlab_event *ev,
			      const struct vlab_event_arg *arg)
{
	const char *p = (const char *)ev + arg->offset;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	switch (arg->type) {
	case VLAB_ARG_U8:
		memcpy(&u8, p, sizeof(u8));
		return u8;
	case VLAB_ARG_U16:
		memcpy(&u16, p, sizeof(u16));
		return u16;
	case VLAB_ARG_U32:
	case VLAB_ARG_SUPP:
		memcpy(&u32, p, sizeof(u32));
		return u32;
	case VLAB_ARG_U64:
	case VLAB_ARG_ADDR:
		memcpy(&u64, p, sizeof(u64));
		return u64;
	default:
		return 0;
	}
}

const char *vlab_event_arg_string(const struct vlab_event *ev,
				  const struct vlab_event_arg *arg)
{
	static const char *const supp[] = { "flags", "event_idx", "packed" };
	const char *s;

	if (arg->type == VLAB_ARG_SUPP)
		return supp[vlab_event_arg_value(ev, arg) % 3];
	if (arg->type != VLAB_ARG_STR)
		return NULL;
	memcpy(&s, (const char *)ev + arg->offset, sizeof(s));
	return s;
}

/* ------------------------------------------------------------------ */
/* Field names                                                         */

void vlab_field_name(const struct vlab_event *ev, const struct vlab_field *f,
		     char *buf, size_t size)
{
	bool packed = PACKED(ev);

	switch (f->area) {
	case VLAB_FIELD_DESC:
		snprintf(buf, size, "desc[%u]", f->index);
		break;
	case VLAB_FIELD_DESC_ADDR:
		snprintf(buf, size, "desc[%u].addr", f->index);
		break;
	case VLAB_FIELD_DESC_LEN:
		snprintf(buf, size, "desc[%u].len", f->index);
		break;
	case VLAB_FIELD_DESC_ID:
		snprintf(buf, size, "desc[%u].%s", f->index,
			 packed ? "id" : "next");
		break;
	case VLAB_FIELD_DESC_FLAGS:
		snprintf(buf, size, "desc[%u].flags", f->index);
		break;
	case VLAB_FIELD_INDIRECT:
		snprintf(buf, size, "indirect[%u]", f->index);
		break;
	case VLAB_FIELD_AVAIL_RING:
		snprintf(buf, size, "avail.ring[%u]", f->index);
		break;
	case VLAB_FIELD_USED_RING:
		snprintf(buf, size, "used.ring[%u]", f->index);
		break;
	default:
		snprintf(buf, size, "%s", (const char *const[]){
			[VLAB_FIELD_AVAIL_FLAGS] = "avail.flags",
			[VLAB_FIELD_AVAIL_IDX] = "avail.idx",
			[VLAB_FIELD_USED_EVENT] = "used_event",
			[VLAB_FIELD_USED_FLAGS] = "used.flags",
			[VLAB_FIELD_USED_IDX] = "used.idx",
			[VLAB_FIELD_AVAIL_EVENT] = "avail_event",
			[VLAB_FIELD_DRIVER_OFF_WRAP] = "driver_event.off_wrap",
			[VLAB_FIELD_DRIVER_FLAGS] = "driver_event.flags",
			[VLAB_FIELD_DEVICE_OFF_WRAP] = "device_event.off_wrap",
			[VLAB_FIELD_DEVICE_FLAGS] = "device_event.flags",
		}[f->area]);
		break;
	}
}
