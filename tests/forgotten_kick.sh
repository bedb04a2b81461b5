#!/bin/sh
# A driver that forgets virtqueue_kick() must not hang the run: build a
# copy of the tree whose driver/vlab_rng.c lacks its kick, and check that
# `vlab run rng` stops within 2 seconds in lockstep, with a message that
# names the missing notification, and that the free schedule's --timeout
# gives the same diagnosis.
# Usage: tests/forgotten_kick.sh      (from the top of the tree)
set -u
top=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "  ok: $1"; }
bad() { fail=$((fail + 1)); echo "  FAILED: $1"; }

echo "=== a driver without virtqueue_kick(): the run says so"
(cd "$top" && scripts/copy-tree.sh "$tmp")
if ! grep -q '^		virtqueue_kick(vi->vq);$' "$tmp/driver/vlab_rng.c"; then
	bad "driver/vlab_rng.c has no kick line to remove"
	echo "$pass passed, $fail failed"
	exit 1
fi
sed -i 's/^		virtqueue_kick(vi->vq);$/		;/' "$tmp/driver/vlab_rng.c"
if ! make -s -C "$tmp" -j"$(nproc)" V=release build/release/vlab \
	>"$tmp/build.log" 2>&1; then
	bad "the copy without the kick does not build"
	tail -5 "$tmp/build.log"
	echo "$pass passed, $fail failed"
	exit 1
fi
start=$(date +%s%N)
"$tmp/build/release/vlab" run rng --seed 1 >"$tmp/out" 2>"$tmp/err"
st=$?
ms=$((($(date +%s%N) - start) / 1000000))
if [ "$st" -ne 0 ] && [ "$ms" -lt 2000 ] &&
	grep -q 'deadlock: every simulated thread waits' "$tmp/err" &&
	grep -q 'no QueueNotify was ever written for this queue' "$tmp/err" &&
	grep -q 'virtqueue_kick()' "$tmp/err"; then
	ok "lockstep: exit $st after $ms ms: $(grep -o 'no QueueNotify[^:]*' "$tmp/err")"
else
	bad "lockstep: exit $st after $ms ms"
	cat "$tmp/err"
fi
"$tmp/build/release/vlab" run rng --schedule free --timeout 1 \
	>"$tmp/out" 2>"$tmp/err"
st=$?
if [ "$st" -ne 0 ] && grep -q 'made no progress in 1 s' "$tmp/err" &&
	grep -q 'no QueueNotify was ever written for this queue' "$tmp/err"; then
	ok "free schedule, --timeout 1: exit $st, the same diagnosis"
else
	bad "free schedule, --timeout 1: exit $st"
	cat "$tmp/err"
fi
# and the reference, with its kick, is not diagnosed
if "$top/build/release/vlab" run rng --seed 1 >"$tmp/out" 2>"$tmp/err" &&
	! grep -q 'QueueNotify' "$tmp/err"; then
	ok "the reference driver reads its bytes: no diagnosis"
else
	bad "the reference driver was diagnosed or failed"
	cat "$tmp/err"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
