import LunasClock

/// The rules for keys, namespaces and lock names, the same on every backend.
enum KVNames {
    static let maxKeyBytes = 1024
    static let maxNamespaceBytes = 256

    static func checkKey(_ key: String) throws {
        if key.isEmpty { throw StoreError.invalidName("a key cannot be empty") }
        if key.utf8.count > maxKeyBytes {
            throw StoreError.invalidName("key of \(key.utf8.count) bytes is longer than \(maxKeyBytes) bytes")
        }
        if key.utf8.contains(0) { throw StoreError.invalidName("a key cannot contain a NUL byte") }
    }

    static func checkNamespace(_ namespace: String) throws {
        if namespace.isEmpty { throw StoreError.invalidName("a namespace cannot be empty") }
        if namespace.utf8.count > maxNamespaceBytes || namespace.utf8.contains(0) {
            throw StoreError.invalidName("namespace '\(namespace.prefix(40))' is too long or contains a NUL byte")
        }
    }

    static func checkValue(_ value: String, limit: Int) throws {
        let bytes = value.utf8.count
        if bytes > limit { throw StoreError.valueTooLarge(bytes: bytes, limit: limit) }
        if value.utf8.contains(0) { throw StoreError.invalidArgument("a value's JSON text cannot contain a NUL byte") }
    }

    static func checkTTL(_ ttl: Duration?) throws -> Int64? {
        guard let ttl else { return nil }
        let ms = ttl.wholeMillisecondsRoundedUp
        if ms <= 0 { throw StoreError.invalidArgument("a TTL must be positive, not \(ttl)") }
        if ttl > KVWriteOptions.maxTTL {
            throw StoreError.invalidArgument("a TTL must be at most \(KVWriteOptions.maxTTLSeconds) seconds (10 years), not \(ttl)")
        }
        return ms
    }

    /// A lock's TTL in milliseconds: positive and at most ``KVLock/maxTTL``.
    static func checkLockTTL(_ ttl: Duration) throws -> Int64 {
        if ttl > KVLock.maxTTL {
            throw StoreError.invalidArgument("a lock's TTL must be at most \(KVLock.maxTTLSeconds) seconds (24 hours), not \(ttl); refresh the lock to hold it longer")
        }
        return try checkTTL(ttl) ?? 0
    }

    /// The expiry `ms` milliseconds after `now` (both from the store's clock).
    static func expiry(_ now: Int64, plus ms: Int64) throws -> Int64 {
        let (sum, overflow) = now.addingReportingOverflow(ms)
        if overflow { throw StoreError.invalidArgument("a TTL of \(ms) ms from now is past the end of time") }
        return sum
    }

    static func checkLimit(_ limit: Int) throws {
        if limit < 1 || limit > 10_000 { throw StoreError.invalidArgument("a page limit must be between 1 and 10000, not \(limit)") }
    }
}
