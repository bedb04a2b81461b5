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
[ -n "${MUTANTS_DRY:-}" ] || {
mkdir -p "$work/tree"
(cd "$top" && tar cf - --exclude=./build --exclude=./.git .) |
	(cd "$work/tree" && tar xf -)
if ! make -s -C "$work/tree" -j"$jobs" V=release WERROR= \
	build/release/tests/test_lifecycle build/release/tests/test_ring \
	build/release/tests/test_device_errors build/release/tests/test_hostile \
	>"$work/build.log" 2>&1; then
	echo "mutants: the unmodified tree does not build"
	cat "$work/build.log"
	exit 1
fi
}

# mutant NAME FILE SUITE OLD NEW: replace OLD by NEW in FILE, expect SUITE
# to fail. SUITE may be "suite|only|cfg": run only its tests whose name
# contains "only" (VLAB_ONLY), in the configurations whose name starts
# with "cfg" (VLAB_CFG), so a check both layouts share is killed on each
# layout by that layout's own test (docs/reliability.md names them).
mutant() {
	name=$1 file=$2 old=$4 new=$5
	IFS='|' read -r suite only cfg <<<"$3"
	if ! OLD=$old python3 -c '
import os, sys
sys.exit(os.environ["OLD"] not in open(sys.argv[1]).read())' "$top/$file"; then
		echo "  BROKEN: $name: text not found in $file"
		survived=$((survived + 1))
		return
	fi
	# MUTANTS_ONLY=regex: run only the mutants whose name matches
	if [ -n "${MUTANTS_ONLY:-}" ] && ! [[ $name =~ $MUTANTS_ONLY ]]; then
		return
	fi
	# MUTANTS_DRY=1: only check that every mutant's text is there
	if [ -n "${MUTANTS_DRY:-}" ]; then
		killed=$((killed + 1))
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
	elif { (cd "$work/tree" && env ${only:+"VLAB_ONLY=$only"} \
		${cfg:+"VLAB_CFG=$cfg"} \
		timeout 60 "build/release/tests/$suite") \
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
mutant "D9 buffer outside RAM (split)" sim/vq_chain.c "test_device_errors|D9 buffer" \
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
mutant "D8 readable after writable (split)" sim/vq_chain.c "test_device_errors|D8" \
	"if (!write && chain->in_bytes) {" "if (0) {"
mutant "D10 zero length (split)" sim/vq_chain.c "test_device_errors|D10" \
	"if (len == 0) {" "if (0) {"
mutant "INDIRECT not negotiated (split)" sim/vq_split.c "test_device_errors|INDIRECT flag" \
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
mutant "R1 used id out of range (split)" virtio/virtio_ring.c \
	"test_ring|R1|split" \
	"if (unlikely(id >= virtqueue_get_vring_size(&vq->vq))) {" "if (0) {"
mutant "R2 used id not outstanding (split)" virtio/virtio_ring.c \
	"test_ring|R2|split" "if (unlikely(!st->data)) {" "if (0) {"
mutant "split get_buf checks what the device returned (R1, R2, R4)" \
	virtio/virtio_ring_split.c test_ring \
	"if (!vring_check_used(vq, i, &used_len))" "if (0)"
mutant "packed get_buf checks what the device returned (R1, R2, R4)" \
	virtio/virtio_ring_packed.c test_ring \
	"st = vring_check_used(vq, id, &used_len);" "st = &vq->desc_state[id];"
mutant "R3 used idx jump" virtio/virtio_ring_split.c test_ring \
	"if (unlikely(pending > vq->split.vring.num)) {" "if (0) {"
mutant "R4 used len clamped (split)" virtio/virtio_ring.c "test_ring|R4|split" \
	"if (unlikely(*len > st->in_len)) {" "if (0) {"
mutant "R6 bounded reset wait" virtio/virtio_mmio.c test_lifecycle \
	"if (waited++ == VIRTIO_MMIO_RESET_TIMEOUT_MS) {" "if (0) {"
mutant "R7 no callback before DRIVER_OK" virtio/virtio_mmio.c test_ring \
	"if (unlikely((status & VIRTIO_MMIO_INT_VRING) &&" \
	"if (0 && unlikely((status & VIRTIO_MMIO_INT_VRING) &&"
mutant "R8 generation retry" virtio/include/linux/virtio_config.h test_ring \
	"} while (gen != old);" "} while (0);"
mutant "D5 indirect table length (split)" sim/vq_chain.c "test_device_errors|D5" \
	"if (len == 0 || len % VQ_DESC_BYTES) {" "if (0) {"
mutant "D6 nested indirect table" sim/vq_split.c test_device_errors \
	"	if (in_table) {" "	if (0) {"
mutant "D7 INDIRECT with NEXT (split)" sim/vq_split.c test_device_errors \
	"	if (flags & VRING_DESC_F_NEXT) {
		/* RELIABILITY D7" "	if (0) {
		/* RELIABILITY D7"
mutant "D7 INDIRECT inside a NEXT list (packed)" sim/vq_packed.c \
	test_device_errors "if ((flags & VRING_DESC_F_NEXT) || count > 1) {" "if (0) {"
mutant "D11 too many buffers (split)" sim/vq_chain.c "test_device_errors|D11" \
	"if (chain->nseg == max_segs) {" "if (0) {"
mutant "D12 more than 2^32 bytes (split)" sim/vq_chain.c "test_device_errors|D12" \
	"if (chain->out_bytes + chain->in_bytes + len > UINT32_MAX) {" \
	"if (0) {"
mutant "D13 more in flight than the queue size (split)" sim/vq_chain.c \
	"test_device_errors|D13" "if (vq->inflight >= vq->num) {" "if (0) {"
mutant "D15 queue size above QueueNumMax" sim/vq.c test_device_errors \
	"	else if (vq->num > vq->num_max)
		why = \"queue size is larger than QueueNumMax\";" \
	"	else if (0)
		why = \"queue size is larger than QueueNumMax\";"
mutant "D17 notify before DRIVER_OK ignored" sim/device.c test_device_errors \
	"		why = \"before DRIVER_OK\";" "		why = NULL;"

echo "=== the same shared checks, each killed by the packed layout's own test"
mutant "D9 buffer outside RAM (packed)" sim/vq_chain.c \
	"test_device_errors|packed: D9" \
	"if (!vlab_ram_ptr(dev->ram, addr, len)) {" "if (0) {"
mutant "D8 readable after writable (packed)" sim/vq_chain.c \
	"test_device_errors|packed: D8" \
	"if (!write && chain->in_bytes) {" "if (0) {"
mutant "D10 zero length (packed)" sim/vq_chain.c \
	"test_device_errors|packed: D10" "if (len == 0) {" "if (0) {"
mutant "D5 indirect table length (packed)" sim/vq_chain.c \
	"test_device_errors|packed: D5" \
	"if (len == 0 || len % VQ_DESC_BYTES) {" "if (0) {"
mutant "D11 too many buffers (packed)" sim/vq_chain.c \
	"test_hostile|packed: D11" "if (chain->nseg == max_segs) {" "if (0) {"
mutant "D12 more than 2^32 bytes (packed)" sim/vq_chain.c \
	"test_hostile|packed: D12" \
	"if (chain->out_bytes + chain->in_bytes + len > UINT32_MAX) {" \
	"if (0) {"
mutant "D13 more in flight than the queue size (packed)" sim/vq_chain.c \
	"test_hostile|packed: D13" "if (vq->inflight >= vq->num) {" "if (0) {"
mutant "INDIRECT not negotiated (packed)" sim/vq_chain.c \
	"test_hostile|packed: INDIRECT" "	if (!vq->indirect) {" "	if (0) {"
mutant "D9 indirect table misaligned (split)" sim/vq_chain.c \
	"test_hostile|D9 indirect table misaligned" \
	"if (!table || addr % VQ_DESC_BYTES) {" "if (!table) {"
mutant "D9 indirect table misaligned (packed)" sim/vq_chain.c \
	"test_hostile|packed: D9 indirect table misaligned" \
	"if (!table || addr % VQ_DESC_BYTES) {" "if (!table) {"
mutant "D9 indirect table outside RAM (split)" sim/vq_chain.c \
	"test_device_errors|D9 indirect table outside" \
	"if (!table || addr % VQ_DESC_BYTES) {" "if (addr % VQ_DESC_BYTES) {"
mutant "D4 list longer than the ring (packed)" sim/vq_packed.c \
	"test_device_errors|packed: D4" \
	"if (count++ == vq->num) {" "if (count++ == vq->num + 100000) {"
mutant "D16 no double fetch (packed)" sim/vq_packed.c "test_ring|D16|packed" \
	"					    le64toh(d.addr), le32toh(d.len),
					    flags & VRING_DESC_F_WRITE," \
	"					    le64toh(ring[*pos].addr), le32toh(d.len),
					    flags & VRING_DESC_F_WRITE,"
mutant "R1 used id out of range (packed)" virtio/virtio_ring.c \
	"test_ring|R1|packed" \
	"if (unlikely(id >= virtqueue_get_vring_size(&vq->vq))) {" "if (0) {"
mutant "R2 used id not outstanding (packed)" virtio/virtio_ring.c \
	"test_ring|R2|packed" "if (unlikely(!st->data)) {" "if (0) {"
mutant "R4 used len clamped (packed)" virtio/virtio_ring.c \
	"test_ring|R4|packed" "if (unlikely(*len > st->in_len)) {" "if (0) {"

echo "=== queue setup (D15), each check of each layout"
mutant "D15 split size must be a power of two" sim/vq_split.c \
	"test_device_errors|D15" \
	"a->num_valid = vring_split_num_valid(num);" "a->num_valid = num;"
mutant "D15 split descriptor table 16-aligned" sim/vq_split.c \
	"test_device_errors|D15" "	a->desc_align = 16;" "	a->desc_align = 1;"
mutant "D15 split driver area 2-aligned" sim/vq_split.c \
	"test_device_errors|D15" "	a->driver_align = 2;" "	a->driver_align = 1;"
mutant "D15 split device area 4-aligned" sim/vq_split.c \
	"test_device_errors|D15" "	a->device_align = 4;" "	a->device_align = 2;"
mutant "D15 split device area in RAM" sim/vq_split.c \
	"test_device_errors|D15" \
	"a->device_bytes = vring_split_used_bytes(num);" "a->device_bytes = 1;"
mutant "D15 packed size from 1 to 32768" sim/vq_packed.c \
	"test_hostile|packed: D15" \
	"a->num_valid = vring_packed_num_valid(num);" "a->num_valid = true;"
mutant "D15 packed descriptor ring 16-aligned" sim/vq_packed.c \
	"test_hostile|packed: D15" "	a->desc_align = 16;" "	a->desc_align = 8;"
mutant "D15 packed driver event structure 4-aligned" sim/vq_packed.c \
	"test_hostile|packed: D15" "	a->driver_align = 4;" "	a->driver_align = 2;"
mutant "D15 packed device event structure 4-aligned" sim/vq_packed.c \
	"test_hostile|packed: D15" "	a->device_align = 4;" "	a->device_align = 2;"
mutant "D15 packed descriptor ring in RAM" sim/vq_packed.c \
	"test_hostile|packed: D15" \
	"a->desc_bytes = (size_t)num * sizeof(struct vring_packed_desc);" \
	"a->desc_bytes = 16;"
mutant "D15 packed size above QueueNumMax" sim/vq.c \
	"test_hostile|packed: D15" \
	"	else if (vq->num > vq->num_max)
		why = \"queue size is larger than QueueNumMax\";" \
	"	else if (0)
		why = \"queue size is larger than QueueNumMax\";"
mutant "D15 areas outside RAM (both layouts, packed test)" sim/vq.c \
	"test_hostile|packed: D15" \
	"	else if (!vlab_ram_ptr(ram, vq->desc_gpa, a->desc_bytes) ||" \
	"	else if (0 && !vlab_ram_ptr(ram, vq->desc_gpa, a->desc_bytes) ||"

echo "=== issue 12: the cases main failed"
mutant "L1/D13 console stops popping at 64 held" sim/console.c \
	"test_hostile|L1/D13" \
	"	while (vlab_vq_pop(dev, vq, &ch, dev->model->max_segs) == 1) {
		if (c->nheld >= CONSOLE_QUEUE_NUM_MAX) {" \
	"	while (c->nheld < vq->num_max &&
	       vlab_vq_pop(dev, vq, &ch, dev->model->max_segs) == 1) {
		if (c->nheld >= CONSOLE_QUEUE_NUM_MAX) {"
mutant "L1 a model that took nothing is run again at once" sim/vq.c \
	"test_hostile|L1 a model" "return more && vq->looked;" "return more;"
mutant "D19 DRIVER_OK without FEATURES_OK accepted" sim/mmio.c \
	"test_hostile|D19 DRIVER_OK" \
	"		broke = \"DRIVER_OK without an accepted FEATURES_OK\";" \
	"		broke = NULL;"
mutant "D19 live without FEATURES_OK" sim/device.c \
	"test_hostile|D19 FEATURES_OK cleared" \
	"		(status & VIRTIO_CONFIG_S_FEATURES_OK) &&
		!(status & VIRTIO_CONFIG_S_NEEDS_RESET);" \
	"		!(status & VIRTIO_CONFIG_S_NEEDS_RESET);"
mutant "D19 QueueReady before FEATURES_OK" sim/mmio.c \
	"test_hostile|D19 features" \
	"	if (!(dev->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		/*
		 * RELIABILITY D19: queues" "	if (0) {
		/*
		 * RELIABILITY D19: queues"
mutant "D20 QueueReady=0 keeps what the model holds" sim/mmio.c \
	"test_hostile|D20 QueueReady" \
	"		if (vq->ready && dev->model->queue_stop)" \
	"		if (0 && dev->model->queue_stop)"
mutant "D20 reset keeps what the model holds" sim/device.c \
	"test_hostile|D20 reset" \
	"	if (dev->model->reset)
		dev->model->reset(dev);" "	(void)0;"
mutant "D21 any access width" sim/mmio.c "test_hostile|D21" \
	"	if (!ok)
		/* RELIABILITY D21 */" "	ok = true;
	if (!ok)
		/* RELIABILITY D21 */"
mutant "L2 config generation retries bounded" \
	virtio/include/linux/virtio_config.h "test_hostile|L2" \
	"if (passes++ == VIRTIO_CONFIG_GEN_RETRIES) {" "if (0) {"
mutant "D18 split head offered twice" sim/vq_split.c \
	"test_hostile|D18 split" "	if (vq->head_busy[head]) {" "	if (0) {"
mutant "D18 a returned head is free again" sim/vq_split.c \
	"test_hostile|D18 baseline" "		vq->head_busy[id] = 0;" "		(void)0;"
mutant "D22 packed later descriptor not available" sim/vq_packed.c \
	"test_hostile|D22" "			if (!vring_packed_is_avail(flags, *wrap)) {" \
	"			if (0) {"
mutant "max_segs above QueueNumMax refused" sim/device.c \
	"test_hostile|max_segs" \
	"		if (model->max_segs > (model->queue_sizes ?" \
	"		if (0 && model->max_segs > (model->queue_sizes ?"
mutant "packed event idx: every push since the last decision" \
	sim/vq_packed.c "test_hostile|event idx" \
	"vq->packed.unsignalled += ndescs;" "vq->packed.unsignalled = ndescs;"

mutant "L2 reset and QueueReady wait bounded" sim/device.c \
	"test_hostile|L2 reset" \
	"		if (ms_since(&t0) >= dev->quiesce_ms)
			return false;" "		if (0)
			return false;"
mutant "guard pages around guest RAM are PROT_NONE" sim/ram.c \
	"test_hostile|guard pages" \
	"	p = mmap(NULL, size + 2 * VLAB_RAM_GUARD, PROT_NONE," \
	"	p = mmap(NULL, size + 2 * VLAB_RAM_GUARD, PROT_READ,"
mutant "D9 overlapping guest RAM regions accepted" sim/ram.c \
	test_vhost_user \
	"		if (sorted[i].gpa - sorted[i - 1].gpa < sorted[i - 1].size)
			return -EINVAL;" "		if (0)
			return -EINVAL;"
mutant "vhost-user ring outside every region accepted" \
	sim/vhost_user_vring.c test_vhost_user \
	"	if (!gpa_of(vu, a->desc_user_addr, &g) ||
	    !gpa_of(vu, a->avail_user_addr, &g) ||
	    !gpa_of(vu, a->used_user_addr, &g))
		return vu_refuse(vu, m, \"q%u: ring at" \
	"	if (0)
		return vu_refuse(vu, m, \"q%u: ring at"
mutant "D19 vhost-user features never offered accepted" sim/vhost_user.c \
	test_vhost_user "	if (f & ~offered)" "	if (0)"

mutant "golden: a trace point dropped (publish-used)" sim/vq_split.c \
	test_golden "	VLAB_TRACE(.kind = VLAB_EV_USED_PUBLISH, .dev = dev->name,
		   .queue = (int)vq->index, .before = old,
		   .after = s->used_idx, .layout = VLAB_RING_SPLIT,
		   .fields = { { VLAB_FIELD_USED_IDX, 0 } }, .nfields = 1);" "	(void)old;"
mutant "golden: two events swapped (kick traced before the write)" \
	virtio/virtio_ring.c test_golden "	/* §2.7.13.4: the transport writes the queue index to the device */
	if (!vq->notify(_vq)) {" "	VLAB_TRACE(.kind = VLAB_EV_KICK, .queue = (int)_vq->index);
	if (!vq->notify(_vq)) {"
mutant "golden: lockstep ignores the seed" sim/sched.c test_golden \
	"return (int)pick[n == 1 ? 0 : next_random() % n];" "return (int)pick[0];"

echo "$killed passed, $survived failed"
[ "$survived" -eq 0 ]
