import Foundation
import LunasStore
import Scalev

/// A runtime's vault as an operator manages it — what `lunas auth` does: store an API key,
/// authorize an OAuth installation and keep its tokens, sign a customer in, list the
/// configured credentials and where each one's secret is, remove one. Credentials are named as
/// in the configuration's `[credentials.NAME]`; secrets are sealed with `LUNAS_VAULT_KEY` (or
/// the configuration's `vault_key_file`) and never returned.
///
/// ```swift
/// let vault = try await runtime.vault()
/// try await vault.storeAPIKey("sk_…", for: "main")
/// for entry in try await vault.entries() { print(entry.name, entry.kind, entry.place) }
/// ```
public struct Vault: Sendable {
    private let vault: CredentialVault
    private let lunas: LunasConfiguration
    private let environment: [String: String]
    private let connector: ScalevConnector

    init(vault: CredentialVault, lunas: LunasConfiguration, environment: [String: String], connector: ScalevConnector) {
        self.vault = vault
        self.lunas = lunas
        self.environment = environment
        self.connector = connector
    }

    /// Whether `secret` looks like a Scalev API key (`sk_…` or `rk_…`).
    public static func isAPIKey(_ secret: String) -> Bool {
        secret.hasPrefix("sk_") || secret.hasPrefix("rk_")
    }

    /// Stores the API key of credential `name` (under its `vault` name, else `name`).
    public func storeAPIKey(_ key: String, for name: String) async throws {
        guard Self.isAPIKey(key) else { throw VaultError("an API key starts with sk_ or rk_") }
        try await vault.save(lunas.credentials[name]?.vaultName ?? name, secret: Data(key.utf8))
    }

    /// Starts authorizing the OAuth installation `name` (kind `oauth`): a fresh PKCE verifier and
    /// state, and the URL to approve the app at.
    ///
    /// - Parameters:
    ///   - redirectURI: the app's registered redirect URI.
    ///   - authorizeURL: the authorization page (default: Scalev's, or
    ///     `<base_url>/v3/oauth/authorize` for another origin).
    ///   - scopes: the scopes to ask for (empty: all the app may have).
    public func authorize(_ name: String, redirectURI: String, authorizeURL: String? = nil, scopes: [String] = []) async throws
        -> PendingAuthorization
    {
        let (credential, client) = try await resolve(name, kind: .oauth)
        guard case .oauth(let installation) = credential else { throw VaultError("credential '\(name)' is not an OAuth installation") }
        let endpoint = authorizeURL ?? (client.baseURL == CredentialResolver.defaultBaseURL
            ? OAuthAuthorization.scalevAuthorizeEndpoint : client.baseURL + "/v3/oauth/authorize")
        let authorization = OAuthAuthorization(clientID: installation.clientID, redirectURI: redirectURI, scopes: scopes, authorizeEndpoint: endpoint)
        return PendingAuthorization(credential: name, authorization: authorization, installation: installation, client: client, http: try connector.http())
    }

    /// Finishes an authorization with the redirect the browser was sent to
    /// (`…?code=…&state=…`): exchanges the code for the installation's tokens and keeps them.
    /// Returns the granted scopes (empty when the server listed none). A redirect without a code
    /// (the app was denied) or with another state is refused.
    public func complete(_ pending: PendingAuthorization, redirect: String) async throws -> [String] {
        let (code, state) = OAuthAuthorization.parameters(ofRedirect: redirect)
        guard let code else { throw VaultError("the redirect carried no code (was the app denied?)") }
        let grant = try await pending.authorization.exchange(
            code: code, returnedState: state, installation: pending.installation, configuration: pending.client, http: pending.http, vault: vault)
        return grant.scopes
    }

    /// Signs a customer in as credential `name` (kind `customer`) with a password; the tokens
    /// go to the vault, or the store asks for a one-time code first.
    public func signIn(_ name: String, email: String, password: String) async throws -> CustomerSignIn {
        let (session, client) = try await customer(name)
        switch try await CustomerLogin.logIn(email: email, password: password, session: session, configuration: client, http: try connector.http(), vault: vault) {
        case .signedIn: return .signedIn
        case .otpRequired(let message): return .otpRequired(message: message)
        }
    }

    /// Completes a sign-in the store asked a one-time code for; the tokens go to the vault.
    public func verifyOTP(_ name: String, email: String, otp: String) async throws {
        let (session, client) = try await customer(name)
        try await CustomerLogin.verifyOTP(email: email, otp: otp, session: session, configuration: client, http: try connector.http(), vault: vault)
    }

    /// The configured credentials by name, each with where its secret is.
    public func entries() async throws -> [VaultEntry] {
        var entries: [VaultEntry] = []
        for entry in lunas.credentials.values.sorted(by: { $0.name < $1.name }) {
            let place: VaultEntry.Place
            if entry.kind == .apiKey, let variable = entry.secretEnvironment {
                place = .environment(variable: variable, isSet: environment[variable] != nil)
            } else if entry.kind == .storefront {
                place = .configuration
            } else {
                place = .vault(stored: try await vault.secret(entry.vaultName ?? entry.name) != nil)
            }
            entries.append(VaultEntry(name: entry.name, kind: entry.kind, place: place))
        }
        return entries
    }

    /// Deletes credential `name`'s secret from the vault (`name` need not be configured); a
    /// customer is signed out first, as far as the store can be reached. Returns whether there
    /// was one.
    public func remove(_ name: String) async throws -> Bool {
        let entry = lunas.credentials[name]
        let vaultName = entry?.vaultName ?? name
        let existed = try await vault.secret(vaultName) != nil
        if entry?.kind == .customer, let (session, client) = try? await customer(name), let http = try? connector.http() {
            try? await CustomerLogin.logOut(session: session, configuration: client, http: http, vault: vault)
        }
        _ = try await vault.delete(vaultName)
        return existed
    }

    /// The customer session of credential `name` and the configuration of a client for it.
    private func customer(_ name: String) async throws -> (CustomerSession, ScalevClient.Configuration) {
        let (credential, client) = try await resolve(name, kind: .customer)
        guard case .customer(let session) = credential else { throw VaultError("credential '\(name)' is not a customer") }
        return (session, client)
    }

    /// The configured credential `name`, which must be of `kind`, resolved as runs resolve it,
    /// and the configuration of a client for it.
    private func resolve(_ name: String, kind: CredentialEntry.Kind) async throws -> (ScalevCredential, ScalevClient.Configuration) {
        guard let entry = lunas.credentials[name] else {
            throw VaultError("there is no [credentials.\(name)] in \(lunas.file ?? LunasConfiguration.defaultFile); add it with kind = \"\(kind.rawValue)\"")
        }
        guard entry.kind == kind else {
            throw VaultError("credential '\(name)' is of kind \(entry.kind.rawValue), not \(kind.rawValue)")
        }
        let resolved = try await CredentialResolver(configuration: lunas, environment: environment).resolve(name, vault: vault)
        return (resolved.credential, ScalevClient.Configuration(baseURL: resolved.baseURL, v2BaseURL: lunas.v2BaseURL))
    }
}
