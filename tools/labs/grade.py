"""Grade one lab: build a tree with the student's files, run the checks.

Output, one line per check, then the total and the count:

    PASS  3/3  probe: the bring-up events are the reference's
    FAIL  0/2  remove: ...
          hint: ...
    3/5 points
    1 passed, 1 failed

The exit status is 0 only with full marks. A failed check is explained
with the first event where the student's canonical trace and the
committed golden differ, and with the command that replays the run.
"""

import json
import os
import re
import subprocess
import time

import labconf
import quiz
import traces
import tree

SAN_ENV = {
    "asan": ("ASAN_OPTIONS", "abort_on_error=0"),
    "tsan": ("TSAN_OPTIONS", "halt_on_error=1 second_deadlock_stack=1"),
}


class Result:
    """What one check found: score, and the lines that explain it."""

    def __init__(self, check, ok, lines=None, diff=None):
        self.check = check
        self.ok = ok
        self.score = check.points if ok else 0
        self.lines = lines or []
        self.diff = diff
        self.seconds = 0.0


def grading_dir(top, lab, tag=None):
    """Return build/labs/<tag or lab folder name>, the lab's scratch."""
    return os.path.join(top, "build", "labs", tag or lab.name)


def run_suite(chk, tree_dir):
    """Run one CUnit suite (filtered like make check); return Result."""
    binary = os.path.join("build", chk.variant, "tests", chk.suite)
    env = tree.clean_env()
    env["VLAB"] = os.path.join("build", chk.variant, "vlab")
    # make labs-check grades skeletons, which hang by design: it may
    # bound each test tighter (LABS_HANG_BOUND_S)
    bound = chk.test_timeout
    if os.environ.get("LABS_HANG_BOUND_S"):
        bound = min(bound, int(os.environ["LABS_HANG_BOUND_S"]))
    env["VLAB_TEST_TIMEOUT"] = str(bound)
    if chk.only:
        env["VLAB_ONLY"] = chk.only
    if chk.cfg:
        env["VLAB_CFG"] = chk.cfg
    if chk.variant in SAN_ENV:
        key, val = SAN_ENV[chk.variant]
        env[key] = val
    try:
        p = subprocess.run([os.path.join(".", binary)], cwd=tree_dir,
                           env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT,
                           universal_newlines=True, timeout=chk.timeout)
        out, rc = p.stdout, p.returncode
    except subprocess.TimeoutExpired:
        return Result(chk, False, ["%s did not end within %d s" %
                                   (chk.suite, chk.timeout)])
    m = re.search(r"^\s+tests\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", out, re.M)
    ran = m and int(m.group(2)) > 0
    if rc == 0 and ran:
        return Result(chk, True)
    keep = []
    lines = out.splitlines()
    for i, line in enumerate(lines):
        s = line.strip()
        # a sanitizer's access lines say which field and who touched it
        if re.match(r"^(Atomic )?(Previous )?(read|write|Read|Write) of "
                    r"size", s) and i + 1 < len(lines) and \
                lines[i + 1].strip().startswith("#0 "):
            keep += [s, "  " + lines[i + 1].strip()]
            continue
        if re.match(r"^\d+\. .*:\d+\s+-", s) or "SUMMARY:" in s or \
                "ERROR: AddressSanitizer" in s or \
                "WARNING: ThreadSanitizer" in s or \
                "runtime error" in s or "WATCHDOG" in s or \
                "deadlock" in s:
            keep.append(s)
    if not ran and rc == 0:
        keep.append("no test ran (VLAB_ONLY=%s)" % chk.only)
    return Result(chk, False, keep[:10] or lines[-6:])


def replay_cmd(top, tree_dir, variant, args):
    """Return the command that steps through a trace check's run."""
    vlab = os.path.relpath(os.path.join(tree_dir, "build", variant, "vlab"),
                           top)
    return "%s step %s" % (vlab, args)


def run_trace(top, chk, tree_dir, scratch):
    """Run a trace check: the selected events must be the golden's."""
    vlab = os.path.join(tree_dir, "build", chk.variant, "vlab")
    env_key = SAN_ENV.get(chk.variant)
    if env_key:
        os.environ[env_key[0]] = env_key[1]
    rc, out, err = traces.run_canon(vlab, chk.trace, tree_dir, chk.timeout)
    same, report, lines = True, None, []
    if chk.golden:
        with open(os.path.join(top, chk.golden)) as f:
            golden = traces.select(traces.event_lines(f.read()), chk.kinds,
                                   chk.part)
        mine = traces.select(traces.event_lines(out), chk.kinds, chk.part)
        same, report = traces.compare(vlab, mine, golden, scratch, chk.key)
        if not same:
            lines = traces.explain(report, golden,
                                   replay_cmd(top, tree_dir, chk.variant,
                                              chk.trace))
    if chk.status is not None and rc != int(chk.status):
        same = False
        lines.append("vlab run %s exited with %d, not %s" %
                     (chk.trace, rc, chk.status))
    if chk.forbid:
        bad = [e.strip() for e in err.splitlines()
               if re.search(chk.forbid, e)]
        if bad:
            same = False
            lines += ["the run reported: " + b for b in bad[:6]]
    if chk.expect and not re.search(chk.expect, out + err, re.M):
        same = False
        lines.append("`vlab run %s` never printed a line matching: %s" %
                     (chk.trace, chk.expect))
        said = [e.strip() for e in (out + err).splitlines()
                if re.match(r"(\[|# stats:|# \d)", e)]
        lines += ["it printed: " + e for e in said[-4:]]
    if not same:
        lines += [e.strip() for e in err.splitlines()
                  if e.startswith("vlab:") or "Sanitizer" in e or
                  "SUMMARY" in e or "runtime error" in e][:6]
    return Result(chk, same, lines, diff=report if not same else None)


def overlay_for(top, lab, work, course):
    """Return (overlay, prebuilt, shown): the files that replace the
    reference, the cut files linked as objects, and how to name a
    student's file in a compiler message.

    In the repository the student's files come from the lab's work/ and
    every other file is the reference. In a course tree the student's
    files are edited in place, and the reference of a cut file this lab
    does not own is there only compiled (exercises/prebuilt/).
    """
    overlay, prebuilt = {}, []
    if course is None:
        shown = {p: os.path.relpath(os.path.join(
            work, os.path.basename(p)), top) for p in lab.files()}
        for path in lab.files():
            src = os.path.join(work, os.path.basename(path))
            if not os.path.isfile(src):
                raise SystemExit("grade: %s is missing: run make lab LAB=%d "
                                 "first" % (os.path.relpath(src, top),
                                            lab.number))
            with open(src, "rb") as f:
                overlay[path] = f.read()
    else:
        prebuilt = [p for p in course["prebuilt"] if p not in lab.files()]
        shown = {}
    return overlay, prebuilt, shown


def build_all(tree_dir, lab, prebuilt):
    """Build what the checks need, per variant; return {variant: log}."""
    need = {}
    for chk in lab.checks:
        if chk.driver:
            continue    # the QEMU check builds its own (qemu.py)
        tgt = need.setdefault(chk.variant,
                              ["build/%s/vlab" % chk.variant])
        if chk.suite:
            t = "build/%s/tests/%s" % (chk.variant, chk.suite)
            if t not in tgt:
                tgt.append(t)
    failed = {}
    for variant, targets in need.items():
        ok, log = tree.build(tree_dir, variant, targets, prebuilt)
        if not ok:
            failed[variant] = log
    return failed


def run_checks(top, lab, overlay, prebuilt, tag=None, stop_early=False,
               answers=None, student=None, shown_as=None):
    """Build the grading tree and run every check.

    Returns (results, tree directory).
    """
    base = grading_dir(top, lab, tag)
    tree_dir = os.path.join(base, "tree")
    scratch = os.path.join(base, "traces")
    tree.sync(top, tree_dir, overlay)
    if lab.kind == "quiz":
        return quiz.grade(lab, tree_dir, prebuilt, answers,
                          student), tree_dir
    began = time.time()
    failed = build_all(tree_dir, lab, prebuilt)
    if os.environ.get("LABS_TIMES"):
        print("(build: %.1f s)" % (time.time() - began))
    results = []
    told = False
    for chk in lab.checks:
        if chk.variant in failed:
            if told:
                lines = ["your files do not build (above)"]
            else:
                lines = ["your files do not build (%s):" % chk.variant]
                for e in tree.compiler_errors(failed[chk.variant]):
                    for path, shown in (shown_as or {}).items():
                        e = e.replace(path + ":", shown + ":")
                    lines.append(e)
                told = True
            results.append(Result(chk, False, lines))
            continue
        began = time.time()
        if chk.driver:
            import qemu
            ok, lines = qemu.grade(top, tree_dir, chk.driver)
            results.append(Result(chk, ok, lines))
        elif chk.trace:
            results.append(run_trace(top, chk, tree_dir, scratch))
        else:
            results.append(run_suite(chk, tree_dir))
        results[-1].seconds = time.time() - began
        for path, shown in (shown_as or {}).items():
            results[-1].lines = [e.replace(path + ":", shown + ":")
                                 for e in results[-1].lines]
        if stop_early and not results[-1].ok:
            break
    return results, tree_dir


def lab_trace_feedback(top, lab, results, tree_dir):
    """Return the first difference of the lab's main trace, for a
    failure that no trace check explained already."""
    if any(r.diff for r in results) or not lab.trace:
        return []
    vlab = os.path.join(tree_dir, "build", "release", "vlab")
    if not os.path.exists(vlab):
        return []
    rc, out, _ = traces.run_canon(vlab, lab.trace, tree_dir, 120)
    with open(os.path.join(top, lab.golden)) as f:
        golden = traces.event_lines(f.read())
    same, report = traces.compare(vlab, traces.event_lines(out), golden,
                                  os.path.join(tree_dir, "..", "traces"),
                                  "lab")
    if same:
        return ["the trace of `vlab run %s` is the reference's, event for "
                "event: what failed is in the lines above (timing, memory, "
                "a sanitizer)" % lab.trace]
    return ["the trace of `vlab run %s`:" % lab.trace] + \
        traces.explain(report, golden,
                       replay_cmd(top, tree_dir, "release", lab.trace))


def report(top, lab, results, tree_dir, out):
    """Print the grade through out(); return (score, max, passed,
    failed)."""
    score = sum(r.score for r in results)
    total = sum(c.points for c in lab.checks)
    passed = sum(1 for r in results if r.ok)
    failed = len(lab.checks) - passed
    for r in results:
        out("%s  %d/%d  %s%s" % (
            "PASS" if r.ok else "FAIL", r.score, r.check.points,
            r.check.name, "  (%.1f s)" % r.seconds
            if os.environ.get("LABS_TIMES") else ""))
        if not r.ok:
            if r.check.hint:
                out("      hint: " + r.check.hint)
            for line in r.lines:
                out("      " + line)
        elif r.check.driver:
            # the QEMU guest's own checks, each in the report
            for line in r.lines:
                out("      " + line)
    for chk in lab.checks[len(results):]:
        out("FAIL  0/%d  %s" % (chk.points, chk.name))
        out("      not run: an earlier check failed (stop-early)")
    if failed and lab.kind != "quiz":
        for line in lab_trace_feedback(top, lab, results, tree_dir):
            out("      " + line)
    out("%d/%d points" % (score, total))
    out("%d passed, %d failed" % (passed, failed))
    return score, total, passed, failed


def gradescope(lab, results, score, total, path):
    """Write results.json in the Gradescope autograder format."""
    doc = {
        "score": score,
        "max_score": total,
        "output": "lab %d: %s" % (lab.number, lab.title),
        "tests": [{"name": r.check.name, "score": r.score,
                   "max_score": r.check.points,
                   "output": "\n".join(([r.check.hint] if not r.ok and
                                        r.check.hint else []) + r.lines)}
                  for r in results],
    }
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
