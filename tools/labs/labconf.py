"""Read a lab's manifest, exercises/NN-name/lab.conf.

The manifest is the only place a lab is described for the machinery:
which functions it cuts from which reference file, and which checks
grade it. The handout (README.md next to it) is for people.
"""

import configparser
import os
import textwrap

EXERCISES = "exercises"
COURSE_CONF = os.path.join(EXERCISES, "course.conf")


class Cut:
    """One function a lab removes: file, function, one-line task."""

    def __init__(self, path, func, task):
        self.path = path
        self.func = func
        self.task = task


class Check:
    """One graded check: how it runs, its points, its hint."""

    def __init__(self, key, sec):
        self.key = key
        self.name = sec.get("name", key)
        self.points = sec.getint("points", 1)
        self.variant = sec.get("variant", "release")
        self.trace = sec.get("trace")
        self.golden = sec.get("golden")
        self.kinds = sec.get("kinds", "").split()
        self.part = sec.get("part")
        self.status = sec.get("status")
        self.forbid = sec.get("forbid")
        # a line the run must print (a defence's error line, a count)
        self.expect = sec.get("expect")
        self.suite = sec.get("suite")
        self.only = sec.get("only")
        self.cfg = sec.get("cfg")
        self.question = sec.get("question")
        self.timeout = sec.getint("timeout", 120)
        # one test's bound (tests/watchdog.c): a hang fails in seconds
        self.test_timeout = sec.getint(
            "test_timeout", {"asan": 12, "tsan": 20}.get(self.variant, 6))
        self.hint = " ".join(sec.get("hint", "").split())
        # [qemu]: the driver the QEMU guest loads (make grade QEMU=1)
        self.driver = sec.get("driver")


class Lab:
    """One lab: its number, folder, handout data, cuts and checks."""

    def __init__(self, number, folder, conf):
        lab = conf["lab"]
        self.number = number
        self.folder = folder
        self.name = os.path.basename(folder)
        self.title = lab.get("title", self.name)
        self.kind = lab.get("kind", "code")
        self.trace = lab.get("trace")
        self.golden = lab.get("golden")
        self.cuts = []
        for line in lab.get("cut", "").strip().splitlines():
            where, _, task = line.partition("|")
            path, func = where.split()
            self.cuts.append(Cut(path, func, task.strip()))
        self.checks = [Check(s.split(None, 1)[1], conf[s])
                       for s in conf.sections() if s.startswith("check ")]
        # the QEMU guest's check, graded only when asked (QEMU=1)
        self.qemu = Check("qemu", conf["qemu"]) if "qemu" in conf else None
        names = [os.path.basename(c.path) for c in self.cuts]
        for n in names:
            paths = {c.path for c in self.cuts
                     if os.path.basename(c.path) == n}
            if len(paths) > 1:
                raise ValueError("%s: two cut files named %s" % (folder, n))

    def files(self):
        """Return the reference files this lab cuts, in manifest order."""
        out = []
        for c in self.cuts:
            if c.path not in out:
                out.append(c.path)
        return out

    def funcs(self, path):
        """Return the functions this lab cuts from path."""
        return [c for c in self.cuts if c.path == path]

    def work_dir(self, top):
        """Return where `make lab` puts the student's files."""
        return os.path.join(top, self.folder, "work")

    def note(self, cut):
        """Return the comment lines a stub of this lab carries."""
        lines = ["Lab %d, %s: write this body." % (self.number, self.title),
                 "Handout: %s/README.md" % self.folder]
        if cut.task:
            lines += textwrap.wrap("It must: %s." % cut.task.rstrip("."),
                                   66)
        return lines


def all_labs(top):
    """Return every lab under exercises/, by number."""
    labs = {}
    root = os.path.join(top, EXERCISES)
    for entry in sorted(os.listdir(root)):
        conf_path = os.path.join(root, entry, "lab.conf")
        if not os.path.isfile(conf_path) or not entry[:2].isdigit():
            continue
        conf = configparser.ConfigParser(interpolation=None)
        conf.read(conf_path)
        number = int(entry[:2])
        labs[number] = Lab(number, os.path.join(EXERCISES, entry), conf)
    return labs


def get_lab(top, number):
    """Return lab number, or exit with one clear line."""
    labs = all_labs(top)
    if number not in labs:
        raise SystemExit("labs: no lab %s (there are: %s)" %
                         (number, " ".join(str(n) for n in sorted(labs))))
    return labs[number]


def read_course(top):
    """Return the course tree's settings, or None in the repository.

    A tree written by `make course` says which labs are cut in place
    and which reference files come only as compiled objects.
    """
    path = os.path.join(top, COURSE_CONF)
    if not os.path.isfile(path):
        return None
    conf = configparser.ConfigParser(interpolation=None)
    conf.read(path)
    sec = conf["course"]
    return {"labs": [int(n) for n in sec.get("labs", "").split()],
            "prebuilt": sec.get("prebuilt", "").split()}
