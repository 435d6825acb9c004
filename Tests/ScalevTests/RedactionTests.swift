import Foundation
import Logging
import LunasStore
import LunasTesting
@testable import Scalev
import Testing

/// Collects every log message.
struct CapturingLogHandler: LogHandler {
    let log: TraceLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        log.append("\(event.message)")
    }
}

@Suite("Redaction", .testScope)
struct RedactionTests {
    @Test("no trace line, log line or error of any credential family holds a secret")
    func noSecrets() async throws {
        let sandbox = try await TestSandbox.start()
        let c = sandbox.credentials
        let logger = Logger(label: "scalev-test") { _ in CapturingLogHandler(log: sandbox.log) }
        let context = sandbox.context()
        func make(_ credential: ScalevCredential, vault: CredentialVault? = nil) -> ScalevClient {
            let client = ScalevClient(configuration: sandbox.configuration(), credential: credential, http: sandbox.http, vault: vault, logger: logger)
            return client
        }
        var clients: [ScalevClient] = []

        // API keys: a retry, a reset, a 401 and a 403.
        let business = make(.apiKey(c.businessKey))
        clients.append(business)
        try await sandbox.fault(["route": "GET /v3/stores", "error_rate": 1, "count": 1])
        try await sandbox.fault(["route": "GET /v3/products", "reset_rate": 1, "count": 1])
        _ = try await business.send(ScalevRequest(method: "GET", path: "/v3/stores"), context: context)
        _ = try await business.send(ScalevRequest(method: "GET", path: "/v3/products"), context: context)
        let wrongKey = "sk_wrong_but_secret_987654321"
        sandbox.addSecret(wrongKey)
        let wrong = make(.apiKey(wrongKey))
        clients.append(wrong)
        _ = await sandbox.expectError { _ = try await wrong.send(ScalevRequest(method: "GET", path: "/v3/orders"), context: context) }
        let restricted = make(.apiKey(c.restrictedKey))
        clients.append(restricted)
        _ = await sandbox.expectError { _ = try await restricted.send(ScalevRequest(method: "POST", path: "/v3/products", body: ["name": "x"]), context: context) }

        // OAuth: exchange, use, refresh on 401.
        let (vault, _) = try await sandbox.vault(key: .generate())
        let authorization = OAuthAuthorization(clientID: c.oauthClientID, redirectURI: c.oauthRedirectURI, authorizeEndpoint: sandbox.sandbox.baseURL + "/v3/oauth/authorize")
        let approved = try await sandbox.raw("GET", String(authorization.url.dropFirst(sandbox.sandbox.baseURL.count)), headers: [("Accept", "application/json")])
        let code = try #require(approved.json["code"].stringValue)
        sandbox.addSecret(code)
        sandbox.addSecret(authorization.codeVerifier)
        let installation = OAuthInstallation(vaultName: "oauth/redaction", clientID: c.oauthClientID, clientSecret: c.oauthClientSecret, businessID: "business_x")
        try await authorization.exchange(code: code, installation: installation, configuration: sandbox.configuration(), http: sandbox.http, vault: vault)
        let oauth = make(.oauth(installation), vault: vault)
        clients.append(oauth)
        _ = try await oauth.send(ScalevRequest(method: "GET", path: "/v3/orders"), context: context)
        let reused = await sandbox.expectError {
            try await authorization.exchange(code: code, installation: installation, configuration: sandbox.configuration(), http: sandbox.http, vault: vault)
        }
        #expect(reused?.status == 400)

        // Customer: login, use, refresh on 401, a wrong password.
        let session = CustomerSession(vaultName: "customer/redaction", storeID: c.storeUniqueID, publishableKey: c.storefrontKey)
        _ = try await CustomerLogin.logIn(email: c.customerEmail, password: c.customerPassword, session: session, configuration: sandbox.configuration(), http: sandbox.http, vault: vault)
        let customer = make(.customer(session), vault: vault)
        clients.append(customer)
        _ = try await customer.send(ScalevRequest(method: "GET", path: sandbox.storePath + "/customers/me"), context: context)
        try await sandbox.advanceClock(3700)
        _ = try await oauth.send(ScalevRequest(method: "GET", path: "/v3/orders"), context: context)
        _ = try await customer.send(ScalevRequest(method: "GET", path: sandbox.storePath + "/customers/me/orders"), context: context)

        // Storefront: a guest token.
        let storefront = make(.storefront(publishableKey: c.storefrontKey, storeID: c.storeUniqueID))
        clients.append(storefront)
        _ = try await storefront.send(ScalevRequest(method: "POST", path: sandbox.storePath + "/public/cart/items", body: ["type": "variant", "variant_id": 9006, "quantity": 1]), context: context)
        _ = try await storefront.send(ScalevRequest(method: "GET", path: sandbox.storePath + "/public/cart"), context: context)

        // Every secret is known to its client ...
        let stored = try #require(try await vault.secret(installation.vaultName).flatMap(TokenPair.init(stored:)))
        let customerPair = try #require(try await vault.secret(session.vaultName).flatMap(TokenPair.init(stored:)))
        let guest = try #require(storefront.currentGuestToken)
        #expect(oauth.secrets.contains(stored.access) && oauth.secrets.contains(stored.refresh) && oauth.secrets.contains(c.oauthClientSecret))
        #expect(customer.secrets.contains(customerPair.access) && customer.secrets.contains(customerPair.refresh))
        #expect(storefront.secrets.contains(guest) && storefront.secrets.contains(c.storefrontKey))
        #expect(business.redact("Authorization: Bearer \(c.businessKey)") == "Authorization: Bearer [redacted]")

        // ... and none appears in what was traced, logged or thrown.
        let secrets = clients.flatMap(\.secrets) + sandbox.allSecrets
        let lines = sandbox.log.all
        #expect(lines.count > 20)
        #expect(lines.contains { $0.contains("refreshing the tokens once") })
        for line in lines {
            for secret in secrets where secret.count >= 6 {
                #expect(!line.contains(secret), "secret in: \(line.replacingOccurrences(of: secret, with: "<SECRET>"))")
            }
        }
        try await sandbox.stop()
    }
}
