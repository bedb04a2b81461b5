#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The README's side-by-side table: Linux's tools/virtio/ringtest against
# make bench's split and packed rows (indirect on, event idx on), at 256
# and 64 entries, interleaved in one session: round 1 runs each of the
# eight once, then round 2, and so on. Prints median [min-max] in M
# buffers/s and the ratios. A figure, never a verdict.
#
# ringtest is not part of this project and none of its code enters it:
# build it in a scratch folder from a kernel source tree, e.g.
#   tar -xJf /usr/src/linux-source-6.1.tar.xz -C /tmp/rt \
#       linux-source-6.1/tools/virtio/ringtest linux-source-6.1/tools/include
#   make -C /tmp/rt/linux-source-6.1/tools/virtio/ringtest ring virtio_ring_0_9
#
# usage: bench/ringtest.sh RINGTEST_DIR BENCH_RING [ROUNDS] [BENCH_ARGS...]
#   ringtest runs as --sleep --run-cycles 2000000 --ring-size N
#   --host-affinity 0 --guest-affinity 1 (its wall time, start to end);
#   bench_ring gets BENCH_ARGS (pinning, say) after --size N --config 1
#   --config 5 --rounds 1.
set -u
rt=${1:?usage: bench/ringtest.sh RINGTEST_DIR BENCH_RING [ROUNDS] [BENCH_ARGS...]}
br=${2:?usage: bench/ringtest.sh RINGTEST_DIR BENCH_RING [ROUNDS] [BENCH_ARGS...]}
rounds=${3:-9}
[ $# -ge 3 ] && shift 3 || shift $#
cycles=2000000
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# ringtest PROGRAM SIZE: M buffers/s of one run
ringtest() {
	t0=$(date +%s%N)
	"$rt/$1" --sleep --run-cycles $cycles --ring-size "$2" \
		--host-affinity 0 --guest-affinity 1 >/dev/null 2>&1 ||
		{ echo "ringtest: $1 failed" >&2; exit 1; }
	t1=$(date +%s%N)
	awk -v n=$cycles -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f\n", n / ns * 1000 }'
}

i=0
while [ "$i" -lt "$rounds" ]; do
	for size in 256 64; do
		ringtest virtio_ring_0_9 $size >>"$tmp/rt-split-$size"
		ringtest ring $size >>"$tmp/rt-packed-$size"
		"$br" --size $size --config 1 --config 5 --rounds 1 "$@" >"$tmp/out" ||
			{ echo "bench_ring failed" >&2; exit 1; }
		awk '$1 == "split" { printf "%.3f\n", $4 / 1e6 }' "$tmp/out" \
			>>"$tmp/vl-split-$size"
		awk '$1 == "packed" { printf "%.3f\n", $4 / 1e6 }' "$tmp/out" \
			>>"$tmp/vl-packed-$size"
	done
	i=$((i + 1))
done

# stat FILE: "median [min-max]"
stat() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		printf "%.2f [%.2f-%.2f]", v[int((NR + 1) / 2)], v[1], v[NR] }'
}
# med FILE: the median alone
med() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
ratio() {
	awk -v a="$(med "$1")" -v b="$(med "$2")" 'BEGIN { printf "%.2f", a / b }'
}

echo "M buffers/s, median [min-max] of $rounds interleaved rounds"
echo "| | 256 entries | 64 entries |"
echo "|---|---|---|"
echo "| ringtest virtio_ring_0_9 (split) | $(stat "$tmp/rt-split-256") | $(stat "$tmp/rt-split-64") |"
echo "| ringtest ring (packed-like) | $(stat "$tmp/rt-packed-256") | $(stat "$tmp/rt-packed-64") |"
echo "| virtio-lab split | $(stat "$tmp/vl-split-256") | $(stat "$tmp/vl-split-64") |"
echo "| virtio-lab packed | $(stat "$tmp/vl-packed-256") | $(stat "$tmp/vl-packed-64") |"
echo "| ratio split (virtio-lab / ringtest) | $(ratio "$tmp/vl-split-256" "$tmp/rt-split-256") | $(ratio "$tmp/vl-split-64" "$tmp/rt-split-64") |"
echo "| ratio packed | $(ratio "$tmp/vl-packed-256" "$tmp/rt-packed-256") | $(ratio "$tmp/vl-packed-64" "$tmp/rt-packed-64") |"
