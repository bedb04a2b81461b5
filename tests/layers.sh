#!/bin/sh
# The layers of the tree, read from what the compiler saw: the dependency
# files (.d) of a build list every project header each object included.
#   - the guest (virtio/, driver/) depends on nothing of the machine
#     (sim/), the command (tools/) or the tests;
#   - the machine (sim/) takes from virtio/ only the shared place,
#     virtio/shared/ (the boundary and the ring layouts);
#   - no source file outside tests/ is over 800 lines;
#   - each ring layout has files of its own on both sides, and a split
#     file names packed (and a packed file split) only in comments.
# Usage: tests/layers.sh BUILD_DIR      e.g. build/release
#        tests/layers.sh --self-test    shows that each rule can fail
set -u
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "  ok: $1"; }
bad() { fail=$((fail + 1)); echo "  FAILED: $1"; }

# deps_of DFILE: the prerequisites of the object, one per line
deps_of() {
	sed -n '1,/[^\\]$/p' "$1" | tr ' \\' '\n\n' | sed -n '2,$p' |
		grep -v '^$' | grep -v ':$'
}

# check_deps BUILD: the two dependency rules over every .d file
check_deps() {
	build=$1
	guest=0 guest_bad=""
	for d in $(find "$build/virtio" "$build/driver" -name '*.d' \
		2>/dev/null); do
		guest=$((guest + 1))
		hit=$(deps_of "$d" | grep -E '^(sim|tools|tests)/' | head -1)
		[ -n "$hit" ] && guest_bad="$guest_bad ${d#$build/} -> $hit;"
	done
	if [ "$guest" -eq 0 ]; then
		bad "no .d files of virtio/ or driver/ in $build: build first"
	elif [ -z "$guest_bad" ]; then
		ok "$guest guest objects (virtio/, driver/) depend on no sim/, tools/ or tests/ file"
	else
		bad "guest objects reach into the machine:$guest_bad"
	fi
	machine=0 machine_bad=""
	for d in $(find "$build/sim" -name '*.d' 2>/dev/null); do
		machine=$((machine + 1))
		hit=$(deps_of "$d" | grep -E '^(virtio|driver|tools|tests)/' |
			grep -v '^virtio/shared/' | head -1)
		[ -n "$hit" ] && machine_bad="$machine_bad ${d#$build/} -> $hit;"
	done
	if [ "$machine" -eq 0 ]; then
		bad "no .d files of sim/ in $build: build first"
	elif [ -z "$machine_bad" ]; then
		ok "$machine machine objects (sim/) take from virtio/ only virtio/shared/"
	else
		bad "machine objects reach past virtio/shared/:$machine_bad"
	fi
}

# check_sizes ROOT: no source over 800 lines outside tests/
check_sizes() {
	big=$(cd "$1" && find driver virtio sim tools bench -name '*.[ch]' \
		-exec wc -l {} + 2>/dev/null | grep -v ' total$' |
		awk '$1 > 800 { printf "%s(%d) ", $2, $1 }')
	if [ -z "$big" ]; then
		ok "no source file outside tests/ is over 800 lines"
	else
		bad "files over 800 lines: $big"
	fi
}

# check_layouts ROOT: split and packed files on both sides, each naming
# the other layout only in comments
check_layouts() {
	for f in virtio/virtio_ring_split.c virtio/virtio_ring_packed.c \
		sim/vq_split.c sim/vq_packed.c; do
		if [ ! -f "$1/$f" ]; then
			bad "$f is missing: each ring layout has its own file"
			continue
		fi
		case $f in
		*split*) other=packed ;;
		*) other=split ;;
		esac
		# lines that are not comments: drop /* ... */ and // text
		hit=$(sed -e 's#/\*.*\*/##g' -e 's#//.*##' "$1/$f" |
			grep -v '^[[:space:]]*\*' | grep -v '^[[:space:]]*/\*' |
			grep -n "$other" | head -1)
		if [ -z "$hit" ]; then
			ok "$f names '$other' only in comments"
		else
			bad "$f names '$other' in code: $hit"
		fi
	done
}

if [ "${1:-}" = "--self-test" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	mkdir -p "$tmp/b/virtio" "$tmp/b/driver" "$tmp/b/sim" \
		"$tmp/r/virtio" "$tmp/r/sim"
	printf 'x.o: virtio/a.c sim/sched.h \\\n virtio/shared/boundary.h\n' \
		>"$tmp/b/virtio/a.d"
	printf 'y.o: sim/y.c virtio/boot.h\n' >"$tmp/b/sim/y.d"
	seq 1 801 | sed 's/.*/;/' >"$tmp/r/sim/big.c"
	printf 'int split;\n' >"$tmp/r/sim/vq_packed.c"
	out=$("$0" --rules "$tmp/b" "$tmp/r")
	# the inner run's summary would read as this script's own
	echo "$out" | grep -v ' passed, .* failed$' | sed 's/^/    /'
	for want in "guest objects reach into the machine: virtio/a.d -> sim/sched.h" \
		"machine objects reach past virtio/shared/: sim/y.d -> virtio/boot.h" \
		"files over 800 lines: sim/big.c(801)" \
		"sim/vq_packed.c names 'split' in code" \
		"virtio/virtio_ring_split.c is missing"; do
		if echo "$out" | grep -qF "FAILED: $want"; then
			ok "self-test: a broken tree fails with: $want"
		else
			bad "self-test: a broken tree did not fail with: $want"
		fi
	done
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
fi

if [ "${1:-}" = "--rules" ]; then
	check_deps "$2"
	check_sizes "$3"
	check_layouts "$3"
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
fi

build=${1:?usage: tests/layers.sh BUILD_DIR | --self-test}
echo "=== layers: the guest, the machine and the command ($build)"
check_deps "$build"
check_sizes .
check_layouts .
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
