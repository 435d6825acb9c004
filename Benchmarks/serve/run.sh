#!/usr/bin/env bash
# The job runner's benchmarks (issue 14), measured in ONE run; `make bench-serve`. Writes
# .build/bench/serve.json and prints a table.
#
#   (1) jobs/s: trivial Lua rules jobs through the runner's whole path (claim under a lease, a
#       fresh sandboxed state, the rule's handler, the run recorded, the job completed; claims of
#       up to 64 and group-committed finishes, as `lunas serve` does: `lunas-bench serve-jobs`,
#       which drives Runner.runWorkers), beside the same claim/finish loop in raw SQL (GRDB /
#       postgres-nio: the store's statements, synchronous=FULL / fsync=on, the same batching) as
#       the store's own ceiling; on SQLite and on a throwaway PostgreSQL (Tests/support/postgres.sh).
#       N jobs are enqueued first (RunnerStore.enqueue, 500 a transaction); the figure is N over
#       first claim .. last completion. Interleaved pairs (lunas, raw), the order alternating;
#       figures are medians, the ratio the median of the per-pair ratios (lunas / raw).
#       Goal: >= 2,000/s on SQLite and >= 1,000/s on PostgreSQL.
#   (2) webhook intake: wrk against a release `lunas serve` (SQLite store), every request a unique
#       event signed with X-Scalev-Hmac-Sha256, matched by on("bench.*") so each event stores its
#       job too ([serve] concurrency = 1: intake dominates); requests/s and p99 latency, and how
#       many answers were 200 and not duplicates. Median of the reps. Goal: >= 2,000/s, p99 < 50 ms.
#   (3) memory of 1,000 runs parked on slow API calls: a release `lunas serve` ([serve]
#       concurrency = 1000) whose rule calls a separate `lunas sandbox` process holding every API
#       call BENCH_PARK_LATENCY_MS (fault injection); VmRSS of the runner while all 1,000 wait,
#       minus its idle RSS (after a warm-up of 20 runs), per run.
#
# Knobs (environment): BENCH_SERVE_PAIRS (5), BENCH_SERVE_JOBS (5000), BENCH_SERVE_CONCURRENCY (64),
# BENCH_SERVE_BACKENDS (sqlite,postgres), BENCH_WRK_DURATION (10s), BENCH_WRK_THREADS (2),
# BENCH_WRK_CONNECTIONS (64), BENCH_WEBHOOK_REPS (3), BENCH_WEBHOOK_BODIES (200000 per rep: wrk's threads stop when they run out, so none repeats),
# BENCH_PARKED (1000), BENCH_PARK_LATENCY_MS (40000), BENCH_ONLY (jobs,webhook,parked: a comma
# list), BENCH_SKIP_BUILD=1 to use the existing release build, BENCH_POSTGRES_URL (a server to use
# instead of starting one).
set -euo pipefail
cd "$(dirname "$0")/../.."

for tool in python3 wrk; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench-serve: $tool is missing (.ci/deps.sh bench installs it)" >&2; exit 1; }
done
out=.build/bench
mkdir -p "$out/serve"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  echo "== building (release): lunas-bench, lunas" >&2
  # SwiftPM takes one --product per invocation; both share the release build of .build.
  swift build -c release --product lunas-bench
  swift build -c release --product lunas
fi
bin=$(swift build -c release --show-bin-path)
[ -x "$bin/lunas" ] && [ -x "$bin/lunas-bench" ] || { echo "bench-serve: release binaries missing in $bin" >&2; exit 1; }

pg_started=0
case ",${BENCH_ONLY:-jobs},${BENCH_SERVE_BACKENDS:-postgres}," in
  *,jobs,*postgres*)
    if [ -z "${BENCH_POSTGRES_URL:-}" ]; then
      BENCH_POSTGRES_URL=$(Tests/support/postgres.sh start)
      pg_started=1
    fi ;;
esac
[ "$pg_started" = 1 ] && trap 'Tests/support/postgres.sh stop' EXIT

export BENCH_LUNAS="$bin/lunas" BENCH_SWIFT="$bin/lunas-bench" BENCH_OUT="$out" BENCH_POSTGRES_URL="${BENCH_POSTGRES_URL:-}"
python3 Benchmarks/serve/bench.py
