import Foundation

/// The shared ledger of request slots behind rate budgets: one atomic primitive that the budget
/// algorithm (fair sharing, waiting, 429 pauses) builds on. LunasStore's stores implement it
/// (SQLite, PostgreSQL: shared between processes and machines), ``MemoryRateLedger`` within one
/// process.
public protocol RateLedger: Sendable {
    /// Atomically gives back `request.releasing` (slots reserved earlier and never used) and
    /// reserves up to `request.count` slots at the earliest times (not before `notBefore`, not
    /// after now + horizon) such that, counting every slot already reserved for the credential by
    /// any process, no interval `(t - length, t]` of any window holds more than its limit.
    /// Returns the granted times in order, fewer than asked (even none) when the horizon is
    /// reached, with the ledger's clock at the reservation. A time in the future means: wait
    /// until then, then send.
    func reserve(_ request: SlotRequest) async throws -> SlotGrant
}

extension RateLedger {
    /// The granted times of ``reserve(_:)``.
    public func reserveSlots(_ request: SlotRequest) async throws -> [Date] {
        try await reserve(request).times
    }
}
