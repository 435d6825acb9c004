import ScalevModel

/// Everything the sandbox remembers: resources, tokens, carts, webhooks. One value, guarded by one
/// lock, snapshotted whole to the data file.
struct SandboxState: Sendable, Codable {
    var random: SeededGenerator
    /// The source of every key, password and token handed out; never saved, never the data's seed.
    var secrets = SecretGenerator(seed: nil)
    var nextNumber: Int = 1000
    var credentials: SandboxCredentials
    var business: JSON
    /// Restricted keys: key -> scopes. (`sk_` keys have every scope.)
    var restrictedKeys: [String: [String]] = [:]
    var secretKeys: Set<String> = []
    /// Storefront publishable keys: key -> store unique id.
    var storefrontKeys: [String: String] = [:]

    var stores = ResourceTable()
    var products = ResourceTable()
    var variants = ResourceTable()
    var bundles = ResourceTable()
    var bundlePriceOptions = ResourceTable()
    var customers = ResourceTable()
    var locations = ResourceTable()
    var warehouses = ResourceTable()
    var courierServices = ResourceTable()
    var orders = ResourceTable()
    /// Secret slug -> order id.
    var ordersBySlug: [String: String] = [:]
    /// Tables of the catalog-driven generic layer, by concrete collection path.
    var generic: [String: ResourceTable] = [:]

    var guestCarts: [String: JSON] = [:]
    var customerCarts: [String: JSON] = [:]
    var accounts: [String: CustomerAccount] = [:]
    var pendingOTPs: [String: String] = [:]
    var refreshTokens: [String: RefreshTokenRecord] = [:]
    var revokedFamilies: Set<String> = []
    var blacklistedAccess: Set<String> = []
    var addresses = ResourceTable()
    var subscriptions = ResourceTable()
    var courseSections = ResourceTable()
    var courseContents = ResourceTable()
    /// `customerID:contentUUID` -> progress 0...100.
    var courseProgress: [String: Int] = [:]
    var checkoutIntents = ResourceTable()

    var oauthClients: [String: OAuthClient] = [:]
    var oauthCodes: [String: OAuthCode] = [:]
    var oauthAccessTokens: [String: OAuthToken] = [:]
    var oauthRefreshTokens: [String: OAuthToken] = [:]
    var oauthRevokedFamilies: Set<String> = []

    var webhookEndpoints: [WebhookEndpoint] = []
    /// Webhook events raised while handling the current request; drained after it.
    var outbox: [WebhookEvent] = []
    /// The sandbox's base URL, for `public_order_url` and friends (set at each start).
    var publicBase = "http://127.0.0.1"

    private enum CodingKeys: String, CodingKey {
        case random, nextNumber, credentials, business, restrictedKeys, secretKeys, storefrontKeys, stores, products,
            variants, bundles, bundlePriceOptions, customers, locations, warehouses, courierServices, orders,
            ordersBySlug, generic, guestCarts, customerCarts, accounts, pendingOTPs, refreshTokens, revokedFamilies,
            blacklistedAccess, addresses, subscriptions, courseSections, courseContents, courseProgress,
            checkoutIntents, oauthClients, oauthCodes, oauthAccessTokens, oauthRefreshTokens, oauthRevokedFamilies,
            webhookEndpoints
    }

    /// Points the public order URLs at `base` (the port is only known once the server runs, and may
    /// differ after a restart from a data file).
    mutating func rebase(to base: String) {
        publicBase = base
        for order in orders.ascending {
            guard let id = order["id"].textValue, let slug = order["secret_slug"].textValue else { continue }
            let url = "\(base)/o/\(slug)"
            guard order["public_order_url"].textValue != url else { continue }
            var updated = order
            updated["public_order_url"] = .string(url)
            updated["payment_url"] = .string(url + "/success")
            orders[id] = updated
        }
    }

    /// Puts the keys, passwords and secrets of `fresh` in place of the current credentials'
    /// wherever they are held (keys, the OAuth client, the seeded customers' logins, webhook
    /// endpoints that used the sandbox's secret): the old ones stop working. Ids and emails stay.
    mutating func installSecrets(of fresh: SandboxCredentials) {
        let old = credentials
        if secretKeys.remove(old.businessKey) != nil { secretKeys.insert(fresh.businessKey) }
        if let scopes = restrictedKeys.removeValue(forKey: old.restrictedKey) { restrictedKeys[fresh.restrictedKey] = scopes }
        for (stale, key) in [(old.storefrontKey, fresh.storefrontKey), (old.otpStorefrontKey, fresh.otpStorefrontKey)] {
            if let store = storefrontKeys.removeValue(forKey: stale) { storefrontKeys[key] = store }
        }
        oauthClients[old.oauthClientID]?.clientSecret = fresh.oauthClientSecret
        for account in [old.storeUniqueID + "|" + old.customerEmail, old.otpStoreUniqueID + "|" + old.otpCustomerEmail] {
            accounts[account]?.password = fresh.customerPassword
        }
        for index in webhookEndpoints.indices where webhookEndpoints[index].secret == old.webhookSecret {
            webhookEndpoints[index].secret = fresh.webhookSecret
        }
        for (field, _, _) in SandboxCredentials.secretFields { credentials[keyPath: field] = fresh[keyPath: field] }
    }

    /// A fresh numeric id.
    mutating func number() -> Int {
        nextNumber += 1
        return nextNumber
    }

    mutating func emit(_ event: String, _ data: JSON) {
        outbox.append(WebhookEvent(event: event, data: data))
    }
}

/// A storefront customer's login.
struct CustomerAccount: Sendable, Codable {
    var customerID: Int
    var storeUniqueID: String
    var email: String
    var password: String
}

/// A customer refresh token: single use; reusing a rotated one revokes its family.
struct RefreshTokenRecord: Sendable, Codable {
    var family: String
    var customerID: Int
    var storeUniqueID: String
    var expiresAt: Double
    var used: Bool
}

/// A registered OAuth application.
struct OAuthClient: Sendable, Codable {
    var clientID: String
    var clientSecret: String?
    var name: String
    var redirectURIs: [String]
    var availableScopes: [String]
}

/// An authorization code: 10 minutes, single use, bound to its PKCE challenge.
struct OAuthCode: Sendable, Codable {
    var clientID: String
    var redirectURI: String
    var codeChallenge: String
    var scopes: [String]
    var expiresAt: Double
}

/// An OAuth access or refresh token with its grant.
struct OAuthToken: Sendable, Codable {
    var clientID: String
    var scopes: [String]
    var family: String
    var expiresAt: Double
    var used: Bool = false
}

/// A registered webhook receiver.
struct WebhookEndpoint: Sendable, Codable, Hashable {
    var id: Int
    var url: String
    var secret: String
}

/// An event waiting for delivery.
struct WebhookEvent: Sendable {
    var event: String
    var data: JSON
}
