/// How much one `kv` namespace may hold, counted over its live keys and locks: how many there
/// are, and their stored bytes (the UTF-8 bytes of each key's name and JSON text, and of each
/// lock's name). The store enforces it inside the write, so writers racing in several processes
/// or machines cannot pass it together; a write that would pass it is refused and changes nothing.
/// Writes that do not grow a namespace (a delete, a smaller value) are never refused.
public struct KVQuota: Sendable, Equatable {
    /// The most keys and locks a namespace holds (default 10,000).
    public var maxKeys: Int
    /// The most stored bytes a namespace holds (default 64 MiB).
    public var maxBytes: Int

    /// One of the two limits.
    public enum Limit: String, Sendable, Equatable {
        /// ``KVQuota/maxKeys``.
        case keys
        /// ``KVQuota/maxBytes``.
        case bytes
    }

    /// A quota.
    public init(maxKeys: Int = 10_000, maxBytes: Int = 64 << 20) {
        self.maxKeys = maxKeys
        self.maxBytes = maxBytes
    }

    /// The error of a write that would take `namespace` past `limit`.
    func exceeded(_ limit: Limit, in namespace: String) -> StoreError {
        .quotaExceeded(namespace: namespace, limit: limit, quota: limit == .keys ? maxKeys : maxBytes)
    }

    /// Throws unless `usage` grown by `delta` stays within the quota (or `delta` does not grow it).
    func check(_ usage: KVUsage, adding delta: KVUsage, in namespace: String) throws {
        if delta.keys > 0 && usage.keys + delta.keys > maxKeys { throw exceeded(.keys, in: namespace) }
        if delta.bytes > 0 && usage.bytes + delta.bytes > maxBytes { throw exceeded(.bytes, in: namespace) }
    }
}
