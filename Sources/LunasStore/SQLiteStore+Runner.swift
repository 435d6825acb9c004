import Foundation
import GRDB
import RateBudget

// The vault's rows, the rate ledger and the job queue on SQLite. Each is one IMMEDIATE
// transaction, which serialises it against every other writer of the file.
extension SQLiteStore {
    public func loadCredential(_ name: String) async throws -> SealedCredential? {
        try await pool.read { db in
            try Row.fetchOne(try db.cachedStatement(sql: "SELECT sealed, version FROM lunas_credentials WHERE name = ?"), arguments: [name])
                .map { SealedCredential(name: name, sealed: $0[0], version: $0[1]) }
        }
    }

    @discardableResult
    public func saveCredential(_ name: String, sealed: String, fence: KVLock?) async throws -> Int64 {
        try KVNames.checkKey(name)
        return try await pool.write { db in
            let now = self.now()
            try Self.checkFence(fence, db, now: now)
            let version = try Self.nextVersion(db)
            try db.cachedStatement(sql: """
                INSERT INTO lunas_credentials (name, sealed, version, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET sealed = excluded.sealed, version = excluded.version, updated_at = excluded.updated_at
                """).execute(arguments: [name, sealed, version, now])
            return version
        }
    }

    public func deleteCredential(_ name: String) async throws -> Bool {
        try await pool.write { db in
            try db.cachedStatement(sql: "DELETE FROM lunas_credentials WHERE name = ?").execute(arguments: [name])
            return db.changesCount > 0
        }
    }

    public func reserve(_ request: SlotRequest) async throws -> SlotGrant {
        try request.check()
        return try await pool.write { db in
            let now = self.now()
            for at in RateLedgerRules.released(request) {
                try db.cachedStatement(sql: """
                    DELETE FROM lunas_rate_slots WHERE id = (SELECT id FROM lunas_rate_slots WHERE credential = ? AND at = ? LIMIT 1)
                    """).execute(arguments: [request.credential, at])
            }
            for at in RateLedgerRules.recorded(request, now: now) {
                try db.cachedStatement(sql: "INSERT INTO lunas_rate_slots (credential, at) VALUES (?, ?)").execute(arguments: [request.credential, at])
            }
            let (start, latest, lookBack) = RateLedgerRules.bounds(request, now: now)
            let existing = try Int64.fetchAll(try db.cachedStatement(sql: "SELECT at FROM lunas_rate_slots WHERE credential = ? AND at > ? ORDER BY at"),
                                              arguments: [request.credential, lookBack])
            var planner = SlotPlanner(slots: existing, windows: request.windows)
            let granted = planner.place(count: request.count, start: start, latest: latest)
            for at in granted {
                try db.cachedStatement(sql: "INSERT INTO lunas_rate_slots (credential, at) VALUES (?, ?)").execute(arguments: [request.credential, at])
            }
            try db.cachedStatement(sql: "DELETE FROM lunas_rate_slots WHERE credential = ? AND at <= ?").execute(
                           arguments: [request.credential, now - RateLedgerRules.retention])
            return RateLedgerRules.grant(request, now: now, planner: planner, granted: granted)
        }
    }

    public func enqueue(_ job: JobRequest) async throws -> Int64? {
        try await pool.write { db in
            let now = self.now()
            try db.cachedStatement(sql: """
                INSERT INTO lunas_jobs (queue, payload, run_at, unique_key, created_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL DO NOTHING
                """).execute(arguments: [job.queue, job.payload, job.runAt.map(\.milliseconds) ?? now, job.uniqueKey, now])
            return db.changesCount > 0 ? db.lastInsertedRowID : nil
        }
    }

    public func claimJob(queue: String, lease: Duration, worker: String) async throws -> ClaimedJob? {
        guard let ms = try KVNames.checkTTL(lease) else { return nil }
        return try await pool.write { db in
            let now = self.now()
            guard let id = try Int64.fetchOne(try db.cachedStatement(sql: """
                SELECT id FROM lunas_jobs
                WHERE queue = ? AND ((state = 'ready' AND run_at <= ?) OR (state = 'running' AND lease_expires_at <= ?))
                ORDER BY run_at, id LIMIT 1
                """), arguments: [queue, now, now]) else { return nil }
            let token = try Self.nextVersion(db)
            guard let row = try Row.fetchOne(try db.cachedStatement(sql: """
                UPDATE lunas_jobs SET state = 'running', attempts = attempts + 1, lease_token = ?, lease_expires_at = ?, worker = ?
                WHERE id = ? RETURNING payload, attempts
                """), arguments: [token, now + ms, worker, id]) else { return nil }
            return ClaimedJob(id: id, queue: queue, payload: row[0], attempts: row[1], leaseToken: token, leaseExpiresAt: Date(milliseconds: now + ms))
        }
    }

    public func extendLease(_ job: ClaimedJob, by lease: Duration) async throws -> ClaimedJob? {
        guard let ms = try KVNames.checkTTL(lease) else { return nil }
        return try await pool.write { db in
            let now = self.now()
            try db.cachedStatement(sql: """
                UPDATE lunas_jobs SET lease_expires_at = ?
                WHERE id = ? AND state = 'running' AND lease_token = ? AND lease_expires_at > ?
                """).execute(arguments: [now + ms, job.id, job.leaseToken, now])
            guard db.changesCount > 0 else { return nil }
            var extended = job
            extended.leaseExpiresAt = Date(milliseconds: now + ms)
            return extended
        }
    }

    public func completeJob(_ job: ClaimedJob, error: String?) async throws -> Bool {
        try await pool.write { db in
            try db.cachedStatement(sql: """
                UPDATE lunas_jobs SET state = ?, error = ?, finished_at = ?, lease_token = NULL, lease_expires_at = NULL
                WHERE id = ? AND state = 'running' AND lease_token = ?
                """).execute(arguments: [error == nil ? "done" : "failed", error, self.now(), job.id, job.leaseToken])
            return db.changesCount > 0
        }
    }
}

extension Date {
    /// Milliseconds since 1970.
    var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }
}
