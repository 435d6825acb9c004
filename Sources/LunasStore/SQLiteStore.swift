import Foundation
import LunasClock
import GRDB
import Synchronization

/// The embedded store: one SQLite file in WAL mode, shared safely by several processes on one
/// machine (writes are `IMMEDIATE` transactions; a busy timeout waits for the other writers).
///
/// Durability: `synchronous=FULL` by default, so a write that returned is on disk.
public final class SQLiteStore: Store {
    /// Where this store lives.
    public let location: StoreLocation
    let pool: DatabasePool
    /// The connection every key-value write goes through (see SQLiteStore+KV.swift): its busy
    /// timeout is 0, so a write never waits inside SQLite; the async path retries instead. Its
    /// own triggers check the ``StoreOptions/kvQuota``.
    let kvWriter: DatabaseQueue
    /// How many key-value writes are using or waiting for `kvWriter` (the immediate path runs
    /// only when none is, so it never blocks behind another).
    let kvWriterUsers = Atomic<Int>(0)
    let options: StoreOptions
    private let purger = Mutex<Task<Void, Never>?>(nil)

    /// Opens (creating if needed) the file at `path` and applies pending migrations.
    public init(path: String, options: StoreOptions = StoreOptions()) async throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(TimeInterval(options.busyTimeout.wholeMillisecondsRoundedUp) / 1000)
        configuration.label = "lunas.store"
        let synchronous = options.synchronous.rawValue
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try await pool.writeWithoutTransaction { db in
            // GRDB sets synchronous=NORMAL on a pool's writer when it turns WAL on, after
            // prepareDatabase has run: set the configured mode again, or commits would not be fsynced.
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            try SQLiteSchema.migrate(db, now: options.clock.nowMilliseconds())
        }
        var writerConfiguration = configuration
        writerConfiguration.label = "lunas.store.kv"
        writerConfiguration.busyMode = .immediateError
        let quotaTriggers = SQLiteSchema.quotaTriggers(options.kvQuota)
        writerConfiguration.prepareDatabase { db in try db.execute(sql: quotaTriggers) }
        self.kvWriter = try DatabaseQueue(path: path, configuration: writerConfiguration)
        self.pool = pool
        self.location = .sqlite(path: path)
        self.options = options
        startPurging()
    }

    deinit { purger.withLock { $0?.cancel() } }

    public func schemaVersion() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT max(version) FROM lunas_migrations") ?? 0 }
    }

    public func checkIntegrity() async throws -> [String] {
        try await pool.read { db in
            var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            let counter = try Int64.fetchOne(db, sql: "SELECT value FROM lunas_counter WHERE name = 'version'") ?? 0
            let newest = try Int64.fetchOne(db, sql: "SELECT max(version) FROM lunas_kv") ?? 0
            if newest > counter { problems.append("a key has version \(newest), ahead of the version counter \(counter)") }
            problems += try String.fetchAll(db, sql: """
                SELECT ns FROM (
                    SELECT ns, sum(keys) AS keys, sum(bytes) AS bytes FROM (
                        SELECT ns, 1 AS keys, length(CAST(key AS BLOB)) + length(CAST(value AS BLOB)) AS bytes FROM lunas_kv
                        UNION ALL SELECT ns, 1, length(CAST(name AS BLOB)) FROM lunas_kv_locks
                        UNION ALL SELECT ns, -keys, -bytes FROM lunas_kv_usage)
                    GROUP BY ns)
                WHERE keys <> 0 OR bytes <> 0 ORDER BY ns LIMIT 10
                """).map(KVUsage.mismatch)
            return problems
        }
    }

    public func close() async {
        purger.withLock { $0?.cancel() }
        try? kvWriter.close()
        try? pool.close()
    }

    private func startPurging() {
        guard let interval = options.purgeInterval else { return }
        let task = ExpiryPurge.start(every: interval, clock: options.clock) { [weak self] in
            guard let self else { return false }
            _ = try? await self.purgeExpired()
            return true
        }
        purger.withLock { $0 = task }
    }

    /// Milliseconds since 1970 by the store's clock.
    func now() -> Int64 { options.clock.nowMilliseconds() }

    /// The next store-wide version: one counter row bumped inside the write transaction.
    static func nextVersion(_ db: Database) throws -> Int64 {
        guard let version = try Int64.fetchOne(db.cachedStatement(sql: "UPDATE lunas_counter SET value = value + 1 WHERE name = 'version' RETURNING value")) else {
            throw StoreError.invalidArgument("the lunas_counter table is missing its version row: the database is damaged")
        }
        return version
    }

    /// Throws unless `fence` is still the live holder of its lock.
    static func checkFence(_ fence: KVLock?, _ db: Database, now: Int64) throws {
        try checkFences(KVFence.list(fence), db, now: now)
    }

    /// Throws unless every one of `fences` still holds: each lock's token is its live holder's,
    /// each job is `running` under that lease token with its lease not lapsed. Inside the write's
    /// transaction, which holds the file's write lock, so none can change before the commit.
    static func checkFences(_ fences: [KVFence], _ db: Database, now: Int64) throws {
        for fence in fences {
            switch fence {
            case .lock(let lock):
                let held = try Bool.fetchOne(try db.cachedStatement(sql: """
                    SELECT 1 FROM lunas_kv_locks WHERE ns = ? AND name = ? AND token = ? AND expires_at > ?
                    """), arguments: [lock.namespace, lock.name, lock.token, now]) ?? false
                if !held { throw StoreError.staleFence(lock: lock.name, token: lock.token) }
            case .job(let id, let leaseToken):
                let held = try Bool.fetchOne(try db.cachedStatement(sql: """
                    SELECT 1 FROM lunas_jobs WHERE id = ? AND state = 'running' AND lease_token = ? AND lease_expires_at > ?
                    """), arguments: [id, leaseToken, now]) ?? false
                if !held { throw StoreError.lostJobLease(job: id, leaseToken: leaseToken) }
            }
        }
    }
}

extension Date {
    init(milliseconds: Int64) { self.init(timeIntervalSince1970: TimeInterval(milliseconds) / 1000) }
}
