#!/usr/bin/env python3
"""The lab machinery's one command (the Makefile's lab, grade, course,
bulk and labs-check targets call it).

  labs.py lab N [--student ID]       hand out lab N into its work/
  labs.py grade N [--ref] [--work DIR] [--format gradescope]
                  [--results FILE] [--student ID] [--tag T] [--qemu]
  labs.py cut N --out DIR [--only FUNC]   skeleton files, for tests
  labs.py course DEST LABS...        a course term's tree
  labs.py bulk N SUBMISSIONS OUT     grade a folder of submissions
  labs.py check [--qemu]             prove the machinery (make labs-check)

Exit status: 0 for success and full marks, 1 for a grade short of them,
2 for a usage error.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import csource  # noqa: E402
import grade  # noqa: E402
import labconf  # noqa: E402
import quiz  # noqa: E402
import tree  # noqa: E402

TOP = os.path.dirname(os.path.dirname(HERE))


def skeleton(top, lab, path, only=None):
    """Return the reference file path with lab's bodies cut.

    only: cut just this function (the others stay the reference's).
    """
    with open(os.path.join(top, path)) as f:
        src = f.read()
    cuts = [(c.func, lab.note(c)) for c in lab.funcs(path)
            if only is None or c.func == only]
    return csource.cut(src, cuts)


def cmd_lab(args):
    """make lab LAB=N: write the student's files, never over work."""
    lab = labconf.get_lab(TOP, args.lab)
    course = labconf.read_course(TOP)
    work = lab.work_dir(TOP)
    rel = os.path.relpath(work, TOP)
    if course and lab.kind != "quiz":
        print("lab %d is cut in place in this tree: edit %s, then "
              "make grade LAB=%d" % (lab.number, " ".join(lab.files()),
                                     lab.number))
        return 0
    if os.path.exists(work):
        print("make lab: %s exists: your work is kept. Move it away to "
              "start again." % rel, file=sys.stderr)
        return 1
    if lab.kind == "quiz":
        if not args.student:
            print("make lab: lab 0 needs your id: make lab LAB=0 "
                  "STUDENT=your-id", file=sys.stderr)
            return 2
        base = grade.grading_dir(TOP, lab)
        tree_dir = os.path.join(base, "tree")
        tree.sync(TOP, tree_dir, {})
        prebuilt = course["prebuilt"] if course else []
        run = quiz.hand_out(lab, tree_dir, prebuilt, work, args.student)
        print("make lab: %s/ holds your run (vlab run %s) as trace.txt "
              "and trace.jsonl; answer in %s/answers.txt, then make grade "
              "LAB=0" % (rel, run, rel))
        return 0
    os.makedirs(work)
    for path in lab.files():
        out = os.path.join(work, os.path.basename(path))
        with open(out, "w") as f:
            f.write(skeleton(TOP, lab, path))
        print("make lab: %s: write %s" % (
            os.path.relpath(out, TOP),
            ", ".join(c.func + "()" for c in lab.funcs(path))))
    print("make lab: then make grade LAB=%d (handout: %s/README.md)" %
          (lab.number, lab.folder))
    return 0


def student_of(lab, work, given):
    """Return the student id of a lab 0 grade."""
    if given:
        return given
    path = os.path.join(work, "student")
    if os.path.isfile(path):
        with open(path) as f:
            return f.read().strip()
    raise SystemExit("grade: no student id: make lab LAB=0 STUDENT=id "
                     "first, or give STUDENT=id")


def grade_one(lab, work, ref, student=None, tag=None, stop_early=False,
              out=print, qemu=False):
    """Grade lab from work (or the reference); return the report's
    (score, max, passed, failed) and the results.

    qemu: also run the lab's [qemu] check, the driver as a kernel module
    in a QEMU guest.
    """
    course = labconf.read_course(TOP)
    if qemu:
        if not lab.qemu:
            raise SystemExit("grade: lab %d has no QEMU part (the driver "
                             "labs have: 1, 2, 7, 8)" % lab.number)
        lab.checks.append(lab.qemu)
    if ref and course:
        raise SystemExit("grade: REF=1 needs the reference, which a "
                         "course tree does not hold")
    answers, shown = None, None
    if lab.kind == "quiz":
        overlay = {}
        prebuilt = course["prebuilt"] if course else []
        student = student_of(lab, work, student) if not ref else \
            (student or "reference")
        answers = None if ref else os.path.join(work, "answers.txt")
    elif ref:
        overlay, prebuilt = {}, []
    else:
        overlay, prebuilt, shown = grade.overlay_for(TOP, lab, work, course)
    results, tree_dir = grade.run_checks(TOP, lab, overlay, prebuilt, tag,
                                         stop_early, answers, student, shown)
    out("lab %d: %s (%s)" % (lab.number, lab.title,
                             "the reference" if ref else
                             "your files" if not course or
                             lab.kind == "quiz" else "this tree"))
    summary = grade.report(TOP, lab, results, tree_dir, out)
    return summary, results


def cmd_grade(args):
    """make grade LAB=N [REF=1] [FORMAT=gradescope]."""
    lab = labconf.get_lab(TOP, args.lab)
    work = args.work or lab.work_dir(TOP)
    (score, total, _, _), results = grade_one(
        lab, work, args.ref, args.student, args.tag, args.stop_early,
        qemu=args.qemu)
    if args.format == "gradescope":
        path = args.results or os.path.join(
            grade.grading_dir(TOP, lab, args.tag), "results.json")
        grade.gradescope(lab, results, score, total, path)
        print("results.json: %s" % os.path.relpath(path, TOP))
    return 0 if score == total else 1


def cmd_cut(args):
    """Write lab N's skeleton files into a folder (for the tests)."""
    lab = labconf.get_lab(TOP, args.lab)
    os.makedirs(args.out, exist_ok=True)
    for path in lab.files():
        if args.only and args.only not in [c.func for c in lab.funcs(path)]:
            with open(os.path.join(TOP, path)) as f:
                text = f.read()
        else:
            text = skeleton(TOP, lab, path, args.only)
        with open(os.path.join(args.out, os.path.basename(path)), "w") as f:
            f.write(text)
    return 0


def main():
    """Parse the command line and run one subcommand."""
    p = argparse.ArgumentParser(prog="labs.py")
    sub = p.add_subparsers(dest="cmd")
    s = sub.add_parser("lab")
    s.add_argument("lab", type=int)
    s.add_argument("--student")
    s = sub.add_parser("grade")
    s.add_argument("lab", type=int)
    s.add_argument("--ref", action="store_true")
    s.add_argument("--work")
    s.add_argument("--format", choices=["text", "gradescope"],
                   default="text")
    s.add_argument("--results")
    s.add_argument("--student")
    s.add_argument("--tag")
    s.add_argument("--stop-early", action="store_true")
    s.add_argument("--qemu", action="store_true")
    s = sub.add_parser("cut")
    s.add_argument("lab", type=int)
    s.add_argument("--out", required=True)
    s.add_argument("--only")
    s = sub.add_parser("course")
    s.add_argument("dest")
    s.add_argument("labs", nargs="+", type=int)
    s = sub.add_parser("bulk")
    s.add_argument("lab", type=int)
    s.add_argument("submissions")
    s.add_argument("out")
    s = sub.add_parser("check")
    s.add_argument("--qemu", action="store_true")
    args = p.parse_args()
    if args.cmd == "lab":
        return cmd_lab(args)
    if args.cmd == "grade":
        return cmd_grade(args)
    if args.cmd == "cut":
        return cmd_cut(args)
    if args.cmd in ("course", "bulk"):
        import course
        return course.main(TOP, args, grade_one, skeleton)
    if args.cmd == "check":
        if labconf.read_course(TOP):
            print("labs-check needs the reference: run it in the "
                  "repository, not in a course tree", file=sys.stderr)
            return 2
        import selfcheck
        return selfcheck.main(TOP, args.qemu)
    p.print_help(sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
