#!/bin/sh
# Builds once, starts a throwaway PostgreSQL for the store's shared suite, runs every test.
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
log=$(mktemp /tmp/lunas-test-log.XXXXXX)
status=0
swift test --skip-build >"$log" 2>&1 || status=$?
cat "$log"
# Swift Testing's summary as the plain closing line (XCTest reports 0 tests: we use none).
summary=$(grep -E "Test run with [0-9]+ tests? .* (passed|failed)" "$log" | tail -1 || true)
rm -f "$log"
total=$(echo "$summary" | sed -nE 's/.*Test run with ([0-9]+) tests?.*/\1/p')
if [ "$status" -eq 0 ] && [ -n "$total" ]; then
  echo "tests: $total passed, 0 failed"
fi
exit "$status"
