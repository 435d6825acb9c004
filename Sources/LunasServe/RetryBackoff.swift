/// When a failed job runs again: exponential in its attempts (`base` · 2^(attempt−1), at most
/// `cap`), with full jitter over the upper half so that jobs that failed together do not retry
/// together.
struct RetryBackoff: Sendable {
    /// The delay after the first failure.
    var base: Duration = .seconds(2)
    /// The longest delay.
    var cap: Duration = .seconds(3600)

    /// The delay after attempt `attempt` (1 for the first) failed; `unit` in [0, 1) picks within the jitter.
    func delay(afterAttempt attempt: Int, unit: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let full = min(base * (1 << exponent), cap)
        let fraction = 0.5 + 0.5 * min(max(unit, 0), 1)
        return full * fraction
    }
}
