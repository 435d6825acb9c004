import Foundation
import GRDB

// The runner's jobs on SQLite. Each call is one IMMEDIATE transaction (`pool.write`), which
// serialises it against every other writer of the file.
extension SQLiteStore {
    public func enqueue(_ jobs: [JobRequest]) async throws -> [Int64?] {
        guard !jobs.isEmpty else { return [] }
        try jobs.forEach { try $0.check() }
        return try await pool.write { db in try Self.insert(jobs, db, now: self.now()) }
    }

    public func claimJobs(queue: String, limit: Int, lease: Duration, worker: String) async throws -> [ClaimedJob] {
        let ms = try RunnerChecks.lease(lease)
        guard try RunnerChecks.claimLimit(limit) > 0 else { return [] }
        return try await pool.write { db in
            let now = self.now()
            // Two searches of the due index (an OR of the two would scan the table, done jobs and all).
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
                """), arguments: ["queue": queue, "now": now, "limit": limit])
            guard !ids.isEmpty else { return [] }
            let token = try Self.nextVersion(db)
            let expires = try KVNames.expiry(now, plus: ms)
            let claim = try db.cachedStatement(sql: """
                UPDATE lunas_jobs SET state = 'running', attempts = attempts + 1, lease_token = ?, lease_expires_at = ?, worker = ?
                WHERE id = ? RETURNING payload, attempts, script, handler, trigger, max_attempts, run_at
                """)
            return try ids.compactMap { id in
                guard let row = try Row.fetchOne(claim, arguments: [token, expires, worker, id]) else { return nil }
                return ClaimedJob(id: id, queue: queue, payload: row[0], attempts: row[1], leaseToken: token,
                                  leaseExpiresAt: Date(milliseconds: expires), script: row[2], handler: row[3],
                                  trigger: row[4], maxAttempts: row[5], runAt: Date(milliseconds: row[6]))
            }
        }
    }

    public func extendLeases(_ jobs: [ClaimedJob], by lease: Duration) async throws -> [ClaimedJob] {
        let ms = try RunnerChecks.lease(lease)
        guard !jobs.isEmpty else { return [] }
        return try await pool.write { db in
            let now = self.now()
            let expires = try KVNames.expiry(now, plus: ms)
            let extend = try db.cachedStatement(sql: """
                UPDATE lunas_jobs SET lease_expires_at = ?
                WHERE id = ? AND state = 'running' AND lease_token = ? AND lease_expires_at > ?
                """)
            return try jobs.compactMap { job in
                try extend.execute(arguments: [expires, job.id, job.leaseToken, now])
                guard db.changesCount > 0 else { return nil }
                var extended = job
                extended.leaseExpiresAt = Date(milliseconds: expires)
                return extended
            }
        }
    }

    public func finishJobs(_ finishes: [JobFinish]) async throws -> [Bool] {
        guard !finishes.isEmpty else { return [] }
        for finish in finishes { try finish.followUps.forEach { try $0.check() } }
        return try await pool.write { db in
            let now = self.now()
            return try finishes.map { try Self.finish($0, db, now: now) }
        }
    }

    public func releaseJobs(_ jobs: [ClaimedJob], runAt: Date?) async throws -> [Bool] {
        guard !jobs.isEmpty else { return [] }
        return try await pool.write { db in
            let release = try db.cachedStatement(sql: """
                UPDATE lunas_jobs SET state = 'ready', run_at = ?, attempts = max(attempts - 1, 0),
                    lease_token = NULL, lease_expires_at = NULL
                WHERE id = ? AND state = 'running' AND lease_token = ?
                """)
            let at = runAt?.milliseconds ?? self.now()
            return try jobs.map { job in
                try release.execute(arguments: [at, job.id, job.leaseToken])
                return db.changesCount > 0
            }
        }
    }

    public func jobs(_ query: JobQuery) async throws -> [JobRow] {
        try KVNames.checkLimit(query.limit)
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let states = query.states {
            guard !states.isEmpty else { return [] }
            conditions.append("state IN (\(Array(repeating: "?", count: states.count).joined(separator: ", ")))")
            arguments += StatementArguments(states.map(\.rawValue))
        }
        for (column, value) in [("queue", query.queue), ("script", query.script), ("handler", query.handler)] {
            guard let value else { continue }
            conditions.append("\(column) = ?")
            arguments += [value]
        }
        arguments += [query.limit]
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT \(Self.jobColumns) FROM lunas_jobs \(filter) ORDER BY id DESC LIMIT ?"
        let bound = arguments
        return try await pool.read { db in
            try Row.fetchAll(try db.cachedStatement(sql: sql), arguments: bound).map(Self.jobRow)
        }
    }

    public func job(id: Int64) async throws -> JobRow? {
        try await pool.read { db in
            try Row.fetchOne(try db.cachedStatement(sql: "SELECT \(Self.jobColumns) FROM lunas_jobs WHERE id = ?"), arguments: [id])
                .map(Self.jobRow)
        }
    }

    /// Inserts jobs (a unique key that exists skips its job); their ids, `nil` for those skipped.
    static func insert(_ jobs: [JobRequest], _ db: Database, now: Int64) throws -> [Int64?] {
        guard !jobs.isEmpty else { return [] }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO lunas_jobs (queue, payload, script, handler, trigger, run_at, max_attempts, unique_key, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL DO NOTHING
            """)
        return try jobs.map { job in
            try insert.execute(arguments: [job.queue, job.payload, job.script, job.handler, job.trigger,
                                           job.runAt?.milliseconds ?? now, job.maxAttempts, job.uniqueKey, now])
            return db.changesCount > 0 ? db.lastInsertedRowID : nil
        }
    }

    /// Writes one finish if its lease is held; `false` (nothing written) when it is not.
    private static func finish(_ finish: JobFinish, _ db: Database, now: Int64) throws -> Bool {
        let (state, runAt, error) = finish.result.stored
        try db.cachedStatement(sql: """
            UPDATE lunas_jobs SET
                state = CASE WHEN :state <> 'ready' THEN :state WHEN attempts >= max_attempts THEN 'dead' ELSE 'ready' END,
                run_at = CASE WHEN :state = 'ready' AND attempts < max_attempts THEN :runAt ELSE run_at END,
                finished_at = CASE WHEN :state = 'ready' AND attempts < max_attempts THEN NULL ELSE :now END,
                last_error = coalesce(:error, last_error), lease_token = NULL, lease_expires_at = NULL
            WHERE id = :id AND state = 'running' AND lease_token = :token
            """).execute(arguments: ["state": state, "runAt": runAt, "now": now, "error": error,
                                     "id": finish.job.id, "token": finish.job.leaseToken])
        guard db.changesCount > 0 else { return false }
        if let run = finish.run {
            let runID = try insertRun(run, jobID: run.jobID ?? finish.job.id, db)
            try db.cachedStatement(sql: "UPDATE lunas_jobs SET last_run_id = ? WHERE id = ?").execute(arguments: [runID, finish.job.id])
        }
        _ = try insert(finish.followUps, db, now: now)
        return true
    }

    static let jobColumns = """
        id, queue, script, handler, trigger, payload, state, run_at, attempts, max_attempts, last_error, worker,
        lease_expires_at, created_at, finished_at, unique_key, last_run_id
        """

    /// A job from a row of ``jobColumns``.
    static func jobRow(_ row: Row) throws -> JobRow {
        let state: String = row["state"]
        guard let jobState = JobState(rawValue: state) else {
            throw StoreError.invalidArgument("job \(row["id"] as Int64) has an unknown state '\(state)'")
        }
        return JobRow(
            id: row["id"], queue: row["queue"], script: row["script"], handler: row["handler"], trigger: row["trigger"],
            payload: row["payload"], state: jobState, runAt: Date(milliseconds: row["run_at"]), attempts: row["attempts"],
            maxAttempts: row["max_attempts"], lastError: row["last_error"], worker: row["worker"],
            leaseExpiresAt: (row["lease_expires_at"] as Int64?).map(Date.init(milliseconds:)),
            createdAt: Date(milliseconds: row["created_at"]),
            finishedAt: (row["finished_at"] as Int64?).map(Date.init(milliseconds:)),
            uniqueKey: row["unique_key"], lastRunID: row["last_run_id"])
    }
}
