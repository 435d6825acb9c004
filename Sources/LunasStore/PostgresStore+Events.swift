import Foundation
import Logging
import PostgresNIO

// Webhook events on PostgreSQL.
extension PostgresStore {
    public func recordEvents(_ events: [WebhookEventIntake]) async throws -> [Bool] {
        guard !events.isEmpty else { return [] }
        for event in events { try event.jobs.forEach { try $0.check() } }
        let logger = logger, fixedNow = fixedNow
        return try await transaction { connection in
            var results: [Bool] = []
            for event in events {
                let stored = try await connection.query("""
                    INSERT INTO lunas_webhook_events (source, event_id, event, payload, received_at)
                    VALUES (\(event.source), \(event.eventID), \(event.event), \(event.payload), lunas_now_ms(\(fixedNow)))
                    ON CONFLICT (source, event_id) DO NOTHING
                    RETURNING 1
                    """, logger: logger).collect()
                if !stored.isEmpty { _ = try await Self.insert(event.jobs, connection, logger: logger, fixedNow: fixedNow) }
                results.append(!stored.isEmpty)
            }
            return results
        }
    }
}
