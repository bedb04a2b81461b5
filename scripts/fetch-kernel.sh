#!/bin/sh
# Put the Debian kernel that matches a headers tree under build/qemu/kernel:
# vmlinuz and its modules, unpacked from the linux-image package with
# apt-get download + dpkg-deb -x (no install, no initramfs rebuild).
# A kernel already in /boot with its modules in /lib/modules is used as is.
#
#   scripts/fetch-kernel.sh KVER OUTDIR
# prints the directory that holds boot/vmlinuz-KVER and lib/modules/KVER.
set -eu
kver=${1:?usage: fetch-kernel.sh KVER OUTDIR}
out=${2:?usage: fetch-kernel.sh KVER OUTDIR}

if [ -r "/boot/vmlinuz-$kver" ] && [ -d "/lib/modules/$kver/kernel" ]; then
	echo /
	exit 0
fi
root="$out/root-$kver"
if [ -r "$root/boot/vmlinuz-$kver" ] && [ -d "$root/lib/modules/$kver" ]; then
	echo "$root"
	exit 0
fi
mkdir -p "$out/deb"
cd "$out/deb"
for pkg in "linux-image-$kver-unsigned" "linux-image-$kver"; do
	if apt-get download "$pkg" >&2 2>/dev/null; then
		break
	fi
done
deb=$(ls -t ./linux-image-"$kver"*.deb 2>/dev/null | head -n 1)
if [ -z "$deb" ]; then
	echo "fetch-kernel.sh: cannot download linux-image-$kver (apt-get update first?)" >&2
	exit 1
fi
rm -rf "$root.tmp"
dpkg-deb -x "$deb" "$root.tmp"
rm -rf "$root"
mv "$root.tmp" "$root"
echo "$root"
