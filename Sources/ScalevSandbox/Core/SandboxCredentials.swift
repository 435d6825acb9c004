/// The credentials a sandbox hands out. Ids and emails come with the seeded data; keys, passwords
/// and secrets are drawn anew at every start (from ``SandboxConfiguration/keySeed`` when set).
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
    /// The password of ``customerEmail`` (and of ``otpCustomerEmail``).
    public var customerPassword: String
    /// The key of every webhook signature (`X-Scalev-Hmac-Sha256`).
    public var webhookSecret: String
    /// A registered OAuth application (confidential client) and its redirect URI.
    public var oauthClientID: String
    /// The OAuth client's secret (`client_secret_post` or Basic).
    public var oauthClientSecret: String
    /// The OAuth client's registered redirect URI.
    public var oauthRedirectURI: String
    /// A store that requires an OTP at customer login, with a customer of its own.
    public var otpStoreUniqueID: String
    /// The storefront key of ``otpStoreUniqueID``.
    public var otpStorefrontKey: String
    /// A customer of ``otpStoreUniqueID``; the OTP is read at `GET /_sandbox/otp`.
    public var otpCustomerEmail: String
}

extension SandboxCredentials {
    /// The fields drawn anew at every start, with their prefix and random length.
    static var secretFields: [(field: WritableKeyPath<SandboxCredentials, String>, prefix: String, length: Int)] {
        [
            (\.businessKey, "sk_", 32), (\.restrictedKey, "rk_", 32), (\.storefrontKey, "sfpk_", 32),
            (\.otpStorefrontKey, "sfpk_", 32), (\.customerPassword, "sandbox-", 10), (\.webhookSecret, "", 40),
            (\.oauthClientSecret, "appsecret_", 32),
        ]
    }

    /// These ids and emails with new keys, passwords and secrets drawn from `secrets`.
    func withSecrets(from secrets: inout SecretGenerator) -> SandboxCredentials {
        var fresh = self
        for (field, prefix, length) in Self.secretFields { fresh[keyPath: field] = prefix + secrets.string(length) }
        return fresh
    }
}
