/// The credentials a sandbox hands out, derived from its seed.
public struct SandboxCredentials: Sendable, Codable, Hashable {
    /// `sk_…`: secret business key with every scope.
    public var businessKey: String
    /// `rk_…`: restricted business key with only the `:list` and `:read` scopes.
    public var restrictedKey: String
    /// `sfpk_…`: storefront publishable key of ``storeUniqueID``.
    public var storefrontKey: String
    /// The storefront store (`store_…`), which needs no OTP at customer login.
    public var storeUniqueID: String
    /// A customer of that store.
    public var customerEmail: String
    public var customerPassword: String
    /// The key of every webhook signature (`X-Scalev-Hmac-Sha256`).
    public var webhookSecret: String
    /// A registered OAuth application (confidential client) and its redirect URI.
    public var oauthClientID: String
    public var oauthClientSecret: String
    public var oauthRedirectURI: String
    /// A store that requires an OTP at customer login, with a customer of its own.
    public var otpStoreUniqueID: String
    public var otpStorefrontKey: String
    public var otpCustomerEmail: String
}
