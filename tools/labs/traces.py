"""Canonical traces for the grader: run, cut to the part a check
grades, compare with a committed golden, explain the first difference.

The goldens in tests/golden/ are canonical (addresses named by what they
belong to), so a student's driver that allocates elsewhere still
matches, and a course tree without the solutions still has them.
"""

import os
import re
import shlex
import subprocess
import tempfile
import threading

# vlab run prints the bytes read after the trace, as a hex dump whose
# offset column starts with digits like an event line: not events.
HEXDUMP = re.compile(r"^[0-9a-f]{8}  [0-9a-f]{2} ")
EVENT = re.compile(r"^\s*\d+\s+\S")


def event_lines(text):
    """Return the event lines of a text or canonical trace."""
    return [line for line in text.splitlines()
            if EVENT.match(line) and not HEXDUMP.match(line)]


def kind_of(line):
    """Return the event kind column of an event line."""
    cols = line.split()
    return cols[5] if len(cols) > 5 else ""


def spec_of(line):
    """Return the spec section column of an event line, or ''."""
    cols = line.split()
    return cols[6] if len(cols) > 6 and cols[6].startswith("\u00a7") else ""


def select(lines, kinds, part):
    """Return the events a check grades.

    kinds: keep only these kinds (all when empty); part: "probe" keeps
    the events up to the driver's DRIVER_OK, "remove" those after it.
    """
    if part:
        ready = next((i for i, line in enumerate(lines)
                      if kind_of(line) == "status" and "+DRIVER_OK" in line),
                     None)
        if part == "probe":
            lines = lines if ready is None else lines[:ready + 1]
        else:
            lines = [] if ready is None else lines[ready + 1:]
    if kinds:
        lines = [line for line in lines if kind_of(line) in kinds]
    return lines


# vlab's own bound on a run (the reference's take well under a second):
# a driver that spins is stopped and the rings shown, not waited for
RUN_BOUND_S = 15


# A driver that loops may emit events without end (a chain detached
# again and again): the goldens hold a few hundred, so a run is cut here.
MAX_LINES = 20000


def run_canon(vlab, args, cwd, timeout):
    """Run `vlab run ARGS --trace-format canon`; return (rc, out, err).

    The run is stopped after timeout seconds or MAX_LINES lines of
    output, whichever comes first, and err says so.
    """
    cmd = [vlab, "run"] + shlex.split(args) + [
        "--trace-format", "canon", "--timeout", str(RUN_BOUND_S)]
    with tempfile.TemporaryFile(mode="w+") as errf:
        p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE,
                             stderr=errf, universal_newlines=True)
        timer = threading.Timer(timeout, p.kill)
        timer.start()
        lines, note = [], ""
        for line in p.stdout:
            lines.append(line)
            if len(lines) >= MAX_LINES:
                p.kill()
                note = "vlab: stopped after %d lines: the run does not " \
                    "end (an endless loop?)\n" % MAX_LINES
                break
        p.stdout.close()
        rc = p.wait()
        timer.cancel()
        if rc == -9 and not note:
            note = "vlab: stopped after %d s: the run does not end\n" % \
                timeout
        errf.seek(0)
        return (124 if note else rc), "".join(lines), note + errf.read()


def compare(vlab, mine, golden, scratch, tag):
    """Compare two event lists with `vlab diff`; return (same, report).

    The report is vlab diff's own: the first event that differs, with
    both lines, or that the traces match.
    """
    os.makedirs(scratch, exist_ok=True)
    a = os.path.join(scratch, tag + ".yours.txt")
    b = os.path.join(scratch, tag + ".reference.txt")
    for path, lines in ((a, mine), (b, golden)):
        with open(path, "w") as f:
            f.write("".join(line + "\n" for line in lines))
    if not mine and not golden:
        return True, "no events to compare"
    p = subprocess.run([vlab, "diff", a, b], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True)
    return p.returncode == 0, p.stdout.strip()


def explain(report, golden_lines, replay):
    """Return feedback lines for a failed trace comparison.

    The first differing event of both traces, the section of the spec
    the reference's event follows, and the command that replays the run
    one event at a time.
    """
    out = []
    ref_line = ""
    for line in report.splitlines():
        line = line.strip()
        if line.startswith("the traces differ"):
            out.append("the first event that differs from the "
                       "reference's:")
        elif ".yours.txt" in line:
            out.append("yours:     " + line.split(": ", 1)[-1])
        elif ".reference.txt" in line:
            text = line.split(": ", 1)[-1]
            out.append("reference: " + text)
            ref_line = text
        elif line:
            out.append(line)
    spec = spec_of(ref_line)
    if not spec:
        m = re.search(r"\u00a7[0-9.]+", ref_line)
        spec = m.group(0) if m else ""
    if spec:
        out.append("the reference's event follows virtio 1.2 %s" % spec)
    kind = kind_of(ref_line)
    out.append("replay it: %s%s" % (replay, " (then type: b %s)" % kind
                                    if kind else ""))
    return out
