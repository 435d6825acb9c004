import Foundation
import GRDB

// Script versions and run history on SQLite.
extension SQLiteStore {
    public func saveScriptVersion(_ version: ScriptVersion) async throws {
        try await pool.write { db in
            try db.cachedStatement(sql: """
                INSERT INTO lunas_script_versions (hash, script, source, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (hash) DO NOTHING
                """).execute(arguments: [version.hash, version.script, version.source, self.now()])
        }
    }

    public func scriptVersion(hash: String) async throws -> ScriptVersion? {
        try await pool.read { db in
            try Row.fetchOne(try db.cachedStatement(sql: "SELECT script, source FROM lunas_script_versions WHERE hash = ?"), arguments: [hash])
                .map { ScriptVersion(hash: hash, script: $0[0], source: $0[1]) }
        }
    }

    public func recordRuns(_ runs: [RunInsert]) async throws -> [Int64] {
        guard !runs.isEmpty else { return [] }
        return try await pool.write { db in try runs.map { try Self.insertRun($0, jobID: $0.jobID, db) } }
    }

    public func runs(_ query: RunQuery) async throws -> [RunRow] {
        try KVNames.checkLimit(query.limit)
        var conditions: [String] = []
        var arguments: StatementArguments = []
        for (column, value) in [("script", query.script), ("outcome", query.outcome), ("handler", query.handler)] {
            guard let value else { continue }
            conditions.append("\(column) = ?")
            arguments += [value]
        }
        if let before = query.before {
            conditions.append("(started_at, id) < (SELECT started_at, id FROM lunas_runs WHERE id = ?)")
            arguments += [before]
        }
        arguments += [query.limit]
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT \(Self.runColumns) FROM lunas_runs \(filter) ORDER BY started_at DESC, id DESC LIMIT ?"
        let bound = arguments
        return try await pool.read { db in
            try Row.fetchAll(try db.cachedStatement(sql: sql), arguments: bound).map(Self.runRow)
        }
    }

    public func run(id: Int64) async throws -> RunRow? {
        try await pool.read { db in
            try Row.fetchOne(try db.cachedStatement(sql: "SELECT \(Self.runColumns) FROM lunas_runs WHERE id = ?"), arguments: [id])
                .map(Self.runRow)
        }
    }

    public func runLogs(runID: Int64) async throws -> [RunLogRow] {
        try await pool.read { db in
            try Row.fetchAll(try db.cachedStatement(sql: """
                SELECT seq, at, kind, level, message, fields, location, text FROM lunas_run_logs WHERE run_id = ? ORDER BY seq
                """), arguments: [runID]).map { row in
                RunLogRow(seq: row[0], at: Date(milliseconds: row[1]), kind: row[2], level: row[3], message: row[4],
                          fields: row[5], location: row[6], text: row[7])
            }
        }
    }

    public func pruneRuns(endedBefore: Date) async throws -> Int {
        let before = endedBefore.milliseconds
        var pruned = 0
        // In batches, so the write lock is let go between them.
        while true {
            let batch = try await pool.write { db in
                let ids = try Int64.fetchAll(try db.cachedStatement(sql: """
                    SELECT id FROM lunas_runs WHERE started_at < ? AND ended_at < ? LIMIT \(Self.pruneBatch)
                    """), arguments: [before, before])
                let logs = try db.cachedStatement(sql: "DELETE FROM lunas_run_logs WHERE run_id = ?")
                let run = try db.cachedStatement(sql: "DELETE FROM lunas_runs WHERE id = ?")
                for id in ids {
                    try logs.execute(arguments: [id])
                    try run.execute(arguments: [id])
                }
                return ids.count
            }
            pruned += batch
            if batch < Self.pruneBatch { return pruned }
        }
    }

    /// How many runs one transaction of ``pruneRuns(endedBefore:)`` deletes.
    static let pruneBatch = 1000

    /// Inserts a run and its log lines; returns its id.
    static func insertRun(_ run: RunInsert, jobID: Int64?, _ db: Database) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO lunas_runs (job_id, script, version, handler, trigger, credential, attempt, worker, started_at, ended_at,
                                    outcome, limit_kind, error, traceback, api_calls, budget_wait_ms, input, logs_dropped)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                jobID, run.script, run.version, run.handler, run.trigger, run.credential, run.attempt, run.worker,
                run.startedAt.milliseconds, run.endedAt.milliseconds, run.outcome, run.limitKind, run.error, run.traceback,
                run.apiCalls, run.budgetWait.storedMilliseconds, run.input, run.logsDropped,
            ])
        let id = db.lastInsertedRowID
        let line = try db.cachedStatement(sql: """
            INSERT INTO lunas_run_logs (run_id, seq, at, kind, level, message, fields, location, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for log in run.logs {
            try line.execute(arguments: [id, log.seq, log.at.milliseconds, log.kind, log.level, log.message, log.fields, log.location, log.text])
        }
        return id
    }

    static let runColumns = """
        id, job_id, script, version, handler, trigger, credential, attempt, worker, started_at, ended_at, outcome,
        limit_kind, error, traceback, api_calls, budget_wait_ms, input, logs_dropped
        """

    /// A run from a row of ``runColumns``.
    static func runRow(_ row: Row) -> RunRow {
        RunRow(
            id: row["id"], jobID: row["job_id"], script: row["script"], version: row["version"], handler: row["handler"],
            trigger: row["trigger"], credential: row["credential"], attempt: row["attempt"], worker: row["worker"],
            startedAt: Date(milliseconds: row["started_at"]), endedAt: Date(milliseconds: row["ended_at"]),
            outcome: row["outcome"], limitKind: row["limit_kind"], error: row["error"], traceback: row["traceback"],
            apiCalls: row["api_calls"], budgetWait: .milliseconds(row["budget_wait_ms"] as Int64), input: row["input"],
            logsDropped: row["logs_dropped"])
    }
}
