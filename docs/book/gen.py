#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Make the book's pictures and trace excerpts from seeded lockstep runs.

Every picture and excerpt the pages of docs/book/ show is listed in
docs/book/figures.txt and made here from a run of the current code, so
none is drawn or pasted by hand: a change to a trace point changes what
the book shows. Events are chosen by what they are ("the first publish",
"the second get_buf"), never by number.

Usage: docs/book/gen.py VLAB OUTDIR
  writes OUTDIR/NAME.svg (figures) and OUTDIR/NAME.txt (excerpts, outputs,
  test logs); the test suites are those built next to VLAB
"""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile


def run(vlab, args, extra):
    """Output of `vlab run ARGS EXTRA`; a failing run stops the book."""
    cmd = [vlab, 'run'] + shlex.split(args) + extra
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=120)
    if p.returncode != 0:
        sys.exit('gen.py: %s failed (%d): %s' % (' '.join(cmd),
                                                 p.returncode, p.stderr))
    return p.stdout


def pick(vlab, args, selector):
    """The number of the event SELECTOR names: KIND, KIND#N (the Nth of
    that kind, from 1) or KIND#N@Q (only events of queue Q count)."""
    m = re.fullmatch(r'([a-z_-]+)(?:#(\d+))?(?:@(\d+))?', selector)
    if not m:
        sys.exit('gen.py: bad event selector %r' % selector)
    kind, nth, queue = m.group(1), int(m.group(2) or 1), m.group(3)
    seen = 0
    for line in run(vlab, args, ['--trace-format', 'jsonl']).splitlines():
        ev = json.loads(line)
        if ev.get('kind') != kind or 'seq' not in ev:
            continue
        if queue is not None and ev['queue'] != int(queue):
            continue
        seen += 1
        if seen == nth:
            return ev['seq']
    sys.exit('gen.py: run %s has no event %s' % (args, selector))


def figure(vlab, out, name, args, selector):
    """NAME.svg: the Graphviz picture `--dot` draws after that event."""
    seq = pick(vlab, args, selector)
    with tempfile.TemporaryDirectory() as tmp:
        run(vlab, args, ['--dot', tmp])
        src = os.path.join(tmp, 'event-%04d.dot' % seq)
        subprocess.run(['dot', '-Tsvg', src, '-o',
                        os.path.join(out, name + '.svg')], check=True)


def excerpt(vlab, out, name, args, first, last):
    """NAME.txt: the text trace from one event to another, with the
    narration between them and the header line."""
    a, b = pick(vlab, args, first), pick(vlab, args, last)
    lines = run(vlab, args, ['--trace']).splitlines()
    keep, inside = [lines[0]], False
    for line in lines[1:]:
        m = re.match(r'\s*(\d+)\s', line)
        if m:
            inside = a <= int(m.group(1)) <= b
            if inside:
                keep.append(line)
        elif inside and line.startswith('#'):
            keep.append(line)
    # narration after the last event belongs to what follows it
    while keep[-1].startswith('#') and len(keep) > 1:
        keep.pop()
    with open(os.path.join(out, name + '.txt'), 'w') as f:
        f.write('$ vlab run %s --trace\n' % args)
        f.write('\n'.join(keep) + '\n')


def output(vlab, out, name, args, pattern):
    """NAME.txt: the lines of a run's output that match PATTERN."""
    text = run(vlab, args, [])
    lines = [l for l in text.splitlines() if re.search(pattern, l)]
    if not lines:
        sys.exit('gen.py: run %s printed nothing matching %r' %
                 (args, pattern))
    with open(os.path.join(out, name + '.txt'), 'w') as f:
        f.write('$ vlab run %s\n' % args)
        f.write('\n'.join(lines) + '\n')


def test(vlab, out, name, binary, pattern):
    """NAME.txt: the distinct lines a test suite logs that match PATTERN
    (the machine's and the guest's own error messages), host addresses
    blanked, sorted."""
    path = os.path.join(os.path.dirname(vlab), 'tests', binary)
    p = subprocess.run([path], stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=300,
                       env=dict(os.environ, VLAB=vlab))
    if p.returncode != 0:
        sys.exit('gen.py: %s failed (%d)' % (path, p.returncode))
    found = set()
    for line in (p.stdout + p.stderr).splitlines():
        m = re.search(r'\[[a-z]+[0-9]*\] .*', line)
        if m and re.search(pattern, m.group(0)):
            found.add(re.sub(r'0x7f[0-9a-f]{6,}', '0x7f...', m.group(0)))
    if not found:
        sys.exit('gen.py: %s logged nothing matching %r' % (binary, pattern))
    with open(os.path.join(out, name + '.txt'), 'w') as f:
        f.write('\n'.join(sorted(found)) + '\n')


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    vlab, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    manifest = os.path.join(os.path.dirname(__file__), 'figures.txt')
    made = 0
    for raw in open(manifest):
        if not raw.strip() or raw.startswith('#'):
            continue
        # the last field (a pattern) may itself contain '|'
        kind = raw.split('|', 1)[0].strip()
        width = {'figure': 4, 'excerpt': 5, 'output': 4, 'test': 4}
        f = [x.strip() for x in raw.split('|', width.get(kind, 1) - 1)]
        if f[0] == 'figure' and len(f) == 4:
            figure(vlab, out, f[1], f[2], f[3])
        elif f[0] == 'excerpt' and len(f) == 5:
            excerpt(vlab, out, f[1], f[2], f[3], f[4])
        elif f[0] == 'output' and len(f) == 4:
            output(vlab, out, f[1], f[2], f[3])
        elif f[0] == 'test' and len(f) == 4:
            test(vlab, out, f[1], f[2], f[3])
        else:
            sys.exit('gen.py: bad line in figures.txt: %s' % raw.strip())
        made += 1
    print('gen.py: %d pictures and excerpts in %s' % (made, out))


if __name__ == '__main__':
    main()
