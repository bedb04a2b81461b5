#!/bin/sh
# Every write to shared ring memory is an event that names it: for every
# event of `vlab run rng|blk|console` with seeds 1..20, split and packed,
# event idx on and off (and without indirect descriptors, rng long enough
# for the rings to wrap, the stream device), the rings are
# compared before and after each event (`vlab run --check-writes`): the
# bytes that changed must lie in the fields the event lists, and each
# listed field must hold the value the event names.
# Usage: tests/writes.sh VLAB           e.g. build/release/vlab
#        tests/writes.sh --self-test    a copy of the tree whose events
#                                       list too little must fail
set -u
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "  ok: $1"; }
bad() { fail=$((fail + 1)); echo "  FAILED: $1"; }

if [ "${1:-}" = --self-test ]; then
	echo "=== check-writes finds an unlisted write and a wrong field"
	top=$(pwd)
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$top" && scripts/copy-tree.sh "$tmp")
	# publish lists avail.idx only; the device's used element lists
	# used.idx instead of used.ring[slot]
	sed -i 's/^		   \.fields = { { VLAB_FIELD_AVAIL_RING, (u16)slot },$/		   .fields = {/' \
		"$tmp/virtio/virtio_ring_split.c"
	sed -i 's/^		   \.nfields = 2);$/		   .nfields = 1);/' \
		"$tmp/virtio/virtio_ring_split.c"
	sed -i 's/{ { VLAB_FIELD_USED_RING, (uint16_t)slot } }/{ { VLAB_FIELD_USED_IDX, 0 } }/' \
		"$tmp/sim/vq_split.c"
	if cmp -s "$tmp/virtio/virtio_ring_split.c" \
		"$top/virtio/virtio_ring_split.c" ||
		cmp -s "$tmp/sim/vq_split.c" "$top/sim/vq_split.c"; then
		bad "the lines to break were not found"
		echo "$pass passed, $fail failed"
		exit 1
	fi
	if ! make -s -C "$tmp" -j"$(nproc)" V=release build/release/vlab \
		>"$tmp/build.log" 2>&1; then
		bad "the broken copy does not build"
		tail -5 "$tmp/build.log"
		echo "$pass passed, $fail failed"
		exit 1
	fi
	"$tmp/build/release/vlab" run console --seed 1 --check-writes \
		>/dev/null 2>"$tmp/err"
	st=$?
	if [ "$st" -ne 0 ] &&
		grep -q 'avail.ring\[[1-9][0-9]*\] changed, and the event does not list it' "$tmp/err"; then
		ok "exit $st: $(grep -m1 -o 'event [0-9]* (publish[^:]*: .*avail.ring.[1-9][0-9]*. changed' "$tmp/err")"
	else
		bad "an avail ring write without its field was not found (exit $st)"
		cat "$tmp/err"
	fi
	"$tmp/build/release/vlab" run blk --seed 1 --check-writes \
		>/dev/null 2>"$tmp/err"
	st=$?
	if [ "$st" -ne 0 ] &&
		grep -q 'used.ring\[[0-9]*\] changed, and the event does not list it' "$tmp/err" &&
		grep -q 'lists used.idx, which does not hold the value' "$tmp/err"; then
		ok "exit $st: the used element listed as used.idx: unlisted, and a wrong value"
	else
		bad "the wrong field of the used event was not found"
		cat "$tmp/err"
	fi
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
fi

vlab=${1:?usage: tests/writes.sh VLAB | --self-test}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "=== every ring write is listed by its event (seeds 1..20)"
# check_run NAME ARGS...: one run must pass the check with work done
check_run() {
	name=$1
	shift
	"$vlab" run "$@" --check-writes </dev/null >/dev/null 2>"$tmp/err"
	st=$?
	line=$(grep 'check-writes: [0-9]* events' "$tmp/err")
	bytes=$(echo "$line" | sed -n 's/.* \([0-9]*\) ring bytes changed.*/\1/p')
	if [ "$st" -eq 0 ] && echo "$line" | grep -q '; 0 violations' &&
		[ "${bytes:-0}" -gt 0 ]; then
		runs=$((runs + 1))
		events=$((events + $(echo "$line" |
			sed 's/.*check-writes: \([0-9]*\) events.*/\1/')))
	else
		bad "$name: exit $st"
		cat "$tmp/err"
	fi
}
for dev in rng blk console; do
	for ring in split packed; do
		for eidx in "" --no-event-idx; do
			runs=0 events=0 before=$fail
			for seed in $(seq 1 20); do
				check_run "$dev $ring $eidx seed $seed" \
					"$dev" --ring "$ring" $eidx --seed "$seed"
			done
			[ "$fail" -eq "$before" ] &&
				ok "$dev $ring${eidx:+ $eidx}: $runs runs, $events events, every change listed"
		done
	done
done
runs=0 events=0 before=$fail
for dev in rng blk console; do
	for ring in split packed; do
		for seed in 1 2 3 4 5; do
			check_run "$dev $ring --no-indirect seed $seed" "$dev" \
				--ring "$ring" --no-indirect --seed "$seed"
		done
	done
done
for ring in split packed; do
	check_run "rng $ring --bytes 65536" rng --ring "$ring" --bytes 65536
done
[ "$fail" -eq "$before" ] &&
	ok "--no-indirect (seeds 1..5) and rng --bytes 65536 (the rings wrap): $runs runs, $events events"
runs=0 events=0 before=$fail
for ring in split packed; do
	for seed in 1 2 3; do
		check_run "stream $ring seed $seed" stream --ring "$ring" \
			--seed "$seed"
	done
done
[ "$fail" -eq "$before" ] &&
	ok "stream split and packed: $runs runs, $events events, every change listed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
