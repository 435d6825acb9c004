import Foundation

/// A stored value: its JSON text and the version that `compareAndSwap` checks.
public struct KVEntry: Sendable, Equatable {
    /// The value as JSON text.
    public var value: String
    /// The store-wide version of the write that produced this value: unique and never reused,
    /// so a compare-and-swap on it cannot suffer ABA.
    public var version: Int64
    /// When the key expires, or `nil` for never.
    public var expiresAt: Date?

    /// An entry.
    public init(value: String, version: Int64, expiresAt: Date?) {
        self.value = value
        self.version = version
        self.expiresAt = expiresAt
    }
}
