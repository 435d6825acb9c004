/// The rate budget's hook: every attempt (retries included) is admitted first, and every answer
/// is observed. A 429 is observed with its headers; the pacer is expected to hold the next
/// `admit` of that key until the `X-Ratelimit-Reset` it carried.
public protocol RequestPacer: Sendable {
    /// Waits until a request under `key` may be sent; throws when it could not be before `deadline`.
    func admit(_ key: BudgetKey, script: String, deadline: ContinuousClock.Instant?) async throws
    /// Sees the status and headers (`X-Ratelimit-*`) of every answer.
    func observe(_ key: BudgetKey, script: String, status: Int, headers: [(String, String)]) async
}

/// The budget a request counts against.
public struct BudgetKey: Hashable, Sendable {
    /// Scalev's rate-limit families.
    public enum Family: String, Hashable, Sendable {
        /// Business credentials (API key, OAuth installation): 100 / 10 s and 10,000 / h each.
        case business
        /// Browser traffic (storefront, guest and customer routes), limited per client address.
        case storefront
        /// Legacy v2, 30 / 5 s per client address.
        case v2
    }

    /// The family.
    public var family: Family
    /// Who the budget belongs to: `key:<16 hex of SHA-256 of the key>`,
    /// `oauth:<vault name>:<b_uid>`, `storefront:<store id>@<host>`, `v2@<host>`.
    public var identity: String

    /// A key.
    public init(family: Family, identity: String) {
        self.family = family
        self.identity = identity
    }
}
