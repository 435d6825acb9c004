import Foundation
import Logging
import PostgresNIO

// The runner's jobs on PostgreSQL: claims skip rows another runner holds (`FOR UPDATE SKIP
// LOCKED`); every change of a claimed job is conditioned on its lease token.
extension PostgresStore {
    public func enqueue(_ jobs: [JobRequest]) async throws -> [Int64?] {
        guard !jobs.isEmpty else { return [] }
        try jobs.forEach { try $0.check() }
        let logger = logger, fixedNow = fixedNow
        return try await transaction { connection in try await Self.insert(jobs, connection, logger: logger, fixedNow: fixedNow) }
    }

    public func claimJobs(queue: String, limit: Int, lease: Duration, worker: String) async throws -> [ClaimedJob] {
        let ms = try RunnerChecks.lease(lease)
        guard try RunnerChecks.claimLimit(limit) > 0 else { return [] }
        let claimed = try await rows("""
            UPDATE lunas_jobs AS j SET state = 'running', attempts = j.attempts + 1,
                lease_token = nextval('lunas_version_seq'), lease_expires_at = lunas_now_ms(\(fixedNow)) + \(ms), worker = \(worker)
            FROM (SELECT id FROM lunas_jobs
                  WHERE queue = \(queue) AND ((state = 'ready' AND run_at <= lunas_now_ms(\(fixedNow)))
                     OR (state = 'running' AND lease_expires_at <= lunas_now_ms(\(fixedNow))))
                  ORDER BY run_at, id LIMIT \(limit)
                  FOR UPDATE SKIP LOCKED) AS due
            WHERE j.id = due.id
            RETURNING j.id, j.payload, j.attempts, j.lease_token, j.lease_expires_at, j.script, j.handler, j.trigger,
                      j.max_attempts, j.run_at
            """)
        return try claimed.map { row -> (Int64, ClaimedJob) in
            let r = row.makeRandomAccess()
            let job = ClaimedJob(
                id: try r["id"].decode(Int64.self), queue: queue, payload: try r["payload"].decode(String.self),
                attempts: try r["attempts"].decode(Int.self), leaseToken: try r["lease_token"].decode(Int64.self),
                leaseExpiresAt: Date(milliseconds: try r["lease_expires_at"].decode(Int64.self)),
                script: try r["script"].decode(String.self), handler: try r["handler"].decode(String.self),
                trigger: try r["trigger"].decode(String.self), maxAttempts: try r["max_attempts"].decode(Int.self),
                runAt: Date(milliseconds: try r["run_at"].decode(Int64.self)))
            return (try r["run_at"].decode(Int64.self), job)
        }
        .sorted { ($0.0, $0.1.id) < ($1.0, $1.1.id) }
        .map(\.1)
    }

    public func extendLeases(_ jobs: [ClaimedJob], by lease: Duration) async throws -> [ClaimedJob] {
        let ms = try RunnerChecks.lease(lease)
        guard !jobs.isEmpty else { return [] }
        // The rows are locked in id order, as a batch of finishes locks them (finishJobs): in any
        // other order a renewal and a finish of the same runner's jobs deadlock, and a renewal that
        // fails loses leases of runs still going.
        let extended = try await rows("""
            WITH locked AS (
                SELECT j.id FROM lunas_jobs AS j
                JOIN unnest(\(jobs.map(\.id))::bigint[], \(jobs.map(\.leaseToken))::bigint[]) AS held (id, token) ON j.id = held.id
                WHERE j.lease_token = held.token AND j.state = 'running' AND j.lease_expires_at > lunas_now_ms(\(fixedNow))
                ORDER BY j.id FOR UPDATE OF j)
            UPDATE lunas_jobs AS j SET lease_expires_at = lunas_now_ms(\(fixedNow)) + \(ms)
            FROM locked WHERE j.id = locked.id
            RETURNING j.id, j.lease_expires_at
            """)
        let expiries = try Dictionary(extended.map { try $0.decode((Int64, Int64).self) }, uniquingKeysWith: max)
        return jobs.compactMap { job in
            guard let expires = expiries[job.id] else { return nil }
            var held = job
            held.leaseExpiresAt = Date(milliseconds: expires)
            return held
        }
    }

    public func finishJobs(_ finishes: [JobFinish]) async throws -> [Bool] {
        guard !finishes.isEmpty else { return [] }
        for finish in finishes { try finish.followUps.forEach { try $0.check() } }
        let logger = logger, fixedNow = fixedNow
        return try await transaction { connection in
            // in id order, as lease renewals lock rows (extendLeases): no deadlock between them
            var results = [Bool](repeating: false, count: finishes.count)
            for index in finishes.indices.sorted(by: { finishes[$0].job.id < finishes[$1].job.id }) {
                results[index] = try await Self.finish(finishes[index], connection, logger: logger, fixedNow: fixedNow)
            }
            return results
        }
    }

    public func releaseJobs(_ jobs: [ClaimedJob], runAt: Date?) async throws -> [Bool] {
        guard !jobs.isEmpty else { return [] }
        let released = try await rows("""
            WITH locked AS (
                SELECT j.id FROM lunas_jobs AS j
                JOIN unnest(\(jobs.map(\.id))::bigint[], \(jobs.map(\.leaseToken))::bigint[]) AS held (id, token) ON j.id = held.id
                WHERE j.lease_token = held.token AND j.state = 'running'
                ORDER BY j.id FOR UPDATE OF j)
            UPDATE lunas_jobs AS j SET state = 'ready', run_at = coalesce(\(runAt?.milliseconds)::bigint, lunas_now_ms(\(fixedNow))),
                attempts = greatest(j.attempts - 1, 0), lease_token = NULL, lease_expires_at = NULL
            FROM locked WHERE j.id = locked.id
            RETURNING j.id
            """)
        let ids = Set(try released.map { try $0.decode(Int64.self) })
        return jobs.map { ids.contains($0.id) }
    }

    public func jobs(_ query: JobQuery) async throws -> [JobRow] {
        try KVNames.checkLimit(query.limit)
        let states = query.states?.map(\.rawValue)
        return try await rows("""
            SELECT \(unescaped: Self.jobColumns) FROM lunas_jobs
            WHERE (\(states)::text[] IS NULL OR state = ANY(\(states)::text[]))
              AND (\(query.queue)::text IS NULL OR queue = \(query.queue))
              AND (\(query.script)::text IS NULL OR script = \(query.script))
              AND (\(query.handler)::text IS NULL OR handler = \(query.handler))
            ORDER BY id DESC LIMIT \(query.limit)
            """).map(Self.jobRow)
    }

    public func job(id: Int64) async throws -> JobRow? {
        try await rows("SELECT \(unescaped: Self.jobColumns) FROM lunas_jobs WHERE id = \(id)").first.map(Self.jobRow)
    }

    /// Inserts jobs (a unique key that exists skips its job); their ids, `nil` for those skipped.
    static func insert(_ jobs: [JobRequest], _ connection: PostgresConnection, logger: Logger, fixedNow: Int64?) async throws -> [Int64?] {
        var ids: [Int64?] = []
        for job in jobs {
            let rows = try await connection.query("""
                INSERT INTO lunas_jobs (queue, payload, script, handler, trigger, run_at, max_attempts, unique_key, created_at)
                VALUES (\(job.queue), \(job.payload), \(job.script), \(job.handler), \(job.trigger),
                        coalesce(\(job.runAt?.milliseconds)::bigint, lunas_now_ms(\(fixedNow))), \(job.maxAttempts),
                        \(job.uniqueKey), lunas_now_ms(\(fixedNow)))
                ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL DO NOTHING
                RETURNING id
                """, logger: logger).collect()
            ids.append(try rows.first?.decode(Int64.self))
        }
        return ids
    }

    /// Writes one finish if its lease is held; `false` (nothing written) when it is not.
    private static func finish(_ finish: JobFinish, _ connection: PostgresConnection, logger: Logger, fixedNow: Int64?) async throws -> Bool {
        let (state, runAt, error) = finish.result.stored
        let held = try await connection.query("""
            UPDATE lunas_jobs SET
                state = CASE WHEN \(state) <> 'ready' THEN \(state) WHEN attempts >= max_attempts THEN 'dead' ELSE 'ready' END,
                run_at = CASE WHEN \(state) = 'ready' AND attempts < max_attempts THEN \(runAt)::bigint ELSE run_at END,
                finished_at = CASE WHEN \(state) = 'ready' AND attempts < max_attempts THEN NULL ELSE lunas_now_ms(\(fixedNow)) END,
                last_error = coalesce(\(error), last_error), lease_token = NULL, lease_expires_at = NULL
            WHERE id = \(finish.job.id) AND state = 'running' AND lease_token = \(finish.job.leaseToken)
            RETURNING 1
            """, logger: logger).collect()
        guard !held.isEmpty else { return false }
        if let run = finish.run {
            let runID = try await insertRun(run, jobID: run.jobID ?? finish.job.id, connection, logger: logger)
            try await connection.query("UPDATE lunas_jobs SET last_run_id = \(runID) WHERE id = \(finish.job.id)", logger: logger)
        }
        _ = try await insert(finish.followUps, connection, logger: logger, fixedNow: fixedNow)
        return true
    }

    static let jobColumns = """
        id, queue, script, handler, trigger, payload, state, run_at, attempts, max_attempts, last_error, worker,
        lease_expires_at, created_at, finished_at, unique_key, last_run_id
        """

    /// A job from a row of ``jobColumns``.
    static func jobRow(_ row: PostgresRow) throws -> JobRow {
        let r = row.makeRandomAccess()
        let id = try r["id"].decode(Int64.self), state = try r["state"].decode(String.self)
        guard let jobState = JobState(rawValue: state) else {
            throw StoreError.invalidArgument("job \(id) has an unknown state '\(state)'")
        }
        return JobRow(
            id: id, queue: try r["queue"].decode(String.self), script: try r["script"].decode(String.self),
            handler: try r["handler"].decode(String.self), trigger: try r["trigger"].decode(String.self),
            payload: try r["payload"].decode(String.self), state: jobState,
            runAt: Date(milliseconds: try r["run_at"].decode(Int64.self)), attempts: try r["attempts"].decode(Int.self),
            maxAttempts: try r["max_attempts"].decode(Int.self), lastError: try r["last_error"].decode(String?.self),
            worker: try r["worker"].decode(String?.self),
            leaseExpiresAt: try r["lease_expires_at"].decode(Int64?.self).map(Date.init(milliseconds:)),
            createdAt: Date(milliseconds: try r["created_at"].decode(Int64.self)),
            finishedAt: try r["finished_at"].decode(Int64?.self).map(Date.init(milliseconds:)),
            uniqueKey: try r["unique_key"].decode(String?.self), lastRunID: try r["last_run_id"].decode(Int64?.self))
    }
}
