# Sourced by tests/qemu/run.sh and tests/qemu/stress-run.sh: the guest's
# initramfs, the QEMU command line of each transport, and what counts as
# a kernel problem in its log. Paths must not contain spaces.

# What the kernel prints when something went wrong; any match fails a run.
KERNEL_PROBLEMS='BUG:|BUG [a-z]|kernel BUG|WARNING:|Oops|general protection|Call Trace|refcount_t:|use-after-free|Poison overwritten|Redzone|Object padding|Freepointer|SLUB: .*(corrupt|error)'

# build_initramfs: $OUT/initramfs.cpio.gz with busybox, /init ($VLAB_INIT or
# init), the virtio
# core modules of both transports, our modules, vlab-scenarios, the stress
# script, and a payload file the blk scenario writes ($OUT/payload.bin:
# 200000 random bytes, not a whole number of sectors).
build_initramfs() {
	vmlinuz="$KROOT/boot/vmlinuz-$KVER"
	kmods="$KROOT/lib/modules/$KVER"
	[ -r "$vmlinuz" ] || { echo "qemu: no kernel at $vmlinuz" >&2; exit 1; }
	busybox=$(command -v busybox || true)
	[ -n "$busybox" ] || { echo "qemu: busybox-static is not installed" >&2; exit 1; }
	staging="$OUT/initramfs"
	rm -rf "$staging"
	mkdir -p "$staging/bin" "$staging/proc" "$staging/sys" "$staging/dev" \
		"$staging/lib/modules"
	cp "$busybox" "$staging/bin/busybox"
	# VLAB_INIT: another /init (tests/qemu/vhost-init for qemu-vhost-test)
	cp "${VLAB_INIT:-$here/init}" "$staging/init"
	chmod 755 "$staging/init"
	cp "$here/stress.sh" "$staging/bin/vlab-stress"
	cp "$SCENARIOS" "$staging/bin/vlab-scenarios"
	head -c 200000 /dev/urandom >"$OUT/payload.bin"
	cp "$OUT/payload.bin" "$staging/payload.bin"
	# VLAB_EXTRA_MODULES: more of Debian's modules (the stock drivers)
	for m in virtio virtio_ring virtio_pci_legacy_dev virtio_pci_modern_dev \
		virtio_pci virtio_mmio ${VLAB_EXTRA_MODULES:-}; do
		ko=$(find "$kmods" -name "$m.ko" | head -n 1)
		[ -n "$ko" ] || { echo "qemu: $m.ko not found under $kmods" >&2; exit 1; }
		cp "$ko" "$staging/lib/modules/"
	done
	cp "$MODDIR"/*.ko "$staging/lib/modules/"
	(cd "$staging" && find . | cpio -o -H newc --quiet) | gzip -1 \
		>"$OUT/initramfs.cpio.gz"
}

# kernel_cmdline TRANSPORT: what the guest kernel is given. Under TCG the
# TSC calibration is unreliable; microvm's virtio-mmio devices are found
# through ACPI, which stays on.
kernel_cmdline() {
	echo "console=ttyS0 panic=-1 loglevel=4 tsc_early_khz=2400000 no_timer_check vlab.transport=$1"
}

# machine_args TRANSPORT DIR: set QEMU_ARGS to the machine with two
# devices of each kind, one split (packed=off) and one packed (packed=on);
# their disks (4 MiB of zeros) and console FIFOs in DIR.
machine_args() {
	t=$1
	d=$2
	mkdir -p "$d"
	if [ "$t" = mmio ]; then
		# QEMU's virtio-mmio is legacy (version 1) unless told: a legacy
		# device has 32 feature bits and cannot offer RING_PACKED (34)
		QEMU_ARGS="-machine microvm,acpi=on -accel tcg
			-global virtio-mmio.force-legacy=false"
		sfx=device
	else
		QEMU_ARGS="-machine pc -accel tcg"
		sfx=pci
	fi
	QEMU_ARGS="$QEMU_ARGS -m 512M -smp 2 -no-reboot -net none
		-kernel $KROOT/boot/vmlinuz-$KVER -initrd $OUT/initramfs.cpio.gz"
	for l in split packed; do
		p=off
		[ "$l" = packed ] && p=on
		rm -f "$d/disk-$l.img" "$d/con-$l.in" "$d/con-$l.out"
		truncate -s 4M "$d/disk-$l.img"
		mkfifo "$d/con-$l.in" "$d/con-$l.out"
		QEMU_ARGS="$QEMU_ARGS
		-drive file=$d/disk-$l.img,format=raw,if=none,id=disk-$l,cache=writeback
		-device virtio-blk-$sfx,drive=disk-$l,serial=vlab-$l,packed=$p
		-chardev pipe,id=con-$l,path=$d/con-$l
		-device virtio-serial-$sfx,id=ser-$l,packed=$p
		-device virtconsole,chardev=con-$l,bus=ser-$l.0"
		[ "${QEMU_RNG:-1}" = 0 ] ||
			QEMU_ARGS="$QEMU_ARGS -device virtio-rng-$sfx,packed=$p${QEMU_RNG_OPTS:-}"
	done
}
