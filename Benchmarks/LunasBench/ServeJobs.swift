import Foundation
import GRDB
import Logging
import LunasRuntime
import LunasServe
import LunasStore
import PostgresNIO
import ScalevModel

// serve-jobs: trivial Lua rules jobs per second through the runner's whole path (claim under a
// lease, fresh sandboxed state, the rule's handler, the run recorded, the job completed; claims
// of up to 64 and group-committed finishes, as `lunas serve` does), against the same claim /
// finish loop in raw SQL through GRDB or postgres-nio: the same statements, the same
// durability (SQLite synchronous=FULL; PostgreSQL fsync=on, synchronous_commit=on), the same
// batching. One side per process:
//
//   lunas-bench serve-jobs sqlite|postgres lunas|raw N [POSTGRES_URL]
//
// N jobs are enqueued first with RunnerStore.enqueue in batches of 500 (not timed); the figure is
// N / (last completion - first claim), both read from the store (ms). Prints
// `servejobs jobs_per_s=.. wall_s=.. cpu_s=..`. Concurrency: BENCH_SERVE_CONCURRENCY (64).

let serveRules = """
    on("bench.job", function(event)
      return event.data.n + 1
    end)

    """

struct ServeJobsBench {
    enum Backend: String { case sqlite, postgres }
    let backend: Backend
    let raw: Bool
    let count: Int
    let postgresURL: String?
    let concurrency = Int(ProcessInfo.processInfo.environment["BENCH_SERVE_CONCURRENCY"] ?? "") ?? 64
    let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("lunas-serve-bench-\(getpid())")

    static func main(_ arguments: [String]) async throws {
        guard arguments.count >= 5, let backend = Backend(rawValue: arguments[2]), ["lunas", "raw"].contains(arguments[3]),
              let n = Int(arguments[4]), n > 0 else {
            fail("usage: lunas-bench serve-jobs sqlite|postgres lunas|raw N [POSTGRES_URL]")
        }
        let url = arguments.count > 5 ? arguments[5] : nil
        if backend == .postgres && url == nil { fail("serve-jobs postgres needs a URL") }
        try await ServeJobsBench(backend: backend, raw: arguments[3] == "raw", count: n, postgresURL: url).run()
    }

    func run() async throws {
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("rules"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try serveRules.write(to: folder.appendingPathComponent("rules/bench.lua"), atomically: true, encoding: .utf8)
        let location: StoreLocation
        switch backend {
        case .sqlite: location = .sqlite(path: folder.appendingPathComponent("serve.db").path)
        case .postgres: location = .postgres(url: try await freshDatabase())
        }

        var lunas = LunasConfiguration()
        lunas.serve.rules = ["rules"]
        lunas.serve.concurrency = concurrency
        let runtime = Runtime(configuration: RuntimeConfiguration(
            stdlibFolder: "stdlib", scriptsFolder: nil, workingDirectory: folder.path, store: location, lunas: lunas))
        try await runtime.open()
        var logger = Logger(label: "bench.serve")
        logger.logLevel = .warning
        let runner = Runner(runtime: runtime, configuration: Runner.Configuration(settings: lunas.serve, template: RunTemplate(credentials: .none), logger: logger))
        try await runner.reload()
        guard let store = try await runtime.store?.store() else { fail("serve-jobs: the runtime has no store") }

        // Enqueue N jobs as the intake would make them for N webhook events, 500 a transaction.
        var jobs: [JobRequest] = []
        for i in 1...count {
            let event: JSON = ["event": "bench.job", "unique_id": .string("bench-\(i)"), "timestamp": "2025-01-01T00:00:00Z",
                               "data": ["n": .integer(Int64(i)), "status": "paid"]]
            let made = await runner.jobs(forEvent: event, source: "bench")
            guard made.count == 1 else { fail("serve-jobs: the rule does not match bench.job (\(made.count) jobs)") }
            jobs += made
        }
        for start in stride(from: 0, to: jobs.count, by: 500) {
            _ = try await store.enqueue(Array(jobs[start..<min(start + 500, jobs.count)]))
        }

        let c0 = cpuNanoseconds(), t0 = nowNanoseconds()
        if raw {
            await runtime.shutdown()
            switch backend {
            case .sqlite: try await rawSQLite(path: folder.appendingPathComponent("serve.db").path)
            case .postgres: if case .postgres(let url) = location { try await rawPostgres(url: url) }
            }
        } else {
            try await runner.runWorkers(until: {
                while true {
                    let left = (try? await store.jobs(JobQuery(states: [.ready, .running], limit: 1)).count) ?? 1
                    if left == 0 { return }
                    try? await Task.sleep(for: .milliseconds(5))
                }
            })
        }
        let t1 = nowNanoseconds(), c1 = cpuNanoseconds()
        if !raw { await runtime.shutdown() }

        // The figure from the store: first run's start (its claim) to the last job's finish.
        let (done, runs, first, last) = try await span(location)
        guard done == count, runs == count else { fail("serve-jobs: \(done) jobs done and \(runs) runs recorded of \(count)") }
        let wall = Double(last - first) / 1000
        print(String(format: "servejobs jobs_per_s=%.1f wall_s=%.4f cpu_s=%.4f process_wall_s=%.4f",
                     Double(count) / wall, wall, (c1 - c0) / 1e9, (t1 - t0) / 1e9))
    }

    /// (jobs done, runs, min run start ms, max job finish ms).
    func span(_ location: StoreLocation) async throws -> (Int, Int, Int64, Int64) {
        let sql = """
            SELECT (SELECT count(*) FROM lunas_jobs WHERE state = 'done'), (SELECT count(*) FROM lunas_runs),
                   (SELECT min(started_at) FROM lunas_runs), (SELECT max(finished_at) FROM lunas_jobs)
            """
        switch location {
        case .sqlite(let path):
            let queue = try DatabaseQueue(path: path)
            return try await queue.read { db in
                guard let row = try Row.fetchOne(db, sql: sql) else { fail("serve-jobs: no span") }
                return (row[0], row[1], row[2], row[3])
            }
        case .postgres(let url):
            return try await withPostgres(url) { client in
                let rows = try await client.query(PostgresQuery(unsafeSQL: sql)).collect()
                guard let row = rows.first else { fail("serve-jobs: no span") }
                let (d, r, f, l) = try row.decode((Int64, Int64, Int64, Int64).self)
                return (Int(d), Int(r), f, l)
            }
        }
    }

    /// A new empty database on the server of `postgresURL`; its URL.
    func freshDatabase() async throws -> String {
        guard let base = postgresURL, var parts = URLComponents(string: base) else { fail("serve-jobs: bad URL") }
        try await withPostgres(base) { client in
            try await client.query("DROP DATABASE IF EXISTS lunas_bench_serve WITH (FORCE)")
            try await client.query("CREATE DATABASE lunas_bench_serve")
        }
        parts.path = "/lunas_bench_serve"
        return parts.string ?? base
    }

    func withPostgres<T: Sendable>(_ url: String, _ body: (PostgresClient) async throws -> T) async throws -> T {
        guard let parts = URLComponents(string: url), let host = parts.host else { fail("serve-jobs: bad URL \(url)") }
        let configuration = PostgresClient.Configuration(
            host: host, port: parts.port ?? 5432, username: parts.user ?? "postgres", password: parts.password,
            database: parts.path.count > 1 ? String(parts.path.dropFirst()) : nil, tls: .disable)
        var quiet = Logger(label: "bench")
        quiet.logLevel = .error  // not the warning of a lease asked for before run() started
        let client = PostgresClient(configuration: configuration, backgroundLogger: quiet)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { await client.run(); return nil }
            let result = try await body(client)
            group.cancelAll()
            return result
        }
    }

    // MARK: raw SQL: the store's statements, the runner's batching

    /// The raw loop's view of a claimed job.
    struct RawJob: Sendable {
        var id: Int64, token: Int64, payload: String, attempts: Int, script: String, handler: String, trigger: String
        var claimedAt: Int64
    }

    /// Claims up to 64 while fewer than `concurrency` are held; each claimed job's finish (done,
    /// its run inserted, last_run_id set) goes to a group commit of at most 256, one writer.
    func rawLoop(claim: @escaping @Sendable (Int) async throws -> [RawJob],
                 finish: @escaping @Sendable ([RawJob]) async throws -> Void) async throws {
        let slots = RawSlots(concurrency: concurrency, total: count)
        let commits = RawGroupCommit(write: finish)
        try await withThrowingDiscardingTaskGroup { group in
            while let free = await slots.free() {
                let jobs = try await claim(min(free, 64))
                await slots.take(jobs.count)
                for job in jobs {
                    group.addTask {
                        try await commits.submit(job)
                        await slots.release()
                    }
                }
                if jobs.isEmpty { try await Task.sleep(for: .milliseconds(1)) }
            }
        }
    }

    func rawSQLite(path: String) async throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try await pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let mode = try await pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        precondition(mode == 2, "the raw baseline must run with synchronous=FULL, like the store")
        let worker = "raw:\(getpid())"
        try await rawLoop(claim: { limit in
            try await pool.write { db in
                let now = Date().milliseconds
                let ids = try Int64.fetchAll(try db.cachedStatement(sql: """
                    SELECT id FROM (
                        SELECT id, run_at FROM (
                            SELECT id, run_at FROM lunas_jobs WHERE queue = :queue AND state = 'ready' AND run_at <= :now
                            ORDER BY run_at, id LIMIT :limit)
                        UNION ALL
                        SELECT id, run_at FROM (
                            SELECT id, run_at FROM lunas_jobs WHERE queue = :queue AND state = 'running' AND lease_expires_at <= :now
                            ORDER BY run_at, id LIMIT :limit))
                    ORDER BY run_at, id LIMIT :limit
                    """), arguments: ["queue": "rules", "now": now, "limit": limit])
                guard !ids.isEmpty else { return [] }
                try db.execute(sql: "UPDATE lunas_counter SET value = value + 1 WHERE name = 'version'")
                let token = try Int64.fetchOne(db, sql: "SELECT value FROM lunas_counter WHERE name = 'version'") ?? 0
                let claim = try db.cachedStatement(sql: """
                    UPDATE lunas_jobs SET state = 'running', attempts = attempts + 1, lease_token = ?, lease_expires_at = ?, worker = ?
                    WHERE id = ? RETURNING payload, attempts, script, handler, trigger, max_attempts
                    """)
                return try ids.compactMap { id in
                    guard let row = try Row.fetchOne(claim, arguments: [token, now + 30_000, worker, id]) else { return nil }
                    return RawJob(id: id, token: token, payload: row[0], attempts: row[1], script: row[2], handler: row[3],
                                  trigger: row[4], claimedAt: now)
                }
            }
        }, finish: { jobs in
            try await pool.write { db in
                let now = Date().milliseconds
                let done = try db.cachedStatement(sql: """
                    UPDATE lunas_jobs SET
                        state = CASE WHEN :state <> 'ready' THEN :state WHEN attempts >= max_attempts THEN 'dead' ELSE 'ready' END,
                        run_at = CASE WHEN :state = 'ready' AND attempts < max_attempts THEN :runAt ELSE run_at END,
                        finished_at = CASE WHEN :state = 'ready' AND attempts < max_attempts THEN NULL ELSE :now END,
                        last_error = coalesce(:error, last_error), lease_token = NULL, lease_expires_at = NULL
                    WHERE id = :id AND state = 'running' AND lease_token = :token
                    """)
                let run = try db.cachedStatement(sql: """
                    INSERT INTO lunas_runs (job_id, script, version, handler, trigger, credential, attempt, worker, started_at, ended_at,
                                            outcome, limit_kind, error, traceback, api_calls, budget_wait_ms, input, logs_dropped)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                let link = try db.cachedStatement(sql: "UPDATE lunas_jobs SET last_run_id = ? WHERE id = ?")
                for job in jobs {
                    try done.execute(arguments: ["state": "done", "runAt": nil as Int64?, "now": now, "error": nil as String?,
                                                 "id": job.id, "token": job.token])
                    guard db.changesCount > 0 else { continue }
                    try run.execute(arguments: [job.id, job.script, "v", job.handler, job.trigger, nil as String?, job.attempts, worker,
                                                job.claimedAt, now, "ok", nil as String?, nil as String?, nil as String?, 0, 0,
                                                job.payload, 0])
                    try link.execute(arguments: [db.lastInsertedRowID, job.id])
                }
            }
        })
        try pool.close()
    }

    func rawPostgres(url: String) async throws {
        let worker = "raw:\(getpid())"
        try await withPostgres(url) { client in
            try await rawLoop(claim: { limit in
                let rows = try await client.query("""
                    UPDATE lunas_jobs AS j SET state = 'running', attempts = j.attempts + 1,
                        lease_token = nextval('lunas_version_seq'), lease_expires_at = lunas_now_ms(NULL) + 30000, worker = \(worker)
                    FROM (SELECT id FROM lunas_jobs
                          WHERE queue = 'rules' AND ((state = 'ready' AND run_at <= lunas_now_ms(NULL))
                             OR (state = 'running' AND lease_expires_at <= lunas_now_ms(NULL)))
                          ORDER BY run_at, id LIMIT \(limit)
                          FOR UPDATE SKIP LOCKED) AS due
                    WHERE j.id = due.id
                    RETURNING j.id, j.payload, j.attempts, j.lease_token, j.script, j.handler, j.trigger, lunas_now_ms(NULL)
                    """).collect()
                return try rows.map { row in
                    let (id, payload, attempts, token, script, handler, trigger, at) =
                        try row.decode((Int64, String, Int, Int64, String, String, String, Int64).self)
                    return RawJob(id: id, token: token, payload: payload, attempts: attempts, script: script, handler: handler,
                                  trigger: trigger, claimedAt: at)
                }.sorted { $0.id < $1.id }
            }, finish: { jobs in
                try await client.withConnection { connection in
                    let logger = Logger(label: "bench")
                    try await connection.query("BEGIN", logger: logger)
                    for job in jobs {
                        let state = "done", runAt: Int64? = nil, error: String? = nil
                        let held = try await connection.query("""
                            UPDATE lunas_jobs SET
                                state = CASE WHEN \(state) <> 'ready' THEN \(state) WHEN attempts >= max_attempts THEN 'dead' ELSE 'ready' END,
                                run_at = CASE WHEN \(state) = 'ready' AND attempts < max_attempts THEN \(runAt)::bigint ELSE run_at END,
                                finished_at = CASE WHEN \(state) = 'ready' AND attempts < max_attempts THEN NULL ELSE lunas_now_ms(NULL) END,
                                last_error = coalesce(\(error), last_error), lease_token = NULL, lease_expires_at = NULL
                            WHERE id = \(job.id) AND state = 'running' AND lease_token = \(job.token)
                            RETURNING 1
                            """, logger: logger).collect()
                        guard !held.isEmpty else { continue }
                        let none: String? = nil, zero: Int64 = 0
                        let ids = try await connection.query("""
                            INSERT INTO lunas_runs (job_id, script, version, handler, trigger, credential, attempt, worker, started_at, ended_at,
                                                    outcome, limit_kind, error, traceback, api_calls, budget_wait_ms, input, logs_dropped)
                            VALUES (\(job.id), \(job.script), 'v', \(job.handler), \(job.trigger), \(none), \(job.attempts),
                                    \(worker), \(job.claimedAt), lunas_now_ms(NULL), 'ok', \(none),
                                    \(none), \(none), \(zero), \(zero), \(job.payload), \(zero))
                            RETURNING id
                            """, logger: logger).collect()
                        let runID = try ids.first?.decode(Int64.self) ?? 0
                        try await connection.query("UPDATE lunas_jobs SET last_run_id = \(runID) WHERE id = \(job.id)", logger: logger)
                    }
                    try await connection.query("COMMIT", logger: logger)
                }
            })
        }
    }
}

extension Date {
    fileprivate var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }
}

/// The raw loop's free slots of `concurrency`, and when all `total` jobs have finished.
actor RawSlots {
    let concurrency: Int
    var held = 0
    var left: Int
    var waiter: CheckedContinuation<Void, Never>?

    init(concurrency: Int, total: Int) {
        self.concurrency = concurrency
        self.left = total
    }

    /// Free slots (waits for one), or `nil` once every job finished.
    func free() async -> Int? {
        while left > 0 && held >= concurrency { await withCheckedContinuation { waiter = $0 } }
        return left > 0 ? concurrency - held : nil
    }

    func take(_ n: Int) { held += n }

    func release() {
        held -= 1
        left -= 1
        waiter?.resume()
        waiter = nil
    }
}

/// GroupCommit's policy (LunasServe/GroupCommit.swift): one writer; what arrives meanwhile goes
/// in the next transaction, at most 256 a transaction.
actor RawGroupCommit {
    let write: @Sendable ([ServeJobsBench.RawJob]) async throws -> Void
    var pending: [(ServeJobsBench.RawJob, CheckedContinuation<Void, any Error>)] = []
    var writing = false

    init(write: @escaping @Sendable ([ServeJobsBench.RawJob]) async throws -> Void) { self.write = write }

    func submit(_ job: ServeJobsBench.RawJob) async throws {
        try await withCheckedThrowingContinuation { waiter in
            pending.append((job, waiter))
            if !writing {
                writing = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(256))
            pending.removeFirst(batch.count)
            do {
                try await write(batch.map(\.0))
                for (_, waiter) in batch { waiter.resume() }
            } catch {
                for (_, waiter) in batch { waiter.resume(throwing: error) }
            }
        }
        writing = false
    }
}
