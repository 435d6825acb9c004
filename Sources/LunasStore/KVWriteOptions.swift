/// How a key-value write behaves: its expiry and the lock that fences it.
public struct KVWriteOptions: Sendable, Equatable {
    /// The key expires this long after the write; `nil` keeps it until deleted. For
    /// `increment`, the TTL applies only when the write creates the key.
    public var ttl: Duration?
    /// When set, the write happens only while this lock is still held with this token.
    public var fence: KVLock?

    /// The longest a key or a lock may live: 10 years (so that no expiry overflows).
    public static let maxTTL: Duration = .seconds(maxTTLSeconds)
    /// ``maxTTL`` in seconds.
    public static let maxTTLSeconds: Int64 = 315_360_000

    /// Options for one write.
    public init(ttl: Duration? = nil, fence: KVLock? = nil) {
        self.ttl = ttl
        self.fence = fence
    }
}
