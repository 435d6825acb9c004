/// Who a ``ScalevClient`` speaks as. The client holds the secret and signs each request; nothing
/// it logs, traces or throws contains one.
public enum ScalevCredential: Sendable {
    /// A business API key: `sk_…` (every scope) or `rk_…` (restricted to its scopes).
    case apiKey(String)
    /// An OAuth installation whose access and refresh tokens live in the vault; the client
    /// refreshes them before expiry and once on a 401, keeping the rotated pair in the vault.
    case oauth(OAuthInstallation)
    /// A store's publishable storefront key (`sfpk_…`) for `/v3/stores/{store_…}/public/…`.
    /// The guest-cart token is taken from the first answer that issues one and sent again on
    /// cart and checkout calls.
    case storefront(publishableKey: String, storeID: String)
    /// A signed-in customer of one store; the JWT pair lives in the vault and is refreshed under
    /// the vault's cross-process lock (refresh tokens are single use).
    case customer(CustomerSession)
}

/// An OAuth app installed on a business: the client credentials and where its tokens are kept.
public struct OAuthInstallation: Sendable, Hashable {
    /// The vault entry holding the token pair (written by ``OAuthAuthorization/exchange(code:installation:configuration:http:vault:)``).
    public var vaultName: String
    /// The app's client id.
    public var clientID: String
    /// The app's client secret (`nil` for a public client).
    public var clientSecret: String?
    /// The business `unique_id` to act on when the token covers several (sent as `b_uid`).
    public var businessID: String?

    /// An installation.
    public init(vaultName: String, clientID: String, clientSecret: String?, businessID: String? = nil) {
        self.vaultName = vaultName
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.businessID = businessID
    }
}

/// A customer signed in to one store; the token pair is in the vault under ``vaultName``.
public struct CustomerSession: Sendable, Hashable {
    /// The vault entry holding the token pair (written by ``CustomerLogin``).
    public var vaultName: String
    /// The store's unique id (`store_…`).
    public var storeID: String
    /// The store's publishable key (`sfpk_…`), needed to refresh the tokens.
    public var publishableKey: String

    /// A session.
    public init(vaultName: String, storeID: String, publishableKey: String) {
        self.vaultName = vaultName
        self.storeID = storeID
        self.publishableKey = publishableKey
    }
}
