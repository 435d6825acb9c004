import Foundation
import Logging
import PostgresNIO

// Schedules and their slots on PostgreSQL. The slot's compare-and-set is one conditioned UPDATE:
// a second runner's waits on the row lock, then finds the slot moved and changes nothing.
extension PostgresStore {
    public func saveSchedules(_ schedules: [ScheduleDefinition]) async throws {
        guard !schedules.isEmpty else { return }
        _ = try await rows("""
            INSERT INTO lunas_schedules AS s (name, script, kind, spec, zone, updated_at)
            SELECT name, script, kind, spec, zone, lunas_now_ms(\(fixedNow))
            FROM unnest(\(schedules.map(\.name))::text[], \(schedules.map(\.script))::text[], \(schedules.map(\.kind))::text[],
                        \(schedules.map(\.spec))::text[], \(schedules.map(\.zone))::text[]) AS d (name, script, kind, spec, zone)
            ON CONFLICT (name) DO UPDATE SET script = EXCLUDED.script, kind = EXCLUDED.kind, spec = EXCLUDED.spec,
                zone = EXCLUDED.zone, updated_at = EXCLUDED.updated_at
            WHERE (s.script, s.kind, s.spec, s.zone) IS DISTINCT FROM (EXCLUDED.script, EXCLUDED.kind, EXCLUDED.spec, EXCLUDED.zone)
            """)
    }

    public func schedules() async throws -> [ScheduleRow] {
        try await rows("""
            SELECT name, script, kind, spec, zone, last_slot, paused, missed, overlap_skipped, last_outcome, last_run_id, updated_at
            FROM lunas_schedules ORDER BY name
            """).map { row in
            let r = row.makeRandomAccess()
            return ScheduleRow(
                name: try r["name"].decode(String.self), script: try r["script"].decode(String.self),
                kind: try r["kind"].decode(String.self), spec: try r["spec"].decode(String.self),
                zone: try r["zone"].decode(String.self),
                lastSlot: try r["last_slot"].decode(Int64?.self).map(Date.init(milliseconds:)),
                paused: try r["paused"].decode(Bool.self), missed: try r["missed"].decode(Int.self),
                overlapSkipped: try r["overlap_skipped"].decode(Int.self),
                lastOutcome: try r["last_outcome"].decode(String?.self), lastRunID: try r["last_run_id"].decode(Int64?.self),
                updatedAt: Date(milliseconds: try r["updated_at"].decode(Int64.self)))
        }
    }

    public func setSchedulePaused(_ name: String, paused: Bool) async throws -> Bool {
        try await !rows("""
            UPDATE lunas_schedules SET paused = \(paused), updated_at = lunas_now_ms(\(fixedNow)) WHERE name = \(name) RETURNING 1
            """).isEmpty
    }

    public func advanceSchedule(_ name: String, from: Date?, to: Date, missed: Int, jobs: [JobRequest]) async throws -> Bool {
        try jobs.forEach { try $0.check() }
        let logger = logger, fixedNow = fixedNow
        return try await transaction { connection in
            let moved = try await connection.query("""
                UPDATE lunas_schedules SET last_slot = \(to.milliseconds), missed = missed + \(missed),
                    updated_at = lunas_now_ms(\(fixedNow))
                WHERE name = \(name) AND last_slot IS NOT DISTINCT FROM \(from?.milliseconds)::bigint
                RETURNING 1
                """, logger: logger).collect()
            guard !moved.isEmpty else { return false }
            _ = try await Self.insert(jobs, connection, logger: logger, fixedNow: fixedNow)
            return true
        }
    }

    public func noteScheduleRun(_ name: String, outcome: String, runID: Int64?) async throws {
        _ = try await rows("""
            UPDATE lunas_schedules SET last_outcome = \(outcome), last_run_id = \(runID), updated_at = lunas_now_ms(\(fixedNow))
            WHERE name = \(name)
            """)
    }

    public func noteScheduleOverlapSkipped(_ name: String) async throws {
        _ = try await rows("""
            UPDATE lunas_schedules SET overlap_skipped = overlap_skipped + 1, updated_at = lunas_now_ms(\(fixedNow)) WHERE name = \(name)
            """)
    }
}
