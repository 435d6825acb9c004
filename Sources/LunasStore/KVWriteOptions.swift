/// How a key-value write behaves: its expiry and the fences it is conditioned on.
public struct KVWriteOptions: Sendable, Equatable {
    /// The key expires this long after the write; `nil` keeps it until deleted. For
    /// `increment`, the TTL applies only when the write creates the key.
    public var ttl: Duration?
    /// What the write is conditioned on: it happens only while every one of them holds
    /// (checked in the write's transaction); empty, unconditionally.
    public var fences: [KVFence]

    /// The lock that fences the write, if any: the first ``KVFence/lock(_:)`` of ``fences``.
    /// Setting it replaces the lock fences and keeps the others (a job's lease).
    public var fence: KVLock? {
        get {
            for case .lock(let lock) in fences { return lock }
            return nil
        }
        set {
            fences = KVFence.list(newValue) + fences.filter { if case .lock = $0 { false } else { true } }
        }
    }

    /// The longest a key or a lock may live: 10 years (so that no expiry overflows).
    public static let maxTTL: Duration = .seconds(maxTTLSeconds)
    /// ``maxTTL`` in seconds.
    public static let maxTTLSeconds: Int64 = 315_360_000

    /// Options for one write: fenced by `fence` (a held lock) and by each of `fences`.
    public init(ttl: Duration? = nil, fence: KVLock? = nil, fences: [KVFence] = []) {
        self.ttl = ttl
        self.fences = KVFence.list(fence) + fences
    }
}
