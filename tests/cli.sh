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
expect_usage_error "unknown --schedule" run rng --schedule random
expect_usage_error "unknown --trace-format" run rng --trace-format xml
expect_usage_error "step in the free schedule" step rng --schedule free
expect_usage_error "--dot in the free schedule" run rng --dot "$tmp/d" --schedule free
expect_usage_error "--steps without step" run rng --steps 3
expect_usage_error "--steps 0" step rng --steps 0
expect_usage_error "--dot without a directory" run rng --dot
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
	# sleep, wake and the suppression writes depend on the
	# interleaving, not on the ring
	order=$(awk '$1 ~ /^[0-9]+$/ && ($3 == "driver" || $3 == "device") && $6 != "sleep" && $6 != "wake" && $6 != "driver-event" && $6 != "device-event" { print $6 }' "$tmp/t" | tr '\n' ' ')
	want="reset status status features-read features-read features-write features-write status queue-setup status add publish kick notify pop used publish-used interrupt callback get_buf reset status "
	if [ "$order" = "$want" ] &&
		grep -q 'device-event .* avail_event 0 -> 1' "$tmp/t" &&
		grep -q 'driver-event .* used_event 0 -> 1' "$tmp/t"; then
		ok "--trace --bytes 16: lifecycle then add..get_buf in order, with the avail_event and used_event writes"
	else
		bad "--trace order: $order"
	fi
else
	bad "vlab run rng --trace failed"
	cat "$tmp/t"
fi

# Lockstep: the same seed gives the same JSON lines, byte for byte
"$vlab" run rng --seed 7 --trace-format jsonl >"$tmp/j1" 2>&1 &&
"$vlab" run rng --seed 7 --trace-format jsonl >"$tmp/j2" 2>&1
if [ $? -eq 0 ] && cmp -s "$tmp/j1" "$tmp/j2" &&
	[ "$(grep -c '^{"seq":' "$tmp/j1")" -gt 20 ] &&
	[ "$(grep -vc '^{' "$tmp/j1")" -eq 0 ]; then
	ok "--seed 7 --trace-format jsonl twice: identical, $(wc -l <"$tmp/j1") JSON lines"
else
	bad "--trace-format jsonl is not reproducible"
	diff "$tmp/j1" "$tmp/j2" | head -5
fi

# JSON lines are JSON lines for every device and ring layout: the schema
# first, narration as its own kind, the result object last
json_check() {
	python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
objs = [json.loads(l) for l in lines]
assert objs[0]["kind"] == "schema" and objs[0]["version"] == 2, "no schema line"
events = [o for o in objs if "seq" in o]
assert all(isinstance(o["fields"], list) and "v" not in o and
	   o["layout"] in (None, "split", "packed") for o in events), \
	"an event without its fields list, or with the old positional v"
assert any(o["fields"] for o in events), "no event lists a field"
assert objs[-1]["kind"] == "result", "the last line is not the result"
assert any(o.get("kind") == "narration" for o in objs), "no narration"
assert sum("seq" in o for o in objs) > 20, "few events"
print(len(objs), objs[-1]["status"])
' "$1"
}
for dev in "rng" "blk" "blk --ro" "console" "console --loopback" \
	"stream --buffers 300"; do
	for ring in split packed; do
		# shellcheck disable=SC2086
		"$vlab" run $dev --ring "$ring" --seed 3 --stats \
			--trace-format jsonl >"$tmp/j" 2>"$tmp/jerr"
		st=$?
		if [ "$st" -eq 0 ] && got=$(json_check "$tmp/j" 2>&1); then
			ok "run $dev --ring $ring --trace-format jsonl: $got, every line JSON"
		else
			bad "run $dev --ring $ring --trace-format jsonl (exit $st): $got"
			grep -v '^{' "$tmp/j" | head -3
		fi
	done
done

# Canonical traces and vlab diff: the same run matches itself, two
# interleavings differ at the first event that differs, bad input exits 2
"$vlab" run rng --seed 1 --trace-format canon >"$tmp/c1" 2>&1
"$vlab" run rng --seed 3 --trace-format canon >"$tmp/c3" 2>&1
if grep -q 'addr buf0, len 16' "$tmp/c1" &&
	grep -q 'desc rng0.q0.desc, driver rng0.q0.driver' "$tmp/c1" &&
	! grep -q 'addr 0x4' "$tmp/c1"; then
	ok "--trace-format canon names buffers (buf0) and ring areas (rng0.q0.desc)"
else
	bad "--trace-format canon left an address unnamed"
	grep 'addr\|queue-setup' "$tmp/c1" | head -3
fi
"$vlab" diff "$tmp/c1" "$tmp/c1" >"$tmp/d" 2>&1
s1=$?
"$vlab" diff "$tmp/c1" "$tmp/c3" >"$tmp/d" 2>&1
s2=$?
if [ "$s1" -eq 0 ] && [ "$s2" -eq 1 ] &&
	grep -q '^the traces differ first at event [0-9]*:' "$tmp/d" &&
	[ "$(grep -c "^  $tmp/c[13]:" "$tmp/d")" -eq 2 ]; then
	ok "vlab diff: a trace matches itself (0); seeds 1 and 3: $(head -1 "$tmp/d") both lines shown (1)"
else
	bad "vlab diff: exit $s1 and $s2"
	cat "$tmp/d"
fi
expect_usage_error "diff with one file" diff "$tmp/c1"
"$vlab" diff "$tmp/c1" "$tmp/nonexistent" >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then
	ok "vlab diff of a missing file: exit 2, one line: $(cat "$tmp/err")"
else
	bad "vlab diff of a missing file"
fi

# The streaming run shows notification suppression: in lockstep, where a
# woken device thread sits out 200 events (the stream's default
# --wake-latency), seeded and repeatable, event idx needs at least ten
# times fewer kicks per buffer. (The free schedule shows it too, but by
# how much depends on the machine's load: no assertion there.)
kicks_of() {
	"$vlab" run stream --seed 5 "$@" |
		sed -n 's/.*: \([0-9]*\) kicks .*/\1/p'
}
k_on=$(kicks_of)
k_off=$(kicks_of --no-event-idx)
if [ -n "$k_on" ] && [ -n "$k_off" ] &&
	[ $((k_on * 10)) -le "$k_off" ] && [ "$k_on" = "$(kicks_of)" ]; then
	ok "run stream --seed 5 (lockstep): $k_on kicks with event idx, $k_off without, the same again"
else
	bad "run stream --seed 5: $k_on kicks with event idx, $k_off without"
fi
expect_usage_error "--wake-latency in the free schedule" run stream \
	--schedule free --wake-latency 5
expect_usage_error "--timeout 0" run rng --timeout 0

# ... and another seed another interleaving: who ran when, bytes aside
interleaving() {
	"$vlab" run rng --seed "$1" --bytes 200 --trace-format jsonl |
		sed -n 's/.*"thread":"\([a-z0-9]*\)".*"kind":"\([a-z_-]*\)".*/\1:\2/p' |
		tr '\n' ' '
}
if [ "$(interleaving 1)" != "$(interleaving 3)" ] &&
	[ "$(interleaving 3)" = "$(interleaving 3)" ]; then
	ok "seeds 1 and 3 interleave the same run differently"
else
	bad "seeds 1 and 3 give the same interleaving"
fi

# The stepper, driven through a pipe
printf 'n\nb interrupt\nc\nr\ns\nh\nq\n' |
	"$vlab" step rng --seed 7 >"$tmp/s" 2>&1
status=$?
if [ "$status" -eq 0 ] &&
	grep -q '^step> b interrupt$' "$tmp/s" &&
	grep -q '^  break on interrupt$' "$tmp/s" &&
	grep -q '^# breakpoint: interrupt$' "$tmp/s" &&
	grep -q 'rng0 q0: split ring, size 64' "$tmp/s" &&
	grep -q 'used.ring\[0\] id 0 len 16' "$tmp/s" &&
	grep -q 'kicks-sent' "$tmp/s" &&
	grep -q 'continue to the next breakpoint' "$tmp/s" &&
	grep -q '^# quit: the run goes on to its end' "$tmp/s" &&
	[ "$(grep -c '^step> ' "$tmp/s")" -eq 7 ] &&
	[ "$(tail -n 1 "$tmp/s" | cut -c1-8)" = "00000000" ]; then
	ok "step: n, b interrupt, c, r, s, h, q through stdin"
else
	bad "step through stdin (exit $status)"
	cat "$tmp/s"
fi

# A change is marked: the add event writes desc[0], publish avail.idx
printf 'b add\nc\nn\nq\n' | "$vlab" step rng --seed 7 >"$tmp/m" 2>&1
if grep -q 'desc\[0\] addr 0x[0-9a-f]*\* len 16\* flags WRITE\*' "$tmp/m" &&
	grep -q 'avail .* idx 1\*' "$tmp/m"; then
	ok "step: fields an event changed are marked with *"
else
	bad "step: change markers"
	cat "$tmp/m"
fi

# --steps N: N events, no questions
"$vlab" step rng --seed 7 --steps 5 </dev/null >"$tmp/n" 2>&1
if [ $? -eq 0 ] && [ "$(grep -c '§' "$tmp/n")" -eq 5 ] &&
	! grep -q 'step>' "$tmp/n" && grep -q '^# --steps done' "$tmp/n"; then
	ok "step --steps 5: five events shown, no prompt"
else
	bad "step --steps 5"
	cat "$tmp/n"
fi

# Graphviz: one file per event, each one rendered by dot when we have it
if "$vlab" run rng --seed 7 --dot "$tmp/dot" >/dev/null 2>"$tmp/derr"; then
	files=$(ls "$tmp/dot"/event-*.dot 2>/dev/null | wc -l)
	events=$("$vlab" run rng --seed 7 --trace-format jsonl | grep -c '"seq"')
	if [ "$files" -eq "$events" ] && grep -q 'BGCOLOR' "$tmp/dot/event-0012.dot"; then
		ok "--dot: $files files, one per event, changes filled"
	else
		bad "--dot wrote $files files for $events events"
	fi
	if command -v dot >/dev/null 2>&1; then
		rendered=0
		for f in "$tmp/dot"/event-*.dot; do
			dot -Tsvg "$f" -o "${f%.dot}.svg" 2>>"$tmp/doterr" &&
				rendered=$((rendered + 1))
		done
		if [ "$rendered" -eq "$files" ] && [ ! -s "$tmp/doterr" ]; then
			ok "dot -Tsvg renders all $files files without a message"
		else
			bad "dot rendered $rendered of $files"
			head -5 "$tmp/doterr"
		fi
	else
		echo "  (dot not installed: rendering not checked)"
	fi
else
	bad "vlab run rng --dot failed"
	cat "$tmp/derr"
fi
: >"$tmp/notadir"
expect_usage_error "--dot onto a file" run rng --dot "$tmp/notadir"

echo "=== vlab run blk and console"
expect_usage_error "--disk that does not exist" run blk --disk "$tmp/nosuchdisk"
expect_usage_error "--disk of a directory" run blk --disk "$tmp"
expect_usage_error "--disk belongs to blk" run rng --disk "$tmp/x"
expect_usage_error "--write-file that does not exist" run blk --write-file "$tmp/nosuchfile"
expect_usage_error "--blk-size not a power of two" run blk --blk-size 1000
expect_usage_error "--seg-max 0" run blk --seg-max 0
expect_usage_error "--sector past the end" run blk --sector 2048
expect_usage_error "--line belongs to console" run blk --line hi
expect_usage_error "--size without rows" run console --size 80
expect_usage_error "--size of zero" run console --size 0x25
: >"$tmp/tiny.img"
expect_usage_error "--disk smaller than a sector" run blk --disk "$tmp/tiny.img"

# A file written through /dev/vlab-blk0 is byte-identical in the disk file
truncate -s 1M "$tmp/disk.img"
head -c 100000 /dev/urandom >"$tmp/payload"
if "$vlab" run blk --disk "$tmp/disk.img" --write-file "$tmp/payload" \
	--sector 100 >"$tmp/out" 2>"$tmp/err" &&
	cmp -s -n 100000 "$tmp/payload" "$tmp/disk.img" 0 51200 &&
	cmp -s -n 352 /dev/zero "$tmp/disk.img" 0 151200; then
	ok "run blk --disk --write-file: the file is byte-identical in the image, padded with zeros"
else
	bad "run blk --disk --write-file"
	cat "$tmp/err"
fi
if "$vlab" run blk --ro --disk "$tmp/disk.img" --sector 100 >"$tmp/out" 2>&1 &&
	grep -q 'the write was refused: Read-only file system' "$tmp/out" &&
	cmp -s -n 100000 "$tmp/payload" "$tmp/disk.img" 0 51200; then
	ok "run blk --ro: the write is refused and the image unchanged"
else
	bad "run blk --ro"
	cat "$tmp/out"
fi
if printf 'one\ntwo\n' | "$vlab" run console >"$tmp/out" 2>&1 &&
	grep -q '^echo: one$' "$tmp/out" && grep -q '^echo: two$' "$tmp/out"; then
	ok "run console: lines from stdin come back as echo: LINE"
else
	bad "run console"
	cat "$tmp/out"
fi
if "$vlab" run console --loopback --line abc --ring packed --seed 4 \
	>"$tmp/out" 2>&1 && grep -q '^abc$' "$tmp/out"; then
	ok "run console --loopback --ring packed"
else
	bad "run console --loopback"
	cat "$tmp/out"
fi
if printf 'q\n' | "$vlab" step blk --seed 1 >"$tmp/out" 2>&1 &&
	grep -q '^step> ' "$tmp/out" && grep -q 'read back identical' "$tmp/out"; then
	ok "step blk: prompts, then the run finishes"
else
	bad "step blk"
	tail -5 "$tmp/out"
fi
a=$("$vlab" run console --seed 9 --trace --line x 2>&1 | md5sum)
b=$("$vlab" run console --seed 9 --trace --line x 2>&1 | md5sum)
if [ "$a" = "$b" ]; then
	ok "run console --seed 9 --trace: the same trace twice"
else
	bad "console trace differs between two runs with one seed"
fi

# The README's map of the tree names every tracked file, or a folder that
# holds it: a file added without a line in the map fails here.
echo "=== README map of the tree"
if top=$(git rev-parse --show-toplevel 2>/dev/null) && [ -f "$top/README.md" ]; then
	# every `path` in the first column of the map's table
	sed -n '/^## Map of the tree/,/^## [^M]/p' "$top/README.md" |
		grep '^| `' | awk -F'|' '{ print $2 }' |
		grep -o '`[^`]*`' | tr -d '`' >"$tmp/map"
	missing=""
	for f in $(cd "$top" && git ls-files); do
		named=no
		p=$f
		while :; do
			if grep -qxF "$p" "$tmp/map"; then
				named=yes
				break
			fi
			# the next folder up: a/b/c -> a/b/ -> a/ -> stop
			case $p in
			*/*/) p=${p%/*/}/ ;;
			*/) break ;;
			*/*) p=${p%/*}/ ;;
			*) break ;;
			esac
		done
		[ "$named" = no ] && missing="$missing $f"
	done
	if [ -z "$missing" ] && [ -s "$tmp/map" ]; then
		ok "README map: every one of $(cd "$top" && git ls-files | wc -l) tracked files is named, or its folder is"
	else
		bad "README map does not name:$missing"
	fi
	stale=""
	for p in $(cat "$tmp/map"); do
		[ -e "$top/$p" ] || stale="$stale $p"
	done
	if [ -z "$stale" ]; then
		ok "README map: every path it names exists"
	else
		bad "README map names paths that do not exist:$stale"
	fi
else
	echo "  skipped: README map (not a git checkout)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
