# The job runner's benchmarks: see Benchmarks/serve/run.sh (which builds, starts PostgreSQL and
# runs this with BENCH_LUNAS, BENCH_SWIFT, BENCH_OUT and BENCH_POSTGRES_URL set).
import base64, hashlib, hmac, json, os, platform, shutil, signal, socket, sqlite3, statistics
import subprocess, sys, time, urllib.request

LUNAS, SWIFT, OUT = (os.environ[k] for k in ("BENCH_LUNAS", "BENCH_SWIFT", "BENCH_OUT"))
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "")
E = os.environ.get
PAIRS = int(E("BENCH_SERVE_PAIRS", "5"))
JOBS = int(E("BENCH_SERVE_JOBS", "5000"))
BACKENDS = [b for b in E("BENCH_SERVE_BACKENDS", "sqlite,postgres").split(",") if b]
WRK_DURATION = E("BENCH_WRK_DURATION", "10s")
WRK_THREADS = int(E("BENCH_WRK_THREADS", "2"))
WRK_CONNECTIONS = int(E("BENCH_WRK_CONNECTIONS", "64"))
WEBHOOK_REPS = int(E("BENCH_WEBHOOK_REPS", "3"))
WEBHOOK_BODIES = int(E("BENCH_WEBHOOK_BODIES", "200000"))
PARKED = int(E("BENCH_PARKED", "1000"))
PARK_LATENCY_MS = int(E("BENCH_PARK_LATENCY_MS", "40000"))
CASES = ("jobs", "webhook", "parked")
ONLY = [c for c in E("BENCH_ONLY", "").split(",") if c] or list(CASES)
if any(c not in CASES for c in ONLY):
    sys.exit(f"bench-serve: BENCH_ONLY takes {', '.join(CASES)}")
GOALS = {"sqlite": 2000.0, "postgres": 1000.0}
WORK = os.path.abspath(os.path.join(OUT, "serve"))
SECRET = "bench-webhook-secret"
HERE = os.path.dirname(os.path.abspath(__file__))


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def builds_running():
    """Whether a swift build runs on the machine now (the figures are then less trustworthy)."""
    return subprocess.run(["pgrep", "-f", "swift-build"], stdout=subprocess.DEVNULL).returncode == 0


busy_notes = []
def note_busy(where):
    if builds_running():
        busy_notes.append(where)
        log(f"   note: a swift build was running during {where}")


def fields(stdout, name):
    for line in stdout.splitlines():
        parts = line.split()
        if parts and parts[0] == name:
            return {k: float(v) for k, v in (p.split("=", 1) for p in parts[1:])}
    sys.exit(f"bench-serve: no '{name}' line in:\n{stdout}")


results = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "load_at_start": os.getloadavg()}}

# (1) jobs/s ----------------------------------------------------------------------------------
def serve_jobs(backend, side):
    cmd = [SWIFT, "serve-jobs", backend, side, str(JOBS)] + ([PG_URL] if backend == "postgres" else [])
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit(f"bench-serve: {' '.join(cmd)} exited {p.returncode}\n{p.stderr}{p.stdout}")
    return fields(p.stdout, "servejobs")

if "jobs" in ONLY:
    results["jobs"] = {}
    for backend in BACKENDS:
        if backend == "postgres" and not PG_URL:
            sys.exit("bench-serve: no PostgreSQL URL")
        log(f"== (1) jobs/s on {backend}: {JOBS} trivial Lua jobs, runner vs raw SQL, {PAIRS} interleaved pairs")
        serve_jobs(backend, "lunas")  # warm the page cache and the server
        samples = []
        for i in range(PAIRS):
            if i % 2 == 0:
                a = serve_jobs(backend, "lunas"); b = serve_jobs(backend, "raw")
            else:
                b = serve_jobs(backend, "raw"); a = serve_jobs(backend, "lunas")
            note_busy(f"jobs/{backend} pair {i + 1}")
            samples.append((a, b))
            log(f"   pair {i + 1}/{PAIRS}: runner {a['jobs_per_s']:.0f}/s (cpu {a['cpu_s']:.2f} s) vs raw {b['jobs_per_s']:.0f}/s (cpu {b['cpu_s']:.2f} s)")
        figs = [a["jobs_per_s"] for a, _ in samples]
        bases = [b["jobs_per_s"] for _, b in samples]
        ratios = [f / b for f, b in zip(figs, bases)]
        fig = statistics.median(figs)
        results["jobs"][backend] = {
            "unit": "jobs/s", "jobs": JOBS, "pairs": PAIRS, "concurrency": int(E("BENCH_SERVE_CONCURRENCY", "64")),
            "figure": fig, "raw_sql": statistics.median(bases), "ratio": statistics.median(ratios),
            "goal": GOALS[backend], "pass": fig >= GOALS[backend],
            "cpu_us_per_job": statistics.median(a["cpu_s"] for a, _ in samples) / JOBS * 1e6,
            "raw_cpu_us_per_job": statistics.median(b["cpu_s"] for _, b in samples) / JOBS * 1e6,
            "samples": {"figure": figs, "raw_sql": bases, "ratio": ratios},
        }


# lunas serve, in a scratch folder -------------------------------------------------------------
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None, headers=None, timeout=60):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def signed(body):
    return base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()


class Serve:
    """A release `lunas serve` over a fresh SQLite store in WORK/<name>."""

    def __init__(self, name, rules, concurrency, env_extra=None, grace="1s"):
        self.folder = os.path.join(WORK, name)
        shutil.rmtree(self.folder, ignore_errors=True)
        os.makedirs(os.path.join(self.folder, "rules"))
        with open(os.path.join(self.folder, "rules", "bench.lua"), "w") as f:
            f.write(rules)
        self.port = free_port()
        with open(os.path.join(self.folder, "lunas.toml"), "w") as f:
            f.write(f'store = "serve.db"\n\n[serve]\nrules = ["rules"]\nlisten = "127.0.0.1:{self.port}"\n'
                    f'concurrency = {concurrency}\ngrace = "{grace}"\n\n'
                    '[webhooks.bench]\nsecret_env = "BENCH_WEBHOOK_SECRET"\n')
        env = dict(os.environ, BENCH_WEBHOOK_SECRET=SECRET, LUNAS_LOG_LEVEL="warning", **(env_extra or {}))
        self.log = open(os.path.join(self.folder, "serve.log"), "w")
        self.process = subprocess.Popen([LUNAS, "serve"], cwd=self.folder, env=env, stdout=self.log, stderr=self.log)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 60
        while True:
            if self.process.poll() is not None:
                sys.exit(f"bench-serve: lunas serve exited {self.process.returncode}; see {self.log.name}")
            try:
                if http("GET", self.base + "/readyz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                self.stop()
                sys.exit(f"bench-serve: lunas serve not ready in 60 s; see {self.log.name}")
            time.sleep(0.1)

    def post(self, event):
        body = json.dumps(event, separators=(",", ":")).encode()
        return http("POST", self.base + "/webhooks/bench", body,
                    {"Content-Type": "application/json", "X-Scalev-Hmac-Sha256": signed(body)})

    def rss_kib(self):
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return None

    def db(self, sql):
        connection = sqlite3.connect(f"file:{os.path.join(self.folder, 'serve.db')}?mode=ro", uri=True, timeout=30)
        try:
            return connection.execute(sql).fetchone()
        finally:
            connection.close()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# (2) webhook intake ----------------------------------------------------------------------------
def event(prefix, i):
    return {"event": "bench.order_paid", "unique_id": f"{prefix}-{i}", "timestamp": "2025-01-01T00:00:00+07:00",
            "data": {"id": i, "payment_status": "paid", "gross_revenue": 125000, "tags": ["vip"]}}


if "webhook" in ONLY:
    log(f"== (2) webhook intake: wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{WRK_DURATION}, {WEBHOOK_REPS} reps, "
        f"{WEBHOOK_BODIES} unique signed bodies each")
    serve = Serve("webhook", 'on("bench.*", function(event) return event.data.id end)\n', concurrency=1)
    reps = []
    try:
        for rep in range(WEBHOOK_REPS):
            bodies = os.path.join(serve.folder, f"bodies-{rep}.txt")
            with open(bodies, "w") as f:
                for i in range(WEBHOOK_BODIES):
                    body = json.dumps(event(f"r{rep}", i), separators=(",", ":"))
                    f.write(signed(body.encode()) + "\t" + body + "\n")
            summary = os.path.join(serve.folder, f"wrk-{rep}.json")
            env = dict(os.environ, BENCH_BODIES=bodies, BENCH_SUMMARY=summary, BENCH_THREADS=str(WRK_THREADS))
            p = subprocess.run(["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{WRK_DURATION}", "--latency",
                                "-s", os.path.join(HERE, "webhook.lua"), serve.base + "/webhooks/bench"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            if p.returncode != 0 or not os.path.exists(summary):
                sys.exit(f"bench-serve: wrk failed ({p.returncode}):\n{p.stderr}{p.stdout}")
            note_busy(f"webhook rep {rep + 1}")
            with open(summary) as f:
                s = json.load(f)
            stored, first, last = serve.db("SELECT count(*), min(received_at), max(received_at) FROM lunas_webhook_events "
                                           "WHERE event_id LIKE 'r%d-%%'" % rep)
            s["stored_events"] = stored
            s["ran_out"] = s["requests"] >= WEBHOOK_BODIES - WRK_THREADS
            if s["ran_out"]:
                # wrk's duration counts the time after its threads stopped: the rate from the store's commit times
                s["wrk_requests_per_s"] = s["requests_per_s"]
                s["requests_per_s"] = stored / max((last - first) / 1000, 1e-3)
            reps.append(s)
            log(f"   rep {rep + 1}/{WEBHOOK_REPS}: {s['requests_per_s']:.0f} req/s, p50 {s['p50_ms']:.2f} ms, p99 {s['p99_ms']:.2f} ms; "
                f"{s['ok_new']} of {s['requests']} answered 200 and new ({s['duplicates']} duplicates, {s['other']} other, "
                f"{s['errors']} socket errors); {s['stored_events']} events stored")
        jobs_stored = serve.db("SELECT count(*) FROM lunas_jobs")[0]
    finally:
        serve.stop()
    rps = statistics.median(r["requests_per_s"] for r in reps)
    p99 = statistics.median(r["p99_ms"] for r in reps)
    results["webhook"] = {
        "requests_per_s": rps, "p50_ms": statistics.median(r["p50_ms"] for r in reps), "p99_ms": p99,
        "goal_requests_per_s": 2000.0, "goal_p99_ms": 50.0, "pass": rps >= 2000 and p99 < 50,
        "ok_new": sum(r["ok_new"] for r in reps), "requests": sum(r["requests"] for r in reps),
        "duplicates": sum(r["duplicates"] for r in reps), "other": sum(r["other"] for r in reps),
        "jobs_stored": jobs_stored, "threads": WRK_THREADS, "connections": WRK_CONNECTIONS, "duration": WRK_DURATION,
        "reps": reps,
    }


# (3) memory of parked runs ---------------------------------------------------------------------
if "parked" in ONLY:
    log(f"== (3) RSS of {PARKED} runs parked on API calls held {PARK_LATENCY_MS} ms by a separate lunas sandbox")
    sandbox_log = open(os.path.join(WORK, "sandbox.log"), "w")
    sandbox = subprocess.Popen([LUNAS, "sandbox", "--port", "0", "--json", "--rate-limit", "off"], cwd=WORK,
                               stdout=subprocess.PIPE, stderr=sandbox_log, text=True)
    serve = None
    try:
        info = json.loads(sandbox.stdout.readline())
        sandbox_base = info["base_url"]
        status, raw = http("POST", sandbox_base + "/_sandbox/reset", json.dumps({"orders": 50}).encode(),
                           {"Content-Type": "application/json"})
        creds = json.loads(raw)
        rules = ('on("bench.*", function(event)\n'
                 '  local page = scalev.orders.list({ page_size = 1 })\n'
                 '  return event.data.id\n'
                 'end)\n')
        serve = Serve("parked", rules, concurrency=PARKED, grace="1s",
                      env_extra={"SCALEV_BASE_URL": sandbox_base, "SCALEV_API_KEY": creds["business_key"],
                                 "LUNAS_BUDGET": "1000000/1s"})

        def wait_for(sql, want, timeout, what):
            deadline = time.time() + timeout
            while True:
                got = serve.db(sql)[0]
                if got == want:
                    return
                if time.time() > deadline:
                    sys.exit(f"bench-serve: {what}: {got}, not {want}, after {timeout} s; see {serve.log.name}")
                time.sleep(0.2)

        # warm-up: 20 runs through the same path (API calls answered at once), then the idle RSS
        for i in range(20):
            serve.post(event("warm", i + 1))
        wait_for("SELECT count(*) FROM lunas_jobs WHERE state = 'done'", 20, 60, "warm-up runs done")
        time.sleep(1)
        idle = serve.rss_kib()
        status, _ = http("POST", sandbox_base + "/_sandbox/faults",
                         json.dumps({"route": "*", "latency_ms": PARK_LATENCY_MS}).encode(), {"Content-Type": "application/json"})
        if status not in (200, 201):
            sys.exit(f"bench-serve: the sandbox refused the latency rule ({status})")
        t0 = time.time()
        for i in range(PARKED):
            serve.post(event("park", i + 1))
        wait_for("SELECT count(*) FROM lunas_jobs WHERE state = 'running'", PARKED, 60, "runs in flight")
        time.sleep(3)  # every claimed run reaches its API call
        samples = []
        for _ in range(5):
            samples.append(serve.rss_kib())
            time.sleep(0.5)
        if time.time() - t0 > PARK_LATENCY_MS / 1000 * 0.8:
            sys.exit("bench-serve: the API latency ran out before the RSS was read; raise BENCH_PARK_LATENCY_MS")
        running = serve.db("SELECT count(*) FROM lunas_jobs WHERE state = 'running'")[0]
        finished = serve.db("SELECT count(*) FROM lunas_runs")[0] - 20
        note_busy("parked runs")
        parked_rss = statistics.median(samples)
        results["parked"] = {
            "runs": PARKED, "idle_rss_kib": idle, "parked_rss_kib": parked_rss, "rss_samples_kib": samples,
            "kib_per_run": (parked_rss - idle) / PARKED, "still_running_at_end": running, "runs_finished_meanwhile": finished,
            "api_latency_ms": PARK_LATENCY_MS,
        }
        log(f"   idle {idle} KiB, {PARKED} parked {parked_rss} KiB: {(parked_rss - idle) / PARKED:.1f} KiB per run "
            f"({running} running at the end, {finished} finished meanwhile)")
    finally:
        if serve:
            serve.stop()
        sandbox.send_signal(signal.SIGINT)
        try:
            sandbox.wait(timeout=30)
        except subprocess.TimeoutExpired:
            sandbox.kill()
        sandbox_log.close()

# Table -------------------------------------------------------------------------------------------
results["load_at_end"] = os.getloadavg()
results["builds_running_during"] = busy_notes
print()
print("Lunas serve benchmarks" + (f" (a swift build ran during: {', '.join(busy_notes)})" if busy_notes else ""))
rows = [("benchmark", "figure", "baseline", "ratio", "goal", "result")]
for backend, r in results.get("jobs", {}).items():
    rows.append((f"(1) trivial Lua jobs, {backend} (runner vs raw SQL)", f"{r['figure']:.0f} jobs/s", f"{r['raw_sql']:.0f} jobs/s",
                 f"{r['ratio']:.3f}x", f">= {r['goal']:.0f}/s", "PASS" if r["pass"] else "MISS"))
w = results.get("webhook")
if w:
    rows.append(("(2) webhook intake, signed + durable (wrk)", f"{w['requests_per_s']:.0f} req/s", "-", "-", ">= 2000/s", "PASS" if w["requests_per_s"] >= 2000 else "MISS"))
    rows.append(("(2) webhook intake p99 latency", f"{w['p99_ms']:.2f} ms", "-", "-", "< 50 ms", "PASS" if w["p99_ms"] < 50 else "MISS"))
p = results.get("parked")
if p:
    rows.append((f"(3) RSS per run parked on an API call ({p['runs']})", f"{p['kib_per_run']:.1f} KiB", "-", "-", "-", "-"))
widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
for j, row in enumerate(rows):
    print("  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)))
    if j == 0:
        print("  ".join("-" * x for x in widths))
for backend, r in results.get("jobs", {}).items():
    print(f"(1) {backend}: medians of {r['pairs']} interleaved pairs of {r['jobs']} jobs, concurrency {r['concurrency']}; "
          f"CPU of the process {r['cpu_us_per_job']:.0f} us/job (raw {r['raw_cpu_us_per_job']:.0f})")
if w:
    print(f"(2) {w['ok_new']} of {w['requests']} answers were 200 and new, {w['duplicates']} duplicates, {w['other']} other; "
          f"{w['jobs_stored']} jobs stored; p50 {w['p50_ms']:.2f} ms; wrk -t{w['threads']} -c{w['connections']} -d{w['duration']}, "
          f"median of {len(w['reps'])} reps")
if p:
    print(f"(3) idle runner {p['idle_rss_kib'] / 1024:.1f} MiB, with {p['runs']} parked runs {p['parked_rss_kib'] / 1024:.1f} MiB")
with open(os.path.join(OUT, "serve.json"), "w") as f:
    json.dump(results, f, indent=2)
print(f"written to {os.path.join(OUT, 'serve.json')}")
