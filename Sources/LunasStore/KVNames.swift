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
        let ms = ttl.wholeMilliseconds
        if ms <= 0 { throw StoreError.invalidArgument("a TTL must be positive, not \(ttl)") }
        return ms
    }

    static func checkLimit(_ limit: Int) throws {
        if limit < 1 || limit > 10_000 { throw StoreError.invalidArgument("a page limit must be between 1 and 10000, not \(limit)") }
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded up so a positive duration is never 0.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let ms = seconds.multipliedReportingOverflow(by: 1000)
        if ms.overflow { return seconds > 0 ? Int64.max / 2 : Int64.min / 2 }
        let fraction = attoseconds / 1_000_000_000_000_000
        let rest = attoseconds % 1_000_000_000_000_000
        return ms.partialValue + fraction + (rest > 0 ? 1 : 0)
    }
}
