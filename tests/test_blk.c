// SPDX-License-Identifier: GPL-2.0
/**
 * @file
 * @brief The block device and driver/vlab_blk.c, over the ring-feature
 * matrix: the shared scenario, file backing, every feature bit the
 * driver honours, and the device's answers to requests the real driver
 * never sends (through a raw in-test driver).
 *
 * Guest code (built like a driver): the raw driver here uses the
 * virtqueue API directly to send what vlab_blk.c refuses to send.
 */
#include <linux/completion.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/blk.h"
#include "sim/sched.h"
#include "tests/harness.h"
#include "tests/scenarios/program.h"
#include "virtio/shared/boundary.h"

/** Disk size of most tests: 1 MiB. */
#define DISK (1024 * 1024)

/** The device's state, as the simulator keeps it. */
static struct vlab_blk_dev blk;
/** The raw driver's queue, when bound. */
static struct virtqueue *raw_vq;
/** The raw driver's device, when bound. */
static struct virtio_device *raw_vdev;
/** The raw driver's completion. */
static struct completion raw_done;
/** Bytes the device said it wrote, for the last raw request. */
static unsigned int raw_len;

/**
 * raw_callback() - the raw driver's used-buffer callback.
 * @param vq the queue.
 */
static void raw_callback(struct virtqueue *vq)
{
	unsigned int len;

	while (virtqueue_get_buf(vq, &len)) {
		raw_len = len;
		complete(&raw_done);
	}
}

/**
 * raw_probe() - bind the raw driver: one queue, ready.
 * @param vdev the device.
 * @return 0 or a negative errno.
 */
static int raw_probe(struct virtio_device *vdev)
{
	raw_vq = virtio_find_single_vq(vdev, raw_callback, "raw");
	if (IS_ERR(raw_vq))
		return PTR_ERR(raw_vq);
	init_completion(&raw_done);
	raw_vdev = vdev;
	virtio_device_ready(vdev);
	return 0;
}

/** Header of a request whose sender was killed: the device may hold it. */
static struct virtio_blk_outhdr *raw_orphan_hdr;
/** Data and status of that request. */
static u8 *raw_orphan_data;

/**
 * raw_remove() - unbind the raw driver; a killed sender's request is
 * freed only now, once the reset took it back from the device.
 * @param vdev the device.
 */
static void raw_remove(struct virtio_device *vdev)
{
	virtio_reset_device(vdev);
	while (virtqueue_detach_unused_buf(raw_vq))
		;
	vdev->config->del_vqs(vdev);
	raw_vq = NULL;
	kfree(raw_orphan_hdr);
	kfree(raw_orphan_data);
	raw_orphan_hdr = NULL;
	raw_orphan_data = NULL;
}

/** Every block device. */
static const struct virtio_device_id raw_ids[] = {
	{ VIRTIO_ID_BLOCK, VIRTIO_DEV_ANY_ID },
	{ 0 },
};

/** It accepts every limit, to be held to it. */
static const unsigned int raw_features[] = {
	VIRTIO_BLK_F_SIZE_MAX, VIRTIO_BLK_F_SEG_MAX, VIRTIO_BLK_F_RO,
	VIRTIO_BLK_F_BLK_SIZE, VIRTIO_BLK_F_FLUSH,
};

/** The raw driver: it takes whatever the device offers. */
static struct virtio_driver raw_driver = {
	.driver.name = KBUILD_MODNAME,
	.id_table = raw_ids,
	.feature_table = raw_features,
	.feature_table_size = ARRAY_SIZE(raw_features),
	.probe = raw_probe,
	.remove = raw_remove,
};

module_virtio_driver(raw_driver);

/**
 * raw_request() - send one request as given: a header, @p nout readable
 * data buffers of @p seg bytes, @p nin writable data buffers of @p seg
 * bytes, and a status byte unless @p no_status.
 * @param type VIRTIO_BLK_T_*.
 * @param sector first sector.
 * @param nout readable data buffers.
 * @param nin writable data buffers.
 * @param seg bytes in each.
 * @param no_status leave the status byte out (a broken request).
 * @return the status byte the device wrote, or -1 when no answer came.
 */
static int raw_request(u32 type, u64 sector, unsigned int nout,
		       unsigned int nin, unsigned int seg, bool no_status)
{
	struct scatterlist sg[16], *sgs[16];
	struct virtio_blk_outhdr *hdr = kzalloc(sizeof(*hdr), GFP_KERNEL);
	u8 *data = kzalloc((nout + nin) * seg + 1, GFP_KERNEL);
	unsigned int i, n = 0;
	int ret = -1;

	hdr->type = cpu_to_virtio32(raw_vdev, type);
	hdr->sector = cpu_to_virtio64(raw_vdev, sector);
	memset(data, 0xa5, (nout + nin) * seg);
	data[(nout + nin) * seg] = 0xff;
	sg_init_one(&sg[n], hdr, sizeof(*hdr));
	sgs[n] = &sg[n];
	n++;
	for (i = 0; i < nout + nin; i++, n++) {
		sg_init_one(&sg[n], data + i * seg, seg);
		sgs[n] = &sg[n];
	}
	if (!no_status) {
		sg_init_one(&sg[n], data + (nout + nin) * seg, 1);
		sgs[n] = &sg[n];
		n++;
	}
	reinit_completion(&raw_done);
	if (!virtqueue_add_sgs(raw_vq, sgs, 1 + nout, n - 1 - nout, hdr,
			       GFP_KERNEL)) {
		virtqueue_kick(raw_vq);
		if (wait_for_completion_killable(&raw_done)) {
			/* killed: the buffers stay the device's until reset */
			raw_orphan_hdr = hdr;
			raw_orphan_data = data;
			return ret;
		}
		ret = data[(nout + nin) * seg];
	}
	kfree(data);
	kfree(hdr);
	return ret;
}

/**
 * boot_blk() - a machine with a block device.
 * @param o what it offers.
 * @param module the driver to load: "vlab_blk" or KBUILD_MODNAME.
 * @return the device.
 */
static struct vlab_device *boot_blk(const struct vlab_blk_opts *o,
				    const char *module)
{
	struct vlab_device *dev;
	char err[200];

	if (vlab_blk_init(&blk, o, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	dev = harness_boot(&blk.model, &blk, "blk0");
	if (dev && guest_module_load(module)) {
		harness_shutdown();
		dev = NULL;
	}
	if (!dev)
		vlab_blk_fini(&blk);
	return dev;
}

/**
 * shut() - shut the machine down and free the disk.
 */
static void shut(void)
{
	harness_shutdown();
	vlab_blk_fini(&blk);
}

/**
 * payload() - a test file's bytes: not a multiple of 512, none alike
 * for long.
 * @param buf receives them.
 * @param n how many.
 */
static void payload(uint8_t *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)((i * 2654435761u) >> 13);
}

/**
 * last_error_has() - whether the device's last broken rule mentions
 * @p needle.
 * @param dev the device.
 * @param needle the text.
 * @return true when it does.
 */
static bool last_error_has(struct vlab_device *dev, const char *needle)
{
	bool has;

	vlab_mutex_lock(&dev->lock);
	has = strstr(dev->last_error, needle) != NULL;
	vlab_mutex_unlock(&dev->lock);
	return has;
}

/** The open /dev/vlab-blk0 of test_capacity_change(). */
static int cap_fd;

/**
 * shrunk() - whether the driver sees the new, smaller disk.
 * @param arg unused.
 * @return true once lseek(SEEK_END) gives 1024 sectors.
 */
static bool shrunk(void *arg)
{
	(void)arg;
	return guest_lseek(cap_fd, 0, SEEK_END) == 1024 * 512;
}

/**
 * stat_of() - a device counter, read atomically.
 * @param counter the counter.
 * @return its value.
 */
static unsigned long stat_of(const unsigned long *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

/** The scenario the QEMU run checks too, on a memory disk. */
static void test_shared_scenario(void)
{
	struct vlab_blk_opts o = { .mem_bytes = DISK, .flush = true,
				   .seg_max = 126, .blk_size = 512 };
	static uint8_t want[100001], got[100352];
	struct scenario_result r = { 0, 0 };
	struct vlab_device *dev = boot_blk(&o, "vlab_blk");

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	payload(want, sizeof(want));
	scenario_blk(&vlab_prog_sys, &r, SCENARIO_BLK_NODE, want,
		     sizeof(want));
	CU_ASSERT_EQUAL(r.failed, 0);
	CU_ASSERT_EQUAL(r.passed, 15);
	/* the payload and its zero padding are in the image */
	CU_ASSERT_EQUAL(vlab_blk_peek(&blk, SCENARIO_BLK_PAYLOAD_OFFSET, got,
				      sizeof(got)), 0);
	CU_ASSERT_EQUAL(memcmp(got, want, sizeof(want)), 0);
	CU_ASSERT_EQUAL(got[sizeof(want)], 0);
	CU_ASSERT_EQUAL(got[sizeof(got) - 1], 0);
	CU_ASSERT(stat_of(&blk.stats.flushes) >= 2);
	CU_ASSERT_EQUAL(stat_of(&blk.stats.ioerr), 0);
	CU_ASSERT_EQUAL(harness_dev_errors(dev), 0);
	CU_ASSERT_EQUAL(guest_kernel_warnings(), 0);
	shut();
}

/** With a file behind the disk, the written bytes are in the file. */
static void test_file_backing(void)
{
	static uint8_t want[70000], got[70144];
	struct vlab_blk_opts o = { .flush = true };
	struct scenario_result r = { 0, 0 };
	FILE *tmp = tmpfile();	/* unnamed: gone when closed */
	char path[64];
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
	fd = fileno(tmp);
	/* the device opens it by name, as vlab run blk --disk does */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	o.path = path;
	CU_ASSERT_FATAL(ftruncate(fd, 2 * DISK) == 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(boot_blk(&o, "vlab_blk"));
	payload(want, sizeof(want));
	scenario_blk(&vlab_prog_sys, &r, SCENARIO_BLK_NODE, want,
		     sizeof(want));
	CU_ASSERT_EQUAL(r.failed, 0);
	shut();
	/* read the host file itself, after the machine is gone */
	CU_ASSERT_EQUAL(pread(fd, got, sizeof(got),
			      SCENARIO_BLK_PAYLOAD_OFFSET),
			(ssize_t)sizeof(got));
	CU_ASSERT_EQUAL(memcmp(got, want, sizeof(want)), 0);
	CU_ASSERT_EQUAL(got[sizeof(got) - 1], 0);
	fclose(tmp);
}

/**
 * §5.2.6: the status byte is the request's outcome. A disk whose backing
 * file shrank under it answers IOERR, and the driver's read() and
 * write() must say EIO, not pass on bytes the device never wrote.
 */
static void test_ioerr_reaches_caller(void)
{
	struct vlab_blk_opts o = { 0 };
	FILE *tmp = tmpfile();	/* unnamed: gone when closed */
	uint8_t buf[512];
	char path[64];
	int fd, node;

	CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
	fd = fileno(tmp);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	o.path = path;
	CU_ASSERT_FATAL(ftruncate(fd, DISK) == 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(boot_blk(&o, "vlab_blk"));
	node = guest_open(SCENARIO_BLK_NODE);
	CU_ASSERT_FATAL(node >= 0);
	CU_ASSERT_EQUAL(guest_pread(node, buf, sizeof(buf), 0), 512);
	/* the host file loses its bytes: the device's reads come up short */
	CU_ASSERT_FATAL(ftruncate(fd, 0) == 0);
	CU_ASSERT_EQUAL(guest_pread(node, buf, sizeof(buf), 0), -EIO);
	CU_ASSERT_EQUAL(stat_of(&blk.stats.ioerr), 1);
	CU_ASSERT_EQUAL(guest_close(node), 0);
	shut();
	fclose(tmp);
}

/** RO: the driver refuses to write, reads still work, nothing changes. */
static void test_read_only(void)
{
	struct vlab_blk_opts o = { .mem_bytes = DISK, .ro = true };
	uint8_t buf[512], disk[512];
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(boot_blk(&o, "vlab_blk"));
	fd = guest_open(SCENARIO_BLK_NODE);
	CU_ASSERT_FATAL(fd >= 0);
	memset(buf, 0x5a, sizeof(buf));
	CU_ASSERT_EQUAL(guest_pwrite(fd, buf, sizeof(buf), 0), -EROFS);
	CU_ASSERT_EQUAL(guest_pread(fd, buf, sizeof(buf), 0), 512);
	CU_ASSERT_EQUAL(guest_close(fd), 0);
	CU_ASSERT_EQUAL(stat_of(&blk.stats.writes), 0);
	CU_ASSERT_EQUAL(vlab_blk_peek(&blk, 0, disk, sizeof(disk)), 0);
	CU_ASSERT_EQUAL(disk[0], 0);
	shut();
}

/** §5.2.6.2: a write sent to a read-only disk anyway gets IOERR. */
static void test_device_ro_write_ioerr(void)
{
	struct vlab_blk_opts o = { .mem_bytes = DISK, .ro = true };
	uint8_t disk[512];

	CU_ASSERT_PTR_NOT_NULL_FATAL(boot_blk(&o, KBUILD_MODNAME));
	CU_ASSERT_EQUAL(raw_request(VIRTIO_BLK_T_OUT, 0, 1, 0, 512, false),
			VIRTIO_BLK_S_IOERR);
	CU_ASSERT_EQUAL(raw_len, 1);	/* only the status byte */
	CU_ASSERT_EQUAL(vlab_blk_peek(&blk, 0, disk, sizeof(disk)), 0);
	CU_ASSERT_EQUAL(disk[0], 0);	/* nothing written */
	shut();
}

/** Past the end, half past the end, not whole sectors: IOERR. */
static void test_device_bad_sector(void)
{
	struct vlab_blk_opts o = { .mem_bytes = DISK };
	u64 cap = DISK / 512;

	CU_ASSERT_PTR_NOT_NULL_FATAL(boot_blk(&o, KBUILD_MODNAME));
	CU_ASSERT_EQUAL(raw_request(VIRTIO_BLK_T_IN, cap, 0, 1, 512, false),
			VIRTIO_BLK_S_IOERR);
	CU_ASSERT_EQUAL(raw_request(VIRTIO_BLK_T_OUT, cap - 1, 2, 0, 512,
				    false), VIRTIO_BLK_S_IOERR);
	CU_ASSERT_EQUAL(raw_request(VIRTIO_BLK_T_IN, ~0ULL, 0, 1, 512, false),
			VIRTIO_BLK_S_IOERR);
	CU_ASSERT_EQUAL(raw_request(VIRTIO_BLK_T_IN, 0, 0, 1, 100, false),
			VIRTIO_BLK_S_IOERR);
	/* the last sector itself is fine */
	CU_ASSERT_EQUAL(raw_request(VIRTIO_BLK_T_IN, cap - 1, 0, 1, 512,
				    false), VIRTIO_BLK_S_OK);
	CU_ASSERT_EQUAL(raw_len, 513);
	CU_ASSERT_EQUAL(stat_of(&blk.stats.ioerr), 4);
	shut();
}

/** Unknown types, and FLUSH when it was not offered: UNSUPP. */
static void test_device_unsupported(void)
{
	struct vlab_blk_opts o = { .mem_bytes = DISK };

	CU_ASSERT_PTR_NOT_NULL_FATAL(boot_blk(&o, KBUILD_MODNAME));
	CU_ASSERT_EQUAL(raw_request(99, 0, 0, 0, 0, false),
			VIRTIO_BLK_S_UNSUPP);
	CU_ASSERT_EQUAL(raw_request(VIRTIO_BLK_T_FLUSH, 0, 0, 0, 0, false),
			VIRTIO_BLK_S_UNSUPP);
	CU_ASSERT_EQUAL(raw_request(VIRTIO_BLK_T_DISCARD, 0, 1, 0, 16, false),
			VIRTIO_BLK_S_UNSUPP);
	CU_ASSERT_EQUAL(stat_of(&blk.stats.unsupp), 3);
	shut();
}

/** Without FLUSH, fsync() sends nothing and succeeds (writethrough). */
static void test_no_flush(void)
{
	struct vlab_blk_opts o = { .mem_bytes = DISK };
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(boot_blk(&o, "vlab_blk"));
	fd = guest_open(SCENARIO_BLK_NODE);
	CU_ASSERT_EQUAL(guest_fsync(fd), 0);
	CU_ASSERT_EQUAL(guest_close(fd), 0);
	CU_ASSERT_EQUAL(stat_of(&blk.stats.flushes), 0);
	CU_ASSERT_EQUAL(stat_of(&blk.stats.unsupp), 0);
	shut();
}

/** A request without a status byte is a broken rule: needs reset. */
static void test_device_no_status(void)
{
	struct vlab_blk_opts o = { .mem_bytes = DISK };
	struct vlab_device *dev = boot_blk(&o, KBUILD_MODNAME);

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	guest_kill(true);	/* the answer never comes: do not wait */
	CU_ASSERT_EQUAL(raw_request(VIRTIO_BLK_T_OUT, 0, 1, 0, 512, true),
			-1);
	guest_kill(false);
	CU_ASSERT_TRUE(harness_wait(harness_dev_has_error, dev));
	CU_ASSERT_TRUE(last_error_has(dev, "§5.2.6.1"));
	shut();
}

/** SEG_MAX and SIZE_MAX: the driver splits; the device checks. */
static void test_seg_limits(void)
{
	struct vlab_blk_opts o = { .mem_bytes = DISK, .seg_max = 3,
				   .size_max = 1024 };
	static uint8_t buf[64 * 1024], back[64 * 1024];
	struct vlab_device *dev = boot_blk(&o, "vlab_blk");
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	payload(buf, sizeof(buf));
	fd = guest_open(SCENARIO_BLK_NODE);
	CU_ASSERT_EQUAL(guest_pwrite(fd, buf, sizeof(buf), 4096),
			(ssize_t)sizeof(buf));
	CU_ASSERT_EQUAL(guest_pread(fd, back, sizeof(back), 4096),
			(ssize_t)sizeof(back));
	CU_ASSERT_EQUAL(memcmp(buf, back, sizeof(buf)), 0);
	CU_ASSERT_EQUAL(guest_close(fd), 0);
	/* 64 KiB in requests of 3 x 1 KiB: 22 each way */
	CU_ASSERT_EQUAL(stat_of(&blk.stats.max_data_segs), 3);
	CU_ASSERT_EQUAL(stat_of(&blk.stats.writes), 22);
	CU_ASSERT_EQUAL(harness_dev_errors(dev), 0);
	shut();

	/* a driver that ignores them breaks a rule */
	dev = boot_blk(&o, KBUILD_MODNAME);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	guest_kill(true);
	raw_request(VIRTIO_BLK_T_OUT, 0, 4, 0, 512, false);
	guest_kill(false);
	CU_ASSERT_TRUE(harness_wait(harness_dev_has_error, dev));
	CU_ASSERT_TRUE(last_error_has(dev, "seg_max"));
	shut();
}

/** BLK_SIZE 4096: accesses must be whole 4 KiB blocks. */
static void test_blk_size(void)
{
	struct vlab_blk_opts o = { .mem_bytes = DISK, .blk_size = 4096 };
	static uint8_t buf[8192];
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(boot_blk(&o, "vlab_blk"));
	fd = guest_open(SCENARIO_BLK_NODE);
	CU_ASSERT_EQUAL(guest_pwrite(fd, buf, 512, 0), -EINVAL);
	CU_ASSERT_EQUAL(guest_pwrite(fd, buf, 4096, 512), -EINVAL);
	CU_ASSERT_EQUAL(guest_pwrite(fd, buf, 8192, 4096), 8192);
	CU_ASSERT_EQUAL(guest_close(fd), 0);
	shut();
}

/** A capacity change: the driver reads it again and honours it. */
static void test_capacity_change(void)
{
	struct vlab_blk_opts o = { .mem_bytes = DISK };
	struct vlab_device *dev = boot_blk(&o, "vlab_blk");
	uint8_t buf[512] = { 0 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(dev);
	cap_fd = guest_open(SCENARIO_BLK_NODE);
	CU_ASSERT_EQUAL(guest_lseek(cap_fd, 0, SEEK_END), DISK);
	CU_ASSERT_EQUAL(vlab_blk_set_capacity(dev, &blk, 1 << 20), -EINVAL);
	CU_ASSERT_EQUAL(vlab_blk_set_capacity(dev, &blk, 1024), 0);
	/* the config interrupt reaches the driver; its next call re-reads */
	CU_ASSERT_TRUE(harness_wait(shrunk, NULL));
	CU_ASSERT_EQUAL(guest_pwrite(cap_fd, buf, 512, 1024 * 512), -ENOSPC);
	CU_ASSERT_EQUAL(guest_pwrite(cap_fd, buf, 512, 1023 * 512), 512);
	CU_ASSERT_TRUE(guest_dmesg_contains("capacity 2048 -> 1024 sectors"));
	CU_ASSERT_EQUAL(guest_close(cap_fd), 0);
	shut();
}

/** T_GET_ID at probe: the serial is in the kernel log. */
static void test_get_id(void)
{
	struct vlab_blk_opts o = { .mem_bytes = DISK,
				   .serial = "SERIAL-20-BYTES-LONG" };

	CU_ASSERT_PTR_NOT_NULL_FATAL(boot_blk(&o, "vlab_blk"));
	/* exactly 20 bytes: no terminator on the wire, the driver adds one */
	CU_ASSERT_TRUE(guest_dmesg_contains("serial 'SERIAL-20-BYTES-LONG'"));
	CU_ASSERT_EQUAL(stat_of(&blk.stats.get_ids), 1);
	shut();
}

/**
 * main() - run the block suite over the ring-feature matrix.
 * @return 0 when every test passed.
 */
int main(void)
{
	static CU_TestInfo tests[] = {
		{ "shared scenario (also run in QEMU), memory disk",
		  test_shared_scenario },
		{ "file backing: the bytes are in the host file",
		  test_file_backing },
		{ "IOERR from the device: read() fails with EIO",
		  test_ioerr_reaches_caller },
		{ "RO: write() fails with EROFS, nothing written",
		  test_read_only },
		{ "device: T_OUT on a read-only disk gets IOERR",
		  test_device_ro_write_ioerr },
		{ "device: sectors out of range get IOERR",
		  test_device_bad_sector },
		{ "device: unknown type, FLUSH not offered: UNSUPP",
		  test_device_unsupported },
		{ "no FLUSH: fsync() succeeds without a request",
		  test_no_flush },
		{ "device: no status byte: device needs reset",
		  test_device_no_status },
		{ "SEG_MAX and SIZE_MAX: driver splits, device checks",
		  test_seg_limits },
		{ "BLK_SIZE 4096: alignment", test_blk_size },
		{ "capacity change: read again, honoured",
		  test_capacity_change },
		{ "T_GET_ID: the serial at probe", test_get_id },
		CU_TEST_INFO_NULL,
	};

	return harness_run_matrix("blk", tests);
}
