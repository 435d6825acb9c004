import Foundation
import PostgresNIO
import RateBudget

// The vault's rows and the rate ledger on PostgreSQL (the runner's tables: PostgresStore+Jobs.swift and beside it).
extension PostgresStore {
    public func loadCredential(_ name: String) async throws -> SealedCredential? {
        let rows = try await rows("SELECT sealed, version FROM lunas_credentials WHERE name = \(name)")
        guard let row = rows.first else { return nil }
        let (sealed, version) = try row.decode((String, Int64).self)
        return SealedCredential(name: name, sealed: sealed, version: version)
    }

    @discardableResult
    public func saveCredential(_ name: String, sealed: String, fence: KVLock?) async throws -> Int64 {
        try KVNames.checkKey(name)
        return try await write("""
            INSERT INTO lunas_credentials (name, sealed, version) VALUES (\(name), \(sealed), nextval('lunas_version_seq'))
            ON CONFLICT (name) DO UPDATE SET sealed = EXCLUDED.sealed, version = nextval('lunas_version_seq'), updated_at = now()
            RETURNING version
            """, fences: KVFence.list(fence)) ?? 0
    }

    public func deleteCredential(_ name: String) async throws -> Bool {
        try await !rows("DELETE FROM lunas_credentials WHERE name = \(name) RETURNING 1").isEmpty
    }

    public func reserve(_ request: SlotRequest) async throws -> SlotGrant {
        try request.check()
        let logger = self.logger
        let released = RateLedgerRules.released(request)
        return try await transaction { connection in
            // One credential's reservations are serialised by a transaction-scoped advisory lock.
            let key = "lunas.rate:" + request.credential
            try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\(key), 0))::text", logger: logger)
            if !released.isEmpty {
                // One row per released time (a time may have been granted several times).
                try await connection.query("""
                    DELETE FROM lunas_rate_slots WHERE id IN (
                        SELECT id FROM (SELECT id, at, row_number() OVER (PARTITION BY at ORDER BY id) AS n
                                        FROM lunas_rate_slots WHERE credential = \(request.credential) AND at = ANY(\(released)::bigint[])) AS s
                        JOIN (SELECT at, count(*) AS k FROM unnest(\(released)::bigint[]) AS r(at) GROUP BY at) AS r USING (at)
                        WHERE s.n <= r.k)
                    """, logger: logger)
            }
            // The time after the lock was granted (now() would be the transaction's start).
            let nowRows = try await connection.query(
                "SELECT coalesce(\(fixedNow)::bigint, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)", logger: logger).collect()
            guard let now = try nowRows.first?.decode(Int64.self) else { return SlotGrant(times: [], now: options.clock.now()) }
            let recorded = RateLedgerRules.recorded(request, now: now)
            if !recorded.isEmpty {
                try await connection.query("""
                    INSERT INTO lunas_rate_slots (credential, at) SELECT \(request.credential), unnest(\(recorded)::bigint[])
                    """, logger: logger)
            }
            let (start, latest, lookBack) = RateLedgerRules.bounds(request, now: now)
            let existing = try await connection.query("""
                SELECT at FROM lunas_rate_slots WHERE credential = \(request.credential) AND at > \(lookBack) ORDER BY at
                """, logger: logger).collect().map { try $0.decode(Int64.self) }
            var planner = SlotPlanner(slots: existing, windows: request.windows)
            let granted = planner.place(count: request.count, start: start, latest: latest)
            if !granted.isEmpty {
                try await connection.query("""
                    INSERT INTO lunas_rate_slots (credential, at) SELECT \(request.credential), unnest(\(granted)::bigint[])
                    """, logger: logger)
            }
            try await connection.query("""
                DELETE FROM lunas_rate_slots WHERE credential = \(request.credential) AND at <= \(now - RateLedgerRules.retention)
                """, logger: logger)
            return RateLedgerRules.grant(request, now: now, planner: planner, granted: granted)
        }
    }
}
