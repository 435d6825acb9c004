/// How a key-value write behaves: its expiry and the lock that fences it.
public struct KVWriteOptions: Sendable, Equatable {
    /// The key expires this long after the write; `nil` keeps it until deleted. For
    /// `increment`, the TTL applies only when the write creates the key.
    public var ttl: Duration?
    /// When set, the write happens only while this lock is still held with this token.
    public var fence: KVLock?

    /// Options for one write.
    public init(ttl: Duration? = nil, fence: KVLock? = nil) {
        self.ttl = ttl
        self.fence = fence
    }
}
