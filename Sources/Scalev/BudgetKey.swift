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
