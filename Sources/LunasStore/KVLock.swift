import Foundation

/// A held lock: its name in a namespace and the fencing token of this acquisition.
///
/// Tokens come from the store-wide version sequence, so every acquisition of a lock gets a
/// larger token than the one before; a write fenced by an older token is refused.
public struct KVLock: Sendable, Equatable, Hashable {
    /// The namespace the lock lives in.
    public var namespace: String
    /// The lock's name.
    public var name: String
    /// The fencing token of this acquisition.
    public var token: Int64
    /// When the lock lapses unless refreshed.
    public var expiresAt: Date

    /// The longest a lock is taken or refreshed for: 24 hours (a holder that needs longer
    /// refreshes it), so that a lock left behind frees itself within a day.
    public static let maxTTL: Duration = .seconds(maxTTLSeconds)
    /// ``maxTTL`` in seconds.
    public static let maxTTLSeconds: Int64 = 86_400

    /// A lock.
    public init(namespace: String, name: String, token: Int64, expiresAt: Date) {
        self.namespace = namespace
        self.name = name
        self.token = token
        self.expiresAt = expiresAt
    }
}
