#!/bin/sh
# Copy the tree as it is now into DEST: the tracked files and the new ones
# git does not ignore (or, outside a git checkout, everything but build/
# and .git/). The self-tests that build a deliberately broken copy of the
# project (tests/forgotten_kick.sh, tests/writes.sh, docs/book/check.sh)
# start from it.
# Usage: scripts/copy-tree.sh DEST      (from the top of the tree)
set -u
dest=${1:?usage: scripts/copy-tree.sh DEST}
mkdir -p "$dest" || exit 1
{ { git ls-files -z && git ls-files -z --others --exclude-standard; } \
	2>/dev/null | tar --null -cf - -T - 2>/dev/null ||
	tar --exclude=./build --exclude=./.git -cf - .; } |
	(cd "$dest" && tar -xf -)
