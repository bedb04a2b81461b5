#!/bin/sh
# Install the Debian packages a virtio-lab task needs, and only those that
# are missing. Uses sudo when not root. Safe to run again and again.
#
#   scripts/install-deps.sh test    CUnit, and Graphviz to check that
#                                   the --dot files render (make test)
#   scripts/install-deps.sh docs    Doxygen, Graphviz, python3, linkchecker (make docs)
#   scripts/install-deps.sh graphviz  Graphviz alone (make dot-svg)
#   scripts/install-deps.sh qemu    kernel headers, QEMU, busybox, cpio,
#                                   sparse and linux-source (checkpatch.pl)
#                                   (make module, qemu-test, qemu-stress)
#   scripts/install-deps.sh labs    what the lab machinery needs: python3,
#                                   binutils (objcopy), CUnit (make lab,
#                                   grade, course, bulk, labs-check)
#   scripts/install-deps.sh all     everything above
set -eu

case "${1:-all}" in
test) pkgs="gcc make libc6-dev linux-libc-dev libcunit1-dev graphviz" ;;
docs) pkgs="doxygen graphviz python3 linkchecker" ;;
graphviz) pkgs="graphviz" ;;
labs) pkgs="gcc make libc6-dev linux-libc-dev libcunit1-dev python3 binutils" ;;
qemu) pkgs="gcc make libc6-dev linux-headers-amd64 qemu-system-x86 busybox-static
	cpio sparse linux-source xz-utils perl" ;;
all) pkgs="gcc make libc6-dev linux-libc-dev libcunit1-dev doxygen graphviz python3 binutils
	linux-headers-amd64 qemu-system-x86 busybox-static cpio sparse
	linux-source xz-utils perl python3 linkchecker" ;;
*)
	echo "install-deps.sh: unknown group '$1' (test, docs, graphviz, labs, qemu, all)" >&2
	exit 2
	;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "install-deps.sh: not a Debian system; install these yourself: $pkgs" >&2
	exit 1
fi

missing=""
for p in $pkgs; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	as_root=""
elif command -v sudo >/dev/null 2>&1; then
	as_root="sudo"
	echo "install-deps.sh: installing$missing (asking sudo)" >&2
else
	echo "install-deps.sh: missing$missing and not root (no sudo): install them as root" >&2
	exit 1
fi
echo "install-deps.sh: apt-get install$missing" >&2
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
# shellcheck disable=SC2086
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >&2
