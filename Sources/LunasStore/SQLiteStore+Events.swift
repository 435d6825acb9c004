import Foundation
import GRDB

// Webhook events on SQLite.
extension SQLiteStore {
    public func recordEvents(_ events: [WebhookEventIntake]) async throws -> [Bool] {
        guard !events.isEmpty else { return [] }
        for event in events { try event.jobs.forEach { try $0.check() } }
        return try await pool.write { db in
            let now = self.now()
            let insert = try db.cachedStatement(sql: """
                INSERT INTO lunas_webhook_events (source, event_id, event, payload, received_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (source, event_id) DO NOTHING
                """)
            return try events.map { event in
                try insert.execute(arguments: [event.source, event.eventID, event.event, event.payload, now])
                guard db.changesCount > 0 else { return false }
                _ = try Self.insert(event.jobs, db, now: now)
                return true
            }
        }
    }
}
