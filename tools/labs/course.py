"""A course term's tree (make course) and bulk grading (make bulk).

A course tree is this repository's sources with the chosen labs cut in
place: students edit driver/vlab_rng.c itself, not a copy. The
reference of every cut file is there only as compiled objects
(exercises/prebuilt/V/FILE.o, debug information stripped), which the
grader links in for the labs a grade does not own: lab 3 is graded with
the reference driver, labs 1 and 2 with the reference split ring. Two
labs that cut the same file (1 and 2: driver/vlab_rng.c) are graded on
the student's file as it is: lab 1's checks need none of lab 2's
bodies, lab 2's need lab 1's, so a course hands out lab 1 first. Other
labs that share a file need each other and get trees of their own
(refuse_shared()).
"""

import csv
import os
import shutil
import subprocess
import sys

import csource
import labconf
import tree

VARIANTS = ("release", "asan", "tsan")


RUN = 3


def code_lines(text):
    """Return the stripped, non-blank lines of a text, comment leaders
    dropped, as a reader would compare them."""
    out = []
    for line in text.splitlines():
        s = line.strip().lstrip("*").strip()
        if s and s not in ("{", "}", "/*", "*/", ";"):
            out.append(s)
    return out


def distinctive_runs(top, labs):
    """Return {run of RUN lines: where}: the pieces of cut bodies a
    course tree must not contain.

    A run is RUN consecutive lines of a cut body with at least one line
    of 24 characters or more found neither in the skeleton (which quotes
    the trace points) nor in any other C file: the other drivers share
    idioms with this one (an error path, a reset), and that is no copy.
    Markdown files count, so a handout quoting a body is caught.
    """
    out = {}
    common = set()
    cut_paths = {c.path for lab in labs for c in lab.cuts}
    for rel in tree.source_files(top):
        if rel.endswith((".c", ".h")) and rel not in cut_paths:
            with open(os.path.join(top, rel)) as f:
                common.update(code_lines(f.read()))
    by_file = {}
    for lab in labs:
        for c in lab.cuts:
            by_file.setdefault(c.path, []).append((lab, c))
    for path, cuts in by_file.items():
        with open(os.path.join(top, path)) as f:
            ref = f.read()
        skel = csource.cut(ref, [(c.func, lab.note(c)) for lab, c in cuts])
        skel_lines = set(code_lines(skel)) | common
        for _, c in cuts:
            fn = csource.find_function(ref, c.func)
            lines = code_lines(csource.body_text(ref, fn))
            for i in range(len(lines) - RUN + 1):
                run = tuple(lines[i:i + RUN])
                if any(len(s) >= 24 and s not in skel_lines for s in run):
                    out[run] = "%s:%s()" % (path, c.func)
    return out


def leaks(dest, runs):
    """Return (file, where) pairs: a run of a cut body readable in dest."""
    found = []
    for rel in tree.source_files(dest):
        try:
            with open(os.path.join(dest, rel)) as f:
                lines = code_lines(f.read())
        except (UnicodeDecodeError, OSError):
            continue
        have = {tuple(lines[i:i + RUN]) for i in range(len(lines))}
        hits = sorted({runs[r] for r in have if r in runs})
        found += [(rel, h) for h in hits]
    return found


def prebuild(top, path, dest):
    """Compile the reference of path in every variant into dest's
    exercises/prebuilt/, without debug information (no source lines)."""
    obj = os.path.splitext(path)[0] + ".o"
    for v in VARIANTS:
        target = os.path.join("build", v, obj)
        subprocess.run(["make", "-C", top, "V=" + v, target], check=True,
                       stdout=subprocess.DEVNULL, env=tree.clean_env())
        out = os.path.join(dest, labconf.EXERCISES, "prebuilt", v, obj)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        subprocess.run(["objcopy", "--strip-debug",
                        os.path.join(top, target), out], check=True)


# Labs that may cut one file in the same tree: the first one's checks
# need none of the second one's bodies (lab 1 looks only at the life
# cycle), so the second is done after it.
SHARE_OK = {(1, 2)}


def refuse_shared(labs):
    """Exit when two chosen labs cut one file and need each other.

    Labs 3, 4 and 6 all cut virtio/virtio_ring_split.c, labs 4 and 9
    sim/vq_split.c: each one's checks run the other's bodies (a get_buf
    calls the hardening checks, an add needs the kick decision), so with
    both cut in place neither could pass first. Such labs need trees of
    their own, one per assignment.
    """
    by_file = {}
    for lab in labs:
        for path in lab.files():
            by_file.setdefault(path, []).append(lab.number)
    for path, numbers in sorted(by_file.items()):
        pairs = {(a, b) for a in numbers for b in numbers if a < b}
        bad = sorted(pairs - SHARE_OK)
        if bad:
            a, b = bad[0]
            raise SystemExit(
                "course: labs %d and %d both cut %s, and each one's checks "
                "run the other's bodies: give each its own tree (make "
                "course DEST=... LABS=%d, another with LABS=%d)" %
                (a, b, path, a, b))


def make_course(top, dest, numbers, skeleton):
    """Write a course tree with labs numbers cut in place."""
    if labconf.read_course(top):
        raise SystemExit("course: this is a course tree already")
    if os.path.exists(dest) and os.listdir(dest):
        raise SystemExit("course: %s exists and is not empty" % dest)
    labs = [labconf.get_lab(top, n) for n in numbers]
    refuse_shared(labs)
    keep = {lab.folder for lab in labs}
    for rel in tree.source_files(top):
        parts = rel.split(os.sep)
        # the machinery's own test needs the reference, and its mutants
        # quote lines of the cut bodies: it stays in the repository
        if rel == os.path.join("tools", "labs", "selfcheck.py"):
            continue
        if parts[0] == labconf.EXERCISES and len(parts) > 2 and \
                os.path.join(parts[0], parts[1]) not in keep:
            continue
        out = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        shutil.copy2(os.path.join(top, rel), out)
    cut_files = []
    for lab in labs:
        for path in lab.files():
            if path not in cut_files:
                cut_files.append(path)
    for path in cut_files:
        with open(os.path.join(top, path)) as f:
            text = f.read()
        cuts = [(c.func, lab.note(c)) for lab in labs for c in lab.funcs(path)]
        with open(os.path.join(dest, path), "w") as f:
            f.write(csource.cut(text, cuts))
        prebuild(top, path, dest)
    # the tree may become a git repository of its own: keep the objects
    with open(os.path.join(dest, ".gitignore"), "a") as f:
        f.write("!/exercises/prebuilt/**/*.o\n")
    with open(os.path.join(dest, labconf.COURSE_CONF), "w") as f:
        f.write("# Written by make course: this tree's labs are cut in "
                "place.\n[course]\nlabs = %s\nprebuilt = %s\n" %
                (" ".join(str(n) for n in numbers), " ".join(cut_files)))
    found = leaks(dest, distinctive_runs(top, labs))
    for rel, where in found:
        print("course: %s holds a copy of the cut body of %s" % (rel, where),
              file=sys.stderr)
    if found:
        raise SystemExit(1)
    print("make course: %s: labs %s cut in place (%s); the reference of "
          "those files only as objects in exercises/prebuilt/" %
          (dest, " ".join(str(n) for n in numbers), " ".join(cut_files)))
    return 0


def bulk(top, number, subs, out_dir, grade_one, skeleton):
    """Grade every submission folder in subs; write a CSV and one
    results.json per student. Only the lab's files are taken from a
    submission, found by their path or their name."""
    import grade
    lab = labconf.get_lab(top, number)
    if labconf.read_course(top):
        raise SystemExit("bulk: grade submissions in the repository, "
                         "which holds the reference")
    os.makedirs(out_dir, exist_ok=True)
    rows = []
    for student in sorted(os.listdir(subs)):
        sdir = os.path.join(subs, student)
        if not os.path.isdir(sdir):
            continue
        work = os.path.join(top, "build", "labs", "bulk-%d-work" % number)
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        wanted = ["answers.txt"] if lab.kind == "quiz" else lab.files()
        missing = []
        for path in wanted:
            base = os.path.basename(path)
            for cand in (os.path.join(sdir, path), os.path.join(sdir, base)):
                if os.path.isfile(cand):
                    shutil.copyfile(cand, os.path.join(work, base))
                    break
            else:
                missing.append(path)
                if lab.kind != "quiz":
                    with open(os.path.join(work, base), "w") as f:
                        f.write(skeleton(top, lab, path))
        lines = []
        (score, total, passed, failed), results = grade_one(
            lab, work, False, student, "bulk-%d" % number,
            out=lines.append)
        sout = os.path.join(out_dir, student)
        os.makedirs(sout, exist_ok=True)
        with open(os.path.join(sout, "report.txt"), "w") as f:
            f.write("".join(s + "\n" for s in
                            ["missing: " + m for m in missing] + lines))
        grade.gradescope(lab, results, score, total,
                         os.path.join(sout, "results.json"))
        rows.append([student, score, total, passed, failed,
                     " ".join(missing)])
        print("%-20s %3d/%-3d %s" % (student, score, total,
                                     "missing " + " ".join(missing)
                                     if missing else ""))
    with open(os.path.join(out_dir, "grades.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "score", "max_score", "passed", "failed",
                    "missing"])
        w.writerows(rows)
    print("make bulk: %s/grades.csv and %s/STUDENT/results.json" %
          (out_dir, out_dir))
    return 0


def main(top, args, grade_one, skeleton):
    """Run labs.py course or labs.py bulk."""
    if args.cmd == "course":
        return make_course(top, args.dest, args.labs, skeleton)
    return bulk(top, args.lab, args.submissions, args.out, grade_one,
                skeleton)
