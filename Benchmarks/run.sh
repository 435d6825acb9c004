#!/usr/bin/env bash
# The Lunas benchmark suite: every figure against its baseline, measured in ONE run as
# interleaved pairs (the machines are noisy: only figures taken side by side compare).
#
#   (a) commerce.lua under `lunas run --timeout 3600` vs the lua5.4 interpreter   (elapsed s)
#   (b) Lua -> Swift host call (registerRaw) vs a C closure with a context upvalue (ns/call)
#   (c) fresh sandboxed run of a cached small rule vs the same cycle in a C host  (us/cycle)
#   (d) memory per run parked in an async host call, 10,000 parked runs           (KiB/run)
#   (e) a merchant pricing rule per request through Runtime.run (fresh sandboxed state, cached
#       chunk, 10-item cart as the handler's input) vs the same cycle in a C host  (us/request)
#
# Each pair runs the two sides back to back, alternating which goes first; a figure is the
# median over the pairs, and the ratio the median of the per-pair ratios. Prints a table and
# writes it as JSON to .build/bench/results.json.
#
# Knobs (environment): BENCH_PAIRS (15), BENCH_COMMERCE_PAIRS (21: its target is the tightest),
# BENCH_HOSTCALL_N (10000000), BENCH_FRESHRUN_N (5000), BENCH_PARKED_N (10000),
# BENCH_PARKED_REPS (3), BENCH_PRICING_N (5000), BENCH_PRICING_CPU (the core (e) runs on: the
# last; none: unpinned), BENCH_ONLY=pricing,hostcall (a comma list of
# commerce, hostcall, freshrun, parked, pricing: only those, written to results.<cases>.json;
# default all), BENCH_SKIP_BUILD=1 to use the existing build.
set -euo pipefail
cd "$(dirname "$0")/.."

# (a) alone needs lua5.4 and the lunas executable
commerce=0
case ",${BENCH_ONLY:-commerce}," in *,commerce,*) commerce=1 ;; esac
tools="gcc pkg-config python3"
[ "$commerce" = 1 ] && tools="lua5.4 $tools"
for tool in $tools; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (make bench installs it)" >&2; exit 1; }
done

out=.build/bench
mkdir -p "$out"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  echo "== building (release): lunas, lunas-bench" >&2
  # SwiftPM takes one --product per invocation; both share the release build of .build.
  swift build -c release --product lunas-bench
  [ "$commerce" = 1 ] && swift build -c release --product lunas
fi
bin=$(swift build -c release --show-bin-path)
[ -x "$bin/lunas-bench" ] && { [ "$commerce" = 0 ] || [ -x "$bin/lunas" ]; } ||
  { echo "bench: release binaries missing in $bin" >&2; exit 1; }

echo "== building the C host baselines" >&2
# shellcheck disable=SC2046
gcc -O2 -o "$out/bench" Benchmarks/c/bench.c $(pkg-config --cflags --libs lua5.4)

export BENCH_LUNAS="$bin/lunas" BENCH_SWIFT="$bin/lunas-bench" BENCH_C="$out/bench" BENCH_OUT="$out"
exec python3 - <<'PY'
import json, os, platform, resource, shutil, statistics, subprocess, sys, time

LUNAS, SWIFT, C, OUT = (os.environ[k] for k in ("BENCH_LUNAS", "BENCH_SWIFT", "BENCH_C", "BENCH_OUT"))
PAIRS = int(os.environ.get("BENCH_PAIRS", "15"))
COMMERCE_PAIRS = int(os.environ.get("BENCH_COMMERCE_PAIRS", "21"))
HOSTCALL_N = int(os.environ.get("BENCH_HOSTCALL_N", "10000000"))
FRESHRUN_N = int(os.environ.get("BENCH_FRESHRUN_N", "5000"))
PARKED_N = int(os.environ.get("BENCH_PARKED_N", "10000"))
PARKED_REPS = int(os.environ.get("BENCH_PARKED_REPS", "3"))
PRICING_N = int(os.environ.get("BENCH_PRICING_N", "5000"))
PRICING_CPU = os.environ.get("BENCH_PRICING_CPU", str((os.cpu_count() or 1) - 1))
CASES = ("commerce", "hostcall", "freshrun", "parked", "pricing")
ONLY = [c for c in os.environ.get("BENCH_ONLY", "").split(",") if c] or list(CASES)
if any(c not in CASES for c in ONLY):
    sys.exit(f"bench: BENCH_ONLY takes {', '.join(CASES)}")
COMMERCE = "Benchmarks/lua/commerce.lua"
if min(PAIRS, COMMERCE_PAIRS) < 10:
    sys.exit("bench: BENCH_PAIRS and BENCH_COMMERCE_PAIRS must be at least 10")

def log(msg):
    print(msg, file=sys.stderr, flush=True)

def run(cmd):
    """Runs a command; returns (elapsed s, CPU s of the child (user + sys), stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} exited {p.returncode}\n{p.stderr}{p.stdout}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, p.stdout

def fields(stdout, name):
    """Parses a line like 'hostcall ns_per_call=31.2 cpu_ns_per_call=30.1' into a dict of floats."""
    for line in stdout.splitlines():
        parts = line.split()
        if parts and parts[0] == name:
            return {k: float(v) for k, v in (p.split("=", 1) for p in parts[1:])}
    sys.exit(f"bench: no '{name}' line in:\n{stdout}")

def pairs(label, side_a, side_b, count=PAIRS):
    """count interleaved pairs, the order alternating (AB, BA, ...). Each side returns a dict
    with 'wall' and 'cpu'. Returns [(a, b), ...]."""
    result = []
    for i in range(count):
        if i % 2 == 0:
            a = side_a(); b = side_b()
        else:
            b = side_b(); a = side_a()
        result.append((a, b))
        log(f"   {label} pair {i + 1:2}/{count}: wall {a['wall']:.4g} vs {b['wall']:.4g}   cpu {a['cpu']:.4g} vs {b['cpu']:.4g}")
    return result

results = []
load_start = os.getloadavg()

def record(key, name, unit, samples, target):
    row = {"key": key, "name": name, "unit": unit, "target": target, "target_kind": "ratio"}
    for kind in ("wall", "cpu"):
        figs = [a[kind] for a, _ in samples]
        bases = [b[kind] for _, b in samples]
        ratios = [f / b for f, b in zip(figs, bases)]
        row[kind] = {
            "figure": statistics.median(figs), "baseline": statistics.median(bases),
            "ratio": statistics.median(ratios),
            "ratio_of_medians": statistics.median(figs) / statistics.median(bases),
            "pass": statistics.median(ratios) <= target,
            "samples": {"figure": figs, "baseline": bases, "ratio": ratios},
        }
    row["pass"] = row["wall"]["pass"]
    results.append(row)

# (a) commerce.lua: lunas run (release, deadline armed) vs lua5.4
reference = {}
def commerce(side, cmd):
    def go():
        t, cpu, out = run(cmd)
        reference.setdefault(side, out)
        if out != reference[side]:
            sys.exit(f"bench: {side} printed different output between runs")
        return {"wall": t, "cpu": cpu}
    return go
checksum_line = None
if "commerce" in ONLY:
    log("== (a) commerce.lua: lunas run --timeout 3600 vs lua5.4")
    lua_side = commerce("lua", ["lua5.4", COMMERCE])
    lunas_side = commerce("lunas", [LUNAS, "run", "--timeout", "3600", COMMERCE])
    lua_side(); lunas_side()  # warm the page cache, and capture both outputs
    if reference["lua"] != reference["lunas"]:
        sys.exit("bench: lunas and lua5.4 print different output for commerce.lua:\n"
                 f"--- lua5.4\n{reference['lua']}--- lunas\n{reference['lunas']}")
    checksum_line = reference["lua"].strip().splitlines()[-1]
    log(f"   outputs identical ({len(reference['lua'].splitlines())} lines, {checksum_line})")
    record("commerce", "(a) commerce.lua: lunas run vs lua5.4", "s",
           pairs("commerce", lunas_side, lua_side, COMMERCE_PAIRS), 1.05)
    results[-1]["output_identical"] = True
    results[-1]["output"] = reference["lua"]

# (b) host call
def hostcall(binary):
    def go():
        f = fields(run([binary, "hostcall", str(HOSTCALL_N)])[2], "hostcall")
        return {"wall": f["ns_per_call"], "cpu": f["cpu_ns_per_call"]}
    return go
if "hostcall" in ONLY:
    log(f"== (b) host call ident(i), {HOSTCALL_N} calls per process (best of 20 slices)")
    record("hostcall", "(b) host call: Swift registerRaw vs C closure", "ns/call",
           pairs("hostcall", hostcall(SWIFT), hostcall(C)), 1.2)

# (c) fresh sandboxed run of a cached chunk: sync call and async run (same process, interleaved)
def swift_fr():
    f = fields(run([SWIFT, "freshrun", str(FRESHRUN_N)])[2], "freshrun")
    return ({"wall": f["us_per_cycle"], "cpu": f["cpu_us_per_cycle"]},
            {"wall": f["us_per_cycle_async"], "cpu": f["cpu_us_per_cycle_async"]})
def c_fr():
    f = fields(run([C, "freshrun", str(FRESHRUN_N)])[2], "freshrun")
    return {"wall": f["us_per_cycle"], "cpu": f["cpu_us_per_cycle"]}
if "freshrun" in ONLY:
    log(f"== (c) fresh sandboxed run of a cached rule, {FRESHRUN_N} cycles per mode per process (best of 20 slices)")
    fr = []
    for i in range(PAIRS):
        if i % 2 == 0:
            s = swift_fr(); c = c_fr()
        else:
            c = c_fr(); s = swift_fr()
        fr.append((s, c))
        log(f"   freshrun pair {i + 1:2}/{PAIRS}: call {s[0]['wall']:.4g} / run {s[1]['wall']:.4g} vs C {c['wall']:.4g}"
            f"   cpu: call {s[0]['cpu']:.4g} / run {s[1]['cpu']:.4g} vs C {c['cpu']:.4g}")
    record("freshrun_call", "(c) fresh run, sync call(): LuaKit vs C", "us/cycle", [(s[0], c) for s, c in fr], 1.5)
    record("freshrun_run", "(c') fresh run, async run(): LuaKit vs C", "us/cycle", [(s[1], c) for s, c in fr], 1.5)

# (d) memory per parked run (absolute target; no baseline process)
if "parked" in ONLY:
    log(f"== (d) memory per parked run, {PARKED_N} runs parked at once, {PARKED_REPS} processes")
    parked = []
    for i in range(PARKED_REPS):
        f = fields(run([SWIFT, "parked", str(PARKED_N)])[2], "parked")
        parked.append(f)
        log(f"   parked {i + 1}/{PARKED_REPS}: {f}")
    kib = statistics.median(p["kib_per_run"] for p in parked)
    results.append({
        "key": "parked", "name": "(d) memory per parked run (RSS delta / runs)", "unit": "KiB/run",
        "figure": kib, "target": 24.0, "target_kind": "absolute", "pass": kib <= 24.0,
        "lua_kib_per_run": statistics.median(p["lua_kib_per_run"] for p in parked),
        "host_kib_per_run": statistics.median(p["host_kib_per_run"] for p in parked),
        "malloc_kib_per_run": statistics.median(p["malloc_kib_per_run"] for p in parked),
        "samples": parked,
    })

# (e) a merchant pricing rule per request: Runtime.run vs the same cycle in C. Each side also
# reports its per-request latency percentiles (all requests of its 20 slices) and the Swift side
# the same cycle on LuaKit alone and the cart's construction, to say where the time goes.
# Both sides run on one core (taskset), as the figure is per core: the Swift side's executor
# hops are then switches on that core, not wake-ups of another one a neighbour may hold.
PRICING_EXTRA = ("p50_us", "p99_us", "runs_per_s")
PRICING_PIN = ["taskset", "-c", PRICING_CPU] if PRICING_CPU != "none" and shutil.which("taskset") else []
def pricing(binary, extra=()):
    def go():
        f = fields(run(PRICING_PIN + [binary, "pricing", str(PRICING_N)])[2], "pricing")
        side = {"wall": f["us_per_cycle"], "cpu": f["cpu_us_per_cycle"]}
        side.update({k: f[k] for k in PRICING_EXTRA + extra})
        return side
    return go
if "pricing" in ONLY:
    log(f"== (e) pricing rule per request through Runtime.run, {PRICING_N} requests per process (best of 20 slices)")
    samples = pairs("pricing", pricing(SWIFT, ("luakit_us_per_cycle", "cpu_luakit_us_per_cycle", "cart_us")), pricing(C))
    record("pricing", "(e) pricing rule per request: Runtime.run vs C", "us/request", samples, 1.25)
    row = results[-1]
    for k in PRICING_EXTRA:
        row[k] = statistics.median(a[k] for a, _ in samples)
        row["baseline_" + k] = statistics.median(b[k] for _, b in samples)
    for k in ("luakit_us_per_cycle", "cpu_luakit_us_per_cycle", "cart_us"):
        row[k] = statistics.median(a[k] for a, _ in samples)
    row["cpu_runs_per_s"] = 1e6 / row["cpu"]["figure"]
    row["pinned_to_cpu"] = PRICING_CPU if PRICING_PIN else None
    # where the time goes, once: the LuaKit cycle taken apart (see Benchmarks/LunasBench/Pricing.swift)
    row["phases_us"] = fields(run(PRICING_PIN + [SWIFT, "pricing-phases", str(PRICING_N)])[2], "pricing-phases")
    log(f"   phases: {row['phases_us']}")
    row["p99_target_us"] = 1000.0
    row["p99_pass"] = row["p99_us"] < 1000.0
    row["pass"] = row["wall"]["pass"] and row["p99_pass"]

# Table
def num(x):
    return f"{x:.3f}" if abs(x) < 10 else f"{x:.1f}"
head = ("benchmark", "unit", "figure", "baseline", "ratio", "target", "result", "cpu figure", "cpu base", "cpu ratio", "cpu result")
rows = [head]
for r in results:
    if r["target_kind"] == "ratio":
        w, c = r["wall"], r["cpu"]
        rows.append((r["name"], r["unit"], num(w["figure"]), num(w["baseline"]), f"{w['ratio']:.3f}x",
                     f"<= {r['target']:.2f}x", "PASS" if w["pass"] else "MISS",
                     num(c["figure"]), num(c["baseline"]), f"{c['ratio']:.3f}x", "PASS" if c["pass"] else "MISS"))
    else:
        rows.append((r["name"], r["unit"], num(r["figure"]), "-", "-", f"<= {r['target']:.0f}",
                     "PASS" if r["pass"] else "MISS", "", "", "", ""))
widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
print()
print(f"Lunas benchmarks: medians of {COMMERCE_PAIRS} (a) and {PAIRS} (b, c, e) interleaved pairs; "
      "ratio = median of the per-pair ratios.")
print("figure/baseline: elapsed (a) or best-slice wall time (b, c, e); cpu: the same in CPU time (all threads).")
for j, row in enumerate(rows):
    print("  ".join(cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row)))
    if j == 0:
        print("  ".join("-" * w for w in widths))
p = next((r for r in results if r["key"] == "parked"), None)
if p:
    print(f"(d) Lua heap {p['lua_kib_per_run']:.2f} KiB/run (sum of state.memoryUsed), host and malloc overhead "
          f"{p['host_kib_per_run']:.2f} KiB/run; malloc in use {p['malloc_kib_per_run']:.2f} KiB/run; "
          f"{PARKED_N} runs, median of {PARKED_REPS} processes")
e = next((r for r in results if r["key"] == "pricing"), None)
if e:
    print(f"(e) per request: p50 {e['p50_us']:.1f} us, p99 {e['p99_us']:.1f} us (target < 1000: "
          f"{'PASS' if e['p99_pass'] else 'MISS'}); C p50 {e['baseline_p50_us']:.1f} us, p99 {e['baseline_p99_us']:.1f} us; "
          f"{e['runs_per_s']:.0f} runs/s in sequence, "
          f"{'pinned to cpu ' + e['pinned_to_cpu'] if e['pinned_to_cpu'] else 'unpinned'} ({e['cpu_runs_per_s']:.0f} per CPU-second), "
          f"C {e['baseline_runs_per_s']:.0f}/s")
    print(f"(e) where the time goes: the same cycle on LuaKit alone {e['luakit_us_per_cycle']:.1f} us "
          f"(cpu {e['cpu_luakit_us_per_cycle']:.1f}), building the cart value {e['cart_us']:.2f} us, "
          f"Runtime.run's own share {e['wall']['figure'] - e['luakit_us_per_cycle']:.1f} us")
    ph = e["phases_us"]
    print(f"(e) taken apart (us, one process): LuaKit sync call {ph['call_us']:.1f}, async run {ph['run_us']:.1f}, "
          f"+ memory cap {ph['run_memory_us']:.1f}, + deadline {ph['run_limits_us']:.1f}; Runtime.run {ph['runtime_us']:.1f}, "
          f"with options.namespace given {ph['runtime_namespaced_us']:.1f}")
if checksum_line:
    print(f"(a) lunas and lua5.4 printed identical output ({checksum_line})")
print("load average at start {:.2f}, at end {:.2f} (2 cores; other work on the machine inflates the noise)".format(
      load_start[0], os.getloadavg()[0]))

doc = {
    "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    "host": platform.node(), "cpus": os.cpu_count(), "pairs": PAIRS, "commerce_pairs": COMMERCE_PAIRS,
    "load_average_start": load_start, "load_average_end": os.getloadavg(),
    "params": {"hostcall_n": HOSTCALL_N, "freshrun_n": FRESHRUN_N, "parked_n": PARKED_N, "parked_reps": PARKED_REPS,
               "pricing_n": PRICING_N, "only": ONLY},
    "results": results,
}
commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
if commit:
    doc["commit"] = commit
# a narrowed run (BENCH_ONLY) does not replace the full suite's figures
name = "results.json" if len(ONLY) == len(CASES) else f"results.{'-'.join(ONLY)}.json"
with open(os.path.join(OUT, name), "w") as f:
    json.dump(doc, f, indent=2)
print(f"written: {os.path.join(OUT, name)}")
PY
