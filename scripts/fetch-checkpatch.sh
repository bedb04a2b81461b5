#!/bin/sh
# Unpack the kernel's checkpatch.pl (with spelling.txt and
# const_structs.checkpatch, which it reads from its own directory) from
# Debian's linux-source package into OUTDIR, once. Nothing of the kernel
# is committed to this tree.
#
#   scripts/fetch-checkpatch.sh OUTDIR
# prints the path of checkpatch.pl.
set -eu
out=${1:?usage: fetch-checkpatch.sh OUTDIR}
if [ -r "$out/scripts/checkpatch.pl" ] && [ -r "$out/scripts/spelling.txt" ] &&
	[ -r "$out/scripts/const_structs.checkpatch" ]; then
	echo "$out/scripts/checkpatch.pl"
	exit 0
fi
tarball=$(ls /usr/src/linux-source-*.tar.* 2>/dev/null | sort -V | tail -n 1)
if [ -z "$tarball" ]; then
	echo "fetch-checkpatch.sh: no /usr/src/linux-source-*.tar.* (install linux-source)" >&2
	exit 1
fi
rm -rf "$out.tmp"
mkdir -p "$out.tmp"
tar -xf "$tarball" -C "$out.tmp" --strip-components=1 --wildcards \
	'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
	'*/scripts/const_structs.checkpatch'
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out/scripts/checkpatch.pl"
