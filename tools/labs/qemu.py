"""make grade LAB=N QEMU=1: the driver labs in the other world too.

The student's driver, from the grading tree, is built as a kernel
module by Kbuild against Debian's headers and loaded in a QEMU guest
(TCG, one boot on virtio-pci) that holds QEMU's own devices, one with a
split ring and one packed. The guest runs the lab's scenario, the one
the simulator's suite runs too (tests/scenarios/), through
tests/qemu/run.sh with QEMU_ONLY set to the lab's driver; each check the
guest and the host print becomes a line of the same report.
"""

import glob
import os
import re
import subprocess

import tree

# one TCG boot takes about 40 s on 2 cores; the kernel fetch, once, more
BOOT_TIMEOUT_S = 300


def kernel_dir():
    """Return the kernel build tree: KDIR, or the newest Debian headers."""
    kdir = os.environ.get("KDIR")
    if kdir:
        return kdir
    found = sorted(glob.glob("/usr/src/linux-headers-*-amd64"),
                   key=lambda p: [int(x) if x.isdigit() else x
                                  for x in re.split(r"(\d+)", p)])
    return found[-1] if found else None


def kernel_release(kdir):
    """Return the release string modules of kdir must match, or None."""
    path = os.path.join(kdir, "include", "generated", "utsrelease.h")
    try:
        with open(path) as f:
            m = re.search(r'UTS_RELEASE "([^"]+)"', f.read())
    except OSError:
        return None
    return m.group(1) if m else None


def run(cmd, cwd, timeout=None, env=None):
    """Run cmd; return (exit status, output), 124 after timeout."""
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True,
                           env=env or tree.clean_env(), timeout=timeout)
        return p.returncode, p.stdout
    except subprocess.TimeoutExpired as e:
        out = e.stdout or ""
        if isinstance(out, bytes):
            out = out.decode(errors="replace")
        return 124, out


def build_modules(tree_dir, kdir):
    """Kbuild on the grading tree's driver/; return (ok, lines)."""
    moddir = os.path.join(tree_dir, "build", "module-grade")
    os.makedirs(moddir, exist_ok=True)
    for src in ["Kbuild"] + sorted(os.listdir(os.path.join(tree_dir,
                                                           "driver"))):
        if src != "Kbuild" and not src.endswith(".c"):
            continue
        link = os.path.join(moddir, src)
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(os.path.join(tree_dir, "driver", src), link)
    rc, out = run(["make", "-C", kdir, "M=" + moddir, "modules"], tree_dir)
    if rc:
        return False, moddir, tree.compiler_errors(out)
    return True, moddir, []


def grade(top, tree_dir, kind):
    """Build, boot, check; return (ok, report lines)."""
    kdir = kernel_dir()
    if not kdir or not os.path.isdir(kdir):
        return False, ["no kernel headers (install linux-headers-amd64, or "
                       "set KDIR)"]
    kver = kernel_release(kdir)
    ok, moddir, errors = build_modules(tree_dir, kdir)
    if not ok:
        return False, ["your driver does not build as a kernel module "
                       "(Kbuild, %s):" % kdir] + errors
    rc, out = run(["make", "-s", "build/qemu/vlab-scenarios"], tree_dir)
    if rc:
        return False, ["vlab-scenarios does not build:"] + \
            out.splitlines()[-10:]
    cache = os.path.join(top, "build", "qemu")
    os.makedirs(cache, exist_ok=True)
    rc, out = run([os.path.join(top, "scripts", "fetch-kernel.sh"), kver,
                   cache], top)
    if rc:
        return False, ["no guest kernel %s:" % kver] + out.splitlines()[-5:]
    kroot = out.strip().splitlines()[-1]
    env = tree.clean_env()
    outdir = os.path.join(tree_dir, "build", "qemu-grade")
    env.update(KROOT=kroot, KVER=kver, MODDIR=moddir,
               SCENARIOS=os.path.join(tree_dir, "build", "qemu",
                                      "vlab-scenarios"),
               OUT=outdir, QEMU_TRANSPORTS="pci", QEMU_ONLY=kind)
    rc, out = run(["sh", os.path.join(tree_dir, "tests", "qemu", "run.sh"),
                   "test"], tree_dir, BOOT_TIMEOUT_S, env)
    log = os.path.join(outdir, "pci", "console.log.txt")
    checks = []
    if os.path.isfile(log):
        with open(log, errors="replace") as f:
            checks = [line[len("VLAB-CHECK "):].rstrip()
                      for line in f if line.startswith("VLAB-CHECK ")]
    lines = ["%s (Linux %s, QEMU's devices on virtio-pci, split and "
             "packed)" % (os.path.relpath(moddir, top), kver)]
    lines += checks
    lines += [x for x in out.splitlines()
              if x.startswith("qemu: FAIL") or x.startswith("qemu: kernel:")]
    tail = [x for x in out.splitlines() if re.match(r"\d+ passed, \d+ failed",
                                                     x)]
    lines += ["in the guest: " + (tail[-1] if tail else
                                  "no verdict (exit status %d)" % rc)]
    lines.append("the guest's serial console: %s" % os.path.relpath(
        os.path.join(outdir, "pci", "console.log.txt"), top))
    return rc == 0 and bool(checks), lines
