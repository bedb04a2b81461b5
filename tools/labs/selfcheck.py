"""make labs-check: every promise of the lab machinery, as a test.

For each lab: the skeleton fails every check; a skeleton with only one
body cut still fails (so each cut body is graded); the reference gets
full marks; a typical mistake fails and the grade names the first event
that differs. Then Gradescope's results.json, bulk grading, and a course
tree: its lab 1 fails, passes once the bodies are back, and no cut body
is readable in it.
"""

import json
import os
import re
import shutil
import subprocess
import time

import course
import csource
import labconf
import quiz
import tree

CHECK_DIR = os.path.join("build", "labs", "check")


def drop_line(call):
    """A mutant: the statements starting with call are left out."""
    def apply(body):
        return "\n".join(line for line in body.splitlines()
                         if not line.strip().startswith(call))
    return apply


def ready_too_early(body):
    """A mutant: DRIVER_OK is set before the queue is found (§3.1.1
    step 8 before step 7). Leaving virtio_device_ready() out altogether
    is no bug here: the core sets DRIVER_OK after a probe that did not,
    as Linux's virtio_dev_probe() does."""
    lines = body.splitlines()
    ready = next(i for i, line in enumerate(lines)
                 if line.strip().startswith("virtio_device_ready("))
    stmt = lines.pop(ready)
    find = next(i for i, line in enumerate(lines)
                if "virtio_find_single_vq(" in line)
    lines.insert(find, stmt)
    return "\n".join(lines)


def publish_idx_first(body):
    """A mutant: avail idx is released before the ring slot is written."""
    lines = body.splitlines()
    slot = next(i for i, line in enumerate(lines)
                if "avail->ring[" in line and "=" in line)
    store = lines.pop(slot)
    rel = next(i for i, line in enumerate(lines)
               if "smp_store_release(&vq->split.vring.avail->idx" in line)
    end = rel
    while not lines[end].rstrip().endswith(";"):
        end += 1
    lines.insert(end + 1, store)
    return "\n".join(lines)


def forget_free_list(body):
    """A mutant: the token is returned, the descriptors never freed."""
    return re.sub(r"return vring_buf_release\([^;]*\);",
                  "(void)ctx;\n\treturn vq->desc_state[head].data;", body)


def replace_stmt(start, by):
    """A mutant: the statement starting with start (to its ';') becomes
    by, so that an if before it still has a body."""
    def apply(body):
        at = body.index(start)
        end = body.index(";", at)
        return body[:at] + by + body[end + 1:]
    return apply


def replace_text(old, new):
    """A mutant: one piece of the body's text replaced."""
    def apply(body):
        return body.replace(old, new, 1)
    return apply


def drop_block(start):
    """A mutant: the if statement starting with start, its braced block
    included, is left out (a check removed)."""
    def apply(body):
        at = body.index(start)
        close = csource.match_close(body, body.index("{", at), "{", "}")
        return body[:at] + body[close + 1:].lstrip("\n\t")
    return apply


# (lab, mistake, function, transform, what the grade must print)
MUTANTS = [
    (1, "device made ready before its queue exists", "vlab_rng_probe",
     ready_too_early, "yours:"),
    (2, "kick missing", "vlab_rng_request",
     drop_line("virtqueue_kick("), "yours:"),
    (2, "completion never signalled", "vlab_rng_recv_done",
     drop_line("complete("), "yours:"),
    (3, "a descriptor not returned to the free list", "detach_buf_split",
     forget_free_list, "yours:"),
    (3, "idx published before the descriptor", "publish_avail_split",
     publish_idx_first, "ThreadSanitizer: data race"),
    (4, "used_event not written", "enable_cb_prepare_split",
     replace_stmt("WRITE_ONCE(vring_used_event", "(void)0;"), "yours:"),
    (5, "wrap counter not flipped", "write_descs_packed",
     drop_line("vq->packed.avail_wrap_counter = wrap;"), "indices wrap past 65535"),
    (6, "a bad used id accepted", "vring_check_used",
     drop_block("if (unlikely(id >="), "never printed a line matching"),
    (7, "the status byte not read", "vlab_blk_request",
     replace_text("switch (*vb->status) {", "return 0;\n\tswitch "
                  "(*vb->status) {"), "-EIO)"),
    (8, "receive buffers not re-posted", "vlab_console_read",
     drop_line("vlab_console_fill_rx("), "yours:"),
    (9, "a chain past the queue size accepted", "vq_split_validate_chain",
     replace_text("count++ == limit", "count++ == UINT16_MAX"),
     "never printed a line matching"),
]


class Tally:
    """Counts what held and what did not, and says each."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.start = time.time()

    def expect(self, ok, what, detail=()):
        """Record one expectation; print it, and why when it failed."""
        print("%s  %s  [%.0f s]" % ("ok  " if ok else "FAIL", what,
                                     time.time() - self.start), flush=True)
        if ok:
            self.passed += 1
            return
        self.failed += 1
        for line in list(detail)[-25:]:
            print("        " + line)


def write_work(top, lab, dirname, files):
    """Write {path: text} as a work folder; return its path."""
    work = os.path.join(top, CHECK_DIR, lab.name, dirname)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    for path, text in files.items():
        with open(os.path.join(work, os.path.basename(path)), "w") as f:
            f.write(text)
    return work


def reference(top, path):
    """Return a reference file's text."""
    with open(os.path.join(top, path)) as f:
        return f.read()


def graded(grade_one, lab, work, hangs=False, **kw):
    """Grade quietly; return (score, max, passed, failed, lines).

    hangs: the files are skeletons, whose tests wait for buffers that
    never come: bound each test to a few seconds (the reference's take
    well under one), not the grader's usual bound.
    """
    lines = []
    if hangs:
        os.environ["LABS_HANG_BOUND_S"] = "3"
    try:
        (score, total, passed, failed), _ = grade_one(
            lab, work, False, out=lines.append, **kw)
    finally:
        os.environ.pop("LABS_HANG_BOUND_S", None)
    return score, total, passed, failed, lines


def check_code_lab(top, lab, t, grade_one, skeleton):
    """Skeleton, one-body skeletons, reference and mutants of a lab."""
    files = {p: skeleton(top, lab, p) for p in lab.files()}
    work = write_work(top, lab, "skeleton", files)
    score, total, passed, _, lines = graded(grade_one, lab, work, True)
    t.expect(score == 0 and passed == 0,
             "lab %d: the skeleton fails every check (%d/%d points)" %
             (lab.number, score, total), lines)
    for cut in lab.cuts:
        files = {p: skeleton(top, lab, p, cut.func) if p == cut.path
                 else reference(top, p) for p in lab.files()}
        work = write_work(top, lab, "only-" + cut.func, files)
        score, total, _, failed, lines = graded(grade_one, lab, work, True,
                                                stop_early=True)
        t.expect(failed > 0, "lab %d: every body but %s() restored: "
                 "still fails (%d/%d points)" % (lab.number, cut.func,
                                                  score, total), lines)
    lines = []
    (score, total, _, _), _ = grade_one(lab, None, True, out=lines.append)
    t.expect(score == total, "lab %d: the reference gets full marks "
             "(%d/%d)" % (lab.number, score, total), lines)
    check_mutants(top, lab, t, grade_one)


def check_mutants(top, lab, t, grade_one):
    """The typical mistakes of MUTANTS for lab: each fails and says."""
    for number, mistake, func, transform, expect in MUTANTS:
        if number != lab.number:
            continue
        path = next(c.path for c in lab.cuts if c.func == func)
        ref = reference(top, path)
        fn = csource.find_function(ref, func)
        body = csource.body_text(ref, fn)
        new = transform(body)
        if new == body:
            t.expect(False, "lab %d mutant '%s': the transform no longer "
                     "matches %s()" % (number, mistake, func))
            continue
        files = {p: ref[:fn.open] + new + ref[fn.close + 1:]
                 if p == path else reference(top, p) for p in lab.files()}
        work = write_work(top, lab, "mutant-" + func, files)
        score, total, _, failed, lines = graded(grade_one, lab, work,
                                                stop_early=True)
        shown = [line for line in lines if expect in line]
        t.expect(failed > 0 and shown,
                 "lab %d mistake '%s': fails (%d/%d) and shows: %s" %
                 (number, mistake, score, total,
                  shown[0].strip() if shown else "(nothing)"), lines)


def check_quiz(top, lab, t, grade_one):
    """Lab 0: blank, one wrong, all right; two students differ."""
    base = os.path.join(top, CHECK_DIR, lab.name)
    tree_dir = os.path.join(top, "build", "labs", lab.name, "tree")
    tree.sync(top, tree_dir, {})
    right = {}
    for student in ("alice", "bob"):
        work = os.path.join(base, student)
        shutil.rmtree(work, ignore_errors=True)
        quiz.hand_out(lab, tree_dir, [], work, student)
        events = quiz.events_of(quiz.run(tree_dir, quiz.scenario(student),
                                         "jsonl"))
        right[student] = quiz.answers_for(events,
                                          [c.question for c in lab.checks])
    work = os.path.join(base, "alice")
    score, total, passed, _, lines = graded(grade_one, lab, work,
                                            student="alice")
    t.expect(score == 0 and passed == 0, "lab 0: the blank answer sheet "
             "fails every question (%d/%d)" % (score, total), lines)
    keys = list(right["alice"])
    for wrong in (None, keys[0], keys[-1]):
        with open(os.path.join(work, "answers.txt"), "w") as f:
            for k in keys:
                v = right["alice"][k]
                f.write("%s: %s\n" % (k, "999" if k == wrong else v))
        score, total, _, failed, lines = graded(grade_one, lab, work,
                                                student="alice")
        if wrong is None:
            t.expect(score == total, "lab 0: right answers get full marks "
                     "(%d/%d)" % (score, total), lines)
        else:
            t.expect(failed == 1, "lab 0: one wrong answer (%s) fails "
                     "(%d/%d)" % (wrong, score, total), lines)
    differ = [k for k in keys if right["alice"][k] != right["bob"][k]]
    t.expect(len(differ) >= 3, "lab 0: two students' runs give other "
             "answers (%s)" % " ".join(differ))
    lines = []
    (score, total, _, _), _ = grade_one(lab, None, True, out=lines.append)
    t.expect(score == total, "lab 0: REF=1 gets full marks (%d/%d)" %
             (score, total), lines)


def run_make(cwd, args):
    """Run make in cwd; return (exit status, output lines).

    make labs-check QEMU=1 exports QEMU=1 to its commands: a grade run
    here asks for the guest only when args say so.
    """
    env = tree.clean_env()
    env.pop("QEMU", None)
    p = subprocess.run(["make", "--no-print-directory", "-C", cwd] + args,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, env=env)
    return p.returncode, p.stdout.splitlines()


def check_gradescope(top, t):
    """make grade LAB=2 REF=1 FORMAT=gradescope: results.json parses."""
    path = os.path.join(top, CHECK_DIR, "results.json")
    rc, lines = run_make(top, ["grade", "LAB=2", "REF=1",
                               "FORMAT=gradescope", "RESULTS=" + path])
    lab = labconf.get_lab(top, 2)
    try:
        with open(path) as f:
            doc = json.load(f)
        ok = rc == 0 and len(doc["tests"]) == len(lab.checks) and \
            all({"name", "score", "max_score", "output"} <= set(x)
                for x in doc["tests"]) and doc["score"] == doc["max_score"]
    except (OSError, ValueError, KeyError):
        ok = False
    t.expect(ok, "make grade LAB=2 REF=1 FORMAT=gradescope: results.json "
             "parses, one test per check (%d)" % len(lab.checks), lines)


def check_bulk(top, t, skeleton):
    """make bulk: a folder of three submissions, one CSV."""
    lab = labconf.get_lab(top, 1)
    subs = os.path.join(top, CHECK_DIR, "submissions")
    out = os.path.join(top, CHECK_DIR, "bulk-out")
    shutil.rmtree(subs, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.join(subs, "ann", "driver"))
    shutil.copyfile(os.path.join(top, "driver/vlab_rng.c"),
                    os.path.join(subs, "ann", "driver", "vlab_rng.c"))
    os.makedirs(os.path.join(subs, "ben"))
    with open(os.path.join(subs, "ben", "vlab_rng.c"), "w") as f:
        f.write(skeleton(top, lab, "driver/vlab_rng.c"))
    # a submission that also ships a "grader": it is never copied
    os.makedirs(os.path.join(subs, "cy", "tests"))
    with open(os.path.join(subs, "cy", "tests", "test_lifecycle.c"),
              "w") as f:
        f.write("int main(void) { return 0; }\n")
    rc, lines = run_make(top, ["bulk", "LAB=1", "SUBMISSIONS=" + subs,
                               "OUT=" + out])
    try:
        with open(os.path.join(out, "grades.csv")) as f:
            rows = {r.split(",")[0]: r.split(",")
                    for r in f.read().splitlines()[1:]}
        with open(os.path.join(out, "ann", "results.json")) as f:
            ann = json.load(f)
        ok = rc == 0 and rows["ann"][1] == rows["ann"][2] and \
            rows["ben"][1] == "0" and rows["cy"][1] == "0" and \
            ann["score"] == ann["max_score"]
    except (OSError, ValueError, KeyError, IndexError):
        ok = False
    t.expect(ok, "make bulk LAB=1: grades.csv (ann full marks, ben and cy "
             "0) and a results.json each", lines)


def check_course(top, t):
    """make course LABS="1 2 3": lab 1 fails, passes restored, no leak."""
    term = os.path.join(top, CHECK_DIR, "term")
    shutil.rmtree(term, ignore_errors=True)
    rc, lines = run_make(top, ["course", "DEST=" + term, "LABS=1 2 3"])
    t.expect(rc == 0, "make course DEST=... LABS=\"1 2 3\" writes a tree "
             "with no readable cut body", lines)
    if rc:
        return
    labs = [labconf.get_lab(top, n) for n in (1, 2, 3)]
    found = course.leaks(top, course.distinctive_runs(top, labs))
    want = {"%s:%s()" % (c.path, c.func) for lab in labs for c in lab.cuts}
    t.expect({w for _, w in found} == want, "the leak scan finds every cut "
             "body in the repository itself (%d)" % len(want),
             ["%s: %s" % f for f in found])
    rc, lines = run_make(term, ["grade", "LAB=1"])
    t.expect(rc != 0, "in the course tree, make grade LAB=1 fails", lines)
    path = os.path.join(term, "driver", "vlab_rng.c")
    with open(path) as f:
        cut_text = f.read()
    with open(path, "w") as f:
        f.write(csource.restore(cut_text, reference(top, "driver/vlab_rng.c"),
                                [c.func for c in labs[0].cuts]))
    rc, lines = run_make(term, ["grade", "LAB=1"])
    t.expect(rc == 0, "with lab 1's bodies put back it passes (lab 2 still "
             "cut, the split ring from the prebuilt object)", lines)
    path = os.path.join(term, "virtio", "virtio_ring_split.c")
    with open(path) as f:
        cut_text = f.read()
    with open(path, "w") as f:
        f.write(csource.restore(cut_text,
                                reference(top, "virtio/virtio_ring_split.c"),
                                [c.func for c in labs[2].cuts]))
    rc, lines = run_make(term, ["grade", "LAB=3"])
    t.expect(rc == 0, "lab 3's bodies put back: it passes with lab 2 still "
             "cut in the tree (the driver from the prebuilt object)", lines)


def check_qemu(top, t, skeleton):
    """make grade QEMU=1: labs 1 and 7's references pass in the QEMU
    guest, lab 1's skeleton fails there (make labs-check QEMU=1)."""
    for number in (1, 7):
        rc, lines = run_make(top, ["grade", "LAB=%d" % number, "QEMU=1",
                                   "REF=1"])
        guest = [x.strip() for x in lines if "in the guest:" in x]
        t.expect(rc == 0 and guest, "make grade LAB=%d QEMU=1 REF=1 passes "
                 "(%s)" % (number, guest[-1] if guest else "no guest"),
                 lines)
    lab = labconf.get_lab(top, 1)
    work = write_work(top, lab, "skeleton-qemu",
                      {p: skeleton(top, lab, p) for p in lab.files()})
    p = subprocess.run(["python3", os.path.join(top, "tools", "labs",
                                                "labs.py"),
                        "grade", "1", "--qemu", "--work", work],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, env=tree.clean_env())
    lines = p.stdout.splitlines()
    qemu = [x for x in lines if x.startswith("FAIL") and "QEMU" in x]
    t.expect(p.returncode != 0 and qemu, "lab 1's skeleton fails in the "
             "QEMU guest too: %s" % (qemu[0] if qemu else "(no line)"),
             lines)


def main(top, qemu=False):
    """Run every expectation; exit 0 only when all held.

    qemu: also the QEMU guest's grades (make labs-check QEMU=1).
    """
    t = Tally()
    start = time.time()
    labs = labconf.all_labs(top)
    import labs as cli
    for n in sorted(labs):
        if labs[n].kind == "quiz":
            check_quiz(top, labs[n], t, cli.grade_one)
        else:
            check_code_lab(top, labs[n], t, cli.grade_one, cli.skeleton)
    check_gradescope(top, t)
    check_bulk(top, t, cli.skeleton)
    check_course(top, t)
    if qemu:
        check_qemu(top, t, cli.skeleton)
    print("labs-check: %.0f s" % (time.time() - start))
    print("%d passed, %d failed" % (t.passed, t.failed))
    return 0 if t.failed == 0 else 1
