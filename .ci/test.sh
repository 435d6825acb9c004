#!/bin/sh
# Builds once, starts a throwaway PostgreSQL for the store's shared suite, runs every test.
# Two phases: everything in parallel (unit tests of time run on a test clock, in virtual time),
# then one at a time the real-time acceptance suites: those named *ProcessTests (they start many
# `lunas` processes at once, and on two cores they would starve the others' loopback I/O) and
# the rate-budget suites over real stores and the sandbox (their sub-second windows do not
# survive other work's scheduling jitter), and the limits' own tests of stops by deadline + grace
# (HardStopTests, HookBlindSpotTests: a starved process would be measured, not the stop), and the
# examples, whose routes run merchant rules under 50 ms deadlines, and the cancelled-call tests,
# which time how soon a cancel ends a run, and the `lunas serve` suites that run real runners under
# load (ServeCrashTests, WebhookServeTests, RunnerLifecycleTests, SharedRunnersTests: three runners on one PostgreSQL,
# whose leases of 3 s must not lapse for want of CPU).
set -eu
cd "$(dirname "$0")/.."
swift build --build-tests
pg_url=""
# a state file of our own, so that a server someone else started is left alone
LUNAS_PG_STATE=$(mktemp -u /tmp/lunas-ci-postgres.XXXXXX)
export LUNAS_PG_STATE
if [ -x Tests/support/postgres.sh ]; then
  pg_url=$(Tests/support/postgres.sh start)
  trap 'Tests/support/postgres.sh stop >/dev/null 2>&1 || true' EXIT INT TERM
fi
export LUNAS_TEST_POSTGRES_URL="$pg_url"
timed='ProcessTests|ServeCrashTests|WebhookServeTests|SharedRunnersTests|RunnerLifecycleTests|SandboxBudgetTests|SharedLedgerTests|HardStopTests|HookBlindSpotTests|HostSurvivalTests|RetryTests|RuntimeDeadlineTests|ExamplesTests|CancelledCallTests'
log=$(mktemp /tmp/lunas-test-log.XXXXXX)
status=0
swift test --skip-build --skip "$timed" >"$log" 2>&1 || status=$?
swift test --skip-build --no-parallel --filter "$timed" >>"$log" 2>&1 || status=$?
cat "$log"
# Swift Testing's summaries, added up as the plain closing line (XCTest reports 0 tests: we use none).
total=$(grep -E "Test run with [0-9]+ tests? .* passed" "$log" | sed -nE 's/.*Test run with ([0-9]+) tests?.*/\1/p' | awk '{ n += $1 } END { print n + 0 }')
rm -f "$log"
if [ "$status" -eq 0 ] && [ "$total" -gt 0 ]; then
  echo "tests: $total passed, 0 failed"
fi
exit "$status"
