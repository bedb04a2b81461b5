#!/usr/bin/env bash
# Every negative test must be able to fail. For each check below, this
# script removes that one check (a literal text edit) from a copy of the
# tree, rebuilds, and runs the suite that guards it: the suite must now
# fail. A mutant that survives is a check no test would miss.
# Usage: tests/mutants.sh        (from the top of the tree)
set -u
top=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
killed=0
survived=0
jobs=$(nproc)

# One copy of the tree, built once. Each mutant edits one file of it,
# rebuilds what depends on that file, and then puts the file back with a
# fresh time stamp, so the next build undoes the mutant. Warnings are not
# errors here: removing a check often leaves a variable unused.
mkdir -p "$work/tree"
(cd "$top" && tar cf - --exclude=./build --exclude=./.git .) |
	(cd "$work/tree" && tar xf -)
if ! make -s -C "$work/tree" -j"$jobs" V=release WERROR= \
	build/release/tests/test_lifecycle build/release/tests/test_ring \
	build/release/tests/test_device_errors >"$work/build.log" 2>&1; then
	echo "mutants: the unmodified tree does not build"
	cat "$work/build.log"
	exit 1
fi

# mutant NAME FILE SUITE OLD NEW: replace OLD by NEW in FILE, expect SUITE
# to fail
mutant() {
	name=$1 file=$2 suite=$3 old=$4 new=$5
	if ! grep -qF -- "$old" "$top/$file"; then
		echo "  BROKEN: $name: text not found in $file"
		survived=$((survived + 1))
		return
	fi
	OLD=$old NEW=$new python3 -c '
import os, sys
s = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(s.replace(os.environ["OLD"], os.environ["NEW"], 1))
' "$top/$file" "$work/tree/$file"
	if ! make -s -C "$work/tree" -j"$jobs" V=release WERROR= \
		"build/release/tests/$suite" >"$work/build.log" 2>&1; then
		echo "  BROKEN: $name: the mutant does not build"
		cat "$work/build.log"
		survived=$((survived + 1))
	# the braces swallow bash's own "Segmentation fault" report: a
	# mutant that crashes its suite is caught as surely as one that
	# fails an assertion
	elif { (cd "$work/tree" && timeout 60 "build/release/tests/$suite") \
		>"$work/run.log" 2>&1; } 2>/dev/null; then
		echo "  SURVIVED: $name ($suite still passes without the check)"
		survived=$((survived + 1))
	else
		echo "  killed: $name ($suite fails without the check)"
		killed=$((killed + 1))
	fi
	cp "$top/$file" "$work/tree/$file"
}

echo "=== mutants: remove one check, expect its test to fail"
mutant "FEATURES_OK must stick (R5)" virtio/virtio.c test_lifecycle \
	"if (!(status & VIRTIO_CONFIG_S_FEATURES_OK)) {" "if (0) {"
mutant "remove() must reset the device" driver/vlab_rng.c test_lifecycle \
	"	virtio_reset_device(vdev);
	while" "	while"
mutant "stack buffer is not DMA-able" virtio/virtio_ring.c test_ring \
	"if (!map_ok(vq, sg))" "if (!map_ok(vq, sg) && 0)"
mutant "D9 buffer outside RAM" sim/vq_chain.c test_device_errors \
	"if (!vlab_ram_ptr(dev->ram, addr, len)) {" "if (0) {"
mutant "D9 range check wraps" sim/ram.c test_device_errors \
	"if (off > ram->size || len > ram->size - off)" \
	"if (off + len > ram->size)"
mutant "D2 head >= queue size" sim/vq_split.c test_device_errors \
	"if (head >= num) {" "if (0) {"
mutant "D1 avail idx jump" sim/vq_split.c test_device_errors \
	"if (pending > num) {" "if (0) {"
mutant "D3 next >= queue size" sim/vq_split.c test_device_errors \
	"if (i >= limit) {" "if (0) {"
mutant "D4 chain loop" sim/vq_split.c test_device_errors \
	"if (count++ == limit) {" "if (count++ == limit + 100000) {"
mutant "D8 readable after writable" sim/vq_chain.c test_device_errors \
	"if (!write && chain->in_bytes) {" "if (0) {"
mutant "D10 zero length" sim/vq_chain.c test_device_errors \
	"if (len == 0) {" "if (0) {"
mutant "INDIRECT not negotiated" sim/vq_split.c test_device_errors \
	"if (flags & VRING_DESC_F_INDIRECT) {" "if (0) {"
mutant "D14 notify for a missing queue" sim/device.c test_device_errors \
	"if (index >= dev->model->num_queues)" "if (0)"
mutant "queue ignored after an error" sim/device.c test_device_errors \
	"else if (dev->status & VIRTIO_CONFIG_S_NEEDS_RESET)" "else if (0)"
mutant "ENOSPC on a full ring (split and packed)" virtio/virtio_ring.c test_ring \
	"if (vq->vq.num_free < req.descs_used) {
		kfree(req.table);
		return -ENOSPC;" "if (0) {
		kfree(req.table);
		return -ENOSPC;"
mutant "D16 no double fetch" sim/vq_split.c test_ring \
	"		addr = le64toh(d.addr);
		len = le32toh(d.len);" "		addr = le64toh(table[i].addr);
		len = le32toh(d.len);"
# R1, R2 and R4 are checked once, in vring_check_used(), for both layouts
mutant "R1 used id out of range (split and packed)" virtio/virtio_ring.c \
	test_ring \
	"if (unlikely(id >= virtqueue_get_vring_size(&vq->vq))) {" "if (0) {"
mutant "R2 used id not outstanding (split and packed)" virtio/virtio_ring.c \
	test_ring "if (unlikely(!st->data)) {" "if (0) {"
mutant "split get_buf checks what the device returned (R1, R2, R4)" \
	virtio/virtio_ring_split.c test_ring \
	"if (!vring_check_used(vq, i, &used_len))" "if (0)"
mutant "packed get_buf checks what the device returned (R1, R2, R4)" \
	virtio/virtio_ring_packed.c test_ring \
	"st = vring_check_used(vq, id, &used_len);" "st = &vq->desc_state[id];"
mutant "R3 used idx jump" virtio/virtio_ring_split.c test_ring \
	"if (unlikely(pending > vq->split.vring.num)) {" "if (0) {"
mutant "R4 used len clamped (split and packed)" virtio/virtio_ring.c test_ring \
	"if (unlikely(*len > st->in_len)) {" "if (0) {"
mutant "R6 bounded reset wait" virtio/virtio_mmio.c test_lifecycle \
	"if (waited++ == VIRTIO_MMIO_RESET_TIMEOUT_MS) {" "if (0) {"
mutant "R7 no callback before DRIVER_OK" virtio/virtio_mmio.c test_ring \
	"if (unlikely((status & VIRTIO_MMIO_INT_VRING) &&" \
	"if (0 && unlikely((status & VIRTIO_MMIO_INT_VRING) &&"
mutant "R8 generation retry" virtio/include/linux/virtio_config.h test_ring \
	"} while (gen != old);" "} while (0);"
mutant "D5 indirect table length" sim/vq_chain.c test_device_errors \
	"if (len == 0 || len % VQ_DESC_BYTES) {" "if (0) {"
mutant "D6 nested indirect table" sim/vq_split.c test_device_errors \
	"	if (in_table) {" "	if (0) {"
mutant "D7 INDIRECT with NEXT (split)" sim/vq_split.c test_device_errors \
	"	if (flags & VRING_DESC_F_NEXT) {
		/* RELIABILITY D7" "	if (0) {
		/* RELIABILITY D7"
mutant "D7 INDIRECT inside a NEXT list (packed)" sim/vq_packed.c \
	test_device_errors "if ((flags & VRING_DESC_F_NEXT) || count > 1) {" "if (0) {"
mutant "D11 too many buffers" sim/vq_chain.c test_device_errors \
	"if (chain->nseg == max_segs) {" "if (0) {"
mutant "D12 more than 2^32 bytes" sim/vq_chain.c test_device_errors \
	"if (chain->out_bytes + chain->in_bytes + len > UINT32_MAX) {" \
	"if (0) {"
mutant "D13 more in flight than the queue size" sim/vq_chain.c \
	test_device_errors "if (vq->inflight >= vq->num) {" "if (0) {"
mutant "D15 queue size above QueueNumMax" sim/vq.c test_device_errors \
	"	else if (vq->num > vq->num_max)
		why = \"queue size is larger than QueueNumMax\";" \
	"	else if (0)
		why = \"queue size is larger than QueueNumMax\";"
mutant "D17 notify before DRIVER_OK ignored" sim/device.c test_device_errors \
	"		why = \"before DRIVER_OK\";" "		why = NULL;"

mutant "golden: a trace point dropped (publish-used)" sim/vq_split.c \
	test_golden "	VLAB_TRACE(.kind = VLAB_EV_USED_PUBLISH, .dev = dev->name,
		   .queue = (int)vq->index, .before = old,
		   .after = s->used_idx);" "	(void)old;"
mutant "golden: two events swapped (kick traced before the write)" \
	virtio/virtio_ring.c test_golden "	/* §2.7.13.4: the transport writes the queue index to the device */
	if (!vq->notify(_vq)) {" "	VLAB_TRACE(.kind = VLAB_EV_KICK, .queue = (int)_vq->index);
	if (!vq->notify(_vq)) {"
mutant "golden: lockstep ignores the seed" sim/sched.c test_golden \
	"return (int)pick[n == 1 ? 0 : next_random() % n];" "return (int)pick[0];"

echo "$killed passed, $survived failed"
[ "$survived" -eq 0 ]
