#!/bin/sh
# vlab run rng --fault NAME: every fault `vlab --help` lists runs, ends by
# itself within seconds, and prints the defence the catalogue names (the
# driver's or the device's own error line); bad uses of --fault are
# refused in one line.
# Usage: tests/faults.sh VLAB           e.g. build/release/vlab
set -u
vlab=${1:?usage: tests/faults.sh VLAB}
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "  ok: $1"; }
bad() { fail=$((fail + 1)); echo "  FAILED: $1"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "=== vlab run rng --fault NAME: each defence, as the catalogue names it"
"$vlab" --help | sed -n '/^faults/,$p' | sed -n 's/^  \([a-z-]*\) *\([RD][0-9]*\) .*/\1 \2/p' \
	>"$tmp/list"
n=$(wc -l <"$tmp/list")
if [ "$n" -lt 12 ]; then
	bad "vlab --help lists $n faults"
fi
# what each defence prints: the driver's error (R) or the device's (D);
# a fault vlab lists without a line here fails the test
expect() {
	case $1 in
	bad-used-id) echo 'input: used id is out of range' ;;
	used-idx-jump) echo 'input: used idx moved more than the queue size' ;;
	used-len-too-long) echo 'device wrote 1016 bytes into 16 writable bytes' ;;
	refuse-features-ok) echo 'device refuses features' ;;
	stuck-in-reset) echo 'device did not complete reset in [0-9]* ms' ;;
	avail-idx-jump) echo 'driver broke virtio 1.2 §2.7.6: avail idx moved 65 entries' ;;
	head-out-of-range) echo 'driver broke virtio 1.2 §2.7.6: avail ring entry 0 names head 64' ;;
	next-out-of-range) echo 'driver broke virtio 1.2 §2.7.5: descriptor next 200' ;;
	descriptor-loop) echo 'driver broke virtio 1.2 §2.7.5.2: descriptor chain from head 0 loops' ;;
	indirect-and-next) echo 'driver broke virtio 1.2 §2.7.5.3.1: descriptor 0 has both INDIRECT and NEXT' ;;
	readable-after-writable) echo 'driver broke virtio 1.2 §2.7.4.2: device-readable descriptor 1 follows' ;;
	outside-ram) echo 'driver broke virtio 1.2 §2.7.5: descriptor 0 buffer 0x1000+16 is outside guest RAM' ;;
	zero-length) echo 'driver broke virtio 1.2 §2.7.5: descriptor 0 has length 0' ;;
	next-not-available) echo 'driver broke virtio 1.2 §2.8.6: descriptor 1 of the buffer at 0 is not available' ;;
	esac
}
while read -r name rule; do
	ring=split
	"$vlab" --help | grep -q "^  $name .*(packed)$" && ring=packed
	want=$(expect "$name")
	start=$(date +%s%N)
	timeout 30 "$vlab" run rng --seed 1 --ring "$ring" --fault "$name" \
		</dev/null >"$tmp/out" 2>"$tmp/err"
	st=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	line=$(grep -m1 -e "$want" "$tmp/err")
	if [ -z "$want" ]; then
		bad "$rule $name: no expected defence in tests/faults.sh"
	elif ! grep -q "^| $rule |" docs/reliability.md; then
		bad "$rule $name: the catalogue has no rule $rule"
	elif [ "$st" -ne 124 ] && [ "$ms" -lt 10000 ] && [ -n "$line" ]; then
		ok "$rule $name ($ring): exit $st after $ms ms: $line"
	else
		bad "$rule $name ($ring): exit $st after $ms ms, no '$want'"
		head -5 "$tmp/err"
	fi
done <"$tmp/list"

# refusals: one line, exit 2
check_refused() {
	what=$1
	shift
	"$vlab" "$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	if [ "$st" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then
		ok "$what: exit 2, one line: $(cat "$tmp/err")"
	else
		bad "$what: exit $st"
		cat "$tmp/err"
	fi
}
check_refused "unknown fault" run rng --fault nosuchfault
check_refused "a driver fault in the free schedule" run rng --fault zero-length \
	--schedule free
check_refused "a split-only fault on a packed ring" run rng --fault descriptor-loop \
	--ring packed
check_refused "--fault with --check-writes" run rng --fault zero-length \
	--check-writes
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
