# /bin/vlab-stress: sourced by /init with vlab.mode=stress (functions
# check, vdev_of come from there). What a kernel does to a driver besides
# calling it, under slub_debug=FZPU: insmod/rmmod under reader loops,
# unbind/bind under I/O, 16 concurrent readers, readers killed mid-wait
# on a rate-limited rng and a throttled disk, a capacity change, and
# device_del of every device with files open. The host (stress-run.sh)
# runs the QEMU monitor commands this script asks for with a line
# "VLAB-STRESS-REQ <command>", and checks the kernel log and the disks.

req() {
	echo "VLAB-STRESS-REQ $*"
}

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds; bounded
wait_for() {
	n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		usleep 100000
		n=$((n - 1))
	done
	return 1
}

nodes_of() {
	ls /dev/vlab-$1[0-9]* 2>/dev/null
}

mkdir -p /tmp
for mod in vlab_rng vlab_blk vlab_console; do
	check "stress: insmod $mod" insmod "/lib/modules/$mod.ko"
done
check "stress: two rng nodes, two blk nodes, one console node" \
	[ "$(ls /dev/vlab-rng* /dev/vlab-blk* /dev/vlab-console* | wc -l)" -eq 5 ]

# 1. insmod/rmmod loops under reader loops
readers=""
for n in $(nodes_of rng) $(nodes_of blk) $(nodes_of console); do
	# a console read waits for input that never comes: bounded
	( while :; do
		timeout 1 dd if="$n" of=/dev/null bs=512 count=1 2>/dev/null
		usleep 10000
	done ) &
	readers="$readers $!"
done
unloaded=0
for i in $(seq 10); do
	for mod in vlab_rng vlab_blk vlab_console; do
		rmmod "$mod" 2>/dev/null && unloaded=$((unloaded + 1))
		lsmod | grep -q "^$mod " || insmod "/lib/modules/$mod.ko"
	done
done
check "stress: 30 rmmod tries under reader loops, $unloaded unloaded, all loaded again" \
	sh -c '[ "$(lsmod | grep -c "^vlab_")" -eq 3 ]'

# 2. unbind/bind 20 times under I/O (the reader loops still run)
for kind in rng blk console; do
	mod=vlab_$kind
	for n in $(nodes_of "$kind"); do
		dev=$(vdev_of "$(basename "$n")")
		for i in $(seq 20); do
			echo "$dev" >"/sys/bus/virtio/drivers/$mod/unbind"
			echo "$dev" >"/sys/bus/virtio/drivers/$mod/bind"
		done
		check "stress: $kind: $dev unbound and bound 20 times, bound again" \
			[ -e "/sys/bus/virtio/drivers/$mod/$dev" ]
	done
done
# shellcheck disable=SC2086
kill -9 $readers 2>/dev/null
killall -9 dd 2>/dev/null
wait 2>/dev/null
check "stress: every node is back after unbind/bind" \
	[ "$(ls /dev/vlab-rng* /dev/vlab-blk* /dev/vlab-console* | wc -l)" -eq 5 ]

# 3. 16 concurrent readers per rng node
for n in $(nodes_of rng); do
	for i in $(seq 16); do
		dd if="$n" of="/tmp/r$i" bs=64 count=4 2>/dev/null &
	done
	wait
	bad=0
	for i in $(seq 16); do
		[ "$(wc -c <"/tmp/r$i")" -eq 256 ] || bad=$((bad + 1))
	done
	check "stress: $n: 16 concurrent readers got 256 bytes each ($bad short)" [ "$bad" -eq 0 ]
done

# 4. readers killed mid-wait (one rng is rate-limited, one disk throttled)
for n in $(nodes_of rng); do
	pids=""
	for i in $(seq 12); do
		dd if="$n" of=/dev/null bs=64 count=1000 2>/dev/null &
		pids="$pids $!"
	done
	sleep 1
	# shellcheck disable=SC2086
	kill -9 $pids 2>/dev/null
	wait 2>/dev/null
	check "stress: $n: after 12 killed readers a read still returns 16 bytes" \
		sh -c "[ \"\$(timeout 20 dd if=$n bs=16 count=1 2>/dev/null | wc -c)\" -eq 16 ]"
done
for n in $(nodes_of blk); do
	pids=""
	for i in $(seq 4); do
		dd if=/dev/zero of="$n" bs=65536 count=8 seek=$((i * 8)) 2>/dev/null &
		pids="$pids $!"
	done
	sleep 1
	# shellcheck disable=SC2086
	kill -9 $pids 2>/dev/null
	wait 2>/dev/null
	check "stress: $n: after killed writers another process reads without EIO" \
		timeout 60 dd if="$n" of=/dev/null bs=512 count=8
done

# the scenario on each disk: its payload file is checked on the host
for n in $(nodes_of blk); do
	/bin/vlab-scenarios blk "$n" /payload.bin |
		sed "s|^VLAB-CHECK \([A-Z]*\) |VLAB-CHECK \1 stress: $n |"
done

# 5. a capacity change: the second disk grows from 4 to 8 MiB
req block_resize disk-b 8M
check "stress: block_resize: sector 12000 (past the old 4 MiB end) is readable" \
	wait_for 30 sh -c "[ \"\$(dd if=/dev/vlab-blk1 bs=512 skip=12000 count=1 2>/dev/null | wc -c)\" -eq 512 ]"

# 6. device_del of every device with files open; the second disk has a
# capacity change its driver has not read yet (lseek would read it)
rm -f /tmp/go
for n in /dev/vlab-rng* /dev/vlab-blk* /dev/vlab-console*; do
	/bin/vlab-scenarios hold "$n" /tmp/go >"/tmp/hold-$(basename "$n").txt" &
done
for n in $(nodes_of rng); do
	dd if="$n" of=/dev/null bs=64 count=1000 2>/dev/null &
done
usleep 500000
req block_resize disk-b 6M
usleep 500000
for id in rnga rngb blka blkb sera; do
	req device_del "$id"
done
check "stress: device_del: every vlab node is gone" \
	wait_for 60 sh -c '! ls /dev/vlab-* >/dev/null 2>&1'
touch /tmp/go
wait
for f in /tmp/hold-*.txt; do
	check "stress: a file held open across device_del: $(tr '\n' ' ' <"$f")" \
		grep -q ' read ' "$f"
done
check "stress: no virtio device is left" \
	sh -c '[ -z "$(ls /sys/bus/virtio/devices)" ]'
for mod in vlab_rng vlab_blk vlab_console; do
	check "stress: rmmod $mod after the unplug" rmmod "$mod"
done
echo "VLAB-DMESG-BEGIN"
dmesg
echo "VLAB-DMESG-END"
