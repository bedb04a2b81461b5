#!/bin/sh
# Build the QEMU guest for virtio-lab and boot it: Debian's kernel, a busybox
# initramfs with the virtio core modules, our modules and vlab-scenarios,
# and three QEMU devices: virtio-rng-pci, virtio-blk-pci on a scratch image,
# virtio-serial-pci with a virtconsole port on two FIFOs the host feeds
# and reads.
#
#   tests/qemu/run.sh test   run the checks, parse the console, check the
#                            image and the console output on the host,
#                            print each driver's counts and "N passed,
#                            N failed"; exit 1 on any failure
#   tests/qemu/run.sh shell  an interactive guest with the drivers loaded
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
# the file the guest writes through /dev/vlab-blk: 200000 random bytes,
# not a whole number of sectors
payload="$OUT/payload.bin"
head -c 200000 /dev/urandom >"$payload"
cp "$payload" "$staging/payload.bin"
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
# The scratch disk: 4 MiB of zeros, written through /dev/vlab-blk.
disk="$OUT/disk.img"
rm -f "$disk"
truncate -s 4M "$disk"
# The console's host end: QEMU reads con.in and writes con.out.
rm -f "$OUT/con.in" "$OUT/con.out"
mkfifo "$OUT/con.in" "$OUT/con.out"
set -- -machine pc -accel tcg -m 512M -smp 1 -no-reboot -net none \
	-kernel "$vmlinuz" -initrd "$OUT/initramfs.cpio.gz" \
	-drive "file=$disk,format=raw,if=none,id=disk0,cache=writeback" \
	-device virtio-blk-pci,drive=disk0,serial=vlab-disk-0 \
	-chardev "pipe,id=con0,path=$OUT/con" \
	-device virtio-serial-pci -device virtconsole,chardev=con0
[ "$QEMU_RNG" = 0 ] || set -- "$@" -device virtio-rng-pci

if [ "$mode" = shell ]; then
	exec qemu-system-x86_64 "$@" -nographic \
		-append "console=ttyS0 panic=-1 loglevel=4 vlab.mode=shell"
fi

log="$OUT/console.log"
rm -f "$log"
echo "qemu: booting $KVER (TCG) with$([ "$QEMU_RNG" = 0 ] && echo "out") virtio-rng-pci, virtio-blk-pci, virtconsole; serial console in $log"
# The host end of the virtconsole: what the guest sends is kept in
# console-out.txt; the scenario's input waits in con.in, whose write end
# stays open while QEMU runs (an end of file would close the port).
"$SCENARIOS" console-expected >"$OUT/console-want.txt"
cat "$OUT/con.out" >"$OUT/console-out.txt" &
reader=$!
{ "$SCENARIOS" console-input; sleep "$QEMU_TIMEOUT"; } >"$OUT/con.in" &
writer=$!
status=0
timeout "$QEMU_TIMEOUT" qemu-system-x86_64 "$@" -display none -monitor none \
	-serial "file:$log" \
	-append "console=ttyS0 panic=-1 loglevel=4 vlab.mode=test" || status=$?
kill "$writer" 2>/dev/null || true
# QEMU's exit closed con.out: the reader ends once it has read it all
sleep 1
kill "$reader" 2>/dev/null || true
wait 2>/dev/null || true
[ -r "$log" ] || : >"$log"
tr -d '\r' <"$log" >"$log.txt"

# --- checks on the host side ------------------------------------------------
host_check() {
	name=$1
	shift
	if "$@"; then
		echo "VLAB-CHECK PASS $name" >>"$log.txt"
	else
		echo "VLAB-CHECK FAIL $name" >>"$log.txt"
	fi
}
size=$(wc -c <"$payload")
pad=$(( (512 - size % 512) % 512 ))
host_check "blk: host: the file written through /dev/vlab-blk is byte-identical in $disk" \
	cmp -s -n "$size" "$payload" "$disk" 0 262144
host_check "blk: host: its padding to a whole sector is zeros ($pad bytes)" \
	cmp -s -n "$pad" /dev/zero "$disk" 0 $((262144 + size))
host_check "console: host: the chardev received every line echoed" \
	cmp -s "$OUT/console-want.txt" "$OUT/console-out.txt"

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
for want in "rng: insmod vlab_rng" "rng: vlab_rng bound to a virtio device" \
	"rng: device status .* has DRIVER_OK" "rng: first read returns 64 bytes" \
	"rng: first read is not 64 equal bytes" "rng: the two reads differ" \
	"rng: rmmod vlab_rng" "rng: after remove the status is ACKNOWLEDGE only" \
	"rng: vlab_rng unbound" \
	"blk: insmod vlab_blk" "blk: vlab_blk bound" "blk: /dev/vlab-blk exists" \
	"blk: one sector: pread gives the same" "blk: 128 KiB: pread gives" \
	"blk: a write at the end of the disk fails with ENOSPC" "blk: fsync" \
	"blk: payload file: pread gives the same" \
	"blk: after remove the status is ACKNOWLEDGE only" \
	"blk: T_GET_ID gave the serial" "blk: host: the file written" \
	"console: insmod vlab_console" "console: vlab_console bound" \
	"console: the guest read exactly the host's" \
	"console: host: the chardev received every line echoed" \
	"console: after remove the status is ACKNOWLEDGE only"; do
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
# each driver's checks, as a summary
for d in core rng blk console; do
	p=$(grep -c "^VLAB-CHECK PASS $d:" "$log.txt" || true)
	f=$(grep -c "^VLAB-CHECK FAIL $d:" "$log.txt" || true)
	[ $((p + f)) -eq 0 ] || echo "qemu: $d: $p passed, $f failed"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
