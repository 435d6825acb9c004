import Foundation
import GRDB

// Schedules and their slots on SQLite.
extension SQLiteStore {
    public func saveSchedules(_ schedules: [ScheduleDefinition]) async throws {
        guard !schedules.isEmpty else { return }
        try await pool.write { db in
            let now = self.now()
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO lunas_schedules (name, script, kind, spec, zone, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET script = excluded.script, kind = excluded.kind, spec = excluded.spec,
                    zone = excluded.zone, updated_at = excluded.updated_at
                WHERE (script, kind, spec, zone) IS NOT (excluded.script, excluded.kind, excluded.spec, excluded.zone)
                """)
            for schedule in schedules {
                try upsert.execute(arguments: [schedule.name, schedule.script, schedule.kind, schedule.spec, schedule.zone, now])
            }
        }
    }

    public func schedules() async throws -> [ScheduleRow] {
        try await pool.read { db in
            try Row.fetchAll(try db.cachedStatement(sql: """
                SELECT name, script, kind, spec, zone, last_slot, paused, missed, overlap_skipped, last_outcome, last_run_id, updated_at
                FROM lunas_schedules ORDER BY name
                """)).map { row in
                ScheduleRow(
                    name: row[0], script: row[1], kind: row[2], spec: row[3], zone: row[4],
                    lastSlot: (row[5] as Int64?).map(Date.init(milliseconds:)), paused: row[6], missed: row[7],
                    overlapSkipped: row[8], lastOutcome: row[9], lastRunID: row[10], updatedAt: Date(milliseconds: row[11]))
            }
        }
    }

    public func setSchedulePaused(_ name: String, paused: Bool) async throws -> Bool {
        try await pool.write { db in
            try db.cachedStatement(sql: "UPDATE lunas_schedules SET paused = ?, updated_at = ? WHERE name = ?")
                .execute(arguments: [paused, self.now(), name])
            return db.changesCount > 0
        }
    }

    public func advanceSchedule(_ name: String, from: Date?, to: Date, missed: Int, jobs: [JobRequest]) async throws -> Bool {
        try jobs.forEach { try $0.check() }
        return try await pool.write { db in
            let now = self.now()
            try db.cachedStatement(sql: """
                UPDATE lunas_schedules SET last_slot = ?, missed = missed + ?, updated_at = ? WHERE name = ? AND last_slot IS ?
                """).execute(arguments: [to.milliseconds, missed, now, name, from?.milliseconds])
            guard db.changesCount > 0 else { return false }
            _ = try Self.insert(jobs, db, now: now)
            return true
        }
    }

    public func noteScheduleRun(_ name: String, outcome: String, runID: Int64?) async throws {
        try await pool.write { db in
            try db.cachedStatement(sql: "UPDATE lunas_schedules SET last_outcome = ?, last_run_id = ?, updated_at = ? WHERE name = ?")
                .execute(arguments: [outcome, runID, self.now(), name])
        }
    }

    public func noteScheduleOverlapSkipped(_ name: String) async throws {
        try await pool.write { db in
            try db.cachedStatement(sql: "UPDATE lunas_schedules SET overlap_skipped = overlap_skipped + 1, updated_at = ? WHERE name = ?")
                .execute(arguments: [self.now(), name])
        }
    }
}
