import Synchronization

/// The Scalev API calls one run makes, against the run's cap: every HTTP attempt, retries and
/// look-ups included (a dry run's writes are not sent, so they are not counted), and the time
/// they waited for their rate budgets.
///
/// One tally per run, handed to the client in each call's ``RequestContext``.
public final class CallTally: Sendable {
    /// The most attempts the run may make; `nil` counts without a cap.
    public let limit: Int?
    private let made = Mutex(0)
    private let waited = Mutex(Duration.zero)

    /// A tally at zero, capped at `limit`.
    public init(limit: Int? = nil) {
        self.limit = limit
    }

    /// The attempts made so far.
    public var count: Int { made.withLock { $0 } }

    /// Counts one attempt about to be made; throws when the cap has been reached. (Scripts'
    /// `http` calls are counted here too.)
    public func take() throws(CallLimitExceeded) {
        let limit = self.limit
        let allowed = made.withLock { made in
            guard limit.map({ made < $0 }) ?? true else { return false }
            made += 1
            return true
        }
        if !allowed, let limit { throw CallLimitExceeded(limit: limit) }
    }

    /// The time its attempts spent waiting for their credentials' rate budgets.
    public var budgetWait: Duration { waited.withLock { $0 } }

    /// Adds the time one attempt waited for its budget.
    func addBudgetWait(_ duration: Duration) {
        waited.withLock { $0 += duration }
    }

    /// Gives back an attempt that was counted but never sent (signing or the budget refused it).
    func refund() {
        made.withLock { $0 = max(0, $0 - 1) }
    }
}

/// A run reached its cap on API calls: the attempt was not made.
public struct CallLimitExceeded: Error, Sendable, Equatable, CustomStringConvertible {
    /// The cap.
    public var limit: Int

    /// The error of a cap of `limit`.
    public init(limit: Int) {
        self.limit = limit
    }

    /// `API call limit of 3 exceeded`.
    public var description: String { "API call limit of \(limit) exceeded" }
}
