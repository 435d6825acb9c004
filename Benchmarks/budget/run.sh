#!/usr/bin/env bash
# The burst benchmark (issue 12): how close the rate budgets come to the physical limit of the
# windows. For each case, against a release `lunas sandbox` counting the windows strictly:
#
#   span     from the first request the sandbox served to the last (its own log, /stats/served)
#   ideal    the earliest schedule the windows allow for that many requests (greedy: each at the
#            first instant every window has room), plus, for sequential calls, one round trip per
#            request (the median round trip, measured in the same run with rate limits off)
#   ratio    span / ideal; goal: within 5 % or 100 ms of the ideal, whichever is larger
#   429s     requests the sandbox refused; goal 0
#   peak     the most requests the sandbox served in any interval of each window's length
#
# Cases, at Scalev's windows (100/10s, 10000/1h) and at the tests' scaled ones (20/2s, 200/20s):
# one `lunas run` making 50, 100, 250 and 1,000 sequential `scalev.call("listOrders")`; 10
# concurrent scripts in one process (`lunas-bench budgetburst`); 10 `lunas run` processes on one
# SQLite store; 3 on one PostgreSQL (started by Tests/support/postgres.sh). Writes
# .build/bench/budget.json.
#
# Knobs: BENCH_QUICK=1 (skips the 1,000-call and the Scalev-window 250-call cases),
# BENCH_SKIP_BUILD=1, BENCH_WINDOWS=scalev|scaled (default both).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v python3 >/dev/null 2>&1 || { echo "bench-budget: python3 is missing" >&2; exit 1; }
out=.build/bench
mkdir -p "$out/budget"
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  swift build -c release --product lunas-bench
  swift build -c release --product lunas
fi
bin=$(swift build -c release --show-bin-path)
export LUNAS_PG_STATE="$out/budget/pg.state"
pg_url=$(Tests/support/postgres.sh start)
trap 'Tests/support/postgres.sh stop >/dev/null 2>&1 || true' EXIT
export BENCH_LUNAS="$bin/lunas" BENCH_SWIFT="$bin/lunas-bench" BENCH_OUT="$out" BENCH_PG="$pg_url"
python3 - <<'PY'
import json, os, signal, statistics, subprocess, sys, tempfile, time, urllib.request

LUNAS, SWIFT, OUT, PG = (os.environ[k] for k in ("BENCH_LUNAS", "BENCH_SWIFT", "BENCH_OUT", "BENCH_PG"))
QUICK = os.environ.get("BENCH_QUICK") == "1"
WORK = os.path.join(OUT, "budget")
CALLS = os.path.abspath("Benchmarks/budget/calls.lua")
WINDOW_SETS = {"scalev": [(100, 10.0), (10000, 3600.0)], "scaled": [(20, 2.0), (200, 20.0)]}
chosen = os.environ.get("BENCH_WINDOWS")
def log(m): print(m, file=sys.stderr, flush=True)

def spec_text(windows):
    return ",".join(f"{n}/{int(t)}s" for n, t in windows)

class Sandbox:
    def __init__(self, windows):
        self.log = open(os.path.join(WORK, "sandbox.log"), "a")
        rate = spec_text(windows) if windows else "off"
        self.p = subprocess.Popen([LUNAS, "sandbox", "--port", "0", "--json", "--rate-limit", rate], cwd=WORK,
                                  stdout=subprocess.PIPE, stderr=self.log, text=True)
        info = json.loads(self.p.stdout.readline())
        self.base = info["base_url"]
        self.key = json.loads(self.get("/_sandbox/credentials"))["business_key"]
    def get(self, path):
        with urllib.request.urlopen(self.base + path, timeout=30) as r: return r.read()
    def stop(self):
        self.p.send_signal(signal.SIGINT)
        try: self.p.wait(timeout=30)
        except subprocess.TimeoutExpired: self.p.kill(); self.p.wait()
    def served(self):
        times = json.loads(self.get("/_sandbox/stats/served"))["credentials"]
        stats = json.loads(self.get("/_sandbox/stats"))["credentials"]
        served = sorted(t for v in times.values() for t in v)
        refused = sum(v.get("rate_limited", 0) for v in stats.values())
        return served, refused

def ideal_span(n, windows, rtt):
    """The earliest times the windows allow n requests (each needs rtt after the one before when sequential)."""
    t = []
    for i in range(n):
        at = t[-1] + rtt if t else 0.0
        for limit, length in windows:
            if i >= limit: at = max(at, t[i - limit] + length)
        t.append(at)
    return t[-1] if t else 0.0

def peaks(served, windows):
    out = {}
    for limit, length in windows:
        best, j = 0, 0
        for i, at in enumerate(served):
            while served[j] <= at - length: j += 1
            best = max(best, i - j + 1)
        out[f"{limit}/{int(length)}s"] = best
    return out

def env_for(sandbox, windows, store):
    env = dict(os.environ)
    env.update({"SCALEV_BASE_URL": sandbox.base, "SCALEV_API_KEY": sandbox.key, "LUNAS_BUDGET": spec_text(windows),
                "LUNAS_STORE_URL": store, "BENCH_STORE": store})
    return env

def lunas_run(env, n):
    return subprocess.Popen([LUNAS, "run", CALLS, "--", str(n)], env=env, cwd=WORK, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)

def round_trip():
    """The median round trip of a sequential call, rate limits off."""
    sandbox = Sandbox(None)
    try:
        env = env_for(sandbox, [(100000, 1.0)], os.path.join(WORK, "rtt.db"))
        p = lunas_run(env, 200); p.communicate()
        served, _ = sandbox.served()
        gaps = [b - a for a, b in zip(served, served[1:])]
        return statistics.median(gaps)
    finally:
        sandbox.stop()

def case(name, windows, n, starts, sequential, rtt):
    sandbox = Sandbox(windows)
    try:
        procs = starts(sandbox)
        for p in procs:
            _, err = p.communicate()
            if p.returncode != 0: log(f"{name}: exit {p.returncode}: {err[-400:]}")
        served, refused = sandbox.served()
    finally:
        sandbox.stop()
    span = served[-1] - served[0] if served else 0.0
    ideal = ideal_span(len(served), windows, rtt if sequential else 0.0)
    allowed = max(ideal * 1.05, ideal + 0.1)
    row = {"case": name, "windows": spec_text(windows), "requests": len(served), "span_s": round(span, 3),
           "ideal_s": round(ideal, 3), "ratio": round(span / ideal, 3) if ideal > 0 else None, "refused": refused,
           "peak": peaks(served, windows), "goal_met": span <= allowed and refused == 0}
    log(f"{name:32s} {spec_text(windows):16s} n={len(served):5d} span {span:8.3f} s ideal {ideal:8.3f} s "
        f"429s {refused} peak {row['peak']} {'ok' if row['goal_met'] else 'MISSED'}")
    return row

rtt = round_trip()
log(f"== sequential round trip (rate limits off): {rtt * 1000:.2f} ms")
rows = []
for label, windows in WINDOW_SETS.items():
    if chosen and chosen != label: continue
    counts = [50, 100, 250, 1000]
    if QUICK: counts = [50, 100] + ([250] if label == "scaled" else [])
    for n in counts:
        store = os.path.join(WORK, f"{label}-{n}.db")
        rows.append(case(f"1 script, {n} sequential", windows, n,
                         lambda s, n=n, store=store: [lunas_run(env_for(s, windows, store), n)], True, rtt))
    total = 300
    store = os.path.join(WORK, f"{label}-concurrent.db")
    rows.append(case("10 scripts in one process", windows, total,
                     lambda s: [subprocess.Popen([SWIFT, "budgetburst", str(total)], env=env_for(s, windows, store), cwd=WORK,
                                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)], False, rtt))
    store = os.path.join(WORK, f"{label}-processes.db")
    rows.append(case("10 lunas run, one SQLite", windows, total,
                     lambda s: [lunas_run(env_for(s, windows, store), total // 10) for _ in range(10)], False, rtt))
    rows.append(case("3 lunas run, one PostgreSQL", windows, total,
                     lambda s: [lunas_run(env_for(s, windows, PG), total // 3) for _ in range(3)], False, rtt))
json.dump({"round_trip_s": rtt, "cases": rows}, open(os.path.join(OUT, "budget.json"), "w"), indent=2)
missed = [r["case"] + " " + r["windows"] for r in rows if not r["goal_met"]]
log(f"== {len(rows) - len(missed)} of {len(rows)} cases within 5 % or 100 ms of the ideal with 0 429s"
    + (f"; missed: {', '.join(missed)}" if missed else ""))
PY
