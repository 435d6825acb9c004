/// The rate budget's hook: every attempt (retries included) is admitted first, and every answer
/// is observed. A 429 is observed with its headers; the pacer is expected to hold the next
/// `admit` of that key until the `X-Ratelimit-Reset` it carried.
public protocol RequestPacer: Sendable {
    /// Waits until a request under `key` may be sent; throws when it could not be before `deadline`.
    func admit(_ key: BudgetKey, script: String, deadline: ContinuousClock.Instant?) async throws
    /// Sees the status and headers (`X-Ratelimit-*`) of every answer.
    func observe(_ key: BudgetKey, script: String, status: Int, headers: [(String, String)]) async
}
