import Foundation
import GRDB
import LunasClock
import Synchronization

extension SQLiteStore {
    private static let visible = "(expires_at IS NULL OR expires_at > ?)"
    private static let upsert = """
        INSERT INTO lunas_kv (ns, key, value, version, expires_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (ns, key) DO UPDATE SET
            value = excluded.value, version = excluded.version, expires_at = excluded.expires_at
        """

    // MARK: - Where key-value work runs
    //
    // Reads use the pool's readers. Writes all go through `kvWriter`, a connection of their own
    // whose busy timeout is 0: SQLite never waits inside a write. The async path waits instead,
    // between attempts, with a cancellable sleep (for up to the busy timeout, as before); the
    // immediate path (`...Now`, for the Lua `kv` module on its own threads) runs only when no
    // other key-value write is using or waiting for the writer, and gives up (`.wouldWait`)
    // when another connection or process holds the write lock. So an immediate call blocks its
    // thread for one local transaction at most, never for a lock.

    /// A write transaction (IMMEDIATE) on the key-value writer, retried while another connection
    /// holds the write lock, for up to the busy timeout.
    func kvWrite<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let clock = options.clock
        let deadline = clock.instant() + options.busyTimeout
        var pause = Duration.milliseconds(1)
        while true {
            do {
                kvWriterUsers.add(1, ordering: .acquiringAndReleasing)
                defer { kvWriterUsers.subtract(1, ordering: .acquiringAndReleasing) }
                return try await kvWriter.write(body)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                let now = clock.instant()
                guard now < deadline else { throw error }
                try await clock.sleep(for: min(pause, deadline - now))
                pause = min(pause * 2, .milliseconds(100))
            }
        }
    }

    /// The write at once on this thread, or `.wouldWait` when another key-value write is using
    /// the writer or another connection holds the write lock (then nothing was written).
    func kvWriteNow<T>(_ body: (Database) throws -> T) throws -> KVImmediate<T> {
        guard kvWriterUsers.compareExchange(expected: 0, desired: 1, ordering: .acquiringAndReleasing).exchanged else {
            return .wouldWait
        }
        defer { kvWriterUsers.subtract(1, ordering: .acquiringAndReleasing) }
        do {
            return .done(try kvWriter.write(body))
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            return .wouldWait
        }
    }

    /// The read at once on this thread (a WAL reader never waits for writers).
    func kvReadNow<T>(_ body: (Database) throws -> T) throws -> KVImmediate<T> {
        do {
            return .done(try pool.read(body))
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            return .wouldWait
        }
    }

    // MARK: - The operations, each one transaction body shared by both paths

    /// One write of a key, inside the write transaction: the fences checked, the next store-wide
    /// version taken and the quota kept; `body` gets the time (ms), the version and the expiry.
    private func versionedWrite<T>(
        _ db: Database, _ namespace: String, _ fences: [KVFence], _ ttl: Int64?,
        _ body: (Database, _ now: Int64, _ version: Int64, _ expiresAt: Int64?) throws -> T
    ) throws -> T {
        let now = self.now()
        try Self.checkFences(fences, db, now: now)
        let version = try Self.nextVersion(db), expiresAt = try ttl.map { try KVNames.expiry(now, plus: $0) }
        return try withinQuota(db, namespace, now: now) { try body(db, now, version, expiresAt) }
    }

    /// `body`, inside the write transaction; when the quota's triggers abort it, the namespace's
    /// expired keys and locks (which the counts still include) are purged and `body` runs once
    /// more, and if that too would pass the quota, the quota is the error (the transaction then
    /// rolls back, so nothing was written).
    private func withinQuota<T>(_ db: Database, _ namespace: String, now: Int64, _ body: () throws -> T) throws -> T {
        func limit(_ error: DatabaseError) -> KVQuota.Limit? {
            guard error.resultCode == .SQLITE_CONSTRAINT else { return nil }
            return [KVQuota.Limit.keys, .bytes].first { error.message == SQLiteSchema.quotaMessage($0) }
        }
        do {
            return try body()
        } catch let error as DatabaseError {
            guard var exceeded = limit(error) else { throw error }
            if try purgeExpired(db, in: namespace, now: now) > 0 {
                do {
                    return try body()
                } catch let again as DatabaseError {
                    guard let limit = limit(again) else { throw again }
                    exceeded = limit
                }
            }
            throw options.kvQuota.exceeded(exceeded, in: namespace)
        }
    }

    /// Deletes the expired keys and lapsed locks of one namespace; returns how many rows went.
    private func purgeExpired(_ db: Database, in namespace: String, now: Int64) throws -> Int {
        try db.cachedStatement(sql: "DELETE FROM lunas_kv WHERE ns = ? AND expires_at IS NOT NULL AND expires_at <= ?")
            .execute(arguments: [namespace, now])
        let keys = db.changesCount
        try db.cachedStatement(sql: "DELETE FROM lunas_kv_locks WHERE ns = ? AND expires_at <= ?").execute(arguments: [namespace, now])
        return keys + db.changesCount
    }

    private func getBody(_ db: Database, _ key: String, _ namespace: String) throws -> KVEntry? {
        guard let row = try Row.fetchOne(try db.cachedStatement(sql: """
            SELECT value, version, expires_at FROM lunas_kv WHERE ns = ? AND key = ? AND \(Self.visible)
            """), arguments: [namespace, key, self.now()]) else { return nil }
        let expires: Int64? = row[2]
        return KVEntry(value: row[0], version: row[1], expiresAt: expires.map { Date(milliseconds: $0) })
    }

    private func setBody(_ db: Database, _ key: String, _ value: String, _ namespace: String, _ fences: [KVFence], _ ttl: Int64?) throws -> Int64 {
        try self.versionedWrite(db, namespace, fences, ttl) { db, _, version, expiresAt in
            try db.cachedStatement(sql: Self.upsert).execute(arguments: [namespace, key, value, version, expiresAt])
            return version
        }
    }

    private func addBody(_ db: Database, _ key: String, _ value: String, _ namespace: String, _ fences: [KVFence], _ ttl: Int64?) throws -> Int64? {
        try self.versionedWrite(db, namespace, fences, ttl) { db, now, version, expiresAt in
            try db.cachedStatement(sql: Self.upsert + " WHERE lunas_kv.expires_at IS NOT NULL AND lunas_kv.expires_at <= ?")
                .execute(arguments: [namespace, key, value, version, expiresAt, now])
            return db.changesCount > 0 ? version : nil
        }
    }

    private func replaceBody(_ db: Database, _ key: String, _ value: String, _ namespace: String, _ fences: [KVFence], _ ttl: Int64?) throws -> Int64? {
        try self.versionedWrite(db, namespace, fences, ttl) { db, now, version, expiresAt in
            try db.cachedStatement(sql: """
                UPDATE lunas_kv SET value = ?, version = ?, expires_at = ? WHERE ns = ? AND key = ? AND \(Self.visible)
                """).execute(arguments: [value, version, expiresAt, namespace, key, now])
            return db.changesCount > 0 ? version : nil
        }
    }

    private func deleteBody(_ db: Database, _ key: String, _ namespace: String, _ fences: [KVFence]) throws -> Bool {
        let now = self.now()
        try Self.checkFences(fences, db, now: now)
        guard let row = try Row.fetchOne(try db.cachedStatement(sql: "DELETE FROM lunas_kv WHERE ns = ? AND key = ? RETURNING expires_at"),
                                         arguments: [namespace, key]) else { return false }
        let expires: Int64? = row[0]
        return expires.map { $0 > now } ?? true
    }

    private func incrementBody(_ db: Database, _ key: String, _ delta: Int64, _ initial: Int64, _ namespace: String, _ fences: [KVFence], _ ttl: Int64?) throws -> Int64 {
        try self.versionedWrite(db, namespace, fences, ttl) { db, now, version, expiresAt in
            if let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT value FROM lunas_kv WHERE ns = ? AND key = ? AND \(Self.visible)"),
                                          arguments: [namespace, key, now]) {
                let text: String = row[0]
                guard let current = Int64(text) else { throw StoreError.notAnInteger(key: key) }
                let (next, overflow) = current.addingReportingOverflow(delta)
                if overflow { throw StoreError.integerOverflow(key: key) }
                try db.cachedStatement(sql: "UPDATE lunas_kv SET value = ?, version = ? WHERE ns = ? AND key = ?").execute(
                               arguments: [String(next), version, namespace, key])
                return next
            }
            let (next, overflow) = initial.addingReportingOverflow(delta)
            if overflow { throw StoreError.integerOverflow(key: key) }
            try db.cachedStatement(sql: Self.upsert).execute(arguments: [namespace, key, String(next), version, expiresAt])
            return next
        }
    }

    private func swapBody(_ db: Database, _ key: String, _ expected: Int64, _ value: String, _ namespace: String, _ fences: [KVFence], _ ttl: Int64?) throws -> Int64? {
        try self.versionedWrite(db, namespace, fences, ttl) { db, now, version, expiresAt in
            try db.cachedStatement(sql: """
                UPDATE lunas_kv SET value = ?, version = ?, expires_at = ?
                WHERE ns = ? AND key = ? AND version = ? AND \(Self.visible)
                """).execute(arguments: [value, version, expiresAt, namespace, key, expected, now])
            return db.changesCount > 0 ? version : nil
        }
    }

    private func keysBody(_ db: Database, _ namespace: String, _ prefix: String, _ limit: Int, _ after: String) throws -> KVPage {
        let keys = try String.fetchAll(try db.cachedStatement(sql: """
            SELECT key FROM lunas_kv
            WHERE ns = ? AND key >= ? AND substr(key, 1, length(?)) = ? AND key > ? AND \(Self.visible)
            ORDER BY key LIMIT ?
            """), arguments: [namespace, prefix, prefix, prefix, after, self.now(), limit + 1])
        return KVPage(keys: Array(keys.prefix(limit)), cursor: keys.count > limit ? keys[limit - 1] : nil)
            .withEncodedCursor()
    }

    private func timeToLiveBody(_ db: Database, _ key: String, _ namespace: String) throws -> KVTimeToLive {
        let now = self.now()
        guard let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT expires_at FROM lunas_kv WHERE ns = ? AND key = ? AND \(Self.visible)"),
                                         arguments: [namespace, key, now]) else { return .absent }
        let expires: Int64? = row[0]
        return expires.map { .remaining(.milliseconds($0 - now)) } ?? .persistent
    }

    // MARK: - KeyValueStore

    public func get(_ key: String, in namespace: String) async throws -> KVEntry? {
        try KVNames.checkKey(key)
        return try await pool.read { db in try self.getBody(db, key, namespace) }
    }

    @discardableResult
    public func set(_ key: String, to value: String, in namespace: String, options: KVWriteOptions) async throws -> Int64 {
        let ttl = try checkWrite(key, value, namespace, options)
        return try await kvWrite { db in try self.setBody(db, key, value, namespace, options.fences, ttl) }
    }

    public func add(_ key: String, value: String, in namespace: String, options: KVWriteOptions) async throws -> Int64? {
        let ttl = try checkWrite(key, value, namespace, options)
        return try await kvWrite { db in try self.addBody(db, key, value, namespace, options.fences, ttl) }
    }

    public func replace(_ key: String, with value: String, in namespace: String, options: KVWriteOptions) async throws -> Int64? {
        let ttl = try checkWrite(key, value, namespace, options)
        return try await kvWrite { db in try self.replaceBody(db, key, value, namespace, options.fences, ttl) }
    }

    public func delete(_ key: String, in namespace: String, fences: [KVFence]) async throws -> Bool {
        try KVNames.checkKey(key)
        try KVNames.checkNamespace(namespace)
        return try await kvWrite { db in try self.deleteBody(db, key, namespace, fences) }
    }

    public func increment(_ key: String, by delta: Int64, initial: Int64, in namespace: String, options: KVWriteOptions) async throws -> Int64 {
        let ttl = try checkWrite(key, "0", namespace, options)
        return try await kvWrite { db in try self.incrementBody(db, key, delta, initial, namespace, options.fences, ttl) }
    }

    public func compareAndSwap(_ key: String, version expected: Int64?, to value: String, in namespace: String, options: KVWriteOptions) async throws -> Int64? {
        guard let expected else { return try await add(key, value: value, in: namespace, options: options) }
        let ttl = try checkWrite(key, value, namespace, options)
        return try await kvWrite { db in try self.swapBody(db, key, expected, value, namespace, options.fences, ttl) }
    }

    public func keys(in namespace: String, prefix: String, limit: Int, cursor: String?) async throws -> KVPage {
        try KVNames.checkNamespace(namespace)
        try KVNames.checkLimit(limit)
        let after = try KVCursor.decode(cursor)
        return try await pool.read { db in try self.keysBody(db, namespace, prefix, limit, after) }
    }

    public func timeToLive(_ key: String, in namespace: String) async throws -> KVTimeToLive {
        try KVNames.checkKey(key)
        return try await pool.read { db in try self.timeToLiveBody(db, key, namespace) }
    }

    public func acquireLock(_ name: String, in namespace: String, ttl: Duration, owner: String, fences: [KVFence]) async throws -> KVLock? {
        try KVNames.checkKey(name)
        try KVNames.checkNamespace(namespace)
        let ms = try KVNames.checkLockTTL(ttl)
        return try await kvWrite { db in
            let now = self.now(), expiresAt = try KVNames.expiry(now, plus: ms)
            try Self.checkFences(fences, db, now: now)
            if try Bool.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM lunas_kv_locks WHERE ns = ? AND name = ? AND expires_at > ?"),
                                 arguments: [namespace, name, now]) == true { return nil }
            let token = try Self.nextVersion(db)
            try self.withinQuota(db, namespace, now: now) {
                try db.cachedStatement(sql: """
                    INSERT INTO lunas_kv_locks (ns, name, token, owner, expires_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (ns, name) DO UPDATE SET token = excluded.token, owner = excluded.owner, expires_at = excluded.expires_at
                    """).execute(arguments: [namespace, name, token, owner, expiresAt])
            }
            return KVLock(namespace: namespace, name: name, token: token, expiresAt: Date(milliseconds: expiresAt))
        }
    }

    public func refreshLock(_ lock: KVLock, ttl: Duration, fences: [KVFence]) async throws -> KVLock? {
        let ms = try KVNames.checkLockTTL(ttl)
        return try await kvWrite { db in
            let now = self.now(), expiresAt = try KVNames.expiry(now, plus: ms)
            try Self.checkFences(fences, db, now: now)
            try db.cachedStatement(sql: "UPDATE lunas_kv_locks SET expires_at = ? WHERE ns = ? AND name = ? AND token = ? AND expires_at > ?").execute(
                           arguments: [expiresAt, lock.namespace, lock.name, lock.token, now])
            guard db.changesCount > 0 else { return nil }
            var refreshed = lock
            refreshed.expiresAt = Date(milliseconds: expiresAt)
            return refreshed
        }
    }

    public func releaseLock(_ lock: KVLock) async throws -> Bool {
        try await kvWrite { db in
            try db.cachedStatement(sql: "DELETE FROM lunas_kv_locks WHERE ns = ? AND name = ? AND token = ? AND expires_at > ?").execute(
                           arguments: [lock.namespace, lock.name, lock.token, self.now()])
            return db.changesCount > 0
        }
    }

    public func usage(in namespace: String) async throws -> KVUsage {
        try KVNames.checkNamespace(namespace)
        return try await pool.read { db in
            let now = self.now()
            let row = try Row.fetchOne(try db.cachedStatement(sql: """
                SELECT count(*), coalesce(sum(bytes), 0) FROM (
                    SELECT length(CAST(key AS BLOB)) + length(CAST(value AS BLOB)) AS bytes FROM lunas_kv WHERE ns = ? AND \(Self.visible)
                    UNION ALL SELECT length(CAST(name AS BLOB)) FROM lunas_kv_locks WHERE ns = ? AND expires_at > ?)
                """), arguments: [namespace, now, namespace, now])
            return KVUsage(keys: row?[0] ?? 0, bytes: row?[1] ?? 0)
        }
    }

    @discardableResult
    public func purgeExpired() async throws -> Int {
        try await pool.write { db in
            let now = self.now()
            try db.cachedStatement(sql: """
                DELETE FROM lunas_kv WHERE (ns, key) IN
                    (SELECT ns, key FROM lunas_kv WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT 10000)
                """).execute(arguments: [now])
            var count = db.changesCount
            try db.cachedStatement(sql: "DELETE FROM lunas_kv_locks WHERE expires_at <= ?").execute(arguments: [now])
            count += db.changesCount
            return count
        }
    }

    /// Checks the arguments of a write and returns its TTL in milliseconds.
    func checkWrite(_ key: String, _ value: String, _ namespace: String, _ options: KVWriteOptions) throws -> Int64? {
        try KVNames.checkKey(key)
        try KVNames.checkNamespace(namespace)
        try KVNames.checkValue(value, limit: self.options.maxValueBytes)
        return try KVNames.checkTTL(options.ttl)
    }
}

extension KVPage {
    /// The page with its cursor (the last key) made opaque.
    func withEncodedCursor() -> KVPage { KVPage(keys: keys, cursor: cursor.map(KVCursor.encode)) }
}

extension SQLiteStore: ImmediateKeyValueStore {
    public func getNow(_ key: String, in namespace: String) throws -> KVImmediate<KVEntry?> {
        try KVNames.checkKey(key)
        return try kvReadNow { db in try self.getBody(db, key, namespace) }
    }

    public func setNow(_ key: String, to value: String, in namespace: String, options: KVWriteOptions) throws -> KVImmediate<Int64> {
        let ttl = try checkWrite(key, value, namespace, options)
        return try kvWriteNow { db in try self.setBody(db, key, value, namespace, options.fences, ttl) }
    }

    public func addNow(_ key: String, value: String, in namespace: String, options: KVWriteOptions) throws -> KVImmediate<Int64?> {
        let ttl = try checkWrite(key, value, namespace, options)
        return try kvWriteNow { db in try self.addBody(db, key, value, namespace, options.fences, ttl) }
    }

    public func replaceNow(_ key: String, with value: String, in namespace: String, options: KVWriteOptions) throws -> KVImmediate<Int64?> {
        let ttl = try checkWrite(key, value, namespace, options)
        return try kvWriteNow { db in try self.replaceBody(db, key, value, namespace, options.fences, ttl) }
    }

    public func deleteNow(_ key: String, in namespace: String, fences: [KVFence]) throws -> KVImmediate<Bool> {
        try KVNames.checkKey(key)
        try KVNames.checkNamespace(namespace)
        return try kvWriteNow { db in try self.deleteBody(db, key, namespace, fences) }
    }

    public func incrementNow(_ key: String, by delta: Int64, initial: Int64, in namespace: String, options: KVWriteOptions) throws -> KVImmediate<Int64> {
        let ttl = try checkWrite(key, "0", namespace, options)
        return try kvWriteNow { db in try self.incrementBody(db, key, delta, initial, namespace, options.fences, ttl) }
    }

    public func compareAndSwapNow(_ key: String, version expected: Int64?, to value: String, in namespace: String, options: KVWriteOptions) throws -> KVImmediate<Int64?> {
        guard let expected else { return try addNow(key, value: value, in: namespace, options: options) }
        let ttl = try checkWrite(key, value, namespace, options)
        return try kvWriteNow { db in try self.swapBody(db, key, expected, value, namespace, options.fences, ttl) }
    }

    public func keysNow(in namespace: String, prefix: String, limit: Int, cursor: String?) throws -> KVImmediate<KVPage> {
        try KVNames.checkNamespace(namespace)
        try KVNames.checkLimit(limit)
        let after = try KVCursor.decode(cursor)
        return try kvReadNow { db in try self.keysBody(db, namespace, prefix, limit, after) }
    }

    public func timeToLiveNow(_ key: String, in namespace: String) throws -> KVImmediate<KVTimeToLive> {
        try KVNames.checkKey(key)
        return try kvReadNow { db in try self.timeToLiveBody(db, key, namespace) }
    }
}
