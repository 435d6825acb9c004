/// The rate budget's hook: every attempt (retries included) is admitted first, and every
/// admitted attempt is settled with its answer, or with none when the transport failed. A 429 is
/// observed with its headers; the pacer is expected to hold the next `admit` of that key until the
/// `X-Ratelimit-Reset` it carried.
public protocol RequestPacer: Sendable {
    /// Waits until a request under `key` may be sent; throws when it could not be before
    /// `deadline`. The ticket goes back with the attempt's answer.
    func admit(_ key: BudgetKey, script: String, deadline: ContinuousClock.Instant?) async throws -> PacerTicket
    /// Sees the status and headers (`X-Ratelimit-*`) of the admitted attempt's answer; `status`
    /// is `nil` when no answer came.
    func observe(_ key: BudgetKey, script: String, ticket: PacerTicket, status: Int?, headers: [(String, String)]) async
}

/// One admitted attempt, as the pacer identifies it.
public struct PacerTicket: Sendable, Hashable {
    /// The pacer's identity of the attempt.
    public let id: UInt64

    /// A ticket.
    public init(id: UInt64) { self.id = id }
}
