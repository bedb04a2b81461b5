"""Grading trees: a copy of the sources with a lab's files swapped in.

A lab is graded in build/labs/<name>/tree, never in the source tree: the
student's files replace the reference ones there, and the project's own
Makefile builds it with the project's flags. The copy is kept in sync by
content, so a second grade recompiles only what changed.
"""

import os
import subprocess

SKIP_DIRS = {".git", "build", "out", "work", "__pycache__"}


def source_files(top):
    """Return the relative paths of every source file under top."""
    out = []
    for root, dirs, files in os.walk(top):
        rel_root = os.path.relpath(root, top)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and
                         not (rel_root == "." and d.startswith(".") and
                              d != ".ci"))
        prebuilt = rel_root.startswith(os.path.join("exercises", "prebuilt"))
        for f in sorted(files):
            if f.endswith((".d", ".pyc")) or f == "results.json" or \
                    (f.endswith(".o") and not prebuilt):
                continue
            out.append(os.path.normpath(os.path.join(rel_root, f)))
    return out


def write_if_changed(path, data):
    """Write data to path unless it holds it already; True if written."""
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return False
    except OSError:
        pass
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return True


def sync(top, tree, overlay):
    """Make tree a copy of top's sources with overlay's files in place.

    overlay: {relative path: bytes}. Files that left the sources leave
    the tree too (its build/ excepted), so nothing stale is graded.
    """
    want = set()
    for rel in source_files(top):
        want.add(rel)
        if rel in overlay:
            continue
        with open(os.path.join(top, rel), "rb") as f:
            write_if_changed(os.path.join(tree, rel), f.read())
    for rel, data in overlay.items():
        want.add(rel)
        write_if_changed(os.path.join(tree, rel), data)
    for root, dirs, files in os.walk(tree):
        rel_root = os.path.relpath(root, tree)
        if rel_root == ".":
            dirs[:] = [d for d in dirs if d != "build"]
        for f in files:
            rel = os.path.normpath(os.path.join(rel_root, f))
            if rel not in want:
                os.unlink(os.path.join(root, f))


def clean_env():
    """Return the environment for a make of its own (no parent jobserver)."""
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(k, None)
    return env


def build(tree, variant, targets, prebuilt):
    """Build targets of variant in tree; return (ok, compiler output)."""
    cmd = ["make", "-C", tree, "-j2", "V=" + variant]
    if prebuilt:
        cmd.append("PREBUILT=" + " ".join(prebuilt))
    cmd += targets
    p = subprocess.run(cmd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, env=clean_env(),
                       universal_newlines=True)
    return p.returncode == 0, p.stdout


def compiler_errors(log, limit=25):
    """Return the lines of a build log a student needs: the diagnostics."""
    keep = [line for line in log.splitlines()
            if ": error:" in line or ": warning:" in line or
            "undefined reference" in line or line.startswith("make: ***")]
    return keep[:limit] or log.splitlines()[-limit:]
