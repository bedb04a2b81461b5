#!/bin/sh
# make qemu-vhost-test: real Linux drivers drive virtio-lab's devices.
# `vlab serve rng` and `vlab serve blk` listen on two sockets; QEMU (TCG)
# boots Debian's kernel with vhost-user-rng-pci and vhost-user-blk-pci on
# them and guest memory from memory-backend-memfd,share=on, which the
# back-ends map. The guest (tests/qemu/vhost-init) runs Debian's
# virtio_rng and virtio_blk, then our vlab_rng and vlab_blk, on the same
# devices. The host then checks what only it can see: the disk file holds
# what each driver wrote, each back-end ended cleanly with no device
# error, and the blk trace shows the kernel's requests and their buffers.
# Ends with "N passed, N failed"; exit 1 on any failure.
#
# Environment: KROOT, KVER, MODDIR, SCENARIOS, OUT as for run.sh; VLAB
# (the vlab command); QEMU_TIMEOUT (seconds, default 150).
set -eu
: "${KROOT:?}" "${KVER:?}" "${MODDIR:?}" "${SCENARIOS:?}" "${OUT:?}" "${VLAB:?}"
QEMU_TIMEOUT=${QEMU_TIMEOUT:-150}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/machine.sh"

mkdir -p "$OUT"
VLAB_INIT="$here/vhost-init" VLAB_EXTRA_MODULES="virtio_blk virtio-rng" \
	build_initramfs
payload="$OUT/payload.bin"
d="$OUT/run"
rm -rf "$d"
mkdir -p "$d"
log="$d/console.log"
checks="$d/checks.txt"
: >"$checks"
truncate -s 4M "$d/disk.img"

host_check() {
	name=$1
	shift
	if "$@"; then
		echo "VLAB-CHECK PASS $name" >>"$checks"
	else
		echo "VLAB-CHECK FAIL $name" >>"$checks"
	fi
}

# the back-ends: each serves one front-end and exits when it goes away
"$VLAB" serve rng --vhost-user "$d/rng.sock" --trace >"$d/serve-rng.log" \
	2>"$d/serve-rng.err" &
rng_pid=$!
"$VLAB" serve blk --vhost-user "$d/blk.sock" --disk "$d/disk.img" \
	--seg-max 126 --trace >"$d/serve-blk.log" 2>"$d/serve-blk.err" &
blk_pid=$!
for i in $(seq 50); do
	[ -S "$d/rng.sock" ] && [ -S "$d/blk.sock" ] && break
	sleep 0.1
done

echo "qemu: booting $KVER (TCG) with vhost-user-rng-pci and vhost-user-blk-pci served by vlab serve; serial console in $log"
status=0
start=$(date +%s)
timeout "$QEMU_TIMEOUT" qemu-system-x86_64 \
	-machine pc,memory-backend=mem -accel tcg -m 512M -smp 1 \
	-object memory-backend-memfd,id=mem,size=512M,share=on \
	-no-reboot -net none -display none -monitor none -serial "file:$log" \
	-kernel "$KROOT/boot/vmlinuz-$KVER" -initrd "$OUT/initramfs.cpio.gz" \
	-append "$(kernel_cmdline pci) vlab.mode=vhost" \
	-chardev socket,id=vrng,path="$d/rng.sock" \
	-device vhost-user-rng-pci,chardev=vrng \
	-chardev socket,id=vblk,path="$d/blk.sock" \
	-device vhost-user-blk-pci,chardev=vblk,num-queues=1 \
	>"$d/qemu.out" 2>&1 || status=$?
echo "qemu: the guest ran $(( $(date +%s) - start )) s (exit status $status)"

# QEMU is gone: each back-end must notice and end by itself, promptly
wait_exit() {
	pid=$1
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		sleep 1
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		return 1
	fi
	wait "$pid"
}
rng_status=0
wait_exit "$rng_pid" || rng_status=$?
blk_status=0
wait_exit "$blk_pid" || blk_status=$?

[ -r "$log" ] || : >"$log"
tr -d '\r' <"$log" >"$log.txt"
grep '^VLAB-CHECK' "$log.txt" >>"$checks" || true
size=$(wc -c <"$payload")
host_check "host: qemu exited by itself (status $status; 124: timeout)" \
	[ "$status" -eq 0 ]
host_check "host: the guest reached the end of its checks" \
	grep -q '^VLAB-DONE' "$log.txt"
bad=$(grep -E "$KERNEL_PROBLEMS" "$log.txt" || true)
[ -z "$bad" ] || printf '%s\n' "$bad" | sed 's/^/qemu: kernel: /' >&2
host_check "host: no BUG, WARNING, Oops or SLUB report in the kernel log" \
	[ -z "$bad" ]
host_check "host: stock blk: the payload virtio_blk wrote is in disk.img at 512 KiB" \
	cmp -s -n "$size" "$payload" "$d/disk.img" 0 524288
host_check "host: ours blk: the payload vlab_blk wrote is in disk.img at 256 KiB" \
	cmp -s -n "$size" "$payload" "$d/disk.img" 0 262144
for dev in rng blk; do
	eval st=\$${dev}_status
	host_check "host: vlab serve $dev ended by itself with status 0 when QEMU left ($st)" \
		[ "$st" -eq 0 ]
	host_check "host: vlab serve $dev: no device error" \
		grep -q ' 0 device errors$' "$d/serve-$dev.err"
	host_check "host: vlab serve $dev: no message refused" \
		grep -q ', 0 refused;' "$d/serve-$dev.err"
	host_check "host: vlab serve $dev: the trace has pops with their buffers" \
		sh -c "grep -q ' pop ' '$d/serve-$dev.log' && grep -q 'buffer 0: ' '$d/serve-$dev.log'"
done
host_check "host: vlab serve blk: the trace shows the kernel's writes, reads and flushes" \
	sh -c "grep -q 'T_OUT (write)' '$d/serve-blk.log' && grep -q 'T_IN (read)' '$d/serve-blk.log' && grep -q 'T_FLUSH' '$d/serve-blk.log'"

# checks the run must contain, whatever happened
missing=0
for want in "stock rng: virtio_rng bound" "stock rng: status .* has DRIVER_OK" \
	"stock rng: two reads differ" "stock blk: virtio_blk bound" \
	"stock blk: read back after dropping the cache" \
	"ours rng: vlab_rng bound" "ours rng: first read returns 64 bytes" \
	"ours blk: vlab_blk bound" "ours blk: payload file: pread gives the same" \
	"ours blk: fsync" "host: stock blk: the payload" "host: ours blk: the payload"; do
	if ! grep -q "^VLAB-CHECK PASS $want" "$checks"; then
		echo "qemu: FAIL: no passing check \"$want\""
		missing=$((missing + 1))
	fi
done
cat "$checks"
grep -h 'vlab serve' "$d/serve-rng.err" "$d/serve-blk.err" | sed 's/^/host: /'
passed=$(grep -c '^VLAB-CHECK PASS' "$checks" || true)
failed=$(( $(grep -c '^VLAB-CHECK FAIL' "$checks" || true) + missing ))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
