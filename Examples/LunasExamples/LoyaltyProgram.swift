/// Where the pricing route looks up a customer's loyalty tier — the host's own service, which a
/// rule reaches through the async `cart.loyalty()`.
public protocol LoyaltyProgram: Sendable {
    /// The tier of `customer` (`"gold"`), or `nil` when the customer has none.
    func tier(of customer: String) async throws -> String?
}

/// A loyalty program of fixed tiers, for demos and tests.
public struct LoyaltyTiers: LoyaltyProgram {
    /// Tiers by customer.
    public var tiers: [String: String]

    /// The program of `tiers`.
    public init(_ tiers: [String: String]) {
        self.tiers = tiers
    }

    /// The customer's tier in ``tiers``.
    public func tier(of customer: String) async throws -> String? {
        tiers[customer]
    }
}
