#!/bin/sh
# Every negative test must be able to fail. For each check below, this
# script copies the tree, removes that one check (a literal text edit),
# rebuilds, and runs the suite that guards it: the suite must now fail.
# A mutant that survives is a check no test would miss.
# Usage: tests/mutants.sh        (from the top of the tree)
set -u
top=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
killed=0
survived=0

# mutant NAME FILE SUITE OLD NEW: replace OLD by NEW in FILE, expect SUITE to fail
mutant() {
	name=$1 file=$2 suite=$3 old=$4 new=$5
	rm -rf "$work/tree"
	mkdir -p "$work/tree"
	(cd "$top" && tar cf - --exclude=./build --exclude=./.git .) |
		(cd "$work/tree" && tar xf -)
	if ! grep -qF -- "$old" "$work/tree/$file"; then
		echo "  BROKEN: $name: text not found in $file"
		survived=$((survived + 1))
		return
	fi
	OLD=$old NEW=$new python3 - "$work/tree/$file" <<'PY'
import os, sys
p = sys.argv[1]
s = open(p).read()
open(p, "w").write(s.replace(os.environ["OLD"], os.environ["NEW"], 1))
PY
	if ! make -s -C "$work/tree" V=release "build/release/tests/$suite" \
		>"$work/build.log" 2>&1; then
		echo "  BROKEN: $name: the mutant does not build"
		cat "$work/build.log"
		survived=$((survived + 1))
		return
	fi
	if (cd "$work/tree" && timeout 60 "build/release/tests/$suite") \
		>"$work/run.log" 2>&1; then
		echo "  SURVIVED: $name ($suite still passes without the check)"
		survived=$((survived + 1))
	else
		echo "  killed: $name ($suite fails without the check)"
		killed=$((killed + 1))
	fi
}

echo "=== mutants: remove one check, expect its test to fail"
mutant "FEATURES_OK must stick (R5)" virtio/virtio.c test_lifecycle \
	"if (!(status & VIRTIO_CONFIG_S_FEATURES_OK)) {" "if (0) {"
mutant "remove() must reset the device" driver/vlab_rng.c test_lifecycle \
	"	virtio_reset_device(vdev);
	while" "	while"
mutant "stack buffer is not DMA-able" virtio/virtio_ring.c test_ring \
	"if (!map_ok(vq, sg))" "if (!map_ok(vq, sg) && 0)"
mutant "D9 buffer outside RAM" sim/vq.c test_device_errors \
	"if (!vlab_ram_ptr(dev->ram, addr, len)) {" "if (0) {"
mutant "D9 range check wraps" sim/ram.c test_device_errors \
	"if (off > ram->size || len > ram->size - off)" \
	"if (off + len > ram->size)"
mutant "D2 head >= queue size" sim/vq.c test_device_errors \
	"if (head >= num) {" "if (0) {"
mutant "D1 avail idx jump" sim/vq.c test_device_errors \
	"if (pending > num) {" "if (0) {"
mutant "D3 next >= queue size" sim/vq.c test_device_errors \
	"if (i >= num) {" "if (0) {"
mutant "D4 chain loop" sim/vq.c test_device_errors \
	"if (count++ == num) {" "if (count++ == num + 100000) {"
mutant "D8 readable after writable" sim/vq.c test_device_errors \
	"} else if (seen_write) {" "} else if (seen_write && 0) {"
mutant "D10 zero length" sim/vq.c test_device_errors \
	"if (len == 0) {" "if (0) {"
mutant "INDIRECT not negotiated" sim/vq.c test_device_errors \
	"if (flags & VRING_DESC_F_INDIRECT) {" "if (0) {"
mutant "D14 notify for a missing queue" sim/device.c test_device_errors \
	"if (index >= dev->model->num_queues)" "if (0)"
mutant "queue ignored after an error" sim/device.c test_device_errors \
	"else if (dev->status & VIRTIO_CONFIG_S_NEEDS_RESET)" "else if (0)"
mutant "ENOSPC on a full ring" virtio/virtio_ring.c test_ring \
	"if (vq->vq.num_free < total_sg)" "if (0)"

echo "$killed passed, $survived failed"
[ "$survived" -eq 0 ]
