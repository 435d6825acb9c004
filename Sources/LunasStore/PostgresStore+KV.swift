import Foundation
import PostgresNIO

extension PostgresStore {
    public func get(_ key: String, in namespace: String) async throws -> KVEntry? {
        try KVNames.checkKey(key)
        let rows = try await rows("""
            SELECT value, version, expires_at FROM lunas_kv WHERE ns = \(namespace) AND key = \(key)
            AND (expires_at IS NULL OR expires_at > lunas_now_ms(\(fixedNow)))
            """)
        guard let row = rows.first else { return nil }
        let (value, version, expires) = try row.decode((String, Int64, Int64?).self)
        return KVEntry(value: value, version: version, expiresAt: expires.map { Date(milliseconds: $0) })
    }

    @discardableResult
    public func set(_ key: String, to value: String, in namespace: String, options: KVWriteOptions) async throws -> Int64 {
        let ttl = try checkWrite(key, value, namespace, options)
        let query: PostgresQuery = """
            INSERT INTO lunas_kv AS t (ns, key, value, version, expires_at)
            VALUES (\(namespace), \(key), \(value), nextval('lunas_version_seq'), lunas_now_ms(\(fixedNow)) + \(ttl)::bigint)
            ON CONFLICT (ns, key) DO UPDATE SET
                value = EXCLUDED.value, version = nextval('lunas_version_seq'), expires_at = EXCLUDED.expires_at
            RETURNING version
            """
        return try await write(query, in: namespace, fences: options.fences) ?? 0
    }

    public func add(_ key: String, value: String, in namespace: String, options: KVWriteOptions) async throws -> Int64? {
        let ttl = try checkWrite(key, value, namespace, options)
        return try await write("""
            INSERT INTO lunas_kv AS t (ns, key, value, version, expires_at)
            VALUES (\(namespace), \(key), \(value), nextval('lunas_version_seq'), lunas_now_ms(\(fixedNow)) + \(ttl)::bigint)
            ON CONFLICT (ns, key) DO UPDATE SET
                value = EXCLUDED.value, version = nextval('lunas_version_seq'), expires_at = EXCLUDED.expires_at
            WHERE t.expires_at IS NOT NULL AND t.expires_at <= lunas_now_ms(\(fixedNow))
            RETURNING version
            """, in: namespace, fences: options.fences)
    }

    public func replace(_ key: String, with value: String, in namespace: String, options: KVWriteOptions) async throws -> Int64? {
        let ttl = try checkWrite(key, value, namespace, options)
        return try await write("""
            UPDATE lunas_kv SET value = \(value), version = nextval('lunas_version_seq'),
                expires_at = lunas_now_ms(\(fixedNow)) + \(ttl)::bigint
            WHERE ns = \(namespace) AND key = \(key) AND (expires_at IS NULL OR expires_at > lunas_now_ms(\(fixedNow)))
            RETURNING version
            """, in: namespace, fences: options.fences)
    }

    public func delete(_ key: String, in namespace: String, fences: [KVFence]) async throws -> Bool {
        try KVNames.checkKey(key)
        try KVNames.checkNamespace(namespace)
        let existed: Int64? = try await write("""
            DELETE FROM lunas_kv WHERE ns = \(namespace) AND key = \(key)
            RETURNING CASE WHEN expires_at IS NULL OR expires_at > lunas_now_ms(\(fixedNow)) THEN 1 ELSE 0 END::bigint
            """, in: namespace, fences: fences)
        return existed == 1
    }

    public func increment(_ key: String, by delta: Int64, initial: Int64, in namespace: String, options: KVWriteOptions) async throws -> Int64 {
        let ttl = try checkWrite(key, "0", namespace, options)
        let (start, overflow) = initial.addingReportingOverflow(delta)
        if overflow { throw StoreError.integerOverflow(key: key) }
        let next: Int64? = try await write("""
                INSERT INTO lunas_kv AS t (ns, key, value, version, expires_at)
                VALUES (\(namespace), \(key), \(String(start)), nextval('lunas_version_seq'), lunas_now_ms(\(fixedNow)) + \(ttl)::bigint)
                ON CONFLICT (ns, key) DO UPDATE SET
                    value = CASE WHEN t.expires_at IS NOT NULL AND t.expires_at <= lunas_now_ms(\(fixedNow)) THEN EXCLUDED.value
                                 ELSE (t.value::bigint + \(delta)::bigint)::text END,
                    version = nextval('lunas_version_seq'),
                    expires_at = CASE WHEN t.expires_at IS NOT NULL AND t.expires_at <= lunas_now_ms(\(fixedNow)) THEN EXCLUDED.expires_at
                                      ELSE t.expires_at END
                RETURNING value::bigint
                """, in: namespace, fences: options.fences,
            errors: ["22P02": .notAnInteger(key: key), "22003": .integerOverflow(key: key)])
        return next ?? start
    }

    public func compareAndSwap(_ key: String, version expected: Int64?, to value: String, in namespace: String, options: KVWriteOptions) async throws -> Int64? {
        guard let expected else { return try await add(key, value: value, in: namespace, options: options) }
        let ttl = try checkWrite(key, value, namespace, options)
        return try await write("""
            UPDATE lunas_kv SET value = \(value), version = nextval('lunas_version_seq'),
                expires_at = lunas_now_ms(\(fixedNow)) + \(ttl)::bigint
            WHERE ns = \(namespace) AND key = \(key) AND version = \(expected)
              AND (expires_at IS NULL OR expires_at > lunas_now_ms(\(fixedNow)))
            RETURNING version
            """, in: namespace, fences: options.fences)
    }

    public func keys(in namespace: String, prefix: String, limit: Int, cursor: String?) async throws -> KVPage {
        try KVNames.checkNamespace(namespace)
        try KVNames.checkLimit(limit)
        let after = try KVCursor.decode(cursor)
        let rows = try await rows("""
            SELECT key FROM lunas_kv
            WHERE ns = \(namespace) AND key >= \(prefix) AND starts_with(key, \(prefix)) AND key > \(after)
              AND (expires_at IS NULL OR expires_at > lunas_now_ms(\(fixedNow)))
            ORDER BY key LIMIT \(Int64(limit + 1))
            """)
        let keys = try rows.map { try $0.decode(String.self) }
        return KVPage(keys: Array(keys.prefix(limit)), cursor: keys.count > limit ? keys[limit - 1] : nil)
            .withEncodedCursor()
    }

    public func timeToLive(_ key: String, in namespace: String) async throws -> KVTimeToLive {
        try KVNames.checkKey(key)
        let rows = try await rows("""
            SELECT expires_at - lunas_now_ms(\(fixedNow)) FROM lunas_kv WHERE ns = \(namespace) AND key = \(key)
              AND (expires_at IS NULL OR expires_at > lunas_now_ms(\(fixedNow)))
            """)
        guard let row = rows.first else { return .absent }
        return try row.decode(Int64?.self).map { .remaining(.milliseconds($0)) } ?? .persistent
    }

    public func acquireLock(_ name: String, in namespace: String, ttl: Duration, owner: String, fences: [KVFence]) async throws -> KVLock? {
        try KVNames.checkKey(name)
        try KVNames.checkNamespace(namespace)
        let ms = try KVNames.checkLockTTL(ttl)
        let rows = try await withinQuota(namespace) { errors in try await self.fencedRows("""
            INSERT INTO lunas_kv_locks AS l (ns, name, token, owner, expires_at)
            VALUES (\(namespace), \(name), nextval('lunas_version_seq'), \(owner), lunas_now_ms(\(fixedNow)) + \(ms))
            ON CONFLICT (ns, name) DO UPDATE SET
                token = nextval('lunas_version_seq'), owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
            WHERE l.expires_at <= lunas_now_ms(\(fixedNow))
            RETURNING token, expires_at
            """, fences: fences, errors: errors) }
        guard let row = rows.first else { return nil }
        let (token, expires) = try row.decode((Int64, Int64).self)
        return KVLock(namespace: namespace, name: name, token: token, expiresAt: Date(milliseconds: expires))
    }

    public func refreshLock(_ lock: KVLock, ttl: Duration, fences: [KVFence]) async throws -> KVLock? {
        let ms = try KVNames.checkLockTTL(ttl)
        let rows = try await fencedRows("""
            UPDATE lunas_kv_locks SET expires_at = lunas_now_ms(\(fixedNow)) + \(ms)
            WHERE ns = \(lock.namespace) AND name = \(lock.name) AND token = \(lock.token) AND expires_at > lunas_now_ms(\(fixedNow))
            RETURNING expires_at
            """, fences: fences)
        guard let row = rows.first else { return nil }
        var refreshed = lock
        refreshed.expiresAt = Date(milliseconds: try row.decode(Int64.self))
        return refreshed
    }

    public func releaseLock(_ lock: KVLock) async throws -> Bool {
        let rows = try await rows("""
            DELETE FROM lunas_kv_locks
            WHERE ns = \(lock.namespace) AND name = \(lock.name) AND token = \(lock.token) AND expires_at > lunas_now_ms(\(fixedNow))
            RETURNING token
            """)
        return !rows.isEmpty
    }

    public func usage(in namespace: String) async throws -> KVUsage {
        try KVNames.checkNamespace(namespace)
        let rows = try await rows("""
            SELECT count(*), coalesce(sum(bytes), 0)::bigint FROM (
                SELECT octet_length(key) + octet_length(value) AS bytes FROM lunas_kv
                WHERE ns = \(namespace) AND (expires_at IS NULL OR expires_at > lunas_now_ms(\(fixedNow)))
                UNION ALL SELECT octet_length(name) FROM lunas_kv_locks
                WHERE ns = \(namespace) AND expires_at > lunas_now_ms(\(fixedNow))) AS live
            """)
        guard let row = rows.first else { return KVUsage() }
        let (keys, bytes) = try row.decode((Int64, Int64).self)
        return KVUsage(keys: Int(keys), bytes: Int(bytes))
    }

    @discardableResult
    public func purgeExpired() async throws -> Int {
        let keys = try await rows("""
            DELETE FROM lunas_kv WHERE (ns, key) IN
                (SELECT ns, key FROM lunas_kv WHERE expires_at IS NOT NULL AND expires_at <= lunas_now_ms(\(fixedNow)) LIMIT 10000)
            RETURNING 1
            """)
        let locks = try await rows("DELETE FROM lunas_kv_locks WHERE expires_at <= lunas_now_ms(\(fixedNow)) RETURNING 1")
        return keys.count + locks.count
    }

    /// Runs a write returning at most one bigint, within the quota of `namespace` when it writes
    /// a key-value namespace, only while every one of `fences` holds (``fencedRows(_:fences:errors:)``).
    func write(_ query: PostgresQuery, in namespace: String? = nil, fences: [KVFence], errors: [String: StoreError] = [:]) async throws -> Int64? {
        let attempt = { (errors: [String: StoreError]) async throws -> Int64? in
            try await self.fencedRows(query, fences: fences, errors: errors).first?.decode(Int64.self)
        }
        guard let namespace else { return try await attempt(errors) }
        return try await withinQuota(namespace, errors, attempt)
    }

    /// Runs one statement and returns its rows; with fences, in a transaction that first checks
    /// (and share-locks) each fence's row, so that no fence can change hands until the commit.
    func fencedRows(_ query: PostgresQuery, fences: [KVFence], errors: [String: StoreError] = [:]) async throws -> [PostgresRow] {
        guard !fences.isEmpty else { return try await rows(query, errors: errors) }
        return try await transaction(errors: errors) { connection in
            for fence in fences { try await Self.checkFence(fence, connection, now: self.fixedNow, logger: self.logger) }
            return try await connection.query(query, logger: self.logger).collect()
        }
    }

    /// `attempt`, given `errors` and the quota's; when the quota refuses it (its counts still
    /// include expired rows), the namespace's expired keys and lapsed locks are purged and, if
    /// any went, it runs once more. The refused statement changed nothing.
    func withinQuota<T>(
        _ namespace: String, _ errors: [String: StoreError] = [:], _ attempt: ([String: StoreError]) async throws -> T
    ) async throws -> T {
        var errors = errors
        for limit in [KVQuota.Limit.keys, .bytes] {
            errors[PostgresSchema.quotaState(limit)] = options.kvQuota.exceeded(limit, in: namespace)
        }
        do {
            return try await attempt(errors)
        } catch let error as StoreError {
            guard case .quotaExceeded = error, try await purgeExpired(in: namespace) > 0 else { throw error }
            return try await attempt(errors)
        }
    }

    /// Deletes the expired keys and lapsed locks of one namespace; returns how many rows went.
    private func purgeExpired(in namespace: String) async throws -> Int {
        let keys = try await rows("""
            DELETE FROM lunas_kv WHERE ns = \(namespace) AND expires_at IS NOT NULL AND expires_at <= lunas_now_ms(\(fixedNow))
            RETURNING 1
            """)
        let locks = try await rows("DELETE FROM lunas_kv_locks WHERE ns = \(namespace) AND expires_at <= lunas_now_ms(\(fixedNow)) RETURNING 1")
        return keys.count + locks.count
    }

    /// Throws unless `fence` holds, share-locking the row it holds by (the lock's, or the job's:
    /// a claim, heartbeat or finish of that job waits for this transaction) until the commit.
    static func checkFence(_ fence: KVFence, _ connection: PostgresConnection, now fixedNow: Int64?, logger: Logger) async throws {
        switch fence {
        case .lock(let lock):
            let rows = try await connection.query("""
                SELECT 1 FROM lunas_kv_locks
                WHERE ns = \(lock.namespace) AND name = \(lock.name) AND token = \(lock.token) AND expires_at > lunas_now_ms(\(fixedNow))
                FOR SHARE
                """, logger: logger).collect()
            if rows.isEmpty { throw StoreError.staleFence(lock: lock.name, token: lock.token) }
        case .job(let id, let leaseToken):
            let rows = try await connection.query("""
                SELECT 1 FROM lunas_jobs
                WHERE id = \(id) AND state = 'running' AND lease_token = \(leaseToken) AND lease_expires_at > lunas_now_ms(\(fixedNow))
                FOR SHARE
                """, logger: logger).collect()
            if rows.isEmpty { throw StoreError.lostJobLease(job: id, leaseToken: leaseToken) }
        }
    }

    func checkWrite(_ key: String, _ value: String, _ namespace: String, _ options: KVWriteOptions) throws -> Int64? {
        try KVNames.checkKey(key)
        try KVNames.checkNamespace(namespace)
        try KVNames.checkValue(value, limit: self.options.maxValueBytes)
        return try KVNames.checkTTL(options.ttl)
    }
}
