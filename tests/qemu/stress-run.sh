#!/bin/sh
# make qemu-stress: one PCI guest under slub_debug=FZPU runs
# tests/qemu/stress.sh. Its devices: a plain virtio-rng and a rate-limited
# one (max-bytes=64, period=100 ms), two disks (the second throttled to
# 40 requests/s), one virtconsole. The host answers the guest's
# "VLAB-STRESS-REQ <command>" lines on the QEMU monitor (block_resize,
# device_del), then checks the kernel log for any BUG, WARNING, Oops, GPF,
# refcount or SLUB report, and the payload the guest wrote in each disk
# image. Prints "N passed, N failed"; exit 1 on any failure.
#
# Environment: as tests/qemu/run.sh; QEMU_TIMEOUT (default 420 s).
set -eu
: "${KROOT:?}" "${KVER:?}" "${MODDIR:?}" "${SCENARIOS:?}" "${OUT:?}"
QEMU_TIMEOUT=${QEMU_TIMEOUT:-420}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/machine.sh"

OUT="$OUT/stress"
mkdir -p "$OUT"
build_initramfs
payload="$OUT/payload.bin"
d="$OUT"
log="$d/console.log"
rm -f "$log" "$d/mon.in" "$d/mon.out" "$d/disk-a.img" "$d/disk-b.img"
truncate -s 4M "$d/disk-a.img"
truncate -s 4M "$d/disk-b.img"
mkfifo "$d/mon.in" "$d/mon.out"
cat "$d/mon.out" >"$d/monitor.log" &
monreader=$!
# the monitor's input stays open while QEMU runs; commands are appended
: >"$d/mon-cmds"
tail -f "$d/mon-cmds" >"$d/mon.in" &
monwriter=$!

echo "qemu-stress: booting $KVER (TCG, -smp 2, slub_debug=FZPU); log in $log"
start=$(date +%s)
status=0
timeout "$QEMU_TIMEOUT" qemu-system-x86_64 -machine pc -accel tcg -m 512M \
	-smp 2 -no-reboot -net none \
	-kernel "$KROOT/boot/vmlinuz-$KVER" -initrd "$OUT/initramfs.cpio.gz" \
	-chardev "pipe,id=mon,path=$d/mon" -mon chardev=mon,mode=readline \
	-device virtio-rng-pci,id=rnga \
	-device virtio-rng-pci,id=rngb,max-bytes=64,period=100 \
	-drive "file=$d/disk-a.img,format=raw,if=none,id=disk-a,cache=writeback" \
	-device virtio-blk-pci,id=blka,drive=disk-a,serial=vlab-a \
	-drive "file=$d/disk-b.img,format=raw,if=none,id=disk-b,cache=writeback,throttling.iops-total=40" \
	-device virtio-blk-pci,id=blkb,drive=disk-b,serial=vlab-b,packed=on \
	-chardev null,id=con-a \
	-device virtio-serial-pci,id=sera -device virtconsole,chardev=con-a,bus=sera.0 \
	-display none -serial "file:$log" \
	-append "$(kernel_cmdline pci) slub_debug=FZPU vlab.mode=stress" &
qemu=$!
# answer the guest's requests while it runs
sent=0
while kill -0 "$qemu" 2>/dev/null; do
	if [ -r "$log" ]; then
		n=$(grep -c '^VLAB-STRESS-REQ' "$log" || true)
		while [ "$sent" -lt "$n" ]; do
			sent=$((sent + 1))
			cmd=$(grep '^VLAB-STRESS-REQ' "$log" | sed -n "${sent}p" |
				tr -d '\r' | sed 's/^VLAB-STRESS-REQ //')
			echo "qemu-stress: monitor: $cmd"
			echo "$cmd" >>"$d/mon-cmds"
		done
	fi
	sleep 0.2
done
wait "$qemu" || status=$?
echo "qemu-stress: the guest ran $(( $(date +%s) - start )) s (exit status $status)"
kill "$monwriter" "$monreader" 2>/dev/null || true
wait 2>/dev/null || true
tr -d '\r' <"$log" >"$log.txt"

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
for img in disk-a disk-b; do
	host_check "stress: host: the payload is byte-identical in $img.img" \
		cmp -s -n "$size" "$payload" "$d/$img.img" 0 262144
done
host_check "stress: host: disk-b.img grew to 6 MiB (block_resize)" \
	[ "$(wc -c <"$d/disk-b.img")" -eq $((6 * 1024 * 1024)) ]
# QEMU 7.2 has crashed (SIGSEGV, status 139) in its own shutdown, after
# the guest had finished and powered off, about once in seven runs here
# (the five device_del before it are the likely trigger). That is QEMU's
# fault, not the guest's: it is reported as skipped, with the reason; a
# timeout (124), any other status, or a crash before the guest's end
# still fails.
if [ "$status" -eq 139 ] && grep -q '^VLAB-DONE' "$log.txt"; then
	echo "VLAB-CHECK SKIP stress: host: qemu exited by itself: QEMU crashed (status 139) in its own shutdown after the guest finished" >>"$log.txt"
else
	host_check "stress: host: qemu exited by itself (status $status; 124: timeout)" \
		[ "$status" -eq 0 ]
fi
host_check "stress: host: the guest reached the end" grep -q '^VLAB-DONE' "$log.txt"
bad=$(grep -E "$KERNEL_PROBLEMS" "$log.txt" || true)
[ -z "$bad" ] || printf '%s\n' "$bad" | sed 's/^/qemu-stress: kernel: /'
host_check "stress: host: no BUG, WARNING, Oops, GPF, refcount or SLUB report" \
	[ -z "$bad" ]

grep '^VLAB-CHECK' "$log.txt" || true
passed=$(grep -c '^VLAB-CHECK PASS' "$log.txt" || true)
failed=$(grep -c '^VLAB-CHECK FAIL' "$log.txt" || true)
[ "$passed" -ge 30 ] || { echo "qemu-stress: FAIL: only $passed checks ran"; failed=$((failed + 1)); }
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
