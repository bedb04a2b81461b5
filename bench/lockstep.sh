#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench's lockstep line: events per second of
#   vlab run rng --bytes 1048576 --seed 1 --trace
# (the trace to a file), median [min, max] of ROUNDS runs, and whether
# every run printed the same trace, byte for byte. A figure, never a
# verdict.
#
# usage: bench/lockstep.sh VLAB [ROUNDS]
set -u
vlab=${1:?usage: bench/lockstep.sh VLAB [ROUNDS]}
rounds=${2:-9}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
rates=
same=yes
i=0
while [ "$i" -lt "$rounds" ]; do
	t0=$(date +%s%N)
	"$vlab" run rng --bytes 1048576 --seed 1 --trace >"$tmp/trace" ||
		{ echo "lockstep: run failed" >&2; exit 1; }
	t1=$(date +%s%N)
	# the last event's number is the count of events
	n=$(awk '$1 ~ /^[0-9]+$/ && $2 !~ /^[0-9a-f]+$/ { n = $1 } END { print n }' "$tmp/trace")
	rates="$rates $(awk -v n="$n" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", n / (ns / 1e9) }')"
	if [ "$i" -eq 0 ]; then
		cp "$tmp/trace" "$tmp/first"
	elif ! cmp -s "$tmp/first" "$tmp/trace"; then
		same=no
	fi
	i=$((i + 1))
done
echo "$rates" | tr ' ' '\n' | sed '/^$/d' | sort -n | awk -v n="$n" -v same="$same" '
	{ v[NR] = $1 }
	END {
		printf "lockstep: vlab run rng --bytes 1048576 --seed 1 --trace: %d events;\n", n
		printf "  %9d events/s [%9d, %9d] (median of %d); same trace every run: %s\n",
			v[int((NR + 1) / 2)], v[1], v[NR], NR, same
	}'
