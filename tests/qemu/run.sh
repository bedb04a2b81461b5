#!/bin/sh
# Build the QEMU guest for virtio-lab and boot it: Debian's kernel, a busybox
# initramfs with the virtio core modules, our modules and vlab-scenarios.
#
# The matrix: two transports (virtio-pci on the pc machine, virtio-mmio on
# microvm) x two ring layouts (split, packed=on). One boot per transport
# covers both layouts: it holds two devices of each kind, one split and
# one packed, so it also checks that each driver binds a second device.
# Each device's checks count for its cell, transport/layout; the checks of
# the boot as a whole (modules, node count, the kernel log) for the
# transport. -smp 2 throughout.
#
#   tests/qemu/run.sh test   run the matrix, check the disk images and the
#                            console output on the host, print one summary
#                            line per cell and "N passed, N failed"; exit 1
#                            on any failure
#   tests/qemu/run.sh shell  an interactive guest (QEMU_TRANSPORT=pci|mmio)
#
# Environment: KROOT (unpacked kernel: boot/vmlinuz-KVER, lib/modules/KVER),
# KVER, MODDIR (our .ko files), SCENARIOS (the static vlab-scenarios),
# OUT (work directory), QEMU_RNG=0 leaves the virtio-rng devices out (to
# see the test fail), QEMU_TIMEOUT (seconds per boot, default 150),
# QEMU_TRANSPORTS (default "pci mmio"), QEMU_JOBS (boots at once, default 1),
# QEMU_ONLY=rng|blk|console: that driver alone (make grade LAB=N QEMU=1).
set -eu
mode=${1:-test}
: "${KROOT:?}" "${KVER:?}" "${MODDIR:?}" "${SCENARIOS:?}" "${OUT:?}"
QEMU_RNG=${QEMU_RNG:-1}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-150}
QEMU_TRANSPORTS=${QEMU_TRANSPORTS:-pci mmio}
QEMU_JOBS=${QEMU_JOBS:-1}
QEMU_ONLY=${QEMU_ONLY:-}
# wanted KIND: whether this run checks that driver
wanted() {
	[ -z "$QEMU_ONLY" ] || [ "$QEMU_ONLY" = "$1" ]
}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/machine.sh"

mkdir -p "$OUT"
build_initramfs
payload="$OUT/payload.bin"

if [ "$mode" = shell ]; then
	t=${QEMU_TRANSPORT:-pci}
	machine_args "$t" "$OUT/$t"
	# shellcheck disable=SC2086
	exec qemu-system-x86_64 $QEMU_ARGS -nographic \
		-append "$(kernel_cmdline "$t") vlab.mode=shell"
fi

# boot TRANSPORT: one guest, its log in $OUT/TRANSPORT/console.log.txt,
# the host-side checks appended to it
boot() {
	t=$1
	dir="$OUT/$t"
	rm -rf "$dir"
	mkdir -p "$dir"
	machine_args "$t" "$dir"
	log="$dir/console.log"
	"$SCENARIOS" console-expected >"$dir/console-want.txt"
	# The host end of each virtconsole: what the guest sends is kept in
	# console-out-LAYOUT.txt; the scenario's input waits in its .in FIFO,
	# whose write end stays open while QEMU runs (an end of file would
	# close the port).
	pids=""
	for l in split packed; do
		cat "$dir/con-$l.out" >"$dir/console-out-$l.txt" &
		pids="$pids $!"
		{ "$SCENARIOS" console-input; sleep "$QEMU_TIMEOUT"; } \
			>"$dir/con-$l.in" &
		pids="$pids $!"
	done
	status=0
	start=$(date +%s)
	# shellcheck disable=SC2086
	timeout "$QEMU_TIMEOUT" qemu-system-x86_64 $QEMU_ARGS -display none \
		-monitor none -serial "file:$log" \
		-append "$(kernel_cmdline "$t") vlab.mode=test${QEMU_ONLY:+ vlab.only=$QEMU_ONLY}" ||
		status=$?
	echo "qemu: $t: the guest ran $(( $(date +%s) - start )) s (exit status $status)"
	# QEMU's exit closed the .out FIFOs: the readers end once they read all
	# shellcheck disable=SC2086
	kill $pids 2>/dev/null || true
	wait 2>/dev/null || true
	[ -r "$log" ] || : >"$log"
	tr -d '\r' <"$log" >"$log.txt"
	host_checks "$t" "$dir" "$status" >>"$log.txt"
}

# host_checks TRANSPORT DIR STATUS: what only the host can see
host_checks() {
	t=$1
	dir=$2
	status=$3
	size=$(wc -c <"$payload")
	pad=$(( (512 - size % 512) % 512 ))
	for l in split packed; do
		wanted blk && host_check "$t/$l blk: host: the file written through the node is byte-identical in disk-$l.img" \
			cmp -s -n "$size" "$payload" "$dir/disk-$l.img" 0 262144
		wanted blk && host_check "$t/$l blk: host: its padding to a whole sector is zeros ($pad bytes)" \
			cmp -s -n "$pad" /dev/zero "$dir/disk-$l.img" 0 $((262144 + size))
		wanted console && host_check "$t/$l console: host: the chardev received every line echoed" \
			cmp -s "$dir/console-want.txt" "$dir/console-out-$l.txt"
	done
	host_check "$t core: qemu exited by itself (status $status; 124: timeout)" \
		[ "$status" -eq 0 ]
	host_check "$t core: the guest reached the end of its checks" \
		grep -q '^VLAB-DONE' "$dir/console.log.txt"
	bad=$(grep -E "$KERNEL_PROBLEMS" "$dir/console.log.txt" || true)
	[ -z "$bad" ] || printf '%s\n' "$bad" | sed 's/^/qemu: kernel: /' >&2
	host_check "$t core: no BUG, WARNING, Oops, GPF or SLUB report in the kernel log" \
		[ -z "$bad" ]
}

host_check() {
	name=$1
	shift
	if "$@"; then
		echo "VLAB-CHECK PASS $name"
	else
		echo "VLAB-CHECK FAIL $name"
	fi
}

set --
for t in $QEMU_TRANSPORTS; do
	set -- "$@" "$t"
done
echo "qemu: booting $KVER (TCG, -smp 2) once per transport: $*; $QEMU_JOBS at a time"
running=0
for t in "$@"; do
	boot "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$QEMU_JOBS" ]; then
		wait
		running=0
	fi
done
wait

# --- the verdict ----------------------------------------------------------
all="$OUT/all.log"
: >"$all"
for t in "$@"; do
	cat "$OUT/$t/console.log.txt" >>"$all"
done
grep '^VLAB-CHECK FAIL' "$all" || true
missing=0
for t in "$@"; do
	for l in split packed; do
		# checks each cell must contain, whatever happened
		for want in "rng: .* has DRIVER_OK" "rng: first read returns 64 bytes" \
			"rng: the two reads differ" "blk: .* has DRIVER_OK" \
			"blk: one sector: pread gives the same" "blk: 128 KiB: pread gives" \
			"blk: a write at the end of the disk fails with ENOSPC" "blk: fsync" \
			"blk: payload file: pread gives the same" "blk: host: the file written" \
			"console: .* has DRIVER_OK" "console: the guest read exactly the host's" \
			"console: host: the chardev received every line echoed" \
			"core: after remove .* ACKNOWLEDGE only"; do
			kind=${want%%:*}
			[ "$kind" = core ] || wanted "$kind" || continue
			if ! grep -q "^VLAB-CHECK PASS $t/$l $want" "$all"; then
				echo "qemu: FAIL: $t/$l: no passing check \"$want\""
				missing=$((missing + 1))
			fi
		done
	done
	for want in "rng: two nodes" "blk: two nodes" "console: two nodes" \
		"rng: one split and one packed" "core: rmmod vlab_console" \
		"core: no BUG"; do
		kind=${want%%:*}
		[ -z "$QEMU_ONLY" ] || [ "$kind" = core ] || wanted "$kind" || continue
		[ -z "$QEMU_ONLY" ] || [ "$want" != "core: rmmod vlab_console" ] ||
			want="core: rmmod vlab_$QEMU_ONLY"
		if ! grep -q "^VLAB-CHECK PASS $t $want" "$all"; then
			echo "qemu: FAIL: $t: no passing check \"$want\""
			missing=$((missing + 1))
		fi
	done
done
for t in "$@"; do
	for cell in "$t/split" "$t/packed" "$t"; do
		p=$(grep -c "^VLAB-CHECK PASS $cell " "$all" || true)
		f=$(grep -c "^VLAB-CHECK FAIL $cell " "$all" || true)
		case $cell in
		*/*) echo "qemu: cell $cell: $p passed, $f failed" ;;
		*) echo "qemu: boot $cell (modules, nodes, kernel log): $p passed, $f failed" ;;
		esac
	done
done
passed=$(grep -c '^VLAB-CHECK PASS' "$all" || true)
failed=$(( $(grep -c '^VLAB-CHECK FAIL' "$all" || true) + missing ))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
