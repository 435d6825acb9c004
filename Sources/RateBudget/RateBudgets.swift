import Foundation
import Logging
import LunasClock
import Synchronization

/// Every credential's rate budget in this process, shared by every run. One per process; the
/// budgets of several processes (one machine: the SQLite store; several machines: PostgreSQL)
/// are one budget through their shared ``RateLedger``.
///
/// Call ``acquire(credential:spec:script:weight:deadline:onLongWait:)`` before each request and
/// ``observe(credential:script:grant:status:remaining:limit:reset:)`` with each answer.
public final class RateBudgets: Sendable {
    private let ledger: any RateLedger
    private let clock: any WallClock
    private let logger: Logger?
    private let options: BudgetOptions
    private let budgets = Mutex<[String: CredentialBudget]>([:])

    /// Budgets over `ledger` (usually the store) with `options` (every process sharing the
    /// ledger should use the same), timed by `clock` (usually the store's).
    public init(ledger: any RateLedger, clock: any WallClock = SystemClock(), logger: Logger? = nil, options: BudgetOptions = BudgetOptions()) {
        self.ledger = ledger
        self.clock = clock
        self.logger = logger
        self.options = options
    }

    /// Waits (suspended, never spinning) until a slot of `credential` may be used by `script`,
    /// then returns the grant (with how long it waited), to be passed back to
    /// ``observe(credential:script:grant:status:remaining:limit:reset:)`` with the answer. Throws
    /// ``BudgetError/deadlineExceeded(credential:wouldWait:)`` at once (without waiting) when the
    /// slot is later than `deadline` (an instant of the clock's monotonic line: `ContinuousClock`'s
    /// with the system clock), and `CancellationError`
    /// when the task is cancelled. `weight` (at least 1) is the script's share against the other
    /// scripts waiting on the credential. `onLongWait` is called once if the wait is longer than
    /// a second, with the expected wait.
    public func acquire(credential: String, spec: BudgetSpec, script: String, weight: Int = 1,
                        deadline: ContinuousClock.Instant? = nil,
                        onLongWait: (@Sendable (Duration) -> Void)? = nil) async throws -> BudgetGrant {
        try await budget(credential).acquire(spec: spec, script: script, weight: weight, deadline: deadline, onLongWait: onLongWait)
    }

    /// Feedback from an answer of the server: `X-Ratelimit-Remaining`/`-Limit`/`-Reset` may
    /// only tighten the model (other clients may share the key); a 429 pauses the credential
    /// until `reset` and counts as spent. Call it for every send that was granted, with its
    /// `grant`, as soon as the answer arrives — `status` `nil` when none came (the connection
    /// failed): a send counts against the windows until then. Without a grant, the oldest send
    /// in flight is taken to be answered.
    public func observe(credential: String, script: String, grant: BudgetGrant?, status: Int?,
                        remaining: Int? = nil, limit: Int? = nil, reset: Date? = nil) async {
        let answered = clock.instant()
        await budget(credential).observe(script: script, grant: grant, answered: answered, status: status, remaining: remaining, limit: limit, reset: reset)
    }

    /// The credential's budget as `script` sees it: remaining per window, reset times, the
    /// script's weight and share.
    public func snapshot(credential: String, script: String) async -> BudgetSnapshot {
        await budget(credential).snapshot(script: script)
    }

    private func budget(_ credential: String) -> CredentialBudget {
        budgets.withLock { budgets in
            if let budget = budgets[credential] { return budget }
            let budget = CredentialBudget(credential: credential, ledger: ledger, clock: clock, options: options, logger: logger)
            budgets[credential] = budget
            return budget
        }
    }
}
