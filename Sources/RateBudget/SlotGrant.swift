import Foundation

/// What ``RateLedger/reserve(_:)`` granted.
public struct SlotGrant: Sendable, Equatable {
    /// The granted slot times, in order.
    public var times: [Date]
    /// The ledger's clock when it placed them (SQLite: this machine's; PostgreSQL: the database
    /// server's), so that a caller on another clock can map slot times onto its own.
    public var now: Date
    /// Every slot of the credential (any process's, these included) later than now minus
    /// ``SlotRequest/report``, in order: what the ledger knows was or will be sent.
    public var recent: [Date]
    /// When fewer slots than asked were granted: the earliest time one more would fit, though
    /// past the horizon (when to ask again); `nil` when no window can ever take one.
    public var next: Date?

    /// A grant.
    public init(times: [Date], now: Date, recent: [Date] = [], next: Date? = nil) {
        self.times = times
        self.now = now
        self.recent = recent
        self.next = next
    }
}
