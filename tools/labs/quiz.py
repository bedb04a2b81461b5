"""Lab 0, read a trace: questions about a run only this student has.

The student id picks the run (seed, bytes read, event index on or off),
so two students get different answers to the same questions. The grader
never stores answers: it runs the reference again and reads the answers
off its JSON lines. Only the keys every version of the JSON-lines schema
has are read (kind, seq, thread, side, dev, queue, spec, before, after,
what), so the lab outlives changes to the others.
"""

import hashlib
import json
import os
import re
import shlex
import subprocess

import tree

BYTES = (16, 40, 64, 100, 130, 200)


def scenario(student):
    """Return the `vlab run` arguments of this student's run."""
    h = hashlib.sha256(student.encode()).digest()
    seed = int.from_bytes(h[:4], "big") % 100000 + 1
    args = "rng --seed %d --bytes %d" % (seed, BYTES[h[4] % len(BYTES)])
    if h[5] % 3 == 0:
        args += " --no-event-idx"
    return args


def first(events, kind, pred=lambda e: True):
    """Return the first event of kind that pred accepts, or None."""
    return next((e for e in events if e["kind"] == kind and pred(e)), None)


def seq_of(ev):
    """Return an event's number, or None for no such event."""
    return ev["seq"] if ev else None


def count(events, kind):
    """Return how many events are of kind."""
    return sum(1 for e in events if e["kind"] == kind)


def ready(e):
    """True for the status write that sets DRIVER_OK (bit 0x4)."""
    return (e["after"] & 4) and not (e["before"] & 4)


QUESTIONS = {
    "driver_ok": (
        "At which event (its number) does the driver set DRIVER_OK?",
        lambda ev: seq_of(first(ev, "status", ready))),
    "used_idx_1": (
        "At which event does used.idx become 1?",
        lambda ev: seq_of(first(ev, "publish-used",
                                lambda e: e["after"] == 1))),
    "used_idx_1_spec": (
        "Which section of virtio 1.2 does that event follow "
        "(for example 2.4)?",
        lambda ev: (first(ev, "publish-used", lambda e: e["after"] == 1)
                    or {}).get("spec")),
    "first_get_buf": (
        "At which event does the driver take its first buffer back?",
        lambda ev: seq_of(first(ev, "get_buf"))),
    "first_sleep": (
        "At which event does the guest program first sleep, waiting for "
        "the device?",
        lambda ev: seq_of(first(ev, "sleep"))),
    "first_interrupt": (
        "At which event does the device raise its first used-buffer "
        "interrupt?",
        lambda ev: seq_of(first(ev, "interrupt"))),
    "kicks": (
        "How many times does the driver notify the device (QueueNotify)?",
        lambda ev: count(ev, "kick")),
    "descriptors": (
        "How many descriptors does the driver write?",
        lambda ev: count(ev, "add")),
    "last_avail_idx": (
        "What is avail.idx after the driver's last publish?",
        lambda ev: (([e for e in ev if e["kind"] == "publish"] or
                     [{"after": 0}])[-1])["after"]),
    "device_events": (
        "How many events does the device's thread report, in all?",
        lambda ev: sum(1 for e in ev if e["side"] == "device")),
}


def events_of(jsonl):
    """Return the events of a JSON-lines trace (schema, narration and
    result lines left out)."""
    out = []
    for line in jsonl.splitlines():
        if not line.startswith("{"):
            continue
        obj = json.loads(line)
        if "seq" in obj and obj.get("kind") not in ("schema", "result"):
            out.append(obj)
    return out


def answers_for(events, keys):
    """Return {question key: the right answer} for this trace."""
    return {k: QUESTIONS[k][1](events) for k in keys}


def run(tree_dir, args, fmt):
    """Run the reference vlab of the grading tree; return stdout."""
    vlab = os.path.join(tree_dir, "build", "release", "vlab")
    p = subprocess.run([vlab, "run"] + shlex.split(args) +
                       ["--trace-format", fmt], cwd=tree_dir,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=120)
    if p.returncode != 0:
        raise SystemExit("lab 0: vlab run %s failed:\n%s" % (args, p.stderr))
    return p.stdout


def build_vlab(tree_dir, prebuilt):
    """Build the reference vlab in the grading tree, or exit."""
    ok, log = tree.build(tree_dir, "release", ["build/release/vlab"],
                         prebuilt)
    if not ok:
        raise SystemExit("lab 0: the reference does not build:\n" +
                         "\n".join(tree.compiler_errors(log)))


def hand_out(lab, tree_dir, prebuilt, work, student):
    """Write the student's questions, answer sheet and traces."""
    build_vlab(tree_dir, prebuilt)
    args = scenario(student)
    keys = [c.question for c in lab.checks]
    os.makedirs(work)
    with open(os.path.join(work, "trace.txt"), "w") as f:
        f.write(run(tree_dir, args, "text"))
    with open(os.path.join(work, "trace.jsonl"), "w") as f:
        f.write(run(tree_dir, args, "jsonl"))
    with open(os.path.join(work, "student"), "w") as f:
        f.write(student + "\n")
    with open(os.path.join(work, "answers.txt"), "w") as f:
        f.write("# Lab 0 answers of %s: the run is `vlab run %s`.\n"
                "# Write each answer after its colon; lines starting with "
                "# are ignored.\n" % (student, args))
        for i, k in enumerate(keys, 1):
            f.write("\n# %d. %s\n%s:\n" % (i, QUESTIONS[k][0], k))
    return args


def read_answers(path):
    """Return {key: text} from an answer sheet."""
    out = {}
    if not os.path.isfile(path):
        return out
    with open(path) as f:
        for line in f:
            if line.startswith("#") or ":" not in line:
                continue
            k, _, v = line.partition(":")
            out[k.strip()] = v.strip()
    return out


def norm(value):
    """Return an answer in the form compared: §, 'section' and spaces
    dropped, numbers as numbers."""
    s = re.sub(r"(?i)section|\u00a7|\s", "", str(value))
    return str(int(s)) if re.fullmatch(r"-?\d+", s) else s


def grade(lab, tree_dir, prebuilt, answers_path, student):
    """Grade an answer sheet against the answers recomputed from the
    student's run; return grade.Result objects."""
    import grade as g
    build_vlab(tree_dir, prebuilt)
    args = scenario(student)
    events = events_of(run(tree_dir, args, "jsonl"))
    keys = [c.question for c in lab.checks]
    right = answers_for(events, keys)
    given = right if answers_path is None else read_answers(answers_path)
    results = []
    for chk in lab.checks:
        want = right[chk.question]
        got = given.get(chk.question, "")
        if want is not None and norm(got) == norm(want):
            results.append(g.Result(chk, True))
        else:
            shown = got if got != "" else "(no answer)"
            results.append(g.Result(chk, False, [
                "your answer: %s; look again at the run of `vlab run %s` "
                "(work/trace.txt)" % (shown, args)]))
    return results
