#!/usr/bin/env bash
# The Scalev walk benchmark (issue 5): every order of a 5,000-order sandbox store through
# `scalev.orders.each` under `lunas run --no-budget`, against the same sequential cursor walk with
# a plain HTTP client (AsyncHTTPClient + JSONSerialization: `lunas-bench scalevwalk 25`), measured
# in ONE run as interleaved pairs against one `lunas sandbox --rate-limit off` (release).
# Target: the Lua path reaches >= 80% of the baseline's throughput (orders/s).
#
#   throughput   orders / process wall time, both sides; ratio = median of per-pair ratios
#                (Lua orders/s over baseline orders/s). Also: the ratio with `lunas run`'s
#                startup (median wall of an empty script, same env) taken off the Lua side and
#                the baseline's in-process walk time (its process start excluded); and, for
#                reference, a leaner baseline (`lunas-bench scalevwalk-decodable`: JSONDecoder
#                into a model of only id/has_next/next_cursor) in the same pairs.
#   CPU          user+sys of each client process, and of the sandbox during each walk (/proc).
#   peak memory  max RSS of the `lunas run` process (wait4 rusage), at 5,000 orders (median and
#                max over the pairs) and once over a 20,000-order store (the iterator holds one
#                page: it should stay flat); the Lua heap's peak as the script samples it.
#
# Each pair runs the sides back to back (Lua, baseline, lean baseline), rotating which goes first,
# then an empty `lunas run`; a figure is the median over the pairs. Prints a table and writes JSON to .build/bench/scalev.json.
#
# Knobs (environment): BENCH_PAIRS (7), BENCH_ORDERS (5000), BENCH_ORDERS_LARGE (20000; 0 skips
# the large walk), BENCH_SKIP_BUILD=1 to use the existing release build.
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v python3 >/dev/null 2>&1 || { echo "bench-scalev: python3 is missing" >&2; exit 1; }

out=.build/bench
mkdir -p "$out/scalev"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  echo "== building (release): lunas, lunas-bench" >&2
  # SwiftPM takes one --product per invocation; both share the release build of .build.
  swift build -c release --product lunas-bench
  swift build -c release --product lunas
fi
bin=$(swift build -c release --show-bin-path)
[ -x "$bin/lunas" ] && [ -x "$bin/lunas-bench" ] || { echo "bench-scalev: release binaries missing in $bin" >&2; exit 1; }

export BENCH_LUNAS="$bin/lunas" BENCH_SWIFT="$bin/lunas-bench" BENCH_OUT="$out"
exec python3 - <<'PY'
import json, os, platform, signal, statistics, subprocess, sys, tempfile, time, urllib.request

LUNAS, SWIFT, OUT = (os.environ[k] for k in ("BENCH_LUNAS", "BENCH_SWIFT", "BENCH_OUT"))
PAIRS = int(os.environ.get("BENCH_PAIRS", "7"))
ORDERS = int(os.environ.get("BENCH_ORDERS", "5000"))
ORDERS_LARGE = int(os.environ.get("BENCH_ORDERS_LARGE", "20000"))
PAGE_SIZE = 25
WALK, EMPTY = "Benchmarks/scalev/walk.lua", "Benchmarks/scalev/empty.lua"
TARGET = 0.80
WORK = os.path.join(OUT, "scalev")
if PAIRS < 3:
    sys.exit("bench-scalev: BENCH_PAIRS must be at least 3")

def log(msg):
    print(msg, file=sys.stderr, flush=True)

# The sandbox: release `lunas sandbox`, free port, no rate limiting, no data file, in a scratch dir.
scratch = WORK  # the sandbox's log and an unused kv store file; nothing in the tree
sandbox_log = open(os.path.join(scratch, "sandbox.log"), "w")
sandbox = subprocess.Popen([LUNAS, "sandbox", "--port", "0", "--json", "--rate-limit", "off"],
                           cwd=scratch, stdout=subprocess.PIPE, stderr=sandbox_log, text=True)
def stop_sandbox():
    if sandbox.poll() is None:
        sandbox.send_signal(signal.SIGINT)  # graceful stop
        try:
            sandbox.wait(timeout=30)
        except subprocess.TimeoutExpired:
            sandbox.kill()
            sandbox.wait()
try:
    first = sandbox.stdout.readline()
    info = json.loads(first)
except Exception as error:
    stop_sandbox()
    sys.exit(f"bench-scalev: lunas sandbox printed no JSON line ({error}): {first!r}")
BASE = info["base_url"]

def admin(path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + "/_sandbox" + path, data=data, method="POST" if data else "GET",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.load(response)

def sandbox_rss_kib():
    """(current, peak) RSS of the sandbox process, from /proc (KiB)."""
    fields = {}
    try:
        with open(f"/proc/{sandbox.pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])
    except (OSError, KeyError, ValueError):
        return None, None

env = dict(os.environ)
def reseed(n):
    t0 = time.perf_counter()
    creds = admin("/reset", {"orders": n})
    env["SCALEV_BASE_URL"], env["SCALEV_API_KEY"] = BASE, creds["business_key"]
    log(f"   reseeded with {n} orders in {time.perf_counter() - t0:.1f} s")

TICK = os.sysconf("SC_CLK_TCK")
def sandbox_cpu():
    """CPU seconds (user + sys, all threads) the sandbox has used so far."""
    with open(f"/proc/{sandbox.pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / TICK

def run(cmd):
    """Runs a command, stdout and stderr to files; returns (wall s, cpu s, max RSS KiB, stdout);
    the sandbox's CPU seconds meanwhile are left in run.server_cpu."""
    with tempfile.TemporaryFile("w+") as so, tempfile.TemporaryFile("w+") as se:
        s0 = sandbox_cpu()
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=so, stderr=se, env=env, text=True)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        run.server_cpu = sandbox_cpu() - s0
        p.returncode = os.waitstatus_to_exitcode(status)
        so.seek(0); se.seek(0)
        stdout, stderr = so.read(), se.read()
    if p.returncode != 0:
        stop_sandbox()
        sys.exit(f"bench-scalev: {' '.join(cmd)} exited {p.returncode}\n{stderr}{stdout}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, stdout

def fields(stdout, name):
    for line in stdout.splitlines():
        parts = line.split()
        if parts and parts[0] == name:
            return {k: float(v) for k, v in (p.split("=", 1) for p in parts[1:])}
    stop_sandbox()
    sys.exit(f"bench-scalev: no '{name}' line in:\n{stdout}")

STORE = os.path.join(scratch, "kv.db")  # kv is not used; keeps any store file out of the tree
def lua_walk():
    wall, cpu, rss, stdout = run([LUNAS, "run", "--no-budget", "--store", STORE, WALK])
    f = fields(stdout, "walk")
    return {"wall": wall, "cpu": cpu, "rss_kib": rss, "orders": int(f["orders"]), "id_bytes": int(f["id_bytes"]),
            "lua_peak_kib": f["lua_peak_kib"], "sandbox_cpu": run.server_cpu}

def swift_walk(mode):
    def go():
        wall, cpu, rss, stdout = run([SWIFT, mode, str(PAGE_SIZE)])
        f = fields(stdout, mode)
        return {"wall": wall, "cpu": cpu, "rss_kib": rss, "orders": int(f["orders"]), "id_bytes": int(f["id_bytes"]),
                "pages": int(f["pages"]), "walk_s": f["seconds"], "walk_cpu_s": f["cpu_seconds"], "sandbox_cpu": run.server_cpu}
    return go
baseline_walk, lean_walk = swift_walk("scalevwalk"), swift_walk("scalevwalk-decodable")

def empty_run():
    wall, cpu, rss, stdout = run([LUNAS, "run", "--no-budget", "--store", STORE, EMPTY])
    return {"wall": wall, "cpu": cpu, "rss_kib": rss}

load_start = os.getloadavg()
try:
    log(f"== sandbox at {BASE} (pid {sandbox.pid}), rate limiting off")
    reseed(ORDERS)

    # Warm-up (page cache, the sandbox's first answers) and the equality check.
    b, l, d = baseline_walk(), lua_walk(), lean_walk()
    empty_run()
    if not ((b["orders"], b["id_bytes"]) == (l["orders"], l["id_bytes"]) == (d["orders"], d["id_bytes"])):
        sys.exit(f"bench-scalev: the walks differ: baseline {b['orders']} orders / {b['id_bytes']} id bytes, "
                 f"lua {l['orders']} / {l['id_bytes']}, decodable {d['orders']} / {d['id_bytes']}")
    if b["orders"] < ORDERS:
        sys.exit(f"bench-scalev: only {b['orders']} orders in a store seeded with {ORDERS}")
    walked = b["orders"]
    log(f"   warm-up: both walks visit {walked} orders ({b['pages']} pages); baseline {b['wall']:.3f} s, lua {l['wall']:.3f} s")

    log(f"== {PAIRS} interleaved pairs: lunas run walk.lua vs lunas-bench scalevwalk (and scalevwalk-decodable), "
        "+ one empty lunas run each")
    samples = []
    sides = [("lua", lua_walk), ("baseline", baseline_walk), ("lean", lean_walk)]
    for i in range(PAIRS):
        sample = {}
        for name, side in sides[i % 3:] + sides[:i % 3]:
            sample[name] = side()
            if sample[name]["orders"] != walked:
                sys.exit(f"bench-scalev: a walk ({name}) visited {sample[name]['orders']} orders, not {walked}")
        sample["empty"] = e = empty_run()
        samples.append(sample)
        l, b, d = sample["lua"], sample["baseline"], sample["lean"]
        log(f"   pair {i + 1}/{PAIRS}: lua {l['wall']:.3f} s ({walked / l['wall']:.0f}/s, cpu {l['cpu']:.2f} s, "
            f"sandbox {l['sandbox_cpu']:.2f} s, rss {l['rss_kib'] / 1024:.1f} MiB)  baseline {b['wall']:.3f} s "
            f"({walked / b['wall']:.0f}/s, walk {b['walk_s']:.3f} s, cpu {b['cpu']:.2f} s, sandbox {b['sandbox_cpu']:.2f} s, "
            f"rss {b['rss_kib'] / 1024:.1f} MiB)  decodable {d['wall']:.3f} s (cpu {d['cpu']:.2f} s)  empty {e['wall']:.3f} s")
    sandbox_after_5k = sandbox_rss_kib()

    large = None
    if ORDERS_LARGE > 0:
        log(f"== one walk over {ORDERS_LARGE} orders")
        reseed(ORDERS_LARGE)
        bl, ll = baseline_walk(), lua_walk()
        if (bl["orders"], bl["id_bytes"]) != (ll["orders"], ll["id_bytes"]) or bl["orders"] < ORDERS_LARGE:
            sys.exit(f"bench-scalev: the {ORDERS_LARGE}-order walks differ: baseline {bl['orders']}, lua {ll['orders']}")
        large = {"orders": ll["orders"], "lua": ll, "baseline": bl}
        log(f"   lua {ll['wall']:.3f} s ({ll['orders'] / ll['wall']:.0f}/s, rss {ll['rss_kib'] / 1024:.1f} MiB)  "
            f"baseline {bl['wall']:.3f} s ({bl['orders'] / bl['wall']:.0f}/s, rss {bl['rss_kib'] / 1024:.1f} MiB)")
    sandbox_rss = sandbox_rss_kib()
finally:
    stop_sandbox()

med = statistics.median
lua_rate = [walked / s["lua"]["wall"] for s in samples]
base_rate = [walked / s["baseline"]["wall"] for s in samples]
ratios = [l / b for l, b in zip(lua_rate, base_rate)]
startup = med(s["empty"]["wall"] for s in samples)
# Startup-corrected: the walk part of each side (Lua: wall minus that pair's empty run; baseline: its own clock).
lua_walk_rate = [walked / max(1e-9, s["lua"]["wall"] - s["empty"]["wall"]) for s in samples]
base_walk_rate = [walked / s["baseline"]["walk_s"] for s in samples]
walk_ratios = [l / b for l, b in zip(lua_walk_rate, base_walk_rate)]
cpu_ratios = [s["baseline"]["cpu"] / s["lua"]["cpu"] for s in samples]
lean_rate = [walked / s["lean"]["wall"] for s in samples]
lean_ratios = [walked / s["lua"]["wall"] / r for s, r in zip(samples, lean_rate)]
rss_5k = [s["lua"]["rss_kib"] for s in samples]
ratio = med(ratios)

result = {
    "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    "host": platform.node(), "cpus": os.cpu_count(), "pairs": PAIRS, "orders": walked, "page_size": PAGE_SIZE,
    "load_average_start": load_start, "load_average_end": os.getloadavg(),
    "target": TARGET, "target_kind": "ratio_at_least",
    "ratio": ratio, "pass": ratio >= TARGET,
    "orders_per_s": {"lua": med(lua_rate), "baseline": med(base_rate)},
    "ratio_of_medians": med(lua_rate) / med(base_rate),
    "without_startup": {
        "note": "lua: wall minus the pair's empty `lunas run`; baseline: its in-process walk time",
        "orders_per_s": {"lua": med(lua_walk_rate), "baseline": med(base_walk_rate)}, "ratio": med(walk_ratios)},
    "startup_s": {"lunas_run_empty": startup, "baseline_process_minus_walk": med(s["baseline"]["wall"] - s["baseline"]["walk_s"] for s in samples)},
    "lean_baseline": {
        "note": "lunas-bench scalevwalk-decodable: JSONDecoder into a model of id/has_next/next_cursor only",
        "orders_per_s": med(lean_rate), "lua_ratio": med(lean_ratios), "cpu_s": med(s["lean"]["cpu"] for s in samples)},
    "cpu_s": {"lua": med(s["lua"]["cpu"] for s in samples), "baseline": med(s["baseline"]["cpu"] for s in samples),
              "lunas_run_empty": med(s["empty"]["cpu"] for s in samples), "baseline_over_lua_ratio": med(cpu_ratios),
              "sandbox_during_lua": med(s["lua"]["sandbox_cpu"] for s in samples),
              "sandbox_during_baseline": med(s["baseline"]["sandbox_cpu"] for s in samples)},
    "peak_rss_kib": {
        "lua_5k_median": med(rss_5k), "lua_5k_max": max(rss_5k),
        "lua_large": large["lua"]["rss_kib"] if large else None, "large_orders": large["orders"] if large else None,
        "baseline_5k_median": med(s["baseline"]["rss_kib"] for s in samples),
        "baseline_large": large["baseline"]["rss_kib"] if large else None,
        "lunas_run_empty": med(s["empty"]["rss_kib"] for s in samples),
        "lua_heap_peak_5k": med(s["lua"]["lua_peak_kib"] for s in samples),
        "lua_heap_peak_large": large["lua"]["lua_peak_kib"] if large else None,
        "sandbox_current_and_peak": list(sandbox_rss), "sandbox_after_5k": list(sandbox_after_5k)},
    "samples": samples, "large": large,
}
commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
if commit:
    result["commit"] = commit
    result["tree_dirty"] = bool(subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True).stdout.strip())

def mib(kib):
    return f"{kib / 1024:.1f} MiB" if kib is not None else "-"
rows = [
    ("figure", "value", "note"),
    ("orders walked", f"{walked}", f"{samples[0]['baseline']['pages']} pages of up to {PAGE_SIZE}; same count and id bytes on every side"),
    ("baseline orders/s", f"{med(base_rate):.0f}", "lunas-bench scalevwalk (AsyncHTTPClient + JSONSerialization), process wall"),
    ("Lua orders/s", f"{med(lua_rate):.0f}", "lunas run --no-budget walk.lua (scalev.orders.each), process wall"),
    ("ratio Lua/baseline", f"{ratio:.3f}", f"target >= {TARGET:.2f}: {'PASS' if ratio >= TARGET else 'MISS'} (median of per-pair ratios)"),
    ("ratio without startup", f"{med(walk_ratios):.3f}", f"Lua {med(lua_walk_rate):.0f}/s vs baseline {med(base_walk_rate):.0f}/s (walk only)"),
    ("lean baseline orders/s", f"{med(lean_rate):.0f}", f"JSONDecoder, id-only model (reference): Lua/lean ratio {med(lean_ratios):.3f}"),
    ("lunas run startup", f"{startup * 1000:.0f} ms", "median wall of an empty script with the same env"),
    ("CPU s per walk", f"{result['cpu_s']['lua']:.2f} / {result['cpu_s']['baseline']:.2f} / {result['lean_baseline']['cpu_s']:.2f}",
     "Lua / baseline / lean baseline, user+sys of the client process"),
    ("sandbox CPU s per walk", f"{result['cpu_s']['sandbox_during_lua']:.2f} / {result['cpu_s']['sandbox_during_baseline']:.2f}",
     "during the Lua / baseline walk (the server shares the 2 cores)"),
    ("peak RSS Lua, 5k", mib(med(rss_5k)), f"median of {PAIRS} (max {mib(max(rss_5k))}); empty run {mib(result['peak_rss_kib']['lunas_run_empty'])}"),
    (f"peak RSS Lua, {large['orders'] if large else '-'}", mib(large["lua"]["rss_kib"]) if large else "-", "one walk"),
    ("Lua heap peak 5k / large", f"{result['peak_rss_kib']['lua_heap_peak_5k']:.0f} / "
     + (f"{large['lua']['lua_peak_kib']:.0f}" if large else "-") + " KiB", "collectgarbage('count'), sampled once a page"),
    ("peak RSS baseline 5k / large", f"{mib(result['peak_rss_kib']['baseline_5k_median'])} / {mib(result['peak_rss_kib']['baseline_large'])}", ""),
]
widths = [max(len(r[i]) for r in rows) for i in range(3)]
print()
print(f"Scalev walk benchmark: medians of {PAIRS} interleaved pairs against one release `lunas sandbox --rate-limit off`.")
for j, r in enumerate(rows):
    print(f"{r[0].ljust(widths[0])}  {r[1].rjust(widths[1])}  {r[2]}")
    if j == 0:
        print(f"{'-' * widths[0]}  {'-' * widths[1]}  {'-' * widths[2]}")
print("load average at start {:.2f}, at end {:.2f} ({} cpus; the sandbox shares them with both clients)".format(
      load_start[0], os.getloadavg()[0], os.cpu_count()))
path = os.path.join(OUT, "scalev.json")
with open(path, "w") as f:
    json.dump(result, f, indent=2)
print(f"written: {path}")
PY
