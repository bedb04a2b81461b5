#!/usr/bin/env bash
# The catalogue (docs/reliability.md) and the code agree:
#   - every rule code the code cites ("RELIABILITY D7", lists such as
#     "RELIABILITY D8, D9" and ranges such as "D8-D13") has a row;
#   - every row's code is cited somewhere in the code;
#   - every test the catalogue names exists in its suite, and every
#     mutant it names is one tests/mutants.sh runs.
# Usage: tests/catalogue.sh [--self-test]   (from the top of the tree)
set -u

# check DOC SRCDIRS...: print one line per disagreement, exit 1 if any
check() {
	python3 - "$@" <<'PY'
import re, sys, os

doc, roots = sys.argv[1], sys.argv[2:]
text = open(doc).read()
bad = []

# rows: "| D7 | ..." in the catalogue's tables
rows = {}
for line in text.splitlines():
    m = re.match(r'\|\s*([DRL]\d+)\s*\|', line)
    if m:
        cols = [c.strip() for c in line.strip().strip('|').split('|')]
        rows[m.group(1)] = cols

# codes cited in the code
cite = re.compile(r'RELIABILITY\s+((?:[DRL]\d+)(?:\s*(?:,|and|-|–)\s*'
                  r'(?:[DRL]\d+))*)')
cited = {}
tests_src = mutants_src = ''
for root in roots:
    for dirpath, _, files in os.walk(root):
        for f in files:
            path = os.path.join(dirpath, f)
            if not f.endswith(('.c', '.h', '.sh')):
                continue
            src = open(path, errors='replace').read()
            if path.startswith('tests/') and f.endswith('.c'):
                tests_src += src
            if f == 'mutants.sh':
                mutants_src = src
            if f == 'catalogue.sh':
                continue
            for m in cite.finditer(src):
                codes = re.findall(r'([DRL])(\d+)', m.group(1))
                seps = re.findall(r'[DRL]\d+\s*(,|and|-|–)?', m.group(1))
                for i, (k, n) in enumerate(codes):
                    cited.setdefault(k + n, path)
                    if i + 1 < len(codes) and seps[i] in ('-', '–'):
                        k2, n2 = codes[i + 1]
                        for j in range(int(n) + 1, int(n2)):
                            cited.setdefault(k + str(j), path)

for code, path in sorted(cited.items()):
    if code not in rows:
        bad.append(f'{code} is cited in {path} but has no row in {doc}')
for code in sorted(rows):
    if code not in cited:
        bad.append(f'{code} has a row in {doc} but no code cites it')

# tests (columns 6 and 7, and "Other cases") and mutants (last column)
def ticks(s):
    return re.findall(r'`([^`]+)`', s)

for line in text.splitlines():
    if not line.startswith('|') or line.startswith('|---'):
        continue
    cols = [c.strip() for c in line.strip().strip('|').split('|')]
    if len(cols) == 8 and re.match(r'[DRL]\d+$', cols[0]):
        tests, muts = cols[5] + ' ' + cols[6], cols[7]
    elif len(cols) == 5 and cols[0] != 'case':
        tests, muts = cols[3], cols[4]
    else:
        continue
    for t in ticks(tests):
        if ': ' not in t:
            continue
        suite, name = t.split(': ', 1)
        if '"' + name + '"' not in tests_src:
            bad.append(f'test "{name}" ({suite}) named in {doc} does not exist')
    for mu in ticks(muts):
        if 'mutant "' + mu + '"' not in mutants_src:
            bad.append(f'mutant "{mu}" named in {doc} is not in tests/mutants.sh')

for b in bad:
    print('      FAILED: ' + b)
print(f'catalogue: {len(rows)} rules, {len(cited)} cited in the code, '
      f'{len(bad)} disagreements')
sys.exit(1 if bad else 0)
PY
}

if [ "${1:-}" = --self-test ]; then
	# A rule cited but missing from a catalogue must be reported
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	mkdir -p "$tmp/sim"
	printf '| D1 | x | x | x | x | x | x | x |\n' > "$tmp/doc.md"
	printf '/* RELIABILITY D1, D2-D4 */\n' > "$tmp/sim/a.c"
	out=$(cd "$tmp" && check doc.md sim)
	for c in D2 D3 D4; do
		echo "$out" | grep -q "$c is cited" || {
			echo "catalogue.sh self-test: $c not reported"; exit 1; }
	done
	echo "catalogue.sh self-test: ok"
	exit 0
fi

echo "=== the reliability catalogue and the code"
check docs/reliability.md sim virtio driver tests tools
