#!/bin/sh
# The vlab command line, as a user meets it: bad input gets one line on
# stderr and exit status 2; good runs succeed and repeat with a seed.
# Usage: tests/cli.sh path/to/vlab
set -u
vlab=${1:?usage: tests/cli.sh path/to/vlab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "  ok: $1"; }
bad() { fail=$((fail + 1)); echo "  FAILED: $1"; }

# expect_usage_error NAME ARGS...: exit 2, exactly one line on stderr
expect_usage_error() {
	name=$1; shift
	"$vlab" "$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$status" -eq 2 ] && [ "$lines" -eq 1 ] && [ ! -s "$tmp/out" ]; then
		ok "$name: exit 2, one line: $(cat "$tmp/err")"
	else
		bad "$name: exit $status, $lines stderr lines"
		cat "$tmp/err"
	fi
}

echo "=== vlab command line"
expect_usage_error "unknown option" --bogus
expect_usage_error "negative --bytes" run rng --bytes -1
expect_usage_error "zero --bytes" run rng --bytes 0
expect_usage_error "--bytes too large" run rng --bytes 1048577
expect_usage_error "--bytes not a number" run rng --bytes 12abc
expect_usage_error "--bytes missing value" run rng --bytes
expect_usage_error "negative --seed" run rng --seed -5
expect_usage_error "--seed overflow" run rng --seed 18446744073709551616
expect_usage_error "unknown device" run nosuchdevice
expect_usage_error "no command" 
expect_usage_error "unknown run option" run rng --fast
expect_usage_error "unknown ring layout" run rng --ring circular

# The same seeded bytes whatever the ring layout and features
"$vlab" run rng --bytes 200 --seed 9 >"$tmp/split" 2>&1
"$vlab" run rng --bytes 200 --seed 9 --ring packed --no-event-idx >"$tmp/packed" 2>&1
if cmp -s "$tmp/split" "$tmp/packed"; then
	ok "--ring packed --no-event-idx reads the same seeded bytes as split"
else
	bad "--ring packed: different bytes"
fi
if "$vlab" run rng --ring packed --trace --bytes 8 2>&1 |
   grep -q 'desc\[0\] = {addr .*, len 8, id 0, WRITE|AVAIL}'; then
	ok "--ring packed --trace shows packed descriptors (AVAIL, buffer id)"
else
	bad "--ring packed --trace"
fi
if "$vlab" run rng --stats --bytes 1000 --no-event-idx | grep -q '^# stats:     0       16'; then
	ok "--stats: 1000 bytes = 16 buffers on queue 0"
else
	bad "--stats"
fi

if "$vlab" --help >"$tmp/out" 2>&1 && grep -q -- '--seed S' "$tmp/out" &&
   grep -q -- '--trace' "$tmp/out" && grep -q -- '--bytes N' "$tmp/out"; then
	ok "--help documents every option"
else
	bad "--help"
fi

"$vlab" run rng --bytes 40 --seed 7 >"$tmp/a" 2>&1 &&
"$vlab" run rng --bytes 40 --seed 7 >"$tmp/b" 2>&1
if [ $? -eq 0 ] && cmp -s "$tmp/a" "$tmp/b" && [ "$(wc -l <"$tmp/a")" -eq 3 ]; then
	ok "--seed 7 twice: same 40 bytes, 3 hex lines"
else
	bad "--seed reproducibility"
	cat "$tmp/a" "$tmp/b"
fi

# The default demo's trace: lifecycle, then one request in order
if "$vlab" run rng --trace --bytes 16 >"$tmp/t" 2>&1; then
	order=$(awk '$1 ~ /^[0-9]+$/ && ($3 == "driver" || $3 == "device") { print $6 }' "$tmp/t" | tr '\n' ' ')
	want="reset status status features-read features-read features-write features-write status queue-setup status add publish kick notify pop used publish-used interrupt callback get_buf reset status "
	if [ "$order" = "$want" ]; then
		ok "--trace --bytes 16: lifecycle then add..get_buf in order"
	else
		bad "--trace order: $order"
	fi
else
	bad "vlab run rng --trace failed"
	cat "$tmp/t"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
