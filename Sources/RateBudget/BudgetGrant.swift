/// A slot handed to a caller by ``RateBudgets/acquire(credential:spec:script:weight:deadline:onLongWait:)``.
/// Pass it back with the answer to ``RateBudgets/observe(credential:script:grant:status:remaining:limit:reset:)``:
/// the budget then knows when the server counted that very request (between the grant and the
/// answer) and where it stood among the others.
public struct BudgetGrant: Sendable, Hashable {
    /// Identifies the send within its credential's budget.
    public let id: UInt64
    /// How long the caller waited for the slot.
    public let waited: Duration

    /// A grant (for callers that carry its identity through another type).
    public init(id: UInt64, waited: Duration) {
        self.id = id
        self.waited = waited
    }
}
