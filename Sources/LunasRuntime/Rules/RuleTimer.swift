import Foundation

/// A timer a handler set with `after` or `at`: run the `job` rule named ``job`` at ``at`` with
/// ``args``. ``key`` makes it idempotent: a retried handler sets the same key again, and the
/// runner enqueues one job per key.
public struct RuleTimer: Sendable, Equatable {
    /// The `job()` rule's name (its registration name).
    public var job: String
    /// When it is due.
    public var at: Date
    /// Its arguments, as JSON text (`{}` when none were given).
    public var args: String
    /// The `{ key = ... }` given, else `<timer key of the run>#<call index>`.
    public var key: String

    /// A timer.
    public init(job: String, at: Date, args: String, key: String) {
        self.job = job
        self.at = at
        self.args = args
        self.key = key
    }
}
