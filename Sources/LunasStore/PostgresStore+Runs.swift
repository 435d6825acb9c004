import Foundation
import Logging
import PostgresNIO

// Script versions and run history on PostgreSQL.
extension PostgresStore {
    public func saveScriptVersion(_ version: ScriptVersion) async throws {
        _ = try await rows("""
            INSERT INTO lunas_script_versions (hash, script, source, created_at)
            VALUES (\(version.hash), \(version.script), \(version.source), lunas_now_ms(\(fixedNow)))
            ON CONFLICT (hash) DO NOTHING
            """)
    }

    public func scriptVersion(hash: String) async throws -> ScriptVersion? {
        guard let row = try await rows("SELECT script, source FROM lunas_script_versions WHERE hash = \(hash)").first else { return nil }
        let (script, source) = try row.decode((String, String).self)
        return ScriptVersion(hash: hash, script: script, source: source)
    }

    public func recordRuns(_ runs: [RunInsert]) async throws -> [Int64] {
        guard !runs.isEmpty else { return [] }
        let logger = logger
        return try await transaction { connection in
            var ids: [Int64] = []
            for run in runs { ids.append(try await Self.insertRun(run, jobID: run.jobID, connection, logger: logger)) }
            return ids
        }
    }

    public func runs(_ query: RunQuery) async throws -> [RunRow] {
        try KVNames.checkLimit(query.limit)
        return try await rows("""
            SELECT \(unescaped: Self.runColumns) FROM lunas_runs
            WHERE (\(query.script)::text IS NULL OR script = \(query.script))
              AND (\(query.outcome)::text IS NULL OR outcome = \(query.outcome))
              AND (\(query.handler)::text IS NULL OR handler = \(query.handler))
              AND (\(query.before)::bigint IS NULL
                   OR (started_at, id) < (SELECT started_at, id FROM lunas_runs WHERE id = \(query.before)::bigint))
            ORDER BY started_at DESC, id DESC LIMIT \(query.limit)
            """).map(Self.runRow)
    }

    public func run(id: Int64) async throws -> RunRow? {
        try await rows("SELECT \(unescaped: Self.runColumns) FROM lunas_runs WHERE id = \(id)").first.map(Self.runRow)
    }

    public func runLogs(runID: Int64) async throws -> [RunLogRow] {
        try await rows("""
            SELECT seq, at, kind, level, message, fields, location, text FROM lunas_run_logs WHERE run_id = \(runID) ORDER BY seq
            """).map { row in
            let (seq, at, kind, level, message, fields, location, text) = try row.decode(
                (Int, Int64, String, String?, String, String, String, String).self)
            return RunLogRow(seq: seq, at: Date(milliseconds: at), kind: kind, level: level, message: message,
                             fields: fields, location: location, text: text)
        }
    }

    public func pruneRuns(endedBefore: Date) async throws -> Int {
        let before = endedBefore.milliseconds
        var pruned = 0
        // In batches, so no one transaction holds many rows.
        while true {
            let batch = try await rows("""
                DELETE FROM lunas_runs WHERE id IN (
                    SELECT id FROM lunas_runs WHERE started_at < \(before) AND ended_at < \(before) LIMIT \(Self.pruneBatch))
                RETURNING 1
                """).count
            pruned += batch
            if batch < Self.pruneBatch { return pruned }
        }
    }

    /// How many runs one statement of ``pruneRuns(endedBefore:)`` deletes (their logs go by `ON DELETE CASCADE`).
    static let pruneBatch = 1000

    /// Inserts a run and its log lines; returns its id.
    static func insertRun(_ run: RunInsert, jobID: Int64?, _ connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        let rows = try await connection.query("""
            INSERT INTO lunas_runs (job_id, script, version, handler, trigger, credential, attempt, worker, started_at, ended_at,
                                    outcome, limit_kind, error, traceback, api_calls, budget_wait_ms, input, logs_dropped)
            VALUES (\(jobID), \(run.script), \(run.version), \(run.handler), \(run.trigger), \(run.credential), \(run.attempt),
                    \(run.worker), \(run.startedAt.milliseconds), \(run.endedAt.milliseconds), \(run.outcome), \(run.limitKind),
                    \(run.error), \(run.traceback), \(run.apiCalls), \(run.budgetWait.storedMilliseconds), \(run.input),
                    \(run.logsDropped))
            RETURNING id
            """, logger: logger).collect()
        guard let id = try rows.first?.decode(Int64.self) else {
            throw StoreError.invalidArgument("inserting a run returned no id")
        }
        guard !run.logs.isEmpty else { return id }
        let logs = run.logs
        // A NULL cannot travel in an array parameter: a level's presence goes beside it.
        try await connection.query("""
            INSERT INTO lunas_run_logs (run_id, seq, at, kind, level, message, fields, location, text)
            SELECT \(id), seq, at, kind, CASE WHEN has_level THEN level END, message, fields, location, text
            FROM unnest(\(logs.map(\.seq))::bigint[], \(logs.map(\.at.milliseconds))::bigint[], \(logs.map(\.kind))::text[],
                        \(logs.map { $0.level != nil })::boolean[], \(logs.map { $0.level ?? "" })::text[],
                        \(logs.map(\.message))::text[], \(logs.map(\.fields))::text[], \(logs.map(\.location))::text[],
                        \(logs.map(\.text))::text[])
                AS l (seq, at, kind, has_level, level, message, fields, location, text)
            """, logger: logger)
        return id
    }

    static let runColumns = """
        id, job_id, script, version, handler, trigger, credential, attempt, worker, started_at, ended_at, outcome,
        limit_kind, error, traceback, api_calls, budget_wait_ms, input, logs_dropped
        """

    /// A run from a row of ``runColumns``.
    static func runRow(_ row: PostgresRow) throws -> RunRow {
        let r = row.makeRandomAccess()
        return RunRow(
            id: try r["id"].decode(Int64.self), jobID: try r["job_id"].decode(Int64?.self),
            script: try r["script"].decode(String.self), version: try r["version"].decode(String.self),
            handler: try r["handler"].decode(String.self), trigger: try r["trigger"].decode(String.self),
            credential: try r["credential"].decode(String?.self), attempt: try r["attempt"].decode(Int.self),
            worker: try r["worker"].decode(String.self),
            startedAt: Date(milliseconds: try r["started_at"].decode(Int64.self)),
            endedAt: Date(milliseconds: try r["ended_at"].decode(Int64.self)),
            outcome: try r["outcome"].decode(String.self), limitKind: try r["limit_kind"].decode(String?.self),
            error: try r["error"].decode(String?.self), traceback: try r["traceback"].decode(String?.self),
            apiCalls: try r["api_calls"].decode(Int.self),
            budgetWait: .milliseconds(try r["budget_wait_ms"].decode(Int64.self)),
            input: try r["input"].decode(String.self), logsDropped: try r["logs_dropped"].decode(Int.self))
    }
}
