#!/bin/sh
# make docs-check: the book cannot go stale.
#   - every excerpt make docs just generated (build/docs/gen/*.txt) is the
#     one committed in docs/book/excerpts/: a change to a trace point or a
#     device shows up here, and whoever changed it re-reads the page;
#   - every \snippet names a marker that a compiled source file has, twice;
#   - the book has its pages, snippets and pictures;
#   - linkchecker finds no broken link or image in build/docs/html.
# Usage: docs/book/check.sh             after make docs (make docs-check)
#        docs/book/check.sh --self-test a copy whose kick sentence changed
#                                       must fail the excerpt check
set -u
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "  ok: $1"; }
bad() { fail=$((fail + 1)); echo "  FAILED: $1"; }

# compare_excerpts GEN COMMITTED: each generated excerpt equals its twin
compare_excerpts() {
	gen=$1 committed=$2 n=0 stale=""
	for f in "$gen"/*.txt; do
		name=$(basename "$f")
		n=$((n + 1))
		if [ ! -f "$committed/$name" ]; then
			stale="$stale $name(new)"
		elif ! cmp -s "$f" "$committed/$name"; then
			stale="$stale $name"
			diff -u "$committed/$name" "$f" | head -12
		fi
	done
	for f in "$committed"/*.txt; do
		[ -f "$gen/$(basename "$f")" ] || stale="$stale $(basename "$f")(gone)"
	done
	if [ -z "$stale" ] && [ "$n" -gt 0 ]; then
		ok "$n excerpts match what the code prints now"
	else
		bad "excerpts no longer match the code:$stale; re-read the pages that show them, then copy build/docs/gen/NAME.txt to docs/book/excerpts/"
	fi
}

if [ "${1:-}" = --self-test ]; then
	echo "=== docs-check: a changed trace sentence fails the excerpt check"
	top=$(pwd)
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$top" && scripts/copy-tree.sh "$tmp")
	sed -i 's/"QueueNotify <- %d (%s %u)"/"QueueNotify = %d (%s %u)"/' \
		"$tmp/sim/trace_kinds.c"
	if cmp -s "$tmp/sim/trace_kinds.c" "$top/sim/trace_kinds.c"; then
		bad "the kick sentence was not found in sim/trace_kinds.c"
	elif ! make -s -C "$tmp" -j"$(nproc)" V=release build/release/vlab \
		build/release/tests/test_device_errors \
		build/release/tests/test_ring >"$tmp/build.log" 2>&1; then
		bad "the changed copy does not build"
		tail -5 "$tmp/build.log"
	else
		(cd "$tmp" && python3 docs/book/gen.py build/release/vlab \
			"$tmp/gen" >/dev/null) || bad "gen.py failed in the copy"
		out=$(compare_excerpts "$tmp/gen" "$tmp/docs/book/excerpts")
		if echo "$out" | grep -q 'FAILED: excerpts no longer match the code:.* request.txt' &&
			echo "$out" | grep -q '^+.*QueueNotify = 0'; then
			ok "the changed kick sentence fails: $(echo "$out" | grep -o 'match the code:[^;]*')"
		else
			bad "the changed kick sentence went unnoticed"
			echo "$out"
		fi
	fi
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
fi

echo "=== docs-check: the book against the code"
compare_excerpts build/docs/gen docs/book/excerpts

# every \snippet FILE ID: FILE is compiled, ID marks a block in it
snips=0 snip_bad=""
for pair in $(sed -n 's/^\\snippet \([^ ]*\) \([^ ]*\)$/\1:\2/p' \
	docs/book/*.md); do
	file=${pair%%:*} id=${pair#*:}
	snips=$((snips + 1))
	obj=build/release/${file%.c}.o
	marks=$(grep -c "\[$id\]" "$file" 2>/dev/null)
	if [ ! -f "$obj" ] || [ "${marks:-0}" -ne 2 ]; then
		snip_bad="$snip_bad $file:$id"
	fi
done
if [ -z "$snip_bad" ] && [ "$snips" -ge 10 ]; then
	ok "$snips \\snippet inclusions, each a marked block of a compiled file"
else
	bad "$snips snippets; missing, unmarked or not compiled:$snip_bad"
fi

pages=$(ls docs/book/*.md | wc -l)
figs=$(grep -c '^figure' docs/book/figures.txt)
shown=$(grep -ho '\\image html [a-z0-9-]*\.svg' docs/book/*.md | sort -u | wc -l)
if [ "$pages" -ge 12 ] && [ "$figs" -ge 8 ] && [ "$shown" -eq "$figs" ] &&
	grep -q 'dotfile status.dot' docs/book/*.md; then
	ok "$pages pages in course order, $figs ring pictures from traces (all shown), the status diagram"
else
	bad "$pages pages, $figs pictures made, $shown shown"
fi

if ! command -v linkchecker >/dev/null; then
	bad "linkchecker is not installed (apt-get install linkchecker)"
elif linkchecker --no-status --no-warnings -o text \
	build/docs/html/index.html >build/docs/linkcheck.log 2>&1; then
	ok "linkchecker: $(grep -o '[0-9]* links in [0-9]* URLs checked' build/docs/linkcheck.log | head -1), no broken link or image"
else
	bad "linkchecker found broken links (build/docs/linkcheck.log):"
	grep -B2 -A6 'Result *Error' build/docs/linkcheck.log | head -40
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
