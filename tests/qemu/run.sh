#!/bin/sh
# Build the QEMU guest for virtio-lab and boot it: Debian's kernel, a busybox
# initramfs with the virtio core modules, our modules and vlab-scenarios.
#
#   tests/qemu/run.sh test   run the checks, parse the console, print
#                            "N passed, N failed"; exit 1 on any failure
#   tests/qemu/run.sh shell  an interactive guest with vlab_rng loaded
#
# Environment: KROOT (unpacked kernel: boot/vmlinuz-KVER, lib/modules/KVER),
# KVER, MODDIR (our .ko files), SCENARIOS (the static vlab-scenarios),
# OUT (work directory), QEMU_RNG=0 leaves the virtio-rng device out (to
# see the test fail), QEMU_TIMEOUT (seconds, default 240).
set -eu
mode=${1:-test}
: "${KROOT:?}" "${KVER:?}" "${MODDIR:?}" "${SCENARIOS:?}" "${OUT:?}"
QEMU_RNG=${QEMU_RNG:-1}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-240}
here=$(cd "$(dirname "$0")" && pwd)

vmlinuz="$KROOT/boot/vmlinuz-$KVER"
kmods="$KROOT/lib/modules/$KVER"
[ -r "$vmlinuz" ] || { echo "qemu: no kernel at $vmlinuz" >&2; exit 1; }
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || { echo "qemu: busybox-static is not installed" >&2; exit 1; }

# --- the initramfs --------------------------------------------------------
staging="$OUT/initramfs"
rm -rf "$staging"
mkdir -p "$staging/bin" "$staging/proc" "$staging/sys" "$staging/dev" \
	"$staging/lib/modules"
cp "$busybox" "$staging/bin/busybox"
cp "$here/init" "$staging/init"
chmod 755 "$staging/init"
cp "$SCENARIOS" "$staging/bin/vlab-scenarios"
for m in virtio virtio_ring virtio_pci_legacy_dev virtio_pci_modern_dev \
	virtio_pci; do
	ko=$(find "$kmods" -name "$m.ko" | head -n 1)
	[ -n "$ko" ] || { echo "qemu: $m.ko not found under $kmods" >&2; exit 1; }
	cp "$ko" "$staging/lib/modules/"
done
cp "$MODDIR"/*.ko "$staging/lib/modules/"
(cd "$staging" && find . | cpio -o -H newc --quiet) | gzip -1 \
	>"$OUT/initramfs.cpio.gz"

# --- the machine ----------------------------------------------------------
set -- -machine pc -accel tcg -m 512M -smp 1 -no-reboot -net none \
	-kernel "$vmlinuz" -initrd "$OUT/initramfs.cpio.gz"
[ "$QEMU_RNG" = 0 ] || set -- "$@" -device virtio-rng-pci

if [ "$mode" = shell ]; then
	exec qemu-system-x86_64 "$@" -nographic \
		-append "console=ttyS0 panic=-1 loglevel=4 vlab.mode=shell"
fi

log="$OUT/console.log"
rm -f "$log"
echo "qemu: booting $KVER (TCG) with$([ "$QEMU_RNG" = 0 ] && echo "out") virtio-rng-pci; console in $log"
status=0
timeout "$QEMU_TIMEOUT" qemu-system-x86_64 "$@" -display none -monitor none \
	-serial "file:$log" \
	-append "console=ttyS0 panic=-1 loglevel=4 vlab.mode=test" || status=$?
[ -r "$log" ] || : >"$log"
tr -d '\r' <"$log" >"$log.txt"

# --- the verdict ----------------------------------------------------------
grep '^VLAB-CHECK' "$log.txt" || true
passed=$(grep -c '^VLAB-CHECK PASS' "$log.txt" || true)
failed=$(grep -c '^VLAB-CHECK FAIL' "$log.txt" || true)
if [ "$status" -eq 124 ]; then
	echo "qemu: FAIL: the guest did not finish within $QEMU_TIMEOUT s"
	failed=$((failed + 1))
elif [ "$status" -ne 0 ]; then
	echo "qemu: FAIL: qemu exited with status $status"
	failed=$((failed + 1))
fi
if ! grep -q '^VLAB-DONE' "$log.txt"; then
	echo "qemu: FAIL: the guest never reached the end of its checks"
	failed=$((failed + 1))
fi
# Checks the run must contain, whatever happened
for want in "insmod vlab_rng" "vlab_rng bound to a virtio device" \
	"has DRIVER_OK" "rng: first read returns 64 bytes" \
	"rng: first read is not 64 equal bytes" "rng: the two reads differ" \
	"rmmod vlab_rng" "after remove the status is ACKNOWLEDGE only" \
	"vlab_rng unbound"; do
	if ! grep -q "^VLAB-CHECK PASS .*$want" "$log.txt"; then
		echo "qemu: FAIL: no passing check \"$want\""
		failed=$((failed + 1))
	fi
done
bad=$(grep -E 'BUG:|WARNING:|Oops|general protection|Call Trace' "$log.txt" || true)
if [ -n "$bad" ]; then
	echo "qemu: FAIL: the kernel reported a problem:"
	echo "$bad"
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
