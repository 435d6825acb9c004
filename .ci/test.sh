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
swift test --skip-build
