import Foundation
import GRDB
import RateBudget

// The vault's rows and the rate ledger on SQLite (the runner's tables are in SQLiteStore+Jobs.swift
// and beside it). Each is one IMMEDIATE transaction, which serialises it against every other writer
// of the file.
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
}

extension Date {
    /// Milliseconds since 1970.
    var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }
}
