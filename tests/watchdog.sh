#!/usr/bin/env bash
# The test watchdog can fail: a test that never ends (test_hostile's
# self-test, VLAB_WATCHDOG_SELFTEST=1) must end the run with status 3 in
# about VLAB_TEST_TIMEOUT seconds, name the test, and say where each
# thread waits, down to the function that hangs.
# Usage: tests/watchdog.sh BUILD_DIR
set -u
bin=${1:-build/release}/tests/test_hostile
echo "=== the test watchdog"
out=$(VLAB_WATCHDOG_SELFTEST=1 VLAB_TEST_TIMEOUT=2 timeout 60 "$bin" 2>&1)
status=$?
fail=0
check() {
	if eval "$2"; then echo "  ok: $1"; else echo "  FAILED: $1"; fail=1; fi
}
check "a hanging test ends the run with status 3 (got $status)" \
	'[ "$status" -eq 3 ]'
check "the report names the test" \
	'grep -q "WATCHDOG: test \"watchdog: watchdog self-test" <<<"$out"'
check "the report names the function the test waits in" \
	'grep -q "hang_forever" <<<"$out"'
check "the report lists every thread" \
	'[ "$(grep -c "^  thread " <<<"$out")" -ge 1 ]'
[ "$fail" -eq 0 ] || printf '%s\n' "$out" | tail -30
exit $fail
